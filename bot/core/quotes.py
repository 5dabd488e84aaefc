"""Direct quotations in the coverage, each with its speaker where the text names one."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from bot.core.articles import Article
from bot.core.facts import find_names, name_words_of, original_case
from bot.core.sentences import Sentence, quotation_spans
from bot.core.text import is_stopword

MIN_QUOTE_WORDS = 4  # shorter quoted bits are titles ("So Good") or scare quotes
_SPEECH_VERBS = ("said|says|say|wrote|writes|tweeted|tweeting|tweets|told|tells|added|adds|explained|explains|"
                 "sings|sang|sing|posted|posts|stated|states|gushed|gushes|begged|begs|claimed|claims|asked|"
                 "asks|continued|shared|shares|revealed|reveals|recalled|insisted|noted|joked|captioned|"
                 "announced|admitted|confessed|shouted|declared|replied|responded|quipped|raved|teased|"
                 "penned|commented")
SPEECH_VERB = re.compile(rf"\b({_SPEECH_VERBS})\b", re.I)
_PRONOUNS = {"she", "he", "they", "i", "we"}
_ADVERB_OR_FILLER = re.compile(r"\b(\w+ly|also|later|then|eventually|once|even|first|finally)\b", re.I)
_CLAUSE_BREAK = re.compile(r"[,;:(—–]|[\"“”]")
# the name after the verb, with a title written short before it ("said Dr. Hannah Albescu")
_INVERTED = re.compile(r"((?:(?:Dr|Mr|Mrs|Ms|Mx|Prof|Rev|Sen|Rep|Gov|Capt|Sgt|Lt|Col|Gen|St)\.\s+)?"
                       r"[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*)")


@dataclass(frozen=True, slots=True)
class Quote:
    """A direct quotation, who said it (None when the text does not say), and where it appeared."""

    text: str  # the quotation without its quote marks
    speaker: str | None
    sentence: int  # id of the sentence holding (the start of) it
    article: int


def extract_quotes(articles: list[Article], sentences: list[Sentence],
                   names: list[tuple[str, ...]] | None = None) -> list[Quote]:
    """Every quotation of four words or more, with its speaker resolved where the text allows.

    names, when given, are the names already found in each sentence (saves finding them again)."""
    quotes: list[Quote] = []
    by_article: list[list[Sentence]] = [[] for _ in articles]
    for sentence in sentences:
        by_article[sentence.article].append(sentence)
    if names is None:
        names = {}
        for group in by_article:
            name_words = name_words_of([s.text for s in group])
            names.update({s.id: tuple(find_names(s.text, name_words)) for s in group})
    people = [_people(group, names) for group in by_article]
    main_person = [_main_person(group, names, known) for group, known in zip(by_article, people)]
    previous_speaker: str | None = None
    for k, sentence in enumerate(sentences):
        spans = [(a, b) for a, b in quotation_spans(sentence.text)
                 if len(sentence.text[a:b].split()) >= MIN_QUOTE_WORDS]
        # "she said": the person named just before, else the article's main person
        recent = main_person[sentence.article]
        if (spans or SPEECH_VERB.search(sentence.text)) and _ANY_PRONOUN.search(sentence.text):
            recent = _recent_person(sentences, k, spans, names, people[sentence.article]) or recent
        if not spans:
            previous_speaker = _speaker_in(sentence.text, [], recent, main_person[sentence.article])
            continue
        speaker = _speaker_in(sentence.text, spans, recent, main_person[sentence.article])
        if speaker is None and _is_only_quotation(sentence.text, spans):
            # a quotation that continues the previous sentence's speaker ("…," she said. "And …")
            prev = sentences[k - 1] if k else None
            if prev and prev.article == sentence.article:
                speaker = previous_speaker
        for a, b in spans:
            quotes.append(Quote(text=sentence.text[a + 1:b - 1].strip().rstrip(","), speaker=speaker,
                                sentence=sentence.id, article=sentence.article))
        previous_speaker = speaker
    return quotes


_AGE = re.compile(r",\s*(?:aged\s+)?\d{1,3}\s*,")  # after a name: "Daniel Petrakis, 54, a retired surveyor"
_LOOKBACK = 3  # sentences before a pronoun searched for whom it means: a news paragraph or so


def _people(sentences: list[Sentence], names) -> frozenset[str]:
    """Surnames of the names the article shows to be people's: a speech verb's named subject ("Okonjo said",
    "said Tobias Wren") or a name given an age ("Petrakis, 54,"). A pronoun can mean only one of them,
    not a place or an organisation that happens to be named more often."""
    known: set[str] = set()
    for sentence in sentences:
        text = sentence.text
        named = _speaker_in(text, quotation_spans(text), None, None) if SPEECH_VERB.search(text) else None
        if named and not is_stopword(named.split()[0].lower()):  # not "The county's director"
            known.add(_surname(named))
        if not _AGE.search(text):
            continue
        for name in names[sentence.id]:
            written = original_case(text, name)
            at = text.find(written)
            if at >= 0 and _AGE.match(text, at + len(written)):
                known.add(_surname(name))
    return frozenset(known)


def _surname(name: str) -> str:
    """The last word of a name, as news refers to a person again ("Marlow Falls Mayor Dana Ruiz": Ruiz)."""
    return name.split()[-1].lower().strip(".,")


def _is_person(name: str, people: frozenset[str]) -> bool:
    return _surname(name) in people


def _recent_person(sentences: list[Sentence], k: int, spans: list[tuple[int, int]], names,
                   people: frozenset[str]) -> str | None:
    """The person a pronoun in sentence k most likely means: the first person named (outside quotations)
    in it, or else in the nearest sentence before it that names one, within the article and _LOOKBACK."""
    article = sentences[k].article
    for j in range(k, max(k - _LOOKBACK - 1, -1), -1):
        sentence = sentences[j]
        if sentence.article != article:
            break
        text = sentence.text
        outside = _blank_spans(text, spans if j == k else quotation_spans(text))
        found = []
        for name in names[sentence.id]:
            if not _is_person(name, people):
                continue
            written = original_case(outside, name)
            at = outside.find(written)
            if at >= 0:
                found.append((at, written))
        if found:
            return min(found)[1]
    return None


def _speaker_in(text: str, spans: list[tuple[int, int]], referent: str | None, main_person: str | None) -> str | None:
    """The subject of the sentence's speech verb, outside the quotations; a pronoun is the referent."""
    outside = _blank_spans(text, spans)
    for verb in SPEECH_VERB.finditer(outside):
        before = outside[:verb.start()]
        clause = _CLAUSE_BREAK.split(before)[-1]
        subject = " ".join(_ADVERB_OR_FILLER.sub(" ", clause).split())
        after = outside[verb.end():].strip()
        inverted = _INVERTED.match(after)  # "…," said Halsey.
        if not subject and not inverted:
            # "“…,” Halsey, who …, said" or "She thanked fans, tweeting, “…”": take the sentence's subject
            subject = _first_subject(outside)
        resolved = _resolve(subject, referent)
        if resolved:
            return resolved
        if inverted:
            return inverted.group(1)
    if spans and main_person and _names_part(outside, main_person):
        # No speech verb, but the sentence is about the article's main person ("Halsey slamming their
        # label for …"), or about whom a pronoun means ("their lyrics include …"): the quotation is
        # theirs, as the outlet reports it.
        return main_person
    if spans and _REFERRING.search(outside):
        return referent
    return None


