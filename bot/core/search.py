"""BM25 ranking of sentences behind one small interface, so another index can replace it.

`SparseBM25Index` (the one the bot uses) gives exactly rank-bm25's BM25Okapi scores (k1=1.5, b=0.75,
epsilon=0.25, including its floor for negative IDF) from a term × sentence matrix of precomputed
weights: a question costs the postings of its terms, not a pass over every sentence.
`RankBM25Index` wraps rank-bm25 itself and is the reference the tests compare against.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Protocol

import numpy as np
from rank_bm25 import BM25Okapi
from scipy import sparse

K1, B, EPSILON = 1.5, 0.75, 0.25  # BM25Okapi's defaults
MIN_IDF = 1e-3
COMMON = 10  # a term in more than 1/COMMON of the sentences is only looked up where it can matter
SEARCHED_HITS = 4096  # up to this many sentences, looking a common term up beats scattering it
FEW_TOUCHED = 20  # under 1/FEW_TOUCHED of the sentences, check the ones scored rather than all of them
BLOCKED_FROM = 4096  # from this many scores, the k-th best is found by blocks (see _kth_largest)


class SentenceIndex(Protocol):
    """What the answer logic needs from an index over tokenized sentences."""

    def __len__(self) -> int: ...

    def __contains__(self, term: str) -> bool: ...

    def idf(self, term: str) -> float:
        """IDF for weighing a concept: never negative; for an unseen term, the IDF at document frequency 0."""
        ...

    def top(self, weights: dict[str, float], k: int) -> list[tuple[int, float]]:
        """The k best sentences as (id, score), best first: BM25 with each term's part times its weight."""
        ...

    def terms(self, sentence: int) -> frozenset[str]:
        """The distinct terms of one sentence."""
        ...

    def scores_at(self, weights: dict[str, float], ids: np.ndarray) -> np.ndarray:
        """The BM25 scores of the given sentences (those top() ranks and any others)."""
        ...

    def holding(self, terms: list[str], ids: np.ndarray) -> np.ndarray:
        """A len(ids) × len(terms) table of which sentence (id -1: none) holds which term."""
        ...


def _unseen_idf(size: int) -> float:
    return math.log((size + 0.5) / 0.5) if size else 0.0


def _best(ids: np.ndarray, scores: np.ndarray, k: int) -> list[tuple[int, float]]:
    """Top k by score, ties by lower id, without sorting everything. The ids come in ascending order,
    so a stable sort by score alone breaks the ties."""
    if len(ids) > 4 * k:
        cutoff = _kth_largest(scores, k)
        keep = np.flatnonzero(scores >= cutoff)
        if len(keep) > 4 * k:  # ties at the cut (thousands, when many hold the same common words):
            above = np.flatnonzero(scores > cutoff)  # the lowest ids of them fill the places left
            keep = np.concatenate([above, np.flatnonzero(scores == cutoff)[:k - len(above)]])
        ids, scores = ids[keep], scores[keep]
    order = np.argsort(-scores, kind="stable")[:k]
    return list(zip(ids[order].tolist(), scores[order].tolist()))


def _kth_largest(values: np.ndarray, k: int) -> float:
    """The k-th largest of values (at least k of them). np.partition slows tenfold when most values
    tie on one side of the one sought, as the scores of many sentences holding the same common words
    do; so: a bound from the maxima of k blocks (k values reach it), then a sort of what reaches it."""
    if len(values) < BLOCKED_FROM:
        return float(np.partition(values, len(values) - k)[len(values) - k])  # (at worst a few µs here)
    blocks = values[:len(values) - len(values) % k].reshape(k, -1).max(axis=1)
    values = values[values >= blocks.min()]
    return float(np.sort(values)[len(values) - k])


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, ascending. (np.unique hashes since NumPy 2.3: several times slower here.)"""
    values = np.sort(values)
    keep = np.empty(len(values), dtype=bool)
    keep[:1] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def lookup(ascending: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each value would be in the (non-empty, sorted) array, and whether it is there."""
    at = ascending.searchsorted(values)
    np.minimum(at, len(ascending) - 1, out=at)
    return at, ascending[at] == values


