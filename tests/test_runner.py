"""The whole process, as an admin runs it: `python -m bot run` against the fake Slack, then signals."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import time

import pytest

from tests.fakes.discord import BAD_TOKEN, FakeDiscord
from tests.fakes.slack import FakeSlack, event_envelope

BOT_TOKEN = "xoxb-1111-secret-bot-token"
APP_TOKEN = "xapp-1-secret-app-token"
DISCORD_TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAx.GfAkeX.fake-token-fake-token-fake-token-ok"
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


async def _spawn(knowledge_dir, tmp_path, **settings) -> Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env.update(KNOWLEDGE_DIR=str(knowledge_dir), LOG_LEVEL="INFO", PYTHONUNBUFFERED="1", **settings)
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot", "run", cwd=tmp_path, env=env,
                                                stdin=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
                                                stdout=asyncio.subprocess.DEVNULL)
    return Process(proc)


async def _start(fake, knowledge_dir, tmp_path, **extra) -> Process:
    process = await _spawn(knowledge_dir, tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN,
                           SLACK_API_URL=fake.api_url, **extra)
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
    async with _killed_if_left(bot):
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


# ---- platforms that cannot be reached or refuse the token -------------------------------------------
def _closed_port() -> int:
    """A loopback port with nothing listening (bound, read, released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.asynccontextmanager
async def _killed_if_left(bot: Process):
    """Runs the block; a bot the block did not stop (an assertion failed first) is killed, never left."""
    try:
        yield bot
    finally:
        if bot.proc.returncode is None:
            bot.proc.kill()
            await bot.proc.wait()


async def _stop(bot: Process, within: float) -> int:
    started = time.monotonic()
    bot.proc.send_signal(signal.SIGTERM)
    code = await asyncio.wait_for(bot.proc.wait(), 12)
    await bot._reader
    assert time.monotonic() - started < within, f"took {time.monotonic() - started:.1f} s to stop"
    return code


async def test_unreachable_platforms_log_one_line_each_and_stop_promptly(knowledge_dir, tmp_path):
    closed = f"http://127.0.0.1:{_closed_port()}"
    bot = await _spawn(knowledge_dir, tmp_path, SEMANTIC="off", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN,
                       SLACK_API_URL=closed + "/api/", DISCORD_TOKEN=DISCORD_TOKEN, DISCORD_API_URL=closed + "/api/v10")
    async with _killed_if_left(bot):
        await bot.wait_for_line("slack: cannot connect")
        await bot.wait_for_line("discord: cannot connect")
        await asyncio.sleep(8)  # backoff 1, 2, 4 s: several attempts each, all quiet
        assert await _stop(bot, within=2.5) == 0
    log = "\n".join(bot.lines)
    assert "Traceback" not in log and "Unclosed" not in log and "voice" not in log
    assert len(bot.lines) <= 6, log  # running, one line per platform, shutting down, stopped
    assert "SLACK_API_URL" in log and "DISCORD_API_URL" in log


async def test_a_rejected_slack_token_is_not_retried_and_exits_2(fake_slack, knowledge_dir, tmp_path):
    fake_slack.reject["auth.test"] = "invalid_auth"
    bot = await _spawn(knowledge_dir, tmp_path, SEMANTIC="off", SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN,
                       SLACK_API_URL=fake_slack.api_url)
    assert await asyncio.wait_for(bot.proc.wait(), 30) == 2
    await bot._reader
    log = "\n".join(bot.lines)
    assert fake_slack.calls == ["auth.test"]  # asked once, never again
    assert "SLACK_BOT_TOKEN was rejected by Slack (invalid_auth)" in log and "no platform left" in log
    assert "Traceback" not in log and BOT_TOKEN not in log


async def test_a_rejected_platform_leaves_the_other_serving(fake_slack, knowledge_dir, tmp_path):
    discord = await FakeDiscord().start()
    try:
        bot = await _start(fake_slack, knowledge_dir, tmp_path, DISCORD_TOKEN=BAD_TOKEN,
                           DISCORD_API_URL=discord.api_base)
        async with _killed_if_left(bot):
            line = await bot.wait_for_line("DISCORD_TOKEN was rejected")
            assert "still serving slack" in line
            assert "Moreno" in await _ask(fake_slack, "who ran the ferry", "3.0001")
            assert await _stop(bot, within=2.5) == 0
    finally:
        await discord.close()
    assert len([r for r in discord.requests if r[1] == "/users/@me"]) == 1
    assert "Traceback" not in "\n".join(bot.lines)


async def test_an_app_token_revoked_while_running_ends_slack_with_one_line(fake_slack, knowledge_dir, tmp_path):
    bot = await _start(fake_slack, knowledge_dir, tmp_path, SEMANTIC="off")
    async with _killed_if_left(bot):
        fake_slack.reject["apps.connections.open"] = "token_revoked"
        await fake_slack.ws.close()  # Slack drops the session; the SDK asks for a new URL and is refused
        assert await asyncio.wait_for(bot.proc.wait(), 30) == 2
        await bot._reader
    log = "\n".join(bot.lines)
    assert "SLACK_APP_TOKEN was rejected by Slack (token_revoked)" in log and "Traceback" not in log


# ---- feeds followed while running ----------------------------------------------------------------
async def test_a_feed_item_added_while_running_is_answered_without_a_restart(fake_slack, knowledge_dir, tmp_path):
    from tests.fakes.web import FakeWeb
    from tests.test_import import BRIDGE, page, rss

    web = await FakeWeb().start()
    try:
        bridge = web.put("/news/bridge", page("Bridge Reopens After Repairs", BRIDGE))
        items = [("Bridge", bridge, "Tue, 05 Mar 2024 09:00:00 GMT")]
        web.put("/feed.xml", rss(items), content_type="application/rss+xml")
        bot = await _start(fake_slack, knowledge_dir, tmp_path, SEMANTIC="off", FEEDS=web.url + "/feed.xml",
                           FEED_INTERVAL="10")
        async with _killed_if_left(bot):
            await bot.wait_for_line("reloaded the knowledge: 4 articles")
            assert "couldn't find" in await _ask(fake_slack, "who is the new harbor master", "4.0001")
            master = web.put("/news/master", page("Harbor Gets A New Master", [
                "The city named Priya Anand as the new harbor master on Monday, ending a search of six months."]))
            web.put("/feed.xml", rss(items + [("Master", master, "Wed, 06 Mar 2024 09:00:00 GMT")]),
                    content_type="application/rss+xml")
            await bot.wait_for_line("reloaded the knowledge: 5 articles", timeout=25)
            assert "Priya Anand" in await _ask(fake_slack, "who is the new harbor master", "4.0002")
            assert await _stop(bot, within=2.5) == 0
    finally:
        await web.close()
    assert (knowledge_dir / "harbor-gets-a-new-master.md").is_file()
    assert "Traceback" not in "\n".join(bot.lines)
