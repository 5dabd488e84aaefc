"""The terminal chat: type a question, read the cited answer. Needs no tokens."""

from __future__ import annotations

import sys
from typing import TextIO

from bot.core.answers import Citation
from bot.core.assistant import Assistant
from bot.core.conversation import Conversation

PROMPT = "you> "
HELP = ("Ask anything about the coverage, and follow up (\"and her partner?\"). Commands: /ask QUESTION, "
        "/quote [topic], /summary, /sources, /help, /quit (Ctrl-D also quits).")
HOW_TO_ASK = "Type a question, or /help for the commands."


def to_terminal_text(answer_text: str, citations: tuple[Citation, ...]) -> str:
    """The answer followed by its numbered sources with their links."""
    lines = [answer_text]
    if citations:
        lines.append("Sources:")
        for n, c in enumerate(citations, start=1):
            date = f", {c.published}" if c.published else ""
            lines.append(f"  [{n}] {c.outlet}: {c.title}{date}\n      {c.url}")
    return "\n".join(lines)


def reply_to(line: str, assistant: Assistant, conversation: Conversation | None = None) -> str | None:
    """The reply to one typed line; None means the user wants to leave."""
    text = line.strip()
    command, _, rest = text.partition(" ")
    command = command.lower()
    if command in {"/quit", "/exit", "quit", "exit"}:
        return None
    if command == "/help":
        return HELP
    if command == "/sources":
        return assistant.sources_text()
    if command == "/summary":
        summary = assistant.summary()
        return to_terminal_text(summary.answer, summary.citations)
    if command == "/quote":
        quote = assistant.quote(rest)
        return to_terminal_text(quote.answer, quote.citations)
    if command == "/ask":
        text = rest
    elif command.startswith("/"):
        return f"There is no {command} command. {HELP}"
    answer = assistant.ask(text, conversation, how_to=HOW_TO_ASK)
    return to_terminal_text(answer.answer, answer.citations)


def run_chat(assistant: Assistant, stdin: TextIO, stdout: TextIO, interactive: bool = True) -> int:
    """Read questions line by line until end of input or /quit; print each answer. The session is
    one conversation, so a follow-up ("and her partner?") continues the question before it."""
    if interactive:
        _line_editing()
    conversation = Conversation()
    sources = assistant.sources()
    stdout.write(f"Coverage bot: {len(sources)} articles loaded. {HELP}\n")
    while True:
        try:
            line = input(PROMPT) + "\n" if interactive and stdin is sys.stdin else _read(stdin, stdout, interactive)
        except (KeyboardInterrupt, EOFError):
            line = ""
        if not line:
            stdout.write("\n" if interactive else "")
            return 0
        if not line.strip():
            continue
        reply = reply_to(line, assistant, conversation)
        if reply is None:
            return 0
        stdout.write(f"bot> {reply}\n\n")
        stdout.flush()


def _read(stdin: TextIO, stdout: TextIO, interactive: bool) -> str:
    if interactive:
        stdout.write(PROMPT)
        stdout.flush()
    return stdin.readline()


def _line_editing() -> None:
    """Arrow keys and a history of this session's questions, where the terminal has readline."""
    try:
        import readline  # noqa: F401  (importing it is what makes input() edit lines)
    except ImportError:
        pass
