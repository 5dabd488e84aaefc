"""Which sentences answer a question: BM25 candidates re-ranked by how much of the question they
cover and whether they state the kind of fact asked for.

Coverage is computed for all candidates at once, a few array operations per question term; the
per-sentence checks that need its facts run only for candidates that can still matter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.core.corpus import Corpus
from bot.core.expectations import (FACT_FIELDS, OTHER_SUBJECT_FACTOR, RELATIVE_DATE_FACTOR, UNTIED_SUBJECT_CREDIT,
                                    Expectation, factor_bounds, is_subject, only_relative_to_event, stating,
                                    type_factor, values_of)
from bot.core.questions import Concept, Question
from bot.core.search import lookup
from bot.core.text import stem

CANDIDATES = 30
POOL_FACTOR = 3  # questions wanting a specific fact look this much deeper for sentences that state one
# A sentence answers when this share of the question's (IDF-weighted) concepts is found in it.
ABSTAIN_BELOW = 0.52
CONTEXT_CREDIT = 0.5  # a concept found only in the previous sentence ("she") or the article's title
# "pregnant again", "her other videos": a sentence that does not say "again"/"other" itself answers
# a different question. The novelty word is a gate, not a topic: it adds nothing to coverage.
MISSING_NOVELTY_FACTOR = 0.5


@dataclass(slots=True)  # (not frozen: a frozen dataclass takes three times as long to make, a dozen a question)
class Candidate:
    sentence: int
    score: float  # coverage times the question-type factor, 0..1
    bm25: float
    values: tuple[str, ...] = ()  # the facts of the kind asked for that it states (see values_of)


def rank_sentences(question: Question, corpus: Corpus, floor: float = 0.0,
                   expect: Expectation | None = None) -> list[Candidate]:
    """Sentences that could answer, best first; some that cannot score floor or more are left out."""
    if not question.concepts:
        return []
    expect = expect or Expectation.of(question, corpus)
    top = _candidates(question, expect, corpus)
    if not top:
        return []
    ids = np.array([s for s, _ in top], dtype=np.int64)
    concepts = question.concepts
    importance = [0.0 if c.novelty else c.weight * _importance(c, corpus) for c in concepts]
    total = sum(importance) or 1.0
    found = _Found(concepts, expect.name_stems, ids, corpus)
    credit = found.credit
    # The subject concept ("what label …") can also be credited for the names a sentence states, which
    # needs its facts; every other concept's share is known for all candidates at once.
    subject = next((j for j, c in enumerate(concepts) if c is expect.subject), None)
    covered = np.zeros(len(ids))
    for j, share in enumerate(importance):
        if j != subject:
            covered += share * credit[:, j]
    gates = _gates(concepts, expect, found)
    # Every factor is at most its bound: below floor even so, a sentence cannot answer nor lend its
    # score to a neighbour, and the checks that decode its facts are skipped.
    following = corpus.sentences.neighbours(ids, 1)
    bounds = factor_bounds(expect, corpus.kinds[ids], np.where(following >= 0, corpus.kinds[following], 0))
    best_subject = importance[subject] if subject is not None else 0.0
    hopeful = np.flatnonzero((covered + best_subject) / total * gates * bounds >= floor * (1 - 1e-9))
    subject_credit = credit[:, subject].tolist() if subject is not None else None
    covered, gates = covered.tolist(), gates.tolist()
    ranked = []
    for position in hopeful.tolist():
        sentence_id, score = top[position]
        values = values_of(expect, corpus, sentence_id)
        coverage = covered[position]
        if subject_credit is not None:
            # "what label/magazine …": the noun names the kind of answer, so a sentence naming something
            # answers it in part (fully when the name says what it is: "Capitol Records")
            naming = (1.0 if is_subject(expect, values) else UNTIED_SUBJECT_CREDIT) if values else 0.0
            coverage += importance[subject] * max(subject_credit[position], naming)
        factor = type_factor(expect, sentence_id, corpus, values) * gates[position]
        if question.kind == "when" and only_relative_to_event(corpus.sentences.text(sentence_id), question):
            factor *= RELATIVE_DATE_FACTOR
        ranked.append(Candidate(sentence_id, coverage / total * factor, score, values))
    ranked.sort(key=lambda c: (-c.score, -c.bm25, c.sentence))
    return ranked


def _gates(concepts: tuple[Concept, ...], expect: Expectation, found: _Found) -> np.ndarray:
    """The factors told from where the question's words are: per candidate, 1 or less."""
    gates = np.ones(len(found))
    if expect.name_stems:
        gates[~found.names_near()] *= OTHER_SUBJECT_FACTOR  # its article names none of whom the question asks about
    own = found.own
    for j, concept in enumerate(concepts):
        if concept.novelty:  # "again", "other" must be said by the sentence itself
            gates[own[:, j] == 0] *= MISSING_NOVELTY_FACTOR
    return gates


