"""Text normalisation and the one tokenizer used for sentences and questions alike."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

from bot.core.lexicon import IRREGULAR, STOPWORDS

_FOLD = str.maketrans({
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "′": "'", "`": "'", "´": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "«": '"', "»": '"',
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-", "\u00a0": " ",
})
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")  # "12,500" is one number
_STEMMER = Stemmer.Stemmer("english")


def normalize(text: str) -> str:
    """NFKC, straight quotes and dashes, lowercase, single spaces."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    elif "`" in text:  # (ASCII text is its own NFKC; the backtick is the one ASCII character folded)
        text = text.replace("`", "'")
    return " ".join(text.lower().split())


def words(text: str) -> list[str]:
    """Lowercase words with quotes folded; digits grouped with commas become one number."""
    text = normalize(text)
    return _WORD.findall(_THOUSANDS.sub("", text) if "," in text else text)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Stem one lowercase word, mapping irregular forms to their lemma first."""
    if word.endswith("'s"):
        word = word[:-2]
    word = word.replace("'", "")
    return _STEMMER.stemWord(IRREGULAR.get(word, word))


def is_stopword(word: str) -> bool:
    return word in STOPWORDS or word.replace("'", "") in STOPWORDS


# Reciprocal pronouns are not the novelty word "other" ("quarantined with each other").
_RECIPROCAL = re.compile(r"\b(each other|one another)\b", re.I)


def without_reciprocals(text: str) -> str:
    return _RECIPROCAL.sub(" ", text)


_HYPHENATED = re.compile(r"\b([a-z]{2,})-([a-z]{2,})\b")


def tokenize(text: str) -> list[str]:
    """Stemmed content words of text: what the index stores and what questions are matched with.

    A hyphenated word also counts joined ("non-binary" is findable as "nonbinary")."""
    text = without_reciprocals(text)
    tokens = [stem(w) for w in words(text) if not is_stopword(w)]
    if "-" in text:
        tokens += [stem(a + b) for a, b in _HYPHENATED.findall(normalize(text))]
    return tokens
