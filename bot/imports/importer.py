"""`python -m bot import SOURCE...`: each source (page file, folder, URL, feed) to knowledge files.

One Outcome per article or failure, in order; a failed source never stops the others, and nothing
half-written is ever left in the folder.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bot.errors import KnowledgeError
from bot.imports.feeds import Feed, FeedError, looks_like_feed, parse_feed
from bot.imports.fetch import MAX_BYTES, TIMEOUT, FetchError, fetch
from bot.imports.pages import ExtractError, Extracted, extract_article, host_name
from bot.imports.store import KnowledgeFolder

PAGE_SUFFIXES = (".html", ".htm")
HTML_TYPES = {"text/html", "application/xhtml+xml"}


@dataclass(frozen=True)
class Outcome:
    status: str  # "added", "would add", "skipped" or "failed"
    source: str  # the file, folder, page or feed item this is about
    detail: str  # the file and "(Outlet: Title)", or the reason
    file: str = ""  # the knowledge file added, or the one that already held it

    @property
    def line(self) -> str:
        if self.status in ("added", "would add"):
            return f"{self.status} {self.detail}"
        return f"{self.status} {self.source}: {self.detail}"


@dataclass(frozen=True)
class Options:
    outlet: str = ""  # --outlet: overrides the page's site name
    dry_run: bool = False
    timeout: float = TIMEOUT
    max_bytes: int = MAX_BYTES
    seen: frozenset[str] = frozenset()  # feed item links handled before (a followed feed): left alone, unreported
    # a followed feed's validators, url -> (ETag, Last-Modified): sent back, and updated from the answer
    validators: dict[str, tuple[str, str]] | None = None


class _Failed(Exception):
    """A source that failed, with the reason for its line."""


def import_sources(sources: list[str], folder: Path, options: Options = Options()) -> Iterator[Outcome]:
    knowledge = KnowledgeFolder(folder)
    for name in knowledge.unreadable:
        yield Outcome("failed", name, "cannot be read as an article, so duplicates of it cannot be found "
                      "(python -m bot check says why)")
    for source in sources:
        yield from _import_one(source, knowledge, options)


def _import_one(source: str, knowledge: KnowledgeFolder, options: Options) -> Iterator[Outcome]:
    try:
        if source.startswith(("http://", "https://")):
            yield from _import_url(source, knowledge, options)
            return
        path = Path(source)
        if path.is_dir():
            pages = sorted(p for p in path.rglob("*") if p.suffix.lower() in PAGE_SUFFIXES and p.is_file())
            if not pages:
                raise _Failed("no .html or .htm files in this folder")
            for page in pages:
                yield from _import_one(str(page), knowledge, options)
            return
        if not path.is_file():
            raise _Failed("no such file or folder, and not an http(s) URL")
        try:
            body = path.read_bytes()
        except OSError as exc:
            raise _Failed(f"cannot be read ({exc.strerror or exc})") from None
        if path.suffix.lower() in PAGE_SUFFIXES:
            yield _add_page(source, body.decode("utf-8", errors="replace"), None, knowledge, options)
        elif looks_like_feed(body):
            yield from _import_feed(source, _parsed_feed(body, ""), knowledge, options)
        else:
            raise _Failed("not an HTML page (.html, .htm) or an RSS/Atom feed")
    except _Failed as failure:
        yield Outcome("failed", source, str(failure))


def _import_url(url: str, knowledge: KnowledgeFolder, options: Options) -> Iterator[Outcome]:
    held = knowledge.duplicate_of(url)
    if held:
        yield Outcome("skipped", url, f"already in knowledge ({held})", held)
        return
    page = _fetched(url, options, *(options.validators or {}).get(url, ("", "")))
    if page.unchanged:
        return  # a followed feed with nothing new: not even parsed
    if options.validators is not None and (page.etag or page.last_modified):
        options.validators[url] = (page.etag, page.last_modified)
    if page.content_type in HTML_TYPES and not looks_like_feed(page.body):
        yield _add_page(url, page.text(), page.url, knowledge, options)
    elif looks_like_feed(page.body, page.content_type):
        yield from _import_feed(url, _parsed_feed(page.body, page.url), knowledge, options)
    else:
        raise _Failed(f"not HTML or a feed (content type {page.content_type})")


def _import_feed(source: str, feed: Feed, knowledge: KnowledgeFolder, options: Options) -> Iterator[Outcome]:
    if not feed.items:
        raise _Failed("the feed has no items with links")
    for item in feed.items:
        if item.link in options.seen:
            continue
        held = knowledge.duplicate_of(item.link)
        if held:  # known already: not even fetched
            yield Outcome("skipped", item.link, f"already in knowledge ({held})", held)
            continue
        try:
            page = _fetched(item.link, options)
            if page.content_type not in HTML_TYPES:
                raise _Failed(f"not HTML (content type {page.content_type})")
            yield _add_page(item.link, page.text(), page.url, knowledge, options,
                            fallback=Extracted(title=item.title, outlet=feed.title, url=item.link,
                                               published=item.published, author="", paragraphs=()))
        except _Failed as failure:
            yield Outcome("failed", item.link, str(failure))


def _add_page(source: str, html: str, url: str | None, knowledge: KnowledgeFolder, options: Options,
              fallback: Extracted | None = None) -> Outcome:
    try:
        article = extract_article(html, url)
    except ExtractError as exc:
        return Outcome("failed", source, str(exc))
    if fallback is not None:  # what the feed said, where the page is silent
        article = Extracted(title=article.title or fallback.title, outlet=article.outlet or fallback.outlet,
                            url=article.url or fallback.url, published=article.published or fallback.published,
                            author=article.author, paragraphs=article.paragraphs)
    if not article.url.startswith(("http://", "https://")):
        return Outcome("failed", source, "the page gives no http(s) address (no canonical link); "
                       "import it by its URL instead")
    held = knowledge.duplicate_of(article.url, article.paragraphs)
    if held:
        return Outcome("skipped", source, f"already in knowledge ({held})", held)
    outlet = options.outlet or article.outlet or host_name(article.url)
    try:
        name = knowledge.add(article, outlet, dry_run=options.dry_run)
    except KnowledgeError as exc:
        return Outcome("failed", source, "; ".join(exc.problems))
    except OSError as exc:
        return Outcome("failed", source, f"cannot write to {knowledge.folder} ({exc.strerror or exc})")
    return Outcome("would add" if options.dry_run else "added", source, f"{name} ({outlet}: {article.title})", name)


def _fetched(url: str, options: Options, etag: str = "", last_modified: str = ""):
    try:
        return fetch(url, timeout=options.timeout, max_bytes=options.max_bytes, etag=etag, last_modified=last_modified)
    except FetchError as exc:
        raise _Failed(str(exc)) from None


def _parsed_feed(body: bytes, url: str) -> Feed:
    try:
        return parse_feed(body, url)
    except FeedError as exc:
        raise _Failed(str(exc)) from None
