"""SQuAD 2.0 question sets from any copy of `dev-v2.0.json`, without the team's ../shared kit.

    .venv/bin/python bench/squad_sets.py --squad-json PATH/dev-v2.0.json --out DIR [--split tune|test|all]
                                         [--per-kind 500] [--seed 20261201]

The procedure is the one ../shared/bench/squad2/make_set.py documents, and on the same JSON it writes
the same bytes:

- DIR/knowledge/<slug>.md: one article per Wikipedia page, all 35 whatever the split, so retrieval
  always searches the whole folder. Front matter: title (underscores as spaces), outlet "Wikipedia",
  the page's URL, an empty `published:`; then the paragraphs, each with its whitespace collapsed,
  separated by blank lines.
- DIR/questions.jsonl: the split's questions ("tune" = articles at even positions in the file, "test"
  = odd ones), shuffled with random.Random(seed); the first N answerable ("factoid": the gold strings are
  SQuAD's answer texts, the outlet "Wikipedia") and the first N unanswerable ("out_of_scope": the bot
  must abstain), shuffled together again.

Tune on "tune". Report "test"; never read its failures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import subprocess
import sys
from pathlib import Path

SEED = 20261201
OUTLET = "Wikipedia"
SPLITS = ("tune", "test", "all")
SOURCE = "https://rajpurkar.github.io/SQuAD-explorer/dataset/dev-v2.0.json"


def one_line(text: str) -> str:
    return " ".join(text.split())


def split_of(position: int) -> str:
    return "test" if position % 2 else "tune"


def article_file(article: dict) -> tuple[str, str]:
    """(file name, Markdown text) of one SQuAD article."""
    title = article["title"].replace("_", " ")
    name = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") + ".md"
    header = "\n".join(["---", f"title: {title}", f"outlet: {OUTLET}",
                        f"url: https://en.wikipedia.org/wiki/{article['title']}", "published:", "---"])
    body = "\n\n".join(one_line(paragraph["context"]) for paragraph in article["paragraphs"])
    return name, f"{header}\n\n{body}\n"


def questions_of(article: dict) -> list[dict]:
    """Every question of one article, in the file's order, as score.py's QA rows."""
    title = article["title"].replace("_", " ")
    found = []
    for paragraph in article["paragraphs"]:
        for qa in paragraph["qas"]:
            gold = sorted({one_line(answer["text"]) for answer in qa["answers"]})
            found.append({"id": qa["id"], "question": one_line(qa["question"]), "answers": gold,
                          "outlets": [OUTLET] if gold else [],
                          "type": "out_of_scope" if qa["is_impossible"] else "factoid", "note": title})
    return found


def sample(pool: list[dict], per_kind: int, seed: int = SEED) -> list[dict]:
    """The first per_kind answerable and unanswerable questions of the shuffled pool, shuffled together."""
    rng = random.Random(seed)
    pool = list(pool)
    rng.shuffle(pool)
    answerable = [row for row in pool if row["type"] == "factoid"]
    unanswerable = [row for row in pool if row["type"] == "out_of_scope"]
    chosen = answerable[:per_kind] + unanswerable[:per_kind]
    rng.shuffle(chosen)
    return chosen


def write_set(squad_json: Path, out: Path, split: str = "tune", per_kind: int = 500, seed: int = SEED) -> int:
    """Write out/knowledge/ and out/questions.jsonl (last) from squad_json; return the question count."""
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, not {split!r}")
    articles = json.loads(Path(squad_json).read_text(encoding="utf-8"))["data"]
    knowledge = Path(out) / "knowledge"
    knowledge.mkdir(parents=True, exist_ok=True)
    pool = []
    for position, article in enumerate(articles):
        name, text = article_file(article)
        (knowledge / name).write_bytes(text.encode("utf-8"))
        if split in ("all", split_of(position)):
            pool += questions_of(article)
    chosen = sample(pool, per_kind, seed)
    lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in chosen)
    (Path(out) / "questions.jsonl").write_bytes(lines.encode("utf-8"))
    return len(chosen)


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def kit_json(shared: Path) -> Path:
    return Path(shared) / "bench" / "squad2" / "dev-v2.0.json"


def squad_json_or_exit(given: Path | None, shared: Path) -> Path:
    """The dev-v2.0.json to use: the one given, else the shared kit's; a clear exit when there is none."""
    path = Path(given) if given else kit_json(shared)
    if not path.is_file():
        raise SystemExit(f"no SQuAD 2.0 dev set at {path}: download dev-v2.0.json ({SOURCE}, CC BY-SA 4.0) "
                         "and pass --squad-json PATH")
    return path


def cached_set(data: Path, split: str, per_kind: int, squad_json: Path | None, shared: Path) -> Path:
    """DIR with knowledge/ and questions.jsonl under `data`, made once. From the shared kit's make_set.py
    when no --squad-json was given and it exists (as before), else here. Sets of another JSON than the
    kit's get the first 12 hex digits of its sha256 in the folder name, so a cached set is never reused
    for other data."""
    path = squad_json_or_exit(squad_json, shared)
    kit = kit_json(shared)
    own = kit.is_file() and path.resolve() == kit.resolve()
    folder = Path(data) / (f"squad-{split}-{per_kind}" + ("" if own else f"-{digest(path)[:12]}"))
    if not (folder / "questions.jsonl").exists():
        make_set = Path(shared) / "bench" / "squad2" / "make_set.py"
        if squad_json is None and make_set.is_file():
            subprocess.run([sys.executable, str(make_set), "--out", str(folder), "--split", split,
                            "--per-kind", str(per_kind)], check=True, stdout=subprocess.DEVNULL)
        else:
            write_set(path, folder, split, per_kind)
    return folder


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad-json", required=True, type=Path, help=f"SQuAD 2.0 dev set ({SOURCE})")
    parser.add_argument("--out", required=True, type=Path)
    parser.add_argument("--split", choices=SPLITS, default="tune")
    parser.add_argument("--per-kind", type=int, default=500, help="answerable and unanswerable questions each")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    count = write_set(args.squad_json, args.out, args.split, args.per_kind, args.seed)
    print(f"{count} questions ({args.split}) in {args.out / 'questions.jsonl'}, articles in {args.out / 'knowledge'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
