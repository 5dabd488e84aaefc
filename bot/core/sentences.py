"""Sentence splitting for news prose, and the Sentence record that retrieval ranks."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from bot.core.articles import Article

# A sentence ends at . ! ? or an ellipsis, maybe followed by closing quotes or brackets, then space,
# then something that can start a sentence. Lowercase after "…" is a pause inside a sentence.
_BOUNDARY = re.compile(r"(?:[.!?]+|…|\.\.\.)[\"”’')\]]*(?=\s+[\"“‘(\[]?[A-Z0-9])")
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st vs etc inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec "
    "no vol fig approx dept gen gov sen rep lt col sgt capt mt ft ave blvd est"
    .split())
# Quotations and parentheses longer than this are not protected: an unclosed quote mark must not
# glue a whole paragraph into one "sentence".
_MAX_PROTECTED = 700
# A web page's pointer to what it embeds ("Watch the video below.", "Check out the full post here!"): an
# imperative to look or listen, then a place on the page, and nothing else. In a chat reply there is no
# "below", and the line states no fact, so it is never an answer.
_POINTER = re.compile(
    r"^(?:watch(?! out)|see|view|listen(?: to)?|hear|check(?: it| them)? out|take a look(?: at)?|look at|read|stream)\b"
    r"[^.!?]{0,80}?\b(?:below|above|here|at the (?:top|bottom)(?: of (?:the|this) (?:page|article|story|post))?)"
    r"[\s.!:…]*$",
    re.IGNORECASE)
_POINTER_WORDS = 12  # a pointer is a short line; a longer one that starts so ("See how …") may state facts


@dataclass(frozen=True, slots=True)
class Sentence:
    """A sentence with where it came from, so neighbours and sources can be shown."""

    id: int  # position in the whole corpus
    article: int  # index into the article list
    paragraph: int
    position: int  # index within its paragraph
    text: str


class SentenceTable(Sequence):
    """All sentences, stored compactly: one UTF-8 blob of texts and integer arrays. A Sentence object is
    made on access, so a million sentences cost their bytes, not a million Python objects."""

    def __init__(self, places: np.ndarray, blob: bytes, offsets: np.ndarray):
        if places.shape != (len(offsets) - 1, 3) or (len(offsets) and int(offsets[-1]) != len(blob)):
            raise ValueError("sentence table parts do not fit together")
        self.places = places.astype(np.int32, copy=False)  # article, paragraph, position
        self.blob = blob
        self.offsets = offsets.astype(np.int64, copy=False)
        # Sentences are stored in reading order, so a sentence not first in its paragraph continues the
        # one before it: one lookup tells a neighbour (the extra False stands after the last sentence).
        self._continues = np.append(self.places[:, 2] > 0, False)

    @classmethod
    def from_sentences(cls, sentences: list[Sentence]) -> SentenceTable:
        encoded = [s.text.encode("utf-8") for s in sentences]
        offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
        np.cumsum([len(e) for e in encoded], out=offsets[1:])
        places = np.asarray([(s.article, s.paragraph, s.position) for s in sentences], dtype=np.int32).reshape(-1, 3)
        return cls(places, b"".join(encoded), offsets)

    def __len__(self) -> int:
        return len(self.places)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if not -len(self) <= i < len(self):
            raise IndexError(i)
        i %= len(self)
        a, p, n = self.places[i].tolist()
        return Sentence(id=i, article=a, paragraph=p, position=n, text=self.text(i))

    def __iter__(self) -> Iterator[Sentence]:
        return (self[i] for i in range(len(self)))

    def text(self, i: int) -> str:
        return self.blob[self.offsets[i]:self.offsets[i + 1]].decode("utf-8")

    def article(self, i: int) -> int:
        return int(self.places[i, 0])

    def neighbour(self, i: int, offset: int) -> int | None:
        """The sentence just before (offset -1) or after (1) sentence i in its paragraph, if any."""
        if offset not in (-1, 1):
            raise ValueError("neighbours are one sentence away")
        later = i + max(offset, 0)  # of the two, the one that must continue the other
        return i + offset if 0 <= i + offset < len(self) and self._continues[later] else None

    def neighbours(self, ids: np.ndarray, offset: int) -> np.ndarray:
        """For each sentence id, the one just before (offset -1) or after (1) it in its paragraph, or -1."""
        if offset == -1:
            return np.where(self._continues[ids], ids - 1, -1)
        if offset == 1:
            return np.where(self._continues[ids + 1], ids + 1, -1)
        raise ValueError("neighbours are one sentence away")

    def span_of(self, article: int) -> tuple[int, int]:
        """(first, past the last) sentence id of an article: sentences are stored article by article."""
        column = self.places[:, 0]
        return int(np.searchsorted(column, article, "left")), int(np.searchsorted(column, article, "right"))

    def counts_per_article(self, articles: int) -> list[int]:
        return np.bincount(self.places[:, 0], minlength=articles).tolist()


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences, never inside a quotation or a parenthesis."""
    text = " ".join(text.split())
    if not text:
        return []
    protected = _protected_spans(text)
    sentences, start = [], 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if _inside(end, protected) or ends_with_abbreviation(text[start:match.start() + 1]):
            continue
        sentences.append(text[start:end].strip())
        start = end
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return [s for s in sentences if s]


