"""Slack adapter on Bolt's AsyncApp: mentions, DMs and /ask, /quote, /sources, in Socket Mode or over HTTP.

It only translates: Slack payloads in, Service calls, Block Kit out. Safety policy lives here once:
every text we send is escaped (no pings), link previews are off, and every request is acked.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import aiohttp
from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.adapters.reconnect import Outage, Stopped, connect_with_backoff, unless_stopped
from bot.config import Config
from bot.core.answers import Answer, Citation
from bot.core.assistant import QuoteAnswer
from bot.core.claims import Verdict
from bot.errors import ConfigError
from bot.service import Service

log = logging.getLogger(__name__)

SECTION_LIMIT = 3000  # Slack rejects a section text longer than this
FALLBACK_LIMIT = 3000  # the notification text; whole messages fail near 4,000 characters
_MENTION = re.compile(r"<[@!#][^>]*>|@(?:channel|here|everyone)\b")  # <@U123>, <!channel>, <#C1|x>, @here
# Message subtypes that are edits, deletions, joins…: not somebody asking something.
_ANSWERABLE_SUBTYPES = {None, "", "thread_broadcast", "file_share"}
ASK_USAGE = "Ask me about the coverage: `/ask who said what about …?`"
HOW_TO_ASK = ("Mention me in a channel (follow-ups go in the thread of my answer), send me a DM, or use "
              "/ask; /quote gives a direct quote, /summary sums up the coverage and /sources lists the articles.")
APOLOGY = "Sorry, something went wrong while answering. Please try again in a moment."


# ---- pure translators, tested on recorded payloads ------------------------------------------------
def is_from_bot(event: dict) -> bool:
    """Messages by bots (this one included) are never answered, so two bots cannot loop."""
    return bool(event.get("bot_id") or event.get("bot_profile")) or event.get("subtype") == "bot_message"


def is_direct_message(event: dict) -> bool:
    return event.get("channel_type") == "im"


def is_answerable(event: dict) -> bool:
    return event.get("subtype") in _ANSWERABLE_SUBTYPES and not is_from_bot(event)


def to_question(text: str) -> str:
    """The question in a message: mentions and channel links removed, Slack's escapes undone."""
    text = _MENTION.sub(" ", text or "")
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


def escape(text: str) -> str:
    """Slack's escaping: with &, < and > escaped, no <!channel> or <@user> in a question can ping."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def to_slack_message(reply: Answer | QuoteAnswer | Verdict, asked: str | None = None,
                     answer_id: str | None = None) -> dict:
    """Block Kit for an answer: the question (for slash commands), the answer, linked sources, and
    👍/👎 buttons carrying the answer's id when it has one."""
    blocks: list[dict] = []
    if asked:
        blocks.append(_section(f"*Question:* {escape(asked)}"))
    blocks.append(_section(escape(reply.answer)))
    if reply.citations:
        blocks.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": _citation_link(n, c)} for n, c in enumerate(reply.citations[:10], start=1)]})
    if answer_id:
        blocks.append({"type": "actions", "block_id": "feedback", "elements": [
            {"type": "button", "action_id": action, "value": answer_id,
             "text": {"type": "plain_text", "text": label, "emoji": True}}
            for action, label in (("feedback_up", "👍 Helpful"), ("feedback_down", "👎 Not helpful"))]})
    fallback = (f"Question: {asked}\n" if asked else "") + reply.answer
    return {"text": _trim(escape(fallback), FALLBACK_LIMIT), "blocks": blocks,
            "unfurl_links": False, "unfurl_media": False}


def to_sources_message(text: str) -> dict:
    return {"text": _trim(escape(text), FALLBACK_LIMIT), "blocks": [_section(escape(text))],
            "unfurl_links": False, "unfurl_media": False}


def _section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _trim(text, SECTION_LIMIT)}}


def _citation_link(number: int, citation: Citation) -> str:
    date = f", {citation.published}" if citation.published else ""
    label = escape(f"[{number}] {citation.outlet} — {citation.title}{date}").replace("|", "¦")
    url = escape(citation.url).replace("|", "%7C")
    return f"<{url}|{label}>"


