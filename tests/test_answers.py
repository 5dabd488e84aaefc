"""Answers on a made-up corpus: nothing here may depend on the shipped articles."""

from __future__ import annotations

import re

import pytest

from bot.core.answers import MAX_ANSWER_CHARS, MAX_SOURCES, clip
from bot.core.assistant import Assistant


def test_who_question_is_answered_with_a_cited_sentence(assistant, knowledge_dir):
    answer = assistant.ask("who led the repair")
    assert not answer.abstained
    assert "Tomas Ruiz" in answer.answer
    assert answer.citations and answer.citations[0].outlet == "Daily Ledger"
    assert answer.citations[0].url == "https://ledger.example/riverside-bridge"
    source = (knowledge_dir / "ledger-bridge.md").read_text()
    assert answer.citations[0].text in source  # cites words the article really has


def test_the_cost_in_a_clause_is_found(assistant):
    # (refused for a while at 0.26 against a threshold of 0.27: the cost sits in a clause of a long sentence)
    answer = assistant.ask("how much did the repair cost?")
    assert not answer.abstained and "48 million" in answer.answer


def test_disagreeing_outlets_are_both_shown(assistant):
    answer = assistant.ask("when did the bridge reopen")
    assert "disagrees" in answer.answer
    assert "March 3" in answer.answer and "March 4" in answer.answer
    assert {c.outlet for c in answer.citations} == {"Daily Ledger", "Metro Times"}


def test_unrelated_question_abstains_and_cites_nothing(assistant):
    answer = assistant.ask("who is the president of france")
    assert answer.abstained and answer.citations == ()
    assert "couldn't find" in answer.answer
    assert "Riverside Bridge" in answer.answer  # says what the coverage is about


# Known traps the fitted model still answers (README, Limitations): strict, so a fix shows up here.
_STILL_ANSWERED = pytest.mark.xfail(strict=True, reason="a near-scope trap the fitted model answers")


@pytest.mark.parametrize("question", [
    # answered (hedged, "closest matches") since chat questions were fitted on: 0.45 against 0.35
    pytest.param("what did the governor say about the bridge", marks=_STILL_ANSWERED),
    "who is the president of the harbor authority board",
    "how many lanes does the new tunnel have",  # answered until off-topic questions were fitted on
    pytest.param("did the bridge close again", marks=_STILL_ANSWERED)])
def test_near_scope_traps_abstain(assistant, question):
    assert assistant.ask(question).abstained


def test_no_article_is_cited_twice_and_weak_bullets_claim_nothing(assistant):
    for question in ["when did the bridge reopen", "how much did the repair cost", "what happened to the ferry",
                     "when did cars go back over the river crossing"]:
        answer = assistant.ask(question)
        urls = [c.url for c in answer.citations]
        assert len(urls) == len(set(urls)), question
        if "agree:" in answer.answer or "disagrees" in answer.answer:
            assert len(answer.citations) >= 2
    # a ferry's last trip (Sunday) and the bridge reopening (Saturday) are not a disagreement
    assert "disagrees" not in assistant.ask("when did cars go back over the river crossing").answer


def test_question_kinds_pick_the_right_fact(assistant):
    assert "80 years" in assistant.ask("how long will the new cables last").answer
    assert "52" in assistant.ask("how old is tomas ruiz").answer
    assert "$48 million" in assistant.ask("how much did the repair cost").answer


def test_paraphrase_and_typo_still_match(assistant):
    assert "Moreno" in assistant.ask("who was running the ferry").answer
    assert "Moreno" in assistant.ask("who ran the fery").answer  # a typo


def test_quote_question_shows_the_quotation_with_its_speaker(assistant):
    answer = assistant.ask("what did the mayor say")
    assert "This bridge carries our city" in answer.answer


@pytest.mark.parametrize("question, quoted", [("what did ruiz say", "We rebuilt it for our grandchildren"),
                                              ("What did Whitfield say?", "This bridge carries our city")])
def test_a_question_for_someones_words_gets_their_quotation(assistant, question, quoted):
    answer = assistant.ask(question)
    assert quoted in answer.answer and not answer.abstained


