"""Follow-ups and small talk on the made-up corpus: what carries over, and what never does."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from bot.adapters.terminal import reply_to
from bot.core.conversation import MAX_TURNS, Conversation
from bot.service import Conversations


def chat(assistant, *questions):
    conversation = Conversation()
    replies = [assistant.ask(q, conversation) for q in questions]
    return conversation, replies


def test_he_is_the_person_the_last_answer_named(assistant):
    conversation, (first, second) = chat(assistant, "who led the repair", "how old is he")
    assert "Tomas Ruiz" in first.answer
    assert conversation.understood == "how old is tomas ruiz" and "52" in second.answer
    assert second.question == "how old is he"  # the answer echoes what was asked


def test_a_fragment_keeps_the_question_and_swaps_the_person(assistant):
    conversation, replies = chat(assistant, "how old is tomas ruiz", "and dana whitfield?")
    assert conversation.understood == "how old is dana whitfield"
    assert replies[1].abstained  # the coverage gives no age for her: context must not make one up


def test_it_is_the_thing_asked_about(assistant):
    conversation, replies = chat(assistant, "how much did the repair cost", "and who led it?")
    assert conversation.understood.rstrip("?") == "who led the repair"
    assert "Tomas Ruiz" in replies[1].answer


@pytest.mark.parametrize("follow_up", ["and what's the capital of peru?", "who is the president of france"])
def test_an_unrelated_follow_up_is_answered_on_its_own(assistant, follow_up):
    conversation, replies = chat(assistant, "who ran the ferry", follow_up)
    assert conversation.understood == follow_up and replies[1].abstained


def test_a_question_with_its_own_subject_is_not_rewritten(assistant):
    conversation, replies = chat(assistant, "who led the repair", "who ran the ferry")
    assert conversation.understood == "who ran the ferry" and "Moreno" in replies[1].answer


def test_without_a_conversation_nothing_carries_over(assistant):
    assistant.ask("who led the repair")
    assert "52" not in assistant.ask("how old is he").answer


def test_a_conversation_keeps_only_its_last_turns(assistant):
    conversation, _ = chat(assistant, *["who led the repair"] * (MAX_TURNS + 3))
    assert len(conversation.turns) == MAX_TURNS


def test_conversations_expire_and_stay_bounded():
    now = [0.0]
    store = Conversations(capacity=2, expire=60, clock=lambda: now[0])
    first = store.get("a")
    now[0] = 59
    assert store.get("a") is first  # within the gap: the same conversation
    now[0] = 120
    assert store.get("a") is not first  # quiet for 61 s: afresh
    store.get("b"), store.get("c")
    assert len(store._open) == 2 and "a" not in store._open  # the oldest goes first
    store.alias("c", "reply")
    assert store.get("reply") is store.get("c")
    assert store.get("c", fresh=True) is not store.get("reply")


@pytest.mark.parametrize("message, kind", [("hi", "Hi! I answer"), ("Hello there!", "Hi! I answer"),
                                           ("what can you do?", "I answer questions"), ("help", "I answer questions"),
                                           ("thanks!", "You're welcome"), ("<@U0BOT> thank you so much :tada:",
                                                                           "You're welcome")])
def test_small_talk_gets_a_short_reply_saying_what_the_bot_knows(assistant, message, kind):
    reply = assistant.ask(message, how_to="Mention me or DM me.")
    assert reply.abstained and not reply.citations and reply.answer.startswith(kind)
    assert "Mention me or DM me." in reply.answer
    if not kind.startswith("You're"):
        assert "I know 3 articles" in reply.answer


@pytest.mark.parametrize("message", ["sources", "/sources", "list your sources", "which articles do you have?",
                                     "what outlets covered this"])
def test_asking_for_the_sources_in_chat_lists_them(assistant, message):
    reply = assistant.ask(message)
    assert reply.answer.startswith("I know 3 articles") and "• Daily Ledger" in reply.answer


def test_a_question_about_what_sources_said_is_still_a_question(assistant):
    assert "I know 3 articles" not in assistant.ask("which sources say the bridge reopened on march 3?").answer[:20]


def test_a_question_that_starts_with_a_greeting_is_still_answered(assistant):
    assert "Tomas Ruiz" in assistant.ask("hi, who led the repair?").answer


def test_the_terminal_takes_ask_any_case_and_names_unknown_commands(assistant):
    conversation = Conversation()
    assert "Tomas Ruiz" in reply_to("/ASK who led the repair", assistant, conversation)
    assert "52" in reply_to("how old is he", assistant, conversation)
    assert reply_to("/frobnicate now", assistant).startswith("There is no /frobnicate command.")
    assert not reply_to("/Quote captain", assistant).startswith("There is no")  # commands in any case


def test_the_cli_reads_stdin_as_one_conversation(knowledge_dir):
    run = subprocess.run([sys.executable, "-m", "bot", "--knowledge", str(knowledge_dir), "ask", "-", "--json",
                          "--conversation"], input="who led the repair\nhow old is he\n", capture_output=True,
                         text=True, timeout=120, env={"SEMANTIC": "off", "PATH": "/usr/bin:/bin"})
    first, second = (json.loads(line) for line in run.stdout.splitlines())
    assert second["question"] == "how old is he" and second["understood"] == "how old is tomas ruiz"
    assert "52" in second["answer"] and set(second) == {"question", "answer", "abstained", "citations", "understood"}
    plain = subprocess.run([sys.executable, "-m", "bot", "--knowledge", str(knowledge_dir), "ask", "-", "--json"],
                           input="who led the repair\nhow old is he\n", capture_output=True, text=True, timeout=120,
                           env={"SEMANTIC": "off", "PATH": "/usr/bin:/bin"})
    assert "52" not in json.loads(plain.stdout.splitlines()[1])["answer"]  # without --conversation: each alone


@pytest.mark.parametrize("first, follow_up, understood", [
    ("what did ruiz say about cables", "who replaced it?", "who replaced cables"),
    ("when did whitfield cut her ribbon", "and where was it?", "where was her ribbon"),
])
def test_it_is_what_the_last_question_was_about(assistant, first, follow_up, understood):
    conversation, _ = chat(assistant, first, follow_up)
    assert conversation.understood.rstrip("?") == understood
