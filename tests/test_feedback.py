"""The feedback store and report, and `verify`, without a chat platform."""

from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys

from bot.config import Config
from bot.core.answers import Answer, Citation
from bot.feedback import MIGRATIONS, FeedbackStore
from bot.service import Service

CITED = (Citation("Daily Ledger", "t", "https://ledger.example/a", "", "x"),)


def _answer(abstained: bool, question: str) -> Answer:
    return Answer(question=question, answer="…", abstained=abstained, citations=() if abstained else CITED)


def test_a_scripted_session_in_the_report(tmp_path):
    config = Config(knowledge_dir=tmp_path, log_questions="true", feedback_db=str(tmp_path / "f.sqlite3"))
    service = Service(None, config)
    good = service.posted(_answer(False, "who led the repair"), platform="slack", user="U1", conversation="C1")
    bad = service.posted(_answer(False, "when did it open"), platform="discord", user="9", conversation="8")
    for question in ("is there a tunnel", "is there a tunnel", "who is the mayor's dog"):
        service.posted(_answer(True, question), platform="slack", user="U2", conversation="C1")
    assert service.vote(good, platform="slack", user="U1", up=True)
    assert service.vote(bad, platform="discord", user="9", up=True)
    assert service.vote(bad, platform="discord", user="9", up=False)  # the second click replaces the first
    assert service.vote(bad, platform="discord", user="7", up=False)
    assert not service.vote("no-such-answer", platform="slack", user="U1", up=True)
    report = FeedbackStore(tmp_path / "f.sqlite3").report(days=7)
    assert (report["answers"], report["abstained"], report["votes"]) == (5, 3, {"up": 1, "down": 2})
    assert report["helpful_rate"] == 0.333
    assert [(w["platform"], w["down"], w["outlets"]) for w in report["worst_rated"]] == [("discord", 2, ["Daily Ledger"])]
    assert report["coverage_gaps"] == [{"question": "is there a tunnel", "times": 2},
                                       {"question": "who is the mayor's dog", "times": 1}]
    stored = sqlite3.connect(tmp_path / "f.sqlite3").execute("SELECT user, conversation FROM answers").fetchall()
    assert all(u not in ("U1", "U2", "9") and c not in ("C1", "8") for u, c in stored)  # hashed, as in the logs


def test_question_text_is_kept_only_when_the_admin_opts_in(tmp_path):
    service = Service(None, Config(knowledge_dir=tmp_path))
    service.posted(_answer(True, "is there a tunnel"), platform="slack", user="U1", conversation="C1")
    database = tmp_path / ".cache" / "feedback.sqlite3"  # the default: beside the index cache
    assert sqlite3.connect(database).execute("SELECT question FROM answers").fetchall() == [(None,)]
    assert sqlite3.connect(database).execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)


def test_a_broken_database_is_logged_and_never_stops_answering(tmp_path, caplog):
    broken = tmp_path / "f.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    service = Service(None, Config(knowledge_dir=tmp_path, feedback_db=str(broken)))
    with caplog.at_level(logging.ERROR):
        answer_id = service.posted(_answer(False, "q"), platform="slack", user="U1", conversation="C1")
        assert answer_id and not service.vote(answer_id, platform="slack", user="U1", up=True)
    assert any("feedback: cannot use" in r.getMessage() and "f.sqlite3" in r.getMessage() for r in caplog.records)


def test_report_and_verify_on_the_command_line(knowledge_dir, tmp_path):
    env = {"SEMANTIC": "off", "PATH": "/usr/bin:/bin", "FEEDBACK_DB": str(tmp_path / "f.sqlite3")}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "bot", "--knowledge", str(knowledge_dir), *args],
                              capture_output=True, text=True, timeout=120, env=env)

    assert "no feedback yet" in cli("report").stdout
    Service(None, Config(knowledge_dir=knowledge_dir, feedback_db=str(tmp_path / "f.sqlite3"))).posted(
        _answer(False, "q"), platform="slack", user="U1", conversation="C1")
    report = json.loads(cli("report", "--json", "--days", "1").stdout)
    assert report["answers"] == 1 and report["votes"] == {"up": 0, "down": 0}
    assert "1 answers, 0 abstentions" in cli("report").stdout
    for claim, verdict in (("the bridge reopened on March 4", "supported"), ("the repair cost $60 million", "contradicted"),
                           ("the mayor resigned", "not_found")):
        data = json.loads(cli("verify", claim, "--json").stdout)
        assert set(data) == {"claim", "verdict", "answer", "citations"} and data["verdict"] == verdict, data
        assert data["claim"] == claim and (verdict == "not_found") == (data["citations"] == [])


def test_a_date_said_relative_to_the_event_never_supports_a_claim_about_the_event(knowledge_dir):
    from bot.core.assistant import Assistant

    (knowledge_dir / "eve.md").write_text("---\ntitle: Bridge Eve\noutlet: Coastal Post\nurl: https://coastal.example/eve\n"
                                          "---\n\nCrews tested the lights on March 2, one day before the bridge "
                                          "reopened.\n", encoding="utf-8")
    verdict = Assistant.from_directory(knowledge_dir).verify("the bridge reopened on March 2")
    assert "Coastal Post" not in {c.outlet for c in verdict.citations} or verdict.verdict != "supported"
