"""Dev-set quality of this bot next to plain BM25 baselines, scored by ../shared/eval/score.py's rules.

    .venv/bin/python bench/quality_baseline.py [--qa ../shared/eval/dev_qa.jsonl]

Baselines answer with the top-1 BM25 sentence (rank-bm25 over the same sentences and tokenizer), cited
to its outlet; "plain" never abstains, "thresholded" abstains below the BM25 score that is best on
this very set (an optimistic, tuned-on-test figure).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

from rank_bm25 import BM25Okapi

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.assistant import Assistant  # noqa: E402
from bot.core.text import tokenize  # noqa: E402


def load_scorer(path: Path):
    spec = importlib.util.spec_from_file_location("score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--qa", default=str(ROOT.parent / "shared" / "eval" / "dev_qa.jsonl"))
    parser.add_argument("--knowledge", default=str(ROOT / "knowledge"))
    args = parser.parse_args()
    scorer = load_scorer(Path(args.qa).parent / "score.py")
    items = scorer.load_qa(args.qa)
    assistant = Assistant.from_directory(args.knowledge)
    corpus = assistant.corpus
    bm25 = BM25Okapi([tokenize(s.text) for s in corpus.sentences])

    def top1(question: str) -> tuple[dict, float]:
        scores = bm25.get_scores(tokenize(question))
        best = int(scores.argmax())
        sentence = corpus.sentences[best]
        article = corpus.articles[sentence.article]
        return {"answer": sentence.text, "abstained": False,
                "citations": [{"outlet": article.outlet}]}, float(scores[best])

    plain = [top1(i["question"]) for i in items]
    rows = {"plain BM25 top-1": [r for r, _ in plain]}
    best_threshold, best_overall = 0.0, -1.0
    for threshold in sorted({s for _, s in plain}):
        replies = [dict(r, abstained=s < threshold) for r, s in plain]
        overall = scorer.score(items, replies)[1]["overall"]["accuracy"]
        if overall > best_overall:
            best_threshold, best_overall = threshold, overall
    rows[f"BM25 top-1, abstain < {best_threshold:.2f} (tuned on this set)"] = [
        dict(r, abstained=s < best_threshold) for r, s in plain]
    rows["this bot"] = [json.loads(json.dumps(_asdict(assistant.ask(i["question"])))) for i in items]

    print(f"{'method':<52} {'in-scope':>9} {'abstain':>8} {'overall':>8}")
    for name, replies in rows.items():
        summary = scorer.score(items, replies)[1]
        print(f"{name:<52} {summary['in_scope']['accuracy']:>9.3f} {summary['abstain']['accuracy']:>8.3f} "
              f"{summary['overall']['accuracy']:>8.3f}")
    return 0


def _asdict(answer) -> dict:
    import dataclasses
    return dataclasses.asdict(answer)


if __name__ == "__main__":
    raise SystemExit(main())
