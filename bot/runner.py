"""One asyncio process for every configured platform: clean shutdown and live knowledge reloads.

SIGTERM/SIGINT: stop taking questions, let those in flight finish (up to DRAIN_SECONDS), close the
connections, exit 0, all within SHUTDOWN_SECONDS. SIGHUP: re-read the knowledge folder in a thread and
swap the new index in only when it loaded completely; a broken file keeps the old one serving.
"""

from __future__ import annotations

import asyncio
import logging
import signal

from bot.config import Config
from bot.core.assistant import Assistant
from bot.errors import KnowledgeError
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


async def serve(config: Config, platforms: set[str], assistant: Assistant) -> int:
    """Run the adapters for platforms until a signal asks to stop; re-raise an adapter's failure."""
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
    tasks = {asyncio.create_task(runners[p](service, config, stop), name=p) for p in sorted(platforms)}
    log.info("running: %s (%d articles)", ", ".join(sorted(platforms)), len(assistant.sources()))
    waiting = asyncio.create_task(shutting_down.wait())
    done, _ = await asyncio.wait(tasks | {waiting}, return_when=asyncio.FIRST_COMPLETED)
    failure = next((t.exception() for t in done if t is not waiting and t.exception()), None)
    if failure is None:
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
    if failure is not None:
        raise failure
    log.info("stopped")
    return 0
