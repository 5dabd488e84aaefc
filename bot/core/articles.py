"""Articles on disk: one Markdown file each, a `key: value` front matter, then the text."""

from __future__ import annotations

import datetime as _dt
import difflib
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bot.errors import KnowledgeError

REQUIRED_KEYS = ("title", "outlet", "url")
OPTIONAL_KEYS = ("published", "author", "via")
_KEY_LINE = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*)\s*:\s?(.*)$")
# What Jekyll, Hugo, WordPress and feed exports call the keys this format knows: named in a warning.
_OTHER_NAMES = {"date": "published", "pubdate": "published", "publishdate": "published",
                "published_at": "published", "publish_date": "published", "created": "published",
                "link": "url", "permalink": "url", "canonical": "url", "canonical_url": "url", "source_url": "url",
                "source": "outlet", "publication": "outlet", "publisher": "outlet", "site": "outlet",
                "site_name": "outlet", "headline": "title", "byline": "author", "authors": "author",
                "syndicated_from": "via", "original": "via"}
log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Article:
    """One piece of coverage: its metadata and its paragraphs of prose."""

    name: str  # file name, used in messages and as a stable id
    title: str
    outlet: str
    url: str
    published: str  # ISO date, or "" when the outlet gave none
    author: str
    via: str  # the original outlet of a republished story, or ""
    paragraphs: tuple[str, ...]

    @property
    def credit(self) -> str:
        """The outlet as a reader should see it, e.g. "Get Heard (via Billboard)"."""
        return f"{self.outlet} (via {self.via})" if self.via else self.outlet


def parse_article(name: str, raw: bytes, warnings: list[str] | None = None) -> Article:
    """Parse one file's bytes; raise KnowledgeError naming the file and every problem found. What is
    worth fixing but does not stop the article (an unknown front-matter key) goes into warnings."""
    problems: list[str] = []
    warnings = [] if warnings is None else warnings

    def fail(message: str) -> KnowledgeError:
        return KnowledgeError([f"{name}: {message}"])

    if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Notepad's "Unicode": its NULs would say "not a text file"
        raise fail(f"is not UTF-8 text (it starts like UTF-16, with bytes 0x{raw[0]:02x} 0x{raw[1]:02x}); "
                   "save it as UTF-8")
    nul = raw.find(b"\0")
    if nul >= 0:  # valid UTF-8 all the same, so without this check it would load, NULs and all
        line = raw[:nul].count(b"\n") + 1
        raise fail(f"is not a text file (NUL byte on line {line}, offset {nul}); an article is a UTF-8 text file")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise fail(f"is not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}, offset {exc.start}); "
                   "save it as UTF-8") from None
    if not text.strip():
        raise fail(f"is empty ({'0 bytes' if not raw else 'only whitespace'}): write the front matter and "
                   "the article text into it, or delete it")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        raise fail("has no front matter: the first line must be '---', followed by "
                   "'title: …', 'outlet: …', 'url: …' lines and a closing '---'")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise fail("front matter is not closed: add a '---' line after the last 'key: value' line") from None

    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _KEY_LINE.match(line.strip())
        if not match:
            problems.append(f"line {number} of the front matter is not 'key: value': {line.strip()[:60]!r}")
            continue
        key, value = match.group(1).lower(), match.group(2).strip()
        if key not in REQUIRED_KEYS + OPTIONAL_KEYS:
            warnings.append(f"{name}: unknown front-matter key {key!r} on line {number} is ignored"
                            f"{_did_you_mean(key)}")
        elif key in meta:
            problems.append(f"front-matter key {key!r} appears twice (line {number})")
        else:
            meta[key] = _unquote(value)

    for key in REQUIRED_KEYS:
        if not meta.get(key):
            problems.append(f"front matter has no {key!r} (every article needs title, outlet and url)")
    url = meta.get("url", "")
    if url and not re.match(r"^https?://\S+$", url):
        problems.append(f"url must start with http:// or https:// and contain no spaces: {url[:80]!r}")
    published = meta.get("published", "")
    if published:
        try:
            date = _dt.date.fromisoformat(published)
        except ValueError:
            problems.append(f"published must be an ISO date like 2022-06-10, or empty: {published!r}")
        else:  # a day of slack: the outlet's today may already be tomorrow here
            if date > _dt.date.today() + _dt.timedelta(days=1):
                warnings.append(f"{name}: published {published} is in the future")

    paragraphs = _paragraphs(lines[end + 1:])
    if not paragraphs:
        problems.append("has no article text after the front matter")
    if problems:
        raise KnowledgeError([f"{name}: {p}" for p in problems])
    return Article(name=name, title=meta["title"], outlet=meta["outlet"], url=url, published=published,
                   author=meta.get("author", ""), via=meta.get("via", ""), paragraphs=tuple(paragraphs))


def _did_you_mean(key: str) -> str:
    known = REQUIRED_KEYS + OPTIONAL_KEYS
    closest = _OTHER_NAMES.get(key.replace("-", "_")) or next(iter(difflib.get_close_matches(key, known, 1, 0.6)), None)
    return f" (did you mean {closest!r}?)" if closest else f" (known keys: {', '.join(known)})"


