"""A loopback fake of Slack: Web API methods, response_url webhooks and a Socket Mode websocket.

Speaks Slack's wire format so the real slack_bolt/slack_sdk clients can run against it, and
records what they send. Binds 127.0.0.1 on a free port; never talks to anything else.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from urllib.parse import parse_qs

from aiohttp import WSMsgType, web

from tests.fakes.loopback import LoopbackServer

BOT_USER = "UBOT1"
BOT_ID = "BBOT1"
TEAM = "T0001"


class FakeSlack(LoopbackServer):
    def __init__(self) -> None:
        super().__init__()
        self.posts: list[dict] = []  # chat.postMessage bodies
        self.responses: list[dict] = []  # bodies POSTed to response_url
        self.acks: dict[str, dict] = {}  # envelope_id -> ack frame (with its arrival time)
        self.pushed: dict[str, float] = {}  # envelope_id -> when it was pushed
        self.calls: list[str] = []  # Web API methods called, in order
        self.fail_posts = 0  # make the next N chat.postMessage calls fail
        self.failed_posts = 0
        self.reject: dict[str, str] = {}  # Web API method -> the error it answers with ("invalid_auth")
        self.ws: web.WebSocketResponse | None = None
        self.connected = asyncio.Event()

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/api/{method}", self._api)
        app.router.add_post("/response/{id}", self._response)
        app.router.add_get("/link", self._socket)

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def response_url(self) -> str:
        return f"{self.url}/response/{uuid.uuid4().hex[:8]}"

    async def _record(self, items: list, item) -> None:
        items.append(item)
        await self.notify()

    # ---- Web API -----------------------------------------------------------------------------------
    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        self.calls.append(method)
        if request.headers.get("Authorization", "") == "":
            return web.json_response({"ok": False, "error": "not_authed"})
        body = await _body(request)
        if method in self.reject:
            return web.json_response({"ok": False, "error": self.reject[method]})
        if method == "auth.test":
            return web.json_response({"ok": True, "url": "https://fake.example/", "team": "Fake", "user": "bot",
                                      "team_id": TEAM, "user_id": BOT_USER, "bot_id": BOT_ID})
        if method == "apps.connections.open":
            ws_url = self.url.replace("http://", "ws://") + "/link"
            return web.json_response({"ok": True, "url": ws_url})
        if method == "chat.postMessage":
            if self.fail_posts:
                self.fail_posts -= 1
                self.failed_posts += 1
                await self.notify()
                return web.json_response({"ok": False, "error": "internal_error"})
            await self._record(self.posts, body)
            return web.json_response({"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}"})
        return web.json_response({"ok": False, "error": "unknown_method"})

    async def _response(self, request: web.Request) -> web.Response:
        await self._record(self.responses, await _body(request))
        return web.Response(text="ok")

    # ---- Socket Mode -------------------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        self.ws = ws
        self._sockets.append(ws)
        await ws.send_str(json.dumps({"type": "hello", "num_connections": 1,
                                      "connection_info": {"app_id": "A0001"}}))
        self.connected.set()
        async for message in ws:
            if message.type == WSMsgType.TEXT:
                frame = json.loads(message.data)
                if "envelope_id" in frame:
                    self.acks[frame["envelope_id"]] = dict(frame, _at=time.monotonic())
                    await self.notify()
        return ws

    async def push(self, envelope: dict) -> str:
        """Send one envelope over the websocket; returns its envelope_id."""
        envelope = dict(envelope)
        envelope.setdefault("envelope_id", uuid.uuid4().hex)
        self.pushed[envelope["envelope_id"]] = time.monotonic()
        assert self.ws is not None, "nobody is connected"
        await self.ws.send_str(json.dumps(envelope))
        return envelope["envelope_id"]


def event_envelope(event: dict, retry_attempt: int = 0, event_id: str | None = None) -> dict:
    """An events_api envelope as Socket Mode delivers it."""
    return {"type": "events_api", "accepts_response_payload": False, "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
            "payload": event_callback(event, event_id)}


def event_callback(event: dict, event_id: str | None = None) -> dict:
    return {"token": "verification-token", "team_id": TEAM, "api_app_id": "A0001", "event": event,
            "type": "event_callback", "event_id": event_id or f"Ev{uuid.uuid4().hex[:10]}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}]}


def interactive_envelope(payload: dict) -> dict:
    """A Socket Mode envelope for a button click (block_actions) or a shortcut (message_action)."""
    return {"type": "interactive", "accepts_response_payload": False, "payload": payload}


def button_click(action_id: str, value: str, response_url: str, user: str = "U0USER") -> dict:
    return {"type": "block_actions", "team": {"id": TEAM, "domain": "fake"}, "user": {"id": user, "name": "someone"},
            "api_app_id": "A0001", "token": "verification-token", "trigger_id": "1.2.3", "response_url": response_url,
            "container": {"type": "message", "message_ts": "1700000000.000200", "channel_id": "C0CHAN"},
            "channel": {"id": "C0CHAN", "name": "general"},
            "actions": [{"type": "button", "action_id": action_id, "block_id": "feedback", "value": value,
                         "action_ts": f"{time.time():.6f}", "text": {"type": "plain_text", "text": "x"}}]}


def message_shortcut(text: str, response_url: str, user: str = "U0USER") -> dict:
    return {"type": "message_action", "callback_id": "check_coverage", "team": {"id": TEAM, "domain": "fake"},
            "user": {"id": user, "name": "someone"}, "channel": {"id": "C0CHAN", "name": "general"},
            "message": {"type": "message", "user": "U0OTHER", "text": text, "ts": "1700000000.000300"},
            "response_url": response_url, "trigger_id": "1.2.3", "token": "verification-token",
            "action_ts": f"{time.time():.6f}", "message_ts": "1700000000.000300"}


def command_envelope(command: str, text: str, response_url: str, user: str = "U0USER", channel: str = "C0CHAN") -> dict:
    return {"type": "slash_commands", "accepts_response_payload": True,
            "payload": command_payload(command, text, response_url, user, channel)}


def command_payload(command: str, text: str, response_url: str, user: str = "U0USER", channel: str = "C0CHAN") -> dict:
    return {"token": "verification-token", "team_id": TEAM, "team_domain": "fake", "channel_id": channel,
            "channel_name": "general", "user_id": user, "user_name": "someone", "command": command, "text": text,
            "api_app_id": "A0001", "response_url": response_url, "trigger_id": "1.2.3"}


async def _body(request: web.Request) -> dict:
    raw = await request.read()
    if request.content_type == "application/json":
        return json.loads(raw or b"{}")
    return {k: v[0] for k, v in parse_qs(raw.decode()).items()}