class SparseBM25Index:
    """Exact BM25Okapi over a CSR matrix of per-(term, sentence) weights."""

    def __init__(self, token_lists: list[list[str]]):
        size = len(token_lists)
        vocabulary: dict[str, int] = {}
        rows, cols, freqs = [], [], []
        lengths = np.zeros(size, dtype=np.float64)
        for doc, tokens in enumerate(token_lists):
            lengths[doc] = len(tokens)
            for term, count in Counter(tokens).items():
                rows.append(vocabulary.setdefault(term, len(vocabulary)))
                cols.append(doc)
                freqs.append(count)
        rows_a = np.asarray(rows, dtype=np.int32)
        cols_a = np.asarray(cols, dtype=np.int32)
        tf = np.asarray(freqs, dtype=np.float64)
        df = np.bincount(rows_a, minlength=len(vocabulary)).astype(np.float64)
        idf = np.log(size - df + 0.5) - np.log(df + 0.5)
        if len(idf):  # rank-bm25: negative IDFs become epsilon times the mean IDF
            idf[idf < 0] = EPSILON * (idf.sum() / len(idf))
        average_length = lengths.sum() / size if size else 0.0
        if average_length:
            norm = K1 * (1 - B + B * lengths[cols_a] / average_length)
            weights = idf[rows_a] * tf * (K1 + 1) / (tf + norm)
        else:
            weights = np.zeros(0)
        shape = (len(vocabulary), size)
        by_term = sparse.csr_matrix((weights, (rows_a, cols_a)), shape=shape, dtype=np.float64)
        by_term.sort_indices()  # postings in sentence order, for binary search
        by_doc = sparse.csr_matrix((np.ones(len(rows_a), dtype=np.int8), (cols_a, rows_a)),
                                   shape=(size, len(vocabulary)))
        self._setup(size, list(vocabulary), idf, by_term.data, by_term.indices, by_term.indptr,
                    by_doc.indices, by_doc.indptr)

    def _setup(self, size, terms, idf, data, indices, indptr, doc_terms, doc_indptr) -> None:
        self._size = size
        self._terms = terms
        self._vocabulary = {t: i for i, t in enumerate(terms)}
        self._idf = idf
        self._data, self._indices, self._indptr = data, indices.astype(np.int32), indptr.astype(np.int64)
        self._starts = memoryview(self._indptr)  # (its items are Python ints: quicker to slice with)
        self._doc_terms, self._doc_indptr = doc_terms.astype(np.int32), doc_indptr.astype(np.int64)
        self._unseen = _unseen_idf(size)
        self._nonnegative = not len(data) or float(data.min()) >= 0  # else partial scores bound nothing
        # each term's largest weight in any sentence: the most it can add to a score
        starts, filled = self._indptr[:-1], np.diff(self._indptr) > 0
        self._largest = np.zeros(len(terms))
        if filled.any():
            self._largest[filled] = np.maximum.reduceat(self._data, starts[filled])
        self._largest_of = memoryview(self._largest)
        # Where each common term's weight for each sentence is in data (-1: none), a row per term: MaxScore
        # looks common terms up for hundreds of sentences a question, and one read here beats a binary
        # search through tens of thousands of postings. It costs 4 bytes a sentence per common term.
        common = np.flatnonzero(np.diff(self._indptr) * COMMON > size).tolist()
        self._slot_row = {term: row for row, term in enumerate(common)}
        self._slots = np.full((len(common), size), -1, dtype=np.int32 if len(self._data) < 2**31 else np.int64)
        for row, term in enumerate(common):
            start, end = self._indptr[term], self._indptr[term + 1]
            self._slots[row, self._indices[start:end]] = np.arange(start, end, dtype=self._slots.dtype)

    # ---- persistence: plain arrays, so a cache file never needs pickle --------------------------------
    def to_arrays(self) -> dict[str, np.ndarray]:
        return {"size": np.asarray([self._size]), "idf": self._idf, "data": self._data,
                "indices": self._indices, "indptr": self._indptr, "doc_terms": self._doc_terms,
                "doc_indptr": self._doc_indptr}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray], terms: list[str]) -> SparseBM25Index:
        index = cls.__new__(cls)
        size = int(arrays["size"][0])
        indptr, doc_indptr = arrays["indptr"], arrays["doc_indptr"]
        if len(indptr) != len(terms) + 1 or len(doc_indptr) != size + 1 or len(arrays["idf"]) != len(terms) \
                or len(arrays["data"]) != len(arrays["indices"]) or int(indptr[-1]) != len(arrays["data"]):
            raise ValueError("index arrays do not fit together")
        index._setup(size, terms, arrays["idf"], arrays["data"], arrays["indices"], indptr,
                     arrays["doc_terms"], doc_indptr)
        return index

    @property
    def vocabulary_list(self) -> list[str]:
        return self._terms

    # ---- SentenceIndex ----------------------------------------------------------------------------
    def __len__(self) -> int:
        return self._size

    def __contains__(self, term: str) -> bool:
        return term in self._vocabulary

    def idf(self, term: str) -> float:
        i = self._vocabulary.get(term)
        return max(float(self._idf[i]) if i is not None else self._unseen, MIN_IDF)

    def top(self, weights: dict[str, float], k: int) -> list[tuple[int, float]]:
        parts = [(self._vocabulary[t], w) for t, w in weights.items() if w and t in self._vocabulary]
        if not parts or k <= 0:
            return []
        if len(parts) == 1:
            i, w = parts[0]
            return _best(self._postings(i), self._data[self._starts[i]:self._starts[i + 1]] * w, k)
        starts = self._starts
        sizes = [starts[i + 1] - starts[i] for i, _ in parts]
        if sum(sizes) * 32 <= self._size:
            ids, values = self._gather(parts)
            unique, inverse = np.unique(ids, return_inverse=True)
            return _best(unique, np.bincount(inverse, weights=values), k)
        # MaxScore, for terms in a large share of the sentences ("said"): score the sentences holding the
        # other terms, then look the common terms up only for those that can still make the top k.
        common, reach = self._common(parts, sizes, k)
        rare = [part for j, part in enumerate(parts) if j not in common]
        # Summing into one array per sentence (a memset and a scatter) beats sorting many postings.
        dense, touched = self._scatter(rare)
        floor = self._floor(dense, rare, k)  # from partial scores: the real k-th best is at least this
        if common:
            if floor and reach < floor * (1 - 1e-9):
                # Below floor - reach, even the common terms' largest weights cannot lift a sentence to
                # floor; so a sentence holding no rarer term cannot rank, not even by a tie.
                hits = self._reaching(dense, touched, (floor - reach) * (1 - 1e-9))
                if len(hits) <= SEARCHED_HITS:
                    scores = dense[hits]
                    for j in common:
                        scores += self._weights_at(parts[j][0], hits) * parts[j][1]
                    return _best(hits, scores, k)
            dense += self._scatter([parts[j] for j in common])[0]  # they can matter: scatter them too
            touched = None  # (a common term touches too many sentences to check them one by one)
            floor = self._floor(dense, parts, k)
        hits = self._reaching(dense, touched, floor if floor and floor > 0 else None)
        return _best(hits, dense[hits], k)

    def _common(self, parts: list[tuple[int, float]], sizes: list[int], k: int) -> tuple[list[int], float]:
        """The parts worth looking up rather than scattering, and the most they can add to a sentence."""
        common = [j for j, (i, _) in enumerate(parts) if i in self._slot_row]
        if not common or sum(n for j, n in enumerate(sizes) if j not in common) < k or not self._nonnegative \
                or any(w < 0 for _, w in parts):
            return [], 0.0  # (too few other sentences to set a floor; negative weights: no bounds)
        largest = [self._largest_of[i] for i, _ in parts]
        reach = sum(parts[j][1] * largest[j] for j in common)
        if reach >= sum(parts[j][1] * largest[j] for j in range(len(parts)) if j not in common):
            return [], 0.0  # the common terms alone outweigh any sentence's other terms: no floor to keep
        return common, reach

    def _floor(self, dense: np.ndarray, parts: list[tuple[int, float]], k: int) -> float | None:
        """A score the k-th best sentence surely reaches: the k-th best among the sentences holding one
        term (one with few postings and a high weight is the best guess), else among all that score.
        Selecting the k-th best of every sentence would cost more than the scatter."""
        starts = self._starts
        enough = [self._postings(i) for i, _ in parts if starts[i + 1] - starts[i] >= k]
        # (take: indexing with the postings' int32 ids is two to three times slower than take)
        scores = dense.take(min(enough, key=len)) if enough else dense[np.flatnonzero(dense)]
        if len(scores) < k:
            return None
        return _kth_largest(scores, k)

    def _gather(self, parts: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
        # int64: bincount would convert int32 ids itself, in a slower pass
        ids = np.concatenate([self._postings(i) for i, _ in parts], dtype=np.int64)
        starts = self._starts
        values = np.concatenate([self._data[starts[i]:starts[i + 1]] * w if w != 1.0 else
                                 self._data[starts[i]:starts[i + 1]] for i, w in parts])
        return ids, values

    def _scatter(self, parts: list[tuple[int, float]]) -> tuple[np.ndarray, np.ndarray]:
        """Every sentence's score over these terms (0 where none occurs), and their postings."""
        ids, values = self._gather(parts)
        return np.bincount(ids, weights=values, minlength=self._size), ids

    def _reaching(self, dense: np.ndarray, touched: np.ndarray | None, threshold: float | None) -> np.ndarray:
        """The sentences scoring threshold or more (None: any score), ascending. Only those touched by a
        posting can score: when they are few, checking just them beats a pass over every sentence."""
        if touched is None or len(touched) * FEW_TOUCHED > self._size:
            return np.flatnonzero(dense >= threshold if threshold is not None else dense)
        return _distinct(touched[dense[touched] >= threshold if threshold is not None else dense[touched] != 0])

    def _weights_at(self, term: int, ids: np.ndarray) -> np.ndarray:
        """A common term's weight in each of the given sentences (0 where it does not occur)."""
        at = self._slots[self._slot_row[term]].take(ids)  # (one row, then take: the fast 1-D paths)
        return np.where(at >= 0, self._data.take(at), 0.0)

    def _postings(self, term: int) -> np.ndarray:
        return self._indices[self._starts[term]:self._starts[term + 1]]

    def scores_at(self, weights: dict[str, float], ids: np.ndarray) -> np.ndarray:
        total = np.zeros(len(ids))
        keys = ids.astype(self._indices.dtype)
        for term, weight in weights.items():
            i = self._vocabulary.get(term)
            if i is None or not weight or self._starts[i] == self._starts[i + 1]:
                continue
            at, found = lookup(self._postings(i), keys)
            total += weight * np.where(found, self._data[self._starts[i] + at], 0.0)
        return total

    def holding(self, terms: list[str], ids: np.ndarray) -> np.ndarray:
        found = np.zeros((len(ids), len(terms)), dtype=bool)
        real = None
        keys = ids.astype(self._indices.dtype)  # (else searchsorted converts the postings, every call)
        for j, term in enumerate(terms):
            i = self._vocabulary.get(term)
            if i is None:
                continue
            row = self._slot_row.get(i)
            if row is None:  # a binary search through its postings (id -1 is never found)
                found[:, j] = lookup(self._postings(i), keys)[1]
            else:  # a common term: one read in its slot row
                real = np.where(ids >= 0, ids, 0) if real is None else real
                found[:, j] = (self._slots[row].take(real) >= 0) & (ids >= 0)
        return found

    def terms(self, sentence: int) -> frozenset[str]:
        start, end = self._doc_indptr[sentence], self._doc_indptr[sentence + 1]
        terms = self._terms
        return frozenset([terms[i] for i in self._doc_terms[start:end].tolist()])

    def nbytes(self) -> int:
        """Memory held by the arrays (the vocabulary's strings and dict come on top)."""
        return sum(a.nbytes for a in (self._idf, self._data, self._indices, self._indptr, self._doc_terms,
                                      self._doc_indptr, self._largest, self._slots))


class RankBM25Index:
    """The reference: rank-bm25's BM25Okapi, scoring every sentence for every question."""

    def __init__(self, token_lists: list[list[str]]):
        self._size = len(token_lists)
        # BM25Okapi divides by the corpus size (and the vocabulary size), so an empty one gets no model.
        self._bm25 = BM25Okapi(token_lists) if any(token_lists) else None
        self._unseen_idf = _unseen_idf(self._size)

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

    def scores(self, weights: dict[str, float]) -> np.ndarray:
        """Every sentence's score (the reference's native output)."""
        total = np.zeros(self._size)
        if self._bm25 is not None:
            for term, weight in weights.items():
                if term in self._bm25.idf and weight:
                    total += weight * self._bm25.get_scores([term])
        return total

    def top(self, weights: dict[str, float], k: int) -> list[tuple[int, float]]:
        total = self.scores(weights)
        hits = np.flatnonzero(total)
        return _best(hits, total[hits], k)

    def scores_at(self, weights: dict[str, float], ids: np.ndarray) -> np.ndarray:
        return self.scores(weights)[ids]

    def terms(self, sentence: int) -> frozenset[str]:
        return frozenset(self._bm25.doc_freqs[sentence]) if self._bm25 is not None else frozenset()

    def holding(self, terms: list[str], ids: np.ndarray) -> np.ndarray:
        documents = self._bm25.doc_freqs if self._bm25 is not None else []
        return np.array([[0 <= i < len(documents) and t in documents[i] for t in terms] for i in ids.tolist()],
                        dtype=bool).reshape(len(ids), len(terms))
