"""Per-candidate numbers that mean the same in any corpus, for the fitted model in scoring.py.

Cosine and BM25 are given relative to what the question could score and to the best candidate, and
word coverage as IDF-weighted shares of the question's concepts, so that the same weights serve three
articles, a folder of thousands and SQuAD. The question-type machinery (expectations.py) says whether
a sentence states the kind of fact asked for.
"""

from __future__ import annotations

import math

import numpy as np

from bot.core.candidates import Candidates
from bot.core.corpus import Corpus
from bot.core.expectations import (FACT_FIELDS, NAME_KINDS, Expectation, amounts_of_money, is_subject,
                                   only_relative_to_event, quoted_by, states_money, values_of)
from bot.core.lexicon import LIGHT_NOUNS, NEGATED, NEGATIONS
from bot.core.questions import Concept, Question
from bot.core.search import lookup
from bot.core.text import is_title_term, stem, words

FEATURES = (
    "cosine",             # cosine of question and sentence
    "cosine_gap",         # cosine minus the best candidate's (0 for the best)
    "cosine_neighbour",   # the better cosine of the sentences before and after it
    "bm25_share",         # BM25 over the most the question's terms could score
    "bm25_gap",           # BM25 share minus the best candidate's
    "coverage",           # IDF-weighted share of the question's concepts in the sentence
    "coverage_gap",       # coverage minus the best candidate's
    "coverage_near",      # share found only in what the sentence leans on: the one before, the title
    "missing_top",        # the largest share of one concept found neither in the sentence nor near it
    "focus_missing",      # what the question is about (its first word asked, "who *directed* the video") is
                          # found neither in the sentence nor near it
    "focus_missing_here", # ... or not in the sentence itself
    "cosine_coverage",    # cosine times coverage: both at once mean more than either
    "unknown_share",      # share of the question's concepts that no sentence of the coverage uses
    "names_missing",      # the question names someone; neither the sentence nor its article does
    "names_missing_here", # share of the question's names (capitalised, or names in the coverage) not in
                          # the sentence nor the one before it nor the title: "the Unique Model"
    "number_missing",     # the question has a number ("the 1954 review") that is not there either
    "fact_stated",        # a when/how-many/how-old/how-long question, and the sentence states such a fact
    "fact_missing",       # ... and it states none
    "name_stated",        # a who/which/where question, and the sentence names someone or something
    "name_missing",       # ... and it names nothing new
    "subject_named",      # "what label": a name that says it is one ("Capitol Records")
    "money_stated",       # "how much did it cost", and the sentence states an amount of money
    "money_missing",      # ... it states amounts, but none of money ("about 420 deckhands")
    "money_only",         # "how many subscribers", and the sentence's only amounts are money ("for $14 million")
    "quote_stated",       # a what-did-X-say question, and the sentence (or the next) quotes or reports speech
    "quote_missing",      # ... and it does neither
    "other_speaker",      # ... and the words are somebody else's than whose were asked about
    "relative_date",      # "one day prior to the release, on June 9": the date is not the event's
    "novelty_missing",    # "pregnant again": the sentence does not say "again"
    "negation_missing",   # "which country did not sign": the question negates, the sentence does not
    "log_words",          # log of the sentence's length in words
    "asks_fact", "asks_name", "asks_quote", "asks_yesno",  # the kind of question (questions.py)
    "log_concepts",       # log of the number of the question's concepts
)


