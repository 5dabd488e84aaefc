"""Fit the answer model (bot/core/scoring_weights.json) on the SQuAD 2.0 tune split and the dev set.

    .venv/bin/python bench/fit_scoring.py [--per-kind 2000] [--squad-json PATH/dev-v2.0.json]
                                          [--dev PATH | --squad-only] [--stories DIR] [--cross-validate]

The tune split comes from ../shared/bench/squad2/make_set.py, or from bench/squad_sets.py (the same
set) when --squad-json is given or make_set.py is not there. The dev set is ../shared/eval/dev_qa.jsonl
(team-internal) or --dev PATH; --squad-only fits on the tune split alone (not how the shipped weights
were fitted). A third source is bench/stories/ (or --stories DIR; `--stories ""` leaves it out): invented
news stories, four articles and 45 chat questions each, written for this project, so that the fit sees
chat questions about news coverage other than the dev set's three articles: paraphrases, quotes, traps.
(`bench/tune-stories/`, 36 more, is not read unless given as --stories: fitted on, it moved the bot along
the trade-off, docs/answers.md.)

A fourth source is made from the first two: off-topic questions, every 4th SQuAD tune question asked of
the shipped news articles and of tune articles other than its own, and the dev set's asked of SQuAD's
articles. None can be answered there; they stand for what a chat channel asks beside the story, which
SQuAD's unanswerable questions (written next to a paragraph that nearly answers them) do not.

For every question, the bot's own candidate stage and features (bot/core/candidates.py, features.py)
give one row per candidate sentence; the label is whether the sentence holds a gold answer (and, in
the dev set and the stories, comes from a gold outlet); an unanswerable question's rows are all
negative. A logistic regression (L2, Newton's method, NumPy) is fitted on all rows, once with the
semantic features and once without them, each source weighing the same. Its two thresholds (answer
when the best sentence reaches one; show another sentence when it reaches the other) are those that
maximise objective(): over the sources, the mean of in-scope and abstain accuracy, each as a share of
the issue's target for that kind of set and no more. They are chosen on out-of-fold probabilities (5
folds, SQuAD by article, the stories by story): the bot meets questions its model has not seen, and on
the rows it was fitted to, the small chat sets' probabilities are surer than on new ones, which made the
in-sample choice jump between operating points (0.32 or 0.36, 0.001 apart by the objective). The SQuAD
test split is never read here.

Tried and dropped, by 5-fold cross-validation (--cross-validate; SQuAD folds by article): a second
logistic regression deciding abstention from the best candidates' numbers. It fitted the tune data
better and did worse on held-out folds (mean objective 0.56 with 13 features, 0.45 with the best
candidate's whole row, against 0.58 for one threshold on the best sentence's probability).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.articles import load_articles  # noqa: E402
from bot.core.assistant import Assistant  # noqa: E402
from bot.core.candidates import find_candidates  # noqa: E402
from bot.core.embeddings import QUESTION_ADAPTER, Adapter, encoder  # noqa: E402
from bot.core.expectations import Expectation  # noqa: E402
from bot.core.features import FEATURES, features  # noqa: E402
from bot.core.questions import parse_question, semantic_text  # noqa: E402
from bot.core.scoring import WEIGHTS_FILE  # noqa: E402
import fit_encoder  # noqa: E402
from quality import load_scorer  # noqa: E402  (bench/quality.py: score.py loaded as a module)
import squad_sets  # noqa: E402

SHARED = ROOT.parent / "shared"
DEV = SHARED / "eval" / "dev_qa.jsonl"
STORIES = ROOT / "bench" / "stories"
SEMANTIC_ONLY = {"cosine", "cosine_gap", "cosine_neighbour", "cosine_coverage"}
RIDGE = 1.0  # L2 penalty on standardised features: with ~100,000 rows it only keeps Newton's steps stable
MAX_SHOWN = 3  # sentences counted as shown: an answer has room for about three (answers.py)
SENTENCE_FROM = (0.05, 0.1, 0.2, 0.3, 0.5)
OFF_TOPIC_EVERY = 4  # every 4th SQuAD tune question is also asked of coverage about something else
FOLDS = 5
NAMES_MISSING = FEATURES.index("names_missing_here")


def rows_of(assistant: Assistant, items: list[dict], source: str, scorer,
            held_out_encoder=lambda item: None) -> dict[str, list[dict]]:
    """For the bot with and without its semantic stage: per question, the features of every candidate and
    their labels; a label is whether the candidate would score as a hit by score.py's own rules (answer
    string, outlet). Without the semantic stage the candidates are BM25's alone, as the bot finds them.
    A question is read by held_out_encoder(item) where it gives one, else as the bot reads it."""
    corpus = assistant.corpus
    out = {"semantic": [], "lexical": []}
    for item in items:
        parsed = corpus.expand(parse_question(item["question"]))
        encode = held_out_encoder(item) or assistant.encode
        vector = encode([semantic_text(item["question"], parsed)])[0]
        gold, outlets = item["answers"], {scorer.canon_outlet(o) for o in item["outlets"]}
        for name, found in (("semantic", find_candidates(parsed, corpus, vector)),
                            ("lexical", find_candidates(parsed, corpus, None))):
            x, _ = features(parsed, Expectation.of(parsed, corpus), corpus, found)
            labels = np.array([
                any(scorer.answer_matches(g, scorer.normalise(corpus.sentences.text(s))) for g in gold)
                and scorer.canon_outlet(corpus.article_of(s).outlet) in outlets for s in found.ids.tolist()], dtype=float)
            out[name].append({"x": x, "y": labels, "source": source,
                              "answerable": item["type"] != "out_of_scope", "concepts": bool(parsed.concepts),
                              "group": item.get("story") or item.get("note", item["id"])})
    return out


def off_topic(squad: list[dict], dev: list[dict], knowledge: Path, data: Path) -> list[tuple[Path, list[dict]]]:
    """Questions asked of coverage about something else, none of which it can answer: what a chat channel
    asks beside the story (SQuAD 2.0's unanswerable questions all sit next to their answer's paragraph).
    Every OFF_TOPIC_EVERY-th SQuAD tune question is asked of the shipped news articles and of the tune
    articles other than its own (half of them: those of the other half), the dev set's of SQuAD's."""
    def unanswerable(items: list[dict]) -> list[dict]:
        return [dict(item, type="out_of_scope", answers=[], outlets=[]) for item in items]

    sample = squad[::OFF_TOPIC_EVERY]
    articles = load_articles(knowledge)
    halves = fit_encoder.halves(item["note"] for item in squad)
    pairs = [(ROOT / "knowledge", unanswerable(sample))]
    for k, half in enumerate(halves):
        folder = data / f"off-topic-half-{k}"
        folder.mkdir(parents=True, exist_ok=True)
        for article in articles:
            if article.title in halves[1 - k] and not (folder / article.name).exists():
                (folder / article.name).write_bytes((knowledge / article.name).read_bytes())
        pairs.append((folder, unanswerable([item for item in sample if item["note"] in half])))
    if dev:
        pairs.append((knowledge, unanswerable(dev)))
    return pairs


def stories(folder: Path | None) -> list[tuple[Path, list[dict]]]:
    """(knowledge folder, questions) of every story under folder; each question knows its story, so that
    cross-validation holds out whole stories (a story's questions share its articles)."""
    if folder is None:
        return []
    found = []
    for story in sorted(p for p in folder.iterdir() if (p / "questions.jsonl").is_file()):
        lines = (story / "questions.jsonl").read_text(encoding="utf-8").splitlines()
        items = [dict(json.loads(line), story=story.name) for line in lines if line.strip()]
        found.append((story / "knowledge", items))
    return found


def held_out_adapters(data: Path):
    """item -> the encoder of the question adapter fitted without the item's article, story or set
    (bench/fit_encoder.py's halves: SQuAD tune articles, stories, the dev set); None for questions neither
    half was fitted on."""
    model, readers = encoder(), {}
    for k in (0, 1):
        path = fit_encoder.fold_path(data, k)
        if not path.is_file():
            raise SystemExit(f"no held-out question adapter at {path}: run bench/fit_encoder.py first")
        with np.load(path) as stored:
            trained_on = set(stored["trained_on"].tolist())
        adapter = Adapter(path)
        readers[k] = (trained_on, lambda texts, adapter=adapter: model.encode(texts, adapter))
    titles = readers[0][0] | readers[1][0]

    def reader(item: dict):
        title = item.get("unit") or item.get("story") or item.get("note")
        if title not in titles:
            return None
        return next(encode for trained_on, encode in readers.values() if title not in trained_on)
    return reader


def feature_key(data: Path) -> str:
    """Changes whenever the code that makes candidates and features changes, or the question adapters."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "bot" / "core").glob("*.py")):
        if path.name != "scoring.py":
            digest.update(path.read_bytes())
    for path in (QUESTION_ADAPTER, fit_encoder.fold_path(data, 0), fit_encoder.fold_path(data, 1)):
        digest.update(path.read_bytes() if path.is_file() else b"none")
    return digest.hexdigest()[:12]


def fit(x: np.ndarray, y: np.ndarray, weight: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Weighted logistic regression; the weights are each row's share (they sum to the row count)."""
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    w = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], RIDGE)
    penalty[-1] = 0.0
    for _ in range(50):
        p = 1 / (1 + np.exp(-(z @ w)))
        gradient = z.T @ (weight * (p - y)) + penalty * w
        hessian = (z * (weight * p * (1 - p))[:, None]).T @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return mean, scale, w[:-1], float(w[-1])


