"""Typed facts a sentence states (dates, ages, durations, amounts, names), found once at index time.

They let the answer logic check that a sentence can answer "when"/"how old"/"who" questions, and
compare what different outlets say so agreement and disagreement can be reported.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import accumulate

import numpy as np

from bot.core.lexicon import CONNECTIVES, TEMPORAL_PREPOSITIONS
from bot.core.sentences import ends_with_abbreviation, quotation_spans
from bot.core.text import is_stopword, normalize, stem

_MONTHS = ("january february march april may june july august september october november december")
_MONTH_ABBR = {m[:3]: m for m in _MONTHS.split()} | {"sept": "september"}
_MONTH = r"(?:" + "|".join(_MONTHS.split() + ["jan", "feb", "mar", "apr", "jun", "jul", "aug", "sept",
                                              "sep", "oct", "nov", "dec"]) + r")\.?"
_WEEKDAY = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_NUMBER_WORDS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
                 "sixteen seventeen eighteen nineteen twenty thirty forty fifty hundred thousand million "
                 "billion dozen dozens hundreds thousands millions half once twice thrice third thirds quarter "
                 "quarters").split()
_COUNT = r"(?:\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|" \
         r"several|a few|few|many|a couple of|a couple|some)"
_UNIT = r"(second|minute|hour|day|week|month|year|decade)s?"
_LARGE = r"(?:\s+(?:hundred|thousand|million|billion))?"  # "2.5 million years ago", "21 thousand years"

_DATE_MD = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", re.I)
_DATE_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")  # a modern year stands alone
# (a number followed by a unit or a plural noun is a measure or a count: "to 300 soldiers", "in 300 km")
_NOT_A_MEASURE = (r"(?![,.]\d|\s*%|[- ]?(?:km|mi|m|ft|kg|lb)\b|\s+[a-z]{3,}s\b|"
                  r"\s+(?:percent|per|feet|foot|people|men)\b)")
# An older year is told by what is around it: "in 1066", "from 1870 to 1939", "1763–1775", "February 1082",
# "(1288)", "44 BC", "AD 14", "9000 BP"; and centuries and decades are dates too ("the 11th century", "the 1970s").
_DATE_OLD_YEAR = re.compile(rf"(?:\b(?i:in|since|by|from|until|till|to|between|and|during|before|after|around|circa|"
                            rf"c\.|of|year|{_MONTH})\s+|(?<=\d–)|(?<=\d-)|(?<=\())(\d{{3,4}})\b" + _NOT_A_MEASURE)
_DATE_ERA = re.compile(r"\b(\d{1,3}(?:,\d{3})+|\d{1,5}(?:\.\d+)?)\s*(BC|BCE|AD|CE|BP|Mya|kya)\b|\bAD\s+(\d{1,4})\b")
_ORDINAL = (r"(?:\d{1,2}(?:st|nd|rd|th)|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|"
            r"twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth|eighteenth|nineteenth|twentieth|"
            r"twenty-first)")
_CENTURY = re.compile(rf"\b({_ORDINAL})(?:(?:[-–]|\s+and\s+){_ORDINAL})?[- ]centur(?:y|ies)\b", re.I)
# A month alone is a date after a word of time: "began in October", "until mid-March", "last May" (capitalised,
# so "may" the verb is not one; "October 12" and "October 2022" are read by the patterns for days and years)
_MONTH_NAMED = "|".join(m.capitalize() for m in _MONTHS.split()) + "|" + "|".join(
    rf"{m.capitalize()}\." for m in (*_MONTH_ABBR, "sep"))
_DATE_MONTH = re.compile(rf"\b(?i:in|since|by|from|until|till|through|during|before|after|last|next|this|of)\s+"
                         rf"(?i:(?:early|late|mid)[- ])?({_MONTH_NAMED})(?!\w|,?\s+\d)")
_DECADE = re.compile(r"\b(1\d\d0s|20\d0s)\b")
_DATE_WEEKDAY = re.compile(rf"\b({_WEEKDAY})\b", re.I)
# A time of day is a date too ("at 7:20 a.m.", "about 1 p.m.", "at 14:30", "by noon"): "what time did …"
_TIME_12H = re.compile(r"\b(\d{1,2})(?:[:.]([0-5]\d))?\s?([ap])\.?m\b\.?", re.I)
_TIME_24H = re.compile(r"\b(?i:at|by|until|till|from|before|after|around|about|since)\s+(?:about\s+)?"
                       r"([01]?\d|2[0-3]):([0-5]\d)\b(?![:.]?\d|\s?[aApP]\.?[mM]\b)")
_NOON = re.compile(r"\b(?:at|by|until|till|from|before|after|around|about|since|past)\s+(noon|midday|midnight)\b", re.I)
_DATE_RELATIVE = re.compile(rf"\b({_COUNT}{_LARGE}\s+{_UNIT}\s+ago|yesterday|last (?:week|month|year|night))\b", re.I)
_AGE = re.compile(rf"\b(\d+)[- ]{_UNIT}[- ]old\b|\b(?:is|now|turns?|turned|aged?)\s+(?:now\s+)?(\d+)\s+{_UNIT}\b",
                  re.I)
_AGE_APPOSITION = re.compile(r"[A-Z][a-z]+, (\d{1,3}),")
_DURATION = re.compile(rf"\b({_COUNT}{_LARGE})[- ]{_UNIT}\b(?![- ]old)", re.I)  # "11-month-old" is an age
_SINCE = re.compile(r"\b(since|in|until|till|from)\s+(?:early\s+|late\s+|mid-?)?(\d{3,4})\b" + _NOT_A_MEASURE, re.I)
# "in use since at least the mid-14th century", "since the 1970s": how long, as "since 2018" says
_SINCE_ERA = re.compile(rf"\b(since|until|till)\s+(?:at least\s+)?(?:the\s+)?(?:early\s+|late\s+|mid-?)?"
                        rf"({_ORDINAL}[- ]century|1\d\d0s|20\d0s)\b", re.I)
# "How long is the Rhine": a length answers "how long" as a duration does ("1,230 km", "a 86-mile stretch").
_LENGTH = re.compile(r"(?<![$£€¥\d.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)[- ]?(km|kilomet(?:re|er)s?|mi|miles?|m|"
                     r"met(?:re|er)s?|ft|feet|foot|yards?|inch(?:es)?)\b", re.I)
# ("nine metres", "twelve miles": a number in words, before a unit written out; "nine in ten" is no length)
_LENGTH_IN_WORDS = re.compile(r"\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|"
                              r"fifty|a hundred|hundreds of|a few|several)[- ](kilomet(?:re|er)s?|miles?|met(?:re|er)s?|"
                              r"feet|foot|yards?|inch(?:es)?)\b", re.I)
_AMOUNT = re.compile(r"\b(\d[\d,.]*(?:\s+(?:million|billion|thousand|hundred))?|(?:" + "|".join(_NUMBER_WORDS)
                     + r")(?:\s+(?:million|billion|thousand|hundred))?)\b", re.I)
_NEXT_WORD = re.compile(r"[- ]([A-Za-z]{3,})\b")  # the noun a number counts: "240 jobs", "a 58-tonne girder"
_BARE_NUMBER = re.compile(r"[\d.]+|" + "|".join(w for w in _NUMBER_WORDS if w not in
                                                 ("hundred", "thousand", "million", "billion", "half")))
_CAPITALISED = re.compile(r"[A-Z][\w’'-]*|[a-z]+[A-Z][\w’'-]*")  # "Halsey", "TikTok", "iPhone"
NAME_JOINERS = {"de", "da", "van", "von", "of", "del", "la", "le", "bin", "al"}
DECODED_FACTS_KEPT = 4096  # enough for the candidates of many questions; a long-running bot stays bounded
_NOT_NAMES = set(_MONTHS.split()) | set(_MONTH_ABBR) | {
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "i", "i'm", "i’m", "i've",
    "i’ve", "i'd", "i’d", "i'll", "i’ll", "oh", "ok", "mr", "mrs", "ms", "dr"} | CONNECTIVES


@dataclass(frozen=True, slots=True)
class Facts:
    """What one sentence states, normalised for comparison across outlets."""

    dates: tuple[str, ...]  # most specific first: "june 10", then years, weekdays, "3 weeks ago"
    ages: tuple[str, ...]  # "11 month", "27 year"
    age_names: tuple[tuple[str, ...], ...]  # for each age, the names right around it (whose age it is)
    durations: tuple[str, ...]  # "several year", "3 minute", "since 2018"
    amounts: tuple[str, ...]  # "500000", "165 million"
    names: tuple[str, ...]  # capitalised names, lowercase: "alev aydin", "capitol records"
    quoted: bool  # holds a direct quotation of four words or more


# One bit each, so ranking can tell which sentences state a kind of fact without decoding them.
FACT_KINDS = ("dates", "ages", "durations", "amounts", "names", "quoted")


def kind_bit(kind: str) -> int:
    return 1 << FACT_KINDS.index(kind)


def kinds_stated(facts: Facts) -> int:
    """The FACT_KINDS bits of what a sentence states."""
    return sum(1 << i for i, kind in enumerate(FACT_KINDS) if getattr(facts, kind))


def find_facts(text: str, name_words: frozenset[str] = frozenset()) -> Facts:
    """Extract the typed facts of one sentence; name_words are words known to be names mid-sentence."""
    dates = [f"{_month(m.group(1))} {int(m.group(2))}" for m in _DATE_MD.finditer(text)]
    # (24-hour times and noon are looked for only where their letters are: in few sentences)
    twelve = list(_TIME_12H.finditer(text))
    twenty_four = list(_TIME_24H.finditer(text)) if ":" in text else []
    dates += [f"{int(m.group(1))}:{m.group(2) or '00'} {m.group(3).lower()}m" for m in twelve
              if 1 <= int(m.group(1)) <= 12]
    dates += [f"{int(m.group(1))}:{m.group(2)}" for m in twenty_four]
    lowered = text.lower()
    if "noon" in lowered or "mid" in lowered:
        dates += [m.group(1).lower().replace("midday", "noon") for m in _NOON.finditer(text)]
    dates += [m.group(1) for m in _DATE_YEAR.finditer(text)]
    dates += [m.group(1) for m in _DATE_OLD_YEAR.finditer(text)]
    dates += [f"{m.group(1).replace(',', '')} {m.group(2).lower()}" if m.group(1) else f"ad {m.group(3)}"
              for m in _DATE_ERA.finditer(text)]
    dates += [f"{m.group(1).lower()} century" for m in _CENTURY.finditer(text)]
    dates += [_month(m.group(1)) for m in _DATE_MONTH.finditer(text)]
    dates += [m.group(1) for m in _DECADE.finditer(text)]
    dates += [m.group(1).lower() for m in _DATE_WEEKDAY.finditer(text)]
    dates += [" ".join(m.group(1).lower().split()) for m in _DATE_RELATIVE.finditer(text)]
    ages, age_names = [], []
    for m in _AGE.finditer(text):
        ages.append(f"{m.group(1)} {m.group(2).lower()}" if m.group(1) else f"{m.group(3)} {m.group(4).lower()}")
        age_names.append(_names_near(text, m.start(), m.end(), name_words, look_after=True))
    for m in _AGE_APPOSITION.finditer(text):
        ages.append(f"{m.group(1)} year")
        age_names.append(_names_near(text, m.start(1), m.end(1), name_words, look_after=False))
    durations = [f"{m.group(1).lower().replace(',', '')} {m.group(2).lower()}" for m in _DURATION.finditer(text)]
    durations += [f"{'until' if m.group(1).lower() in ('until', 'till') else 'since'} {m.group(2).lower()}"
                  for m in (*_SINCE.finditer(text), *_SINCE_ERA.finditer(text))]
    durations += [f"{m.group(1).lower().replace(',', '')} {_length_unit(m.group(2))}"
                  for m in (*_LENGTH.finditer(text), *_LENGTH_IN_WORDS.finditer(text))]
    # the "10" of "June 10", the "27" of "Halsey, 27," and the "44" of "44 BC" are a date, an age and a year, and
    # "7:20 a.m." a time, not amounts (but "rose from 120 to 150" may be either: a number after "from" stays an
    # amount too)
    taken = _Spans([*(m.span() for pattern in (_DATE_MD, _AGE, _AGE_APPOSITION, _DATE_ERA)
                      for m in pattern.finditer(text)), *(m.span() for m in twelve + twenty_four)])
    amounts = [m.group(1).lower().replace(",", "") for m in _AMOUNT.finditer(text)
               if not _DATE_YEAR.fullmatch(m.group(1)) and m.start() not in taken]
    return Facts(dates=_unique(dates), ages=tuple(ages), age_names=tuple(age_names), durations=_unique(durations),
                 amounts=_unique(amounts), names=_unique(find_names(text, name_words)),
                 quoted=any(len(text[a:b].split()) >= 4 for a, b in quotation_spans(text)))


def is_time_of_day(date: str) -> bool:
    """Whether a date as find_facts writes it is a time of day ("7:20 am", "14:30", "noon")."""
    return ":" in date or date in ("noon", "midnight")


def find_names(text: str, name_words: frozenset[str] = frozenset()) -> list[str]:
    """Runs of capitalised words, lowercase. A run that only starts the sentence (or a quotation)
    counts when its first word is known as a name from elsewhere."""
    names, run, run_starts_clause, run_quoted = [], [], False, False
    tokens = list(re.finditer(r"\S+", text))
    for i, match in enumerate(tokens):
        raw = match.group(0)
        word = raw.strip("\"“”‘’'()[],.;:!?—–")
        starts_clause = i == 0 or raw[:1] in "\"“‘(" or _ends_clause(tokens[i - 1].group(0))
        capital = bool(word) and _CAPITALISED.fullmatch(word) is not None and word.lower() not in _NOT_NAMES
        joiner = bool(run) and word in NAME_JOINERS
        if capital or joiner:
            if not run:
                run_starts_clause = starts_clause
                run_quoted = raw[:1] in "\"“"
            run.append(word)
        if (not capital and not joiner) or (raw[-1:] in ",.;:!?\"”’)—" and not ends_with_abbreviation(raw)) \
                or i == len(tokens) - 1:
            while run and run[-1] in NAME_JOINERS:
                run.pop()
            if run:
                title = run_quoted and raw.rstrip(",.;:!?")[-1:] in "\"”"  # “So Good”: a quoted title
                if run_starts_clause and not title and run[0].lower() not in name_words:
                    run = run[1:]
                if run and (title or not all(is_stopword(normalize(w)) for w in run)):
                    names.append(" ".join(run).lower().replace("’s", "").replace("'s", ""))
            run = []
    return names


def with_counted_nouns(text: str, amounts: tuple[str, ...]) -> tuple[str, ...]:
    """Bare numbers with the noun they count, when one follows ("240 jobs" -> "240 job"), so that two
    outlets' numbers of the same thing compare ("240 jobs", "260 jobs") and numbers of different things
    do not ("30,000 fans", "32,000 seats"). An amount with its own unit ("48 million") stays as it is."""
    nouns: dict[str, str] = {}
    for m in _AMOUNT.finditer(text):
        value = m.group(1).lower().replace(",", "")
        after = _NEXT_WORD.match(text, m.end())
        if value not in nouns and after and not is_stopword(after.group(1).lower()):
            nouns[value] = stem(after.group(1).lower())
    return tuple(f"{v} {nouns[v]}" if v in nouns and _BARE_NUMBER.fullmatch(v) else v for v in amounts)


def case_counts(texts: Iterable[str]) -> tuple[Counter[str], Counter[str]]:
    """How often each word is capitalised mid-sentence, and how often it is written in lowercase:
    counted per article and added up, for proper_names_among."""
    capitalised: Counter[str] = Counter()
    lowercase: Counter[str] = Counter()
    for text in texts:
        for word, starts_clause in _words_in_place(text):
            if word[0].isupper() and not starts_clause:
                capitalised[word.lower()] += 1
            elif word.islower():
                lowercase[word] += 1
    return capitalised, lowercase


def proper_names_among(name_words: Iterable[str], capitalised: Counter[str], lowercase: Counter[str]) -> frozenset[str]:
    """Name words that are names rather than capitalised titles: capitalised mid-sentence at least twice,
    and at least as often as they appear in lowercase ("So Good" yes; "I Want Power" does not make
    "want" a name)."""
    return frozenset(w for w in name_words if capitalised[w] >= 2 and capitalised[w] >= lowercase[w])


def _names_near(text: str, start: int, end: int, name_words: frozenset[str], look_after: bool) -> tuple[str, ...]:
    """Whose age it is: the name just after it ("11-month-old son, Ender"), else the last one before it
    ("Alev Aydin, 27", "a son named Ender who is now 11 months")."""
    after = find_names(text[end:end + 14], name_words) if look_after else []
    if after:
        return tuple(after[:1])
    return tuple(find_names(text[max(0, start - 60):start], name_words)[-1:])


def name_words_of(texts: list[str]) -> frozenset[str]:
    """Capitalised words seen mid-sentence somewhere: these are names even when they start one."""
    return frozenset(word.lower() for text in texts for word, starts_clause in _words_in_place(text)
                     if not starts_clause and _CAPITALISED.fullmatch(word) and word.lower() not in _NOT_NAMES
                     and not is_stopword(normalize(word)) and word.lower() not in TEMPORAL_PREPOSITIONS)


def _words_in_place(text: str):
    """(word without punctuation, whether it starts a sentence or a quotation) for each word of text."""
    tokens = text.split()
    for i, raw in enumerate(tokens):
        word = raw.strip("\"“”‘’'()[],.;:!?—–")
        if word:
            yield word, i == 0 or raw[:1] in "\"“‘(" or _ends_clause(tokens[i - 1])


def _ends_clause(token: str) -> bool:
    """Whether the word after token starts a sentence or a clause: not after an abbreviation or an initial
    ("St. Brigid's", "Dr. Priya Natarajan", "John F. Kennedy"), which the sentence splitter does not end on."""
    return token[-1:] in ".!?:" and not ends_with_abbreviation(token)


def original_case(text: str, lowered: str) -> str:
    """How a lowercased name was written in text ("alev aydin" -> "Alev Aydin")."""
    # the words as written, maybe with an abbreviation's dot or a possessive between them ("St. Brigid's")
    written = re.search(r"[.]?(?:['’]s)?\s+".join(re.escape(w) for w in lowered.split()), text, re.I)
    return written.group(0) if written else lowered.title()


class _Spans:
    """Character spans of a text, asked whether a position falls in one: in time logarithmic in their number
    (a long text has many dates, and each number in it is asked about)."""

    def __init__(self, spans: Iterable[tuple[int, int]]):
        spans = sorted(spans)
        self._starts = [a for a, _ in spans]
        self._reach = list(accumulate((b for _, b in spans), max))  # the furthest end so far

    def __contains__(self, position: int) -> bool:
        i = bisect_right(self._starts, position)
        return i > 0 and position < self._reach[i - 1]


LENGTH_UNITS = frozenset({"km", "mi", "m", "ft", "yd", "in"})  # as _length_unit writes them


def _length_unit(unit: str) -> str:
    """ "kilometres", "km" -> "km": one spelling per unit, so that two outlets' lengths compare."""
    unit = unit.lower()
    for short, starts in (("km", "k"), ("mi", "mi"), ("m", "m"), ("ft", "f"), ("yd", "y"), ("in", "i")):
        if unit.startswith(starts):
            return short
    return unit


