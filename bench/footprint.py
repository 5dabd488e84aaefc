"""Footprint of the whole bot process: resident memory idling with Slack and Discord both connected
(to local fakes of the platforms), and start-up time to the first answer.

    .venv/bin/python bench/footprint.py [--knowledge knowledge] [--runs 3]

It starts `python -m bot run` in a subprocess, as an admin would. Slack is pointed at the fake
through SLACK_API_URL and Discord's REST calls through DISCORD_API_URL (the production settings); the
gateway has no such setting, so a one-line harness points it at the fake before calling the bot's
own `main(["run"])`.
Printed next to the same figures for `python -m bot ask` (one cold question) and a bare Python.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fakes.discord import FakeDiscord  # noqa: E402
from tests.fakes.slack import FakeSlack, event_envelope  # noqa: E402

DISCORD_TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAx.GfAkeX.fake-token-fake-token-fake-token-ok"
HARNESS = (
    "import os, sys, yarl, discord\n"
    "discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(os.environ['BENCH_DISCORD_GATEWAY'])\n"
    "from bot.cli import main\n"
    "sys.exit(main(['run']))\n")


def rss_mb(pid: int) -> tuple[float, float]:
    """(resident now, peak resident) in MB, from /proc."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        fields[key] = value.strip()
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


async def one_run(knowledge: Path, semantic: str) -> dict:
    slack = await FakeSlack().start()
    fake_discord = await FakeDiscord().start()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env.update(SLACK_BOT_TOKEN="xoxb-1-bench", SLACK_APP_TOKEN="xapp-1-bench", SLACK_API_URL=slack.api_url,
               DISCORD_TOKEN=DISCORD_TOKEN, DISCORD_API_URL=fake_discord.api_base,
               BENCH_DISCORD_GATEWAY=fake_discord.gateway_url, KNOWLEDGE_DIR=str(knowledge), LOG_LEVEL="WARNING",
               SEMANTIC=semantic)
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(sys.executable, "-c", HARNESS, cwd=ROOT, env=env,
                                                stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL,
                                                stderr=asyncio.subprocess.DEVNULL)
    try:
        await asyncio.wait_for(slack.connected.wait(), 60)
        await slack.push(event_envelope({"type": "message", "channel_type": "im", "user": "U1",
                                         "text": "who directed the video", "ts": "1.1", "channel": "D1"}))
        await slack.wait_for(lambda: slack.posts, timeout=30)
        first_answer = time.perf_counter() - started
        await asyncio.wait_for(fake_discord.ready.wait(), 60)
        await asyncio.sleep(3)  # idle with both connected
        rss, peak = rss_mb(proc.pid)
    finally:
        proc.terminate()
        await proc.wait()
        await slack.close()
        await fake_discord.close()
    return {"first_answer": first_answer, "rss": rss, "peak": peak}


async def cold_ask(knowledge: Path, semantic: str) -> tuple[float, float]:
    """(seconds, peak RSS MB) of `python -m bot ask` for one question."""
    env = dict(os.environ, KNOWLEDGE_DIR=str(knowledge), SEMANTIC=semantic)
    started = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import resource, sys\nfrom bot.cli import main\nmain(['ask', 'who directed the video'])"
        "\nprint(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)",
        cwd=ROOT, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    _, err = await proc.communicate()
    return time.perf_counter() - started, int(err.decode().split()[-1]) / 1024


async def bare_python() -> float:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-c", "import resource; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)",
        stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    return int(out) / 1024


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--knowledge", type=Path, default=ROOT / "knowledge")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    median = statistics.median
    print(f"knowledge: {args.knowledge} ({len(list(args.knowledge.glob('*.md')))} articles), {args.runs} runs, medians")
    print(f"{'what':<58} {'time':>10} {'RSS MB':>8} {'peak MB':>8}")
    for semantic in ("on", "off"):
        runs = [await one_run(args.knowledge.resolve(), semantic) for _ in range(args.runs)]
        asks = [await cold_ask(args.knowledge.resolve(), semantic) for _ in range(args.runs)]
        print(f"{f'SEMANTIC={semantic}: `run`, Slack + Discord connected, idle':<58} {'':>10} "
              f"{median(r['rss'] for r in runs):>8.1f} {median(r['peak'] for r in runs):>8.1f}")
        print(f"{f'SEMANTIC={semantic}: `run`, start-up to the first answer in Slack':<58} "
              f"{median(r['first_answer'] for r in runs):>9.2f}s {'':>8} {'':>8}")
        print(f"{f'SEMANTIC={semantic}: `ask` one question, cold process':<58} {median(a[0] for a in asks):>9.2f}s "
              f"{'':>8} {median(a[1] for a in asks):>8.1f}")
    bare = await bare_python()
    print(f"{'bare `python -c pass` (for scale)':<58} {'':>10} {'':>8} {bare:>8.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
