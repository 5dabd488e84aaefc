"""Index benchmark: this project next to plain rank-bm25 and bm25s on a synthetic news corpus.

    .venv/bin/python bench/bench_index.py [--sizes 1e3,1e4,1e5,1e6] [--queries 200] [--workdir /tmp/bench]

For each size it prints, side by side: build time, load-from-cache time, index size on disk and in
memory, and p50/p99 per whole answer, with each figure's ratio to rank-bm25.

- this project: build = the whole prepared corpus (splitting, tokenizing, facts, quotes, the sparse
  BM25 index); load = `Assistant.from_directory` with a warm cache; answer = `Assistant.ask` (retrieval,
  re-ranking and the composed, cited answer); disk = the cache file; memory = Python allocations of the
  loaded corpus (tracemalloc), sentence texts and facts included.
- rank-bm25: BM25Okapi over the same tokenized sentences; it has no persistence, so "cache" = pickle;
  answer = get_scores over all sentences + the best one.
- bm25s (method "robertson"): its own save/load; answer = retrieve top 10.
- "retrieval": this project's sparse index alone (top 30 of a parsed question), and its memory alone.
- "semantic": the bot with its semantic stage (SEMANTIC=on, the default; the "this project" row is
  SEMANTIC=off). 2,000 real sentences are embedded and timed; their vectors, cycled, stand in for the
  rest (answering costs the same whatever the vectors hold), so its build adds the whole folder's
  embedding at the measured rate. Its disk and memory include the vectors.
Single-threaded, one process, on whatever machine runs it (printed at the top).
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import pickle
import platform
import shutil
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import synthetic  # noqa: E402

from bot.core import candidates  # noqa: E402
from bot.core.articles import load_articles  # noqa: E402
from bot.core.assistant import Assistant  # noqa: E402
from bot.core.cache import CACHE_DIR  # noqa: E402
from bot.core.embeddings import encoder  # noqa: E402
from bot.core.questions import parse_question  # noqa: E402
from bot.core.search import SparseBM25Index  # noqa: E402
from bot.core.sentences import sentences_of  # noqa: E402
from bot.core.text import tokenize  # noqa: E402
from bot.core.vectors import sentence_vectors  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def traced_memory(fn):
    """(result, bytes still allocated by fn's result)."""
    gc.collect()
    tracemalloc.start()
    result = fn()
    gc.collect()
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, current


def latencies(answer, questions: list[str], budget_seconds: float) -> list[float]:
    times = []
    deadline = time.perf_counter() + budget_seconds
    for question in questions:
        started = time.perf_counter()
        answer(question)
        times.append(time.perf_counter() - started)
        if time.perf_counter() > deadline and len(times) >= 5:
            break
    return times


def prefill_vectors(folder: Path, sample: int) -> tuple[float, float]:
    """Embed `sample` real sentences of the folder, timed, and cache them as every sentence's vector, cycled.
    The cost of answering does not depend on the vectors' values, and embedding a million synthetic
    sentences would take hours: the build's embedding time is this throughput's extrapolation.
    Returns (sentences embedded a second, seconds the whole folder would take)."""
    corpus = Assistant.from_directory(folder, semantic=False).corpus
    texts = [corpus.sentences.text(i) for i in range(min(sample, len(corpus.sentences)))]
    embedded, seconds = timed(lambda: encoder().encode(texts))
    sentence_vectors(corpus, lambda batch: embedded[np.arange(len(batch)) % len(embedded)], folder / CACHE_DIR)
    rate = len(texts) / seconds
    return rate, len(corpus.sentences) / rate


def bench_project(folder: Path, questions: list[str], semantic: bool = False, sample: int = 2000) -> dict:
    (folder / ONE_MORE).unlink(missing_ok=True)  # left by a run stopped mid-reload, it would make the reload a cache hit
    shutil.rmtree(folder / CACHE_DIR, ignore_errors=True)
    _, build = timed(lambda: Assistant.from_directory(folder, semantic=False))  # builds and writes the cache
    rate = None
    if semantic:
        encoder()  # (loaded once per process; its load is timed separately)
        rate, embedding = prefill_vectors(folder, sample)
        build += embedding
    assistant, load = timed(lambda: Assistant.from_directory(folder, semantic=semantic))
    del assistant
    gc.collect()
    assistant, memory = traced_memory(lambda: Assistant.from_directory(folder, semantic=semantic))
    disk = sum(p.stat().st_size for p in (folder / CACHE_DIR).rglob("*.np[zy]"))
    times = latencies(assistant.ask, questions, budget_seconds=60)
    index = assistant.corpus.index
    _, index_memory = traced_memory(lambda: SparseBM25Index.from_arrays(
        {k: v.copy() for k, v in index.to_arrays().items()}, list(index.vocabulary_list)))
    parsed = [assistant.corpus.expand(parse_question(q)) for q in questions]
    weights = [{t: w for c in p.concepts for t, w in c.alternatives.items()} for p in parsed]
    retrieval = latencies(lambda w: index.top(w, 30), weights, budget_seconds=30)
    result = {"build": build, "load": load, "disk": disk, "memory": memory, "times": times,
              "index_memory": index_memory, "retrieval": retrieval, "rate": rate}
    if semantic:
        result["reload_one"] = reload_with_one_more(folder)
    return result


def exact_scan(run):
    """run() with the nearest by cosine found by scanning every vector, whatever the folder's size."""
    shortlist_from = candidates.EXACT_UP_TO
    candidates.EXACT_UP_TO = math.inf
    try:
        return run()
    finally:
        candidates.EXACT_UP_TO = shortlist_from


ONE_MORE = "zz-one-more.md"


def reload_with_one_more(folder: Path) -> float:
    """Seconds from adding one article to answering from it (what a SIGHUP reload does)."""
    path = folder / ONE_MORE
    path.write_text("---\ntitle: Late Ferry News\noutlet: Daily Ledger\nurl: https://example.org/late\n"
                    "published: 2024-05-01\n---\n\nThe harbor ferry named Quillfeather returned to service on "
                    "Tuesday after a refit. Captain Ines Moreau said the crew had waited months.\n", encoding="utf-8")
    try:
        started = time.perf_counter()
        answer = Assistant.from_directory(folder).ask("when did the quillfeather ferry return")
        seconds = time.perf_counter() - started
        if "Tuesday" not in answer.answer:
            print(f"{'':>10} (the added article did not answer: {answer.answer[:80]!r})")
        return seconds
    finally:
        path.unlink()
        Assistant.from_directory(folder)  # the cache back to the folder's own contents


def bench_rank_bm25(tokens: list[list[str]], questions: list[str], work: Path) -> dict:
    from rank_bm25 import BM25Okapi

    model, build = timed(lambda: BM25Okapi(tokens))
    path = work / "rank_bm25.pickle"
    with path.open("wb") as out:
        pickle.dump(model, out, protocol=pickle.HIGHEST_PROTOCOL)
    del model
    gc.collect()

    def load():
        with path.open("rb") as handle:
            return pickle.load(handle)

    _, load_time = timed(load)
    gc.collect()
    model, memory = traced_memory(load)

    def answer(question: str):
        scores = model.get_scores(tokenize(question))
        return int(np.argmax(scores))

    times = latencies(answer, questions, budget_seconds=90)
    result = {"build": build, "load": load_time, "disk": path.stat().st_size, "memory": memory, "times": times}
    path.unlink()
    return result


def bench_bm25s(tokens: list[list[str]], questions: list[str], work: Path) -> dict:
    import bm25s

    def build():
        model = bm25s.BM25(method="robertson")
        model.index(tokens, show_progress=False)
        return model

    model, build_time = timed(build)
    path = work / "bm25s_index"
    model.save(str(path))
    del model
    gc.collect()
    _, load = timed(lambda: bm25s.BM25.load(str(path)))
    gc.collect()
    model, memory = traced_memory(lambda: bm25s.BM25.load(str(path)))
    vocabulary = model.vocab_dict

    def answer(question: str):
        query = [t for t in tokenize(question) if t in vocabulary] or [next(iter(vocabulary))]
        return model.retrieve([query], k=10, show_progress=False, n_threads=1)

    times = latencies(answer, questions, budget_seconds=60)
    disk = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    shutil.rmtree(path)
    return {"build": build_time, "load": load, "disk": disk, "memory": memory, "times": times}


def cli_per_question(folder: Path, questions: list[str]) -> float:
    """Seconds per question through `python -m bot ask - --json`: runs of 1,000 and of 5,000 questions,
    so that start-up (loading the cache takes about as long as 1,000 answers) cancels out, instead of
    being subtracted as one noisy run of its own."""
    env = dict(os.environ, KNOWLEDGE_DIR=str(folder))

    def run(count: int) -> float:
        lines = (questions * (count // len(questions) + 1))[:count]
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "ask", "-", "--json"], input="\n".join(lines) + "\n",
                       text=True, capture_output=True, env=env, cwd=ROOT, check=True)
        return time.perf_counter() - started

    few, many = 1000, 5000
    times = {few: [], many: []}
    for _ in range(3):
        for count in times:
            times[count].append(run(count))
    return max(statistics.median(times[many]) - statistics.median(times[few]), 1e-9) / (many - few)


def fmt_seconds(s: float) -> str:
    if s < 1e-3:  # (sub-millisecond figures are compared with targets like 0.5 ms: one more digit)
        return f"{s * 1000:.3f} ms"
    return f"{s * 1000:.2f} ms" if s < 1 else f"{s:.2f} s"


def fmt_bytes(b: float) -> str:
    return f"{b / 1e6:.1f} MB"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1e3,1e4,1e5,1e6")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--workdir", type=Path, default=ROOT / "bench" / ".data")
    parser.add_argument("--cli", action="store_true", help="also time the CLI against rank-bm25 at 1e5")
    parser.add_argument("--semantic-up-to", type=float, default=1e5,
                        help="time the semantic stage at sizes up to this (default 1e5)")
    args = parser.parse_args()
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    args.workdir.mkdir(parents=True, exist_ok=True)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"{platform.platform()}")
    header = (f"{'sentences':>10} {'engine':<12} {'build':>10} {'load':>10} {'disk':>10} {'memory':>10} "
              f"{'p50':>10} {'p99':>10} {'p50 vs rank-bm25':>17}")
    print(header)
    print("-" * len(header))
    for size in sizes:
        folder = args.workdir / f"news-{size}"
        if not folder.exists() or not any(folder.glob("*.md")):
            synthetic.write(folder, size)
        questions = synthetic.questions(folder, args.queries)
        sentences = sentences_of(load_articles(folder))
        tokens = [tokenize(s.text) for s in sentences]
        results = {
            "this project": bench_project(folder, questions),
            "  semantic": bench_project(folder, questions, semantic=True) if size <= args.semantic_up_to else None,
            # the alternative to the shortlist (candidates.SHORTLIST) in a folder that large: every vector scanned
            "  exact scan": exact_scan(lambda: bench_project(folder, questions, semantic=True))
            if candidates.EXACT_UP_TO <= size <= args.semantic_up_to else None,
            "rank-bm25": bench_rank_bm25(tokens, questions, args.workdir),
            "bm25s": bench_bm25s(tokens, questions, args.workdir),
        }
        reference = statistics.median(results["rank-bm25"]["times"])
        for engine, r in results.items():
            if r is None:
                continue
            p50 = statistics.median(r["times"])
            print(f"{len(sentences):>10} {engine:<12} {fmt_seconds(r['build']):>10} {fmt_seconds(r['load']):>10} "
                  f"{fmt_bytes(r['disk']):>10} {fmt_bytes(r['memory']):>10} {fmt_seconds(p50):>10} "
                  f"{fmt_seconds(percentile(r['times'], 99)):>10} {reference / p50:>16.1f}x")
        ours = results["this project"]
        retrieval = ours["retrieval"]
        print(f"{len(sentences):>10} {'  retrieval':<12} {'':>10} {'':>10} {'':>10} "
              f"{fmt_bytes(ours['index_memory']):>10} {fmt_seconds(statistics.median(retrieval)):>10} "
              f"{fmt_seconds(percentile(retrieval, 99)):>10} {reference / statistics.median(retrieval):>16.1f}x")
        print(f"{'':>10} (answers timed: {len(ours['times'])}; rank-bm25: {len(results['rank-bm25']['times'])})")
        semantic = results["  semantic"]
        if semantic is not None:
            print(f"{'':>10} semantic stage: {semantic['rate']:.0f} sentences embedded a second (build above "
                  f"includes the whole folder's embedding at that rate); one article added: answered from it "
                  f"{fmt_seconds(semantic['reload_one'])} after the reload began")
        if args.cli and size == 100_000:
            per_question = cli_per_question(folder, questions)
            print(f"{'':>10} CLI `ask - --json`: {fmt_seconds(per_question)} per question, "
                  f"{reference / per_question:.0f}x faster than rank-bm25's get_scores alone")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
