"""BM25 ranking of sentences behind one small interface, so another index can replace it."""

from __future__ import annotations

import math
from typing import Protocol

import numpy as np
from rank_bm25 import BM25Okapi


MIN_IDF = 1e-3


class SentenceIndex(Protocol):
    """What the answer logic needs from an index over tokenized sentences."""

    def __len__(self) -> int: ...

    def __contains__(self, term: str) -> bool: ...

    def idf(self, term: str) -> float:
        """BM25 IDF of term; for a term no sentence has, the IDF it would have at document frequency 0."""
        ...

    def scores(self, weights: dict[str, float]) -> dict[int, float]:
        """BM25 score of every sentence matching any term, each term's contribution times its weight."""
        ...


class RankBM25Index:
    """The reference index: rank-bm25's BM25Okapi (k1=1.5, b=0.75, epsilon=0.25)."""

    def __init__(self, token_lists: list[list[str]]):
        self._size = len(token_lists)
        # BM25Okapi divides by the corpus size, so an empty corpus gets no model at all.
        self._bm25 = BM25Okapi(token_lists) if token_lists else None
        self._unseen_idf = math.log((self._size + 0.5) / 0.5) if self._size else 0.0

    def __len__(self) -> int:
        return self._size

    def __contains__(self, term: str) -> bool:
        return self._bm25 is not None and term in self._bm25.idf

    def idf(self, term: str) -> float:
        if self._bm25 is None:
            return 0.0
        # BM25Okapi's floor for common terms is epsilon * mean IDF, itself negative when most terms are
        # common (tiny corpora); a concept's weight must never be negative, so clamp it here.
        return max(self._bm25.idf.get(term, self._unseen_idf), MIN_IDF)

    def scores(self, weights: dict[str, float]) -> dict[int, float]:
        if self._bm25 is None:
            return {}
        total = np.zeros(self._size)
        for term, weight in weights.items():
            if term in self._bm25.idf and weight:
                total += weight * self._bm25.get_scores([term])
        hits = np.nonzero(total)[0]
        return {int(i): float(total[i]) for i in hits}