def _candidates(question: Question, expect: Expectation, corpus: Corpus) -> list[tuple[int, float]]:
    """The best BM25 matches, as (sentence id, score)."""
    weights: dict[str, float] = {}
    for concept in question.concepts:
        for term, weight in concept.alternatives.items():
            weights[term] = max(weights.get(term, 0.0), weight)
    if question.kind not in FACT_FIELDS:
        return corpus.index.top(weights, CANDIDATES)
    # "how old is X": X is in many sentences; the ones stating an age go first, whatever their BM25
    top = corpus.index.top(weights, CANDIDATES * POOL_FACTOR)
    stated = stating(expect, np.array([s for s, _ in top], dtype=np.int64), corpus)
    first = [hit for hit, ok in zip(top, stated) if ok]
    return (first + [hit for hit, ok in zip(top, stated) if not ok])[:CANDIDATES]


class _Found:
    """Where each question term occurs for a set of candidate sentences: in the sentence itself, or
    in what it leans on (the sentence before it, for pronouns; its article's title; and, for the
    names asked about, any mention in its article: "their son" is Ender)."""

    def __init__(self, concepts: tuple[Concept, ...], name_stems: frozenset[str], ids: np.ndarray, corpus: Corpus):
        terms = sorted({t for c in concepts for t in c.alternatives} | name_stems)
        column = {t: j for j, t in enumerate(terms)}
        both = corpus.index.holding(terms, np.concatenate([ids, corpus.sentences.neighbours(ids, -1)]))
        self._here, self._near = both[:len(ids)], both[len(ids):]
        articles = corpus.sentences.places[ids, 0]
        for term, j in column.items():
            for holders in (corpus.titled.get(term), corpus.named.get(term) if term in name_stems else None):
                if holders is not None:
                    self._near[:, j] |= lookup(holders, articles)[1]
        self._names = [column[t] for t in name_stems]
        # sentence × concept: the concept's credit from the sentence alone (its best alternative there),
        # and its credit counting what the sentence leans on (at CONTEXT_CREDIT). A few array operations
        # per alternative: one reduction over a sentence × term × concept array took three times as long.
        held = both.T
        best = np.zeros((len(concepts), len(both)))
        for j, concept in enumerate(concepts):
            for n, (term, weight) in enumerate(concept.alternatives.items()):
                if n:
                    np.maximum(best[j], held[column[term]] * weight, out=best[j])
                else:  # (most concepts have one alternative: one operation)
                    np.multiply(held[column[term]], weight, out=best[j])
        self.own = best[:, :len(ids)].T
        self.credit = np.maximum(self.own, CONTEXT_CREDIT * best[:, len(ids):].T)

    def __len__(self) -> int:
        return len(self._here)

    def names_near(self) -> np.ndarray:
        """Whether the sentence, or what it leans on, names anyone the question asks about."""
        named = np.zeros(len(self._here), dtype=bool)
        for j in self._names:  # (column by column: a fancy index and .any(axis=1) took three times as long)
            named |= self._here[:, j]
            named |= self._near[:, j]
        return named


def _importance(concept: Concept, corpus: Corpus) -> float:
    index = corpus.index
    root = stem(concept.word)
    if root in index:
        return index.idf(root)
    known = [index.idf(t) for t in concept.alternatives if t in index]
    return max(known) if known else index.idf("")  # no sentence has the empty term: an unseen word's IDF