_REFERRING = re.compile(r"\b(she|he|they|her|his|their)\b", re.I)
_ANY_PRONOUN = re.compile(rf"\b({'|'.join(sorted(_PRONOUNS))}|her|his|their)\b", re.I)


def _names_part(outside: str, person: str) -> bool:
    """Whether text names the person (any part of the name)."""
    return any(re.search(rf"\b{re.escape(part)}\b", outside) for part in person.split() if len(part) > 1)


def _resolve(subject: str, referent: str | None) -> str | None:
    subject = subject.strip(" .")
    if not subject:
        return None
    if subject.lower() in _PRONOUNS:
        return referent
    words = subject.split()
    if len(words) > 8 or not any(w[:1].isupper() for w in words) and not subject.lower().startswith(("a ", "the ")):
        return None
    return subject[0].upper() + subject[1:]


def _first_subject(outside: str) -> str:
    match = re.search(r"\b(?:([Ss]he|[Hh]e|[Tt]hey)\b|([A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*))", outside)
    if not match:
        return ""
    return match.group(1) or match.group(2)


def _blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for a, b in spans:
        chars[a:b] = "\"" + " " * (b - a - 2) + "\"" if b - a >= 2 else chars[a:b]
    return "".join(chars)


_QUOTE_MARKS = '“"'
_LETTER_OR_QUOTE = re.compile(r'[A-Za-z“"]')
_LETTER = re.compile(r"[A-Za-z]")


def is_only_quotation(text: str) -> bool:
    """True for a sentence that is nothing but a quotation: it continues someone else's words."""
    # A letter before the first quotation mark or after the last is outside every quotation: most
    # sentences are told so without walking the text character by character.
    first = _LETTER_OR_QUOTE.search(text)
    if first is None or first.group() not in _QUOTE_MARKS:
        return False
    if _LETTER.search(text, max(text.rfind("”"), text.rfind('"')) + 1):
        return False
    spans = quotation_spans(text)
    return bool(spans) and _is_only_quotation(text, spans)


def _is_only_quotation(text: str, spans: list[tuple[int, int]]) -> bool:
    outside = _blank_spans(text, spans)
    return not re.search(r"[A-Za-z]", outside.replace('"', ""))


def _main_person(sentences: list[Sentence], names, people: frozenset[str]) -> str | None:
    """The most mentioned person of an article (any name, when it shows none to be a person's): whom
    "she"/"they" means when no one is named just before."""
    counts: Counter[str] = Counter()
    first_text: dict[str, str] = {}  # where each name is first written: its case is read only for the one chosen
    for sentence in sentences:
        for name in names[sentence.id]:
            counts[name] += 1
            first_text.setdefault(name, sentence.text)
    if not counts:
        return None
    persons = [name for name, _ in counts.most_common() if _is_person(name, people)]
    name = persons[0] if persons else counts.most_common(1)[0][0]
    return original_case(first_text[name], name)
