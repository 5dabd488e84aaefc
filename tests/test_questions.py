from __future__ import annotations

import pytest

from bot.core.questions import parse_question, question_kind


@pytest.mark.parametrize("question, kind", [
    ("who directed the video", "who"), ("whos the director", "who"), ("whens his bday", "when"),
    ("how old is she rn", "how_old"), ("how many months old is he", "how_old"), ("how long ago did it start", "when"), ("how long is the clip", "how_long"),
    ("whats the runtime", "how_long"), ("how many views", "how_many"), ("what label is she on", "which"),
    ("what did the mayor say about it", "quote"), ("is it out yet", "yesno"), ("what happened", "what"),
    ("which record company built it", "which"), ("what is company policy", "what"),
])
def test_question_kinds(question, kind):
    assert question_kind(question) == kind


def test_phrases_synonyms_disjunctions_and_novelty():
    q = parse_question("did the song blow up before it came out")
    words = {c.word for c in q.concepts}
    assert {"viral", "released", "song", "before"} <= words
    either = parse_question("is their baby a boy or a girl")
    assert len(either.concepts) == 2 and {"son", "daughter"} <= set(either.concepts[1].alternatives)
    assert any(c.novelty for c in parse_question("is she pregnant again").concepts)
    who_wrote = parse_question("who wrote the song").concepts[0].alternatives
    assert "tell" not in who_wrote  # writing a song is not telling; saying may be reported as writing
    assert "write" in parse_question("what did she say").concepts[0].alternatives