def folder_notes(directory: Path) -> tuple[list[str], list[str]]:
    """(problems, ignored): a folder named like an article is a problem; other files that are not
    articles are ignored, and named so that nothing is skipped without a word. Dot files are hidden."""
    problems, ignored = [], []
    for path in sorted(directory.iterdir()) if directory.is_dir() else ():
        if path.name.startswith("."):
            continue
        if path.suffix == ".md":
            if path.is_dir():
                problems.append(f"{path.name}: is a folder, not an article file (an article is a .md file)")
        elif path.suffix.lower() == ".md":
            ignored.append(f"{path.name}: ignored: rename it to end in .md, lowercase, to make it an article")
        else:
            ignored.append(f"{path.name}{'/' if path.is_dir() else ''}: ignored: not a .md article")
    return problems, ignored


def article_paths(directory: Path) -> list[Path]:
    """The article files of a knowledge folder, in a stable order."""
    paths = [p for p in directory.glob("*.md") if p.is_file() and not p.name.startswith(".")]
    return sorted(paths, key=lambda p: p.name)  # one folder: as sorting the paths, but far quicker


def load_articles(directory: str | Path) -> list[Article]:
    """Load every article in the folder; raise KnowledgeError listing every broken file."""
    directory = Path(directory)
    return parse_knowledge(directory, read_knowledge(directory))


def read_knowledge(directory: Path, ignored: list[str] | None = None,
                   warnings: list[str] | None = None) -> list[tuple[str, bytes]]:
    """(file name, bytes) of every article file; unreadable files are reported, not skipped, and
    files that are not articles are named (collected into ignored when given, else logged). A copy of
    an earlier file's article is left out with a warning (collected into warnings when given, else
    logged): here, before the cache, which would otherwise parse only the new copy and not see it."""
    if not directory.is_dir():
        raise KnowledgeError([f"{directory}: the knowledge folder does not exist or is not a folder"])
    problems, others = folder_notes(directory)
    if ignored is not None:
        ignored.extend(others)
    elif others:
        log.info("%s: %d file%s not read: %s", directory, len(others), "" if len(others) == 1 else "s",
                 "; ".join(others[:10]) + ("; …" if len(others) > 10 else ""))
    files = []
    for path in article_paths(directory):
        try:
            files.append((path.name, path.read_bytes()))
        except OSError as exc:
            problems.append(f"{path.name}: cannot be read ({exc.strerror or exc})")
    if problems:
        raise KnowledgeError(problems)
    skipped: list[str] = [] if warnings is None else warnings
    files = _without_copies(files, skipped)
    if warnings is None:
        for warning in skipped:
            log.warning(warning)
    return files


def _comparable_url(url: str) -> str:
    """url as compared for copies: no surrounding space or trailing slash, scheme and host lowercase."""
    parts = urlsplit(url.strip())
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path.rstrip("/"), parts.query, parts.fragment))


def _without_copies(files: list[tuple[str, bytes]], warnings: list[str]) -> list[tuple[str, bytes]]:
    """files less those holding the same article as an earlier one: the same url (an empty one never
    counts) or the same text, whatever the title. Broken files are kept, for parse_knowledge to report."""
    by_url: dict[str, str] = {}
    by_text: dict[bytes, str] = {}
    kept = []
    for name, raw in files:
        try:
            article = parse_article(name, raw, [])
        except KnowledgeError:
            kept.append((name, raw))
            continue
        url = _comparable_url(article.url)
        text = hashlib.sha256("\n".join(article.paragraphs).encode()).digest()
        url_of, text_of = by_url.get(url) if url else None, by_text.get(text)
        if url_of or text_of:
            same = "url and text" if url_of == text_of else "url" if url_of else "text"
            warnings.append(f"{name}: skipped: the same article as {url_of or text_of} (same {same})")
        else:
            kept.append((name, raw))
        if url:  # a skipped file is remembered too, so that a copy of it is named after it
            by_url.setdefault(url, name)
        by_text.setdefault(text, name)
    return kept


def parse_knowledge(directory: Path, files: list[tuple[str, bytes]],
                    warnings: list[str] | None = None) -> list[Article]:
    """Parse every file; raise KnowledgeError listing every broken one. Warnings are collected into
    warnings when given, else logged."""
    articles: list[Article] = []
    problems: list[str] = []
    noted: list[str] = [] if warnings is None else warnings
    for name, raw in files:
        try:
            articles.append(parse_article(name, raw, noted))
        except KnowledgeError as exc:
            problems.extend(exc.problems)
    if warnings is None:
        for warning in noted[:20]:
            log.warning(warning)
        if len(noted) > 20:
            log.warning("… and %d more warnings: python -m bot check lists them all", len(noted) - 20)
    if not articles and not problems:
        problems.append(f"{directory}: no articles found (add one *.md file per article)")
    if problems:
        raise KnowledgeError(problems)
    return articles


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _paragraphs(lines: list[str]) -> list[str]:
    """Blank lines separate paragraphs; lines within one are joined with spaces."""
    paragraphs, current = [], []
    for line in lines + [""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    return paragraphs
