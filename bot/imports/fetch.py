"""Polite, bounded HTTP GETs: the bot's user agent, a timeout, a size limit, a few redirects.

The standard library's urllib is enough for one page at a time; nothing here is async because an
import runs from the command line or in a worker thread of the running bot.
"""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from dataclasses import dataclass

from bot import __version__

USER_AGENT = f"coverage-bot/{__version__} (imports news coverage for a self-hosted chat bot)"
TIMEOUT = 20.0  # seconds per connection and per read
MAX_BYTES = 5 * 1024 * 1024  # no article page or feed needs more; a bigger body is refused, not cut
MAX_REDIRECTS = 5


class FetchError(Exception):
    """Why a URL could not be fetched, as one short phrase ("HTTP 404", "timed out after 20 s")."""


@dataclass(frozen=True)
class Page:
    url: str  # where it ended up, after redirects
    content_type: str  # the media type alone, lowercase ("text/html")
    charset: str | None
    body: bytes
    etag: str = ""  # the validators a later request may send back (a followed feed does)
    last_modified: str = ""
    unchanged: bool = False  # 304: the server says nothing changed since those validators

    def text(self) -> str:
        return self.body.decode(self.charset or "utf-8", errors="replace")


class _FewRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS


_opener = urllib.request.build_opener(_FewRedirects())


ACCEPT = "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,application/xml;q=0.9,*/*;q=0.5"


def fetch(url: str, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES, etag: str = "",
          last_modified: str = "") -> Page:
    """GET url, or raise FetchError saying why not. With validators from an earlier fetch it is a
    conditional GET: an unchanged resource comes back as a Page with unchanged set and no body."""
    headers = {"User-Agent": USER_AGENT, "Accept": ACCEPT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    request = urllib.request.Request(url, headers=headers)
    too_big = f"larger than {max_bytes / (1024 * 1024):g} MB"
    try:
        with _opener.open(request, timeout=timeout) as response:
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise FetchError(f"{too_big} ({int(declared):,} bytes)")
            body = response.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise FetchError(too_big)
            return Page(url=response.geturl(), content_type=response.headers.get_content_type().lower(),
                        charset=response.headers.get_content_charset(), body=body,
                        etag=response.headers.get("ETag", ""), last_modified=response.headers.get("Last-Modified", ""))
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Page(url=url, content_type="", charset=None, body=b"", etag=etag, last_modified=last_modified,
                        unchanged=True)
        if 300 <= exc.code < 400:
            raise FetchError(f"more than {MAX_REDIRECTS} redirects") from None
        raise FetchError(f"HTTP {exc.code}" + (f" {exc.reason}" if exc.reason else "")) from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, (socket.timeout, TimeoutError)):
            raise FetchError(f"timed out after {timeout:g} s") from None
        raise FetchError(f"cannot connect ({getattr(reason, 'strerror', None) or reason})") from None
    except (socket.timeout, TimeoutError):
        raise FetchError(f"timed out after {timeout:g} s") from None
    except ValueError as exc:  # a malformed URL
        raise FetchError(f"not a usable URL ({exc})") from None
    except OSError as exc:
        raise FetchError(f"cannot read it ({exc.strerror or exc})") from None