def _month(token: str) -> str:
    token = token.lower().rstrip(".")
    return _MONTH_ABBR.get(token[:4] if token.startswith("sept") else token[:3], token)


def _unique(items: list[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(i for i in items if i))


class LazyFacts(Sequence):
    """Per-sentence facts, decoded from their line (encode_facts) on first use (most sentences are never candidates).

    The lines stay in one bytes object with an offsets array: no per-sentence Python object until used."""

    def __init__(self, encoded: bytes, count: int):
        self._encoded = encoded
        ends = np.flatnonzero(np.frombuffer(encoded, dtype=np.uint8) == ord("\n"))
        starts = np.concatenate(([0], ends + 1)).astype(np.int64) if count else np.zeros(0, np.int64)
        if len(starts) != count:
            raise ValueError("facts do not match the sentences")
        # memoryviews: their items are Python ints, quicker to slice with than NumPy scalars
        self._starts = memoryview(starts)
        self._ends = memoryview(np.concatenate((ends, [len(encoded)])).astype(np.int64) if count else starts)
        self._decoded: dict[int, Facts] = {}

    def __len__(self) -> int:
        return len(self._starts)

    @property
    def encoded(self) -> bytes:
        """Every sentence's line, as given."""
        return self._encoded

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        found = self._decoded.get(i)
        if found is None:
            if not -len(self) <= i < len(self):
                raise IndexError(i)
            i %= len(self)
            found = decode_facts(self._encoded[self._starts[i]:self._ends[i]].decode("utf-8"))
            if len(self._decoded) >= DECODED_FACTS_KEPT:
                del self._decoded[next(iter(self._decoded))]  # the oldest decoded
            self._decoded[i] = found
        return found

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and len(self) == len(other) and all(a == b for a, b in zip(self, other))


# A sentence's facts as one line of plain separators rather than JSON: a question decodes the facts of
# a dozen candidates, and splitting takes a third of the time json.loads and rebuilding tuples did.
_FIELD, _VALUE, _NAME = "\x1e", "\x1f", "\x1d"  # (facts are words and digits; a stray one becomes a space)
_SEPARATORS_AS_SPACES = str.maketrans({c: " " for c in (_FIELD, _VALUE, _NAME, "\n")})


def encode_facts(f: Facts) -> str:
    def joined(values, separator=_VALUE) -> str:
        return separator.join(v.translate(_SEPARATORS_AS_SPACES) for v in values)
    return _FIELD.join([joined(f.dates), joined(f.ages), _VALUE.join(joined(n, _NAME) for n in f.age_names),
                        joined(f.durations), joined(f.amounts), joined(f.names), "1" if f.quoted else ""])


def decode_facts(line: str) -> Facts:
    dates, ages, age_names, durations, amounts, names, quoted = line.split(_FIELD)
    return Facts(dates=_split(dates), ages=_split(ages),
                 age_names=tuple(_split(n, _NAME) for n in age_names.split(_VALUE)) if ages else (),
                 durations=_split(durations), amounts=_split(amounts), names=_split(names), quoted=bool(quoted))


def _split(field: str, separator: str = _VALUE) -> tuple[str, ...]:
    return tuple(field.split(separator)) if field else ()
