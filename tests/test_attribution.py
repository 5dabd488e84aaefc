"""Questions about one source, on the made-up corpus (Daily Ledger says March 3, Metro Times March 4)."""

from __future__ import annotations

import pytest

from bot.core.assistant import Assistant

GAZETTE = """---
title: Ferry Crew Says Goodbye
outlet: Coastal Post
url: https://coastal.example/crew
---

Captain Lee Moreno ran the ferry for two years and will now retire.

“Over two years, the crew became a family to me,” Moreno told the Harbor Gazette.
"""


@pytest.mark.parametrize("question", ["according to Metro Times, when did the bridge reopen?",
                                      "when did the bridge reopen, according to the metro times?",
                                      "what did metro times report about the reopening of the bridge?"])
def test_an_outlet_question_is_answered_from_that_outlet_only(assistant, question):
    answer = assistant.ask(question)
    assert answer.answer.startswith("According to Metro Times:")
    assert {c.outlet for c in answer.citations} == {"Metro Times"} and "March 3" not in answer.answer


def test_an_outlet_that_said_nothing_about_it_says_so_and_who_did(assistant):
    answer = assistant.ask("according to Coastal Post, who led the repair?")
    assert answer.answer.startswith("Coastal Post said nothing about that in the coverage I have;")
    assert "Tomas Ruiz" in answer.answer and "Coastal Post" not in {c.outlet for c in answer.citations}


def test_a_source_the_coverage_neither_has_nor_cites_is_part_of_the_question(assistant):
    answer = assistant.ask("according to the new york times, who led the repair?")
    assert not answer.answer.startswith(("According to", "New York Times")) and "Tomas Ruiz" in answer.answer
    assert assistant.ask("according to the new york times, who is the president of france?").abstained


def test_what_someone_told_a_publication_the_articles_cite(knowledge_dir):
    (knowledge_dir / "crew.md").write_text(GAZETTE)
    assistant = Assistant.from_directory(knowledge_dir)
    answer = assistant.ask("what did moreno tell the harbor gazette?")
    assert answer.answer.startswith("Citing Harbor Gazette:") and "became a family" in answer.answer
    assert answer.citations[0].outlet == "Coastal Post"  # the outlet that cites it


def test_a_person_is_not_taken_for_a_source(assistant):
    answer = assistant.ask("what did ruiz say about the cables?")
    assert not answer.answer.startswith("According to")  # Ruiz is quoted, not a publication


@pytest.mark.parametrize("outlet", ["HollywoodLife", "Get Heard", "Elite Daily"])
@pytest.mark.parametrize("question", ["when was the song released", "who directed the video", "how old is halsey",
                                      "what is the song about", "who is alev"])
def test_an_outlet_is_never_said_to_be_silent_and_cited_in_the_same_reply(shipped, outlet, question):
    answer = shipped.ask(f"according to {outlet}, {question}")
    silent = answer.answer.startswith(f"{outlet} said nothing")
    assert not (silent and outlet in {c.outlet for c in answer.citations})


@pytest.fixture(scope="module")
def shipped():
    from tests.conftest import SHIPPED_KNOWLEDGE

    return Assistant.from_directory(SHIPPED_KNOWLEDGE)
