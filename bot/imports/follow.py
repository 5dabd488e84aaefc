"""Feeds followed while the bot runs: FEEDS polled every FEED_INTERVAL seconds, new items imported.

What was seen is kept in `knowledge/.cache/feeds.json`, so a restart neither re-fetches old items
nor misses new ones; so are the feeds' ETag and Last-Modified, so an unchanged feed costs a 304. A failing feed is logged once per failure streak; an item whose page keeps
failing is retried on the next polls and given up (with one line) after a few.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path

from bot.imports.importer import Options, Outcome, import_sources

log = logging.getLogger(__name__)

STATE_FILE = "feeds.json"
ITEM_ATTEMPTS = 3  # polls an item's page may fail before it is given up: rides out a short outage
SEEN_KEPT = 2000  # links remembered per feed; feeds list their last few dozen items


class FeedFollower:
    def __init__(self, feeds: tuple[str, ...], folder: Path, state_dir: Path):
        self.feeds, self.folder = feeds, Path(folder)
        self.state_path = Path(state_dir) / STATE_FILE
        self.seen: dict[str, list[str]] = {}
        self.attempts: dict[str, int] = {}
        self.validators: dict[str, tuple[str, str]] = {}  # feed -> (ETag, Last-Modified): conditional GETs
        self.failing: set[str] = set()  # feeds in a failure streak (logged once)
        self._load()

    def poll(self) -> list[Outcome]:
        """Import what is new in every feed; the outcomes of the articles added. Blocking: run it in a thread."""
        added: list[Outcome] = []
        for feed in self.feeds:
            options = Options(seen=frozenset(self.seen.get(feed, ())), validators=self.validators)
            outcomes = list(import_sources([feed], self.folder, options))
            feed_failure = next((o for o in outcomes if o.source == feed and o.status == "failed"), None)
            if feed_failure is not None:
                if feed not in self.failing:
                    log.warning("feed %s: %s; retrying every poll, quietly until it works", feed, feed_failure.detail)
                self.failing.add(feed)
                continue
            if feed in self.failing:
                log.info("feed %s: readable again", feed)
                self.failing.discard(feed)
            for outcome in outcomes:
                if not outcome.source.startswith(("http://", "https://")) or outcome.source == feed:
                    continue  # (a broken knowledge file is `check`'s to report)
                if outcome.status == "added":
                    log.info("feed %s: %s", feed, outcome.line)
                    added.append(outcome)
                elif outcome.status == "failed":
                    self.attempts[outcome.source] = tries = self.attempts.get(outcome.source, 0) + 1
                    if tries < ITEM_ATTEMPTS:
                        continue
                    log.warning("feed %s: giving up on %s after %d tries: %s", feed, outcome.source, tries,
                                outcome.detail)
                self.attempts.pop(outcome.source, None)
                self.seen.setdefault(feed, []).append(outcome.source)
            self.seen[feed] = self.seen.get(feed, [])[-SEEN_KEPT:]
        self._save()
        return added

    def _load(self) -> None:
        try:
            state = json.loads(self.state_path.read_text(encoding="utf-8"))
            self.seen = {str(k): [str(x) for x in v] for k, v in state.get("seen", {}).items()}
            self.attempts = {str(k): int(v) for k, v in state.get("attempts", {}).items()}
            self.validators = {str(k): (str(v[0]), str(v[1])) for k, v in state.get("validators", {}).items()}
        except FileNotFoundError:
            return
        except (OSError, ValueError, AttributeError, TypeError) as exc:
            log.warning("%s cannot be read (%s); starting afresh (items already imported are still "
                        "recognised by their URL)", self.state_path, exc)

    def _save(self) -> None:
        try:
            self.state_path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".feeds-", dir=self.state_path.parent)
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump({"seen": self.seen, "attempts": self.attempts, "validators": self.validators}, out)
            os.replace(temporary, self.state_path)
        except OSError as exc:
            log.warning("cannot save %s (%s): seen items are recognised by their URL after a restart",
                        self.state_path, exc)
