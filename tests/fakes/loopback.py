"""What both platform fakes share: an aiohttp server on 127.0.0.1 (a free port) and waiting on state."""

from __future__ import annotations

import asyncio

from aiohttp import web


class LoopbackServer:
    """Subclasses add their routes in `routes(app)` and call `notify()` whenever they record something."""

    def __init__(self) -> None:
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Condition()
        self._sockets: list[web.WebSocketResponse] = []

    def routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def start(self):
        app = web.Application()
        self.routes(app)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)  # loopback only, never another address
        await site.start()
        self.url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def close(self) -> None:
        for ws in self._sockets:
            if not ws.closed:
                await ws.close()
        if self._runner:
            await self._runner.cleanup()

    async def wait_for(self, predicate, timeout: float = 5.0) -> None:
        """Wait until predicate() holds, woken by each recorded change (no sleeping)."""
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(predicate), timeout)

    async def notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()
