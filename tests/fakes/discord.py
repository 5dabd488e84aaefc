"""A loopback fake of Discord: the REST routes discord.py calls and a gateway websocket.

The gateway sends HELLO, reads IDENTIFY, sends READY and GUILD_CREATE, acks heartbeats, accepts
RESUME after a forced reconnect, and dispatches MESSAGE_CREATE / INTERACTION_CREATE on demand.
Everything the client sends is recorded. Binds 127.0.0.1 on a free port.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time

from aiohttp import WSMsgType, web

from tests.fakes.loopback import LoopbackServer

APP_ID = "100000000000000001"
BOT_ID = APP_ID
GUILD_ID = "200000000000000002"
CHANNEL_ID = "300000000000000003"
DM_CHANNEL_ID = "300000000000000009"
USER_ID = "400000000000000004"
OTHER_BOT_ID = "500000000000000005"
_ids = itertools.count(600000000000000000)


def snowflake() -> str:
    return str(next(_ids))


def user(user_id: str = USER_ID, name: str = "someone", bot: bool = False) -> dict:
    return {"id": user_id, "username": name, "discriminator": "0", "global_name": name, "avatar": None, "bot": bot}


BOT_USER = user(BOT_ID, "coverage-bot", bot=True)


class FakeDiscord(LoopbackServer):
    def __init__(self) -> None:
        super().__init__()
        self.requests: list[tuple[str, str, dict | None]] = []  # (method, path, json body)
        self.messages: list[dict] = []  # POST /channels/{id}/messages bodies, with "channel_id"
        self.callbacks: list[dict] = []  # interaction callback bodies, with "_at" and "interaction_id"
        self.synced: list[tuple[str, list]] = []  # (path, commands) of command syncs
        self.identify: dict | None = None
        self.resumes: list[dict] = []
        self.connections = 0
        self.ready = asyncio.Event()
        self.resumed = asyncio.Event()
        self.sent_at: dict[str, float] = {}  # interaction id -> when the INTERACTION_CREATE went out
        self._ws: web.WebSocketResponse | None = None
        self._seq = 0

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/gateway", self._gateway)
        app.router.add_route("*", "/api/v10/{path:.*}", self._rest)

    @property
    def api_base(self) -> str:
        return self.url + "/api/v10"

    @property
    def gateway_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/gateway"

    # ---- REST ---------------------------------------------------------------------------------------
    async def _rest(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        raw = await request.read()
        body = json.loads(raw) if raw else None
        self.requests.append((request.method, path, body))
        if not request.headers.get("Authorization", "").startswith("Bot ") and "/interactions/" not in path \
                and not path.startswith("/webhooks/"):
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        if request.headers.get("Authorization") == "Bot " + BAD_TOKEN:
            return _json({"message": "401: Unauthorized", "code": 0}, status=401)
        if path == "/users/@me":
            return _json(BOT_USER)
        if path == "/oauth2/applications/@me":
            return _json({"id": APP_ID, "name": "coverage-bot", "description": "", "icon": None,
                                      "bot_public": True, "bot_require_code_grant": False, "owner": user(),
                                      "verify_key": "00" * 32, "flags": 0, "summary": ""})
        if request.method == "PUT" and path.endswith("/commands"):
            commands = [{"description": "", **c, "id": snowflake(), "application_id": APP_ID, "version": snowflake()}
                        for c in body]  # Discord answers context-menu commands with an empty description
            self.synced.append((path, body))
            await self.notify()
            return _json(commands)
        if request.method == "POST" and path.startswith("/channels/") and path.endswith("/messages"):
            channel_id = path.split("/")[2]
            created = message(channel_id, body.get("content") or "", author=BOT_USER, embeds=body.get("embeds") or [])
            self.messages.append(dict(body, channel_id=channel_id, id=created["id"]))
            await self.notify()
            return _json(created)
        if request.method == "POST" and path.startswith("/interactions/") and path.endswith("/callback"):
            interaction_id = path.split("/")[2]
            self.callbacks.append(dict(body, _at=time.monotonic(), interaction_id=interaction_id))
            await self.notify()
            data = body.get("data") or {}
            return _json({
                "interaction": {"id": interaction_id, "type": 2, "response_message_id": snowflake(),
                                "response_message_loading": body.get("type") == 5,
                                "response_message_ephemeral": bool(data.get("flags", 0) & 64)},
                "resource": {"type": body.get("type"),
                             **({"message": message(CHANNEL_ID, data.get("content") or "", author=BOT_USER,
                                                    embeds=data.get("embeds") or [])} if body.get("type") == 4
                                else {})}})
        return _json({"message": f"fake: no route {request.method} {path}", "code": 0}, status=404)

    # ---- gateway ------------------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(autoping=True, max_msg_size=0)
        await ws.prepare(request)
        self._ws = ws
        self._sockets.append(ws)
        self.connections += 1
        await ws.send_str(json.dumps({"op": 10, "d": {"heartbeat_interval": 41250}, "s": None, "t": None}))
        async for frame in ws:
            if frame.type != WSMsgType.TEXT:
                continue
            payload = json.loads(frame.data)
            op = payload.get("op")
            if op == 1:
                await ws.send_str(json.dumps({"op": 11, "d": None, "s": None, "t": None}))
            elif op == 2:
                self.identify = payload["d"]
                await self._dispatch("READY", {
                    "v": 10, "user": BOT_USER, "guilds": [{"id": GUILD_ID, "unavailable": True}],
                    "session_id": "fake-session", "resume_gateway_url": self.gateway_url, "shard": [0, 1],
                    "application": {"id": APP_ID, "flags": 0}, "private_channels": [], "relationships": []})
                await self._dispatch("GUILD_CREATE", guild())
                self.ready.set()
                await self.notify()
            elif op == 6:
                self.resumes.append(payload["d"])
                await self._dispatch("RESUMED", {})
                self.resumed.set()
                await self.notify()
        return ws

    async def _dispatch(self, event: str, data: dict) -> None:
        self._seq += 1
        assert self._ws is not None
        await self._ws.send_str(json.dumps({"op": 0, "t": event, "s": self._seq, "d": data}))

    async def push_message(self, content: str, *, dm: bool = False, author: dict | None = None,
                           mentions: list[dict] | None = None, reply_to: str | None = None) -> dict:
        """A user's message; reply_to makes it a reply to that message (as Discord sends one)."""
        data = message(DM_CHANNEL_ID if dm else CHANNEL_ID, content, author=author or user(),
                       mentions=mentions or [], guild_id=None if dm else GUILD_ID)
        if reply_to is not None:
            data["type"] = 19  # REPLY
            data["message_reference"] = {"message_id": reply_to, "channel_id": data["channel_id"],
                                         **({} if dm else {"guild_id": GUILD_ID})}
        await self._dispatch("MESSAGE_CREATE", data)
        return data

    async def push_command(self, name: str, options: list[dict] | None = None, *, autocomplete: bool = False,
                           user_id: str = USER_ID) -> str:
        return await self.push_interaction(4 if autocomplete else 2,
                                           {"id": snowflake(), "name": name, "type": 1, "options": options or []},
                                           user_id=user_id)

    async def push_interaction(self, kind: int, data: dict, *, message: dict | None = None,
                               user_id: str = USER_ID) -> str:
        """An INTERACTION_CREATE of another kind: 3, a button click on message; 2 with data type 3, a
        message command."""
        interaction_id = snowflake()
        payload = {"id": interaction_id, "application_id": APP_ID, "type": kind, "data": data,
                   "guild_id": GUILD_ID, "channel_id": CHANNEL_ID,
                   "channel": {"id": CHANNEL_ID, "type": 0, "guild_id": GUILD_ID, "name": "general"},
                   "member": {"user": user(user_id), "roles": [], "permissions": "2147483647", "joined_at":
                              "2024-01-01T00:00:00+00:00", "deaf": False, "mute": False, "flags": 0},
                   "token": f"token-{interaction_id}", "version": 1, "app_permissions": "2147483647",
                   "locale": "en-US", "guild_locale": "en-US", "entitlements": [], "attachment_size_limit": 10485760,
                   "authorizing_integration_owners": {"0": GUILD_ID}, "context": 0}
        if message is not None:
            payload["message"] = message
        self.sent_at[interaction_id] = time.monotonic()
        await self._dispatch("INTERACTION_CREATE", payload)
        return interaction_id

    async def click(self, custom_id: str, user_id: str = USER_ID) -> str:
        """A click on a button of one of the bot's messages."""
        shown = message(CHANNEL_ID, "", author=BOT_USER, guild_id=GUILD_ID)
        shown["components"] = [{"type": 1, "components": [{"type": 2, "style": 2, "label": "x",
                                                           "custom_id": custom_id}]}]
        return await self.push_interaction(3, {"custom_id": custom_id, "component_type": 2}, message=shown,
                                           user_id=user_id)

    async def message_command(self, name: str, content: str) -> str:
        """Right-click → Apps → name, on a user's message with this content."""
        target = message(CHANNEL_ID, content, author=user(), guild_id=GUILD_ID)
        return await self.push_interaction(2, {"id": snowflake(), "name": name, "type": 3, "target_id": target["id"],
                                               "resolved": {"messages": {target["id"]: target}}})

    async def force_reconnect(self) -> None:
        """Opcode 7: the client must drop the socket and RESUME on a new one."""
        assert self._ws is not None
        self.resumed.clear()
        await self._ws.send_str(json.dumps({"op": 7, "d": None, "s": None, "t": None}))


