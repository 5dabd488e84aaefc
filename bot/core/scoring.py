"""The fitted model: the probability that a candidate sentence answers the question.

A logistic regression over features.FEATURES, fitted by `bench/fit_scoring.py` on the SQuAD 2.0 tune
split, the dev set and off-topic questions made from both, and stored in `scoring_weights.json` beside
this file; serving only reads it. The bot answers when its best candidate reaches `answer_from`, and
shows other sentences that reach `sentence_from`; both were fitted too. (A second model over the best
candidates' numbers, to decide when to abstain, did worse in cross-validation: bench/fit_scoring.py says
why it is not used.) One model has the semantic features, one serves hosts that turn the semantic stage
off. Two forms of question it was not fitted on answer by their form (expectations.answers_by_form):
such a sentence scores at least `answer_from`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.core.candidates import find_candidates
from bot.core.corpus import Corpus
from bot.core.expectations import Expectation, answers_by_form
from bot.core.features import FEATURES, features
from bot.core.questions import Question
from bot.errors import BotError

WEIGHTS_FILE = Path(__file__).with_name("scoring_weights.json")
_NAMES_MISSING = FEATURES.index("names_missing_here")  # the column a candidate carries to answers.py


@dataclass(slots=True)
class Candidate:
    sentence: int
    score: float  # the fitted probability that it answers the question
    bm25: float
    values: tuple[str, ...] = ()  # the facts of the kind asked for that it states (see values_of)
    names_missing: float = 0.0  # share of the question's names it lacks, with what it leans on (features.py)


@dataclass(frozen=True)
class Regression:
    """A logistic regression over standardised features."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    weights: np.ndarray
    bias: float

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        z = ((x - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    @classmethod
    def from_dict(cls, stored: dict, features: tuple[str, ...]) -> Regression:
        fitted = cls(features=tuple(stored["features"]), mean=np.array(stored["mean"], dtype=float),
                     scale=np.array(stored["scale"], dtype=float), weights=np.array(stored["weights"], dtype=float),
                     bias=float(stored["bias"]))
        if fitted.features != features or not len(fitted.mean) == len(fitted.scale) == len(fitted.weights) \
                == len(features):
            raise ValueError("fitted for other features; run bench/fit_scoring.py")
        return fitted


@dataclass(frozen=True)
class Model:
    sentence: Regression
    answer_from: float  # the best candidate's probability from which the bot answers
    sentence_from: float  # the probability from which another sentence joins an answer


def rank(question: Question, corpus: Corpus, question_vector: np.ndarray | None,
         within: np.ndarray | None = None) -> tuple[list[Candidate], Model]:
    """Every candidate (only among the sentence ids within, if given), most likely to answer first, and
    the model that scored them."""
    fitted = model(semantic=question_vector is not None and corpus.vectors is not None)
    if not question.concepts:
        return [], fitted
    found = find_candidates(question, corpus, question_vector, within)
    if not len(found):
        return [], fitted
    x, values = features(question, Expectation.of(question, corpus), corpus, found)
    fitted_p = fitted.sentence.probabilities(x)
    p = np.where(answers_by_form(question, corpus, found.ids), np.maximum(fitted_p, fitted.answer_from), fitted_p)
    # Sentences lifted to answer_from by their form tie there: the fitted probability orders them, then BM25.
    order = np.lexsort((found.ids, -found.bm25, -fitted_p, -p))
    missing = x[:, _NAMES_MISSING]
    ranked = [Candidate(int(found.ids[i]), float(p[i]), float(found.bm25[i]), values[i], float(missing[i]))
              for i in order.tolist()]
    return ranked, fitted


@lru_cache(maxsize=2)
def model(semantic: bool) -> Model:
    """The fitted model for the bot with (True) or without its semantic stage."""
    name = "semantic" if semantic else "lexical"
    try:
        stored = json.loads(WEIGHTS_FILE.read_text(encoding="utf-8"))[name]
        return Model(sentence=Regression.from_dict(stored["sentence"], FEATURES), answer_from=float(stored["answer_from"]), sentence_from=float(stored["sentence_from"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BotError(f"the scoring weights {WEIGHTS_FILE} are missing or broken ({exc}); reinstall the bot "
                       f"or run bench/fit_scoring.py") from exc