def _trim(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


# ---- duplicate deliveries -------------------------------------------------------------------------
class SeenMessages:
    """Remembers answered messages so a re-delivery (Slack retries after 3 s) is not answered twice.

    A message counts as seen only once it was answered: if answering failed, a retry gets its turn.
    """

    def __init__(self, capacity: int = 10_000):
        self._answered: OrderedDict[tuple, None] = OrderedDict()
        self._in_progress: set[tuple] = set()
        self.capacity = capacity

    def begin(self, key: tuple) -> bool:
        """True if this message should be answered now."""
        if key in self._answered or key in self._in_progress:
            return False
        self._in_progress.add(key)
        return True

    def done(self, key: tuple) -> None:
        self._in_progress.discard(key)
        self._answered[key] = None
        while len(self._answered) > self.capacity:
            self._answered.popitem(last=False)

    def failed(self, key: tuple) -> None:
        self._in_progress.discard(key)


# ---- the Bolt app ---------------------------------------------------------------------------------
class _WebClient(AsyncWebClient):
    """The Web API client, telling when Slack rejects the app token: Socket Mode asks for a new
    websocket URL with it on every reconnect, and would otherwise retry a revoked token forever."""

    on_rejected: Callable[[str], None] | None = None

    async def apps_connections_open(self, **kwargs):
        try:
            return await super().apps_connections_open(**kwargs)
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if error in REJECTED and self.on_rejected is not None:
                self.on_rejected(error)
            raise


def build_slack_app(service: Service, config: Config, on_rejected: Callable[[str], None] | None = None) -> AsyncApp:
    """A Bolt app whose listeners call service; every value is passed explicitly (no env fallbacks).
    on_rejected hears the error when Slack refuses the app token on a reconnect."""
    client = _WebClient(token=config.slack_bot_token, base_url=_with_slash(config.slack_api_url))
    client.on_rejected = on_rejected
    bolt_log = logging.getLogger("slack_bolt")
    bolt_log.addFilter(_HideEnvTokenWarning())
    app = AsyncApp(client=client, signing_secret=config.slack_signing_secret, name="coverage-bot", logger=bolt_log)
    seen = SeenMessages()

    async def answer_message(event: dict, say, in_thread: bool) -> None:
        key = (event.get("channel"), event.get("ts"))
        if not seen.begin(key):
            log.info("slack: duplicate delivery ignored")
            return
        thread_ts = event.get("thread_ts") or (event.get("ts") if in_thread else None)
        channel = event.get("channel", "")
        # a thread is one conversation, and so is a DM outside threads (until it goes quiet)
        thread = f"{channel}:{thread_ts}" if thread_ts else channel
        try:
            async with service.handling():
                answer = service.ask(to_question(event.get("text", "")), platform="slack",
                                     user=event.get("user", ""), conversation=channel, thread=thread,
                                     continues=bool(event.get("thread_ts")) or not in_thread, how_to=HOW_TO_ASK)
                answer_id = service.posted(answer, platform="slack", user=event.get("user", ""), conversation=channel)
                await say(**to_slack_message(answer, answer_id=answer_id), thread_ts=thread_ts)
        except Exception:
            seen.failed(key)
            log.exception("slack: answering a message failed")
            await _try(say(text=APOLOGY, thread_ts=thread_ts))
        else:
            seen.done(key)

    @app.event("app_mention")
    async def on_mention(event: dict, say) -> None:
        if is_answerable(event):
            await answer_message(event, say, in_thread=True)

    @app.event("message")
    async def on_message(event: dict, say) -> None:
        # Channel messages arrive here too when the app is subscribed to them; only DMs are answered
        # (a mention in a channel comes as app_mention).
        if is_direct_message(event) and is_answerable(event):
            await answer_message(event, say, in_thread=False)

    @app.command("/ask")
    async def on_ask(ack, command: dict, respond) -> None:
        question = to_question(command.get("text", ""))
        if not question:
            await ack(text=ASK_USAGE)  # an ack with text is shown only to the asker
            return
        await ack()
        try:
            async with service.handling():
                answer = service.ask(question, platform="slack", user=command.get("user_id", ""),
                                     conversation=command.get("channel_id", ""), how_to=HOW_TO_ASK)
                answer_id = service.posted(answer, platform="slack", user=command.get("user_id", ""),
                                           conversation=command.get("channel_id", ""))
                await respond(**to_slack_message(answer, asked=question, answer_id=answer_id),
                              response_type="in_channel")
        except Exception:
            log.exception("slack: /ask failed")
            await _try(respond(text=APOLOGY, response_type="ephemeral"))

    @app.command("/quote")
    async def on_quote(ack, command: dict, respond) -> None:
        await ack()
        topic = to_question(command.get("text", ""))
        try:
            async with service.handling():
                quote = service.quote(topic, platform="slack", user=command.get("user_id", ""),
                                      conversation=command.get("channel_id", ""))
                answer_id = service.posted(quote, platform="slack", user=command.get("user_id", ""),
                                           conversation=command.get("channel_id", ""))
                await respond(**to_slack_message(quote, asked=f"/quote {topic}".strip(), answer_id=answer_id),
                              response_type="in_channel")
        except Exception:
            log.exception("slack: /quote failed")
            await _try(respond(text=APOLOGY, response_type="ephemeral"))

    @app.command("/summary")
    async def on_summary(ack, command: dict, respond) -> None:
        await ack()
        try:
            async with service.handling():
                summary = service.summary(platform="slack", user=command.get("user_id", ""),
                                          conversation=command.get("channel_id", ""))
                answer_id = service.posted(summary, platform="slack", user=command.get("user_id", ""),
                                           conversation=command.get("channel_id", ""))
                await respond(**to_slack_message(summary, asked="/summary", answer_id=answer_id),
                              response_type="in_channel")
        except Exception:
            log.exception("slack: /summary failed")
            await _try(respond(text=APOLOGY, response_type="ephemeral"))

    @app.command("/sources")
    async def on_sources(ack, respond) -> None:
        await ack()
        # a listing for whoever asked, so it does not fill the channel
        await _try(respond(**to_sources_message(service.sources_text()), response_type="ephemeral"))

    @app.action(re.compile(r"^feedback_(up|down)$"))
    async def on_vote(ack, body: dict, action: dict, respond) -> None:
        await ack()  # at once: Slack wants it within 3 s
        up = action.get("action_id") == "feedback_up"
        stored = service.vote(str(action.get("value", "")), platform="slack",
                              user=(body.get("user") or {}).get("id", ""), up=up)
        note = ("Thanks, noted as helpful." if up else "Thanks, noted as not helpful.") if stored else \
            "Thanks; that answer is too old to take a vote on."
        await _try(respond(text=note, response_type="ephemeral", replace_original=False))

    @app.shortcut("check_coverage")
    async def on_check(ack, shortcut: dict, respond) -> None:
        await ack()
        message = shortcut.get("message") or {}
        try:
            async with service.handling():
                verdict = service.verify(to_question(message.get("text", "")), platform="slack",
                                         user=(shortcut.get("user") or {}).get("id", ""),
                                         conversation=(shortcut.get("channel") or {}).get("id", ""))
                await respond(**to_slack_message(verdict, asked="Check against the coverage"),
                              response_type="ephemeral", replace_original=False)
        except Exception:
            log.exception("slack: check_coverage failed")
            await _try(respond(text=APOLOGY, response_type="ephemeral"))

    @app.event(re.compile(".*"))
    async def acknowledge_everything_else() -> None:
        # Bolt leaves an event no listener matched un-acked, and Slack would keep re-sending it.
        return None

    @app.error
    async def on_error(error: Exception) -> None:
        log.error("slack: unhandled error in a listener: %s", type(error).__name__)

    return app


class _HideEnvTokenWarning(logging.Filter):
    """Bolt also reads SLACK_BOT_TOKEN from the environment and warns that the client's token wins;
    it is the same token (Config read it from there), so the warning would only confuse admins."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


async def _try(coroutine) -> None:
    try:
        await coroutine
    except Exception:
        log.exception("slack: could not send a reply")


def _with_slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


# ---- connecting -----------------------------------------------------------------------------------
@dataclass
class SlackConnection:
    """A running Slack adapter: Socket Mode client or HTTP server. `port` is set in HTTP mode."""

    app: AsyncApp
    socket: AsyncSocketModeHandler | None = None
    runner: web.AppRunner | None = None
    port: int | None = None

    async def close(self) -> None:
        if self.socket is not None:
            await self.socket.close_async()
        if self.runner is not None:
            await self.runner.cleanup()


# Slack's answers for a token that will not work however often it is retried (auth.test docs).
REJECTED = {"invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive",
            "not_allowed_token_type", "missing_scope"}
CHECK = "the network, a firewall or proxy, and SLACK_API_URL"
# How slack_sdk's Socket Mode client begins the records of its own reconnect loop.
RETRY_MESSAGES = ("Failed to connect", "Failed to check the current session", "Failed to receive or enqueue",
                  "Failed to retrieve WSS URL")
RETRYABLE = (SlackApiError, aiohttp.ClientError, OSError, asyncio.TimeoutError)


WHERE_TOKENS_COME_FROM = {
    "SLACK_BOT_TOKEN": "copy the Bot User OAuth Token again from OAuth & Permissions (reinstall the app if it "
                       "was revoked)",
    "SLACK_APP_TOKEN": "make a new app-level token with connections:write in Basic Information → App-Level Tokens",
}


def rejected(variable: str, error: str) -> ConfigError:
    return ConfigError([f"{variable} was rejected by Slack ({error}); {WHERE_TOKENS_COME_FROM[variable]}"])


async def check_tokens(client: AsyncWebClient, config: Config) -> str | None:
    """auth.test with the bot token, then, in Socket Mode, a websocket URL for the app token.

    A rejected token is a ConfigError naming its variable; other failures are for retrying."""
    calls = [("SLACK_BOT_TOKEN", client.auth_test)]
    if config.slack_socket_mode:
        calls.append(("SLACK_APP_TOKEN", lambda: client.apps_connections_open(app_token=config.slack_app_token)))
    response = None
    for variable, call in calls:
        try:
            response = await call()
        except SlackApiError as exc:
            error = str(exc.response.get("error", ""))
            if error in REJECTED:
                raise rejected(variable, error) from None
            raise
    return response.get("url") if config.slack_socket_mode and response is not None else None


async def start_slack(service: Service, config: Config, host: str = "0.0.0.0", wss_url: str | None = None,
                      outage: Outage | None = None,
                      on_rejected: Callable[[str], None] | None = None) -> SlackConnection:
    """Connect: Socket Mode when SLACK_APP_TOKEN is set, otherwise serve POST /slack/events on PORT.

    wss_url is a Socket Mode URL already issued (check_tokens); outage hears when a session opens."""
    app = build_slack_app(service, config, on_rejected)
    if config.slack_socket_mode:
        socket = AsyncSocketModeHandler(app, app_token=config.slack_app_token)
        socket.client.wss_uri = wss_url
        if outage is not None:
            async def on_message(client, message: dict, raw: str | None) -> None:
                if message.get("type") == "hello":  # Slack's first message on every new session
                    outage.recovered()
            socket.client.message_listeners.append(on_message)
        try:
            await socket.connect_async()
        except BaseException:  # cancelled by a stop while connecting: close the client's session
            await socket.close_async()
            raise
        log.info("slack: connected in Socket Mode")
        return SlackConnection(app=app, socket=socket)
    web_app = app.web_app(path="/slack/events")
    web_app.router.add_get("/healthz", _healthz)
    runner = web.AppRunner(web_app, access_log=None)  # access logs would hold channel ids
    await runner.setup()
    site = web.TCPSite(runner, host=host, port=config.port_number)
    try:
        await site.start()
    except OSError as exc:
        await runner.cleanup()
        raise ConfigError([f"PORT {config.port_number} cannot be listened on ({exc.strerror or exc}); "
                           "free it or set PORT to another port"]) from None
    port = runner.addresses[0][1] if runner.addresses else config.port_number
    log.info("slack: listening for events on port %s at /slack/events", port)
    return SlackConnection(app=app, runner=runner, port=port)


async def _healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def run_slack(service: Service, config: Config, stop: asyncio.Event) -> None:
    """Check the tokens (retrying while Slack cannot be reached), connect, and serve until stop is set.

    Once connected, slack_sdk reconnects by itself after a drop; its retry records are folded into
    one line per outage, and a token revoked meanwhile ends the adapter instead of being retried."""
    revoked: list[ConfigError] = []
    changed = asyncio.Event()

    def on_rejected(error: str) -> None:
        revoked.append(rejected("SLACK_APP_TOKEN", error))
        changed.set()

    outage = Outage("slack", CHECK, RETRY_MESSAGES)
    client = AsyncWebClient(token=config.slack_bot_token, base_url=_with_slash(config.slack_api_url))
    library_log = logging.getLogger("slack_bolt")
    library_log.addFilter(outage)
    connection = None
    try:
        wss_url = await connect_with_backoff(lambda: check_tokens(client, config), outage, stop, RETRYABLE)
        connection = await unless_stopped(start_slack(service, config, wss_url=wss_url, outage=outage,
                                                       on_rejected=on_rejected), stop)
        await unless_stopped(changed.wait(), stop)
        raise revoked[0]
    except Stopped:
        return
    finally:
        library_log.removeFilter(outage)
        if connection is not None:
            await connection.close()
