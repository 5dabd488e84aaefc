"""Checking a claim against the coverage: supported, contradicted, or not found.

A claim is not a question: it has no "who" or "when" to say what is asked, and a wrong value in it
must never read as support. So the claim's typed facts (dates, ages, numbers, durations) are taken
out, the sentences about the rest are found and scored as for a question (the fitted model), and
the facts are compared then:
- supported: a sentence that has every word of the claim (values aside; in it or the sentence before)
  states every fact the claim gives (or, for a claim without such facts, the fitted model would
  answer with it);
- contradicted: such sentences state a fact of the same kind with another value, and none agrees;
- not found: otherwise. Nothing is cited then.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace


from bot.core.answers import Citation, clip, coverage_summary, join_list
from bot.core.corpus import Corpus
from bot.core.expectations import only_relative_to_event, relation
from bot.core.facts import find_facts
from bot.core.questions import parse_question, semantic_text
from bot.core.scoring import rank

MAX_EVIDENCE = 3
SENTENCE_CHARS = 300
# Facts compared: Facts field -> relation()'s kind and what the answer calls it
_KINDS = {"dates": ("when", "date"), "ages": ("how_old", "age"), "amounts": ("how_many", "number"),
          "durations": ("how_long", "duration")}
# Spans in the claim that state those facts, blanked before retrieval (the sentence may say another value)
# (with the unit of an age or a duration: "2 years old", "5 minutes long" are the value, not the topic)
_VALUES = re.compile(r"(?:\$?\d[\d,.]*(?:\s*(?:million|billion|thousand|percent|%))?(?:st|nd|rd|th)?|\b(?:one|two|"
                     r"three|four|five|six|seven|eight|nine|ten|eleven|twelve)\b)(?:[- ](?:second|minute|hour|day|"
                     r"week|month|year|decade)s?\b(?:[- ](?:old|long)\b)?)?", re.I)


@dataclass(frozen=True, slots=True)
class Verdict:
    """The `verify --json` keys."""

    claim: str
    verdict: str  # "supported", "contradicted" or "not_found"
    answer: str
    citations: tuple[Citation, ...] = ()

    @property
    def abstained(self) -> bool:
        """Nothing in the coverage either way: as an answer that abstains, it cites nothing."""
        return self.verdict == "not_found"


def check_claim(claim: str, corpus: Corpus, encode=None) -> Verdict:
    claim = " ".join(str(claim).split())
    stated = find_facts(claim, corpus.name_words)
    asked = " ".join(_VALUES.sub(" ", claim).split()) or claim
    question = corpus.expand(parse_question(asked))
    if not question.concepts:
        return _not_found(claim, corpus)
    # the kind of fact the claim states is what a question about it would ask for
    kind = next((_KINDS[field][0] for field in _KINDS if getattr(stated, field)), question.kind)
    if kind == "how_many" and all(v.isdigit() for v in stated.amounts) and \
            any(w in corpus.person_words() for w in asked.lower().split()):
        kind = "how_old"  # "Ruiz is 52": a bare number said of a person is an age
    question = replace(question, kind=kind)
    vector = encode([semantic_text(asked, question)])[0] if encode is not None else None
    ranked, fitted = rank(question, corpus, vector)
    # about the claim: what the fitted model would answer with, or a sentence it does not rule out that
    # has every word of the claim (values aside; in it or the sentence before). Support without a
    # value to compare needs both.
    covered = {c.sentence: _covers(question, c.sentence, corpus) for c in ranked[:10]}
    about = [c for c in ranked[:10] if c.score >= fitted.answer_from or (c.score >= fitted.sentence_from
                                                                         and covered[c.sentence])]
    claimed = {field: getattr(stated, field) for field in _KINDS if getattr(stated, field)}
    # the event a date is claimed of: the claim's words less the date's ("released", not "June")
    dated = {w for d in stated.dates for w in d.split()}
    event = replace(question, concepts=tuple(c for c in question.concepts if c.word not in dated))
    agreeing, differing = [], []
    for candidate in about:
        if dated and only_relative_to_event(corpus.sentences.text(candidate.sentence), event):
            continue  # "one day prior to the release, on June 9": not the release's date
        relations = [_relation(field, values, corpus.facts[candidate.sentence]) for field, values in claimed.items()]
        if claimed and all(r == "agree" for r in relations):
            agreeing.append(candidate)
        elif any(r == "differ" for r in relations) and "agree" not in relations:
            differing.append(candidate)
        elif not claimed and candidate.score >= fitted.answer_from and covered[candidate.sentence]:
            agreeing.append(candidate)
    if agreeing:
        return _verdict(claim, "supported", "The coverage supports this:", agreeing, corpus)
    if differing:
        kinds = join_list(list(dict.fromkeys(_KINDS[f][1] for f in claimed)), "or")
        return _verdict(claim, "contradicted", f"The coverage says otherwise (another {kinds}):", differing, corpus)
    return _not_found(claim, corpus)


def _relation(field: str, values: tuple[str, ...], facts) -> str:
    """relation() of the claim's values to the sentence's, a bare number ("he is 52") also against the
    sentence's ages ("Ruiz, 52,"): the claim says no unit, so either reading may be meant."""
    found = relation(_KINDS[field][0], values, getattr(facts, field))
    if found or field != "amounts" or not all(v.isdigit() for v in values):
        return found
    numbers = {a.split()[0] for a in facts.ages} | {a for a in facts.amounts if a.isdigit()}
    if not numbers:
        return ""
    return "agree" if numbers & set(values) else "differ"


def _covers(question, sentence: int, corpus: Corpus) -> bool:
    terms = set(corpus.index.terms(sentence))
    before = corpus.sentences.neighbour(sentence, -1)
    if before is not None:
        terms |= corpus.index.terms(before)
    return all(any(t in terms for t in concept.alternatives) for concept in question.concepts)


def _verdict(claim: str, verdict: str, header: str, evidence, corpus: Corpus) -> Verdict:
    lines, citations, articles = [header], [], set()
    for candidate in evidence:
        article = corpus.sentences.article(candidate.sentence)
        if article in articles or len(citations) == MAX_EVIDENCE:
            continue
        articles.add(article)
        source = corpus.articles[article]
        text = corpus.sentences.text(candidate.sentence)
        lines.append(f"• {clip(text, set(), SENTENCE_CHARS)} — {source.credit} [{len(citations) + 1}]")
        citations.append(Citation(outlet=source.outlet, title=source.title, url=source.url,
                                  published=source.published, text=text, via=source.via))
    return Verdict(claim=claim, verdict=verdict, answer="\n".join(lines), citations=tuple(citations))


def _not_found(claim: str, corpus: Corpus) -> Verdict:
    return Verdict(claim=claim, verdict="not_found",
                   answer=f"The coverage neither supports nor contradicts this. {coverage_summary(corpus)}")

