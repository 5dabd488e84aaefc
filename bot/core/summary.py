"""A summary of the coverage: what several outlets report alike, and where they disagree.

Extractive like every answer: each bullet is a sentence of an article, cited. Two sentences of two
articles are "the same report" when each is the other's nearest sentence in the other article
(mutual nearest neighbours, by cosine, or by shared words with the semantic stage off) and they
state a fact in common (a date, a number, an age, a name other than the coverage's main one). They
disagree when they are mutual nearest neighbours, name the same someone or something (or agree on a fact
of another kind), and state facts of one kind that differ (expectations.relation, the test answers use;
numbers only when they count the same noun: "240 jobs", "260 jobs"). No threshold is involved.
"""

from __future__ import annotations

import re

import numpy as np

from bot.core.answers import Answer, Citation, clip, coverage_summary, join_list
from bot.core.corpus import Corpus
from bot.core.expectations import relation
from bot.core.facts import is_time_of_day, with_counted_nouns
from bot.core.text import tokenize

RECENT_ARTICLES = 20  # a summary reads the newest articles: enough for a story's coverage, quick at any size
MAX_REPORTS = 4  # bullets of shared reports
MAX_DISAGREEMENTS = 3
SENTENCE_CHARS = 220  # each bullet's sentence, clipped: the whole summary stays within a chat message
# kind of fact -> (its field on Facts, what the summary calls it, relation()'s kind)
_COMPARED = {"dates": ("date", "when"), "ages": ("age", "how_old"), "amounts": ("number", "how_many"),
             "durations": ("duration", "how_long")}
_SUMMARY = re.compile(r"(please )?(summari[sz]e( (it|this|the coverage|the news|the articles))?|summary|"
                      r"give me (a |the )?(summary|overview|rundown)|overview|tl ?;? ?dr|tldr|"
                      r"what('s| is) the (story|gist)|what happened)")
_DISAGREE = re.compile(r"(what|where|how) do(es)? (the )?(outlets|sources|articles|reports|media|papers|coverage) "
                       r"(disagree|differ|contradict)( on| about)?|(any |the )?(disagreements|contradictions|"
                       r"conflicts)( in the coverage)?|"
                       r"do (the )?(outlets|sources|articles) (disagree|agree)( on anything)?")


def summary_request(text: str) -> str | None:
    """"summary" or "disagreements" when the whole message asks for one, else None."""
    plain = " ".join(re.sub(r"[^\w\s;']+", " ", text.lower()).split())
    if _DISAGREE.fullmatch(plain):
        return "disagreements"
    if _SUMMARY.fullmatch(plain):
        return "summary"
    return None


def summarize(corpus: Corpus, only_disagreements: bool = False, question: str = "summary") -> Answer:
    articles = _recent(corpus)
    pairs = _mutual_neighbours(corpus, articles)
    reports = [] if only_disagreements else _shared_reports(corpus, pairs)
    disagreements = _disagreements(corpus, pairs)
    cited: dict[int, int] = {}  # article -> citation number

    def cite(sentence: int) -> str:
        article = corpus.sentences.article(sentence)
        number = cited.setdefault(article, len(cited) + 1)
        return f"{corpus.articles[article].credit} [{number}]"

    lines = [coverage_summary(corpus)]
    if reports:
        lines.append("Reported by more than one outlet (with what the others state alike):")
        for sentences, outlets in reports[:MAX_REPORTS]:
            first, others = sentences[0], sentences[1:]
            text = clip(corpus.sentences.text(first), set(), SENTENCE_CHARS)
            lead = cite(first)
            also = "; ".join(f"{cite(t)} too ({join_list(_shared(corpus, first, t))})" for t in others)
            lines.append(f"• {text} — {lead}; {also}")
    if disagreements:
        lines.append("Where the outlets disagree:")
        for noun, first, second in disagreements[:MAX_DISAGREEMENTS]:
            one, other = cite(first), cite(second)
            lines.append(f"• The {noun}: “{clip(corpus.sentences.text(first), set(), SENTENCE_CHARS)}” — {one}"
                         f" / “{clip(corpus.sentences.text(second), set(), SENTENCE_CHARS)}” — {other}")
    elif only_disagreements or reports:
        lines.append("I found no disagreement between the outlets: no two of them state different dates, "
                     "ages or numbers about the same thing.")
    if len(lines) == 1:
        lines.append("No two articles report the same fact yet, so there is nothing to sum up across outlets.")
    citations = tuple(Citation(outlet=a.outlet, title=a.title, url=a.url, published=a.published, text="", via=a.via)
                      for a in (corpus.articles[i] for i in cited))
    return Answer(question=question, answer="\n".join(lines), abstained=not cited, citations=citations)


def _recent(corpus: Corpus) -> list[int]:
    order = sorted(range(len(corpus.articles)), key=lambda i: corpus.articles[i].published or "", reverse=True)
    return sorted(order[:RECENT_ARTICLES])


