"""The terminal chat: type a question, read the cited answer. Needs no tokens."""

from __future__ import annotations

from typing import TextIO

from bot.core.answers import Citation
from bot.core.assistant import Assistant

PROMPT = "you> "
HELP = ("Ask anything about the coverage. Commands: /quote [topic], /sources, /help, /quit "
        "(Ctrl-D also quits).")


def to_terminal_text(answer_text: str, citations: tuple[Citation, ...]) -> str:
    """The answer followed by its numbered sources with their links."""
    lines = [answer_text]
    if citations:
        lines.append("Sources:")
        for n, c in enumerate(citations, start=1):
            date = f", {c.published}" if c.published else ""
            lines.append(f"  [{n}] {c.outlet}: {c.title}{date}\n      {c.url}")
    return "\n".join(lines)


def reply_to(line: str, assistant: Assistant) -> str | None:
    """The reply to one typed line; None means the user wants to leave."""
    text = line.strip()
    command, _, rest = text.partition(" ")
    if command in {"/quit", "/exit", "quit", "exit"}:
        return None
    if command == "/help":
        return HELP
    if command == "/sources":
        return assistant.sources_text()
    if command == "/quote":
        quote = assistant.quote(rest)
        return to_terminal_text(quote.answer, quote.citations)
    answer = assistant.ask(text)
    return to_terminal_text(answer.answer, answer.citations)


def run_chat(assistant: Assistant, stdin: TextIO, stdout: TextIO, interactive: bool = True) -> int:
    """Read questions line by line until end of input or /quit; print each answer."""
    sources = assistant.sources()
    stdout.write(f"Coverage bot: {len(sources)} articles loaded. {HELP}\n")
    while True:
        if interactive:
            stdout.write(PROMPT)
            stdout.flush()
        try:
            line = stdin.readline()
        except KeyboardInterrupt:
            line = ""
        if not line:
            stdout.write("\n" if interactive else "")
            return 0
        if not line.strip():
            continue
        reply = reply_to(line, assistant)
        if reply is None:
            return 0
        stdout.write(f"bot> {reply}\n\n")
        stdout.flush()
