"""One asyncio process for every configured platform: clean shutdown and live knowledge reloads.

SIGTERM/SIGINT: stop taking questions, let those in flight finish (up to DRAIN_SECONDS), close the
connections, exit 0, all within SHUTDOWN_SECONDS. SIGHUP: re-read the knowledge folder in a thread and
swap the new index in only when it loaded completely; a broken file keeps the old one serving. With
FEEDS set, new feed items are imported every FEED_INTERVAL seconds and reloaded the same way.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading

from bot.adapters.reconnect import Stopped, unless_stopped
from bot.config import Config
from bot.core.assistant import Assistant
from bot.core.cache import CACHE_DIR
from bot.errors import ConfigError, KnowledgeError
from bot.service import Service

log = logging.getLogger(__name__)

SHUTDOWN_SECONDS = 10.0
DRAIN_SECONDS = 5.0


async def reload_knowledge(service: Service, config: Config) -> bool:
    """Swap in a freshly loaded Assistant; on any problem keep serving the current one."""
    try:
        assistant = await asyncio.to_thread(Assistant.from_directory, config.knowledge_dir,
                                            semantic=config.semantic_stage)
    except KnowledgeError as exc:
        log.error("reload failed, still serving the previous knowledge: %s", exc)
        return False
    except Exception:
        log.exception("reload failed, still serving the previous knowledge")
        return False
    service.assistant = assistant
    log.info("reloaded the knowledge: %d articles", len(assistant.sources()))
    return True


async def follow_feeds(service: Service, config: Config, stop: asyncio.Event) -> None:
    """Poll FEEDS now and every FEED_INTERVAL seconds; reload the knowledge when something was added."""
    from bot.imports.follow import FeedFollower

    follower = FeedFollower(config.feed_urls, config.knowledge_dir, config.knowledge_dir / CACHE_DIR)
    log.info("following %d feed%s every %g s", len(config.feed_urls), "" if len(config.feed_urls) == 1 else "s",
             config.feed_interval_seconds)
    while not stop.is_set():
        try:
            added = await unless_stopped(_in_daemon_thread(follower.poll), stop)
        except Stopped:
            return
        except Exception:
            log.exception("feeds: a poll failed; trying again at the next one")
            added = []
        if added:
            await reload_knowledge(service, config)
        try:
            await asyncio.wait_for(stop.wait(), config.feed_interval_seconds)
        except asyncio.TimeoutError:
            pass


def _in_daemon_thread(work):
    """work() in a daemon thread: unlike asyncio.to_thread, a poll waiting on a slow site never
    holds up the exit (files are written whole or not at all, so stopping mid-poll loses nothing)."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(result, error) -> None:
        if not future.done():
            future.set_exception(error) if error is not None else future.set_result(result)

    def run() -> None:
        try:
            outcome = (work(), None)
        except BaseException as exc:  # handed to the awaiting task
            outcome = (None, exc)
        try:
            loop.call_soon_threadsafe(settle, *outcome)
        except RuntimeError:  # the loop closed meanwhile: the bot is exiting
            pass

    threading.Thread(target=run, name="feeds", daemon=True).start()
    return future


async def serve(config: Config, platforms: set[str], assistant: Assistant) -> int:
    """Run the adapters for platforms until a signal asks to stop. An adapter that ends by itself (a
    rejected token) is logged in one line while the others keep serving; 2 when none is left."""
    from bot.adapters.discord_client import run_discord
    from bot.adapters.slack_app import run_slack

    service = Service(assistant, config)
    stop = asyncio.Event()
    shutting_down = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, shutting_down.set)
    reloads: set[asyncio.Task] = set()

    def on_hangup() -> None:
        task = asyncio.create_task(reload_knowledge(service, config))
        reloads.add(task)
        task.add_done_callback(reloads.discard)

    loop.add_signal_handler(signal.SIGHUP, on_hangup)

    runners = {"slack": run_slack, "discord": run_discord}
    running = {asyncio.create_task(runners[p](service, config, stop), name=p) for p in sorted(platforms)}
    tasks = set(running)
    log.info("running: %s (%d articles)", ", ".join(sorted(platforms)), len(assistant.sources()))
    if config.feed_urls:
        tasks.add(asyncio.create_task(follow_feeds(service, config, stop), name="feeds"))
    waiting = asyncio.create_task(shutting_down.wait())
    ended: list[str] = []  # why each platform that stopped by itself did
    while running and not shutting_down.is_set():
        done, running = await asyncio.wait(running | {waiting}, return_when=asyncio.FIRST_COMPLETED)
        running.discard(waiting)
        for task in done - {waiting}:
            ended.append(_why_it_ended(task))
            if running:
                log.error("%s; still serving %s", ended[-1], ", ".join(sorted(t.get_name() for t in running)))
    if not running and not shutting_down.is_set():
        for reason in ended:
            log.error(reason)
    else:
        log.info("shutting down: finishing questions in flight")
    drained = await service.drain(DRAIN_SECONDS)
    if not drained:
        log.warning("shutting down: dropping questions still in flight after %.0f s", DRAIN_SECONDS)
    stop.set()
    _, pending = await asyncio.wait(tasks, timeout=SHUTDOWN_SECONDS - DRAIN_SECONDS)
    for task in pending | reloads | {waiting}:
        task.cancel()
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        loop.remove_signal_handler(sig)
    if not running and not shutting_down.is_set():
        log.error("stopped: no platform left to serve")
        return 2
    log.info("stopped")
    return 0


def _why_it_ended(task: asyncio.Task) -> str:
    """One line for a platform adapter that returned or failed on its own."""
    error = None if task.cancelled() else task.exception()
    if isinstance(error, ConfigError):
        return f"{task.get_name()}: " + "; ".join(error.problems)
    if error is not None:
        log.error("%s stopped with an unexpected error", task.get_name(), exc_info=error)
        return f"{task.get_name()}: stopped ({type(error).__name__}: {error})"
    return f"{task.get_name()}: stopped"
