from __future__ import annotations

import pytest

from bot.core.questions import parse_question, question_kind, without_chat_noise
from bot.core.text import stem, tokenize


@pytest.mark.parametrize("question, kind", [
    ("who directed the video", "who"), ("whos the director", "who"), ("whens his bday", "when"),
    ("how old is she rn", "how_old"), ("how many months old is he", "how_old"), ("how long ago did it start", "when"), ("how long is the clip", "how_long"),
    ("whats the runtime", "how_long"), ("how many views", "how_many"), ("what label is she on", "which"),
    ("what did the mayor say about it", "quote"), ("is it out yet", "yesno"), ("what happened", "what"),
    ("which record company built it", "which"), ("what is company policy", "what"),
    ("What did the repair cost?", "how_many"), ("what was the total cost of the repair", "how_many"),
    ("what is the price of a ticket", "how_many"), ("what did the delay cost her", "what"),
    ("how far is the hospital from town", "how_long"), ("how tall is the tower", "how_long"),
    ("whats the tram fare", "how_many"), ("what is the fare of the ferry", "how_many"),
    ("what is the fare policy about", "what"), ("whats the normal ferry fare", "how_many"),
    ("how high up were the hikers", "how_long"), ("how deep is the lake", "how_long"),
    ("during which years did the mill run", "when"), ("what months is the ferry closed", "when"),
    ("what did the union do to gain market share", "what"), ("what has the label shared", "quote"),
    ("whats the release date", "when"), ("what is the exact date of the trial", "when"),
    ("what is the day rate", "what"),
])
def test_question_kinds(question, kind):
    assert question_kind(question) == kind


def test_disjunctions_and_novelty():
    either = parse_question("is their baby a boy or a girl")
    assert len(either.concepts) == 2 and {"boy", "girl"} <= set(either.concepts[1].alternatives)
    assert any(c.novelty for c in parse_question("is she pregnant again").concepts)


@pytest.mark.parametrize("question, novel", [
    ("did he direct her other videos", True), ("is there another bridge", True),
    ("what other city has a ferry", False), ("what is another name for the span", False),
    ("which is the other lane", False), ("what is the name of the other ferry", False),
    ("other than the ferry, how do people cross", False),
    ("why do the cables rub against each other", False)])
def test_other_asks_about_others_except_in_the_wh_phrase_where_it_asks_which(question, novel):
    concepts = parse_question(question).concepts
    assert any(c.novelty for c in concepts) is novel
    assert novel or not {"other", "another"} & {c.word for c in concepts}


@pytest.mark.parametrize("question", ["what record label signed her", "which exactly label is she on",
                                      "what label is she on"])
def test_a_which_question_knows_the_noun_it_asks_for(question):
    assert parse_question(question).subject == "label"


@pytest.mark.parametrize("question", ["what is the name of the ferry operator", "whats her boyfriends name",
                                      "what was the bridge's old name", "what name did they give it"])
def test_asking_for_a_name_in_any_word_order_asks_which(question):
    parsed = parse_question(question)
    assert (parsed.kind, parsed.subject) == ("which", "name")


def test_asking_what_something_is_called_asks_which():
    assert parse_question("what is the new ferry called?").kind == "which"
    assert parse_question("what did they call it").kind == "what"  # ("what did they call for" asks what)


def test_an_occurrence_before_or_after_is_asked_in_any_of_the_words_english_has_for_it():
    previous = parse_question("how long did the previous strike last").concepts[0]
    assert previous.novelty and {"last", "earlier", "prior"} <= set(previous.alternatives)
    assert {"upcom"} <= set(parse_question("when is the next album out").concepts[0].alternatives)


def test_or_joins_only_a_new_word_to_the_one_before():
    q = parse_question("was it ruiz or ruiz's firm that replaced the cables")
    assert [set(c.alternatives) for c in q.concepts][:2] == [{"ruiz"}, {"firm"}]


def test_no_paraphrase_list_stands_in_for_the_semantic_stage():
    # a question's terms are its own words; paraphrases are the sentence embeddings' job
    q = parse_question("did the song blow up before it came out")
    assert [set(c.alternatives) for c in q.concepts] == [{"song"}, {"blow+up"}, {"befor"}, {"come+out"}]
    assert all(set(c.alternatives) == {stem(c.word) + (f"+{c.particle}" if c.particle else "")} for c in q.concepts)


def test_a_phrasal_verb_is_matched_with_its_particle_and_not_alone():
    # "come out" (be released) is another word than "come" ("came to public attention")
    assert [c.word for c in parse_question("when did it come out").concepts] == ["come"]
    assert set(tokenize("The song came out on Friday and came to public attention.")) >= {"come+out", "come"}
    assert "come+out" not in tokenize("It came to public attention; out of nowhere")
    assert "influenc+over" not in tokenize("influence over the court")  # "over" is as often a preposition


@pytest.mark.parametrize("noisy, clean", [
    ("<@U024BE7LH> how old is she", "how old is she"),
    ("<@!80351110224678912> wut label is she on lol", "what label is she on lol"),
    ("@everyone when did it come out?? :fire: 🔥🔥", "when did it come out??"),
    ("how old r u", "how old are you"), ("how many ppl lost money last yr", "how many people lost money last year"),
    ("is the U.S. tour on? R&B fans ask", "is the U.S. tour on? R&B fans ask"),
    ("<#C123|general> <!here> who directed it", "who directed it"),
    ("**who produced the song**", "who produced the song"), ("_who produced the song_", "who produced the song"),
    ("`who produced the song`", "who produced the song"), ("||who produced the song||", "who produced the song"),
    ("~~who~~ produced the song", "who produced the song"), ("> who produced the song", "who produced the song"),
    ("who produced the song https://example.com/a_b?x=1", "who produced the song"),
    ("who produced <https://example.com|the song>", "who produced the song"),
    ("who produced the song <https://example.com>", "who produced the song"),
    ("what is snake_case", "what is snake_case"),
])
def test_chat_noise_never_changes_what_is_asked(noisy, clean):
    assert without_chat_noise(noisy) == clean
    assert parse_question(noisy).kind == parse_question(clean).kind
    assert [c.word for c in parse_question(noisy).concepts] == [c.word for c in parse_question(clean).concepts]
