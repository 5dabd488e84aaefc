"""The Discord adapter with the real discord.py client against a loopback fake of Discord."""

from __future__ import annotations

import asyncio
import logging
from urllib.parse import parse_qs, urlparse

import discord
import pytest
import yarl

from bot.adapters.discord_client import (PERMISSIONS, invite_url, is_addressed_to, run_discord, to_embed,
                                         to_question)
from bot.config import Config
from bot.core.answers import Answer, Citation
from bot.errors import ConfigError
from bot.service import Service
from tests.fakes import discord as fake_discord_module
from tests.fakes.discord import APP_ID, BAD_TOKEN, BOT_USER, GUILD_ID, OTHER_BOT_ID, FakeDiscord, user

TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAx.GfAkeX.fake-token-fake-token-fake-token-ok"


# ---- pure translators ---------------------------------------------------------------------------
def test_who_is_answered():
    assert is_addressed_to(message_is_dm=True, mentions_bot=False, author_is_bot=False)
    assert is_addressed_to(message_is_dm=False, mentions_bot=True, author_is_bot=False)
    assert not is_addressed_to(message_is_dm=False, mentions_bot=False, author_is_bot=False)
    assert not is_addressed_to(message_is_dm=True, mentions_bot=True, author_is_bot=True)


def test_to_question_and_embed_limits():
    assert to_question("<@100000000000000001> who led <#3> the repair <@&7>") == "who led the repair"
    answer = Answer(question="q", abstained=False, answer="x" * 5000,
                    citations=(Citation("Out", "A [title]", "https://o.example/a", "2024-01-02", "t"),) * 3)
    embed = to_embed(answer, asked="y" * 300)
    assert len(embed.description) == 4096 and len(embed.title) == 256
    assert embed.fields[0].value.startswith("[1] [Out — A \\[title\\], 2024-01-02](https://o.example/a)")


def test_invite_url_has_exactly_the_needed_scopes_and_permissions():
    query = parse_qs(urlparse(invite_url(APP_ID)).query)
    assert query["client_id"] == [APP_ID]
    assert query["scope"] == ["bot applications.commands"]
    expected = discord.Permissions(view_channel=True, send_messages=True, send_messages_in_threads=True,
                                   embed_links=True, read_message_history=True)
    assert int(query["permissions"][0]) == expected.value == PERMISSIONS.value
    assert not PERMISSIONS.administrator and not PERMISSIONS.mention_everyone


# ---- against the fake ---------------------------------------------------------------------------
@pytest.fixture
async def fake_discord(monkeypatch):
    fake = await FakeDiscord().start()
    monkeypatch.setattr(discord.http.Route, "BASE", fake.api_base)  # (restored afterwards; run_discord sets it)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(fake.gateway_url))
    yield fake
    await fake.close()


async def _start(fake, assistant, knowledge_dir, **settings):
    config = Config(knowledge_dir=knowledge_dir, discord_token=TOKEN, rate_limit="1000",
                    discord_api_url=fake.api_base, **settings)
    stop = asyncio.Event()
    task = asyncio.create_task(run_discord(Service(assistant, config), config, stop))
    await asyncio.wait_for(fake.ready.wait(), 10)
    await fake.wait_for(lambda: fake.synced)
    return stop, task


@pytest.fixture
async def bot(fake_discord, assistant, knowledge_dir):
    stop, task = await _start(fake_discord, assistant, knowledge_dir)
    yield fake_discord
    stop.set()
    await asyncio.wait_for(task, 10)


async def test_identifies_with_default_intents_only(bot):
    intents = bot.identify["intents"]
    assert intents == discord.Intents.default().value
    privileged = discord.Intents(members=True, presences=True, message_content=True).value
    assert intents & privileged == 0


async def test_commands_are_synced_globally(bot):
    path, commands = bot.synced[0]
    assert path == f"/applications/{APP_ID}/commands"
    slash = [c for c in commands if c.get("type", 1) == 1]
    assert {c["name"] for c in slash} == {"ask", "quote", "sources", "summary"}
    assert [c["name"] for c in commands if c.get("type") == 3] == ["Check against coverage"]  # a message command
    quote = next(c for c in commands if c["name"] == "quote")
    assert quote["options"][0]["name"] == "topic" and quote["options"][0]["autocomplete"] is True
    assert all(c["description"] for c in slash)


async def test_guild_id_syncs_to_that_server(fake_discord, assistant, knowledge_dir):
    stop, task = await _start(fake_discord, assistant, knowledge_dir, discord_guild_id=GUILD_ID)
    assert fake_discord.synced[0][0] == f"/applications/{APP_ID}/guilds/{GUILD_ID}/commands"
    stop.set()
    await asyncio.wait_for(task, 10)


