"""An article out of a web page: main text without page furniture, and its metadata.

trafilatura does the extraction (main-content detection, boilerplate removal, metadata from
OpenGraph, JSON-LD and the like); hand-written HTML parsing would miss most of what real news pages
put around an article. It is imported on first use, so a bot that never imports does not load it.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

MIN_SENTENCE_WORDS = 8  # a page whose text has no line this long has no article prose, only furniture


class ExtractError(Exception):
    """Why no article could be taken from a page, as a short phrase."""


@dataclass(frozen=True)
class Extracted:
    title: str
    outlet: str  # "" when the page names no site; the importer falls back to the host
    url: str  # canonical when the page gives one, else the address it was fetched from ("" for a file without one)
    published: str  # ISO date or ""
    author: str
    paragraphs: tuple[str, ...]


def extract_article(html: str, url: str | None = None) -> Extracted:
    """The article in html (fetched from url, if it was), or ExtractError."""
    import trafilatura

    document = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_tables=False, include_images=False,
        include_links=False, favor_precision=True,
        # a date the page states, not a guess from its text or address
        date_extraction_params={"extensive_search": False, "original_date": True})
    text = getattr(document, "text", None) if document is not None else None
    if not text:
        raise ExtractError("no article text found")
    site = _one_line(document.sitename or "")
    title = _without_site(_one_line(document.title or ""), site)
    if not title:
        raise ExtractError("no headline found")
    lines = [_one_line(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if lines and _same(lines[0], title):
        lines = lines[1:]  # the headline repeated as the text's first line
    if not any(len(line.split()) >= MIN_SENTENCE_WORDS for line in lines):
        raise ExtractError("no article text found (only short lines: a front page or a list?)")
    return Extracted(title=title, outlet=site, url=_one_line(document.url or url or ""),
                     published=_iso_date(document.date), author=_one_line(document.author or ""),
                     paragraphs=tuple(lines))


def host_name(url: str) -> str:
    """example.com for https://www.example.com/a: the outlet when a page names none."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _same(a: str, b: str) -> bool:
    return a.casefold().strip(" .") == b.casefold().strip(" .")


def _without_site(title: str, site: str) -> str:
    """"Headline | Outlet" → "Headline" (also " - ", " — ", " – ", " :: ")."""
    if not site:
        return title
    for separator in (" | ", " - ", " — ", " – ", " :: ", " · "):
        head, found, tail = title.rpartition(separator)
        if found and head and _same(tail, site):
            return head.strip()
    return title


def _iso_date(value) -> str:
    if not value:
        return ""
    match = re.match(r"^\d{4}-\d{2}-\d{2}", str(value))
    if not match:
        return ""
    try:
        return dt.date.fromisoformat(match.group(0)).isoformat()
    except ValueError:
        return ""