def source_weights(questions: list[dict], rows: list[int]) -> np.ndarray:
    """Row weights under which each source (SQuAD tune, dev, stories, off-topic) weighs the same, as in objective()."""
    sources = [q["source"] for q in questions]
    totals = {s: sum(n for q, n in zip(sources, rows) if q == s) for s in set(sources)}
    weight = np.concatenate([np.full(n, 1.0 / totals[s]) for s, n in zip(sources, rows)])
    return weight * len(weight) / weight.sum()


def shown(p: np.ndarray, sentence_from: float, names_missing: np.ndarray) -> np.ndarray:
    """The candidates an answer would show: the best, and up to MAX_SHOWN - 1 more that answer on their own
    and lack no name asked about that the best has (answers.py)."""
    order = np.argsort(-p, kind="stable")
    rest = order[1:]
    rest = rest[(p[rest] >= sentence_from) & (names_missing[rest] <= names_missing[order[0]])]
    return np.concatenate([order[:1], rest])[:MAX_SHOWN]


def evaluate(questions: list[dict], answered: list[bool], sentence_p: list[np.ndarray],
             sentence_from: list[float]) -> dict[str, tuple[float, float]]:
    """Per source: (in-scope accuracy, abstain accuracy) of these decisions (each question's answer shows
    the sentences that reach its sentence_from)."""
    result = {}
    for source in sorted({q["source"] for q in questions}):
        hits = {True: [], False: []}
        for q, a, p, joins in zip(questions, answered, sentence_p, sentence_from):
            if q["source"] != source:
                continue
            if q["answerable"]:
                hits[True].append(a and bool(q["y"][shown(p, joins, q["x"][:, NAMES_MISSING])].any()))
            else:
                hits[False].append(not a)
        result[source] = (float(np.mean(hits[True])) if hits[True] else None,
                          float(np.mean(hits[False])) if hits[False] else None)
    return result