@pytest.mark.parametrize("question, held", [
    ("what did ruiz say about his grandchildren", "grandchildren"),  # in the quotation's own sentence
    ("what did the captain say", "Captain Lee Moreno"),  # speech reported, not quoted
    ("what did ruiz say about the cables", "Ruiz said the new cables"),  # reported too
    ("what did whitfield say about the grandchildren", None),  # somebody else's words
    ("what did the governor say", None), ("what did ruiz say about the ferry", None),
    ("what did whitfield tell reporters about the cables", None)])
def test_words_answer_by_the_form_only_when_they_are_whose_and_about_what_was_asked(assistant, question, held):
    from bot.core.candidates import find_candidates
    from bot.core.expectations import answers_by_form
    from bot.core.questions import parse_question, semantic_text

    corpus = assistant.corpus
    parsed = corpus.expand(parse_question(question))
    found = find_candidates(parsed, corpus, assistant.encode([semantic_text(question, parsed)])[0])
    marked = [corpus.sentences.text(s) for s in found.ids[answers_by_form(parsed, corpus, found.ids)].tolist()]
    assert bool(marked) == bool(held)
    assert any(held in text for text in marked) or not held


@pytest.mark.parametrize("question, said", [
    ("who is dana whitfield", "Mayor Dana Whitfield"),  # "who is" a name asks what they are, not another name
    ("what did the city say about the cost", "$48 million")])  # reported speech states what was said too
def test_questions_whose_answer_is_no_new_name_or_no_quotation(assistant, question, said):
    answer = assistant.ask(question)
    assert not answer.abstained and said in answer.answer


def test_who_is_a_name_of_the_coverage_asks_for_a_description(assistant):
    from bot.core.questions import parse_question

    corpus = assistant.corpus
    assert corpus.expand(parse_question("Who is Dana Whitfield?")).kind == "what"
    assert corpus.expand(parse_question("who is the mayor")).kind == "who"  # (wants her name)
    assert corpus.expand(parse_question("who was dana whitfield talking to")).kind == "who"


def test_an_open_question_is_answered_by_a_sentence_holding_every_word(assistant):
    assert not assistant.ask("what about the reopening").abstained
    assert assistant.ask("what about the tunnel").abstained  # (no sentence has it)


def test_answers_stay_short(assistant):
    for question in ["when did the bridge reopen", "who led the repair", "what happened to the ferry"]:
        answer = assistant.ask(question)
        assert len(answer.answer) <= MAX_ANSWER_CHARS
        assert len(answer.citations) <= MAX_SOURCES


@pytest.mark.parametrize("question, fragment", [
    ("", "Ask me a question"),
    ("   ", "Ask me a question"),
    ("x" * 5000, "characters long"),
    ("??? !!!", "a few words"),
    ("@everyone <!channel> who led the repair", "Tomas Ruiz"),
])
def test_bad_input_gets_a_clear_answer(assistant, question, fragment):
    answer = assistant.ask(question)
    assert fragment in answer.answer


def test_clip_keeps_the_words_that_matter():
    text = " ".join(["filler"] * 50 + ["needle"] + ["filler"] * 50)
    clipped = clip(text, {"needl"}, 60)
    assert "needle" in clipped and len(clipped) <= 60 and clipped.startswith("…")


def test_clip_shortens_a_word_longer_than_the_limit_rather_than_dropping_it():
    url = "https://example.com/" + "a" * 700
    clipped = clip(url, set(), 100)
    assert clipped.startswith("https://example.com/") and clipped.endswith("…") and len(clipped) <= 100


def test_sources_lists_every_article(assistant):
    sources = assistant.sources()
    assert [s.outlet for s in sources] == ["Coastal Post", "Daily Ledger", "Metro Times"]
    assert "https://metro.example/drivers-return" in assistant.sources_text()


def test_shipped_knowledge_smoke(shipped_assistant):
    answer = shipped_assistant.ask("who directed the video")
    assert not answer.abstained and re.search(r"directed by[\w ]* Alev", answer.answer)
    # the bullets name different people besides Halsey: they do not "agree" on who directed it
    assert "agree" not in answer.answer.splitlines()[0]
    assert answer.citations[0].url.startswith("https://")
    world_cup = shipped_assistant.ask("who won the 1998 world cup")
    assert world_cup.abstained and world_cup.citations == ()


