"""Command line: `python -m bot COMMAND`, one of run, slack, discord, invite, chat, ask, quote, report,
verify, summary, sources, check and import."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import functools
import json
import logging
import os
import sys
from pathlib import Path

from bot import __version__
from bot.adapters.terminal import run_chat, to_terminal_text
from bot.config import DISCORD_VARS, LOG_LEVELS, SLACK_VARS, Config, load_environment
from bot.core.articles import parse_knowledge, read_knowledge
from bot.core.assistant import Assistant
from bot.core.conversation import Conversation
from bot.errors import BotError, ConfigError, KnowledgeError
from bot.imports.fetch import TIMEOUT

log = logging.getLogger(__name__)

NOTHING_CONFIGURED = (
    "no chat platform is configured. Set, in the environment or in .env (see .env.example):\n"
    "  Slack, Socket Mode:  SLACK_BOT_TOKEN and SLACK_APP_TOKEN\n"
    "  Slack, HTTP mode:    SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (events at POST /slack/events on PORT)\n"
    "  Discord:             DISCORD_TOKEN\n"
    "To try the bot without any tokens: python -m bot chat")


@functools.cache  # once per result class: dataclasses.fields() is slow to call per object
def _field_names(cls: type) -> tuple[str, ...]:
    return tuple(field.name for field in dataclasses.fields(cls))


def _fields(obj) -> dict:
    return {name: getattr(obj, name) for name in _field_names(type(obj))}


def _dump(obj, **options) -> str:
    """JSON of a result dataclass. Nested ones are converted as json meets them: about half the time
    of dataclasses.asdict, which deep-copies every field first (it shows in `ask - --json` batches)."""
    return json.dumps(obj, default=_fields, ensure_ascii=False, **options)


def load_assistant(config: Config) -> Assistant:
    """The assistant over the configured knowledge, with the semantic stage unless SEMANTIC=off."""
    return Assistant.from_directory(config.knowledge_dir, semantic=config.semantic_stage)


def cmd_ask(args, config: Config) -> int:
    assistant = load_assistant(config)
    questions = sys.stdin if args.question == "-" else [args.question]
    conversation = Conversation() if args.conversation else None
    for question in questions:
        answer = assistant.ask(question.rstrip("\n"), conversation)
        if args.json and conversation is not None:
            print(_dump({**_fields(answer), "understood": conversation.understood or answer.question}), flush=True)
            conversation.understood = ""
        else:
            print(_dump(answer) if args.json else to_terminal_text(answer.answer, answer.citations), flush=True)
    return 0


def cmd_quote(args, config: Config) -> int:
    quote = load_assistant(config).quote(" ".join(args.topic))
    print(_dump(quote) if args.json else to_terminal_text(quote.answer, quote.citations))
    return 0


def cmd_sources(args, config: Config) -> int:
    assistant = load_assistant(config)
    if args.json:
        print(_dump(assistant.sources(), indent=1))
    else:
        print(assistant.sources_text())
    return 0


def cmd_report(args, config: Config) -> int:
    from bot.feedback import FeedbackStore, report_text

    if not config.feedback_path.is_file():
        print(f"no feedback yet: {config.feedback_path} does not exist (the bot creates it when it posts answers)")
        return 0
    report = FeedbackStore(config.feedback_path).report(days=args.days)
    print(_dump(report, indent=1) if args.json else report_text(report))
    return 1 if "error" in report else 0


def cmd_verify(args, config: Config) -> int:
    verdict = load_assistant(config).verify(" ".join(args.claim))
    print(_dump(verdict) if args.json else to_terminal_text(verdict.answer, verdict.citations))
    return 0


def cmd_summary(args, config: Config) -> int:
    summary = load_assistant(config).summary()
    print(_dump(summary) if args.json else to_terminal_text(summary.answer, summary.citations))
    return 0


def cmd_chat(args, config: Config) -> int:
    assistant = load_assistant(config)
    return run_chat(assistant, sys.stdin, sys.stdout, interactive=sys.stdin.isatty())


def cmd_check(args, config: Config) -> int:
    """Errors (the bot would not start) and warnings (worth fixing, not blocking) listed apart."""
    problems = config.problems()
    warnings: list[str] = []
    ignored: list[str] = []
    articles = []
    if config.knowledge_dir.is_dir():
        try:
            files = read_knowledge(config.knowledge_dir, ignored, warnings)  # (warns of copies it leaves out)
            articles = parse_knowledge(config.knowledge_dir, files, warnings)
        except KnowledgeError as exc:
            problems.extend(exc.problems)
    for problem in problems:
        print(f"error: {problem}")
    for warning in warnings:
        print(f"warning: {warning}")
    for note in ignored:
        print(f"note: {note}")
    if problems:
        print(f"{len(problems)} error(s), {len(warnings)} warning(s): "
              "the bot will not start until the errors are fixed.")
        return 1
    platforms = _platforms(config) or {"none (terminal chat only)"}
    tail = f"; {len(warnings)} warning(s)" if warnings else ""
    print(f"ok: {len(articles)} articles in {config.knowledge_dir}; platforms: {', '.join(sorted(platforms))}{tail}")
    return 0


def cmd_import(args, config: Config) -> int:
    from bot.imports.importer import Options, import_sources

    options = Options(outlet=args.outlet or "", dry_run=args.dry_run, timeout=args.timeout)
    counts: dict[str, int] = {}
    for outcome in import_sources(args.sources, Path(args.to) if args.to else config.knowledge_dir, options):
        print(outcome.line, flush=True)
        counts[outcome.status] = counts.get(outcome.status, 0) + 1
    print(", ".join(f"{n} {status}" for status, n in counts.items()) or "nothing to import", file=sys.stderr)
    return 1 if counts.get("failed") else 0


def cmd_run(args, config: Config) -> int:
    return _serve(config, _platforms(config))


def cmd_slack(args, config: Config) -> int:
    if not config.slack_enabled:
        return _fail(f"Slack is not configured: set {SLACK_VARS[0]} and {SLACK_VARS[1]} (Socket Mode) or "
                     f"{SLACK_VARS[2]} (HTTP mode); see .env.example")
    return _serve(config, {"slack"})


def cmd_discord(args, config: Config) -> int:
    if not config.discord_enabled:
        return _fail(f"Discord is not configured: set {DISCORD_VARS[0]}; see .env.example")
    return _serve(config, {"discord"})


def cmd_invite(args, config: Config) -> int:
    from bot.adapters.discord_client import invite_url

    problems = [p for p in config.problems() if p.startswith("DISCORD")]
    if problems or not config.discord_app_id:
        return _fail("\n".join(problems) or "set DISCORD_TOKEN (or DISCORD_APPLICATION_ID) to build the invite URL")
    print(invite_url(config.discord_app_id))
    return 0


def cmd_start(args, config: Config) -> int:
    """The main job: the configured platforms, or the terminal chat when none is."""
    return cmd_run(args, config) if _platforms(config) else cmd_chat(args, config)


def _platforms(config: Config) -> set[str]:
    return {name for name, on in (("slack", config.slack_enabled), ("discord", config.discord_enabled)) if on}


def _serve(config: Config, platforms: set[str]) -> int:
    from bot.runner import serve

    problems = config.problems()
    if problems:
        return _fail("\n".join(problems), heading="the settings have problems:")
    if not platforms:
        return _fail(NOTHING_CONFIGURED)
    assistant = load_assistant(config)  # a broken file stops start-up, by name
    try:
        return asyncio.run(serve(config, platforms, assistant))
    except ConfigError as exc:
        return _fail("\n".join(exc.problems))


def _fail(message: str, heading: str | None = None) -> int:
    lines = message.splitlines()
    if heading:
        print(f"error: {heading}", file=sys.stderr)
        for line in lines:
            print(f"  - {line}", file=sys.stderr)
    else:
        print(f"error: {lines[0]}", file=sys.stderr)
        for line in lines[1:]:
            print(line, file=sys.stderr)
    return 2


class DropVoiceWarning(logging.Filter):
    """discord.py warns at start-up that voice needs PyNaCl and davey; the bot has no voice, so it is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "voice will NOT be supported" not in record.getMessage()


