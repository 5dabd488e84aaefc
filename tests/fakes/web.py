"""A loopback web server for the importer's tests: pages and feeds written for the tests, plus the
ways real sites fail (404, a redirect loop, a slow answer, a non-HTML file). Binds 127.0.0.1."""

from __future__ import annotations

import asyncio

from aiohttp import web

from tests.fakes.loopback import LoopbackServer


class FakeWeb(LoopbackServer):
    def __init__(self) -> None:
        super().__init__()
        self.pages: dict[str, tuple[str, bytes]] = {}  # path -> (content type, body)
        self.etags: dict[str, str] = {}  # path -> its ETag, for conditional GETs
        self.hits: dict[str, int] = {}
        self.not_modified: dict[str, int] = {}  # path -> 304s sent
        self.user_agents: set[str] = set()

    def put(self, path: str, body: str | bytes, content_type: str = "text/html; charset=utf-8",
            etag: str = "") -> str:
        self.pages[path] = (content_type, body.encode() if isinstance(body, str) else body)
        if etag:
            self.etags[path] = etag
        return self.url + path

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/loop/{n}", self._loop)
        app.router.add_get("/slow", self._slow)
        app.router.add_get("/moved", self._moved)
        app.router.add_get("/{path:.*}", self._page)

    async def _page(self, request: web.Request) -> web.Response:
        path = "/" + request.match_info["path"]
        self.hits[path] = self.hits.get(path, 0) + 1
        self.user_agents.add(request.headers.get("User-Agent", ""))
        if path not in self.pages:
            return web.Response(status=404, text="not found")
        content_type, body = self.pages[path]
        etag = self.etags.get(path)
        if etag and request.headers.get("If-None-Match") == etag:
            self.not_modified[path] = self.not_modified.get(path, 0) + 1
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, headers={"Content-Type": content_type, **({"ETag": etag} if etag else {})})

    async def _loop(self, request: web.Request) -> web.Response:
        raise web.HTTPFound(f"{self.url}/loop/{int(request.match_info['n']) + 1}")

    async def _moved(self, request: web.Request) -> web.Response:
        raise web.HTTPMovedPermanently(self.url + "/news/bridge")

    async def _slow(self, request: web.Request) -> web.Response:
        await asyncio.sleep(5)
        return web.Response(text="<html><body><p>late</p></body></html>", content_type="text/html")