async def test_mention_gets_a_reply_that_pings_nobody(bot):
    sent = await bot.push_message(f"<@{APP_ID}> @everyone who led the repair?", mentions=[BOT_USER])
    await bot.wait_for(lambda: bot.messages)
    reply = bot.messages[0]
    assert str(reply["message_reference"]["message_id"]) == sent["id"]
    assert reply["allowed_mentions"]["parse"] == [] and reply["allowed_mentions"].get("replied_user") is False
    embed = reply["embeds"][0]
    assert "Tomas Ruiz" in embed["description"]
    assert "https://ledger.example/riverside-bridge" in embed["fields"][0]["value"]


async def test_dm_gets_a_reply(bot):
    await bot.push_message("who ran the ferry", dm=True)
    await bot.wait_for(lambda: bot.messages)
    assert "Moreno" in bot.messages[0]["embeds"][0]["description"]


async def test_unmentioned_and_bot_messages_are_ignored(bot):
    await bot.push_message("who led the repair?")  # no mention
    await bot.push_message(f"<@{APP_ID}> who led the repair?", author=user(OTHER_BOT_ID, "other", bot=True),
                           mentions=[BOT_USER])
    await bot.push_message("who ran the ferry", dm=True)  # answered: proves the two before were processed
    await bot.wait_for(lambda: bot.messages)
    await asyncio.sleep(0)  # let any late reply land before counting
    assert len(bot.messages) == 1 and "Moreno" in bot.messages[0]["embeds"][0]["description"]


async def test_ask_command_responds_within_3_seconds(bot):
    interaction = await bot.push_command("ask", [{"name": "question", "type": 3, "value": "who led the repair"}])
    await bot.wait_for(lambda: bot.callbacks)
    callback = bot.callbacks[0]
    assert callback["interaction_id"] == interaction and callback["type"] == 4
    assert callback["_at"] - bot.sent_at[interaction] < 3.0
    data = callback["data"]
    assert data["allowed_mentions"]["parse"] == []
    assert data["embeds"][0]["title"] == "who led the repair" and "Tomas Ruiz" in data["embeds"][0]["description"]


async def test_quote_command_and_its_autocomplete(bot):
    await bot.push_command("quote", [{"name": "topic", "type": 3, "value": "rui", "focused": True}], autocomplete=True)
    await bot.wait_for(lambda: bot.callbacks)
    choices = bot.callbacks[0]["data"]["choices"]
    assert bot.callbacks[0]["type"] == 8 and {"name": "Ruiz", "value": "Ruiz"} in choices
    await bot.push_command("quote", [{"name": "topic", "type": 3, "value": "grandchildren"}])
    await bot.wait_for(lambda: len(bot.callbacks) == 2)
    assert "Ruiz" in bot.callbacks[1]["data"]["embeds"][0]["description"]


async def test_sources_is_ephemeral(bot):
    await bot.push_command("sources")
    await bot.wait_for(lambda: bot.callbacks)
    data = bot.callbacks[0]["data"]
    assert data["flags"] & 64 and "https://metro.example/drivers-return" in data["embeds"][0]["description"]


async def test_burst_of_30_interactions_all_answered_within_3_seconds(bot):
    ids = await asyncio.gather(*(bot.push_command(
        "ask", [{"name": "question", "type": 3, "value": f"who led the repair {i}"}], user_id=str(700 + i))
        for i in range(30)))
    await bot.wait_for(lambda: len(bot.callbacks) == 30, timeout=10)
    slowest = max(c["_at"] - bot.sent_at[c["interaction_id"]] for c in bot.callbacks)
    assert {c["interaction_id"] for c in bot.callbacks} == set(ids)
    assert slowest < 3.0, f"slowest first response took {slowest:.2f}s"


async def test_resumes_after_a_forced_reconnect_and_keeps_answering(bot):
    await bot.force_reconnect()
    await asyncio.wait_for(bot.resumed.wait(), 10)
    assert bot.resumes[0]["session_id"] == "fake-session" and bot.resumes[0]["seq"] >= 2
    assert bot.connections == 2
    await bot.push_message("who ran the ferry", dm=True)
    await bot.wait_for(lambda: bot.messages)
    assert "Moreno" in bot.messages[0]["embeds"][0]["description"]


async def test_rejected_token_names_the_variable(fake_discord, assistant, knowledge_dir):
    config = Config(knowledge_dir=knowledge_dir, discord_token=BAD_TOKEN, discord_api_url=fake_discord.api_base)
    with pytest.raises(ConfigError, match="DISCORD_TOKEN was rejected"):
        await asyncio.wait_for(run_discord(Service(assistant, config), config, asyncio.Event()), 10)


def test_fake_module_is_loopback_only():
    assert fake_discord_module.FakeDiscord().url == ""  # bound only when started, on 127.0.0.1


