"""The sentences worth scoring for a question: BM25's best, united with the nearest by cosine."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.core.corpus import Corpus
from bot.core.questions import Question
from bot.core.search import K1

# Per retriever, about 50 candidates in all. Measured (bench/fit_scoring.py prints the recall): the
# sentence holding the answer is among BM25's 30 best for 95.6% of answerable SQuAD tune questions and
# 77.4% of the dev set's chat questions, and among the union with the 30 nearest for 98.5% and 96.8%.
CANDIDATES = 30
# In a large folder the nearest by cosine are found in two steps, so that a question reads a third of the
# vectors' memory: the best SHORTLIST by the vectors' first REDUCED_DIMENSIONS principal directions, then
# the exact cosine of those. Measured on SQuAD's 12,356 sentences and 1,250 of its questions: 0.999 of the
# exact 30 nearest are found (0.997 with a shortlist of 200, 0.985 with 96 directions; 0.999 with the
# directions taken from a quarter of the sentences). At 100,000 sentences p50 19–20 ms against 25–28 ms for
# the whole scan, for 51 MB more memory; below EXACT_UP_TO the whole scan costs under 4 ms and stays exact.
EXACT_UP_TO = 50_000
REDUCED_DIMENSIONS = 128
SHORTLIST = 400
DIRECTIONS_FROM = 25_000  # about as many sentences, evenly spread, give the principal directions


@dataclass(frozen=True, slots=True)
class Reduced:
    """A large corpus's vectors in their principal directions, for the shortlist."""

    projection: np.ndarray  # float32, DIMENSIONS × REDUCED_DIMENSIONS
    vectors: np.ndarray  # float32, sentences × REDUCED_DIMENSIONS


def reduced(vectors: np.ndarray) -> Reduced | None:
    """The shortlist's vectors for a corpus this large, else None (its nearest are found exactly)."""
    if len(vectors) < EXACT_UP_TO:
        return None
    sample = vectors[::max(1, len(vectors) // DIRECTIONS_FROM)]  # (the principal directions need no more)
    _, directions = np.linalg.eigh(sample.T @ sample)  # (ascending: the last are the principal ones)
    projection = np.ascontiguousarray(directions[:, ::-1][:, :REDUCED_DIMENSIONS], dtype=np.float32)
    return Reduced(projection=projection, vectors=vectors @ projection)


@dataclass(frozen=True, slots=True)
class Candidates:
    """Candidate sentences with their raw retrieval signals, in id order."""

    ids: np.ndarray  # int64 sentence ids
    bm25: np.ndarray  # BM25Okapi score of the question's terms (0 where none occurs)
    cosine: np.ndarray  # cosine to the question's vector (0 everywhere when the semantic stage is off)
    bm25_ceiling: float  # the most BM25 could give a sentence holding every term: normalises bm25
    question_vector: np.ndarray | None  # None when the semantic stage is off
    from_bm25: np.ndarray  # bool: among BM25's best (the others only among the nearest by cosine)

    def __len__(self) -> int:
        return len(self.ids)


def term_weights(question: Question) -> dict[str, float]:
    """Each index term of the question with the largest weight any concept gives it."""
    weights: dict[str, float] = {}
    for concept in question.concepts:
        for term, weight in concept.alternatives.items():
            weights[term] = max(weights.get(term, 0.0), weight)
    return weights


def find_candidates(question: Question, corpus: Corpus, question_vector: np.ndarray | None,
                    within: np.ndarray | None = None) -> Candidates:
    """BM25's CANDIDATES best ∪ the CANDIDATES nearest by cosine, with both signals for every one;
    only among the sentence ids within (sorted), when given (a question about one outlet)."""
    weights = term_weights(question)
    semantic = question_vector is not None and corpus.vectors is not None and len(corpus.vectors) > 0
    if within is None:
        lexical = {s for s, _ in corpus.index.top(weights, CANDIDATES)}
        found = set(lexical)
        if semantic:
            found.update(_nearest(corpus, question_vector).tolist())
    else:
        scores = corpus.index.scores_at(weights, within)
        lexical = {int(within[i]) for i in np.argsort(-scores, kind="stable")[:CANDIDATES] if scores[i] > 0}
        found = set(lexical)
        if semantic and len(within):
            similarity_within = corpus.vectors[within] @ question_vector
            found.update(int(within[i]) for i in np.argsort(-similarity_within, kind="stable")[:CANDIDATES])
    ids = np.array(sorted(found), dtype=np.int64)
    if semantic and len(ids):
        cosine = (corpus.vectors[ids] @ question_vector).astype(np.float64)
    else:
        cosine = np.zeros(len(ids))
    return Candidates(ids=ids, bm25=corpus.index.scores_at(weights, ids), cosine=cosine,
                      bm25_ceiling=bm25_ceiling(weights, corpus),
                      question_vector=question_vector if semantic else None,
                      from_bm25=np.array([i in lexical for i in ids.tolist()], dtype=bool))


def _nearest(corpus: Corpus, question_vector: np.ndarray) -> np.ndarray:
    """The ids of the CANDIDATES sentences nearest the question by cosine (see SHORTLIST)."""
    if corpus.reduced is None:
        similarity = corpus.vectors @ question_vector
        pool = None
    else:
        approximate = corpus.reduced.vectors @ (question_vector @ corpus.reduced.projection)
        size = min(SHORTLIST, len(approximate))
        pool = np.argpartition(-approximate, size - 1)[:size]
        similarity = corpus.vectors[pool] @ question_vector
    k = min(CANDIDATES, len(similarity))
    best = np.argpartition(-similarity, k - 1)[:k]
    return best if pool is None else pool[best]


def bm25_ceiling(weights: dict[str, float], corpus: Corpus) -> float:
    """Σ weight × IDF × (k1 + 1): a BM25Okapi term's score never reaches its IDF times k1 + 1."""
    return sum(w * corpus.index.idf(t) * (K1 + 1) for t, w in weights.items() if t in corpus.index) or 1.0