def _json(data, status: int = 200) -> web.Response:
    # exactly "application/json", as Discord sends it: discord.py compares the header verbatim
    return web.Response(body=json.dumps(data).encode(), status=status, content_type="application/json")


BAD_TOKEN = "MTAwMDAwMDAwMDAwMDAwMDAx.GbAdXX.bad-token-bad-token-bad-token-xx"


def message(channel_id: str, content: str, *, author: dict, mentions: list[dict] | None = None,
            embeds: list | None = None, guild_id: str | None = None) -> dict:
    data = {"id": snowflake(), "channel_id": channel_id, "author": author, "content": content,
            "timestamp": "2024-01-01T00:00:00.000000+00:00", "edited_timestamp": None, "tts": False,
            "mention_everyone": False, "mentions": mentions or [], "mention_roles": [], "attachments": [],
            "embeds": embeds or [], "pinned": False, "type": 0, "flags": 0, "components": []}
    if guild_id:
        data["guild_id"] = guild_id
        data["member"] = {"roles": [], "joined_at": "2024-01-01T00:00:00+00:00", "deaf": False, "mute": False,
                          "flags": 0}
    return data


def guild() -> dict:
    return {"id": GUILD_ID, "name": "Fake Server", "icon": None, "owner_id": USER_ID, "afk_timeout": 300,
            "verification_level": 0, "default_message_notifications": 0, "explicit_content_filter": 0,
            "roles": [{"id": GUILD_ID, "name": "@everyone", "permissions": "2147483647", "position": 0,
                       "color": 0, "hoist": False, "managed": False, "mentionable": False, "flags": 0}],
            "emojis": [], "stickers": [], "features": [], "mfa_level": 0, "system_channel_flags": 0,
            "premium_tier": 0, "preferred_locale": "en-US", "nsfw_level": 0, "member_count": 2,
            "large": False, "unavailable": False, "joined_at": "2024-01-01T00:00:00+00:00",
            "members": [], "voice_states": [], "presences": [], "threads": [], "stage_instances": [],
            "guild_scheduled_events": [], "soundboard_sounds": [],
            "channels": [{"id": CHANNEL_ID, "type": 0, "name": "general", "position": 0,
                          "permission_overwrites": [], "nsfw": False, "parent_id": None}]}
