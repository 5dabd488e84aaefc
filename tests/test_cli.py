from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys

import pytest

from bot.cli import configure_logging, main
from bot.config import Config
from tests.conftest import PROJECT, SHIPPED_KNOWLEDGE


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
    assert set(data["citations"][0]) == {"outlet", "via", "title", "url", "published", "text"}


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


def test_ask_json_citations_name_the_original_outlet(capsys, monkeypatch):
    monkeypatch.setenv("SEMANTIC", "off")  # BM25 alone cites all three; no model to load
    code, out, _ = _run(capsys, "--knowledge", str(SHIPPED_KNOWLEDGE), "ask", "who directed the so good video",
                        "--json")
    via = {c["outlet"]: c["via"] for c in json.loads(out)["citations"]}
    assert code == 0 and via["Get Heard"] == "Billboard" and via["Elite Daily"] == ""


def _cli(*argv) -> subprocess.Popen:
    env = {**os.environ, "KNOWLEDGE_DIR": str(SHIPPED_KNOWLEDGE), "SEMANTIC": "off"}  # off: no model to load
    return subprocess.Popen([sys.executable, "-m", "bot", *argv], cwd=PROJECT, env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _assert_quiet_end(proc: subprocess.Popen) -> None:
    err = proc.stderr.read()
    assert proc.wait(timeout=60) in (0, 141), err
    assert "Traceback" not in err and "BrokenPipeError" not in err, err


@pytest.mark.parametrize("argv", [["sources"], ["sources", "--json"]])
def test_sources_into_a_closed_pipe_ends_quietly(argv):
    # `sources` prints once, at the end: close the pipe before that, as `| head -0` would
    proc = _cli(*argv)
    proc.stdout.close()
    _assert_quiet_end(proc)


def test_ask_batch_into_a_closed_pipe_ends_quietly():
    # `ask - | head -1`: the reader leaves after one answer while more are being written
    proc = _cli("ask", "-", "--json")
    proc.stdin.write("who directed the so good video\n" * 200)
    proc.stdin.close()
    assert json.loads(proc.stdout.readline())["question"] == "who directed the so good video"
    proc.stdout.close()
    _assert_quiet_end(proc)


def test_the_voice_warnings_are_dropped_and_other_discord_warnings_are_not(capsys):
    configure_logging(Config.from_env({}))  # its handler writes to the captured stderr
    client = logging.getLogger("discord.client")
    client.warning("PyNaCl is not installed, voice will NOT be supported")  # discord.py's own words
    client.warning("davey is not installed, voice will NOT be supported")
    client.warning("Shard ID None has stopped responding to the gateway.")
    err = capsys.readouterr().err
    assert "PyNaCl" not in err and "davey" not in err and "WARNING discord.client: Shard ID None has stopped responding" in err


def test_license_is_the_mit_text_pyproject_declares():
    text = (PROJECT / "LICENSE").read_text()
    assert 'license = { text = "MIT" }' in (PROJECT / "pyproject.toml").read_text() and text.startswith("MIT License\n")
    assert "Copyright (c) 2026 coverage-bot contributors" in text and "WITHOUT WARRANTY OF ANY KIND" in text


def test_pytest_summary_names_each_skip_and_why_and_still_each_failure(tmp_path):
    # a clone without ../shared should be told why tests were skipped; a bare -rs would hide the FAILED lines
    (tmp_path / "test_summary.py").write_text('import pytest\n\n@pytest.mark.skip(reason="no shared folder")\n'
                                              "def test_skipped():\n    pass\n\ndef test_failed():\n    assert 0\n")
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-c",
                             str(PROJECT / "pyproject.toml"), "--rootdir", str(tmp_path), str(tmp_path)],
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert "SKIPPED [1] test_summary.py:3: no shared folder" in result.stdout, result.stdout
    assert "FAILED test_summary.py::test_failed" in result.stdout, result.stdout
