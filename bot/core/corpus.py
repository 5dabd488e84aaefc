"""The knowledge prepared for answering: sentences, their tokens and facts, indexes and name aliases.

Everything that depends only on the articles is computed here once, so that answering a question
costs work proportional to the question's matches, not to the size of the coverage.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import numpy as np

from bot.core.articles import Article
from bot.core.embeddings import english_words
from bot.core.facts import NAME_JOINERS, Facts, LazyFacts, kind_bit, proper_names_among
from bot.core.lexicon import TITLE_ABBREVIATIONS
from bot.core.prepared import Prepared, prepare
from bot.core.questions import Concept, Question, without_chat_noise
from bot.core.quotes import Quote
from bot.core.search import SentenceIndex, SparseBM25Index
from bot.core.sentences import Sentence, SentenceTable
from bot.core.text import MAX_TITLE_WORDS, is_phrasal_term, phrasal_term, stem, title_term, tokenize, words

if TYPE_CHECKING:
    from bot.core.candidates import Reduced

MIN_TYPO_LENGTH = 4  # shorter words are too often another real word one letter away ("bet", "beat")
MIN_CLIPPED = 3  # letters a clipping leaves off at least ("insta" + "gram"; one fewer is a typo's: "souther")
MIN_INITIALISM = 3  # letters; two-letter initials stand for too many names ("St. Brigid", "Ashford General")
MAX_INITIALISM_WORDS = 5  # words ("North Atlantic Treaty Organization" has four)
MIN_DERIVED_STEM = 5  # words of English that differ after fewer letters are other words ("hail", "hair")
_QUOTED = kind_bit("quoted")
_AGES = kind_bit("ages")
IndexFactory = Callable[[list[list[str]]], SentenceIndex]
_WHO_IS = re.compile(r"^\s*who(?:'s|\s+is|\s+was|\s+are|\s+were)\s", re.I)  # see expand()


@dataclass
class Corpus:
    articles: list[Article]
    sentences: SentenceTable
    titled: dict[str, np.ndarray]  # term -> the articles (sorted ids) whose title holds it: what they are about
    facts: Sequence[Facts]  # a list, or decoded lazily from the cache
    kinds: np.ndarray  # per sentence: the facts.FACT_KINDS bits of what it states
    name_words: frozenset[str]
    proper_names: frozenset[str]  # name words that are really names, for "is this about who was asked"
    named: dict[str, np.ndarray]  # stem of a proper-name word -> the articles (sorted ids) mentioning it
    index: SentenceIndex
    aliases: dict[str, frozenset[str]]
    initialisms: dict[str, str]  # "doh" -> "department of health": see _initialisms
    topics: tuple[str, ...]
    quotes: list[Quote]
    speakers: dict[int, frozenset[str]]  # sentence id -> words of the names of who is quoted in it
    quote_index: SentenceIndex
    _by_initial: dict[tuple[str, int], list[str]]  # terms by (first letter, length), for typo matching
    _terms: list[str]  # the terms of words (no phrasal-verb pairs), sorted: those a clipping begins are a run
    summary: str | None = None  # what the coverage is about, for abstentions; filled on first use
    vectors: np.ndarray | None = None  # sentences × DIMENSIONS unit vectors (vectors.py); None: semantic stage off
    reduced: Reduced | None = None  # a large corpus's vectors for the nearest's shortlist (candidates.py)
    people: frozenset[str] | None = None  # words of people's names; filled on first use (person_words)
    outlet_articles: dict[str, tuple[str, list[int]]] | None = None  # see articles_by_outlet
    quotes_at: dict[int, list[int]] | None = None  # sentence id -> its quotations (quotes_in)

    @classmethod
    def build(cls, articles: list[Article], index_factory: IndexFactory = SparseBM25Index) -> Corpus:
        """Split, tokenize, index and extract facts and quotes: the slow part, done once (then cached)."""
        prepared = [prepare(a) for a in articles]
        return cls.from_prepared(named_under(prepared), index_factory)

    @classmethod
    def from_prepared(cls, prepared: list[Prepared], index_factory: IndexFactory = SparseBM25Index) -> Corpus:
        """The corpus of these articles, each prepared (prepared.py) under the folder's name words."""
        name_words = folder_name_words(prepared)
        capitalised: Counter[str] = Counter()
        lowercase: Counter[str] = Counter()
        for p in prepared:
            capitalised.update(p.capitalised)
            lowercase.update(p.lowercase)
        proper_names = proper_names_among(name_words, capitalised, lowercase)
        sentences, tokens, quotes, quote_docs = [], [], [], []
        for a, p in enumerate(prepared):
            first = len(sentences)
            sentences.extend(Sentence(id=first + i, article=a, paragraph=paragraph, position=position, text=text)
                             for i, ((paragraph, position), text) in enumerate(zip(p.places, p.texts)))
            tokens.extend(list(t) for t in p.tokens)
            quotes.extend(replace(q, sentence=first + q.sentence, article=a) for q in p.named.quotes)
            quote_docs.extend(list(t) for t in p.named.quote_tokens)
        named = [{stem(w) for name in p.named.mentions for w in name.split() if w in proper_names} for p in prepared]
        facts = LazyFacts("\n".join(f for p in prepared for f in p.named.facts).encode("utf-8"), count=len(sentences))
        kinds = np.fromiter((k for p in prepared for k in p.named.kinds), dtype=np.uint8, count=len(sentences))
        return cls.assemble(articles=[p.article for p in prepared], sentences=sentences, facts=facts, kinds=kinds,
                            name_words=name_words, proper_names=proper_names, named=_inverted(named),
                            aliases=_aliases(prepared), initialisms=_initialisms(prepared), topics=_topics(prepared),
                            quotes=quotes,
                            index=index_factory(tokens), quote_index=index_factory(quote_docs))

    @classmethod
    def assemble(cls, *, articles: list[Article], sentences: list[Sentence] | SentenceTable, facts: Sequence[Facts],
                 kinds: np.ndarray,
                 name_words: frozenset[str], proper_names: frozenset[str], named: dict[str, np.ndarray],
                 aliases: dict[str, frozenset[str]], initialisms: dict[str, str],
                 topics: tuple[str, ...], quotes: list[Quote],
                 index: SentenceIndex, quote_index: SentenceIndex) -> Corpus:
        """A corpus from its prepared parts (freshly built or loaded from the cache)."""
        by_initial: dict[tuple[str, int], list[str]] = defaultdict(list)
        # (a typo or a clipping is of a word: "come+out" is a phrasal verb's term, no word's spelling)
        terms = sorted(t for t in getattr(index, "vocabulary_list", None) or _vocabulary(index, sentences)
                       if not is_phrasal_term(t))
        for term in terms:
            by_initial[(term[:1], len(term))].append(term)
        # The sentences hold the text now; keeping every paragraph as well would double the memory.
        articles = [replace(a, paragraphs=()) if a.paragraphs else a for a in articles]
        table = sentences if isinstance(sentences, SentenceTable) else SentenceTable.from_sentences(sentences)
        return cls(articles=articles, sentences=table, titled=_inverted([tokenize(a.title) for a in articles]),
                   facts=facts, kinds=kinds, name_words=name_words, proper_names=proper_names,
                   named=named, index=index,
                   aliases=aliases, initialisms=initialisms, topics=topics, quotes=quotes, speakers=_speakers(quotes),
                   quote_index=quote_index, _by_initial=dict(by_initial), _terms=terms)

    def person_words(self) -> frozenset[str]:
        """Words of the names of people, as the coverage shows them: who is quoted, and whose age is
        given. ("So Good" is a name, but nobody says it or is 27.) Computed once per corpus."""
        if self.people is None:
            words = {w for names in self.speakers.values() for w in names}
            for sentence_id in np.flatnonzero(self.kinds & _AGES):
                words.update(w for names in self.facts[int(sentence_id)].age_names for n in names for w in n.split())
            self.people = frozenset(words & self.proper_names)
        return self.people

    def articles_by_outlet(self) -> dict[str, tuple[str, list[int]]]:
        """Outlet (or original outlet, `via`) as letters and digits only, lowercase → (its name as the
        articles write it, the articles it published or that came from it). Computed once per corpus."""
        if self.outlet_articles is None:
            found: dict[str, tuple[str, list[int]]] = {}
            for i, article in enumerate(self.articles):
                for name in dict.fromkeys(n for n in (article.outlet, article.via) if n):
                    found.setdefault(plain_name(name), (name, []))[1].append(i)
            self.outlet_articles = found
        return self.outlet_articles

    def uses(self, concept: Concept) -> bool:
        """Whether any sentence of the coverage has the concept (one of its alternatives)."""
        return any(term in self.index for term in concept.alternatives)

    def quotes_in(self, sentence_id: int) -> list[int]:
        """The quotations (indices into quotes and quote_index) that start in the sentence."""
        if self.quotes_at is None:
            found: dict[int, list[int]] = defaultdict(list)
            for i, quote in enumerate(self.quotes):
                found[quote.sentence].append(i)
            self.quotes_at = dict(found)
        return self.quotes_at.get(sentence_id, [])

    def quoted(self, sentence_id: int) -> bool:
        """Whether the sentence holds a direct quotation (told without decoding its facts)."""
        return bool(self.kinds[sentence_id] & _QUOTED)

    def article_of(self, sentence_id: int) -> Article:
        return self.articles[self.sentences.article(sentence_id)]

    def expand(self, question: Question) -> Question:
        """Add what only the coverage can tell: aliases of names, typo fixes, split compounds, and that
        "who is" a name of the coverage asks what they are."""
        concepts = _with_titles(question, list(_join_compounds(question.concepts, self.index)), self.index)
        expanded = []
        for concept in concepts:
            alternatives = dict(concept.alternatives)
            root = stem(concept.word)
            for alias in self.aliases.get(root, ()):  # "Alev" finds "Aydin": the same person
                alternatives.setdefault(alias, 1.0)
            corrected = ""
            spelled_out = None if concept.particle else \
                self.initialisms.get(concept.word) or TITLE_ABBREVIATIONS.get(concept.word)
            if spelled_out and not any(term in self.index for term in alternatives):  # "ems", "ceo": the words
                corrected = spelled_out
                for word in spelled_out.split():
                    if word not in NAME_JOINERS:
                        alternatives.setdefault(stem(word), 1.0)
            elif not any(term in self.index for term in alternatives):  # "Aydinn" finds "Aydin"
                close = self._close_terms(concept.word, root)
                corrected = self._spelling(close[0]) if len(close) == 1 else ""
                if concept.particle:  # ("coem out" is "come out", not "come")
                    close = [t for t in (phrasal_term(t, concept.particle) for t in close) if t in self.index]
                for term in close:
                    alternatives.setdefault(term, 1.0)
            expanded.append(concept if alternatives == concept.alternatives else
                            replace(concept, alternatives=alternatives, corrected=corrected))
        # "who is Dana Whitfield" asks what she is ("Mayor Dana Whitfield …"), not for another name
        kind = "what" if question.kind == "who" and _WHO_IS.match(question.text) and expanded and \
            all(c.word in self.name_words for c in expanded) else question.kind
        if kind == question.kind and len(expanded) == len(question.concepts) and \
                all(a is b for a, b in zip(expanded, question.concepts)):
            return question  # (the usual case; dataclasses.replace takes a few µs)
        return replace(question, kind=kind, concepts=tuple(expanded))

    def _close_terms(self, word: str, root: str) -> list[str]:
        """Known terms one typo from the word or its stem, or that it clips: a letter swapped with the next,
        doubled, dropped, added or replaced (Damerau-Levenshtein distance 1), except in the first letter:
        only terms that begin as the word does, or with its second letter, are looked at ("fery" finds
        "ferry"; "gerry" does not), which keeps the search to a few terms."""
        if len(word) < MIN_TYPO_LENGTH or any(c.isdigit() for c in word):  # ("1100" is no typo of "11003")
            return []
        # A word of English is no typo: one letter from a term it is another word ("hike" is not "hide",
        # "signed" not "sing"), except where English derives one word from another, at the end of a long
        # stem ("pregnant", "pregnancy"; "scandinavian", "scandinavia").
        known = word.lower() in english_words()
        found = set()
        for form in {word, root}:
            for initial in {form[:1], form[1:2]}:  # (the second letter leads when the first two are swapped)
                for n in (len(form) - 1, len(form), len(form) + 1):
                    found.update(t for t in self._by_initial.get((initial, n), ()) if one_edit_apart(form, t)
                                 and (not known or _derived(form, t)))
        if not known:  # a clipped word is the start of the coverage's: "insta" finds "instagram", "dorms" "dormitories"
            for form in {f for f in (word, root) if len(f) >= MIN_TYPO_LENGTH}:
                found.update(t for t in self._terms_starting(form) if len(t) >= len(form) + MIN_CLIPPED)
        return sorted(found)

    def _terms_starting(self, prefix: str) -> list[str]:
        """The terms that begin with prefix: a run of the sorted terms."""
        start = bisect_left(self._terms, prefix)
        end = start
        while end < len(self._terms) and self._terms[end].startswith(prefix):
            end += 1
        return self._terms[start:end]

    def _spelling(self, term: str) -> str:
        """How the coverage writes a term (a word of the first sentence holding it that stems to it)."""
        for sentence, _ in self.index.top({term: 1.0}, 1):
            for word in words(self.sentences.text(sentence)):
                if stem(word) == term:
                    return word
        return ""