def features(question: Question, expect: Expectation, corpus: Corpus,
             found: Candidates) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """The candidates × FEATURES matrix, and each candidate's facts of the asked kind."""
    ids = found.ids
    n = len(ids)
    x = np.zeros((n, len(FEATURES)))
    if not n:
        return x, []
    column = {name: j for j, name in enumerate(FEATURES)}

    def put(name: str, values) -> None:
        x[:, column[name]] = values

    put("cosine", found.cosine)
    put("cosine_gap", found.cosine - found.cosine.max())
    if found.question_vector is not None and corpus.vectors is not None:
        put("cosine_neighbour", _neighbour_cosine(ids, found.question_vector, corpus))
    share = found.bm25 / found.bm25_ceiling
    put("bm25_share", share)
    put("bm25_gap", share - share.max())

    concepts, kind = question.concepts, question.kind
    importance = np.array([0.0 if c.novelty else _importance(c, corpus) for c in concepts])
    total = importance.sum() or 1.0
    where = _Found(concepts, expect.name_stems, ids, corpus)
    coverage = where.own @ importance / total
    put("coverage", coverage)
    put("coverage_gap", coverage - coverage.max())
    put("coverage_near", np.maximum(where.near - where.own, 0) @ importance / total)
    put("missing_top", ((1 - where.near) * importance).max(axis=1) / total if len(concepts) else 0.0)
    put("cosine_coverage", found.cosine * coverage)
    unknown = [not corpus.uses(c) for c in concepts]
    put("unknown_share", float(np.dot(unknown, importance)) / total)
    if expect.name_stems:
        put("names_missing", ~where.names_near())
    named = [j for j, c in enumerate(concepts)
             if c.word in question.capitalised or c.word.removesuffix("'s") in expect.names]  # ("ruiz's")
    if named:
        put("names_missing_here", (where.near[:, named] == 0).mean(axis=1))
    focus = next((j for j, c in enumerate(concepts) if j not in named and not c.novelty and c.word not in LIGHT_NOUNS
                  and not c.word[:1].isdigit()), None)
    if focus is not None and kind not in ("quote", "yesno"):
        put("focus_missing", where.near[:, focus] == 0)
        put("focus_missing_here", where.own[:, focus] == 0)
    numbers = [j for j, c in enumerate(concepts) if c.word[:1].isdigit()]
    if numbers:
        put("number_missing", (where.near[:, numbers] == 0).any(axis=1))
    novelty = [j for j, c in enumerate(concepts) if c.novelty]
    if novelty:
        put("novelty_missing", (where.own[:, novelty] == 0).any(axis=1))

    in_titles = {w for c in concepts if any(map(is_title_term, c.alternatives)) for w in c.word.split()}
    if _negated(question.text, asking=True, ignoring=in_titles):  # ("what is Without Me about" negates nothing)
        put("negation_missing", [not _negated(corpus.sentences.text(s)) for s in ids.tolist()])

    values = [values_of(expect, corpus, s) for s in ids.tolist()]
    stated = np.array([bool(v) for v in values])
    if kind in FACT_FIELDS:
        put("fact_stated", stated)
        put("fact_missing", ~stated)
        if expect.money:
            money = stated & np.array([states_money(corpus.sentences.text(s)) for s in ids.tolist()])
            put("money_stated", money)
            put("money_missing", stated & ~money)
        elif kind == "how_many":
            put("money_only", [bool(v) and amounts_of_money(corpus.sentences.text(s)) >= len(v)
                               for s, v in zip(ids.tolist(), values)])
    elif kind in NAME_KINDS:
        put("name_stated", stated)
        put("name_missing", ~stated)
        if expect.subject_terms:
            put("subject_named", [is_subject(expect, v) for v in values])
    elif kind == "quote":
        speakers = [quoted_by(s, corpus) for s in ids.tolist()]
        put("quote_stated", [s is not None for s in speakers])
        put("quote_missing", [s is None for s in speakers])
        if expect.names:  # by name or alias: "what did Desmond Achterberg say" is answered by "…," Achterberg said
            put("other_speaker", [bool(s) and not expect.named_terms & {stem(w) for w in s} for s in speakers])
    if kind == "when":
        put("relative_date", [only_relative_to_event(corpus.sentences.text(s), question) for s in ids.tolist()])
    put("asks_fact", kind in FACT_FIELDS)
    put("asks_name", kind in NAME_KINDS)
    put("asks_quote", kind == "quote")
    put("asks_yesno", kind == "yesno")
    put("log_concepts", math.log1p(len(concepts)))
    put("log_words", [math.log1p(len(corpus.sentences.text(s).split())) for s in ids.tolist()])
    return x, values


def _negated(text: str, asking: bool = False, ignoring: set[str] | frozenset[str] = frozenset()) -> bool:
    """Whether the text says "not", "never", "didn't", …, outside the words ignored; a question's first word
    only asks ("isn't she the one who did Colors?" is no question about what she did not do)."""
    return any((w in NEGATIONS or NEGATED.match(w)) and w not in ignoring for w in words(text)[1 if asking else 0:])


def _neighbour_cosine(ids: np.ndarray, question_vector: np.ndarray, corpus: Corpus) -> np.ndarray:
    best = np.zeros(len(ids))
    for offset in (-1, 1):
        other = corpus.sentences.neighbours(ids, offset)
        has = other >= 0
        if has.any():
            best[has] = np.maximum(best[has], corpus.vectors[other[has]] @ question_vector)
    return best


def _importance(concept: Concept, corpus: Corpus) -> float:
    """A concept matters as much as its rarest known form: its IDF."""
    index = corpus.index
    root = stem(concept.word)
    if root in index:
        return index.idf(root)
    known = [index.idf(t) for t in concept.alternatives if t in index]
    return max(known) if known else index.idf("")  # no sentence has the empty term: an unseen word's IDF


class _Found:
    """Where each question term occurs for a set of candidate sentences: in the sentence itself, or
    in what it leans on (the sentence before it, for pronouns; its article's title; and, for the
    names asked about, any mention in its article: "their son" is Ender)."""

    def __init__(self, concepts: tuple[Concept, ...], name_stems: frozenset[str], ids: np.ndarray, corpus: Corpus):
        terms = sorted({t for c in concepts for t in c.alternatives} | name_stems)
        column = {t: j for j, t in enumerate(terms)}
        both = corpus.index.holding(terms, np.concatenate([ids, corpus.sentences.neighbours(ids, -1)]))
        self._here, self._near = both[:len(ids)], both[len(ids):]
        articles = corpus.sentences.places[ids, 0]
        for term, j in column.items():
            for holders in (corpus.titled.get(term), corpus.named.get(term) if term in name_stems else None):
                if holders is not None:
                    self._near[:, j] |= lookup(holders, articles)[1]
        self._names = [column[t] for t in name_stems]
        # sentence × concept: a concept's credit is its best alternative's weight where it is found
        def credit(held: np.ndarray) -> np.ndarray:
            best = np.zeros((len(ids), len(concepts)))
            for j, concept in enumerate(concepts):
                for term, weight in concept.alternatives.items():
                    np.maximum(best[:, j], held[:, column[term]] * weight, out=best[:, j])
            return best
        self.own = credit(self._here)
        self.near = np.maximum(self.own, credit(self._near))

    def names_near(self) -> np.ndarray:
        """Whether the sentence, or what it leans on, names anyone the question asks about."""
        named = np.zeros(len(self._here), dtype=bool)
        for j in self._names:
            named |= self._here[:, j]
            named |= self._near[:, j]
        return named
