from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config, load_environment

GOOD_DISCORD = "MTAwMDAwMDAwMDAwMDAwMDAx.GfAkeX.fake-token-fake-token-fake-token-ok"


def config(tmp_path: Path, **env) -> Config:
    return Config.from_env({"KNOWLEDGE_DIR": str(tmp_path), **env})


def test_defaults_have_no_problems(tmp_path):
    c = config(tmp_path)
    assert c.problems() == [] and not c.slack_enabled and not c.discord_enabled
    assert c.slack_api_url == "https://slack.com/api/" and c.rate_limit_count == 5 and c.rate_limit_seconds == 30


def test_flag_beats_environment_beats_default(tmp_path):
    assert Config.from_env({"KNOWLEDGE_DIR": "from-env"}, knowledge="from-flag").knowledge_dir == Path("from-flag")
    assert Config.from_env({"KNOWLEDGE_DIR": "from-env"}).knowledge_dir == Path("from-env")
    assert Config.from_env({}).knowledge_dir == Path("knowledge")


@pytest.mark.parametrize("env, expected", [
    ({"SLACK_BOT_TOKEN": "xapp-1-abc", "SLACK_APP_TOKEN": "xapp-1-abc"}, "SLACK_BOT_TOKEN holds an app-level token"),
    ({"SLACK_BOT_TOKEN": "xoxp-1-abc", "SLACK_APP_TOKEN": "xapp-1-abc"}, "SLACK_BOT_TOKEN holds a user token"),
    ({"SLACK_BOT_TOKEN": "xoxb-1-abc", "SLACK_APP_TOKEN": "xoxb-1-abc"}, "SLACK_APP_TOKEN holds a bot or user token"),
    ({"SLACK_BOT_TOKEN": " xoxb-1-abc", "SLACK_APP_TOKEN": "xapp-1-a"}, "SLACK_BOT_TOKEN has spaces"),
    ({"SLACK_BOT_TOKEN": "'xoxb-1-abc'", "SLACK_APP_TOKEN": "xapp-1-a"}, "SLACK_BOT_TOKEN is wrapped in quotes"),
    ({"SLACK_BOT_TOKEN": "xoxb-1-abc"}, "neither SLACK_APP_TOKEN (Socket Mode) nor SLACK_SIGNING_SECRET"),
    ({"SLACK_APP_TOKEN": "xapp-1-abc"}, "SLACK_BOT_TOKEN is missing"),
    ({"SLACK_SIGNING_SECRET": "abcdef0123456789abcdef"}, "SLACK_BOT_TOKEN is missing"),
    ({"SLACK_BOT_TOKEN": "xoxb-1-a", "SLACK_SIGNING_SECRET": "not a secret!"}, "SLACK_SIGNING_SECRET does not look"),
    ({"SLACK_BOT_TOKEN": "xoxb-1-a", "SLACK_APP_TOKEN": "xapp-1-a", "SLACK_API_URL": "slack.com"}, "SLACK_API_URL"),
    ({"DISCORD_TOKEN": "Bot " + GOOD_DISCORD}, "DISCORD_TOKEN starts with 'Bot '"),
    ({"DISCORD_TOKEN": "not-a-token"}, "DISCORD_TOKEN does not look like a Discord bot token"),
    ({"DISCORD_TOKEN": GOOD_DISCORD + "\n"}, "DISCORD_TOKEN has spaces or a line break"),
    ({"DISCORD_GUILD_ID": "123456789012345678"}, "DISCORD_TOKEN is missing"),
    ({"DISCORD_TOKEN": GOOD_DISCORD, "DISCORD_GUILD_ID": "my server"}, "DISCORD_GUILD_ID must be a server id"),
    ({"PORT": "http"}, "PORT must be a port number"),
    ({"RATE_LIMIT": "0"}, "RATE_LIMIT must be"),
    ({"RATE_LIMIT_WINDOW": "soon"}, "RATE_LIMIT_WINDOW must be"),
    ({"LOG_LEVEL": "LOUD"}, "LOG_LEVEL must be one of"),
    ({"LOG_QUESTIONS": "maybe"}, "LOG_QUESTIONS must be true or false"),
])
def test_each_problem_names_the_variable_and_never_the_value(tmp_path, env, expected):
    problems = config(tmp_path, **env).problems()
    assert any(expected in p for p in problems), problems
    secrets = [v for k, v in env.items() if "TOKEN" in k or "SECRET" in k]
    for value in secrets:
        assert all(value.strip().strip("'") not in p for p in problems)


def test_valid_platforms(tmp_path):
    socket = config(tmp_path, SLACK_BOT_TOKEN="xoxb-1-abc", SLACK_APP_TOKEN="xapp-1-abc")
    http = config(tmp_path, SLACK_BOT_TOKEN="xoxb-1-abc", SLACK_SIGNING_SECRET="abcdef0123456789abcdef")
    discord = config(tmp_path, DISCORD_TOKEN=GOOD_DISCORD, DISCORD_GUILD_ID="123456789012345678")
    assert socket.problems() == [] and socket.slack_socket_mode
    assert http.problems() == [] and not http.slack_socket_mode
    assert discord.problems() == [] and discord.discord_app_id == "100000000000000001"


def test_missing_knowledge_folder(tmp_path):
    assert "KNOWLEDGE_DIR: the folder" in Config.from_env({"KNOWLEDGE_DIR": str(tmp_path / "nope")}).problems()[0]


def test_environment_wins_over_dotenv(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text("DISCORD_TOKEN=from-file\nLOG_LEVEL=DEBUG\n# a comment\nPORT=\n")
    merged = load_environment({"DISCORD_TOKEN": "from-env"}, dotenv)
    assert merged["DISCORD_TOKEN"] == "from-env" and merged["LOG_LEVEL"] == "DEBUG"
    assert load_environment({}, tmp_path / "missing.env") == {}


def test_env_example_documents_every_variable():
    import re
    root = Path(__file__).resolve().parent.parent
    example = (root / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", example, re.M))
    used = set(re.findall(r'get\("([A-Z_]+)"', (root / "bot" / "config.py").read_text()))
    assert used <= documented, used - documented
    for name in documented:  # each has a comment line right above it
        assert re.search(rf"^# .+\n#?\s*{name}=", example, re.M), name