def test_release_dates_in_shipped_coverage(shipped_assistant):
    answer = shipped_assistant.ask("when was the so good video released")
    assert "June 10" in answer.answer and len({c.outlet for c in answer.citations}) >= 2


@pytest.mark.xfail(strict=True, reason="the song's June 9 release sits in a relative clause the model ranks low")
def test_release_date_disagreement_in_shipped_coverage(shipped_assistant):
    answer = shipped_assistant.ask("when did so good come out")
    assert "June 9" in answer.answer and "June 10" in answer.answer
    assert len({c.outlet for c in answer.citations}) >= 2  # who sides with which date


TUNNEL = """---
title: Harbor Tunnel Reopens
outlet: Port Daily
url: https://port.example/tunnel
published: 2023-05-03
---

The Harbor Tunnel reopened to traffic on May 2 after a repair that took eleven weeks. Engineer Sofia Brandt led the Harbor Tunnel repair.

Officials at the Harbor Tunnel said drivers saved ten minutes a trip.
"""


def test_another_story_is_not_cited_as_agreeing_or_disagreeing(knowledge_dir):
    from bot.core.assistant import Assistant
    (knowledge_dir / "tunnel.md").write_text(TUNNEL)
    assistant = Assistant.from_directory(knowledge_dir)
    answer = assistant.ask("when did the riverside bridge reopen")
    assert {c.outlet for c in answer.citations} <= {"Daily Ledger", "Metro Times"}
    assert "May 2" not in answer.answer
    tunnel = assistant.ask("who led the harbor tunnel repair")
    assert "Sofia Brandt" in tunnel.answer and tunnel.citations[0].outlet == "Port Daily"


def test_values_in_different_units_are_not_a_disagreement(knowledge_dir):
    from bot.core.assistant import Assistant
    (knowledge_dir / "tunnel.md").write_text(TUNNEL)
    answer = Assistant.from_directory(knowledge_dir).ask("how long did the harbor tunnel repair take")
    assert "eleven weeks" in answer.answer and "disagrees" not in answer.answer


def test_dates_and_ages_are_not_amounts():
    from bot.core.facts import find_facts
    facts = find_facts("Halsey, 27, dropped the song on Friday, June 10 with her 11-month-old son, 500,000 views.")
    assert facts.amounts == ("500000",)
    assert "27 year" in facts.ages and "june 10" in facts.dates


@pytest.mark.parametrize("text, dates", [
    ("The old bridge opened in 1066 and burned down.", {"1066"}),  # a year before 1800 needs its "in"
    ("It was rebuilt from 1870 to 1939, then again in 1677–1683.", {"1870", "1939", "1677", "1683"}),
    ("A ferry ran there in the 11th century and in the 1970s.", {"11th century", "1970s"}),
    ("The first ford was used in AD 14 and a camp stood there in 44 BC.", {"ad 14", "44 bc"}),
    ("The crew grew to 300 workers in 300 days.", set()),  # counts, not years
    ("The valley formed 66–34 Mya, and ice covered it 2.5 million years ago.", {"34 mya", "2.5 million years ago"}),
])
def test_older_years_centuries_and_decades_are_dates(text, dates):
    from bot.core.facts import find_facts
    assert set(find_facts(text).dates) == dates


@pytest.mark.parametrize("text, dates", [
    ("Work on the new span began in October.", {"october"}),
    ("The ferry will run until mid-March, and tolls end in Sept. too.", {"march", "september"}),
    ("It reopened on October 12, 1990, and again in May 2021.", {"october 12", "1990", "2021"}),
    ("Crews may finish soon, and the mayor said in April that they might.", {"april"}),  # "may" the verb is none
])
def test_a_month_alone_after_a_word_of_time_is_a_date(text, dates):
    from bot.core.facts import find_facts
    assert set(find_facts(text).dates) == dates