def sentences_of(articles: list[Article]) -> list[Sentence]:
    """Every sentence of every article, numbered in corpus order. A paragraph that repeats an earlier
    one of its article word for word (a pasted page, a boilerplate line) is indexed once: copies say
    nothing new and would crowd every other article out of the candidates. A pointer to the page's
    embedded media (is_page_pointer) is left out."""
    result: list[Sentence] = []
    for a, article in enumerate(articles):
        seen: set[str] = set()
        for p, paragraph in enumerate(article.paragraphs):
            if paragraph in seen:
                continue
            seen.add(paragraph)
            kept = [text for text in split_sentences(paragraph) if not is_page_pointer(text)]
            for s, text in enumerate(kept):
                result.append(Sentence(id=len(result), article=a, paragraph=p, position=s, text=text))
    return result


def is_page_pointer(sentence: str) -> bool:
    """True for a line that only points at what the page embeds: "Watch the “So Good” video below."."""
    return len(sentence.split()) <= _POINTER_WORDS and _POINTER.match(sentence) is not None


def quotation_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each balanced double-quoted passage, quote marks included."""
    if "“" not in text and '"' not in text:
        return []  # most sentences: no character-by-character walk
    spans, opened = [], None
    for i, char in enumerate(text):
        if char == "“" or (char == '"' and opened is None and _can_open(text, i)):
            if opened is None:
                opened = i
            continue
        if char in "”\"" and opened is not None:
            spans.append((opened, i + 1))
            opened = None
    return spans


def _can_open(text: str, i: int) -> bool:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    return (before.isspace() or before in "([—–-/") and not after.isspace()


def _protected_spans(text: str) -> list[tuple[int, int]]:
    spans = [s for s in quotation_spans(text) if s[1] - s[0] <= _MAX_PROTECTED]
    depth, opened = 0, 0
    for i, char in enumerate(text):
        if char == "(":
            if depth == 0:
                opened = i
            depth += 1
        elif char == ")" and depth:
            depth -= 1
            if depth == 0 and i + 1 - opened <= _MAX_PROTECTED:
                spans.append((opened, i + 1))
    return spans


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < position < end for start, end in spans)


def ends_with_abbreviation(chunk: str) -> bool:
    """True when the final '.' of chunk belongs to an abbreviation or an initial, not a sentence end."""
    if not chunk.endswith("."):
        return False
    words = chunk[:-1].split()
    if not words:
        return False
    word = words[-1].lstrip("(\"“‘'")
    if len(word) == 1 and word.isalpha() and word.isupper():
        return True  # an initial: "J. K. Rowling"
    if "." in word and all(len(part) <= 2 for part in word.split(".")):
        return True  # "U.S", "e.g", "a.m"
    return word.lower() in _ABBREVIATIONS
