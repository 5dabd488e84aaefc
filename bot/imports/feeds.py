"""RSS and Atom feeds: the items' links, titles and dates. feedparser reads every feed dialect
(RSS 0.9x to 2.0, Atom 0.3 and 1.0) and the malformed ones real sites publish."""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from urllib.parse import urljoin

FEED_TYPES = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml",
              "text/xml", "application/feed+json"}


class FeedError(Exception):
    """A feed that cannot be read, as a short phrase."""


@dataclass(frozen=True)
class FeedItem:
    link: str
    title: str
    published: str  # ISO date or ""


@dataclass(frozen=True)
class Feed:
    title: str
    items: tuple[FeedItem, ...]


def looks_like_feed(body: bytes, content_type: str = "") -> bool:
    """A cheap look before parsing: a feed's media type, or an <rss>, <feed> or <rdf:RDF> root near the start."""
    if content_type in FEED_TYPES - {"application/xml", "text/xml"}:
        return True
    head = body[:2048].lstrip().lower()
    return any(tag in head for tag in (b"<rss", b"<feed", b"<rdf:rdf"))


def parse_feed(body: bytes, url: str = "") -> Feed:
    """The feed in body (fetched from url, which resolves relative links), or FeedError."""
    import feedparser

    parsed = feedparser.parse(body)
    if not parsed.entries and (parsed.bozo or not parsed.version):
        reason = getattr(parsed, "bozo_exception", None)
        raise FeedError(f"malformed feed ({' '.join(str(reason).split())})" if reason else "not an RSS or Atom feed")
    items = []
    for entry in parsed.entries:
        link = entry.get("link") or ""
        if not link:
            continue
        with warnings.catch_warnings():  # feedparser warns about its own published/updated fallback
            warnings.simplefilter("ignore", DeprecationWarning)
            stamp = entry.get("published_parsed") or entry.get("updated_parsed")
        published = dt.date(*stamp[:3]).isoformat() if stamp else ""
        items.append(FeedItem(link=urljoin(url, link.strip()), title=" ".join(entry.get("title", "").split()),
                              published=published))
    return Feed(title=" ".join(parsed.feed.get("title", "").split()), items=tuple(items))
