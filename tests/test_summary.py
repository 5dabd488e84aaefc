"""The summary of the coverage on the made-up corpus, which has one known disagreement (the reopening date)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.core.summary import summary_request


@pytest.mark.parametrize("semantic", [True, False])
def test_the_summary_shows_shared_reports_and_both_sides_of_a_disagreement(knowledge_dir, semantic):
    from bot.core.assistant import Assistant

    summary = Assistant.from_directory(knowledge_dir, semantic=semantic).summary()
    text = summary.answer
    assert not summary.abstained and text.startswith("I know 3 articles")
    disagreement = text.split("Where the outlets disagree:")[1]
    assert "March 3" in disagreement and "March 4" in disagreement
    assert "Daily Ledger" in disagreement and "Metro Times" in disagreement
    shared = text.split("Reported by more than one outlet")[1].split("Where")[0]
    assert "too (" in shared  # each other outlet says what it states alike
    assert len(text) < 3000 and len(summary.citations) == len({c.url for c in summary.citations})
    for number in range(1, len(summary.citations) + 1):
        assert f"[{number}]" in text


def test_asking_for_it_in_words(assistant):
    assert "Where the outlets disagree" in assistant.ask("tl;dr").answer
    only = assistant.ask("what do the outlets disagree on?").answer
    assert "Where the outlets disagree" in only and "Reported by more than one outlet" not in only
    assert summary_request("summarize") == "summary" and summary_request("summarize the repair costs") is None


def test_one_article_has_nothing_to_sum_up_across_outlets(tmp_path):
    from bot.core.assistant import Assistant
    from tests.conftest import ARTICLES

    (tmp_path / "one.md").write_text(ARTICLES["ledger-bridge.md"])
    summary = Assistant.from_directory(tmp_path, semantic=False).summary()
    assert summary.abstained and "nothing to sum up" in summary.answer and not summary.citations


def test_summary_json(knowledge_dir):
    run = subprocess.run([sys.executable, "-m", "bot", "--knowledge", str(knowledge_dir), "summary", "--json"],
                         capture_output=True, text=True, timeout=120, env={"SEMANTIC": "off", "PATH": "/usr/bin:/bin"})
    data = json.loads(run.stdout)
    assert set(data) == {"question", "answer", "abstained", "citations"} and "March 4" in data["answer"]


def test_naming_what_the_whole_coverage_is_about_is_not_a_report_in_common(assistant):
    from bot.core import summary

    corpus = assistant.corpus
    assert corpus.topics[0] == "Riverside Bridge"
    text = {corpus.sentences.text(i): i for i in range(len(corpus.sentences))}
    ledger = next(i for t, i in text.items() if t.startswith("The Riverside Bridge reopened"))
    metro = next(i for t, i in text.items() if t.startswith("Drivers returned to the Riverside Bridge"))
    assert summary._shared(corpus, ledger, metro) == ["Riverside Bridge"]
    assert not summary._common_facts(corpus, ledger, metro)


def _article(outlet: str, text: str) -> str:
    slug = outlet.lower().replace(" ", "-")
    return (f"---\ntitle: Crane Accident\noutlet: {outlet}\nurl: https://{slug}.example/crane\n"
            f"published: 2025-03-20\n---\n\n{text}\n")


@pytest.mark.parametrize("semantic", [True, False])
def test_numbers_of_the_same_noun_disagree_and_of_different_nouns_do_not(tmp_path, semantic):
    from bot.core.assistant import Assistant
    from bot.core.facts import with_counted_nouns

    assert with_counted_nouns("It injured four workers; 30,000 fans, $48 million.", ("four", "30000", "48 million")) \
        == ("four worker", "30000 fan", "48 million")
    (tmp_path / "a.md").write_text(_article("Valley Post", "A March 2025 accident at the viaduct injured three "
                                            "workers when a girder fell."), encoding="utf-8")
    (tmp_path / "b.md").write_text(_article("City Radio", "The girder fell in March 2025, and the accident at the "
                                            "viaduct injured four workers."), encoding="utf-8")
    text = Assistant.from_directory(tmp_path, semantic=semantic).summary().answer
    # no name in common, but the same month: the same accident, and its count differs
    assert "The number:" in text and "three workers" in text and "four workers" in text
    (tmp_path / "b.md").write_text(_article("City Radio", "The girder fell in March 2025, and the accident at the "
                                            "viaduct drew four inspectors."), encoding="utf-8")
    assert "The number:" not in Assistant.from_directory(tmp_path, semantic=semantic).summary().answer


def test_times_of_different_moments_are_no_disagreement(tmp_path):
    # two outlets tell when a team set out and when others came down, both at the same trailhead
    from bot.core.assistant import Assistant

    front = "---\ntitle: Rescue\noutlet: {outlet}\nurl: https://example.org/{name}\npublished: 2025-10-14\n---\n\n"
    (tmp_path / "a.md").write_text(front.format(outlet="Valley Sentinel", name="a") + (
        "A ground team set out from the Pike's Meadow trailhead shortly after 6 p.m. on Monday.\n"))
    (tmp_path / "b.md").write_text(front.format(outlet="Mountain Radio", name="b") + (
        "Two hikers walked down and reached the Pike's Meadow trailhead at about 11:40 a.m. on Monday.\n"))
    text = Assistant.from_directory(tmp_path, semantic=False).summary().answer
    assert "Where the outlets disagree" not in text


def test_a_word_that_only_links_sentences_is_never_named_as_a_topic(tmp_path):
    # "However" and "Although" start sentences and a bracket, "After" a sentence and (mid-sentence) a
    # firm's name: none of them alone is something the coverage is about
    from bot.core.answers import coverage_summary
    from bot.core.assistant import Assistant

    for n, outlet in enumerate(("Valley Post", "City Radio", "Harbour Times")):
        (tmp_path / f"{n}.md").write_text(_article(outlet, (
            "However, the Kessler Dam held during the storm. After the flood, crews from Dunmore inspected the "
            "Kessler Dam. (However badly it was shaken, it stood.) Although roads closed, the Kessler Dam stayed open. "
            "Engineers After Hours, a Dunmore firm, checked the Kessler Dam.")), encoding="utf-8")
    corpus = Assistant.from_directory(tmp_path, semantic=False).corpus
    assert corpus.topics[0] == "Kessler Dam" and "Dunmore" in corpus.topics
    # "After Hours" is a name where it stands mid-sentence; "After" at a sentence's start is not
    assert not {"However", "After", "Although"} & set(corpus.topics)
    assert not any(topic.startswith(("However", "Although")) for topic in corpus.topics)
    assert "about Kessler Dam" in coverage_summary(corpus)
