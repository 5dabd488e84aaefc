"""The Slack adapter with the real slack_bolt/slack_sdk clients against a loopback fake of Slack."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

from urllib.parse import urlencode

import aiohttp
import pytest
from slack_sdk.signature import SignatureVerifier

from bot.adapters.slack_app import (SECTION_LIMIT, SeenMessages, is_answerable, is_direct_message, is_from_bot,
                                    start_slack, to_question, to_slack_message)
from bot.config import Config
from bot.core.answers import Answer, Citation
from bot.service import Service
from tests.fakes.slack import (FakeSlack, button_click, command_envelope, command_payload, event_callback, event_envelope,
                               interactive_envelope, message_shortcut)

PAYLOADS = Path(__file__).parent / "payloads"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


def payload(name: str) -> dict:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


# ---- pure translators ---------------------------------------------------------------------------
def test_recorded_events_are_classified():
    assert not is_from_bot(payload("slack_app_mention")) and is_answerable(payload("slack_app_mention"))
    assert is_direct_message(payload("slack_dm")) and is_answerable(payload("slack_dm"))
    assert is_from_bot(payload("slack_bot_dm")) and not is_answerable(payload("slack_bot_dm"))
    assert not is_answerable(payload("slack_message_changed"))


def test_to_question_strips_mentions_and_unescapes():
    assert to_question("<@UBOT1> who &amp; why &lt;3 <!channel> <#C1|general>") == "who & why <3"


def test_message_escapes_and_links_and_stays_in_limits():
    answer = Answer(question="q", abstained=False, answer="A & B <!channel> " + "x" * 4000,
                    citations=(Citation("Out|let", "T <b>", "https://o.example/a?b=1&c=2", "2024-01-01", "t"),))
    message = to_slack_message(answer, asked="<!here> hi")
    assert message["unfurl_links"] is False and message["unfurl_media"] is False
    texts = [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    assert texts[0] == "*Question:* &lt;!here&gt; hi"
    assert texts[1].startswith("A &amp; B &lt;!channel&gt;") and len(texts[1]) <= SECTION_LIMIT
    link = message["blocks"][-1]["elements"][0]["text"]
    assert link == "<https://o.example/a?b=1&amp;c=2|[1] Out¦let — T &lt;b&gt;, 2024-01-01>"
    assert len(message["text"]) <= 3000


def test_seen_messages_lets_a_failed_message_be_retried():
    seen = SeenMessages()
    assert seen.begin(("C", "1")) and not seen.begin(("C", "1"))  # in progress
    seen.failed(("C", "1"))
    assert seen.begin(("C", "1"))
    seen.done(("C", "1"))
    assert not seen.begin(("C", "1"))


# ---- Socket Mode against the fake ---------------------------------------------------------------
@pytest.fixture
async def fake_slack():
    fake = await FakeSlack().start()
    yield fake
    await fake.close()


@pytest.fixture
async def socket_bot(fake_slack, assistant, knowledge_dir):
    config = Config(knowledge_dir=knowledge_dir, slack_bot_token="xoxb-1-fake", slack_app_token="xapp-1-fake",
                    slack_api_url=fake_slack.api_url, rate_limit="1000")
    connection = await start_slack(Service(assistant, config), config)
    await asyncio.wait_for(fake_slack.connected.wait(), 5)
    yield fake_slack
    await connection.close()


async def test_mention_is_answered_in_its_thread(socket_bot):
    envelope_id = await socket_bot.push(event_envelope(payload("slack_app_mention")))
    await socket_bot.wait_for(lambda: socket_bot.posts and envelope_id in socket_bot.acks)
    post = socket_bot.posts[0]
    assert post["channel"] == "C0CHAN" and post["thread_ts"] == "1700000000.000100"
    assert "Tomas Ruiz" in post["text"]
    blocks = post["blocks"]
    assert blocks[-2]["type"] == "context" and "https://ledger.example/riverside-bridge" in blocks[-2]["elements"][0]["text"]
    assert [e["action_id"] for e in blocks[-1]["elements"]] == ["feedback_up", "feedback_down"]
    assert post["unfurl_links"] is False and post["unfurl_media"] is False


async def test_direct_message_is_answered_in_the_dm(socket_bot):
    await socket_bot.push(event_envelope(payload("slack_dm")))
    await socket_bot.wait_for(lambda: socket_bot.posts)
    assert socket_bot.posts[0]["channel"] == "D0DM" and "thread_ts" not in socket_bot.posts[0]
    assert "Moreno" in socket_bot.posts[0]["text"]


async def test_bots_edits_and_unmatched_events_are_acked_but_not_answered(socket_bot):
    ids = [await socket_bot.push(event_envelope(payload(name)))
           for name in ("slack_bot_dm", "slack_message_changed")]
    ids.append(await socket_bot.push(event_envelope({"type": "reaction_added", "user": "U0USER", "reaction": "+1",
                                                     "event_ts": "1.2"})))
    channel_message = dict(payload("slack_dm"), channel_type="channel", channel="C0CHAN", ts="1700000009.1")
    ids.append(await socket_bot.push(event_envelope(channel_message)))
    await socket_bot.wait_for(lambda: all(i in socket_bot.acks for i in ids))
    # a DM sent afterwards is answered, and it is the only post: nothing before it was
    await socket_bot.push(event_envelope(payload("slack_dm")))
    await socket_bot.wait_for(lambda: socket_bot.posts)
    assert len(socket_bot.posts) == 1 and socket_bot.posts[0]["channel"] == "D0DM"


async def test_mass_mentions_are_never_echoed(socket_bot):
    await socket_bot.push(command_envelope("/ask", "<!channel> <!here> @everyone <@U0THER> who led the repair",
                                           socket_bot.response_url()))
    await socket_bot.wait_for(lambda: socket_bot.responses)
    sent = json.dumps(socket_bot.responses[0])
    assert "<!channel>" not in sent and "<!here>" not in sent and "<@U0THER>" not in sent
    assert "Tomas Ruiz" in sent


async def test_redelivered_event_is_answered_once(socket_bot):
    event = payload("slack_app_mention")
    first = await socket_bot.push(event_envelope(event, event_id="Ev1"))
    await socket_bot.wait_for(lambda: socket_bot.posts)
    retry = await socket_bot.push(event_envelope(event, retry_attempt=1, event_id="Ev1"))
    await socket_bot.wait_for(lambda: retry in socket_bot.acks and first in socket_bot.acks)
    await socket_bot.push(event_envelope(payload("slack_dm")))  # a later message proves the retry was processed
    await socket_bot.wait_for(lambda: len(socket_bot.posts) == 2)
    assert [p["channel"] for p in socket_bot.posts] == ["C0CHAN", "D0DM"]


async def test_a_retry_of_a_failed_answer_is_answered(socket_bot):
    socket_bot.fail_posts = 1  # the first chat.postMessage fails, as when Slack has a hiccup
    event = payload("slack_app_mention")
    await socket_bot.push(event_envelope(event, event_id="Ev2"))
    await socket_bot.wait_for(lambda: socket_bot.failed_posts == 1 and socket_bot.posts)  # the apology
    await socket_bot.push(event_envelope(event, retry_attempt=1, event_id="Ev2"))
    await socket_bot.wait_for(lambda: any("Tomas Ruiz" in p["text"] for p in socket_bot.posts))


async def test_ask_command_posts_in_channel_with_the_question(socket_bot):
    envelope_id = await socket_bot.push(command_envelope("/ask", "who ran the ferry", socket_bot.response_url()))
    await socket_bot.wait_for(lambda: socket_bot.responses and envelope_id in socket_bot.acks)
    response = socket_bot.responses[0]
    assert response["response_type"] == "in_channel"
    assert response["blocks"][0]["text"]["text"] == "*Question:* who ran the ferry"
    assert "Moreno" in response["blocks"][1]["text"]["text"]


async def test_empty_ask_gets_a_private_usage_hint(socket_bot):
    envelope_id = await socket_bot.push(command_envelope("/ask", "   ", socket_bot.response_url()))
    await socket_bot.wait_for(lambda: envelope_id in socket_bot.acks)
    assert "/ask" in socket_bot.acks[envelope_id]["payload"]["text"]
    assert socket_bot.responses == []


async def test_quote_and_sources_commands(socket_bot):
    await socket_bot.push(command_envelope("/quote", "grandchildren", socket_bot.response_url()))
    await socket_bot.wait_for(lambda: socket_bot.responses)
    assert "Ruiz" in socket_bot.responses[0]["blocks"][1]["text"]["text"]
    assert socket_bot.responses[0]["response_type"] == "in_channel"
    await socket_bot.push(command_envelope("/sources", "", socket_bot.response_url()))
    await socket_bot.wait_for(lambda: len(socket_bot.responses) == 2)
    assert socket_bot.responses[1]["response_type"] == "ephemeral"
    assert "https://metro.example/drivers-return" in socket_bot.responses[1]["text"]


async def test_burst_of_40_commands_all_acked_within_3_seconds(socket_bot):
    questions = ["who led the repair", "when did the bridge reopen", "who ran the ferry", "what did the mayor say"]
    ids = await asyncio.gather(*(socket_bot.push(command_envelope("/ask", questions[i % 4], socket_bot.response_url(),
                                                                  user=f"U{i:04d}")) for i in range(40)))
    await socket_bot.wait_for(lambda: all(i in socket_bot.acks for i in ids) and len(socket_bot.responses) == 40,
                              timeout=10)
    slowest = max(socket_bot.acks[i]["_at"] - socket_bot.pushed[i] for i in ids)
    assert slowest < 3.0, f"slowest ack took {slowest:.2f}s"
    assert all(r["response_type"] == "in_channel" for r in socket_bot.responses)


# ---- HTTP mode ----------------------------------------------------------------------------------
@pytest.fixture
async def http_bot(fake_slack, assistant, knowledge_dir):
    config = Config(knowledge_dir=knowledge_dir, slack_bot_token="xoxb-1-fake", slack_signing_secret=SECRET,
                    slack_api_url=fake_slack.api_url, port="0")
    connection = await start_slack(Service(assistant, config), config, host="127.0.0.1")
    yield fake_slack, f"http://127.0.0.1:{connection.port}"
    await connection.close()


def _signed(body: str, secret: str = SECRET) -> dict:
    timestamp = str(int(time.time()))
    return {"X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)}


async def test_http_mode_answers_signed_events_and_rejects_bad_signatures(http_bot):
    fake, base = http_bot
    body = json.dumps(event_callback(payload("slack_app_mention")))
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{base}/healthz") as health:
            assert health.status == 200
        bad = {"Content-Type": "application/json", **_signed(body, secret="0" * 32)}
        async with session.post(f"{base}/slack/events", data=body, headers=bad) as rejected:
            assert rejected.status == 401
        good = {"Content-Type": "application/json", **_signed(body)}
        async with session.post(f"{base}/slack/events", data=body, headers=good) as accepted:
            assert accepted.status == 200
    await fake.wait_for(lambda: fake.posts)
    assert len(fake.posts) == 1 and "Tomas Ruiz" in fake.posts[0]["text"]


async def test_http_mode_slash_command(http_bot):
    fake, base = http_bot
    body = urlencode(command_payload("/ask", "who ran the ferry", fake.response_url()))
    headers = {"Content-Type": "application/x-www-form-urlencoded", **_signed(body)}
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{base}/slack/events", data=body, headers=headers) as response:
            assert response.status == 200
    await fake.wait_for(lambda: fake.responses)
    assert "Moreno" in fake.responses[0]["blocks"][1]["text"]["text"]


def test_app_manifest_matches_what_the_adapter_needs():
    import re
    manifest = (Path(__file__).resolve().parent.parent / "deploy" / "slack-app-manifest.yml").read_text()
    assert set(re.findall(r"- command: (/\w+)", manifest)) == {"/ask", "/quote", "/sources", "/summary"}
    bot_scopes = manifest.split("    bot:\n")[1].split("settings:")[0]
    assert set(re.findall(r"- ([a-z_:]+)", bot_scopes)) == {
        "app_mentions:read", "chat:write", "commands", "im:history", "im:read", "im:write"}
    assert re.findall(r"^\s+- (app_mention|message\.im)$", manifest, re.M) == ["app_mention", "message.im"]
    assert "socket_mode_enabled: true" in manifest


def _mention(text: str, ts: str, thread_ts: str | None = None) -> dict:
    event = {"type": "app_mention", "user": "U0USER", "text": f"<@BBOT1> {text}", "ts": ts, "channel": "C0CHAN",
             "event_ts": ts}
    return event | ({"thread_ts": thread_ts} if thread_ts else {})


async def test_a_mention_in_the_answer_thread_is_a_follow_up(socket_bot):
    await socket_bot.push(event_envelope(_mention("who led the repair?", "1700000100.000100")))
    await socket_bot.wait_for(lambda: len(socket_bot.posts) == 1)
    await socket_bot.push(event_envelope(_mention("how old is he?", "1700000100.000200", "1700000100.000100")))
    await socket_bot.wait_for(lambda: len(socket_bot.posts) == 2)
    follow_up = socket_bot.posts[1]
    assert follow_up["thread_ts"] == "1700000100.000100" and "52" in follow_up["text"]
    await socket_bot.push(event_envelope(_mention("how old is he?", "1700000100.000300")))  # not in the thread
    await socket_bot.wait_for(lambda: len(socket_bot.posts) == 3)
    assert "52" not in socket_bot.posts[2]["text"]


async def test_direct_messages_are_one_conversation(socket_bot):
    for n, text in enumerate(["who led the repair", "and how old is he?"]):
        await socket_bot.push(event_envelope({"type": "message", "channel_type": "im", "user": "U0USER", "text": text,
                                              "ts": f"1700000200.00010{n}", "channel": "D0DM"}))
        await socket_bot.wait_for(lambda: len(socket_bot.posts) == n + 1)
    assert "52" in socket_bot.posts[1]["text"]


async def test_summary_command_posts_in_channel(socket_bot):
    await socket_bot.push(command_envelope("/summary", "", socket_bot.response_url()))
    await socket_bot.wait_for(lambda: socket_bot.responses)
    response = socket_bot.responses[0]
    assert response["response_type"] == "in_channel" and "March 4" in response["text"]


# ---- feedback buttons and the message shortcut ------------------------------------------------------
def _buttons(message: dict) -> list[dict]:
    actions = [b for b in message.get("blocks", []) if b["type"] == "actions"]
    return actions[0]["elements"] if actions else []


async def test_every_kind_of_answer_carries_feedback_buttons(socket_bot):
    await socket_bot.push(event_envelope(_mention("who is the president of france?", "1700000300.000100")))
    await socket_bot.push(command_envelope("/ask", "who led the repair", socket_bot.response_url()))
    await socket_bot.push(command_envelope("/quote", "", socket_bot.response_url()))
    await socket_bot.wait_for(lambda: socket_bot.posts and len(socket_bot.responses) == 2)
    assert "couldn't find" in socket_bot.posts[0]["text"]  # an abstention has them too
    for message in [socket_bot.posts[0], *socket_bot.responses]:
        buttons = _buttons(message)
        assert [b["action_id"] for b in buttons] == ["feedback_up", "feedback_down"] and buttons[0]["value"]


async def test_a_vote_is_acked_stored_and_replaced_by_a_second_click(socket_bot, knowledge_dir):
    from bot.feedback import FeedbackStore

    await socket_bot.push(command_envelope("/ask", "who led the repair", socket_bot.response_url()))
    await socket_bot.wait_for(lambda: socket_bot.responses)
    answer_id = _buttons(socket_bot.responses[0])[0]["value"]
    for action in ("feedback_up", "feedback_down"):
        envelope_id = await socket_bot.push(interactive_envelope(button_click(action, answer_id, socket_bot.response_url())))
        await socket_bot.wait_for(lambda: envelope_id in socket_bot.acks)
        assert socket_bot.acks[envelope_id]["_at"] - socket_bot.pushed[envelope_id] < 3.0
    await socket_bot.wait_for(lambda: len(socket_bot.responses) == 3)
    notes = socket_bot.responses[1:]
    assert all(n["response_type"] == "ephemeral" and n["replace_original"] is False for n in notes)
    assert "not helpful" in notes[1]["text"]
    report = FeedbackStore(knowledge_dir / ".cache" / "feedback.sqlite3").report()
    assert report["answers"] == 1 and report["votes"] == {"up": 0, "down": 1}  # one vote per user: the last


async def test_the_shortcut_checks_a_message_and_answers_only_the_moderator(socket_bot):
    for claim in ("the bridge reopened on March 3 <!channel>", "the repair cost $60 million", "aliens built it"):
        await socket_bot.push(interactive_envelope(message_shortcut(claim, socket_bot.response_url())))
    await socket_bot.wait_for(lambda: len(socket_bot.responses) == 3)
    supported, contradicted, unrelated = socket_bot.responses
    assert all(r["response_type"] == "ephemeral" for r in socket_bot.responses)
    assert supported["text"].count("supports this") == 1 and "<!channel>" not in json.dumps(supported)
    assert "says otherwise" in contradicted["text"] and "$48 million" in contradicted["text"]
    assert "neither supports nor contradicts" in unrelated["text"]


async def test_http_mode_button_click_and_shortcut(http_bot, knowledge_dir):
    from bot.feedback import FeedbackStore

    fake, base = http_bot
    async with aiohttp.ClientSession() as session:
        async def post(form: dict) -> int:
            body = urlencode(form)
            headers = {"Content-Type": "application/x-www-form-urlencoded", **_signed(body)}
            async with session.post(f"{base}/slack/events", data=body, headers=headers) as response:
                return response.status

        assert await post(command_payload("/ask", "who ran the ferry", fake.response_url())) == 200
        await fake.wait_for(lambda: fake.responses)
        answer_id = _buttons(fake.responses[0])[0]["value"]
        assert await post({"payload": json.dumps(button_click("feedback_up", answer_id, fake.response_url()))}) == 200
        claim = message_shortcut("the repair cost $60 million", fake.response_url())
        assert await post({"payload": json.dumps(claim)}) == 200
    await fake.wait_for(lambda: len(fake.responses) == 3)
    assert "says otherwise" in fake.responses[2]["text"] and fake.responses[2]["response_type"] == "ephemeral"
    assert FeedbackStore(knowledge_dir / ".cache" / "feedback.sqlite3").report()["votes"]["up"] == 1


def test_the_manifest_declares_interactivity_and_the_shortcut():
    manifest = (Path(__file__).resolve().parent.parent / "deploy" / "slack-app-manifest.yml").read_text()
    assert "interactivity:\n    is_enabled: true" in manifest
    assert "callback_id: check_coverage" in manifest and "type: message" in manifest
