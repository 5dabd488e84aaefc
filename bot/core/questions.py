"""What a question asks for: its kind (who, when, how many, …) and the concepts it is about."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from bot.core.lexicon import CHAT_SPELLINGS, NOVELTY_WORDS, PARTICLES, SAME_ORDER, SAYING
from bot.core.text import is_stopword, normalize, phrasal_term, stem, without_reciprocals, words

# Chat filler that carries no topic ("so far", "right now"): removed before looking for concepts.
_FILLER = re.compile(r"\b(so far|right now|at the moment|these days|as of now|to date|by now|"
                     r"currently|exactly|basically|literally|honestly|anyway|now|today)\b")
# The words that make up the question form itself ("how long") are not topic words.
_KINDS = [
    ("how_old", re.compile(r"\bhow old\b|\bwhat age\b|\bage of\b|\bhow many (years|months|weeks|days) old\b")),
    ("when", re.compile(r"\bhow long ago\b|\bhow many (years|months|weeks|days) ago\b")),
    # ("how far", "how tall", "how wide", "how high" and "how deep" ask a length: "38 miles away"; "what is the
    # length of X" asks how long; "what is correlated to the length of X" asks what)
    ("how_long", re.compile(r"\bhow (?:long|far|tall|wide|high|deep)\b|\bfor how many (years|months|weeks|days)\b|"
                            r"^(?:what(?: is| was| are)? )?(?:the |its |their )?(?:total )?"
                            r"(runtime|run time|running time|length|duration)\b")),
    # ("what did the repair cost", "what is the price of X" and "what is the fare" ask how much; "what did it cost
    # him" may not)
    ("how_many", re.compile(r"\bhow (many|much)\b|\bwhat number\b|^what (?:did|does|do|will|would) (?:[\w’'-]+ ){1,5}"
                            r"cost\W*$|"
                            r"^what (?:is|was|are|were|will be) the (?:\w+ ){0,2}(?:cost|price|fare|fee|toll)s?"
                            r"(?: of\b|\W*$)")),
    ("when", re.compile(r"^when\b|\bwhen (did|does|do|is|was|will|are|were|has|had)\b|"
                        r"\bwhat (dates?|days?|years?|months?|times?|decades?|century|centuries)\b|"
                        r"\bwhich (dates?|days?|years?|months?|decades?|century|centuries)\b|"
                        # "what's the release date", "what is the exact date of the trial" ("what is the day rate" not)
                        r"^what (?:is|was|are|were|will be) the (?:[\w-]+ ){0,2}(?:dates?|days?|years?|months?)"
                        r"(?:\W*$| of\b| for\b| on\b)")),
    ("who", re.compile(r"\bwho\b|\bwhom\b|\bwhose\b")),
    ("where", re.compile(r"\bwhere\b")),
    # ("what did OPEC do to gain market share" asks what was done: the verb after its subject is "do")
    ("quote", re.compile(rf"\bwhat (did|does|do|has|have) (?:(?!do\b)\S+ )*({'|'.join(SAYING)})\b|\bquotes?\b|"
                         r"\bin (his|her|their) (own )?words\b")),
    # "which record company": one modifier may come before the noun (but not "what is company X")
    ("which", re.compile(r"\b(which|what) (?:(?!(?:is|was|are|were|did|does|do)\b)\w+ )?"
                         r"(?P<subject>company|label|app|platform|brand|site|website|network|song|album|outlet|"
                         r"magazine|publication|show|movie|film|band|group|team|city|country|studio|channel|"
                         r"service|product|device|name)\b")),
    # "what is the name of the firm", "what's the baby's name": a name is asked for, as in "what name"
    ("which", re.compile(r"^what(?:'s| is| was| are| were)? (?:the |their |his |her |its )?(?:[\w-]+(?:'s|s')? ){0,3}?"
                         r"(?P<subject>names?)\b")),
    # "what is the first bend in the river called": a name is asked for, of no particular kind
    ("which", re.compile(r"^what (?:is|was|are|were) (?P<subject>)\S.* called\W*$")),
    ("yesno", re.compile(r"^(is|are|was|were|did|does|do|has|have|had|can|could|will|would|should|isnt|"
                         r"arent|wasnt|didnt|doesnt|dont|hasnt|havent)\b")),
]
# Chat markup that never says what is asked: Slack and Discord mention, channel and broadcast tokens,
# bare @-broadcasts, emoji shortcodes, and pictographs (Unicode "Symbol, other").
_MARKUP = re.compile(r"<[@#!][^<>\s]*>|@(?:everyone|here|channel)\b|:[a-z0-9_+-]+:|<a?:\w+:\d+>", re.I)
# Links: Slack writes them <url|text> (the text is what was written) or <url>; pasted ones are bare.
_LINK = re.compile(r"<(?:https?|mailto):[^<>|\s]*(?:\|([^<>]*))?>|\bhttps?://\S+", re.I)
# Markdown emphasis both platforms render (**bold**, _italic_, ~strike~, `code`, ||spoiler||, > quote):
# the marks, not the words they wrap. (An underscore inside a word stays: "snake_case".)
_EMPHASIS = re.compile(r"[*`~]+|\|\||(?<!\w)_+|_+(?!\w)|^\s*>+", re.M)
# (a chat word stands alone: "U.S." and "R&B" are not "you" and "are")
_CHAT_WORD = re.compile(r"(?<![\w.&'-])(" + "|".join(CHAT_SPELLINGS) + r")(?![\w.&'-])", re.I)
_CHAT_FORMS = re.compile(r"\b(when|who|where|what|how)s\b")  # "whens his bday" -> "when is his bday"
# "When people take on debt, what does it lead to?", "…, it leads to what?": a clause before the question
# sets the scene; the question's own wh-word comes after it. ("When did it come out, and who …" asks when.)
_LEADING_CLAUSE = re.compile(r"^(?:when|if|while|although|though|once|after|before|because|since)\b"
                             r"(?!\s+(?:did|does|do|is|was|were|are|will|has|had|have|can|could|would|should)\b)"
                             r"[^,?]*,\s*"
                             r"(?=.*\b(?:what|which|who|whom|whose|how|where|why|when)\b)")
_FORM_WORDS = {"how", "old", "long", "far", "tall", "wide", "high", "deep", "many", "much", "age", "what", "which",
               "number"}
# "what day was it released", "during which years": the kind, not a topic
_WHEN_WORDS = {"date", "day", "year", "month", "time", "decade", "century",
               "dates", "days", "years", "months", "times", "decades", "centuries"}
# "What other country", "what is another name for", "what is the name of another": "other" inside the
# question's wh-phrase asks which one, and the sentence naming it need not say "other" (in "her other
# videos" it asks about other ones).
_ASKED_OTHER = re.compile(r"\b(?:what|which)(?: (?:is|are|was|were))?(?: the names? of)?(?: (?:the|an|a|one))? "
                          r"(other|others|another)\b")
# Nor is it in "other than" (except), nor in "each other" (text.without_reciprocals).
_OTHER_THAN = re.compile(r"\bother than\b")
@dataclass(frozen=True, slots=True)
class Concept:
    """One topic word of a question and the stems that count as mentioning it, with weights."""

    word: str
    alternatives: dict[str, float] = field(default_factory=dict)
    novelty: bool = False  # "again", "other": evidence must say it explicitly
    corrected: str = ""  # the coverage's spelling, when the word is only known as a typo of it
    particle: str = ""  # a phrasal verb's ("come out"): the word is matched only with it


@dataclass(frozen=True, slots=True)
class Question:
    """A question reduced to what retrieval and answer composition need."""

    text: str
    kind: str  # how_old, how_long, how_many, when, who, where, quote, which, yesno, what
    concepts: tuple[Concept, ...]
    subject: str = ""  # for "which"/"what" + noun questions: the noun ("label" in "what label …")
    capitalised: frozenset[str] = frozenset()  # words written with a capital past the first: names


def question_kind(text: str) -> str:
    """The kind of answer a question wants, from its wording."""
    return _kind_of(normalize(text))


def _kind_of(normalized: str) -> str:
    return _kind_and_match(normalized)[0]


def _kind_and_match(normalized: str) -> tuple[str, re.Match | None]:
    """The question's kind and the words that said so (None for "what", the kind of any other question)."""
    q = _CHAT_FORMS.sub(lambda m: m.group(1) + " is", normalized.replace("'", ""))
    q = _LEADING_CLAUSE.sub("", q)
    for kind, pattern in _KINDS:
        match = pattern.search(q)
        if match:
            return kind, match
    return "what", None