@pytest.mark.parametrize("text, dates, amounts", [
    ("A helicopter took off at 7:20 a.m. and lifted four hikers.", {"7:20 am"}, {"four"}),
    ("The snow began falling at about 1 p.m. on October 12.", {"1:00 pm", "october 12"}, set()),
    ("The crews met at 14:30, then again by noon the next day.", {"14:30", "noon"}, set()),
    ("They won 3:2 at home and I am 5 miles away.", set(), {"3", "2", "5"}),  # a score and "am" the verb
])
def test_a_time_of_day_is_a_date_and_no_amount(text, dates, amounts):
    from bot.core.facts import find_facts
    facts = find_facts(text)
    assert set(facts.dates) == dates and set(facts.amounts) == amounts


def test_times_of_day_compare_when_outlets_give_no_day():
    from bot.core.expectations import relation
    assert relation("when", ("4:40 pm",), ("4:30 pm",)) == "differ"
    assert relation("when", ("4:40 pm", "2025"), ("4:40 pm",)) == "agree"
    assert relation("when", ("october 12", "4:40 pm"), ("october 12", "5:00 pm")) == "agree"  # the day decides


def test_a_name_runs_on_past_an_abbreviation_or_an_initial():
    from bot.core.facts import find_names, name_words_of, original_case
    text = "Patients went to St. Brigid's Hospital, said Dr. Priya Natarajan, as John F. Kennedy Jr. had."
    names = find_names(text, name_words_of([text]))
    assert names[:2] == ["st brigid hospital", "priya natarajan"] and "john f kennedy jr" in names
    assert original_case(text, "st brigid hospital") == "St. Brigid's Hospital"


def test_a_number_a_date_word_leads_is_still_an_amount():
    from bot.core.facts import find_facts
    assert {"120", "150"} <= set(find_facts("Tolls rose from 120 to 150 a month.").amounts)


def test_lengths_answer_how_long_and_fractions_and_twice_are_amounts():
    from bot.core.facts import find_facts
    facts = find_facts("The span is 1,230 km long, with an 86-mile stretch, closed twice, and a third of it paid $5m.")
    assert {"1230 km", "86 mi"} <= set(facts.durations) and "5 m" not in facts.durations
    assert {"twice", "third"} <= set(facts.amounts)
    assert "2.5 million year" in find_facts("The ice age lasted 2.5 million years.").durations
    assert find_facts("It fell nine metres; nine in ten survived.").durations == ("nine m",)
    # "how long has the crest been used": "since at least the mid-14th century" says how long, as "since 2018" does
    crest = find_facts("The crest has been in use since at least the mid-14th century.")
    assert crest.durations == ("since 14th century",)
    assert find_facts("The ferry has run since the 1970s.").durations == ("since 1970s",)


@pytest.mark.parametrize("question, kind", [
    ("When the ferry stopped, what did commuters take?", "what"), ("When the bridge closed, it cost what?", "what"),
    ("when did it reopen, and who paid", "when")])
def test_a_clause_before_the_question_does_not_decide_its_kind(question, kind):
    from bot.core.questions import question_kind
    assert question_kind(question) == kind


def test_a_title_of_common_words_can_be_asked_about(knowledge_dir):
    from bot.core.assistant import Assistant
    from bot.core.text import titles
    assert titles("the film “Up in Arms,” and ‘So It Goes’ in a headline") == ['"upinarms', '"soitgoes']
    assert titles("she said “we are so good” and “Thanks.”") == []  # a quotation, not a title
    (knowledge_dir / "band.md").write_text(
        "---\ntitle: Harbor news\noutlet: Daily Ledger\nurl: https://example.org/a\npublished: 2024-01-02\n---\n\n"
        "The ferry crew's band played at the reopening. Their song “Without Me” is about a deckhand leaving the "
        "harbor town behind.\n")
    answer = Assistant.from_directory(knowledge_dir).ask("what is without me about?")
    assert not answer.abstained and "Without Me" in answer.answer
    from bot.core.candidates import find_candidates
    from bot.core.expectations import Expectation
    from bot.core.features import FEATURES, features
    from bot.core.questions import parse_question
    corpus = Assistant.from_directory(knowledge_dir).corpus
    question = corpus.expand(parse_question("what is without me about?"))
    x, _ = features(question, Expectation.of(question, corpus), corpus, find_candidates(question, corpus, None))
    assert not x[:, FEATURES.index("negation_missing")].any()  # the title's "without" negates nothing


