"""Questions about what one source said: "according to X, …", "what did X say about …", "what did she
tell X". X is an outlet of the knowledge folder (its own articles answer) or a publication the
articles cite ("in an interview with X", "she told X": the sentences that name it, and the one after
each, answer). The patterns are everyday English; X must be a name the coverage has, so "what did
Halsey say about …" stays a question about a person's words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from bot.core.corpus import Corpus, plain_name
from bot.core.text import tokenize

CITED_SENTENCES = 200  # sentences naming a publication that are looked at: more than a story cites one

_ACCORDING = [re.compile(r"^according to (?P<x>.+?), (?P<rest>.+)$", re.I),
              re.compile(r"^(?P<rest>.+?),? according to (?P<x>[^,?]+)\??$", re.I)]
_SAID = re.compile(r"^(?:what|how) (?:did|does|do|has|have) (?P<x>.+?) (?:say|said|report|reported|write|wrote|"
                   r"cover|covered|tell us)(?: (?:about|on|of) (?P<rest>.+?))?\??$", re.I)
_TOLD = re.compile(r"^what (?:did|does|has) (?P<who>.+?) (?:tell|told|say to|said to) (?P<x>.+?)"
                   r"(?: (?:about|on) (?P<rest>.+?))?\??$", re.I)
_THE = re.compile(r"^(the|a|an)\s+", re.I)
# How English cites a publication: "told X", "in an interview with X", "speaking to X", "according to X"
_CITING = (r"told|tells|telling|interview with|interviewed by|speaking to|speaking with|spoke to|spoke with|"
           r"talking to|talked to|said to|according to|in an essay for|wrote for|writing for|reported by")


@dataclass(frozen=True)
class Scope:
    source: str  # as the coverage writes it ("HollywoodLife", "Allure")
    outlet: bool  # an outlet of the folder (else a publication the articles cite)
    within: np.ndarray  # the sentence ids that may answer
    question: str  # what is asked of it, without the source ("how old is alev")


def source_scope(question: str, corpus: Corpus) -> Scope | None:
    text = " ".join(question.split())
    for pattern in _ACCORDING:
        match = pattern.match(text)
        if match:  # (an X that is neither an outlet nor cited, "according to the census", is the question's own)
            return _scope(match.group("x"), match.group("rest"), corpus)
    match = _TOLD.match(text)
    if match:  # the whole question still helps find the quote: "told Allure" is in the sentence
        return _scope(match.group("x"), "", corpus)
    match = _SAID.match(text)
    if match:
        rest = match.group("rest") or ""
        return _scope(match.group("x"), f"what about {rest}" if rest else "", corpus)
    return None


def _scope(name: str, rest: str, corpus: Corpus) -> Scope | None:
    wanted = plain_name(_bare(name))
    if not wanted:
        return None
    table = corpus.sentences
    outlet = corpus.articles_by_outlet().get(wanted)
    if outlet is not None:
        known, articles = outlet
        within = np.concatenate([np.arange(*table.span_of(i)) for i in articles]).astype(np.int64)
        return Scope(source=known, outlet=True, within=within, question=rest)
    # a publication the articles cite as one ("told X", "in an interview with X"): those sentences, and
    # the one after each (the quote often follows)
    named = r"\s+".join(map(re.escape, _bare(name).split()))
    pattern = re.compile(rf"\b(?:{_CITING}) (?:the |an? )?{named}\b|\b{named} (?:reported|reports|wrote|writes)\b",
                         re.I)
    if not _is_name(name, corpus):
        return None
    terms = {t: 1.0 for t in tokenize(name)}  # the index finds the sentences naming it; the pattern, how
    named_in = sorted(s for s, _ in corpus.index.top(terms, CITED_SENTENCES)) if terms else []
    citing = [i for i in named_in if pattern.search(table.text(i))]
    if not citing:
        return None
    within = sorted({i for s in citing for i in (s, table.neighbour(s, 1)) if i is not None})
    found = re.search(rf"\b{named}\b", table.text(citing[0]), re.I)
    shown = found.group(0) if found else name.strip(" ?.,")
    return Scope(source=shown, outlet=False, within=np.array(within, dtype=np.int64), question=rest)


def _bare(name: str) -> str:
    """"the Harbor Gazette?" → "Harbor Gazette"."""
    return _THE.sub("", name.strip(" ?.,"))


def _is_name(name: str, corpus: Corpus) -> bool:
    """A publication the coverage names: every word of it a name word, and not a person's name
    (what a person said is a quotation question, not a source's)."""
    words = [w.lower() for w in _bare(name).split()]
    people = corpus.person_words()
    return bool(words) and all(w in corpus.name_words for w in words) and not all(w in people for w in words)