def without_chat_noise(text: str) -> str:
    """The question without mentions, emoji, links and formatting, chat spellings of question words
    written out ("wut" is "what"): what is asked, whatever a chat client wrapped around it."""
    text = _MARKUP.sub(" ", text)
    text = _LINK.sub(lambda m: f" {m.group(1) or ''} ", text)
    text = _EMPHASIS.sub(" ", text)
    if not text.isascii():
        text = "".join(" " if unicodedata.category(c) == "So" else c for c in text)
    text = _CHAT_WORD.sub(lambda m: CHAT_SPELLINGS[m.group(1).lower()], text)
    return " ".join(text.split())


def semantic_text(text: str, question: Question) -> str:
    """What the embedding model reads: the question without chat noise, typos spelled as the coverage
    spells them ("fery" → "ferry"), since the model has no typo correction of its own."""
    text = without_chat_noise(text)
    for concept in question.concepts:
        if concept.corrected:
            text = re.sub(rf"\b{re.escape(concept.word)}\b", concept.corrected, text, flags=re.I)
    return text


def parse_question(text: str) -> Question:
    """Classify the question and list its concepts."""
    clean = without_chat_noise(text)
    normalized = normalize(clean)
    kind, form = _kind_and_match(normalized)
    q = _FILLER.sub(" ", normalized)
    q = _ASKED_OTHER.sub(lambda m: m.group(0)[:m.start(1) - m.start(0)], q)
    q = without_reciprocals(_OTHER_THAN.sub(" ", q))
    concepts: dict[str, Concept] = {}
    either = False  # "a boy or a girl": the word after "or" is an alternative of the one before
    asked = words(q)
    for position, word in enumerate(asked):
        if word == "or" and concepts:
            either = True
            continue
        if is_stopword(word) and word not in NOVELTY_WORDS:
            continue
        if word in _FORM_WORDS and kind in {"how_old", "how_long", "how_many", "which", "when"}:
            continue
        if word in _WHEN_WORDS and kind == "when":
            continue
        root = stem(word)
        if root in concepts:
            either = False  # ("ruiz or ruiz's firm": nothing new after "or")
            continue
        # "when did it come out": the verb with its particle, not the verb alone ("came to public attention")
        following = asked[position + 1] if position + 1 < len(asked) else ""
        particle = following if following in PARTICLES else ""
        alternatives = {phrasal_term(root, particle) if particle else root: 1.0}
        alternatives |= {stem(same): 1.0 for same in SAME_ORDER.get(word, ())}
        if either:
            either = False
            key, previous = next(reversed(concepts.items()))
            merged = dict(previous.alternatives)
            for term, weight in alternatives.items():
                merged[term] = max(weight, merged.get(term, 0.0))
            concepts[key] = Concept(word=previous.word, alternatives=merged, novelty=previous.novelty,
                                    particle=previous.particle)
            continue
        concepts[root] = Concept(word=word, alternatives=alternatives, novelty=word in NOVELTY_WORDS,
                                 particle=particle)
    subject = stem(form.group("subject")) if kind == "which" else ""  # "what record label" -> "label"
    return Question(text=text, kind=kind, concepts=tuple(concepts.values()), subject=subject,
                    capitalised=_capitalised(clean))


def _capitalised(text: str) -> frozenset[str]:
    """Lowercased words that start with a capital letter and do not start the question or a sentence."""
    found = set()
    for match in re.finditer(r"(?<=[\w,;:'\"()] )([A-Z][\w'’-]*)", text):
        found.update(words(match.group(1)))
    return frozenset(found)
