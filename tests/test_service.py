from __future__ import annotations

import logging

from bot.cli import RedactSecrets
from bot.config import Config
from bot.service import RateLimiter, Service, opaque_id


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_rate_limiter_sliding_window():
    clock = Clock()
    limiter = RateLimiter(limit=3, window=30, clock=clock)
    assert [limiter.retry_after("u") for _ in range(3)] == [0, 0, 0]
    assert limiter.retry_after("u") == 30
    assert limiter.retry_after("someone else") == 0  # per user
    clock.now += 10
    assert limiter.retry_after("u") == 20
    clock.now += 20
    assert limiter.retry_after("u") == 0


def test_service_rate_limits_with_a_friendly_reply(assistant, knowledge_dir):
    clock = Clock()
    service = Service(assistant, Config(knowledge_dir=knowledge_dir, rate_limit="2", rate_limit_window="30"), clock)
    answers = [service.ask("who led the repair", platform="slack", user="U1", conversation="C1") for _ in range(3)]
    assert "Tomas Ruiz" in answers[1].answer
    assert answers[2].abstained and "wait 30 s" in answers[2].answer and answers[2].citations == ()
    assert not service.ask("who led the repair", platform="discord", user="U1", conversation="C1").abstained


def test_log_line_has_the_facts_but_no_question_text(assistant, knowledge_dir, caplog):
    service = Service(assistant, Config(knowledge_dir=knowledge_dir))
    with caplog.at_level(logging.INFO, logger="bot.questions"):
        service.ask("who led the repair", platform="discord", user="U1", conversation="C123")
    line = caplog.records[-1].getMessage()
    assert "platform=discord" in line and "abstained=false" in line and "outlets=" in line
    assert f"conversation={opaque_id('discord', 'C123')}" in line and "C123" not in line
    assert "led the repair" not in line


async def test_drain_stops_new_questions_and_waits_for_those_in_flight(assistant, knowledge_dir):
    service = Service(assistant, Config(knowledge_dir=knowledge_dir))
    async with service.handling():
        assert not await service.drain(timeout=0.01)  # one still in flight
    assert await service.drain(timeout=0.01)
    assert "restarting" in service.ask("who led the repair", platform="slack", user="U", conversation="C").answer


def test_tokens_are_redacted_from_any_log_record():
    record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed with token %s", ("xoxb-123-secret",), None)
    RedactSecrets(("xoxb-123-secret",)).filter(record)
    assert record.getMessage() == "failed with token [redacted]"