# What the issue asks of each kind of set: (in-scope, abstain) accuracy. SQuAD's in-scope target is the
# higher one, so where the trade-off is flat the operating point leans towards answering; the off-topic
# questions have no target of their own and get the dev set's.
TARGETS = {"squad-tune": (0.75, 0.60), "dev": (0.90, 0.90), "stories": (0.90, 0.90), "off-topic": (None, 0.90)}


def objective(result: dict[str, tuple[float | None, float | None]]) -> float:
    """Each set counts once; within a set, each accuracy as a share of its target, capped at the target
    (beyond it an accuracy buys nothing: the targets ask for both). A set of unanswerable questions only
    (off-topic) counts by its abstain accuracy."""
    def met(source: str, parts: tuple[float | None, float | None]) -> float:
        targets = TARGETS.get(source, (0.9, 0.9))
        return float(np.mean([min(1.0, value / target) for value, target in zip(parts, targets) if value is not None]))
    return float(np.mean([met(source, parts) for source, parts in result.items()]))


def probabilities(fitted, questions: list[dict], keep: np.ndarray) -> list[np.ndarray]:
    """Each candidate's probability; -1 for those an answer may not show (answers.py: a "when" or "how
    many" answer shows only sentences that state a date or a number)."""
    mean, scale, weights, bias = fitted
    fact = FEATURES.index("fact_missing")
    return [np.where(q["x"][:, fact] > 0, -1.0, 1 / (1 + np.exp(-(((q["x"] * keep - mean) / scale) @ weights + bias))))
            for q in questions]


def fit_sentences(questions: list[dict], keep: np.ndarray):
    """The sentence model fitted on every candidate of the questions the bot ranks candidates for: those
    with concepts (scoring.rank() leaves the others unanswered)."""
    questions = [q for q in questions if q["concepts"]]
    x = np.vstack([q["x"] for q in questions]) * keep
    y = np.concatenate([q["y"] for q in questions])
    mean, scale, weights, bias = fit(x, y, source_weights(questions, [len(q["y"]) for q in questions]))
    return mean, scale, weights * keep, bias


