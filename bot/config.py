"""All settings, read once from the environment (and .env) into one frozen Config.

Nothing else reads os.environ. Problems are reported by variable name; values (tokens) never appear.
"""

from __future__ import annotations

import base64
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_KNOWLEDGE = "knowledge"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_DISCORD_API_URL = "https://discord.com/api/v10"  # discord.py's own default (http.Route.BASE)
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

# One line each, in the order .env.example lists them: what `run` says when nothing is configured.
SLACK_VARS = ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET")
DISCORD_VARS = ("DISCORD_TOKEN",)

_SLACK_BOT = re.compile(r"^xoxb-[A-Za-z0-9-]+$")
_SLACK_APP = re.compile(r"^xapp-[A-Za-z0-9-]+$")
_SIGNING_SECRET = re.compile(r"^[A-Za-z0-9]{16,}$")
_DISCORD_TOKEN = re.compile(r"^[A-Za-z0-9_-]{17,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")
_SNOWFLAKE = re.compile(r"^\d{15,21}$")
_HTTP_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")


@dataclass(frozen=True, slots=True)
class Config:
    knowledge_dir: Path
    slack_bot_token: str = ""
    slack_app_token: str = ""
    slack_signing_secret: str = ""
    slack_api_url: str = DEFAULT_SLACK_API_URL
    port: str = "3000"
    discord_token: str = ""
    discord_guild_id: str = ""
    discord_application_id: str = ""
    discord_api_url: str = DEFAULT_DISCORD_API_URL
    rate_limit: str = "5"
    rate_limit_window: str = "30"
    log_level: str = "INFO"
    log_questions: str = "false"
    semantic: str = "on"
    feeds: str = ""
    feed_interval: str = "1800"
    feedback_db: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str], knowledge: str | None = None) -> Config:
        """Flag beats environment beats default. Unset and empty variables both mean "not set"."""

        def get(name: str, default: str = "") -> str:
            value = environ.get(name)
            return default if value is None or value == "" else value

        return cls(
            knowledge_dir=Path(knowledge or get("KNOWLEDGE_DIR").strip() or DEFAULT_KNOWLEDGE),
            slack_bot_token=get("SLACK_BOT_TOKEN"), slack_app_token=get("SLACK_APP_TOKEN"),
            slack_signing_secret=get("SLACK_SIGNING_SECRET"),
            slack_api_url=get("SLACK_API_URL", DEFAULT_SLACK_API_URL), port=get("PORT", "3000"),
            discord_token=get("DISCORD_TOKEN"), discord_guild_id=get("DISCORD_GUILD_ID"),
            discord_application_id=get("DISCORD_APPLICATION_ID"),
            discord_api_url=get("DISCORD_API_URL", DEFAULT_DISCORD_API_URL),
            rate_limit=get("RATE_LIMIT", "5"), rate_limit_window=get("RATE_LIMIT_WINDOW", "30"),
            log_level=get("LOG_LEVEL", "INFO"), log_questions=get("LOG_QUESTIONS", "false"),
            semantic=get("SEMANTIC", "on"), feeds=get("FEEDS"), feed_interval=get("FEED_INTERVAL", "1800"),
            feedback_db=get("FEEDBACK_DB"))

    # ---- which platforms are wanted --------------------------------------------------------------
    @property
    def slack_enabled(self) -> bool:
        return bool(self.slack_bot_token or self.slack_app_token or self.slack_signing_secret)

    @property
    def slack_socket_mode(self) -> bool:
        return bool(self.slack_app_token)

    @property
    def discord_enabled(self) -> bool:
        return bool(self.discord_token or self.discord_guild_id)

    # ---- typed values (valid once problems() is empty) --------------------------------------------
    @property
    def port_number(self) -> int:
        return int(self.port)

    @property
    def rate_limit_count(self) -> int:
        return int(self.rate_limit)

    @property
    def rate_limit_seconds(self) -> float:
        return float(self.rate_limit_window)

    @property
    def log_question_text(self) -> bool:
        return self.log_questions.strip().lower() in {"1", "true", "yes", "on"}

    @property
    def semantic_stage(self) -> bool:
        return self.semantic.strip().lower() in {"1", "true", "yes", "on"}

    @property
    def feedback_path(self) -> Path:
        """FEEDBACK_DB, by default beside the index cache."""
        return Path(self.feedback_db) if self.feedback_db else self.knowledge_dir / ".cache" / "feedback.sqlite3"

    @property
    def feed_urls(self) -> tuple[str, ...]:
        """FEEDS: feed URLs separated by spaces or commas."""
        return tuple(u for u in re.split(r"[\s,]+", self.feeds) if u)

    @property
    def feed_interval_seconds(self) -> float:
        return float(self.feed_interval)

    @property
    def discord_app_id(self) -> str:
        """DISCORD_APPLICATION_ID, or the id a bot token carries in its first part."""
        if self.discord_application_id:
            return self.discord_application_id
        first = self.discord_token.split(".")[0]
        try:
            decoded = base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)).decode()
        except (ValueError, UnicodeDecodeError):
            return ""
        return decoded if decoded.isdigit() else ""

    def secrets(self) -> tuple[str, ...]:
        """Values that must never be printed or logged."""
        return tuple(s for s in (self.slack_bot_token, self.slack_app_token, self.slack_signing_secret,
                                 self.discord_token) if s)

    def problems(self) -> list[str]:
        """Every problem with the settings, one sentence each, naming the variable, never its value."""
        problems: list[str] = []
        if self.slack_enabled:
            problems += _slack_problems(self)
        if self.discord_enabled:
            problems += _discord_problems(self)
        if not _is_int(self.port, 1, 65535):
            problems.append("PORT must be a port number from 1 to 65535")
        if not _is_int(self.rate_limit, 1, 10_000):
            problems.append("RATE_LIMIT must be a whole number of questions (at least 1)")
        try:
            if not 0 < float(self.rate_limit_window) <= 86_400:
                raise ValueError
        except ValueError:
            problems.append("RATE_LIMIT_WINDOW must be a number of seconds above 0 (at most 86400)")
        if self.log_level.strip().upper() not in LOG_LEVELS:
            problems.append(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}")
        if self.log_questions.strip().lower() not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
            problems.append("LOG_QUESTIONS must be true or false")
        if self.semantic.strip().lower() not in {"1", "0", "true", "false", "yes", "no", "on", "off"}:
            problems.append("SEMANTIC must be on or off")
        if not self.knowledge_dir.is_dir():
            problems.append(f"KNOWLEDGE_DIR: the folder {self.knowledge_dir} does not exist")
        elif not os.access(self.knowledge_dir, os.R_OK | os.X_OK):
            problems.append(f"KNOWLEDGE_DIR: the folder {self.knowledge_dir} cannot be read by this user")
        elif self.feed_urls and not os.access(self.knowledge_dir, os.W_OK):
            problems.append(f"FEEDS: new articles go into {self.knowledge_dir}, which this user cannot write to")
        for number, url in enumerate(self.feed_urls, start=1):
            if not _HTTP_URL.match(url):
                problems.append(f"FEEDS: entry {number} is not an http(s) URL (separate feeds with spaces or commas)")
        try:
            if float(self.feed_interval) < 10:
                raise ValueError
        except ValueError:
            problems.append("FEED_INTERVAL must be a number of seconds, at least 10")
        return problems


