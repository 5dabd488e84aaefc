"""The whole process, as an admin runs it: `python -m bot run` against the fake Slack, then signals."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time

import pytest

from tests.fakes.slack import FakeSlack, event_envelope

BOT_TOKEN = "xoxb-1111-secret-bot-token"
APP_TOKEN = "xapp-1-secret-app-token"
NEW_ARTICLE = """---
title: Harbor Gets A New Master
outlet: Harbor Weekly
url: https://harbor.example/new-master
published: 2023-03-08
---

The city named Priya Anand as the new harbor master on Monday.
"""


class Process:
    """A running bot whose stderr lines are collected as they come."""

    def __init__(self, proc: asyncio.subprocess.Process):
        self.proc = proc
        self.lines: list[str] = []
        self._new_line = asyncio.Condition()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        async for raw in self.proc.stderr:
            async with self._new_line:
                self.lines.append(raw.decode(errors="replace").rstrip())
                self._new_line.notify_all()

    async def wait_for_line(self, fragment: str, start: int = 0, timeout: float = 15.0) -> str:
        def found():
            return next((line for line in self.lines[start:] if fragment in line), None)
        async with self._new_line:
            await asyncio.wait_for(self._new_line.wait_for(found), timeout)
        return found()


@pytest.fixture
async def fake_slack():
    fake = await FakeSlack().start()
    yield fake
    await fake.close()


async def _start(fake, knowledge_dir, tmp_path, **extra) -> Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=fake.api_url,
               KNOWLEDGE_DIR=str(knowledge_dir), LOG_LEVEL="INFO", PYTHONUNBUFFERED="1", **extra)
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
                                                stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
                                                stdout=asyncio.subprocess.DEVNULL)
    process = Process(proc)
    await asyncio.wait_for(fake.connected.wait(), 20)
    return process


async def _ask(fake, text: str, ts: str) -> str:
    before = len(fake.posts)
    await fake.push(event_envelope({"type": "message", "channel_type": "im", "user": "U0USER", "text": text,
                                    "ts": ts, "channel": "D0DM"}))
    await fake.wait_for(lambda: len(fake.posts) > before, timeout=10)
    return fake.posts[-1]["text"]


async def test_sighup_reloads_knowledge_and_sigterm_stops_cleanly(fake_slack, knowledge_dir, tmp_path):
    bot = await _start(fake_slack, knowledge_dir, tmp_path)
    try:
        assert "Moreno" in await _ask(fake_slack, "who ran the ferry", "1.0001")
        assert "couldn't find" in await _ask(fake_slack, "who is the new harbor master", "1.0002")

        (knowledge_dir / "harbor.md").write_text(NEW_ARTICLE)
        mark = len(bot.lines)
        bot.proc.send_signal(signal.SIGHUP)
        await bot.wait_for_line("reloaded the knowledge: 4 articles", start=mark)
        assert "Priya Anand" in await _ask(fake_slack, "who is the new harbor master", "1.0003")

        (knowledge_dir / "broken.md").write_text("no front matter here")
        mark = len(bot.lines)
        bot.proc.send_signal(signal.SIGHUP)
        failure = await bot.wait_for_line("reload failed", start=mark)
        assert "broken.md" in "\n".join(bot.lines[mark:]) and "previous knowledge" in failure
        assert "Priya Anand" in await _ask(fake_slack, "who is the new harbor master", "1.0004")

        started = time.monotonic()
        bot.proc.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(bot.proc.wait(), 12)
        assert code == 0 and time.monotonic() - started < 10
    finally:
        if bot.proc.returncode is None:
            bot.proc.kill()
            await bot.proc.wait()
        await bot._reader

    log = "\n".join(bot.lines)
    assert "event=question platform=slack" in log and "latency_ms=" in log and 'outlets="Coastal Post"' in log
    assert "who ran the ferry" not in log and "harbor master" not in log  # questions are not logged by default
    assert BOT_TOKEN not in log and APP_TOKEN not in log
    assert "Traceback" not in log


async def test_questions_are_logged_only_when_the_admin_opts_in(fake_slack, knowledge_dir, tmp_path):
    bot = await _start(fake_slack, knowledge_dir, tmp_path, LOG_QUESTIONS="true")
    try:
        await _ask(fake_slack, "who ran the ferry", "2.0001")
        line = await bot.wait_for_line("event=question")
        assert 'question="who ran the ferry"' in line
    finally:
        bot.proc.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.proc.wait(), 12) == 0
        await bot._reader


async def test_run_with_nothing_configured_explains_and_exits_2(tmp_path, knowledge_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env["KNOWLEDGE_DIR"] = str(knowledge_dir)
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
                                                stderr=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
    _, err = await asyncio.wait_for(proc.communicate(), 30)
    text = err.decode()
    assert proc.returncode == 2
    for name in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_TOKEN", "python -m bot chat"):
        assert name in text
    assert "Traceback" not in text