def _mutual_neighbours(corpus: Corpus, articles: list[int]) -> list[tuple[int, int]]:
    """(sentence, sentence) pairs from two articles, each the other's nearest in the other article."""
    table = corpus.sentences
    spans = {a: list(range(*table.span_of(a))) for a in articles}
    if corpus.vectors is not None:
        vectors = {a: corpus.vectors[ids].astype(np.float32) for a, ids in spans.items() if ids}
    else:  # the semantic stage is off: the share of words in common (Jaccard)
        tokens = {a: [set(tokenize(table.text(i))) for i in ids] for a, ids in spans.items() if ids}
    pairs = []
    for x, a in enumerate(articles):
        for b in articles[x + 1:]:
            if not spans[a] or not spans[b]:
                continue
            if corpus.vectors is not None:
                similarity = vectors[a] @ vectors[b].T
            else:
                similarity = np.array([[len(s & t) / (len(s | t) or 1) for t in tokens[b]] for s in tokens[a]])
            best_b, best_a = similarity.argmax(axis=1), similarity.argmax(axis=0)
            pairs += [(spans[a][i], spans[b][j]) for i, j in enumerate(best_b)
                      if best_a[j] == i and similarity[i, j] > 0]
    return pairs


def _shared_reports(corpus: Corpus, pairs: list[tuple[int, int]]) -> list[tuple[list[int], set[str]]]:
    """Sentences with the sentences of other outlets that report the same fact, most outlets first.
    Each report is a sentence and its own partners (never a chain of them), so "3 outlets" is
    what three sentences directly share."""
    partners: dict[int, set[int]] = {}
    for s, t in pairs:
        if _common_facts(corpus, s, t):
            partners.setdefault(s, set()).add(t)
            partners.setdefault(t, set()).add(s)

    def outlets(sentences) -> set[str]:
        return {corpus.article_of(x).outlet for x in sentences}

    def strength(s: int) -> tuple:  # most outlets, then most facts in common, then the shorter sentence
        return (-len(outlets(partners[s] | {s})), -sum(len(_shared(corpus, s, t)) for t in partners[s]),
                len(corpus.sentences.text(s)), s)

    reports, used = [], set()
    for s in sorted(partners, key=strength):
        group = [s] + sorted(partners[s] - used)
        if s in used or len(outlets(group)) < 2:
            continue
        reports.append((group, outlets(group)))
        used.update(group)
    return reports


def _common_facts(corpus: Corpus, s: int, t: int) -> bool:
    """Whether two sentences state a fact in common beyond naming what the whole coverage is about (its
    most prominent name): two articles on Halsey that both name Halsey do not yet report the same thing."""
    main = set(corpus.topics[0].lower().split()) if corpus.topics else set()
    return any(not set(value.lower().split()) <= main for value in _shared(corpus, s, t))


def _shared(corpus: Corpus, s: int, t: int) -> list[str]:
    """The fact values two sentences both state: names as written in titles, the rest as normalised."""
    a, b = corpus.facts[s], corpus.facts[t]
    shared = [n.title() for n in a.names if n in b.names]
    for field in _COMPARED:
        values = _stated(corpus, t, field)  # compared with the noun a number counts, shown as the outlet wrote it
        stated = _stated(corpus, s, field)
        shown = getattr(a, field) if field == "amounts" else stated
        shared += [v.title() if field == "dates" else v for v, compared in zip(shown, stated) if compared in values]
    return list(dict.fromkeys(shared))


def _stated(corpus: Corpus, sentence: int, field: str) -> tuple[str, ...]:
    """A sentence's facts of one kind; numbers with the noun they count ("240 job"). Times of day are left
    out: two sentences about one place or person tell the times of different moments far more often than
    they disagree on one ("set out shortly after 6 p.m." and "reached the trailhead at about 11:40 a.m.")."""
    values = getattr(corpus.facts[sentence], field)
    if field == "dates":
        return tuple(v for v in values if not is_time_of_day(v))
    return with_counted_nouns(corpus.sentences.text(sentence), values) if field == "amounts" else values


def _disagreements(corpus: Corpus, pairs: list[tuple[int, int]]) -> list[tuple[str, int, int]]:
    found, seen = [], set()
    for s, t in pairs:
        relations = {field: relation(kind, _stated(corpus, s, field), _stated(corpus, t, field))
                     for field, (_, kind) in _COMPARED.items()}
        # about the same someone or something: a name in common, or a fact of another kind they agree on
        # ("a March 2025 accident … three workers were injured" and "in March 2025 … injured four workers")
        if not set(corpus.facts[s].names) & set(corpus.facts[t].names) and "agree" not in relations.values():
            continue
        for field, (noun, kind) in _COMPARED.items():
            if relations[field] == "differ" and (s, t) not in seen:
                found.append((noun, s, t))
                seen.add((s, t))
    return found