def thresholds(questions: list[dict], sentence_p: list[np.ndarray]) -> tuple[float, float, dict]:
    """(answer_from, sentence_from) that do best on these questions under objective(), and how they do."""
    best = (-1.0, 0.5, 0.5, {})
    for sentence_from in SENTENCE_FROM:
        for answer_from in np.arange(0.05, 0.951, 0.01):
            answered = [bool(q["concepts"] and len(p) and p.max() >= answer_from) for q, p in zip(questions, sentence_p)]
            result = evaluate(questions, answered, sentence_p, [sentence_from] * len(questions))
            if objective(result) > best[0]:
                best = (objective(result), round(float(answer_from), 2), sentence_from, result)
    return best[1], best[2], best[3]


def folds_of(questions: list[dict], folds: int = FOLDS) -> list[int]:
    """Each question's fold: SQuAD by article, the stories by story, the dev set by question."""
    return [int(hashlib.sha256(q["group"].encode()).hexdigest(), 16) % folds for q in questions]


def out_of_fold(questions: list[dict], keep: np.ndarray, folds: int = FOLDS) -> list[np.ndarray]:
    """Each question's candidates' probabilities from the model fitted on the other folds: how the model
    scores questions it has not seen, which is what the bot's thresholds must be chosen for."""
    fold = folds_of(questions, folds)
    sentence_p = [None] * len(questions)
    for k in range(folds):
        fitted = fit_sentences([q for q, f in zip(questions, fold) if f != k], keep)
        for i, f in enumerate(fold):
            if f == k:
                sentence_p[i] = probabilities(fitted, [questions[i]], keep)[0]
    return sentence_p


def cross_validated(questions: list[dict], keep: np.ndarray, folds: int = FOLDS) -> dict:
    """How the whole fit does on questions it did not see: each fold is answered by the model fitted on the
    others, at the thresholds chosen (as for the shipped model) on those others' out-of-fold probabilities."""
    fold = folds_of(questions, folds)
    answered, sentence_p, shown_from = [False] * len(questions), [None] * len(questions), [0.5] * len(questions)
    for k in range(folds):
        train = [q for q, f in zip(questions, fold) if f != k]
        fitted = fit_sentences(train, keep)
        answer_from, sentence_from, _ = thresholds(train, out_of_fold(train, keep, folds))
        for i, (q, f) in enumerate(zip(questions, fold)):
            if f == k:
                sentence_p[i] = probabilities(fitted, [q], keep)[0]
                answered[i] = bool(q["concepts"] and len(sentence_p[i]) and sentence_p[i].max() >= answer_from)
                shown_from[i] = sentence_from
    result = {}
    for source in sorted({q["source"] for q in questions}):
        part = [i for i, q in enumerate(questions) if q["source"] == source]
        result[source] = evaluate([questions[i] for i in part], [answered[i] for i in part],
                                  [sentence_p[i] for i in part], [shown_from[i] for i in part])[source]
    return result


def _figures(parts: tuple[float | None, float | None]) -> str:
    return "  ".join(f"{name} {'  n/a' if value is None else f'{value:.3f}'}"
                     for name, value in zip(("in-scope", "abstain"), parts))


def squad_items(args) -> tuple[Path, list[dict]]:
    folder = squad_sets.cached_set(Path(args.data), "tune", args.per_kind, args.squad_json, SHARED)
    lines = (folder / "questions.jsonl").read_text(encoding="utf-8").splitlines()
    return folder / "knowledge", [json.loads(line) for line in lines if line.strip()]