def _derived(a: str, b: str) -> bool:
    """One edit apart at the end only, after a shared stem of MIN_DERIVED_STEM letters or more."""
    shared = max(len(a), len(b)) - 1
    return shared >= MIN_DERIVED_STEM and a[:shared] == b[:shared]


def one_edit_apart(a: str, b: str) -> bool:
    """Whether b is a with one letter replaced, added, dropped, or swapped with its neighbour."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) < len(b):
        return a[i:] == b[i + 1:]
    return a[i + 1:] == b[i + 1:] or (i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i]
                                       and a[i + 2:] == b[i + 2:])


def plain_name(name: str) -> str:
    """A name as compared: "Get Heard", "getheard" and "Get-Heard" alike."""
    return re.sub(r"[^0-9a-z]+", "", name.lower())


def _inverted(per_article: Sequence[Iterable[str]]) -> dict[str, np.ndarray]:
    """term -> the ids of the articles holding it, ascending: looked up per question term, so that no
    per-article set is touched for each candidate sentence."""
    holders: dict[str, list[int]] = defaultdict(list)
    for article, terms in enumerate(per_article):
        for term in set(terms):
            holders[term].append(article)
    return {term: np.asarray(ids, dtype=np.int32) for term, ids in holders.items()}


def _vocabulary(index: SentenceIndex, sentences: Sequence[Sentence]) -> set[str]:
    return {t for i in range(len(sentences)) for t in index.terms(i)}


def _join_compounds(concepts: tuple[Concept, ...], index: SentenceIndex) -> list[Concept]:
    """ "tik tok" asks for "TikTok": merge neighbouring words whose concatenation the coverage uses."""
    result: list[Concept] = []
    i = 0
    while i < len(concepts):
        if i + 1 < len(concepts):
            joined = concepts[i].word + concepts[i + 1].word
            root = stem(joined)
            if root in index and concepts[i].word not in index and concepts[i + 1].word not in index:
                result.append(Concept(word=joined, alternatives={root: 1.0}))
                i += 2
                continue
        result.append(concepts[i])
        i += 1
    return result


def _with_titles(question: Question, concepts: list[Concept], index: SentenceIndex) -> list[Concept]:
    """ "what is without me about": words that make a title the coverage quotes ("Without Me") are asked
    as that title (text.titles), in place of their concepts; the longest title first."""
    asked = words(without_chat_noise(question.text))
    found, used = [], set()
    for n in range(min(MAX_TITLE_WORDS, len(asked)), 1, -1):
        for i in range(len(asked) - n + 1):
            term = title_term(asked[i:i + n])
            if used.isdisjoint(range(i, i + n)) and term in index:
                found.append(Concept(word=" ".join(asked[i:i + n]), alternatives={term: 1.0}))
                used.update(range(i, i + n))
    if not found:
        return concepts
    in_titles = {asked[i] for i in used}
    return [c for c in concepts if c.word not in in_titles] + found


def _speakers(quotes: list[Quote]) -> dict[int, frozenset[str]]:
    speakers: dict[int, set[str]] = defaultdict(set)
    for quote in quotes:
        if quote.speaker:
            speakers[quote.sentence].update(quote.speaker.lower().split())
    return {k: frozenset(v) for k, v in speakers.items()}


def _aliases(prepared: list[Prepared]) -> dict[str, frozenset[str]]:
    """Parts of multi-word names that only ever appear capitalised point to each other, when the
    pairing is what the part usually means: "Alev" finds "Aydin", but a surname shared by many
    people in the coverage ("Chen") does not stand for all of their first names."""
    lowercase = frozenset().union(*(p.lowercase_words for p in prepared))
    mentions: Counter[str] = Counter()
    for p in prepared:
        mentions.update(p.named.mentions)
    together: dict[str, Counter[str]] = defaultdict(Counter)  # part -> the other parts, by mentions
    named: Counter[str] = Counter()  # part -> mentions of full names holding it
    for name, count in mentions.items():
        if count >= 2:  # a full name used more than once is a person or organisation, not a title
            parts = [w for w in name.split() if w not in lowercase and len(w) > 1]
            stems = {stem(w) for w in parts}
            if len(stems) >= 2 and len(stems) == len(name.split()):
                for s in stems:
                    named[s] += count
                    together[s].update(dict.fromkeys(stems - {s}, count))
    aliases = {part: frozenset(o for o, n in others.items() if n * 2 >= named[part])
               for part, others in together.items()}
    return {k: v for k, v in aliases.items() if v}


def _initialisms(prepared: list[Prepared]) -> dict[str, str]:
    """What the initials of a name's words stand for, so a question may abbreviate what the coverage spells
    out: "ems" for "Emergency Medical Services" (also inside "County Emergency Medical Services Chief Dale
    Hurtado"), "doh" for "Department of Health" (with or without the joiner's letter). Two to
    MAX_INITIALISM_WORDS words make MIN_INITIALISM letters or more; initials that could stand for two names as
    often are left out. Used only for a question's word the coverage never uses (Corpus.expand)."""
    spelled: dict[str, Counter[tuple[str, ...]]] = defaultdict(Counter)
    for p in prepared:
        for name, count in p.named.mentions.items():
            parts = name.split()
            for start in range(len(parts)):
                if parts[start] in NAME_JOINERS:
                    continue
                for end in range(start + 2, min(start + MAX_INITIALISM_WORDS, len(parts)) + 1):
                    span = tuple(parts[start:end])
                    if span[-1] in NAME_JOINERS:
                        continue
                    letters = "".join(w[0] for w in span if w not in NAME_JOINERS)
                    for initials in {letters, "".join(w[0] for w in span)}:
                        if len(initials) >= MIN_INITIALISM and initials.isalpha():
                            spelled[initials][span] += count
    found = {}
    for initials, spans in spelled.items():
        (best, n), *rest = spans.most_common(2)
        if not rest or rest[0][1] < n:
            found[initials] = " ".join(best)  # (one string: a large folder has tens of thousands)
    return found


def _topics(prepared: list[Prepared], count: int = 3) -> tuple[str, ...]:
    """The names most of the coverage is about, for telling users what they can ask."""
    per_article: Counter[str] = Counter()
    mentions: Counter[str] = Counter()
    originals: dict[str, str] = {}
    for p in prepared:
        per_article.update(p.named.mentions.keys())
        mentions.update(p.named.mentions)
        for name, original in p.named.originals.items():
            originals.setdefault(name, original)
    ranked = sorted(per_article, key=lambda n: (-per_article[n], -mentions[n], n))
    # "Alev" stands for "Alev Aydin" when the full name is used more than once
    full = {part: n for n in ranked if " " in n and mentions[n] >= 2 for part in n.split()}
    topics = list(dict.fromkeys(full.get(n, n) for n in ranked))
    return tuple(originals[n] for n in topics[:count])


def folder_name_words(prepared: list[Prepared]) -> frozenset[str]:
    """Capitalised words seen mid-sentence anywhere in the folder (facts.name_words_of)."""
    return frozenset().union(*(p.name_words for p in prepared))


def named_under(prepared: list[Prepared]) -> list[Prepared]:
    """Each article with its facts found under the folder's name words."""
    name_words = folder_name_words(prepared)
    return [p.named_with(name_words) for p in prepared]
