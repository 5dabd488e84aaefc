"""The one door adapters use: plain strings in, platform-free answers out."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from bot.core.answers import Answer, Citation, answer, clip, coverage_summary, join_list, not_found
from bot.core.attribution import Scope, source_scope
from bot.core.articles import Article, parse_knowledge, read_knowledge
from bot.core.cache import CACHE_DIR, load_or_build
from bot.core.candidates import reduced, term_weights
from bot.core.claims import Verdict, check_claim
from bot.core.conversation import Conversation
from bot.core.corpus import Corpus, IndexFactory
from bot.core.embeddings import encoder
from bot.core.questions import Question, parse_question, semantic_text, without_chat_noise
from bot.core.search import SparseBM25Index
from bot.core.smalltalk import small_talk_kind, small_talk_reply
from bot.core.summary import summarize, summary_request
from bot.core.vectors import Encode, sentence_vectors

MAX_QUESTION_CHARS = 500
QUOTE_MIN_COVERAGE = 0.5
_MAX_QUOTE_CHARS = 600


@dataclass(frozen=True, slots=True)
class QuoteAnswer:
    """A direct quotation as shown to users; the fields are the `quote --json` keys."""

    question: str  # the topic asked for, "" for a random quote
    answer: str
    abstained: bool
    citations: tuple[Citation, ...]
    quote: str
    speaker: str | None

    @property
    def text(self) -> str:
        return self.answer


@dataclass(frozen=True, slots=True)
class Source:
    """One article of the coverage, as `sources` lists it."""

    outlet: str
    via: str
    title: str
    url: str
    published: str
    file: str
    sentences: int


class Assistant:
    """Answers questions, finds quotes and lists sources over one prepared corpus."""

    def __init__(self, corpus: Corpus, encode: Encode | None = None):
        """encode: questions to unit vectors (embeddings.Encoder.encode_question); None turns the semantic
        stage off."""
        self.corpus = corpus
        self.encode = encode if corpus.vectors is not None else None

    @classmethod
    def from_directory(cls, directory: str | Path, index_factory: IndexFactory = SparseBM25Index,
                       use_cache: bool = True, semantic: bool = True) -> Assistant:
        """Load and index a knowledge folder, from its cache when the articles are unchanged.

        Raises KnowledgeError naming every broken file, ModelError when the model cannot be loaded."""
        directory = Path(directory)
        files = read_knowledge(directory)
        if use_cache and index_factory is SparseBM25Index:
            corpus = load_or_build(directory, files)
        else:
            corpus = Corpus.build(parse_knowledge(directory, files), index_factory)
        return cls.with_vectors(corpus, semantic, directory / CACHE_DIR if use_cache else None)

    @classmethod
    def from_articles(cls, articles: list[Article], index_factory: IndexFactory = SparseBM25Index,
                      semantic: bool = True) -> Assistant:
        return cls.with_vectors(Corpus.build(articles, index_factory), semantic)

    @classmethod
    def with_vectors(cls, corpus: Corpus, semantic: bool, cache: Path | None = None) -> Assistant:
        """The assistant over a corpus, its sentences embedded (from the cache where it has them)."""
        if not semantic:
            return cls(corpus)
        model = encoder()
        model.question_adapter  # noqa: B018  (read now: a broken install is reported at start, not at a question)
        corpus.vectors = sentence_vectors(corpus, model.encode, cache)
        corpus.reduced = reduced(corpus.vectors)
        return cls(corpus, model.encode_question)

    def ask(self, question: str, conversation: Conversation | None = None, how_to: str = "") -> Answer:
        """Answer a question from the coverage, or say plainly that the coverage does not answer it.

        With a conversation, a follow-up is understood in the context of its turns before (and then
        remembered there). how_to tells a greeting or a "what can you do" how to ask on this platform."""
        question = " ".join(str(question).split())
        problem = _question_problem(question)
        if problem:
            return not_found(question, self.corpus, reason=problem)
        plain = without_chat_noise(question)
        wanted = summary_request(plain)
        if wanted:
            return summarize(self.corpus, only_disagreements=wanted == "disagreements", question=question)
        talk = small_talk_kind(plain)
        if talk == "sources":  # (not an answer from the coverage: nothing is cited)
            return Answer(question=question, answer=self.sources_text(), abstained=True)
        if talk:
            reply = small_talk_reply(talk, coverage_summary(self.corpus), how_to)
            return Answer(question=question, answer=reply, abstained=True)
        understood = conversation.understand(question, self.corpus) if conversation is not None else question
        scope = source_scope(understood, self.corpus)
        asked = scope.question if scope is not None and scope.question else understood
        parsed = self.corpus.expand(parse_question(asked))
        if not parsed.concepts:
            if scope is not None:
                return not_found(question, self.corpus, reason=f"What about? Ask, for example, “what did "
                                 f"{scope.source} say about …?”.")
            return not_found(question, self.corpus, reason="I need a few words about what you want to know.")
        vector = self.encode([semantic_text(asked, parsed)])[0] if self.encode is not None else None
        result = answer(parsed, self.corpus, vector) if scope is None else self._from_source(scope, parsed, vector)
        result = replace(result, question=question)
        if conversation is not None:
            conversation.remember(understood, result, parsed.kind, self.corpus)
        return result

    def _from_source(self, scope: Scope, parsed: Question, vector) -> Answer:
        """The answer from one source's sentences; if it said nothing about it, that, and who did."""
        found = answer(parsed, self.corpus, vector, within=scope.within)
        if not found.abstained:
            lead = f"According to {scope.source}:" if scope.outlet else f"Citing {scope.source}:"
            return replace(found, answer=f"{lead}\n{found.answer}")
        elsewhere = answer(parsed, self.corpus, vector)
        if elsewhere.abstained:
            return not_found(parsed.text, self.corpus, reason=f"{scope.source} said nothing about that in the "
                             "coverage I have, and no other outlet did either.")
        outlets = list(dict.fromkeys(c.outlet for c in elsewhere.citations))
        if scope.outlet and scope.source in outlets:
            # its sentence answers beside the other outlets' (ranked among its own, it fell short alone)
            others = [o for o in outlets if o != scope.source]
            lead = f"According to {join_list([scope.source] + others)}:"
            return replace(elsewhere, answer=f"{lead}\n{elsewhere.answer}")
        return replace(elsewhere, answer=f"{scope.source} said nothing about that in the coverage I have; "
                                         f"{join_list(outlets)} did:\n{elsewhere.answer}")

    def quote(self, topic: str = "", rng: random.Random | None = None) -> QuoteAnswer:
        """The quotation that best matches topic, or a random attributed one when topic is empty."""
        topic = " ".join(str(topic).split())
        quotes = self.corpus.quotes
        if not quotes:
            return self._no_quote(topic, "The coverage has no direct quotations.")
        if not topic:
            attributed = [q for q in quotes if q.speaker] or quotes
            return self._quote_answer("", (rng or random.Random()).choice(attributed))
        problem = _question_problem(topic)
        if problem:
            return self._no_quote(topic, problem)
        parsed = self.corpus.expand(parse_question(topic))
        found = self.corpus.quote_index.top(term_weights(parsed), 1)
        if not found:
            return self._no_quote(topic, f"I couldn't find a quote about {topic!r} in the coverage.")
        best = found[0][0]
        # the same coverage test as answers, over the quote and the sentence around it
        context = self.corpus.quote_index.terms(best)
        concepts = parsed.concepts
        covered = sum(1 for c in concepts if any(t in context for t in c.alternatives))
        if concepts and covered / len(concepts) < QUOTE_MIN_COVERAGE:
            return self._no_quote(topic, f"I couldn't find a quote about {topic!r} in the coverage.")
        return self._quote_answer(topic, quotes[best])

    def verify(self, claim: str) -> Verdict:
        """Whether the coverage supports the claim, contradicts it (a date, age or number that differs),
        or says nothing about it."""
        claim = " ".join(str(claim).split())
        problem = "Give me a claim to check against the coverage." if not without_chat_noise(claim) \
            else _question_problem(claim)
        if problem:
            return Verdict(claim=claim, verdict="not_found", answer=problem.replace("question", "claim"))
        return replace(check_claim(without_chat_noise(claim), self.corpus, self.encode), claim=claim)

    def summary(self) -> Answer:
        """What several outlets report alike, and where they disagree, each side cited."""
        return summarize(self.corpus)

    def quote_topics(self) -> list[str]:
        """Speakers (most quoted first) and subjects that a quote can be asked about."""
        counts = Counter(q.speaker for q in self.corpus.quotes if q.speaker)
        return list(dict.fromkeys([s for s, _ in counts.most_common()] + list(self.corpus.topics)))

    def sources(self) -> list[Source]:
        """Every article the bot knows, in the order of the knowledge folder."""
        counts = self.corpus.sentences.counts_per_article(len(self.corpus.articles))
        return [Source(outlet=a.outlet, via=a.via, title=a.title, url=a.url, published=a.published,
                       file=a.name, sentences=counts[i]) for i, a in enumerate(self.corpus.articles)]

    def sources_text(self) -> str:
        """The sources as a short plain-text list."""
        lines = [coverage_summary(self.corpus)]
        for source in self.sources():
            date = f", {source.published}" if source.published else ""
            via = f" (via {source.via})" if source.via else ""
            lines.append(f"• {source.outlet}{via}: {source.title}{date} {source.url}")
        return "\n".join(lines)

    def _quote_answer(self, topic: str, quote) -> QuoteAnswer:
        sentence = self.corpus.sentences[quote.sentence]
        article = self.corpus.articles[sentence.article]
        speaker = quote.speaker or "unattributed"
        shown = clip(quote.text, set(), _MAX_QUOTE_CHARS - len(speaker) - len(article.credit) - 20)
        text = f"“{shown}” — {speaker}, in {article.credit} [1]"
        citation = Citation(outlet=article.outlet, title=article.title, url=article.url,
                            published=article.published, text=sentence.text, via=article.via)
        return QuoteAnswer(question=topic, answer=text, abstained=False, citations=(citation,),
                           quote=quote.text, speaker=quote.speaker)

    def _no_quote(self, topic: str, reason: str) -> QuoteAnswer:
        return QuoteAnswer(question=topic, answer=f"{reason} {coverage_summary(self.corpus)}", abstained=True,
                           citations=(), quote="", speaker=None)


def _question_problem(question: str) -> str | None:
    if not question:
        return "Ask me a question about the coverage."
    if len(question) > MAX_QUESTION_CHARS:
        return (f"That question is {len(question)} characters long; please ask in under "
                f"{MAX_QUESTION_CHARS} characters.")
    return None
