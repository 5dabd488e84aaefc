"""The fitted answer model: the fitting code recovers a known model, and serving refuses stale weights."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest

from bot.core import scoring
from bot.core.features import FEATURES
from bot.errors import BotError
from tests.conftest import PROJECT

sys.path.insert(0, str(PROJECT / "bench"))
import fit_scoring  # noqa: E402


def test_the_fit_recovers_a_known_logistic_model():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(20_000, 3)) * [1.0, 2.0, 0.5] + [0.0, 1.0, -1.0]
    true_z = 1.5 * x[:, 0] - 0.8 * x[:, 1] + 0.0 * x[:, 2] + 0.3
    y = (rng.random(len(x)) < 1 / (1 + np.exp(-true_z))).astype(float)
    mean, scale, weights, bias = fit_scoring.fit(x, y, np.ones(len(x)))
    raw = weights / scale  # back to the unstandardised features
    assert np.allclose(raw, [1.5, -0.8, 0.0], atol=0.08)
    assert abs(bias - raw @ mean - 0.3) < 0.08


def test_the_shipped_weights_fit_the_features_and_the_lexical_model_ignores_vectors():
    semantic, lexical = scoring.model(True), scoring.model(False)
    assert semantic.sentence.features == lexical.sentence.features == FEATURES
    assert 0 < semantic.sentence_from <= semantic.answer_from < 1
    for name, weight in zip(FEATURES, lexical.sentence.weights):
        if name in fit_scoring.SEMANTIC_ONLY:
            assert weight == 0, name


def test_weights_for_other_features_are_refused_by_name(tmp_path, monkeypatch):
    stored = json.loads(scoring.WEIGHTS_FILE.read_text())
    stored["semantic"]["sentence"]["features"] = stored["semantic"]["sentence"]["features"][:-1]
    stale = tmp_path / "scoring_weights.json"
    stale.write_text(json.dumps(stored))
    monkeypatch.setattr(scoring, "WEIGHTS_FILE", stale)
    scoring.model.cache_clear()
    try:
        with pytest.raises(BotError, match="fit_scoring.py") as error:
            scoring.model(True)
        assert str(stale) in str(error.value)
    finally:
        scoring.model.cache_clear()


def _candidate_features(assistant, question: str):
    """The bot's candidates for the question, and their features (as fit_scoring's rows have them)."""
    from bot.core.candidates import find_candidates
    from bot.core.expectations import Expectation
    from bot.core.questions import parse_question, semantic_text

    corpus = assistant.corpus
    parsed = corpus.expand(parse_question(question))
    found = find_candidates(parsed, corpus, assistant.encode([semantic_text(question, parsed)])[0])
    return found, fit_scoring.features(parsed, Expectation.of(parsed, corpus), corpus, found)[0]


@pytest.mark.parametrize("question", ["how old is ruiz's firm", "how old is Ruiz's firm"])
def test_a_name_asked_about_in_the_possessive_counts_as_a_name(assistant, question):
    corpus = assistant.corpus
    found, x = _candidate_features(assistant, question)
    missing = dict(zip(found.ids.tolist(), x[:, FEATURES.index("names_missing_here")]))
    ferry = [s for s in found.ids.tolist() if "ferry" in corpus.sentences.text(s)]  # (an article without Ruiz)
    assert ferry and all(missing[s] == 1 for s in ferry)
    assert all(missing[s] == 0 for s in found.ids.tolist() if "Ruiz" in corpus.sentences.text(s))


def test_cross_validated_figures_show_each_question_its_own_folds_sentences():
    # two questions from two folds with other thresholds for another sentence: each is judged by its own
    q = {"source": "s", "answerable": True, "y": np.array([0.0, 1.0]), "x": np.zeros((2, len(FEATURES)))}
    p = np.array([0.9, 0.2])
    assert fit_scoring.evaluate([q, q], [True, True], [p, p], [0.1, 0.5])["s"] == (0.5, None)  # (no unanswerable)


def test_a_sentence_lacking_a_name_the_best_has_is_not_counted_as_shown():
    # as answers.py composes: the second sentence reaches sentence_from but lacks the name asked about
    names_missing = np.array([0.0, 1.0, 0.0])
    assert fit_scoring.shown(np.array([0.9, 0.5, 0.3]), 0.1, names_missing).tolist() == [0, 2]
    assert fit_scoring.shown(np.array([0.9, 0.5, 0.3]), 0.1, np.zeros(3)).tolist() == [0, 1, 2]


def test_the_objective_counts_each_accuracy_up_to_its_target():
    # SQuAD's targets are 0.75 in-scope and 0.60 abstain: an abstain accuracy beyond 0.60 buys nothing
    assert fit_scoring.objective({"squad-tune": (0.75, 0.60)}) == 1.0
    assert fit_scoring.objective({"squad-tune": (0.375, 0.90)}) == 0.75
    # a set of unanswerable questions only counts by its abstain accuracy; each set weighs the same
    assert fit_scoring.objective({"off-topic": (None, 0.45), "dev": (0.9, 0.9)}) == 0.75


def test_off_topic_questions_are_asked_of_coverage_about_something_else(tmp_path):
    squad = [{"id": f"q{i}", "question": f"question {i}", "answers": ["x"], "outlets": ["Wikipedia"],
              "type": "factoid", "note": title} for i, title in enumerate(["A", "B", "C", "D", "E"] * 4)]
    knowledge = tmp_path / "squad"
    knowledge.mkdir()
    for title in "ABCDE":
        front = f"---\ntitle: {title}\noutlet: Wikipedia\nurl: https://en.wikipedia.org/wiki/{title}\n---\n\n"
        (knowledge / f"{title.lower()}.md").write_text(f"{front}Text {title}.\n")
    pairs = fit_scoring.off_topic(squad, [], knowledge, tmp_path / "data")
    assert all(item["type"] == "out_of_scope" and not item["answers"] for _, items in pairs for item in items)
    news, *halves = pairs
    assert news[0] == fit_scoring.ROOT / "knowledge" and len(news[1]) == len(squad) // fit_scoring.OFF_TOPIC_EVERY
    for folder, items in halves:  # never asked of the folder holding their own article
        titles = {p.read_text().split("title: ")[1].split("\n")[0] for p in folder.glob("*.md")}
        assert titles and not titles & {item["note"] for item in items}


@pytest.mark.parametrize("question, negated", [("who will cross it without a thought", True),
                                                ("what did the crew not miss", True),
                                                ("isn't the bridge open again", False)])  # (only asks)
def test_a_negated_question_wants_a_sentence_that_negates(assistant, question, negated):
    corpus = assistant.corpus
    found, x = _candidate_features(assistant, question)
    missing = dict(zip(found.ids.tolist(), x[:, FEATURES.index("negation_missing")]))
    says_not = {s: " without " in corpus.sentences.text(s) for s in found.ids.tolist()}
    assert any(says_not.values()) or not negated
    assert all(missing[s] == (negated and not says_not[s]) for s in missing)


@pytest.mark.parametrize("question", ["what did dana whitfield say about the bridge",
                                      "what did dana whitfeld say about the bridge",  # (a typo)
                                      "what did the mayor whitfield say"])
def test_words_quoted_by_the_person_asked_about_are_not_somebody_elses(assistant, question):
    # "…," Whitfield said answers a question about Dana Whitfield, however her name is written in it
    corpus = assistant.corpus
    found, x = _candidate_features(assistant, question)
    other = dict(zip(found.ids.tolist(), x[:, FEATURES.index("other_speaker")]))
    quoted = [s for s in found.ids.tolist() if "Whitfield said" in corpus.sentences.text(s)]
    assert quoted and all(other[s] == 0 for s in quoted)
    moreno = [s for s in found.ids.tolist() if "Moreno" in corpus.sentences.text(s) and other[s]]
    assert all("Whitfield" not in corpus.sentences.text(s) for s in moreno)


def test_a_question_about_money_wants_an_amount_of_money(assistant):
    # "how much did the repair pay for" is not answered by "should last 80 years" or "Ruiz, 52": amounts, no money
    corpus = assistant.corpus
    found, x = _candidate_features(assistant, "how much money did the city pay for the repair")
    stated = dict(zip(found.ids.tolist(), x[:, FEATURES.index("money_stated")]))
    missing = dict(zip(found.ids.tolist(), x[:, FEATURES.index("money_missing")]))
    dollars = [s for s in stated if "$48 million" in corpus.sentences.text(s)]
    assert dollars and all(stated[s] == 1 and missing[s] == 0 for s in dollars)
    assert all(stated[s] == 0 for s in stated if "$" not in corpus.sentences.text(s))
    assert any(missing[s] == 1 for s in missing if "80 years" in corpus.sentences.text(s))
    found, x = _candidate_features(assistant, "how many cables did the firm replace")  # a count: no money asked
    assert not x[:, [FEATURES.index("money_stated"), FEATURES.index("money_missing")]].any()


@pytest.mark.parametrize("folder", [fit_scoring.STORIES, fit_scoring.STORIES.parent / "tune-stories",
                                    fit_scoring.STORIES.parent / "eval-stories"],
                         ids=["fitted on", "tuned on", "held out"])
def test_the_invented_stories_are_read_with_their_story_and_answers_are_in_their_outlets(folder):
    from bot.core.articles import load_articles

    stories = fit_scoring.stories(folder)
    assert len(stories) >= 3 and fit_scoring.stories(None) == []
    for knowledge, items in stories:
        articles = load_articles(knowledge)
        assert len(articles) >= 2 and len({item["story"] for item in items}) == 1
        assert {item["type"] for item in items} >= {"paraphrase", "quote", "out_of_scope"}
        for item in items:  # each answer is in an article of one of its outlets (as score.py asks)
            texts = " ".join(" ".join(a.paragraphs).lower() for a in articles if a.outlet in item["outlets"])
            assert not item["answers"] or any(answer.lower() in texts for answer in item["answers"]), item["id"]


@pytest.mark.parametrize("question", ["who replaced the bridge's cables", "what kind of cables did the firm replace"])
def test_a_sentence_without_what_the_question_is_about_misses_its_focus(assistant, question):
    # "replaced" is what the first asks about, "cables" the second (after the light noun "kind of")
    corpus = assistant.corpus
    found, x = _candidate_features(assistant, question)
    missing = dict(zip(found.ids.tolist(), x[:, FEATURES.index("focus_missing_here")]))
    focus = "replaced" if question.startswith("who") else "cable"
    assert any(missing.values()) and not all(missing.values())
    assert all(missing[s] == (focus not in corpus.sentences.text(s).lower()) for s in missing)


def test_a_count_is_not_answered_by_money_alone(assistant):
    corpus = assistant.corpus
    found, x = _candidate_features(assistant, "how many drivers used the bridge")
    only = dict(zip(found.ids.tolist(), x[:, FEATURES.index("money_only")]))
    assert any(only[s] for s in only if "$48 million" in corpus.sentences.text(s))
    assert not any(only[s] for s in only if "80 years" in corpus.sentences.text(s))


def test_sentences_that_answer_by_their_form_are_ordered_by_their_fitted_probability(shipped_assistant):
    # Many of Halsey's sentences hold her words, each lifted to answer_from by the question's form: the
    # model's own probability, not BM25 alone, says which of them come first.
    from bot.core.questions import parse_question, semantic_text

    question, assistant = "what did halsey post", shipped_assistant
    found, x = _candidate_features(assistant, question)
    parsed = assistant.corpus.expand(parse_question(question))
    ranked, fitted = scoring.rank(parsed, assistant.corpus, assistant.encode([semantic_text(question, parsed)])[0])
    own = dict(zip(found.ids.tolist(), fitted.sentence.probabilities(x).tolist()))
    tied = [own[c.sentence] for c in ranked if c.score == fitted.answer_from]
    assert len(tied) >= 3 and tied == sorted(tied, reverse=True)
