"""Text normalisation and the one tokenizer used for sentences and questions alike."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

from bot.core.lexicon import IRREGULAR, PARTICLES, STOPWORDS

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
# A title of a work in quotes: “So Good”, "Without Me", ‘So Good’ in a headline. Two to six words, the first
# and the last capitalised; a comma or full stop before the closing mark is American style, not the title's.
MAX_TITLE_WORDS = 6
_TITLE = re.compile(rf"(?:[“\"]|(?<![\w’'])‘)([A-Z][\w’'&-]*(?: [\w’'&-]+){{1,{MAX_TITLE_WORDS - 1}}})"
                    r"[,.!?]?[”\"’](?!\w)")
_TITLE_WORD = re.compile(r"[A-Z0-9&]")
_TITLE_MARK = '"'  # a title's term: the mark, then its words joined ('"withoutme'), unlike any word's stem


def title_term(title_words: list[str]) -> str:
    return _TITLE_MARK + "".join(title_words)


def is_title_term(term: str) -> bool:
    return term.startswith(_TITLE_MARK)


def titles(text: str) -> list[str]:
    """The terms of the titles quoted in text, so that one made of common words ("Without Me") can be asked
    about: its words alone are stopwords or too common to find it by."""
    if "“" not in text and '"' not in text and "‘" not in text:
        return []
    found = []
    for match in _TITLE.finditer(text):
        parts = match.group(1).split()
        if _TITLE_WORD.match(parts[-1]):
            found.append(title_term(words(match.group(1))))
    return found


_PHRASAL_MARK = "+"  # a phrasal verb's term: the verb's stem, the mark, the particle ("come+out")


def phrasal_term(verb_stem: str, particle: str) -> str:
    return f"{verb_stem}{_PHRASAL_MARK}{particle}"


def is_phrasal_term(term: str) -> bool:
    return _PHRASAL_MARK in term


def tokenize(text: str) -> list[str]:
    """Stemmed content words of text: what the index stores and what questions are matched with.

    A hyphenated word also counts joined ("non-binary" is findable as "nonbinary"), a word before a
    phrasal verb's particle also with it ("came out" as "come+out"), and a quoted title as one term besides
    its words (titles)."""
    found = words(without_reciprocals(text))
    tokens = [stem(w) for w in found if not is_stopword(w)]
    tokens += [phrasal_term(stem(w), particle) for w, particle in zip(found, found[1:])
               if particle in PARTICLES and not is_stopword(w)]
    if "-" in text:
        tokens += [stem(a + b) for a, b in _HYPHENATED.findall(normalize(text))]
    return tokens + titles(text)
