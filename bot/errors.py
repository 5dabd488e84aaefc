"""Errors whose messages are written for the person running the bot.

BotError
 ├── KnowledgeError   a knowledge file or folder cannot be used (names the file and the problem)
 ├── ConfigError      a setting is missing or malformed (names the variable, never its value)
 └── ModelError       the sentence-embedding model is missing or its file is corrupt (names the file)
"""

from __future__ import annotations


class BotError(Exception):
    """Base class: the message is a sentence a user or admin can act on."""


class KnowledgeError(BotError):
    """One or more knowledge files are broken; `problems` lists each one."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        count = len(self.problems)
        head = "1 problem" if count == 1 else f"{count} problems"
        super().__init__(f"the knowledge folder has {head}:\n" + "\n".join(f"  - {p}" for p in self.problems))


class ConfigError(BotError):
    """The configuration has problems; `problems` lists each one."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("configuration problems:\n" + "\n".join(f"  - {p}" for p in self.problems))


class ModelError(BotError):
    """The sentence-embedding model is missing or damaged; the message says what to reinstall."""
