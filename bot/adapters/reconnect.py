"""Staying up while a platform cannot be reached: backoff with jitter, one log line per outage.

Both adapters connect through here. A network failure is retried with exponential backoff; a token
the platform rejects is not (it will not start working by itself) and ends that platform with one
line naming the variable. The libraries' own reconnect loops log a traceback per attempt; an Outage
installed as a filter on their logger turns each outage into one line (tracebacks stay at DEBUG).
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")

FIRST_DELAY = 1.0  # seconds before the first retry
MAX_DELAY = 60.0  # the cap: an outage of hours costs a request a minute, and recovery shows within one


class Backoff:
    """Exponential delays with jitter ("equal jitter": half fixed, half random), so many bots
    restarting after one outage do not reconnect in lockstep."""

    def __init__(self, first: float = FIRST_DELAY, cap: float = MAX_DELAY, rng: random.Random | None = None):
        self.first, self.cap = first, cap
        self.attempts = 0
        self._random = rng or random.Random()

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.first * 2 ** self.attempts)
        self.attempts += 1
        return ceiling / 2 + self._random.uniform(0, ceiling / 2)

    def reset(self) -> None:
        self.attempts = 0


class Stopped(Exception):
    """The bot was asked to stop while waiting for a platform."""


async def unless_stopped(awaitable: Awaitable[T], stop: asyncio.Event) -> T:
    """awaitable's result, or Stopped (and awaitable cancelled) as soon as stop is set."""
    task = asyncio.ensure_future(awaitable)
    stopping = asyncio.ensure_future(stop.wait())
    try:
        await asyncio.wait({task, stopping}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        stopping.cancel()
    if not task.done():
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        raise Stopped
    return task.result()


async def pause(seconds: float, stop: asyncio.Event) -> None:
    """Sleep, or raise Stopped the moment stop is set."""
    try:
        await asyncio.wait_for(stop.wait(), seconds)
    except asyncio.TimeoutError:
        return
    raise Stopped


async def connect_with_backoff(attempt: Callable[[], Awaitable[T]], outage: Outage, stop: asyncio.Event,
                               retryable: tuple[type[BaseException], ...], backoff: Backoff | None = None) -> T:
    """attempt() until it succeeds: a retryable error waits with backoff (logged by outage), any other
    error propagates, and Stopped comes as soon as stop is set."""
    backoff = backoff or Backoff()
    while True:
        try:
            result = await unless_stopped(attempt(), stop)
        except retryable as error:
            delay = backoff.next_delay()
            outage.failed(error, delay)
            await pause(delay, stop)
        else:
            outage.recovered()
            return result


def describe(error: BaseException) -> str:
    """One line for an exception: aiohttp's and asyncio's messages, or the class name when empty."""
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


class Outage(logging.Filter):
    """The state of one platform's connection, logged once per change.

    failed() logs the first failure of a streak as one warning that says what to check; repeats go
    to DEBUG. recovered() logs that the platform is back. As a filter on a library's logger it does
    the same to the library's own retry records.
    """

    def __init__(self, platform: str, check: str, retry_messages: tuple[str, ...] = ()):
        super().__init__()
        self.platform, self.check = platform, check
        self.retry_messages = retry_messages  # how the library's retry records begin; others pass untouched
        self.down = False
        self.failures = 0

    def failed(self, error: BaseException, retry_in: float | None = None) -> None:
        self.failures += 1
        when = f" (next in {retry_in:.0f} s)" if retry_in is not None else ""
        if not self.down:
            self.down = True
            log.warning("%s: cannot connect (%s); check %s. Retrying with backoff%s, quietly until it works",
                        self.platform, describe(error), self.check, when)
        else:
            log.debug("%s: still cannot connect (%s)%s", self.platform, describe(error), when, exc_info=error)

    def recovered(self) -> None:
        if self.down:
            log.info("%s: connected again after %d failed attempt%s", self.platform, self.failures,
                     "" if self.failures == 1 else "s")
        self.down, self.failures = False, 0

    def filter(self, record: logging.LogRecord) -> bool:
        """A library's retry record: the first of a streak becomes one line, the rest drop; at DEBUG
        every record passes whole, traceback and all."""
        if not str(record.msg).startswith(self.retry_messages):
            return True
        error = record.exc_info[1] if record.exc_info else None
        if logging.getLogger().isEnabledFor(logging.DEBUG):
            return True
        record.exc_info, record.exc_text = None, None
        if self.down:
            self.failures += 1
            return False
        self.down, self.failures = True, 1
        message = " ".join(record.getMessage().split())
        detail = f" ({describe(error)})" if error is not None and str(error) not in message else ""
        record.msg, record.args = f"{self.platform}: {message}{detail}; check {self.check}", None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True
