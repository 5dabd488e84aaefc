"""What kind of fact would answer a question, and whether a sentence states it.

"when" wants a date, "how old is X" an age said of X, "what label" a name that is a label, "what did X
say" a quotation by X. These checks are features of the fitted model, and compare outlets' facts; two
forms of question the model was never fitted on answer by their form (answers_by_form).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from bot.core.corpus import Corpus
from bot.core.facts import LENGTH_UNITS, Facts, is_time_of_day, kind_bit, with_counted_nouns
from bot.core.lexicon import REPORTING, SAYING
from bot.core.questions import Concept, Question
from bot.core.text import normalize, stem, tokenize, words

# Kinds whose answer is a specific fact, and the Facts field that holds it.
FACT_FIELDS = {"when": "dates", "how_old": "ages", "how_long": "durations", "how_many": "amounts"}
NAME_KINDS = {"who", "which", "where"}
# "one day prior to the release, on June 9": that date is not the release's date
_RELATIVE_MARKERS = frozenset({"prior", "before", "ahead", "after", "following", "since", "until"})
# Ages and durations as facts.py writes them ("11 month", "two year"), in seconds: "2 years" and "11
# months" are comparable, "a year" and "12 months" the same. (A month is a twelfth of a year.)
_SECONDS = {"second": 1, "minute": 60, "hour": 3600, "day": 86_400, "week": 604_800, "month": 2_629_800,
            "year": 31_557_600, "decade": 315_576_000}
_COUNTS = {w: n for n, w in enumerate("one two three four five six seven eight nine ten eleven twelve".split(), 1)} \
    | {"a": 1, "an": 1}
_SAME_TIME = 0.02  # "30 days" is "a month", "52 weeks" "a year": calendar units differ by under 2%
# "what did X say (about Y)", "what did X tell Y": whose words are asked for
_WHOSE_WORDS = re.compile(rf"^what (?:did|does|do|has|have) (?P<who>.+?) (?:{'|'.join(SAYING)})\b")
_HOW_FAR = re.compile(r"\bhow (?:far|tall|wide|high|deep)\b")
# "how much did it cost", "how much $ …": an amount of money is asked for (words of English for money)
_MONEY_ASKED = re.compile(r"[$£€¥]|\b(?:cost|costs|costing|price|prices|priced|pay|pays|paid|paying|salary|"
                          r"salaries|wage|wages|money|spend|spends|spent|spending|earn|earns|earned|earning|"
                          r"earnings|worth|fund|funds|funding|budget|revenue|revenues|fee|fees|fare|fares|charge|"
                          r"charged|profit|profits|income|invest|invested|investment|loan|debt|tax|taxes|dollars?|"
                          r"euros?)\b")
_MONEY_STATED = re.compile(r"[$£€¥]\s?\d|\b\d[\d,.]*(?:\s+(?:million|billion|thousand|hundred))?\s+"
                           r"(?:dollars|pounds|euros|cents|pence|yen|yuan|rupees|francs)\b", re.I)
_OPEN = re.compile(r"^(?:and )?what about\b")  # "what about the reopening?": anything said of it


@dataclass(frozen=True, slots=True)
class Expectation:
    """What kind of fact would answer the question."""

    kind: str
    question_words: frozenset[str]
    names: frozenset[str]  # question words the coverage uses as names ("halsey" in "how old is halsey")
    name_stems: frozenset[str]  # the same, as index terms
    # the names' stems and their aliases in the coverage: "how old is Mara" asks the age of "Okafor, 41"
    named_terms: frozenset[str]
    # "what label …": the concept of the noun, and the stems that make a name a label ("Records"); the
    # stems are empty when the coverage never uses the noun, and then any name not in the question will do
    subject: Concept | None
    subject_terms: frozenset[str]
    distance: bool = False  # "how far", "how tall": of the lengths and durations "how long" may ask, a length
    money: bool = False  # "how much did it cost": of the amounts "how much" may ask, one of money

    @classmethod
    def of(cls, question: Question, corpus: Corpus) -> Expectation:
        subject = next((c for c in question.concepts if question.subject and stem(c.word) == question.subject),
                       None)
        terms = frozenset(subject.alternatives) if subject and any(t in corpus.index for t in subject.alternatives) \
            else frozenset()
        asked = frozenset(w[:-2] if w.endswith("'s") else w for w in words(question.text))  # "ender's"
        # a name asked with a typo is asked all the same ("agnes mcbrid" is Agnes McBride)
        asked |= {w for c in question.concepts for w in c.corrected.split()}
        text = normalize(question.text)
        names = asked & corpus.name_words
        named = frozenset(stem(n) for n in names)
        named |= {alias for n in named for alias in corpus.aliases.get(n, ())}
        return cls(question.kind, asked, names, frozenset(stem(n) for n in asked & corpus.proper_names),
                   named, subject, terms,
                   distance=question.kind == "how_long" and _HOW_FAR.search(text) is not None,
                   money=question.kind == "how_many" and _MONEY_ASKED.search(text) is not None)


def states_money(text: str) -> bool:
    """Whether the text states an amount of money ("$96 million", "400 euros")."""
    return _MONEY_STATED.search(text) is not None


def amounts_of_money(text: str) -> int:
    """How many amounts of money the text states."""
    return len(_MONEY_STATED.findall(text))


def quoted_by(sentence_id: int, corpus: Corpus) -> frozenset[str] | None:
    """Who is quoted in the sentence, or in the next one when it only introduces it (an empty set when
    the text does not say); for reported speech ("The city said the work cost $48 million"), the words
    before its verb; None when it neither quotes nor reports anyone's words."""
    following = corpus.sentences.neighbour(sentence_id, 1)
    for quoted in (sentence_id, following):
        if quoted is not None and corpus.quoted(quoted):
            return corpus.speakers.get(quoted, frozenset())
    reporter = _reported_by(corpus.sentences.text(sentence_id))
    return None if reporter is None else frozenset(reporter)


