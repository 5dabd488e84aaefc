from __future__ import annotations

import numpy as np

from bot.core.articles import Article
from bot.core.sentences import (Sentence, SentenceTable, is_page_pointer, quotation_spans, sentences_of,
                                  split_sentences)


def test_plain_sentences():
    assert split_sentences("One thing. Another thing! A third? Yes.") == [
        "One thing.", "Another thing!", "A third?", "Yes."]


def test_multi_sentence_quote_stays_with_its_speaker():
    text = "“I am here. I will stay. You can count on it,” she said. Then she left."
    assert split_sentences(text) == ["“I am here. I will stay. You can count on it,” she said.", "Then she left."]


def test_quote_ending_a_sentence_splits_after_the_closing_mark():
    text = "He wrote “this is done.” The team agreed."
    assert split_sentences(text) == ["He wrote “this is done.”", "The team agreed."]


def test_lyrics_with_slashes_and_ellipses():
    text = "She sings “I’m here/ Standin’ in the same dress/ I’m gone.” It worked…or not. Fans cheered."
    assert split_sentences(text) == ["She sings “I’m here/ Standin’ in the same dress/ I’m gone.”",
                                     "It worked…or not.", "Fans cheered."]


def test_parenthesis_initials_and_abbreviations_do_not_split():
    text = ("The song, released Thursday (June 9. Late.), was a hit. J. K. Rowling met Dr. Smith and Mr. Jones "
            "in the U.S. on Jan. 5. Then it rained — a lot.")
    assert split_sentences(text) == [
        "The song, released Thursday (June 9. Late.), was a hit.",
        "J. K. Rowling met Dr. Smith and Mr. Jones in the U.S. on Jan. 5.",
        "Then it rained — a lot."]


def test_unclosed_quote_does_not_swallow_the_paragraph():
    text = "“This never closes. " + "Another sentence here. " * 40
    assert len(split_sentences(text)) > 30


def test_mixed_curly_and_straight_quotes_pair_up():
    text = '“Alev and i first met," Halsey wrote. Later "she left" again.'
    spans = quotation_spans(text)
    assert [text[a:b] for a, b in spans] == ['“Alev and i first met,"', '"she left"']


def test_empty_text():
    assert split_sentences("   ") == []


def test_neighbours_stay_within_their_paragraph():
    # article 0: paragraphs of 2 and 1 sentences; article 1: one paragraph of 2
    places = [(0, 0, 0), (0, 0, 1), (0, 1, 0), (1, 0, 0), (1, 0, 1)]
    table = SentenceTable.from_sentences([Sentence(i, a, p, n, f"s{i}") for i, (a, p, n) in enumerate(places)])
    before, after = [None, 0, None, None, 3], [1, None, None, 4, None]
    assert [table.neighbour(i, -1) for i in range(5)] == before
    assert [table.neighbour(i, 1) for i in range(5)] == after
    ids = np.arange(5)
    assert table.neighbours(ids, -1).tolist() == [-1 if n is None else n for n in before]
    assert table.neighbours(ids, 1).tolist() == [-1 if n is None else n for n in after]


def test_pointers_to_embedded_media_are_not_sentences_of_the_coverage():
    for line in ("Watch the “So Good” video below.", "Watch it here!", "Check out the full post below:",
                 "Listen to the song here.", "See the full list of winners at the top of the page."):
        assert is_page_pointer(line), line
    for line in ("See you at the bridge.", "Watch out for the bridge, she said here.",
                 "Halsey watched the video below the bridge.", "Here is the video.",
                 "Watch the crowd below the stage as the mayor cuts the ribbon on the new crossing at last."):
        assert not is_page_pointer(line), line
    article = Article(name="a.md", title="T", outlet="O", url="", published="", author="", via="",
                      paragraphs=("The bridge reopened on May 2. Watch the ceremony below. Cars crossed at noon.",))
    sentences = sentences_of([article])
    assert [s.text for s in sentences] == ["The bridge reopened on May 2.", "Cars crossed at noon."]
    assert [s.position for s in sentences] == [0, 1]  # still neighbours: nothing stood between them
