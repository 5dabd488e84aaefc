"""The answer-scoring rules of ../shared/eval/score.py, for a clone without the shared kit.

quality.py and fit_scoring.py use score.py itself when it is there (quality.load_scorer); this module
is their fallback and offers the functions they call: load_qa, score, normalise, answer_matches,
canon_outlet. It implements the rules score.py's docstring states, and gives the same hit for every
question (checked against score.py on the SQuAD tune split and the dev set):

- an out_of_scope question is a hit when the reply abstained;
- any other is a hit when the reply did not abstain, one gold answer string occurs in the normalised
  answer at a word boundary (a gold string starting with a letter or digit may not start inside a
  word: "son" does not match "person"), some citation's outlet is a gold outlet (case, spaces and
  punctuation ignored; "Billboard" counts as "Get Heard"), the answer has at most 800 characters and
  there are at most 3 citations.

Normalisation: NFKC, curly quotes and apostrophes to straight ones, Unicode dashes to "-", lowercase,
whitespace collapsed.
"""

from __future__ import annotations

import json
import re
import unicodedata

TYPES = ("factoid", "paraphrase", "quote", "conflict", "multi_outlet", "out_of_scope")
MAX_ANSWER_CHARS = 800
MAX_CITATIONS = 3

_STRAIGHT = str.maketrans({
    **dict.fromkeys("\u2018\u2019\u201a\u201b\u2032\u00b4`", "'"),
    **dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"'),
    **dict.fromkeys("\u2010\u2011\u2012\u2013\u2014\u2015\u2212", "-"),
    "\u00a0": " ",
})
# outlets that count as another (keys and values in canon_outlet's form)
SAME_OUTLET = {"billboard": "getheard", "getheardtoday": "getheard",
               "hollywoodlifecom": "hollywoodlife", "elitedailycom": "elitedaily"}


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).translate(_STRAIGHT).lower()
    return re.sub(r"\s+", " ", text).strip()


def answer_matches(gold: str, normalised_text: str) -> bool:
    """Whether gold occurs in the (already normalised) text, not starting inside a word."""
    needle = normalise(gold)
    if not needle:
        return False
    at = normalised_text.find(needle)
    while at >= 0:
        if not needle[0].isalnum() or at == 0 or not normalised_text[at - 1].isalnum():
            return True
        at = normalised_text.find(needle, at + 1)
    return False


def canon_outlet(name: str) -> str:
    key = "".join(ch for ch in normalise(name) if ch in "0123456789abcdefghijklmnopqrstuvwxyz")
    return SAME_OUTLET.get(key, key)


def load_qa(path: str) -> list[dict]:
    """The QA file's rows, checked as score.py checks them; a bad file ends the run with its reason."""
    def bad(where: str, why: str):
        raise SystemExit(f"{path}:{where}: {why}")

    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError as exc:
        raise SystemExit(f"cannot read QA file {path}: {exc}") from None
    items, ids = [], set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            bad(number, f"bad JSON: {exc}")
        missing = [key for key in ("id", "question", "answers", "outlets", "type") if key not in row]
        if missing:
            bad(number, f"missing key {missing[0]!r}")
        if row["type"] not in TYPES:
            bad(number, f"unknown type {row['type']!r}")
        if not isinstance(row["answers"], list) or not isinstance(row["outlets"], list):
            bad(number, "answers/outlets must be lists")
        question = row["question"]
        if not isinstance(question, str) or not question.strip() or "\n" in question or "\r" in question:
            bad(number, "question must be a non-empty single line")
        if row["type"] != "out_of_scope" and not (row["answers"] and row["outlets"]):
            bad(number, "in-scope question without answers/outlets")
        if row["id"] in ids:
            bad(number, f"duplicate id {row['id']!r}")
        ids.add(row["id"])
        items.append(row)
    if not items:
        raise SystemExit(f"{path}: no questions")
    return items


def why_missed(item: dict, reply: dict) -> list[str]:
    """Why the reply is not a hit for the item (empty when it is)."""
    answer = reply.get("answer") or ""
    abstained = bool(reply.get("abstained"))
    citations = list(reply.get("citations") or [])
    if item["type"] == "out_of_scope":
        return [] if abstained else ["answered an out-of-scope question"]
    reasons = ["abstained"] if abstained else []
    text = normalise(answer)
    if not any(answer_matches(gold, text) for gold in item["answers"]):
        reasons.append("no gold answer string in reply")
    gold_outlets = {canon_outlet(outlet) for outlet in item["outlets"]}
    cited = [str(c.get("outlet", "")) if isinstance(c, dict) else "" for c in citations]
    if not gold_outlets.intersection(canon_outlet(outlet) for outlet in cited):
        reasons.append("no citation from a gold outlet")
    if len(answer) > MAX_ANSWER_CHARS:
        reasons.append(f"answer longer than {MAX_ANSWER_CHARS} chars ({len(answer)})")
    if len(citations) > MAX_CITATIONS:
        reasons.append(f"more than {MAX_CITATIONS} citations ({len(citations)})")
    return reasons


def score(items: list[dict], replies: list[dict]) -> tuple[list[dict], dict]:
    """(per-question results, summary) in score.py's shape: summary["in_scope" | "abstain" | "overall"]
    hold n, hits and accuracy (None when there is no such question); per_type and abstention
    precision/recall as well."""
    results = []
    for item, reply in zip(items, replies):
        reasons = why_missed(item, reply)
        results.append({"id": item["id"], "type": item["type"], "question": item["question"],
                        "hit": not reasons, "reasons": reasons, "answer": reply.get("answer") or "",
                        "abstained": bool(reply.get("abstained"))})

    def part(rows: list[dict]) -> dict:
        hits = sum(r["hit"] for r in rows)
        return {"n": len(rows), "hits": hits, "accuracy": hits / len(rows) if rows else None}

    in_scope = [r for r in results if r["type"] != "out_of_scope"]
    out_of_scope = [r for r in results if r["type"] == "out_of_scope"]
    abstained = [r for r in results if r["abstained"]]
    refused = sum(r["abstained"] for r in out_of_scope)
    summary = {
        "n": len(results),
        "in_scope": part(in_scope),
        "abstain": part(out_of_scope),
        "abstention_precision": refused / len(abstained) if abstained else None,
        "abstention_recall": refused / len(out_of_scope) if out_of_scope else None,
        "overall": part(results),
        "per_type": {t: part(rows) for t in TYPES if (rows := [r for r in results if r["type"] == t])},
    }
    return results, summary
