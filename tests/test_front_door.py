"""The README's two set-up commands stay true: CI runs exactly the documented test command."""

from __future__ import annotations

import re

from tests.conftest import PROJECT


def _readme_commands() -> list[str]:
    setup = PROJECT.joinpath("README.md").read_text().split("## Set-up: two commands", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", setup, re.S).group(1)
    return [line for line in block.splitlines() if line and not line.startswith("#")]


def test_readme_has_two_setup_commands_and_ci_runs_the_test_one():
    start, test = _readme_commands()
    assert start.endswith("-m bot") and "pip install" in start
    assert test.endswith("-m pytest") and ".[test]" in test
    ci = [line for line in PROJECT.joinpath(".ci", "run").read_text().splitlines() if line and not line.startswith("#")]
    assert ci[-1] == test


def test_procfile_and_unit_run_the_same_command():
    assert PROJECT.joinpath("Procfile").read_text().strip() == "worker: python -m bot run"
    unit = PROJECT.joinpath("deploy", "coverage-bot.service").read_text()
    assert "ExecStart=/opt/coverage-bot/.venv/bin/python -m bot run" in unit
    assert "ExecReload=/bin/kill -HUP $MAINPID" in unit and "RestartPreventExitStatus=2" in unit
