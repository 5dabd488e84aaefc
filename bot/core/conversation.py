"""Follow-up questions: what carries over from the turns before, and what does not.

A follow-up is rewritten into the question it stands for, then answered like any other, so context
can only ever choose *which* question is asked; whether the coverage answers it is still decided by
the fitted model. The rules are everyday English:
- a pronoun ("how old is he", "when did it come out") stands for the last person named (in the
  last question, or in the answer to a "who" question) or the last thing asked about;
- a fragment ("and her partner?", "what about the song?") keeps the last question's form and
  swaps its subject;
- a question with a subject of its own ("and who is Ender?") is answered on its own.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass

from bot.core.answers import Answer
from bot.core.corpus import Corpus
from bot.core.facts import find_names
from bot.core.text import is_stopword

MAX_TURNS = 4  # a conversation remembers this many questions: enough for "and …?" chains, bounded

_OPENER = re.compile(r"^(?:(?:and|also|but|so|ok|okay|then|well)\b[\s,]*)*(?:(?:what|how) about\b\s*)?", re.I)
_QUESTION_FORM = re.compile(r"^(who|whom|whose|what|whats|when|whens|where|why|how|which|is|are|was|were|did|does|"
                            r"do|has|have|had|can|could|will|would|should|tell me)\b", re.I)
_PERSON = {"he", "him", "she"}
_POSSESSIVE = {"his", "hers", "their"}
_THING = {"it", "its"}
_DETERMINED = re.compile(r"\b(the|a|an|this|that|these|those|his|her|their|its|my|your|our)\b.*$")
_ABOUT = re.compile(r"\b(about|of|on|for|with)\s+(.+)$")  # "what did alev say about birthday": birthday
_DO_SUPPORT = {"did", "does", "do", "will", "would", "can", "could", "should", "might", "may"}
_BE = {"is", "was", "are", "were", "been", "be"}
_PARTICLES = {"out", "up", "off", "on", "in", "back", "down", "over", "away"}
_PARTICIPLE = re.compile(r"(ed|en|wn)$", re.I)
_TOKEN = re.compile(r"[\w'’-]+|[^\w\s]")


@dataclass(frozen=True)
class Turn:
    question: str  # as understood (the follow-up rewritten)
    names: tuple[str, ...]  # names in the question, lowercase
    people: tuple[str, ...]  # those of them that are people's
    answer_names: tuple[str, ...]  # for a "who" question: the people its answer named


class Conversation:
    """The last few turns of one conversation (a thread, a DM, a terminal session)."""

    def __init__(self) -> None:
        self.turns: deque[Turn] = deque(maxlen=MAX_TURNS)
        self.understood = ""  # the last message as understood, for showing it (ask --conversation)

    def understand(self, question: str, corpus: Corpus) -> str:
        """The question this message asks, in the context of the turns before."""
        self.understood = self._understand(question, corpus)
        return self.understood

    def _understand(self, question: str, corpus: Corpus) -> str:
        if not self.turns:
            return question
        text = " ".join(question.split()).rstrip()
        opener = _OPENER.match(text)
        body = text[opener.end():] if opener else text
        opened = bool(opener and opener.end())
        if not body:
            return question
        tokens = [t.lower() for t in _TOKEN.findall(body)]
        names = _names(body, corpus)
        pronouns = {t for t in tokens if t in _PERSON | _POSSESSIVE | _THING | {"her", "they", "them"}}
        last = self.turns[-1]
        if _QUESTION_FORM.match(body):
            if pronouns and not names:
                return self._resolve_pronouns(body, corpus)
            if opened and not names and len(_content(tokens)) <= 1:
                return f"{body.rstrip('?')} {_topic(last.question)}".strip()
            return question
        if not opened and len(_content(tokens)) > 3:
            return question  # a statement of its own, not a fragment
        fragment = self._resolve_pronouns(body.rstrip("?"), corpus)
        # swap like for like: a person for a person ("and Alev?"), a title for a title
        people_here = _people(fragment, corpus) or (pronouns & (_PERSON | _POSSESSIVE | {"her"}) and
                                                    self._last_person())
        swapped = last.people if people_here else tuple(n for n in last.names if n not in last.people)
        if swapped:
            return _replace_names(last.question, swapped, fragment)
        return f"{_form(last.question)} {fragment}".strip()

    def remember(self, understood: str, answer: Answer, kind: str, corpus: Corpus) -> None:
        answer_names: tuple[str, ...] = ()
        if kind == "who" and not answer.abstained and answer.citations and not _people(understood, corpus):
            asked = set(_names(understood, corpus))
            answer_names = tuple(n for n in _people(answer.citations[0].text, corpus) if n not in asked)
        self.turns.append(Turn(question=understood, names=_names(understood, corpus),
                               people=_people(understood, corpus), answer_names=answer_names))

    # ---- pronouns ------------------------------------------------------------------------------------
    def _last_person(self) -> str | None:
        for turn in reversed(self.turns):
            for name in turn.answer_names + turn.people:
                return name
        return None

    def _resolve_pronouns(self, text: str, corpus: Corpus) -> str:
        person, thing = self._last_person(), _topic(self.turns[-1].question)
        out: list[str] = []
        tokens = _TOKEN.findall(text)
        for i, token in enumerate(tokens):
            word = token.lower()
            following = tokens[i + 1].lower() if i + 1 < len(tokens) else ""
            possessive = word in _POSSESSIVE or (word == "her" and following and following.isalpha()
                                                 and not is_stopword(following))
            if person and possessive:
                out.append(f"{person}'s")
            elif person and word in _PERSON | {"her"}:
                out.append(person)
            elif thing and word in _THING:
                out.append(thing + ("'s" if word == "its" else ""))
            else:
                out.append(token)
        return _rejoin(out)


def _names(text: str, corpus: Corpus) -> tuple[str, ...]:
    """Names the coverage knows that the text mentions, lowercase, in order; capitals not needed."""
    known = corpus.proper_names
    found = [n for n in find_names(text, corpus.name_words) if any(w in known for w in n.split())]
    words = [w.strip("?.!,'’").lower() for w in text.split()]
    run: list[str] = []
    for word in words + [""]:
        if word in known:
            run.append(word)
        elif run:
            found.append(" ".join(run))
            run = []
    return tuple(dict.fromkeys(found))


def _people(text: str, corpus: Corpus) -> tuple[str, ...]:
    people = corpus.person_words()
    return tuple(n for n in _names(text, corpus) if any(w in people for w in n.split()))


def _content(tokens: list[str]) -> list[str]:
    return [t for t in tokens if t.isalnum() and not is_stopword(t)]


def _topic(question: str) -> str:
    """What the question is about: its last determined phrase ("the so good video", "her pregnancy"),
    without the verb that English puts after the subject in "did the repair cost", "was the video
    released"; else what follows "about", "of" …; else its words after the question word and verb."""
    text = question.rstrip(" ?")
    determined = _DETERMINED.search(text)
    if not determined:
        about = _ABOUT.search(text)
        words = [w for w in (about.group(2) if about else text).split() if not is_stopword(w.lower())]
        return " ".join(words if about or len(words) == 1 else words[1:])
    phrase = determined.group(0).split()
    before = text[:determined.start()].split()
    auxiliary = before[-1].lower() if before else ""
    if auxiliary in _DO_SUPPORT and len(phrase) > 2:
        while len(phrase) > 2 and phrase[-1].lower() in _PARTICLES:
            phrase.pop()
        phrase.pop()  # "did the repair cost": the bare verb
    elif auxiliary in _BE and len(phrase) > 2 and _PARTICIPLE.search(phrase[-1]):
        phrase.pop()  # "was the video released": the participle
    return " ".join(phrase)


def _form(question: str) -> str:
    """The question's form: its words up to the first content word ("when was", "how old is")."""
    out = []
    for word in question.rstrip(" ?").split():
        if out and not is_stopword(word.lower()) and word.lower() not in {"old", "long", "many", "much"}:
            break
        out.append(word)
    return " ".join(out)


def _replace_names(question: str, names: tuple[str, ...], fragment: str) -> str:
    """question with its first name swapped for fragment (and any other name dropped)."""
    text = question.rstrip(" ?")
    for i, name in enumerate(names):
        pattern = re.compile(r"\b" + r"\s+".join(map(re.escape, name.split())) + r"('s|’s)?\b", re.I)
        text = pattern.sub(lambda m: fragment + (m.group(1) or "") if i == 0 else "", text, count=1)
    return " ".join(text.split())


def _rejoin(tokens: list[str]) -> str:
    """Tokens back into text: no space before punctuation."""
    text = ""
    for token in tokens:
        text += token if (not text or (not token[0].isalnum() and token not in "(“\"")) else " " + token
    return text
