"""Command line: `python -m bot ask|quote|sources|chat|check`."""

from __future__ import annotations

import argparse
import dataclasses
import json
import logging
import os
import sys

from bot import __version__
from bot.adapters.terminal import run_chat, to_terminal_text
from bot.config import Config
from bot.core.articles import load_articles
from bot.core.assistant import Assistant
from bot.errors import BotError, KnowledgeError

log = logging.getLogger(__name__)


def _dump(obj) -> str:
    return json.dumps(dataclasses.asdict(obj), ensure_ascii=False)


def cmd_ask(args, config: Config) -> int:
    assistant = Assistant.from_directory(config.knowledge_dir)
    questions = sys.stdin if args.question == "-" else [args.question]
    for question in questions:
        answer = assistant.ask(question.rstrip("\n"))
        print(_dump(answer) if args.json else to_terminal_text(answer.answer, answer.citations), flush=True)
    return 0


def cmd_quote(args, config: Config) -> int:
    quote = Assistant.from_directory(config.knowledge_dir).quote(" ".join(args.topic))
    print(_dump(quote) if args.json else to_terminal_text(quote.answer, quote.citations))
    return 0


def cmd_sources(args, config: Config) -> int:
    assistant = Assistant.from_directory(config.knowledge_dir)
    if args.json:
        print(json.dumps([dataclasses.asdict(s) for s in assistant.sources()], ensure_ascii=False, indent=1))
    else:
        print(assistant.sources_text())
    return 0


def cmd_chat(args, config: Config) -> int:
    assistant = Assistant.from_directory(config.knowledge_dir)
    return run_chat(assistant, sys.stdin, sys.stdout, interactive=sys.stdin.isatty())


def cmd_check(args, config: Config) -> int:
    problems: list[str] = []
    try:
        articles = load_articles(config.knowledge_dir)
    except KnowledgeError as exc:
        problems.extend(exc.problems)
        articles = []
    for problem in problems:
        print(f"problem: {problem}")
    if problems:
        print(f"{len(problems)} problem(s) found.")
        return 1
    print(f"ok: {len(articles)} articles in {config.knowledge_dir}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--knowledge", metavar="DIR", help="knowledge folder (default: $KNOWLEDGE_DIR or ./knowledge)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    ask = sub.add_parser("ask", help="answer one question ('-' reads one question a line from stdin)")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print one JSON object per answer")
    quote = sub.add_parser("quote", help="a direct quote about TOPIC, or a random one")
    quote.add_argument("topic", nargs="*")
    quote.add_argument("--json", action="store_true")
    sources = sub.add_parser("sources", help="list the articles the bot knows")
    sources.add_argument("--json", action="store_true")
    sub.add_parser("chat", help="chat in the terminal (needs no tokens)")
    sub.add_parser("check", help="check the knowledge folder and settings; non-zero exit on problems")
    return parser


COMMANDS = {"ask": cmd_ask, "quote": cmd_quote, "sources": cmd_sources, "chat": cmd_chat, "check": cmd_check}


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    command = args.command or "chat"
    if command == "chat" and not args.command:
        args = parser.parse_args([*(argv or sys.argv[1:]), "chat"])
    config = Config.from_env(os.environ, knowledge=args.knowledge)
    try:
        return COMMANDS[command](args, config)
    except BotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