def _token_shape_problem(name: str, value: str, pattern: re.Pattern, what: str) -> str | None:
    if value != value.strip():
        return f"{name} has spaces or a line break around it; remove them"
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return f"{name} is wrapped in quotes; remove them"
    if not pattern.match(value):
        return f"{name} does not look like {what}"
    return None


def _slack_problems(config: Config) -> list[str]:
    problems = []
    bot, app, secret = config.slack_bot_token, config.slack_app_token, config.slack_signing_secret
    if not bot:
        problems.append("SLACK_BOT_TOKEN is missing: Slack needs the bot token (xoxb-…) from OAuth & Permissions")
    elif bot.strip().startswith("xapp-"):
        problems.append("SLACK_BOT_TOKEN holds an app-level token (xapp-…); that one belongs in SLACK_APP_TOKEN, "
                        "and SLACK_BOT_TOKEN takes the bot token (xoxb-…)")
    elif bot.strip().startswith("xoxp-"):
        problems.append("SLACK_BOT_TOKEN holds a user token (xoxp-…); use the bot token (xoxb-…)")
    else:
        problem = _token_shape_problem("SLACK_BOT_TOKEN", bot, _SLACK_BOT, "a Slack bot token (xoxb-…)")
        problems += [problem] if problem else []
    if app:
        if app.strip().startswith("xox"):
            problems.append("SLACK_APP_TOKEN holds a bot or user token (xox…); it takes the app-level token "
                            "(xapp-…) from Basic Information → App-Level Tokens")
        else:
            problem = _token_shape_problem("SLACK_APP_TOKEN", app, _SLACK_APP, "a Slack app-level token (xapp-…)")
            problems += [problem] if problem else []
    if secret:
        problem = _token_shape_problem("SLACK_SIGNING_SECRET", secret, _SIGNING_SECRET,
                                       "a Slack signing secret (letters and digits)")
        problems += [problem] if problem else []
    if bot and not app and not secret:
        problems.append("SLACK_BOT_TOKEN is set but neither SLACK_APP_TOKEN (Socket Mode) nor "
                        "SLACK_SIGNING_SECRET (HTTP mode) is: set one of them")
    if not _HTTP_URL.match(config.slack_api_url):
        problems.append("SLACK_API_URL must be an http(s) URL such as https://slack.com/api/")
    return problems


def _discord_problems(config: Config) -> list[str]:
    problems = []
    token = config.discord_token
    if not token:
        problems.append("DISCORD_TOKEN is missing: DISCORD_GUILD_ID is set, but the bot token is not")
    elif token.strip().lower().startswith("bot "):
        problems.append("DISCORD_TOKEN starts with 'Bot '; paste the token alone")
    else:
        problem = _token_shape_problem("DISCORD_TOKEN", token, _DISCORD_TOKEN,
                                       "a Discord bot token (three dot-separated parts, from Developer Portal → Bot)")
        problems += [problem] if problem else []
    if config.discord_guild_id and not _SNOWFLAKE.match(config.discord_guild_id.strip()):
        problems.append("DISCORD_GUILD_ID must be a server id: 15 to 21 digits (right-click the server → Copy Server ID)")
    if config.discord_application_id and not _SNOWFLAKE.match(config.discord_application_id.strip()):
        problems.append("DISCORD_APPLICATION_ID must be an application id: 15 to 21 digits")
    if not _HTTP_URL.match(config.discord_api_url):
        problems.append("DISCORD_API_URL must be an http(s) URL such as https://discord.com/api/v10")
    return problems


def _is_int(value: str, low: int, high: int) -> bool:
    try:
        return low <= int(value) <= high
    except ValueError:
        return False


def load_environment(environ: Mapping[str, str], dotenv_path: str | Path = ".env") -> dict[str, str]:
    """The process environment over the .env file's values (the environment wins)."""
    from dotenv import dotenv_values

    merged = {k: v for k, v in dotenv_values(dotenv_path).items() if v is not None} if Path(dotenv_path).is_file() \
        else {}
    merged.update(environ)
    return merged
