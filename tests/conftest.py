"""Shared fixtures: a small made-up corpus (not the shipped one), a clean environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.assistant import Assistant

PROJECT = Path(__file__).resolve().parent.parent
SHIPPED_KNOWLEDGE = PROJECT / "knowledge"
PLATFORM_VARS = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_API_URL", "DISCORD_TOKEN",
                 "DISCORD_GUILD_ID", "DISCORD_APPLICATION_ID", "KNOWLEDGE_DIR", "PORT", "LOG_LEVEL",
                 "LOG_QUESTIONS", "RATE_LIMIT", "RATE_LIMIT_WINDOW", "SEMANTIC", "DISCORD_API_URL", "FEEDS",
                 "FEED_INTERVAL", "FEEDBACK_DB")

ARTICLES = {
    "ledger-bridge.md": """---
title: Riverside Bridge Reopens After Two-Year Repair
outlet: Daily Ledger
url: https://ledger.example/riverside-bridge
published: 2023-03-04
author: Jo Park
---

The Riverside Bridge reopened to traffic on Friday (March 3) after a two-year repair that cost $48 million.

Mayor Dana Whitfield cut the ribbon at dawn. “This bridge carries our city. Today it carries it again,” Whitfield said.

The repair was led by engineer Tomas Ruiz, 52, whose firm Ruiz Structural replaced every cable.
""",
    "metro-bridge.md": """---
title: Drivers Return To Riverside Bridge
outlet: Metro Times
url: https://metro.example/drivers-return
published: 2023-03-05
---

Drivers returned to the Riverside Bridge on Saturday, March 4, when the span reopened after its long repair.

The city said the work cost about $48 million. Engineer Tomas Ruiz said the new cables should last 80 years.

“We rebuilt it for our grandchildren,” Ruiz told reporters. “They will cross it without a second thought.”
""",
    "coastal-ferry.md": """---
title: Ferry Service Ends As Bridge Opens
outlet: Coastal Post
url: https://coastal.example/ferry-ends
published: ""
---

The temporary ferry that carried commuters across the river during the repair made its last trip on Sunday.

Captain Lee Moreno, who ran the ferry for two years, said the crew would miss the passengers. A spokesperson for the Harbor Authority said the boat will be sold.
""",
}


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch):
    """No test sees the developer's platform tokens or knowledge setting."""
    for name in PLATFORM_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "knowledge"
    directory.mkdir()
    for name, text in ARTICLES.items():
        (directory / name).write_text(text, encoding="utf-8")
    return directory


@pytest.fixture
def assistant(knowledge_dir: Path) -> Assistant:
    return Assistant.from_directory(knowledge_dir)


@pytest.fixture(scope="session")
def shipped_assistant() -> Assistant:
    return Assistant.from_directory(SHIPPED_KNOWLEDGE)
