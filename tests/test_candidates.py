"""The candidate stage with the real model: a large folder's two-step search for the nearest by cosine."""

from __future__ import annotations

import numpy as np

from bot.core import candidates
from bot.core.candidates import find_candidates, reduced
from bot.core.questions import parse_question, semantic_text

QUESTIONS = ["who led the repair", "when did cars go back over the river crossing", "how much did it cost",
             "what did the mayor say", "is a second bridge planned"]


def test_a_small_folder_is_searched_exactly(assistant):
    assert reduced(assistant.corpus.vectors) is None  # (and the assistant has no shortlist)
    assert assistant.corpus.reduced is None


def test_the_shortlist_finds_the_exact_nearest_when_its_directions_hold_every_sentence(assistant, monkeypatch):
    corpus = assistant.corpus
    assert len(corpus.vectors) < candidates.REDUCED_DIMENSIONS  # so projecting loses no sentence's direction
    monkeypatch.setattr(candidates, "CANDIDATES", 4)  # fewer than the sentences: the nearest are a choice
    monkeypatch.setattr(candidates, "SHORTLIST", 8)
    monkeypatch.setattr(candidates, "EXACT_UP_TO", 1)
    exact = []
    for question in QUESTIONS:
        parsed = corpus.expand(parse_question(question))
        vector = assistant.encode([semantic_text(question, parsed)])[0]
        exact.append((parsed, vector, find_candidates(parsed, corpus, vector)))
    corpus.reduced = reduced(corpus.vectors)
    try:
        assert corpus.reduced is not None
        assert corpus.reduced.vectors.shape == (len(corpus.vectors), candidates.REDUCED_DIMENSIONS)
        for parsed, vector, before in exact:
            after = find_candidates(parsed, corpus, vector)
            assert np.array_equal(after.ids, before.ids) and np.allclose(after.cosine, before.cosine, atol=1e-6)
            assert not np.array_equal(after.ids, np.arange(len(corpus.vectors)))  # (not simply every sentence)
    finally:
        corpus.reduced = None