async def test_losing_discord_mid_run_is_one_line_and_stop_is_prompt(fake_discord, assistant, knowledge_dir, caplog):
    caplog.set_level(logging.INFO)
    stop, task = await _start(fake_discord, assistant, knowledge_dir)
    await fake_discord.close()  # gateway and REST gone: discord.py's own reconnect loop takes over
    await asyncio.sleep(4)  # its backoff: a few attempts
    stop.set()
    await asyncio.wait_for(task, 3)
    lines = [r for r in caplog.records if r.name in ("discord.client", "bot.adapters.reconnect")
             and r.levelno >= logging.WARNING]
    assert len(lines) == 1 and lines[0].exc_info is None, [r.getMessage() for r in lines]
    assert "discord:" in lines[0].getMessage() and "DISCORD_API_URL" in lines[0].getMessage()


async def test_a_reply_to_an_answer_is_a_follow_up_and_a_new_mention_is_not(bot):
    await bot.push_message(f"<@{APP_ID}> who led the repair?", mentions=[BOT_USER])
    await bot.wait_for(lambda: len(bot.messages) == 1)
    answer_id = bot.messages[0]["id"]
    await bot.push_message(f"<@{APP_ID}> how old is he?", mentions=[BOT_USER], reply_to=answer_id)
    await bot.wait_for(lambda: len(bot.messages) == 2)
    assert "52" in bot.messages[1]["embeds"][0]["description"]  # "he": the engineer the answer named
    await bot.push_message(f"<@{APP_ID}> how old is he?", mentions=[BOT_USER])  # a new conversation
    await bot.wait_for(lambda: len(bot.messages) == 3)
    assert "52" not in bot.messages[2]["embeds"][0]["description"]
    await bot.push_message(f"<@{APP_ID}> and the mayor's age?", mentions=[BOT_USER], reply_to=bot.messages[1]["id"])
    await bot.wait_for(lambda: len(bot.messages) == 4)  # the chain goes on from the second answer
    assert "couldn't find" in bot.messages[3]["embeds"][0]["description"]  # the coverage gives no age for her


async def test_a_dm_is_one_conversation(bot):
    await bot.push_message("who led the repair", dm=True)
    await bot.push_message("how old is he", dm=True)
    await bot.wait_for(lambda: len(bot.messages) == 2)
    assert "52" in bot.messages[1]["embeds"][0]["description"]


async def test_summary_command(bot):
    await bot.push_command("summary")
    await bot.wait_for(lambda: bot.callbacks)
    embed = bot.callbacks[0]["data"]["embeds"][0]
    assert "Where the outlets disagree" in embed["description"] and "March 4" in embed["description"]


# ---- feedback buttons and the message command --------------------------------------------------------
def _custom_ids(body: dict) -> list[str]:
    return [c["custom_id"] for row in body.get("components", []) for c in row["components"]]


async def test_answers_carry_buttons_and_a_click_after_a_restart_still_counts(fake_discord, assistant, knowledge_dir):
    from bot.feedback import FeedbackStore

    stop, task = await _start(fake_discord, assistant, knowledge_dir)
    await fake_discord.push_message(f"<@{APP_ID}> who is the president of france?", mentions=[BOT_USER])
    await fake_discord.push_command("ask", [{"name": "question", "type": 3, "value": "who led the repair"}])
    await fake_discord.wait_for(lambda: fake_discord.messages and fake_discord.callbacks)
    reply_ids, command_ids = _custom_ids(fake_discord.messages[0]), _custom_ids(fake_discord.callbacks[0]["data"])
    assert [i.split(":")[1] for i in reply_ids] == ["up", "down"] and len(command_ids) == 2  # an abstention too
    stop.set()
    await asyncio.wait_for(task, 10)
    fake_discord.ready.clear()
    stop, task = await _start(fake_discord, assistant, knowledge_dir)  # a new process, the same store
    clicked = await fake_discord.click(command_ids[0])
    await fake_discord.wait_for(lambda: any(c["interaction_id"] == clicked for c in fake_discord.callbacks))
    note = next(c for c in fake_discord.callbacks if c["interaction_id"] == clicked)
    assert note["data"]["flags"] & 64 and "helpful" in note["data"]["content"]  # ephemeral
    assert note["_at"] - fake_discord.sent_at[clicked] < 3.0
    stop.set()
    await asyncio.wait_for(task, 10)
    assert FeedbackStore(knowledge_dir / ".cache" / "feedback.sqlite3").report()["votes"] == {"up": 1, "down": 0}


@pytest.mark.parametrize("claim, expected", [("the bridge reopened on March 3 @everyone", "supports this"),
                                             ("the repair cost $60 million", "says otherwise"),
                                             ("aliens built it", "neither supports nor contradicts")])
async def test_the_message_command_checks_a_claim_privately(bot, claim, expected):
    await bot.message_command("Check against coverage", claim)
    await bot.wait_for(lambda: bot.callbacks)
    reply = bot.callbacks[0]["data"]
    assert reply["flags"] & 64 and expected in reply["embeds"][0]["description"]  # only the moderator sees it
    assert reply["allowed_mentions"]["parse"] == []
