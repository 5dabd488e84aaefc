"""From ranked sentences to a short, cited answer, or an honest "not in the coverage"."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.core.corpus import Corpus
from bot.core.expectations import FACT_FIELDS, NAME_KINDS, relation
from bot.core.questions import Question
from bot.core.quotes import SPEECH_VERB as _SPEECH
from bot.core.quotes import is_only_quotation
from bot.core.scoring import Candidate, rank
from bot.core.text import stem, words

MAX_ANSWER_CHARS = 600  # leaves room for the platform's own markup under Slack's and Discord's limits
MAX_SOURCES = 3  # bullets, each from another article
MAX_PASSAGE_CHARS = 450  # a neighbour joins a sentence only when both fit
MAX_EXCERPTS = 3  # sentences of one article in one bullet
LIKELY = 0.5  # a fitted probability this high: the sentence more likely answers than not
CLOSEST = "The closest matches in the coverage:"  # the header when a sentence shown may not answer
CLOSEST_ONE = "The closest match in the coverage:"  # the same for a lone sentence


@dataclass(frozen=True, slots=True)
class Citation:
    """A source of an answer: the outlet, its article and the sentence(s) relied on."""

    outlet: str
    title: str
    url: str
    published: str
    text: str
    via: str = ""  # the outlet it was syndicated from ("Billboard"), as the answer text credits it


@dataclass(frozen=True, slots=True)
class Answer:
    """What a chat user sees (`answer`) and where it came from; the fields are the `ask --json` keys."""

    question: str
    answer: str
    abstained: bool
    citations: tuple[Citation, ...] = ()

    @property
    def text(self) -> str:
        return self.answer


def answer(question: Question, corpus: Corpus, question_vector: np.ndarray | None = None,
           within: np.ndarray | None = None) -> Answer:
    """The answer to a parsed question: the sentences the fitted model says answer it, composed and cited
    (only from the sentence ids within, when given)."""
    ranked, fitted = rank(question, corpus, question_vector, within)
    return compose_answer(question, ranked, corpus, fitted.answer_from, fitted.sentence_from)


def compose_answer(question: Question, ranked: list[Candidate], corpus: Corpus, answer_from: float,
                   sentence_from: float) -> Answer:
    """The best supporting sentence when it reaches answer_from, and others that reach sentence_from,
    each cited; agreement and disagreement between outlets said. Else an abstention.

    Each bullet comes from another article. For a question asking for a date, an age, a duration or a
    number every sentence shown states one; for a who/which/where question, every one after the first
    names someone or something."""
    if question.kind in FACT_FIELDS:
        ranked = [c for c in ranked if c.values]
    if not ranked or ranked[0].score < answer_from:
        return not_found(question.text, corpus)
    # A bullet that lacks a name asked about which the best sentence has is about something else (the
    # tunnel of another story, for "when did the Riverside Bridge reopen"), whatever its score.
    answering = ranked[:1] + [c for c in ranked[1:] if c.score >= sentence_from
                              and c.names_missing <= ranked[0].names_missing]
    if question.kind in NAME_KINDS:
        answering = answering[:1] + [c for c in answering[1:] if c.values]
    best = answering[0]
    chosen = [best]
    articles = {corpus.sentences.article(best.sentence)}
    # A contradiction is always shown; then other articles, best first.
    differing = [c for c in answering[1:] if relation(question.kind, best.values, c.values) == "differ"]
    for candidate in differing[:1] + answering[1:]:
        if len(chosen) == MAX_SOURCES:
            break
        article = corpus.sentences.article(candidate.sentence)
        if article not in articles:
            chosen.append(candidate)
            articles.add(article)

    scores = {c.sentence: c.score for c in ranked}
    passages = [_passage(c.sentence, question.kind, corpus, scores, sentence_from) for c in chosen]
    focus = {t for concept in question.concepts for t in concept.alternatives}
    for candidate in chosen:  # the asked-for facts ("Capitol Records", "June 9") must survive clipping
        focus.update(stem(w) for value in candidate.values for w in words(value))
    unknown = not all(corpus.uses(c) for c in question.concepts)
    header = _header(question.kind, chosen, corpus, paraphrased=unknown)
    texts = [_text(p, corpus) for p in passages]
    budget = _budgets(texts, header, chosen, corpus)
    # a neighbour joins only when it fits: better the supporting sentence whole than both cut short
    passages = [p if len(t) <= limit else [c.sentence] for c, p, t, limit in zip(chosen, passages, texts, budget)]
    shares = _budgets([" " * MAX_ANSWER_CHARS] * len(chosen), header, chosen, corpus)
    passages = [_with_excerpts(p, c, answering, share, corpus, focus)
                for p, c, share in zip(passages, chosen, shares)]
    texts = [_text(p, corpus) for p in passages]
    budget = _budgets(texts, header, chosen, corpus)
    citations, lines = [], []
    for n, (candidate, full, limit) in enumerate(zip(chosen, texts, budget), start=1):
        article = corpus.article_of(candidate.sentence)
        shown = clip(full, focus, limit)
        lines.append(f"{shown} — {article.credit} [{n}]")
        citations.append(Citation(outlet=article.outlet, title=article.title, url=article.url,
                                  published=article.published, text=full, via=article.via))
    if len(lines) == 1:  # no header to say what bullets amount to, but a hedge all the same
        text = f"{CLOSEST_ONE} {lines[0]}" if header == CLOSEST else lines[0]
    else:
        text = header + "\n" + "\n".join(f"• {line}" for line in lines)
    return Answer(question=question.text, answer=text, abstained=False, citations=tuple(citations))


def not_found(question: str, corpus: Corpus, reason: str = "I couldn't find that in the coverage I have, "
              "so I won't guess.") -> Answer:
    """An abstention that says what the coverage is about, so the user knows what to ask."""
    return Answer(question=question, answer=f"{reason} {coverage_summary(corpus)}", abstained=True)


def coverage_summary(corpus: Corpus) -> str:
    """ "I know 3 articles about X, Y and Z, from A, B and C." (computed once per corpus)."""
    if corpus.summary is None:
        outlets = list(dict.fromkeys(a.outlet for a in corpus.articles))
        if len(outlets) > 5:
            outlets = outlets[:5] + [f"{len(outlets) - 5} more outlets"]
        count = len(corpus.articles)
        articles = "1 article" if count == 1 else f"{count} articles"
        about = f" about {join_list(list(corpus.topics))}" if corpus.topics else ""
        corpus.summary = f"I know {articles}{about}, from {join_list(outlets)}."
    return corpus.summary


def clip(text: str, focus: set[str], limit: int) -> str:
    """Text cut to at most limit characters around the words that matter, marked with ellipses."""
    if len(text) <= limit:
        return text
    tokens = text.split()
    weights = []
    for token in tokens:
        found = words(token)
        weights.append(1 if found and stem(found[0]) in focus else 0)
    # Sliding window over the words: the span of at most limit characters with the most focus words.
    best, best_span = -1, (0, 0)
    end, length, gain = 0, 0, 0
    for start in range(len(tokens)):
        while end < len(tokens) and length + len(tokens[end]) + 1 <= limit - 2:
            length += len(tokens[end]) + 1
            gain += weights[end]
            end += 1
        if gain > best:
            best, best_span = gain, (start, end)
        if end > start:
            length -= len(tokens[start]) + 1
            gain -= weights[start]
        else:
            end = start + 1  # a single word longer than the limit: skip it
    start, end = best_span
    if start == end:  # no word fits (one long URL): its beginning
        return text[:max(limit - 1, 0)] + "…"
    return ("…" if start else "") + " ".join(tokens[start:end]) + ("…" if end < len(tokens) else "")


def _header(kind: str, chosen: list[Candidate], corpus: Corpus, paraphrased: bool = False) -> str:
    """What the bullets amount to, never more than they show: outlets "agree" only when every bullet
    likely answers and states the asked fact and the facts match; "disagree" only between such
    bullets whose facts of the asked kind differ (relation() compares only like with like); bullets
    that may not answer are "closest matches", and so are bullets for a question with a word the coverage
    never uses ("is Halsey married"): none can state it, only say something like it. A lone sentence is
    shown under CLOSEST_ONE where bullets would be under CLOSEST."""
    credits = list(dict.fromkeys(corpus.article_of(c.sentence).credit for c in chosen))
    if paraphrased or any(c.score < LIKELY for c in chosen):
        return CLOSEST
    values = [c.values for c in chosen]
    relations = {relation(kind, a, b) for i, a in enumerate(values) for b in values[i + 1:]}
    if "differ" in relations:
        return "The coverage disagrees on this:"
    if relations == {"agree"}:
        return f"{join_list(credits)} agree:"
    return f"{join_list(credits)} report:"


def _passage(sentence_id: int, kind: str, corpus: Corpus, scores: dict[int, float], floor: float) -> list[int]:
    """The sentence, joined by a neighbour that answers on its own score too; by the one before when it
    is a bare quotation (to show who speaks); by the one after when that continues a quotation."""
    sentences = corpus.sentences
    text = sentences.text(sentence_id)
    previous, following = sentences.neighbour(sentence_id, -1), sentences.neighbour(sentence_id, 1)
    previous_text = sentences.text(previous) if previous is not None else None
    following_text = sentences.text(following) if following is not None else None

    def fits(other: str | None) -> bool:
        return other is not None and len(other) + len(text) < MAX_PASSAGE_CHARS

    if fits(previous_text) and (is_only_quotation(text) or scores.get(previous, 0) >= floor):
        return [previous, sentence_id]
    quote_follows = following is not None and corpus.quoted(following)
    if fits(following_text) and (scores.get(following, 0) >= floor
                                 or kind == "quote" and quote_follows and not corpus.quoted(sentence_id)
                                 or is_only_quotation(following_text) and (
                                     kind == "quote" or corpus.quoted(sentence_id) or _introduces_quote(text))):
        return [sentence_id, following]
    return [sentence_id]


def _with_excerpts(passage: list[int], chosen: Candidate, answering: list[Candidate], limit: int, corpus: Corpus,
                   focus: set[str]) -> list[int]:
    """The passage joined, while it fits in limit, by other sentences of its article that answer on their
    own score: one citation per article, however many of its sentences answer. Their facts join focus."""
    article = corpus.sentences.article(chosen.sentence)
    for other in answering:
        if len(passage) >= MAX_EXCERPTS:
            break
        if corpus.sentences.article(other.sentence) == article and other.sentence not in passage:
            longer = sorted(passage + [other.sentence])
            if len(_text(longer, corpus)) <= limit:
                passage = longer
                focus.update(stem(w) for value in other.values for w in words(value))
    return passage


def _text(passage: list[int], corpus: Corpus) -> str:
    """The sentences in reading order; "…" where the text between them is left out."""
    parts = []
    for i, sentence in enumerate(passage):
        if i and corpus.sentences.neighbour(passage[i - 1], 1) != sentence:
            parts.append("…")
        parts.append(corpus.sentences.text(sentence))
    return " ".join(parts)


def _introduces_quote(text: str) -> bool:
    return text.rstrip().endswith(":") or _SPEECH.search(text) is not None


def _budgets(texts: list[str], header: str, chosen: list[Candidate], corpus: Corpus) -> list[int]:
    """Share MAX_ANSWER_CHARS among the passages, giving short ones what they need."""
    overhead = (len(header) + 1 if len(texts) > 1 else 0) + sum(
        len(corpus.article_of(c.sentence).credit) + 12 for c in chosen)
    remaining = max(MAX_ANSWER_CHARS - overhead, 0)
    budgets = [0] * len(texts)
    for position, i in enumerate(sorted(range(len(texts)), key=lambda i: len(texts[i]))):
        share = remaining // (len(texts) - position)
        budgets[i] = min(len(texts[i]), share)
        remaining -= budgets[i]
    return budgets


def join_list(items: list[str], conjunction: str = "and") -> str:
    """"A, B and C" (or "A, B or C")."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]
