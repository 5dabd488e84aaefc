"""Answer quality: this bot next to plain baselines on the SQuAD 2.0 tune and test splits and the dev set.

    .venv/bin/python bench/quality.py [--shared ../shared] [--squad-json PATH/dev-v2.0.json] [--per-kind 500]

Every row is scored by ../shared/eval/score.py's own rules (its `score` function; without the shared
kit, by bench/score_rules.py, the same rules). The SQuAD splits are made by
../shared/bench/squad2/make_set.py, or by bench/squad_sets.py (the same procedure, the same sets) from
the dev-v2.0.json given with --squad-json or when make_set.py is not there (defaults: 500 answerable
and 500 unanswerable questions), each over all 35 articles. The dev set (../shared/eval/dev_qa.jsonl,
team-internal) runs over the shipped knowledge; without it its column is left out.

- BM25 top-1: rank-bm25's BM25Okapi over the bot's sentences and tokenizer, the best sentence, never
  abstaining.
- BM25 + semantic, one threshold: the best sentence by reciprocal-rank fusion of BM25 and the bot's
  cosine (the same model), abstaining when its cosine is below the one threshold that does best on the
  SQuAD tune split (fitted there, then used unchanged on every set).
- this bot, and this bot with SEMANTIC=off.
The fitted scoring (bench/fit_scoring.py) was fitted on the SQuAD tune split and the dev set: their
rows are figures on fitting data. The test split is the measurement.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib.util
import sys
from pathlib import Path

import numpy as np
from rank_bm25 import BM25Okapi

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.assistant import Assistant  # noqa: E402
from bot.core.embeddings import encoder  # noqa: E402
from bot.core.questions import parse_question, semantic_text  # noqa: E402
from bot.core.text import tokenize  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import score_rules  # noqa: E402
import squad_sets  # noqa: E402

FUSION_K = 60  # reciprocal-rank fusion's usual constant (Cormack et al. 2009)


def load_scorer(path: Path):
    """score.py at path as a module; bench/score_rules.py (the same rules) when there is none."""
    if not path.is_file():
        print(f"(no {path}: scoring with bench/score_rules.py, the same rules)", file=sys.stderr)
        return score_rules
    spec = importlib.util.spec_from_file_location("score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class Baselines:
    """The throwaway baselines over one knowledge folder: the bot's sentences and vectors, no bot logic."""

    def __init__(self, assistant: Assistant):
        self.assistant = assistant
        self.corpus = assistant.corpus
        self.bm25 = BM25Okapi([tokenize(s.text) for s in self.corpus.sentences])

    def reply(self, sentence: int, abstained: bool) -> dict:
        article = self.corpus.article_of(sentence)
        return {"answer": self.corpus.sentences.text(sentence), "abstained": abstained,
                "citations": [{"outlet": article.outlet}]}

    def bm25_top1(self, question: str) -> dict:
        return self.reply(int(np.argmax(self.bm25.get_scores(tokenize(question)))), False)

    def fused(self, question: str) -> tuple[int, float]:
        """(best sentence by reciprocal-rank fusion, its cosine)."""
        lexical = self.bm25.get_scores(tokenize(question))
        # the model as it is (the baseline), not the bot's question adapter
        vector = encoder().encode([semantic_text(question, parse_question(question))])[0]
        cosine = self.corpus.vectors @ vector
        fused = np.zeros(len(cosine))
        for scores in (lexical, cosine):
            ranks = np.empty(len(scores))
            ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
            fused += 1 / (FUSION_K + ranks)
        best = int(np.argmax(fused))
        return best, float(cosine[best])


def bot_replies(assistant: Assistant, items: list[dict]) -> list[dict]:
    return [dataclasses.asdict(assistant.ask(item["question"])) for item in items]


def question_sets(args, scorer) -> dict[str, tuple[Path, list[dict]]]:
    """{set name: (knowledge folder, questions)}: the SQuAD splits, and the dev set when it is there."""
    sets = {}
    for split in ("tune", "test"):
        folder = squad_sets.cached_set(args.data, split, args.per_kind, args.squad_json, args.shared)
        sets[f"SQuAD {split}"] = (folder / "knowledge", scorer.load_qa(str(folder / "questions.jsonl")))
    dev = args.shared / "eval" / "dev_qa.jsonl"
    if dev.is_file():
        sets["dev set"] = (ROOT / "knowledge", scorer.load_qa(str(dev)))
    else:
        print(f"(no {dev}: the dev set is team-internal; its column is left out)", file=sys.stderr)
    return sets


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--squad-json", type=Path,
                        help="SQuAD 2.0 dev-v2.0.json (default: the shared kit's bench/squad2/dev-v2.0.json)")
    parser.add_argument("--per-kind", type=int, default=500)
    parser.add_argument("--data", type=Path, default=ROOT / "bench" / ".data")
    args = parser.parse_args()
    scorer = load_scorer(args.shared / "eval" / "score.py")
    sets = question_sets(args, scorer)

    rows: dict[str, dict[str, dict]] = {}
    fused: dict[str, list[tuple[dict, float]]] = {}
    for name, (knowledge, items) in sets.items():
        semantic = Assistant.from_directory(knowledge)
        baselines = Baselines(semantic)
        rows.setdefault("BM25 top-1", {})[name] = scorer.score(items, [baselines.bm25_top1(i["question"])
                                                                        for i in items])[1]
        fused[name] = [(baselines.reply(s, False), c) for s, c in (baselines.fused(i["question"]) for i in items)]
        rows.setdefault("this bot", {})[name] = scorer.score(items, bot_replies(semantic, items))[1]
        lexical = Assistant.from_directory(knowledge, semantic=False)
        rows.setdefault("this bot, SEMANTIC=off", {})[name] = scorer.score(items, bot_replies(lexical, items))[1]

    # the fused baseline's one threshold: the cosine that does best overall on the tune split
    tune_items = sets["SQuAD tune"][1]
    candidates = sorted({c for _, c in fused["SQuAD tune"]})
    threshold = max(candidates, key=lambda t: scorer.score(tune_items, [dict(r, abstained=c < t) for r, c in
                                                                          fused["SQuAD tune"]])[1]["overall"]["accuracy"])
    label = f"BM25 + semantic, abstain below cosine {threshold:.2f}"
    rows[label] = {name: scorer.score(items, [dict(r, abstained=c < threshold) for r, c in fused[name]])[1]
                   for name, (_, items) in sets.items()}

    order = ["BM25 top-1", label, "this bot", "this bot, SEMANTIC=off"]
    print(f"{'method':<44}" + "".join(f"{name:>26}" for name in sets))
    print(f"{'':<44}" + "".join(f"{'in-scope abstain overall':>26}" for _ in sets))
    for method in order:
        cells = []
        for name in sets:
            s = rows[method][name]
            cells.append(f"{s['in_scope']['accuracy']:>10.3f}{s['abstain']['accuracy']:>8.3f}{s['overall']['accuracy']:>8.3f}")
        print(f"{method:<44}" + "".join(cells))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
