"""One article made ready for the corpus: its sentences, tokens, facts and quotations.

Nearly all of an index build depends on one article alone, so an article is prepared once and kept
(cache.py stores it by its file's contents). The one thing the whole folder decides is which
capitalised words are names even where they start a sentence (facts.name_words_of): an article's
facts record each such word they asked about and the answer they got, and are found again only when
the folder now answers differently, as adding an article that names someone new can. Adding one
article to a folder of thousands therefore prepares that article and the few that share its names.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from bot.core.articles import Article
from bot.core.facts import case_counts, encode_facts, find_facts, kinds_stated, name_words_of, original_case
from bot.core.quotes import Quote, extract_quotes
from bot.core.sentences import Sentence, sentences_of
from bot.core.text import tokenize

FORMAT = 1
_LOWERCASE = re.compile(r"\b[a-z][a-z’'-]*\b")


@dataclass(frozen=True)
class Named:
    """What an article's sentences state, found with the folder's name words."""

    asked: frozenset[str]  # the words find_facts asked whether they are name words
    assumed: frozenset[str]  # those of them that were
    facts: tuple[str, ...]  # per sentence, facts.encode_facts
    kinds: tuple[int, ...]  # per sentence, facts.kinds_stated
    quotes: tuple[Quote, ...]  # sentence ids within the article, article 0
    # per quotation: its words, its speaker's, and those of its sentence and the one before
    quote_tokens: tuple[tuple[str, ...], ...]
    mentions: dict[str, int]  # each name the sentences state, and how often
    originals: dict[str, str]  # each name as the article first writes it


@dataclass(frozen=True)
class Prepared:
    article: Article  # without its paragraphs: the sentences hold the text
    texts: tuple[str, ...]
    places: tuple[tuple[int, int], ...]  # per sentence: paragraph, position in it
    tokens: tuple[tuple[str, ...], ...]
    name_words: frozenset[str]  # facts.name_words_of its sentences
    capitalised: dict[str, int]  # facts.case_counts, added up over the folder for proper names
    lowercase: dict[str, int]
    lowercase_words: frozenset[str]  # every lowercase word, even inside "Ex-husband": never part of a name
    named: Named | None = None

    def named_with(self, name_words: frozenset[str]) -> Prepared:
        """This article with its facts found under the folder's name words (itself when they still hold)."""
        if self.named is not None and self.named.asked & name_words == self.named.assumed:
            return self
        return replace(self, named=_named(self, name_words))


def prepare(article: Article) -> Prepared:
    """Split and tokenize one article and count what the folder needs from it; facts come in named_with."""
    sentences = sentences_of([article])
    texts = tuple(s.text for s in sentences)
    capitalised, lowercase = case_counts(texts)
    return Prepared(article=replace(article, paragraphs=()), texts=texts,
                    places=tuple((s.paragraph, s.position) for s in sentences),
                    tokens=tuple(tuple(tokenize(t)) for t in texts), name_words=name_words_of(list(texts)),
                    capitalised=dict(capitalised), lowercase=dict(lowercase),
                    lowercase_words=frozenset(w for t in texts for w in _LOWERCASE.findall(t)))


class _Asking:
    """The folder's name words, noting every word asked about."""

    def __init__(self, name_words: frozenset[str]):
        self.name_words, self.asked = name_words, set()

    def __contains__(self, word: str) -> bool:
        self.asked.add(word)
        return word in self.name_words


