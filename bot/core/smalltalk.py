"""Messages that are not questions about the coverage: greetings, thanks, asking what the bot does or
which articles it knows.

The patterns are everyday English chat openers, matched on the whole message only, so a question
that begins with "hi" ("hi, who directed it?") is still a question.
"""

from __future__ import annotations

import re

_GREETING = re.compile(r"(hi+|hello+|hey+|hiya|howdy|yo|hola|greetings|good (morning|afternoon|evening|day))"
                       r"( (there|all|everyone|everybody|folks|team|friend|bot))?")
_THANKS = re.compile(r"((ok|okay|great|perfect|awesome|cool|nice) )?(thanks|thank you|thank u|thx|ty|cheers|"
                     r"much appreciated|appreciate it)( (a lot|so much|very much|again))?")
_HELP = re.compile(r"help|\?|what can (you|u) do|what do (you|u) do|what do (you|u) know( about)?|what are (you|u)|"
                   r"who are (you|u)|how do i use (you|u|this|this bot)|how does this (bot )?work|"
                   r"what can i ask( (you|u))?|what should i ask( (you|u))?|what are your commands|commands")
_SOURCES = re.compile(r"(list |show |show me |give me )?(your |the |all )?(sources|articles|outlets)( list)?|"
                      r"(what|which) (sources|articles|outlets|coverage) do (you|u) (have|know|use)|"
                      r"what are (your|the) (sources|articles|outlets)|"
                      r"where do (you|u) get (your|the) (info|news)( from)?|"
                      r"(what|which) (sources|outlets) (covered|reported on|wrote about) (this|it)")
_NOISE = re.compile(r"[^\w\s?']+")

ABOUT = ("I answer questions about the news coverage I have, quoting the sentences that say it and citing "
         "each outlet with a link; when the coverage doesn't say, I tell you so instead of guessing.")
DEFAULT_HOW_TO = "Ask me a question in plain words."


def small_talk_kind(text: str) -> str | None:
    """"greeting", "thanks", "help" or "sources" (which articles it knows) when the whole message is one
    of those, else None."""
    plain = " ".join(_NOISE.sub(" ", text.lower()).split()).rstrip("?! ").strip() or text.strip()
    if _GREETING.fullmatch(plain):
        return "greeting"
    if _THANKS.fullmatch(plain):
        return "thanks"
    if _HELP.fullmatch(plain):
        return "help"
    if _SOURCES.fullmatch(plain):
        return "sources"
    return None


def small_talk_reply(kind: str, coverage_summary: str, how_to: str = "") -> str:
    how_to = how_to or DEFAULT_HOW_TO
    if kind == "thanks":
        return f"You're welcome! {how_to}"
    opening = "Hi! " if kind == "greeting" else ""
    return f"{opening}{ABOUT} {coverage_summary} {how_to}"
