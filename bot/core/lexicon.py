"""Word lists for chat questions about news: stopwords, irregular verbs, chat spellings, negation and
verbs of saying.

These are general English and general news/chat vocabulary. Nothing here may name a particular
story, person or outlet: the bot must answer coverage it has never seen as well as the shipped one.
"""

from __future__ import annotations

import re

STOPWORDS = frozenset("""
a about above after again against all am an and any are aren't as at be because been before being below
between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down during each
few for from further had hadn't has hasn't have haven't having he he'd he'll he's her here here's hers
herself him himself his how how's i i'd i'll i'm i've if in into is isn't it it's its itself let's me more
most mustn't my myself no nor not of off on once only or other ought our ours ourselves out over own same
shan't she she'd she'll she's should shouldn't so some such than that that's the their theirs them
themselves then there there's these they they'd they'll they're they've this those through to too under
until up very was wasn't we we'd we'll we're we've were weren't what what's when when's where where's which
while who who's whom why why's with won't would wouldn't you you'd you'll you're you've your yours yourself
yourselves also just ever even really actually any anything something thing things much many lot
tell know like get got please pls plz thanks thank hey hi hello ok okay yeah yes yo bot
rn lol lmao tbh idk imo omg btw ur u ya yall y'all wanna gonna gotta kinda sorta
whats isnt wasnt didnt doesnt dont arent werent cant wont theyd theyre shes hes im ive youre thats
hows whos wheres whens whys theyve weve wouldnt couldnt shouldnt hasnt havent hadnt aint wasnt youve ive
youd itd
will shall might must without within upon among amongst across toward towards onto unto beside besides despite beyond per via
one ones someone somebody anyone everyone everybody people person guy guys dude co else happen happens happened happening
""".split())
# "again", "other" and friends are not stopwords here: see NOVELTY_WORDS.
# Temporal words decide questions like "did it go viral before it came out": they are content here.
TEMPORAL_PREPOSITIONS = frozenset({"before", "after", "during", "until"})
STOPWORDS = STOPWORDS - {"again", "other", "next", "another"} - TEMPORAL_PREPOSITIONS

# Adverbs and conjunctions that link a sentence to the one before ("However, …", "Although …"): capitalised
# only because they start a clause, never part of a name, wherever else they are seen capitalised.
CONNECTIVES = frozenset("""
however although though whereas meanwhile therefore moreover furthermore nevertheless nonetheless thus hence
instead otherwise consequently additionally likewise similarly indeed accordingly subsequently since unless
whether
""".split())

# Nouns that stand before the noun a question is about and say only how it is measured or called ("the name
# of the planner", "what kind of engine", "the number of fans"): the noun after them is what is asked for.
LIGHT_NOUNS = frozenset({"name", "names", "kind", "kinds", "type", "types", "sort", "sorts", "number", "amount",
                         "part", "piece", "lot"})

# Words that ask about a *different* occurrence than the one the coverage describes ("pregnant again",
# "her other videos", "the next album"). Evidence must say so explicitly, or the bot abstains.
NOVELTY_WORDS = frozenset({"again", "other", "others", "another", "next", "upcoming", "anymore", "previous"})
# English says an occurrence before or after the one described in several words alike: "the previous strike"
# is "its last strike", "the next album" "the upcoming album". ("Following" and "coming" are left out: as verbs
# they are in many sentences that say nothing of order.)
SAME_ORDER = {"previous": ("last", "earlier", "prior", "former", "preceding"), "next": ("upcoming", "forthcoming"),
              "upcoming": ("next", "forthcoming")}

# English negation ("which country did not sign", "who never played"), and its contractions written with
# or without the apostrophe ("didn't", "didnt"): a question about what did not happen wants a sentence
# that says so.
NEGATIONS = frozenset({"not", "never", "no", "none", "nor", "neither", "nobody", "nothing", "nowhere", "cannot",
                       "without"})
NEGATED = re.compile(r"^(?:is|are|was|were|do|does|did|has|have|had|ca|could|would|should|wo|must|need)n'?t$")

# Verbs that ask for someone's words: "what did X say / tell / post …" (a quotation question)
SAYING = ("say", "said", "says", "tell", "told", "post", "posted", "write", "wrote", "tweet", "tweeted", "sing",
          "sang", "share", "shared")
# Verbs that report speech ("the city said the work cost $48 million", "she told reporters …"): a sentence
# with one states what someone said, as a quotation does.
REPORTING = frozenset({"said", "says", "told", "tells", "wrote", "writes", "posted", "tweeted", "added", "announced",
                       "explained", "revealed", "confirmed", "claimed", "stated", "noted", "admitted", "insisted"})

# Adverbial particles of English phrasal verbs: "come out" (be released), "find out" (learn), "blow up" (go
# viral), "set up", "turn down". Such a verb alone is another word ("came to public attention"), so a
# question's verb before one is matched with it (text.tokenize indexes the pairs). ("Over" and "off" are left
# out: they are as often prepositions, "influence over", "islands off the coast".)
PARTICLES = frozenset({"out", "up", "down"})

# Irregular forms the Snowball stemmer leaves apart from their lemma.
IRREGULAR = {
    "wrote": "write", "written": "write", "sang": "sing", "sung": "sing", "began": "begin", "begun": "begin",
    "told": "tell", "said": "say", "says": "say", "made": "make", "took": "take", "taken": "take",
    "came": "come", "went": "go", "gone": "go", "saw": "see", "seen": "see", "gotten": "get", "gave": "give",
    "given": "give", "knew": "know", "known": "know", "met": "meet", "found": "find", "thought": "think",
    "left": "leave", "held": "hold", "sold": "sell", "bought": "buy", "brought": "bring", "won": "win",
    "felt": "feel", "kept": "keep", "spent": "spend", "fell": "fall", "fallen": "fall", "drew": "draw",
    "drawn": "draw", "chose": "choose", "chosen": "choose", "broke": "break", "broken": "break",
    "spoke": "speak", "spoken": "speak", "shot": "shoot", "led": "lead", "paid": "pay", "ran": "run",
    "became": "become", "taught": "teach", "built": "build", "sent": "send", "stood": "stand",
    "heard": "hear", "flew": "fly", "flown": "fly", "grew": "grow", "grown": "grow", "threw": "throw",
    "thrown": "throw", "drove": "drive", "driven": "drive", "wore": "wear", "worn": "wear", "hid": "hide",
    "hidden": "hide", "rose": "rise", "risen": "rise", "blew": "blow", "blown": "blow", "froze": "freeze",
    "children": "child", "kids": "kid", "women": "woman", "men": "man", "wives": "wife", "lives": "life",
    "vids": "vid", "exes": "ex",
}

# Chat spellings of question words, pronouns and everyday words, written out before a question is read.
CHAT_SPELLINGS = {
    "wut": "what", "wat": "what", "wht": "what", "whta": "what", "wen": "when", "whn": "when", "hw": "how",
    "hou": "how", "whr": "where", "wher": "where", "u": "you", "ur": "your", "r": "are", "b4": "before",
    "bc": "because", "cuz": "because", "coz": "because", "abt": "about", "ppl": "people", "yr": "year",
    "yrs": "years",
}

# Titles English abbreviates in chat and writes out in news prose ("its chief executive, Dana …"): when the
# coverage never uses the abbreviation, a question's is asked as the words (corpus.expand), as a name's
# initials are.
TITLE_ABBREVIATIONS = {
    "ceo": "chief executive", "cfo": "chief financial officer", "coo": "chief operating officer",
    "cto": "chief technology officer", "vp": "vice president",
}