def _reported_by(text: str) -> list[str] | None:
    """The words before the text's verb of reported speech ("Captain Lee Moreno, who …, said"), None when
    it has none."""
    said = words(text)
    verb = next((i for i, w in enumerate(said) if w in REPORTING), None)
    return None if verb is None else said[:verb]


def _reporter(sentence_id: int, corpus: Corpus) -> frozenset[str]:
    """For a sentence that reports speech without quoting it, the stems of who said it; else nothing."""
    reporter = None if corpus.quoted(sentence_id) else _reported_by(corpus.sentences.text(sentence_id))
    return frozenset(stem(w) for w in reporter or ())


def answers_by_form(question: Question, corpus: Corpus, ids: np.ndarray) -> np.ndarray:
    """Whether each sentence answers by what the question's form asks for, whatever the fitted model says
    of it; two forms are too rare in the data it was fitted on (SQuAD asks for facts) for it to have
    learnt them:
    - someone's words ("what did the mayor say", "what did Moreno tell the Harbor Gazette", "what did
      Ruiz say about the cables"): a quotation, in the sentence or the next (which it introduces), by
      whom was asked about, its sentence holding every other word asked but the verb of saying; or a
      sentence reporting their speech ("Captain Lee Moreno … said the crew would miss …") that holds
      them before its verb and the rest anywhere;
    - anything about a subject ("what about the reopening", how "what did Metro Times report about the
      reopening" is asked of that outlet's articles): a sentence holding every word asked."""
    held = np.zeros(len(ids), dtype=bool)
    text = normalize(question.text)
    if _OPEN.match(text) and question.concepts:
        for n, sentence_id in enumerate(ids.tolist()):
            terms = corpus.index.terms(sentence_id)
            held[n] = all(any(t in terms for t in c.alternatives) for c in question.concepts)
        return held
    form = _WHOSE_WORDS.match(text)
    if question.kind != "quote" or form is None:
        return held
    who_words = set(form["who"].split())
    who = [c for c in question.concepts if c.word in who_words]
    rest = [c for c in question.concepts if c.word not in who_words and c.word not in SAYING]
    if not who:
        return held
    for n, sentence_id in enumerate(ids.tolist()):
        terms = corpus.index.terms(sentence_id)
        reporter = _reporter(sentence_id, corpus)  # "Captain Lee Moreno … said the crew would miss …"
        if reporter and all(any(t in reporter for t in c.alternatives) for c in who) and \
                all(any(t in terms for t in c.alternatives) for c in rest):
            held[n] = True
            continue
        following = corpus.sentences.neighbour(sentence_id, 1)
        for quote in corpus.quotes_in(sentence_id) + (corpus.quotes_in(following) if following is not None else []):
            its_sentence = corpus.index.terms(corpus.quotes[quote].sentence)
            if all(_speaks(c, quote, corpus) for c in who) and \
                    all(any(t in its_sentence for t in c.alternatives) for c in rest):
                held[n] = True
                break
    return held


def _speaks(concept: Concept, quote: int, corpus: Corpus) -> bool:
    """Whether the quotation is by whom the concept names: a word of its speaker's name, or (for a word that
    is no name: "the mayor") one just before that name in its sentence or the one before ("Mayor Dana
    Whitfield cut the ribbon." "“…,” Whitfield said.")."""
    said = corpus.quotes[quote]
    speaker = {stem(w) for w in words(said.speaker or "")}
    if not speaker or any(t in speaker for t in concept.alternatives):
        return bool(speaker)
    if concept.word in corpus.name_words:
        return False
    for sentence_id in (said.sentence - 1, said.sentence):
        if sentence_id < 0 or corpus.sentences.article(sentence_id) != said.article:
            continue
        tokens = tokenize(corpus.sentences.text(sentence_id))
        # a title comes before the whole name, and the speaker may be given by surname alone: two words back
        if any(token in speaker and any(t in tokens[max(0, i - 2):i] for t in concept.alternatives)
               for i, token in enumerate(tokens)):
            return True
    return False