def data_key(args) -> str:
    """A digest of the data the rows come from: the SQuAD JSON, the dev file (or its absence), the shipped
    articles the dev questions are asked about and the stories, so that cached rows are never reused for
    other data."""
    squad = squad_sets.squad_json_or_exit(args.squad_json, SHARED)
    dev = "none" if args.squad_only else squad_sets.digest(Path(args.dev))
    articles = " ".join(squad_sets.digest(path) for path in sorted((ROOT / "knowledge").glob("*.md")))
    told = " ".join(squad_sets.digest(path) for path in sorted([*Path(args.stories).glob("*/questions.jsonl"),
                                                                *Path(args.stories).glob("*/knowledge/*.md")])) \
        if args.stories else "no stories"
    sources = f"{squad_sets.digest(squad)} {dev} {articles} {told} off-topic every {OFF_TOPIC_EVERY}"
    return hashlib.sha256(sources.encode()).hexdigest()[:12]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-kind", type=int, default=2000, help="SQuAD tune questions of each kind")
    parser.add_argument("--squad-json", type=Path,
                        help="SQuAD 2.0 dev-v2.0.json (default: the shared kit's bench/squad2/dev-v2.0.json)")
    sources = parser.add_mutually_exclusive_group()
    sources.add_argument("--dev", default=str(DEV), help="the dev set's QA file (default: %(default)s)")
    sources.add_argument("--squad-only", action="store_true", help="fit on the SQuAD tune split alone, no dev set")
    parser.add_argument("--stories", default=str(STORIES),
                        help="the invented stories' folder (default: %(default)s; \"\" for none)")
    parser.add_argument("--data", default=str(ROOT / "bench" / ".data"))
    parser.add_argument("--out", default=str(WEIGHTS_FILE))
    parser.add_argument("--cross-validate", action="store_true",
                        help="also print 5-fold held-out figures (SQuAD folds by article)")
    args = parser.parse_args()
    if not args.squad_only and not Path(args.dev).is_file():
        parser.error(f"no dev set at {args.dev} (it is team-internal): pass --dev PATH, or --squad-only to fit "
                     "on the SQuAD tune split alone (the shipped weights were fitted on both)")

    knowledge, squad = squad_items(args)
    dev = [] if args.squad_only else [  # (unit: what the adapter's halves call the dev set)
        dict(json.loads(line), unit="dev") for line in Path(args.dev).read_text(encoding="utf-8").splitlines()
        if line.strip()]
    rows = Path(args.data) / f"rows-{args.per_kind}-{feature_key(Path(args.data))}-{data_key(args)}.pickle"
    if rows.exists():  # (the candidates and features of a run before, when the code that makes them is the same)
        questions = pickle.loads(rows.read_bytes())
    else:
        scorer = load_scorer(SHARED / "eval" / "score.py")
        adapters = held_out_adapters(Path(args.data))
        questions = rows_of(Assistant.from_directory(knowledge), squad, "squad-tune", scorer, adapters)
        more_sources = [(ROOT / "knowledge", dev, "dev")] if dev else []
        more_sources += [(folder, items, "stories") for folder, items in stories(Path(args.stories) if args.stories
                                                                                  else None)]
        more_sources += [(folder, items, "off-topic")
                         for folder, items in off_topic(squad, dev, knowledge, Path(args.data))]
        for folder, items, source in more_sources:
            for name, more in rows_of(Assistant.from_directory(folder), items, source, scorer, adapters).items():
                questions[name] += more
        rows.write_bytes(pickle.dumps(questions))
    for source in sorted({q["source"] for q in questions["semantic"]} - {"off-topic"}):
        recall = {name: np.mean([q["y"].any() for q in of_bot if q["answerable"] and q["source"] == source])
                  for name, of_bot in questions.items()}
        count = sum(q["source"] == source for q in questions["semantic"])
        print(f"{source}: {count} questions; the answer is among the candidates for {recall['semantic']:.1%} of "
              f"the answerable ones ({recall['lexical']:.1%} among BM25's alone)")

    stored = {"fitted_by": "bench/fit_scoring.py", "squad_per_kind": args.per_kind, "dev_questions": len(dev)}
    for name, drop in (("semantic", set()), ("lexical", SEMANTIC_ONLY)):
        questions_of = questions[name]
        keep = np.array([f not in drop for f in FEATURES])
        fitted = fit_sentences(questions_of, keep)
        answer_from, sentence_from, result = thresholds(questions_of, out_of_fold(questions_of, keep))
        mean, scale, weights, bias = fitted
        stored[name] = {
            "sentence": {"features": list(FEATURES), "mean": mean.round(6).tolist(), "scale": scale.round(6).tolist(),
                         "weights": weights.round(6).tolist(), "bias": round(bias, 6)},
            "answer_from": answer_from, "sentence_from": sentence_from}
        print(f"\n{name}: answers from {answer_from:.2f}, another sentence joins from {sentence_from:.2f}")
        held_out = cross_validated(questions_of, keep) if args.cross_validate else {}
        for source, parts in result.items():
            line = f"  {source:<11} out of fold: {_figures(parts)}"
            if source in held_out:
                line += f"   5-fold held out: {_figures(held_out[source])}"
            print(line)
        print("  largest weights:", ", ".join(
            f"{f} {w:+.2f}" for f, w in sorted(zip(FEATURES, weights), key=lambda fw: -abs(fw[1]))[:10]))
    out = Path(args.out)
    with tempfile.NamedTemporaryFile("w", dir=out.parent, suffix=".tmp", delete=False, encoding="utf-8") as f:
        json.dump(stored, f, indent=1)
        f.write("\n")
    Path(f.name).replace(out)
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
