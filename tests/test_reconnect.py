"""Retrying an unreachable platform: backoff, one log line per outage, prompt stops."""

from __future__ import annotations

import asyncio
import logging
import random

import pytest

from bot.adapters.reconnect import Backoff, Outage, Stopped, connect_with_backoff, pause, unless_stopped


def test_backoff_doubles_with_jitter_up_to_the_cap():
    backoff = Backoff(first=1.0, cap=8.0, rng=random.Random(7))
    delays = [backoff.next_delay() for _ in range(7)]
    ceilings = [1, 2, 4, 8, 8, 8, 8]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings)), delays
    assert len({round(d, 6) for d in delays[3:]}) == 4  # jittered: capped delays still differ
    backoff.reset()
    assert backoff.next_delay() <= 1.0


def _retry_record(logger: logging.Logger, text: str) -> None:
    try:
        raise ConnectionRefusedError(111, "Connect call failed ('127.0.0.1', 9)")
    except OSError as exc:
        logger.exception("Attempting a reconnect in %.2fs", 2.0, exc_info=exc)


def test_a_library_retry_loop_becomes_one_line_per_outage(caplog):
    caplog.set_level(logging.INFO)
    library = logging.getLogger("tests.fake_library")
    outage = Outage("discord", "the network and DISCORD_API_URL", ("Attempting a reconnect",))
    library.addFilter(outage)
    try:
        for _ in range(5):
            _retry_record(library, "x")
        library.error("Something else went wrong")  # not a retry record: untouched
        outage.recovered()
        _retry_record(library, "x")  # a new outage gets its line again
    finally:
        library.removeFilter(outage)
    records = [r for r in caplog.records if r.name in ("tests.fake_library", "bot.adapters.reconnect")]
    retries = [r for r in records if "Attempting" in r.getMessage()]
    assert len(retries) == 2
    assert all(r.levelname == "WARNING" and r.exc_info is None for r in retries)
    assert "ConnectionRefusedError" in retries[0].getMessage() and "DISCORD_API_URL" in retries[0].getMessage()
    assert any(r.getMessage() == "Something else went wrong" for r in records)
    assert any("connected again after 5 failed attempts" in r.getMessage() for r in records)


def test_at_debug_the_library_records_keep_their_tracebacks(caplog):
    caplog.set_level(logging.DEBUG)
    library = logging.getLogger("tests.fake_library")
    outage = Outage("slack", "SLACK_API_URL", ("Attempting a reconnect",))
    library.addFilter(outage)
    try:
        _retry_record(library, "x")
        _retry_record(library, "x")
    finally:
        library.removeFilter(outage)
    retries = [r for r in caplog.records if r.name == "tests.fake_library"]
    assert len(retries) == 2 and all(r.exc_info for r in retries)


async def test_connect_with_backoff_retries_only_what_is_retryable():
    attempts = []

    async def flaky():
        attempts.append(1)
        if len(attempts) < 3:
            raise ConnectionRefusedError("refused")
        return "connected"

    outage = Outage("slack", "SLACK_API_URL")
    quick = Backoff(first=0.01)
    assert await connect_with_backoff(flaky, outage, asyncio.Event(), (OSError,), quick) == "connected"
    assert len(attempts) == 3 and not outage.down

    async def refused():
        raise ValueError("a rejected token")

    with pytest.raises(ValueError):
        await connect_with_backoff(refused, outage, asyncio.Event(), (OSError,))


async def test_a_stop_interrupts_waiting_and_connecting_at_once():
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(0.05, stop.set)
    started = asyncio.get_running_loop().time()
    with pytest.raises(Stopped):
        await pause(30, stop)
    with pytest.raises(Stopped):
        await unless_stopped(asyncio.sleep(30), stop)
    assert asyncio.get_running_loop().time() - started < 1