def values_of(expect: Expectation, corpus: Corpus, sentence_id: int) -> tuple[str, ...]:
    """The facts of the kind the question asks for that a sentence states, minus what the question
    itself names. A sentence's facts are decoded only when it states facts of that kind at all."""
    field = FACT_FIELDS.get(expect.kind) or ("names" if expect.kind in NAME_KINDS else None)
    if field is None or not corpus.kinds[sentence_id] & kind_bit(field):
        return ()
    values = _values(expect, corpus.facts[sentence_id])
    if expect.kind == "how_many" and values:  # "240 jobs" and "260 jobs" can disagree, "30,000 fans" not
        return with_counted_nouns(corpus.sentences.text(sentence_id), values)
    return values


def _values(expect: Expectation, facts: Facts) -> tuple[str, ...]:
    kind = expect.kind
    if kind == "how_old" and expect.names:
        # "how old is X": only ages said of X (by name or alias), when the sentence ties ages to people
        return tuple(age for age, names in zip(facts.ages, facts.age_names)
                     if not names or any({stem(w) for w in n.split()} & expect.named_terms for n in names))
    if kind in FACT_FIELDS:
        # a fact the question already names is no answer to it ("what date in December": not "in December")
        stated = tuple(v for v in getattr(facts, FACT_FIELDS[kind]) if not set(v.split()) <= expect.question_words)
        if expect.distance:
            return tuple(v for v in stated if v.rpartition(" ")[2] in LENGTH_UNITS)
        return stated
    if kind in NAME_KINDS:
        names = tuple(n for n in facts.names if not set(n.split()) <= expect.question_words)
        if expect.subject_terms:
            tied = tuple(n for n in names if any(stem(w) in expect.subject_terms for w in n.split()))
            return tied or names
        return names
    return ()


def only_relative_to_event(text: str, question: Question) -> bool:
    """True when every mention of the question's event words follows "before"/"prior to"/"after"…"""
    if text.isascii():  # then a marker word is there only if its letters are: a search rules most out
        lowered = text.lower()  # (a regular expression ignoring case took longer than splitting into words)
        if not any(marker in lowered for marker in _RELATIVE_MARKERS):
            return False
    tokens = words(text)
    if _RELATIVE_MARKERS.isdisjoint(tokens):
        return False  # the usual case, told without stemming every word
    terms = {t for c in question.concepts for t in c.alternatives}
    hits = [i for i, w in enumerate(tokens) if stem(w) in terms]
    return bool(hits) and all(_RELATIVE_MARKERS & set(tokens[max(0, i - 3):i]) for i in hits)


def is_subject(expect: Expectation, names: tuple[str, ...]) -> bool:
    """Whether a name is of the kind asked for ("Capitol Records" for "what label")."""
    return any(stem(w) in expect.subject_terms for n in names for w in n.split())


def relation(kind: str, a: tuple[str, ...], b: tuple[str, ...]) -> str:
    """"agree", "differ" or "" (cannot tell) for two outlets' facts of one kind."""
    if not a or not b:
        return ""
    if kind in NAME_KINDS:
        # Outlets naming different people are not contradicting each other, and two that both name the
        # story's main figure beside others do not agree on who: one's names must all be among the other's.
        first, second = {w for n in a for w in n.split()}, {w for n in b for w in n.split()}
        return "agree" if first <= second or second <= first else ""
    if kind == "when":
        # a day ("june 10"), then a time of day ("4:40 pm"), then a year: the most specific both give decides
        for category in (lambda v: v[:1].isalpha() and v[-1:].isdigit(), is_time_of_day,
                         str.isdigit):
            first, second = [v for v in a if category(v)], [v for v in b if category(v)]
            if first and second:
                return "agree" if set(first) & set(second) else "differ"
        return ""
    if set(a) & set(b):
        return "agree"
    shortest = _SECONDS["day"] if kind == "how_old" else 1  # ("is 5 minutes long" is no one's age)
    times_a, times_b = _in_seconds(a, shortest), _in_seconds(b, shortest)
    if times_a and times_b:
        same = any(abs(x - y) <= _SAME_TIME * max(x, y) for x in times_a for y in times_b)
        return "agree" if same else "differ"
    # "5 million" and "4 minutes" measure different things: only values in the same unit can contradict
    units = {v.split()[-1] for v in a} & {v.split()[-1] for v in b}
    return "differ" if units else ""


def _in_seconds(values: tuple[str, ...], shortest: int) -> list[float]:
    """The values that are a count of a time unit no shorter than shortest seconds, in seconds."""
    found = []
    for value in values:
        count, _, unit = value.partition(" ")
        number = float(count) if count.replace(".", "", 1).isdigit() else _COUNTS.get(count)
        if number is not None and _SECONDS.get(unit, 0) >= shortest:
            found.append(number * _SECONDS[unit])
    return found
