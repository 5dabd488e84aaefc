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
from bot.core.text import stem

CANDIDATES = 30
POOL_FACTOR = 3  # questions wanting a specific fact look this much deeper for sentences that state one
# A sentence answers when this share of the question's (IDF-weighted) concepts is found in it.
ABSTAIN_BELOW = 0.52
CONTEXT_CREDIT = 0.5  # a concept found only in the previous sentence ("she") or the article's title
# "pregnant again", "her other videos": a sentence that does not say "again"/"other" itself answers
# a different question. The novelty word is a gate, not a topic: it adds nothing to coverage.
MISSING_NOVELTY_FACTOR = 0.5


@dataclass(frozen=True, slots=True)
class Candidate:
    sentence: int
    score: float  # coverage times the question-type factor, 0..1
    bm25: float


def rank_sentences(question: Question, corpus: Corpus, floor: float = 0.0) -> list[Candidate]:
    """Sentences that could answer, best first; those that cannot score floor or more are left out."""
    if not question.concepts:
        return []
    weights: dict[str, float] = {}
    for concept in question.concepts:
        for term, weight in concept.alternatives.items():
            weights[term] = max(weights.get(term, 0.0), weight)
    top = corpus.index.top(weights, CANDIDATES * POOL_FACTOR)
    expect = Expectation.of(question, corpus)
    if question.kind in FACT_FIELDS:
        # "how old is X": X is in many sentences; the ones stating an age go first, whatever their BM25
        stated = stating(expect, np.array([s for s, _ in top], dtype=np.int64), corpus)
        top = [hit for hit, ok in zip(top, stated) if ok] + [hit for hit, ok in zip(top, stated) if not ok]
    top = top[:CANDIDATES]
    if not top:
        return []
    importance = [0.0 if c.novelty else c.weight * _importance(c, corpus) for c in question.concepts]
    total = sum(importance) or 1.0
    ids = np.array([s for s, _ in top], dtype=np.int64)
    found = _Found(question.concepts, expect.name_stems, ids, corpus)
    credits = [found.credit(c) for c in question.concepts]
    novelty = [found.own(c) for c in question.concepts if c.novelty]
    names_near = found.names_near() if expect.name_stems else None
    # An upper bound of every score, from arrays: sentences below floor cannot answer, nor lend their
    # score to a neighbour, so the checks that decode facts are left out for them.
    covered = np.zeros(len(top))
    for imp, credit in zip(importance, credits):
        covered += imp * credit
    subject = next((i for i, c in enumerate(question.concepts) if c is expect.subject), None)
    if subject is not None:  # naming something can lift the subject concept to full credit
        covered += importance[subject] * (1.0 - credits[subject])
    following = corpus.sentences.neighbours(ids, 1)
    bound = covered / total * factor_bounds(expect, corpus.kinds[ids], np.where(following >= 0, corpus.kinds[following], 0))
    if names_near is not None:
        bound[~names_near] *= OTHER_SUBJECT_FACTOR
    for own in novelty:
        bound[own == 0] *= MISSING_NOVELTY_FACTOR
    hopeful = np.flatnonzero(bound >= floor * (1 - 1e-9)).tolist()
    credit_of = [c.tolist() for c in credits]
    novelty = [own.tolist() for own in novelty]
    names_near = names_near.tolist() if names_near is not None else None
    ranked = []
    for position in hopeful:
        sentence_id, score = top[position]
        values = values_of(expect, corpus.facts[sentence_id])
        # "what label/magazine …": the noun names the kind of answer, so a sentence naming something
        # answers it in part (fully when the name says what it is: "Capitol Records")
        subject_credit = (1.0 if is_subject(expect, values) else UNTIED_SUBJECT_CREDIT) if values else 0.0
        coverage = sum(imp * max(credit[position], subject_credit if i == subject else 0.0)
                       for i, (imp, credit) in enumerate(zip(importance, credit_of)))
        factor = type_factor(expect, sentence_id, corpus, values)
        if names_near is not None and not names_near[position]:
            factor *= OTHER_SUBJECT_FACTOR  # its article names none of whom the question asks about
        if question.kind == "when" and only_relative_to_event(corpus.sentences.text(sentence_id), question):
            factor *= RELATIVE_DATE_FACTOR
        if any(own[position] == 0 for own in novelty):
            factor *= MISSING_NOVELTY_FACTOR
        ranked.append(Candidate(sentence_id, coverage / total * factor, score))
    ranked.sort(key=lambda c: (-c.score, -c.bm25, c.sentence))
    return ranked


class _Found:
    """Where each question term occurs for a set of candidate sentences: in the sentence itself, or
    in what it leans on (the sentence before it, for pronouns; its article's title; and, for the
    names asked about, any mention in its article: "their son" is Ender)."""

    def __init__(self, concepts: tuple[Concept, ...], name_stems: frozenset[str], ids: np.ndarray, corpus: Corpus):
        terms = sorted({t for c in concepts for t in c.alternatives} | name_stems)
        self._column = {t: j for j, t in enumerate(terms)}
        both = corpus.index.holding(terms, np.concatenate([ids, corpus.sentences.neighbours(ids, -1)]))
        self._here, self._near = both[:len(ids)], both[len(ids):]
        wanted = frozenset(terms)
        for row, article in enumerate(corpus.sentences.places[ids, 0].tolist()):
            leaned_on = corpus.title_tokens[article] & wanted
            if name_stems:
                leaned_on |= corpus.article_names[article] & name_stems
            for term in leaned_on:
                self._near[row, self._column[term]] = True
        self._names = [self._column[t] for t in name_stems]

    def own(self, concept: Concept) -> np.ndarray:
        """The concept's credit from the sentence alone: its best alternative found there."""
        return self._best(concept, self._here)

    def credit(self, concept: Concept) -> np.ndarray:
        """The concept's credit: found in the sentence, or (at CONTEXT_CREDIT) in what it leans on."""
        return np.maximum(self.own(concept), CONTEXT_CREDIT * self._best(concept, self._near))

    def names_near(self) -> np.ndarray:
        """Whether the sentence, or what it leans on, names anyone the question asks about."""
        return (self._here[:, self._names] | self._near[:, self._names]).any(axis=1)

    def _best(self, concept: Concept, table: np.ndarray) -> np.ndarray:
        if not concept.alternatives:
            return np.zeros(len(table))
        columns = [self._column[t] for t in concept.alternatives]
        return (table[:, columns] * np.array(list(concept.alternatives.values()))).max(axis=1)


def _importance(concept: Concept, corpus: Corpus) -> float:
    root = stem(concept.word)
    unseen = corpus.index.idf("")  # no sentence has the empty term: the IDF of an unseen word
    if root in corpus.index:
        return corpus.index.idf(root)
    known = [corpus.index.idf(t) for t in concept.alternatives if t in corpus.index]
    return max(known) if known else unseen
