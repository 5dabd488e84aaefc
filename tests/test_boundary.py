"""The core knows no chat platform: it must stay importable and testable without them."""

from __future__ import annotations

import ast
from pathlib import Path

import bot

PLATFORM = {"discord", "slack_bolt", "slack_sdk", "aiohttp", "bot.adapters", "dotenv", "os"}
CORE = Path(bot.__file__).parent / "core"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_imports_no_platform_library():
    offenders = {}
    for path in sorted(CORE.glob("*.py")):
        bad = {n for n in _imports(path) if any(n == p or n.startswith(p + ".") for p in PLATFORM)}
        if bad:
            offenders[path.name] = bad
    assert offenders == {}
