from __future__ import annotations

import random

import pytest

from bot.core.articles import parse_article
from bot.core.quotes import extract_quotes, is_only_quotation
from bot.core.sentences import sentences_of


def _quotes(body: str):
    article = parse_article("q.md", f"---\ntitle: T\noutlet: O\nurl: https://o.example\n---\n\n{body}\n".encode())
    return extract_quotes([article], sentences_of([article]))


def test_speakers_in_common_news_patterns():
    quotes = _quotes(
        "Mayor Ann Lee spoke first. “We did it together, all of us,” Lee said. "
        "A spokesperson for the Port Authority said, “The boats will be sold soon.” "
        "“It was a long road for everyone,” said Ann Lee.\n\n"
        "Lee thanked the crew, tweeting, “You made this happen for us.” "
        "“And we will not forget it ever.”")
    speakers = {q.text: q.speaker for q in quotes}
    assert speakers["We did it together, all of us"] == "Lee"
    assert speakers["The boats will be sold soon."] == "A spokesperson for the Port Authority"
    assert speakers["It was a long road for everyone"] == "Ann Lee"
    assert speakers["You made this happen for us."] == "Lee"
    assert speakers["And we will not forget it ever."] == "Lee"  # continues the previous speaker


def test_pronoun_speaker_resolves_to_the_articles_main_person():
    quotes = _quotes("Today Ann Lee opened the bridge. Then Ann Lee waved. “This is a great day for us,” she said.")
    assert quotes[0].speaker == "Ann Lee"


def test_pronoun_speaker_is_the_person_named_just_before_not_the_most_named_place():
    # Elm Ridge is named most, but no one says it speaks; Vera Holm and Okafor are shown to be people.
    quotes = _quotes(
        "Crews reopened Elm Ridge on Monday. Elm Ridge had been shut for a week. Traffic on Elm Ridge was light.\n\n"
        "Vera Holm, 54, a bus driver, praised the crews. “They worked through the night for us,” she said.\n\n"
        "“The road is safe now,” said Dr. Sam Okafor, the county engineer. Elm Ridge will be checked again. "
        "Okafor inspected the bridge deck. “We found no cracks at all there,” he said.")
    speakers = {q.text: q.speaker for q in quotes}
    assert speakers["They worked through the night for us"] in {"Vera Holm", "Holm"}  # "Vera" only starts a sentence
    assert speakers["The road is safe now"] == "Dr. Sam Okafor"
    assert speakers["We found no cracks at all there"] == "Okafor"


def test_a_quotation_reported_of_the_main_person_without_a_speech_verb_is_theirs():
    quotes = _quotes("Ann Lee opened the bridge. Ann Lee thanked the crew. "
                     "Lee slamming the council for “wasting four whole years on this.” "
                     "The bridge carried “more traffic than ever before in its life” that week.")
    speakers = {q.text: q.speaker for q in quotes}
    assert speakers["wasting four whole years on this."] in {"Lee", "Ann Lee"}
    assert speakers["more traffic than ever before in its life"] is None  # nobody is said to speak


def test_titles_and_scare_quotes_are_not_quotes():
    assert _quotes("The song “So Good” is out. It felt like “a new dawn” to many.") == []


def test_quote_by_topic_and_random(assistant):
    found = assistant.quote("grandchildren")
    assert not found.abstained and found.speaker == "Ruiz" and "grandchildren" in found.quote
    assert found.citations[0].outlet == "Metro Times"
    assert assistant.quote("volcano eruption").abstained
    random_quote = assistant.quote("", rng=random.Random(1))
    assert random_quote.speaker and random_quote.quote in random_quote.answer


def test_shipped_spokesperson_quote(shipped_assistant):
    quote = shipped_assistant.quote("spokesperson statement")
    assert quote.speaker == "A spokesperson for the Capitol Music Group"
    assert quote.citations[0].outlet == "Get Heard"


@pytest.mark.parametrize("text, only", [
    ("“I love it.”", True),
    ('"Yes, we did."', True),
    ("(“Quoted words here.”)", True),
    ("— “So good,” ", True),
    ("“I love it,” she said.", False),  # a letter after the last quotation mark
    ('He said "it was fine"', False),  # a letter before the first
    ("“A” and “B”", False),  # a letter between quotations
    ("“Unclosed words", False),
    ("123", False),
])
def test_a_sentence_that_is_only_a_quotation_is_told_apart(text, only):
    assert is_only_quotation(text) is only


def test_a_quote_is_found_by_the_sentence_that_introduces_it(knowledge_dir):
    from bot.core.assistant import Assistant

    (knowledge_dir / "crew.md").write_text(
        "---\ntitle: Ferry Crew Says Goodbye\noutlet: Coastal Post\nurl: https://coastal.example/crew\n---\n\n"
        "In an interview with the Harbor Gazette, Captain Lee Moreno looked back on his years at the helm.\n\n"
        "“Over two years, the crew became a family to me,” he said.\n", encoding="utf-8")
    found = Assistant.from_directory(knowledge_dir).quote("harbor gazette interview")
    assert not found.abstained and "became a family" in found.quote
