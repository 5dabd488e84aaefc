from __future__ import annotations

import random

import pytest
from rank_bm25 import BM25Okapi

from bot.core.search import RankBM25Index
from bot.core.text import tokenize


def test_tokenize_folds_case_quotes_possessives_and_stems():
    assert tokenize("Halsey’s “So Good” was RELEASED") == ["halsey", "good", "releas"]
    assert tokenize("TikTok tiktok TIKTOK") == ["tiktok"] * 3
    assert tokenize("wrote written") == ["write", "write"]
    assert tokenize("500,000 views") == ["500000", "view"]


def test_tokenize_drops_reciprocal_other_but_keeps_novelty_other():
    assert "other" not in tokenize("They stayed with each other.")
    assert "other" in tokenize("Her other videos.")


def test_scores_match_rank_bm25_with_weights_one():
    rng = random.Random(7)
    vocabulary = [f"w{i}" for i in range(30)] + ["common"]
    corpus = [[rng.choice(vocabulary) for _ in range(rng.randint(1, 12))] + ["common"] for _ in range(60)]
    index = RankBM25Index(corpus)
    reference = BM25Okapi(corpus)
    query = ["w1", "w2", "common", "unseen"]
    expected = reference.get_scores(query)
    got = index.scores({t: 1.0 for t in query})
    for i, value in enumerate(expected):
        assert got.get(i, 0.0) == pytest.approx(value)


def test_term_in_most_sentences_keeps_rank_bm25_scores_but_a_positive_idf():
    # "a" is in every sentence: its raw IDF is negative and BM25Okapi's floor (epsilon * mean IDF) is
    # negative too here. Scores stay exactly rank-bm25's; the IDF used to weigh concepts never goes negative.
    corpus = [["a", "b"], ["a"], ["a", "c"], ["a"]]
    index = RankBM25Index(corpus)
    assert BM25Okapi(corpus).idf["a"] < 0
    assert index.idf("a") > 0
    expected = BM25Okapi(corpus).get_scores(["a"])
    assert [index.scores({"a": 1.0})[i] for i in range(4)] == pytest.approx(list(expected))


def test_empty_corpus_and_unseen_terms():
    empty = RankBM25Index([])
    assert len(empty) == 0 and empty.scores({"x": 1.0}) == {} and "x" not in empty
    index = RankBM25Index([["a"], ["b"]])
    assert index.scores({"zzz": 1.0}) == {}
    assert index.idf("zzz") > index.idf("a")  # an unseen word counts as rare