def test_a_name_part_stands_for_its_usual_partner_only(tmp_path):
    from bot.core.assistant import Assistant
    body = " ".join(f"Then {name} spoke." for name in ["Mara Okoye", "Dana Chen", "Leo Chen", "Ivy Chen"] * 2)
    (tmp_path / "a.md").write_text("---\ntitle: Town news\noutlet: Daily Ledger\nurl: https://example.org/a\n"
                                   f"published: 2024-01-02\n---\n\n{body}\n")
    aliases = Assistant.from_directory(tmp_path).corpus.aliases
    assert aliases["mara"] == {"okoy"} and aliases["okoy"] == {"mara"}
    assert aliases["dana"] == {"chen"}
    assert "chen" not in aliases  # three people share it: "Chen" is none of them in particular


@pytest.mark.parametrize("a, b, expected", [
    (("2 year",), ("11 month", "27 year"), "differ"),  # "Ender is 2" against "11-month-old son, Ender"
    (("1 year",), ("12 month",), "agree"), (("two year",), ("24 month",), "agree"), (("2 day",), ("48 hour",), "agree"),
    (("5 minute",), ("3 minute", "49 second"), "differ"),
    (("2 day",), ("4 million",), ""),  # not the same measure: cannot tell
])
def test_ages_and_durations_compare_across_units(a, b, expected):
    from bot.core.expectations import relation

    assert relation("how_long", a, b) == expected


def test_an_age_in_minutes_is_no_age():
    from bot.core.expectations import relation

    assert relation("how_old", ("5 minute",), ("27 year",)) == ""
    assert relation("how_old", ("2 year",), ("11 month",)) == "differ"


def test_names_agree_only_when_one_outlets_names_are_among_the_others():
    from bot.core.expectations import relation
    assert relation("who", ("Alev",), ("Alev Aydin",)) == "agree"
    assert relation("who", ("Halsey", "Charlie Oldman"), ("Halsey", "Alev Aydin")) == ""


def test_bullets_for_a_word_the_coverage_never_uses_are_only_closest_matches(assistant):
    from bot.core.answers import _header
    from bot.core.scoring import Candidate

    corpus = assistant.corpus
    first_of_each = [corpus.sentences.span_of(i)[0] for i in range(2)]  # a sentence of two articles
    chosen = [Candidate(sentence=s, score=0.9, bm25=1.0) for s in first_of_each]
    assert _header("yesno", chosen, corpus).endswith("report:")  # both likely answer
    assert _header("yesno", chosen, corpus, paraphrased=True) == "The closest matches in the coverage:"


@pytest.mark.parametrize("question, word, found", [
    ("who was on the boat", "boat", {"boat"}),  # a word of the coverage
    ("who ran the fery", "fery", {"ferri"}),  # a typo: finds the coverage's word
    ("who was in the crow", "crow", set()),  # a word of English, not a typo of "crew"
    ("who was in the cast", "cast", set()),  # nor "cast" of "cost"
    ("who announced the pregnant mayor", "pregnant", {"pregnanc"}),  # a word derived from the coverage's
    ("what happened in 2032", "2032", set()),  # a number is no typo of another ("2023")
    ("what did the crew say on insta", "insta", {"instagram"}),  # a clipped word: the start of the coverage's
])
def test_typos_are_matched_and_words_of_english_are_not_taken_for_one(tmp_path, question, word, found):
    from bot.core.assistant import Assistant
    from bot.core.questions import parse_question

    (tmp_path / "a.md").write_text("---\ntitle: Ferry Ends\noutlet: Coastal News\nurl: https://coastal.example/a\n"
                                   "published: 2023-05-01\n---\n\nThe ferry crew announced the pregnancy in 2023. "
                                   "The boat sold for more than its care cost the mayor, the crew wrote on Instagram.\n",
                                   encoding="utf-8")
    corpus = Assistant.from_directory(tmp_path, semantic=False).corpus
    concept = next(c for c in corpus.expand(parse_question(question)).concepts if c.word == word)
    assert {term for term in concept.alternatives if term in corpus.index} == found


