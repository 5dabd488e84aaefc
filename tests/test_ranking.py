"""Ranking scores every candidate's coverage at once and skips the fact checks of hopeless ones:
neither may change what is answered."""

from __future__ import annotations

import json

import pytest

from bot.core.answers import RELEVANT_FROM
from bot.core.questions import parse_question
from bot.core.ranking import rank_sentences
from tests.conftest import PROJECT

DEV = PROJECT.parent / "shared" / "eval" / "dev_qa.jsonl"
OWN = ["when did the bridge reopen", "who led the repair", "how much did the repair cost",
       "what did the mayor say about the bridge", "how long was the bridge closed", "which company built it"]


def _relevant(ranked):
    return [c for c in ranked if c.score >= RELEVANT_FROM]


def _check(assistant, questions) -> int:
    corpus = assistant.corpus
    left_out = 0
    for question in questions:
        parsed = corpus.expand(parse_question(question))
        every = rank_sentences(parsed, corpus)
        kept = rank_sentences(parsed, corpus, floor=RELEVANT_FROM)
        assert _relevant(kept) == _relevant(every), question
        left_out += len(every) - len(kept)
    return left_out


def test_skipping_hopeless_candidates_changes_no_ranking(assistant):
    assert _check(assistant, OWN) > 0


@pytest.mark.skipif(not DEV.exists(), reason="shared/eval is not beside the project")
def test_skipping_hopeless_candidates_changes_no_ranking_on_the_dev_questions(shipped_assistant):
    questions = [json.loads(line)["question"] for line in DEV.read_text().splitlines() if line]
    assert _check(shipped_assistant, questions) > 0
