"""What every chat adapter shares: rate limits, one log line per question, and a swappable Assistant.

Adapters translate platform events into calls of `Service`; the Service calls the core.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from contextlib import asynccontextmanager

from bot.config import Config
from bot.core.answers import Answer
from bot.core.assistant import Assistant, QuoteAnswer
from bot.core.claims import Verdict
from bot.core.conversation import Conversation
from bot.feedback import FeedbackStore

log = logging.getLogger("bot.questions")

FOLLOW_UP_SECONDS = 30 * 60  # a DM or thread quiet for this long starts a new conversation


class RateLimiter:
    """At most `limit` requests per `window` seconds for each key (a sliding window)."""

    def __init__(self, limit: int, window: float, clock: Callable[[], float] = time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self._seen: dict[str, deque[float]] = {}

    def retry_after(self, key: str) -> float:
        """0 when key may go ahead now (and counts it); otherwise seconds until it may."""
        now = self.clock()
        times = self._seen.setdefault(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) >= self.limit:
            return self.window - (now - times[0])
        times.append(now)
        if len(self._seen) > 10_000:  # forget idle users so memory stays flat
            for idle in [k for k, v in self._seen.items() if not v or now - v[-1] >= self.window]:
                del self._seen[idle]
        return 0.0


class Conversations:
    """The conversations in progress, in memory only: at most `capacity`, each forgotten after
    `expire` seconds without a message (a gap that long starts afresh)."""

    def __init__(self, capacity: int = 10_000, expire: float = FOLLOW_UP_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self.capacity, self.expire, self.clock = capacity, expire, clock
        self._open: OrderedDict[str, tuple[float, Conversation]] = OrderedDict()

    def get(self, key: str, fresh: bool = False) -> Conversation:
        """The conversation under key: a new one when there is none, it expired, or fresh is set."""
        now = self.clock()
        found = self._open.pop(key, None)
        conversation = found[1] if found is not None and not fresh and now - found[0] < self.expire \
            else Conversation()
        self._keep(key, (now, conversation))
        return conversation

    def alias(self, key: str, other: str) -> None:
        """Let other (a sent message's id) lead to the conversation under key as well."""
        found = self._open.get(key)
        if found is not None:
            self._keep(other, found)

    def _keep(self, key: str, entry: tuple[float, Conversation]) -> None:
        self._open[key] = entry
        while len(self._open) > self.capacity:
            self._open.popitem(last=False)  # the longest untouched goes first


class Service:
    """The adapters' one door: asks the current Assistant, with rate limiting and logging."""

    def __init__(self, assistant: Assistant, config: Config, clock: Callable[[], float] = time.monotonic):
        self.assistant = assistant  # replaced whole on reload; reads need no lock
        self.config = config
        self.limiter = RateLimiter(config.rate_limit_count, config.rate_limit_seconds, clock)
        self.accepting = True  # False while shutting down: new questions get a "restarting" reply
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self.conversations = Conversations(clock=clock)
        self.feedback = FeedbackStore(config.feedback_path, keep_questions=config.log_question_text)

    @asynccontextmanager
    async def handling(self):
        """Adapters wrap each question from arrival to sent reply, so shutdown can wait for it."""
        self._in_flight += 1
        self._idle.clear()
        try:
            yield
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def drain(self, timeout: float) -> bool:
        """Stop taking questions and wait for those in flight; False if some were still running."""
        self.accepting = False
        try:
            await asyncio.wait_for(self._idle.wait(), timeout)
            return True
        except asyncio.TimeoutError:
            return False

    def ask(self, question: str, *, platform: str, user: str, conversation: str, thread: str | None = None,
            continues: bool = True, how_to: str = "") -> Answer:
        """thread names the conversation a follow-up belongs to (None: answered on its own); with
        continues=False it starts afresh there. how_to: how to ask on this platform, for "help"."""
        started = time.perf_counter()
        refusal = self._refusal(platform, user)
        if refusal:
            answer = Answer(question=question, answer=refusal, abstained=True)
            self._log("refused", platform, conversation, started, answer, question)
            return answer
        context = self.conversations.get(f"{platform}:{thread}", fresh=not continues) if thread is not None else None
        answer = self.assistant.ask(question, context, how_to)
        self._log("question", platform, conversation, started, answer, question)
        return answer

    def posted(self, answer, *, platform: str, user: str, conversation: str) -> str:
        """Record an answer about to be posted (for its 👍/👎 buttons); returns its id. Users and
        conversations are stored hashed, as in the logs; the question only with LOG_QUESTIONS."""
        return self.feedback.record_answer(platform=platform, user=opaque_id(platform, user),
                                           conversation=opaque_id(platform, conversation), abstained=answer.abstained,
                                           outlets=list(dict.fromkeys(c.outlet for c in answer.citations)),
                                           question=getattr(answer, "question", "") or "")

    def vote(self, answer_id: str, *, platform: str, user: str, up: bool) -> bool:
        stored = self.feedback.record_vote(answer_id, opaque_id(platform, user), up)
        log.info("event=vote platform=%s vote=%s stored=%s", platform, "up" if up else "down", str(stored).lower())
        return stored

    def verify(self, claim: str, *, platform: str, user: str, conversation: str):
        started = time.perf_counter()
        refusal = self._refusal(platform, user)
        if refusal:
            verdict = Verdict(claim=claim, verdict="not_found", answer=refusal)
        else:
            verdict = self.assistant.verify(claim)
        self._log("verify", platform, conversation, started, verdict, claim)
        return verdict

    def continue_as(self, platform: str, thread: str, other: str) -> None:
        """A message under other (the bot's answer, replied to) continues the conversation of thread."""
        self.conversations.alias(f"{platform}:{thread}", f"{platform}:{other}")

    def quote(self, topic: str, *, platform: str, user: str, conversation: str) -> QuoteAnswer:
        started = time.perf_counter()
        refusal = self._refusal(platform, user)
        if refusal:
            quote = QuoteAnswer(question=topic, answer=refusal, abstained=True, citations=(), quote="", speaker=None)
            self._log("refused", platform, conversation, started, quote, topic)
            return quote
        quote = self.assistant.quote(topic)
        self._log("quote", platform, conversation, started, quote, topic)
        return quote

    def _refusal(self, platform: str, user: str) -> str | None:
        """Why this request is not answered now (shutting down, or the user is over the rate limit)."""
        if not self.accepting:
            return "I'm restarting right now; please ask again in a minute."
        wait = self.limiter.retry_after(f"{platform}:{user}")
        if wait:
            return (f"You're asking faster than I can keep up: please wait {wait:.0f} s and ask again "
                    f"(at most {self.limiter.limit} questions per {self.limiter.window:g} s).")
        return None

    def summary(self, *, platform: str, user: str, conversation: str) -> Answer:
        started = time.perf_counter()
        refusal = self._refusal(platform, user)
        answer = Answer(question="summary", answer=refusal, abstained=True) if refusal else self.assistant.summary()
        self._log("refused" if refusal else "summary", platform, conversation, started, answer, "summary")
        return answer

    def sources_text(self) -> str:
        return self.assistant.sources_text()

    def quote_topics(self) -> list[str]:
        return self.assistant.quote_topics()

    def _log(self, event: str, platform: str, conversation: str, started: float, answer, text: str) -> None:
        fields = {
            "event": event, "platform": platform, "conversation": opaque_id(platform, conversation),
            "latency_ms": f"{(time.perf_counter() - started) * 1000:.1f}",
            "abstained": str(answer.abstained).lower(),
            "outlets": ",".join(dict.fromkeys(c.outlet for c in answer.citations)) or "-",
        }
        if self.config.log_question_text:
            fields["question"] = text
        log.info(" ".join(f"{k}={_quote(v)}" for k, v in fields.items()))


def opaque_id(platform: str, conversation: str) -> str:
    """A stable id for a conversation that does not reveal which one it is."""
    return hashlib.sha256(f"{platform}:{conversation}".encode()).hexdigest()[:12]


def _quote(value: str) -> str:
    return value if value and " " not in value and '"' not in value and "=" not in value else \
        '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'
