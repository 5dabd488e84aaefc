"""Direct quotations in the coverage, each with its speaker where the text names one."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from bot.core.articles import Article
from bot.core.facts import find_names, name_words_of, original_case
from bot.core.sentences import Sentence, quotation_spans

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
    main_person = [_main_person(group, names) for group in by_article]
    previous_speaker: str | None = None
    for k, sentence in enumerate(sentences):
        spans = [(a, b) for a, b in quotation_spans(sentence.text)
                 if len(sentence.text[a:b].split()) >= MIN_QUOTE_WORDS]
        if not spans:
            previous_speaker = _speaker_in(sentence.text, [], main_person[sentence.article])
            continue
        speaker = _speaker_in(sentence.text, spans, main_person[sentence.article])
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


def _speaker_in(text: str, spans: list[tuple[int, int]], main_person: str | None) -> str | None:
    """The subject of the sentence's speech verb, outside the quotations."""
    outside = _blank_spans(text, spans)
    for verb in SPEECH_VERB.finditer(outside):
        before = outside[:verb.start()]
        clause = _CLAUSE_BREAK.split(before)[-1]
        subject = " ".join(_ADVERB_OR_FILLER.sub(" ", clause).split())
        if not subject:
            # "“…,” Halsey, who …, said" or "She thanked fans, tweeting, “…”": take the sentence's subject
            subject = _first_subject(outside)
        resolved = _resolve(subject, main_person)
        if resolved:
            return resolved
        after = outside[verb.end():].strip()
        inverted = re.match(r"([A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*)", after)  # "…," said Halsey.
        if inverted:
            return inverted.group(1)
    if spans and main_person and _refers_to(outside, main_person):
        # No speech verb, but the sentence is about the article's main person ("Halsey slamming their
        # label for …", "their lyrics include …"): the quotation is theirs, as the outlet reports it.
        return main_person
    return None


_REFERRING = re.compile(r"\b(she|he|they|her|his|their)\b", re.I)


def _refers_to(outside: str, person: str) -> bool:
    """Whether text names the person (any part of the name) or refers to someone by a pronoun."""
    return _REFERRING.search(outside) is not None or any(
        re.search(rf"\b{re.escape(part)}\b", outside) for part in person.split() if len(part) > 1)


def _resolve(subject: str, main_person: str | None) -> str | None:
    subject = subject.strip(" .")
    if not subject:
        return None
    if subject.lower() in _PRONOUNS:
        return main_person
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


def _main_person(sentences: list[Sentence], names: list[tuple[str, ...]] | None) -> str | None:
    """The most mentioned name of an article: who "she"/"they" usually means."""
    counts: Counter[str] = Counter()
    originals: dict[str, str] = {}
    if names is None:
        name_words = name_words_of([s.text for s in sentences])
        names = {s.id: tuple(find_names(s.text, name_words)) for s in sentences}
    for sentence in sentences:
        for name in names[sentence.id]:
            counts[name] += 1
            originals.setdefault(name, original_case(sentence.text, name))
    if not counts:
        return None
    name, _ = counts.most_common(1)[0]
    return originals[name]
