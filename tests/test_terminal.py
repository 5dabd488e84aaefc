"""The terminal chat runs the same Assistant path as Slack and Discord: an end-to-end test."""

from __future__ import annotations

import io

from bot.adapters.terminal import run_chat


def _chat(assistant, typed: str) -> str:
    out = io.StringIO()
    assert run_chat(assistant, io.StringIO(typed), out, interactive=False) == 0
    return out.getvalue()


def test_questions_get_cited_answers(assistant):
    out = _chat(assistant, "who led the repair\nwho is the pope\n")
    assert "Tomas Ruiz" in out and "[1] Daily Ledger" in out and "https://ledger.example/riverside-bridge" in out
    assert "couldn't find that" in out


def test_commands_and_quit(assistant):
    out = _chat(assistant, "/help\n/sources\n/quote grandchildren\n/quit\nwho ran the ferry\n")
    assert "Commands:" in out and "Metro Times: Drivers Return" in out and "grandchildren" in out
    assert "Moreno" not in out  # nothing is answered after /quit


def test_blank_lines_are_ignored_and_eof_ends(assistant):
    out = _chat(assistant, "\n\n   \n")
    assert "bot>" not in out
