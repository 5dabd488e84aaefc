"""All settings, read once from the environment (and .env) into one frozen Config."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_KNOWLEDGE = "knowledge"


@dataclass(frozen=True, slots=True)
class Config:
    knowledge_dir: Path

    @classmethod
    def from_env(cls, environ: Mapping[str, str], knowledge: str | None = None) -> Config:
        """Flag beats environment beats default."""
        directory = knowledge or environ.get("KNOWLEDGE_DIR", "").strip() or DEFAULT_KNOWLEDGE
        return cls(knowledge_dir=Path(directory))
