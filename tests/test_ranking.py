"""Ranking scores every candidate's coverage at once and skips the fact checks of hopeless ones:
neither may change what is answered."""

from __future__ import annotations

import json

import pytest

from bot.core.answers import RELEVANT_FROM
from bot.core.expectations import only_relative_to_event
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


@pytest.mark.parametrize("text, relative", [
    ("One day prior to the release, on June 9, she teased it.", True),
    ("AFTER the release, on June 9, she teased it.", True),
    ("\uff21\uff26\uff34\uff25\uff32 the release, on June 9, she teased it.", True),  # fullwidth letters
    ("The video was released on June 10, after months of teasing.", False),
    ("The video was released on June 10.", False),
    ("The video’s release came on June 10.", False),
])
def test_a_date_tied_to_before_or_after_the_event_is_told_apart(text, relative):
    question = parse_question("When was the video released?")
    assert only_relative_to_event(text, question) is relative