def _named(prepared: Prepared, name_words: frozenset[str]) -> Named:
    asking = _Asking(name_words)
    facts = [find_facts(t, asking) for t in prepared.texts]  # type: ignore[arg-type]  (only `in` is used)
    sentences = [Sentence(id=i, article=0, paragraph=p, position=n, text=t)
                 for i, ((p, n), t) in enumerate(zip(prepared.places, prepared.texts))]
    quotes = extract_quotes([prepared.article], sentences, [f.names for f in facts])
    mentions: Counter[str] = Counter()
    originals: dict[str, str] = {}
    for text, fact in zip(prepared.texts, facts):
        for name in fact.names:
            mentions[name] += 1
            if name not in originals:
                originals[name] = original_case(text, name)
    asked = frozenset(asking.asked)
    return Named(asked=asked, assumed=asked & name_words, facts=tuple(encode_facts(f) for f in facts),
                 kinds=tuple(kinds_stated(f) for f in facts), quotes=tuple(quotes),
                 quote_tokens=tuple(tuple(tokenize(f"{q.text} {q.speaker or ''} {_introduced(prepared.texts, q)}"))
                                    for q in quotes),
                 mentions=dict(mentions), originals=originals)


# ---- storage: plain JSON, so a cache file never runs code -------------------------------------------
def to_json(prepared: Prepared) -> dict:
    a, named = prepared.article, prepared.named
    if named is None:
        raise ValueError("an article is stored with its facts")
    return {
        "format": FORMAT,
        "article": [a.name, a.title, a.outlet, a.url, a.published, a.author, a.via],
        "texts": prepared.texts, "places": prepared.places, "tokens": prepared.tokens,
        "name_words": sorted(prepared.name_words), "capitalised": prepared.capitalised,
        "lowercase": prepared.lowercase, "lowercase_words": sorted(prepared.lowercase_words),
        "asked": sorted(named.asked), "assumed": sorted(named.assumed), "facts": named.facts, "kinds": named.kinds,
        "quotes": [[q.text, q.speaker, q.sentence] for q in named.quotes], "quote_tokens": named.quote_tokens,
        "mentions": named.mentions, "originals": named.originals,
    }


def from_json(stored: dict) -> Prepared:
    """The article as to_json stored it; ValueError (or KeyError, TypeError) when it is not such a record."""
    if stored.get("format") != FORMAT:
        raise ValueError("stored for another format")
    name, title, outlet, url, published, author, via = stored["article"]
    texts = tuple(stored["texts"])
    facts, kinds = tuple(stored["facts"]), tuple(int(k) for k in stored["kinds"])
    places = tuple((int(p), int(n)) for p, n in stored["places"])
    tokens = tuple(tuple(t) for t in stored["tokens"])
    quotes = tuple(Quote(text=t, speaker=s, sentence=int(i), article=0) for t, s, i in stored["quotes"])
    quote_tokens = tuple(tuple(t) for t in stored["quote_tokens"])
    if not len(texts) == len(places) == len(tokens) == len(facts) == len(kinds) or len(quotes) != len(quote_tokens) \
            or any(not 0 <= q.sentence < len(texts) for q in quotes) or any(not 0 <= k < 256 for k in kinds) \
            or any("\n" in f for f in facts):
        raise ValueError("the parts of the stored article do not fit together")
    named = Named(asked=frozenset(stored["asked"]), assumed=frozenset(stored["assumed"]), facts=facts, kinds=kinds,
                  quotes=quotes, quote_tokens=quote_tokens, mentions={k: int(v) for k, v in stored["mentions"].items()},
                  originals=dict(stored["originals"]))
    return Prepared(article=Article(name=name, title=title, outlet=outlet, url=url, published=published,
                                    author=author, via=via, paragraphs=()),
                    texts=texts, places=places, tokens=tokens, name_words=frozenset(stored["name_words"]),
                    capitalised={k: int(v) for k, v in stored["capitalised"].items()},
                    lowercase={k: int(v) for k, v in stored["lowercase"].items()},
                    lowercase_words=frozenset(stored["lowercase_words"]), named=named)


def _introduced(texts: tuple[str, ...], quote: Quote) -> str:
    """A quotation's sentence and the one before it, which news writes to introduce it ("In an
    interview with Allure, Halsey gushed about …" / "Halsey took to Twitter to thank fans")."""
    return " ".join(texts[max(quote.sentence - 1, 0):quote.sentence + 1])
