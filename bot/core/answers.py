"""From ranked sentences to a short, cited answer, or an honest "not in the coverage"."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.corpus import Corpus
from bot.core.expectations import FACT_FIELDS, NAME_KINDS, Expectation, relation
from bot.core.questions import Question
from bot.core.quotes import SPEECH_VERB as _SPEECH
from bot.core.quotes import is_only_quotation
from bot.core.ranking import ABSTAIN_BELOW, Candidate, rank_sentences
from bot.core.text import stem, words

MAX_ANSWER_CHARS = 600
MAX_SOURCES = 3
ADJACENT_RATIO = 0.75  # a neighbouring sentence this good joins the passage
# No sentence scoring less can be cited or join a cited one's passage: ranking may leave it out.
RELEVANT_FROM = ADJACENT_RATIO * ABSTAIN_BELOW
MAX_PASSAGE_CHARS = 450
# A second outlet is worth citing when its best sentence is nearly as good as the best one.
SECOND_SOURCE_RATIO = {"typed": 0.75, "untyped": 0.9}


@dataclass(frozen=True, slots=True)
class Citation:
    """A source of an answer: the outlet, its article and the sentence(s) relied on."""

    outlet: str
    title: str
    url: str
    published: str
    text: str


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


def answer(question: Question, corpus: Corpus) -> Answer:
    """The answer to a parsed question: the best-ranked sentences, composed and cited."""
    expect = Expectation.of(question, corpus)
    return compose_answer(question, rank_sentences(question, corpus, RELEVANT_FROM, expect), corpus)


def compose_answer(question: Question, ranked: list[Candidate], corpus: Corpus) -> Answer:
    """The best supporting sentence(s), each cited; agreement and disagreement between outlets said."""
    if not ranked or ranked[0].score < ABSTAIN_BELOW:
        return not_found(question.text, corpus)
    best = ranked[0]
    chosen = [best]
    outlets = {_outlet(best.sentence, corpus)}
    typed = question.kind in FACT_FIELDS or question.kind in NAME_KINDS
    floor = max(ABSTAIN_BELOW, SECOND_SOURCE_RATIO["typed" if typed else "untyped"] * best.score)
    good = [c for c in ranked[1:] if c.score >= floor]
    # A contradiction is always shown, even within one outlet; then other outlets that agree or add to it.
    differing = [c for c in good if relation(question.kind, best.values, c.values) == "differ"]
    if differing:
        # When outlets disagree, say who sides with which claim: any sentence that answers at all and
        # agrees with either side may join (a new outlet first, as below).
        sides = [best.values, differing[0].values]
        good += [c for c in ranked[1:] if ABSTAIN_BELOW <= c.score < floor and any(
            relation(question.kind, side, c.values) == "agree" for side in sides)]
    for candidate in differing[:1] + good:
        outlet = _outlet(candidate.sentence, corpus)
        if len(chosen) == MAX_SOURCES:
            break
        if candidate in chosen or (outlet in outlets and candidate not in differing[:1]):
            continue
        if typed and not candidate.values:
            continue
        chosen.append(candidate)
        outlets.add(outlet)

    scores = {c.sentence: c.score for c in ranked}
    passages = [_passage(c.sentence, question.kind, corpus, scores) for c in chosen]
    focus = {t for concept in question.concepts for t in concept.alternatives}
    for candidate in chosen:  # the asked-for facts ("Capitol Records", "June 9") must survive clipping
        focus.update(stem(w) for value in candidate.values for w in words(value))
    header = _header(question.kind, chosen, corpus)
    texts = [_text(p, corpus) for p in passages]
    budget = _budgets(texts, header, chosen, corpus)
    # a neighbour joins only when it fits: better the supporting sentence whole than both cut short
    texts = [t if len(t) <= limit else corpus.sentences.text(c.sentence) for c, t, limit in zip(chosen, texts, budget)]
    budget = _budgets(texts, header, chosen, corpus)
    citations, lines = [], []
    for n, (candidate, full, limit) in enumerate(zip(chosen, texts, budget), start=1):
        article = corpus.article_of(candidate.sentence)
        shown = clip(full, focus, limit)
        lines.append(f"{shown} — {article.credit} [{n}]")
        citations.append(Citation(outlet=article.outlet, title=article.title, url=article.url,
                                  published=article.published, text=full))
    if len(lines) == 1:
        text = lines[0]
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
        about = f" about {_join(list(corpus.topics))}" if corpus.topics else ""
        corpus.summary = f"I know {articles}{about}, from {_join(outlets)}."
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
    return ("…" if start else "") + " ".join(tokens[start:end]) + ("…" if end < len(tokens) else "")


def _header(kind: str, chosen: list[Candidate], corpus: Corpus) -> str:
    credits = [corpus.article_of(c.sentence).credit for c in chosen]
    values = [c.values for c in chosen]
    relations = {relation(kind, values[0], v) for v in values[1:]}
    if "differ" in relations:
        return "The coverage disagrees on this:"
    if relations == {"agree"}:
        return f"{_join(credits)} agree:"
    return f"{_join(credits)} report:"


def _passage(sentence_id: int, kind: str, corpus: Corpus, scores: dict[int, float]) -> list[int]:
    """The sentence, joined by a neighbour that supports it nearly as well; by the one before when it
    is a bare quotation (to show who speaks); by the one after when that continues a quotation."""
    sentences = corpus.sentences
    text = sentences.text(sentence_id)
    previous, following = sentences.neighbour(sentence_id, -1), sentences.neighbour(sentence_id, 1)
    previous_text = sentences.text(previous) if previous is not None else None
    following_text = sentences.text(following) if following is not None else None

    def fits(other: str | None) -> bool:
        return other is not None and len(other) + len(text) < MAX_PASSAGE_CHARS

    floor = ADJACENT_RATIO * scores[sentence_id]
    if fits(previous_text) and (is_only_quotation(text) or scores.get(previous, 0) >= floor):
        return [previous, sentence_id]
    quote_follows = following is not None and corpus.quoted(following)
    if fits(following_text) and (scores.get(following, 0) >= floor
                                 or kind == "quote" and quote_follows and not corpus.quoted(sentence_id)
                                 or is_only_quotation(following_text) and (
                                     kind == "quote" or corpus.quoted(sentence_id) or _introduces_quote(text))):
        return [sentence_id, following]
    return [sentence_id]


def _text(passage: list[int], corpus: Corpus) -> str:
    return " ".join(corpus.sentences.text(i) for i in passage)


def _introduces_quote(text: str) -> bool:
    return text.rstrip().endswith(":") or _SPEECH.search(text) is not None


def _budgets(texts: list[str], header: str, chosen: list[Candidate], corpus: Corpus) -> list[int]:
    """Share MAX_ANSWER_CHARS among the passages, giving short ones what they need."""
    overhead = (len(header) + 1 if len(texts) > 1 else 0) + sum(
        len(corpus.article_of(c.sentence).credit) + 12 for c in chosen)
    remaining = MAX_ANSWER_CHARS - overhead
    budgets = [0] * len(texts)
    for position, i in enumerate(sorted(range(len(texts)), key=lambda i: len(texts[i]))):
        share = remaining // (len(texts) - position)
        budgets[i] = min(len(texts[i]), share)
        remaining -= budgets[i]
    return budgets


def _outlet(sentence_id: int, corpus: Corpus) -> str:
    return corpus.article_of(sentence_id).outlet


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