_DROP_VOICE = DropVoiceWarning()  # one instance: addFilter ignores repeats on reconfiguring


class RedactSecrets(logging.Filter):
    """Tokens never reach a log line, whoever logs them (our code or a library's)."""

    def __init__(self, secrets: tuple[str, ...]):
        super().__init__()
        self.secrets = tuple(s for s in secrets if len(s) >= 8)

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            message = record.getMessage()
            if any(s in message for s in self.secrets):
                for secret in self.secrets:
                    message = message.replace(secret, "[redacted]")
                record.msg, record.args = message, None
        return True


def configure_logging(config: Config) -> None:
    level = config.log_level.strip().upper()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactSecrets(config.secrets()))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level if level in LOG_LEVELS else "INFO")
    # libraries are chatty at INFO; their warnings still show
    for noisy in ("discord", "slack_bolt", "slack_sdk", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(root.level, logging.WARNING))
    logging.getLogger("discord.client").addFilter(_DROP_VOICE)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--knowledge", metavar="DIR", help="knowledge folder (default: $KNOWLEDGE_DIR or ./knowledge)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", help="run every platform whose tokens are set (Slack, Discord) in one process")
    sub.add_parser("slack", help="run the Slack adapter only")
    sub.add_parser("discord", help="run the Discord adapter only")
    sub.add_parser("invite", help="print the URL that adds the bot to a Discord server")
    sub.add_parser("chat", help="chat in the terminal (needs no tokens)")
    ask = sub.add_parser("ask", help="answer one question ('-' reads one question a line from stdin)")
    ask.add_argument("question")
    ask.add_argument("--json", action="store_true", help="print one JSON object per answer")
    ask.add_argument("--conversation", action="store_true",
                     help="the questions are one conversation: each a follow-up of those before it "
                          "(with --json, \"understood\" is the question as taken in context)")
    quote = sub.add_parser("quote", help="a direct quote about TOPIC, or a random one")
    quote.add_argument("topic", nargs="*")
    quote.add_argument("--json", action="store_true")
    report = sub.add_parser("report", help="answers, abstentions, 👍/👎 and coverage gaps from the feedback store")
    report.add_argument("--json", action="store_true")
    report.add_argument("--days", type=int, default=30, metavar="N", help="the last N days (default 30)")
    verify = sub.add_parser("verify", help="check a claim against the coverage: supported, contradicted or not found")
    verify.add_argument("claim", nargs="+")
    verify.add_argument("--json", action="store_true")
    summary = sub.add_parser("summary", help="what several outlets report alike, and where they disagree")
    summary.add_argument("--json", action="store_true")
    sources = sub.add_parser("sources", help="list the articles the bot knows")
    sources.add_argument("--json", action="store_true")
    sub.add_parser("check", help="check the settings and the knowledge folder; non-zero exit on problems")
    imports = sub.add_parser("import", help="add articles from web pages, URLs and RSS/Atom feeds")
    imports.add_argument("sources", nargs="+", metavar="SOURCE",
                         help="an .html/.htm file, a folder of them, a page URL, or a feed (file or URL)")
    imports.add_argument("--to", metavar="DIR", help="the folder to write to (default: the knowledge folder)")
    imports.add_argument("--outlet", metavar="NAME", help="the outlet of every article (default: the page's site name)")
    imports.add_argument("--dry-run", action="store_true", help="say what would be added; write nothing")
    imports.add_argument("--timeout", type=float, default=TIMEOUT, metavar="S",
                         help=f"seconds to wait for each page (default {TIMEOUT:g})")
    return parser


COMMANDS = {"run": cmd_run, "slack": cmd_slack, "discord": cmd_discord, "invite": cmd_invite, "chat": cmd_chat,
            "ask": cmd_ask, "quote": cmd_quote, "sources": cmd_sources, "summary": cmd_summary, "verify": cmd_verify,
            "report": cmd_report, "check": cmd_check, "import": cmd_import, None: cmd_start}


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    config = Config.from_env(load_environment(os.environ), knowledge=args.knowledge)
    configure_logging(config)
    try:
        code = COMMANDS[args.command](args, config)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return code
    except BrokenPipeError:
        # the reader left (`| head -1`): stop as a shell tool does, and point stdout at devnull
        # so the interpreter's final flush does not raise again (the Python docs' recipe)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE
    except BotError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
