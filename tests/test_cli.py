from __future__ import annotations

import io
import json

import pytest

from bot.cli import main


def _run(capsys, *argv) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ask_json_has_the_documented_keys(capsys, knowledge_dir):
    code, out, _ = _run(capsys, "--knowledge", str(knowledge_dir), "ask", "who led the repair", "--json")
    data = json.loads(out)
    assert code == 0
    assert set(data) == {"question", "answer", "abstained", "citations"}
    assert data["question"] == "who led the repair" and data["abstained"] is False
    assert set(data["citations"][0]) == {"outlet", "title", "url", "published", "text"}


def test_ask_stdin_answers_each_line_in_order(capsys, monkeypatch, knowledge_dir):
    monkeypatch.setattr("sys.stdin", io.StringIO("who led the repair\nwho is the pope\n\nwho ran the ferry\n"))
    code, out, _ = _run(capsys, "--knowledge", str(knowledge_dir), "ask", "-", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert [r["question"] for r in rows] == ["who led the repair", "who is the pope", "", "who ran the ferry"]
    assert [r["abstained"] for r in rows] == [False, True, True, False]


def test_knowledge_dir_from_environment(capsys, monkeypatch, knowledge_dir):
    monkeypatch.setenv("KNOWLEDGE_DIR", str(knowledge_dir))
    code, out, _ = _run(capsys, "ask", "who ran the ferry")
    assert code == 0 and "Moreno" in out and "https://coastal.example/ferry-ends" in out


def test_quote_json_adds_quote_and_speaker(capsys, knowledge_dir):
    code, out, _ = _run(capsys, "--knowledge", str(knowledge_dir), "quote", "grandchildren", "--json")
    data = json.loads(out)
    assert code == 0 and data["speaker"] == "Ruiz" and "grandchildren" in data["quote"]
    assert {"question", "answer", "abstained", "citations", "quote", "speaker"} == set(data)


def test_sources_json(capsys, knowledge_dir):
    code, out, _ = _run(capsys, "--knowledge", str(knowledge_dir), "sources", "--json")
    assert code == 0 and [s["outlet"] for s in json.loads(out)] == ["Coastal Post", "Daily Ledger", "Metro Times"]


def test_check_passes_on_good_knowledge(capsys, knowledge_dir):
    code, out, _ = _run(capsys, "--knowledge", str(knowledge_dir), "check")
    assert code == 0 and "3 articles" in out


def test_check_lists_every_broken_file_and_fails(capsys, knowledge_dir):
    (knowledge_dir / "bad-one.md").write_bytes(b"\xff\xfe not utf8")
    (knowledge_dir / "bad-two.md").write_text("---\ntitle: T\nurl: https://x.example\n---\n\ntext\n")
    code, out, _ = _run(capsys, "--knowledge", str(knowledge_dir), "check")
    assert code != 0
    assert "bad-one.md: is not UTF-8" in out and "bad-two.md: front matter has no 'outlet'" in out


def test_broken_knowledge_stops_ask_with_a_message_not_a_traceback(capsys, knowledge_dir):
    (knowledge_dir / "bad.md").write_text("no front matter")
    code, out, err = _run(capsys, "--knowledge", str(knowledge_dir), "ask", "anything")
    assert code != 0 and out == ""
    assert err.startswith("error: ") and "bad.md: has no front matter" in err and "Traceback" not in err


@pytest.mark.parametrize("argv", [["ask", "who led the repair"], ["quote"], ["sources"]])
def test_plain_output_is_readable_text(capsys, knowledge_dir, argv):
    code, out, _ = _run(capsys, "--knowledge", str(knowledge_dir), *argv)
    assert code == 0 and out.strip() and not out.lstrip().startswith("{")