def test_a_lone_sentence_that_may_not_answer_is_shown_as_the_closest_match(assistant):
    from bot.core.answers import CLOSEST_ONE, compose_answer
    from bot.core.questions import parse_question
    from bot.core.scoring import Candidate

    corpus = assistant.corpus
    question = parse_question("who cut the ribbon")
    ribbon = next(s.id for s in corpus.sentences if "cut the ribbon" in s.text)

    def shown(score: float) -> str:
        ranked = [Candidate(sentence=ribbon, score=score, bm25=1.0)]
        return compose_answer(question, ranked, corpus, answer_from=0.2, sentence_from=0.95).answer

    assert shown(0.9).startswith("Mayor Dana Whitfield cut the ribbon")  # likely answers: said plainly
    assert shown(0.3).startswith(f"{CLOSEST_ONE} Mayor Dana Whitfield cut the ribbon")  # may not: hedged


def _corpus_of(*paragraphs: str):
    from bot.core.articles import Article
    from bot.core.corpus import Corpus
    return Corpus.build([Article(name=f"{n}.md", title="T", outlet=f"O{n}", url="", published="", author="", via="",
                                 paragraphs=(text,)) for n, text in enumerate(paragraphs)])


def test_an_initialism_finds_the_name_it_abbreviates():
    from bot.core.questions import parse_question
    corpus = _corpus_of("The Riverside Transit Authority will sell the ferry. County Emergency Medical Services "
                        "Chief Ana Diaz said crews were ready.", "A spokesperson for the Riverside Transit Authority "
                        "declined to comment. The Department of Health approved it.")
    for asked, spelled in (("rta", "riverside transit authority"), ("ems", "emergency medical services"),
                           ("doh", "department of health")):
        concept = next(c for c in corpus.expand(parse_question(f"what did the {asked} say")).concepts if c.word == asked)
        assert concept.corrected == spelled and {"transit", "medic", "health"} & set(concept.alternatives)
    # a title's abbreviation English writes out ("ceo") is asked as its words when the coverage never uses it
    ceo = corpus.expand(parse_question("who is the ceo")).concepts[0]
    assert ceo.corrected == "chief executive" and {"chief", "execut"} <= set(ceo.alternatives)
    # initials two names share as often stand for neither; a word the coverage uses is not expanded
    corpus = _corpus_of("The Harbor Ferry Authority met the Highland Farm Association on Monday.")
    concept = corpus.expand(parse_question("what did the hfa say")).concepts[0]
    assert concept.word == "hfa" and not concept.corrected


def test_how_far_asks_a_length_not_a_time():
    from bot.core.expectations import Expectation, values_of
    from bot.core.questions import parse_question
    corpus = _corpus_of("The new hospital is 38 miles away, a drive of about 45 minutes.")
    far = Expectation.of(parse_question("how far away is the hospital"), corpus)
    long = Expectation.of(parse_question("how long is the drive to the hospital"), corpus)
    assert values_of(far, corpus, 0) == ("38 mi",)
    assert set(values_of(long, corpus, 0)) == {"38 mi", "45 minute"}


def test_a_fact_the_question_already_names_is_no_answer():
    from bot.core.expectations import Expectation, values_of
    from bot.core.questions import parse_question
    corpus = _corpus_of("A second public meeting will be held in December. The first was on November 17.")
    expect = Expectation.of(parse_question("what date is the second meeting in december"), corpus)
    assert values_of(expect, corpus, 0) == () and values_of(expect, corpus, 1) == ("november 17",)


def test_an_age_said_under_the_surname_answers_the_first_name(tmp_path):
    # "how old is Mara" asks the age the article gives as "Okafor, 41": the same person, by alias
    (tmp_path / "lab.md").write_text("---\ntitle: Lab Opens\noutlet: Valley News\nurl: https://valley.example/lab\n"
                                     "published: ''\n---\n\nThe new lab is led by chemist Mara Okafor.\n\n"
                                     "Okafor, 41, and her assistant Ben Hale, 29, moved from Leeds in May.\n\n"
                                     "Mara Okafor said the lab will hire ten people.\n",
                                     encoding="utf-8")
    answer = Assistant.from_directory(tmp_path).ask("how old is mara").answer
    assert "41" in answer
