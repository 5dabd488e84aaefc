"""Writing imported articles into a knowledge folder: readable names, no duplicates, no half files."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bot.core.articles import article_paths, parse_article
from bot.errors import KnowledgeError
from bot.imports.pages import Extracted

MAX_SLUG = 80  # characters of the title in a file name: readable in a listing, far below any file-system limit
_TRACKING = re.compile(r"^(utm_|fbclid$|gclid$|mc_cid$|mc_eid$)")  # analytics parameters, not part of the address


def same_url(url: str) -> str:
    """url as compared for duplicates: no fragment, no tracking parameters, no trailing slash, host lowercase."""
    parts = urlsplit(url.strip())
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)])
    path = parts.path.rstrip("/") or "/"
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, query, ""))


def fingerprint(paragraphs) -> str:
    """The same text under another URL (a syndicated copy) has the same fingerprint."""
    words = " ".join(unicodedata.normalize("NFKC", p).casefold() for p in paragraphs).split()
    return hashlib.sha256(" ".join(words).encode()).hexdigest()


def render(article: Extracted, outlet: str) -> str:
    """The knowledge file's text: the front matter bot/core/articles.py reads, then the paragraphs."""
    fields = [("title", article.title), ("outlet", outlet), ("url", article.url),
              ("published", article.published), ("author", article.author)]
    front = "\n".join(f"{key}: {_quoted(value)}" for key, value in fields if value or key == "published")
    return f"---\n{front}\n---\n\n" + "\n\n".join(article.paragraphs) + "\n"


def _quoted(value: str) -> str:
    # articles.py strips one pair of matching outer quotes; a value that has them keeps them this way
    return f"{value[0]}{value}{value[0]}" if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'" else value


def slug(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return words[:MAX_SLUG].rstrip("-") or "article"


class KnowledgeFolder:
    """The articles already in a folder, by URL and by text, and a safe way to add one."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.by_url: dict[str, str] = {}
        self.by_text: dict[str, str] = {}
        self.unreadable: list[str] = []  # files that could not be compared (broken): reported, not skipped silently
        if self.folder.is_dir():
            for path in article_paths(self.folder):
                try:
                    article = parse_article(path.name, path.read_bytes())
                except (KnowledgeError, OSError):
                    self.unreadable.append(path.name)
                    continue
                self._remember(path.name, article.url, article.paragraphs)

    def duplicate_of(self, url: str, paragraphs=None) -> str | None:
        """The file that already holds this URL (or, given paragraphs, this text), else None."""
        found = self.by_url.get(same_url(url)) if url else None
        if found is None and paragraphs is not None:
            found = self.by_text.get(fingerprint(paragraphs))
        return found

    def add(self, article: Extracted, outlet: str, dry_run: bool = False) -> str:
        """Write the article under a new name (never over another file) and return the name."""
        text = render(article, outlet)
        name = self._free_name(slug(article.title))
        parse_article(name, text.encode())  # the file must load as written; raises KnowledgeError if not
        if not dry_run:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = self._write_new(name, text)
        self._remember(name, article.url, article.paragraphs)
        return name

    def _remember(self, name: str, url: str, paragraphs) -> None:
        self.by_url.setdefault(same_url(url), name)
        self.by_text.setdefault(fingerprint(paragraphs), name)

    def _taken(self, name: str) -> bool:
        return (self.folder / name).exists() or name in self.by_url.values()

    def _free_name(self, stem: str) -> str:
        name, number = f"{stem}.md", 2
        while self._taken(name):
            name, number = f"{stem}-{number}.md", number + 1
        return name

    def _write_new(self, name: str, text: str) -> str:
        """Write to a hidden temporary file (the loader ignores dot files) and link it into place: a
        reader never sees half a file, and os.link fails rather than overwrite one that appeared."""
        handle, temporary = tempfile.mkstemp(prefix=".import-", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            while True:
                try:
                    os.link(temporary, self.folder / name)
                    return name
                except FileExistsError:  # another writer took the name meanwhile
                    name = self._free_name(name[:-len(".md")])
                except OSError:  # a file system without hard links: rename, having just checked the name
                    os.replace(temporary, self.folder / name)
                    return name
        finally:
            if os.path.exists(temporary):
                os.unlink(temporary)
