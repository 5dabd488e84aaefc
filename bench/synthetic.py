"""A synthetic, news-like knowledge folder: many outlets, named people, dates, numbers, quotes.

    .venv/bin/python bench/synthetic.py --sentences 100000 --out /tmp/news-1e5

Words follow a Zipf-like distribution over a large vocabulary, so posting lists look like real
news (a few very common words, a long tail). Deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

OUTLETS = ["Daily Ledger", "Metro Times", "Coastal Post", "River Courier", "Evening Star", "Valley Herald",
           "Capital Wire", "Harbor Weekly", "North Gazette", "Summit Review"]
FIRST = ["Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hugo", "Ines", "Jonah", "Kai", "Lena", "Mina",
         "Nils", "Omar", "Priya", "Quinn", "Rosa", "Sami", "Tara", "Uma", "Viktor", "Wen", "Xavi", "Yara", "Zed"]
LAST = ["Abbott", "Barros", "Chen", "Dubois", "Eze", "Fischer", "Garcia", "Haddad", "Ivanova", "Jensen", "Kato",
        "Lindqvist", "Moreau", "Nakamura", "Okafor", "Petrov", "Quist", "Rossi", "Silva", "Tanaka", "Ueda", "Vargas",
        "Weber", "Xu", "Yilmaz", "Zhou"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
VERBS = ["announced", "said", "released", "opened", "closed", "approved", "rejected", "signed", "launched", "won",
         "lost", "reported", "confirmed", "denied", "proposed", "built", "sold", "bought", "visited", "criticized"]


def _vocabulary(rng: random.Random, size: int) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    words = set()
    while len(words) < size:
        words.add("".join(rng.choice(letters) for _ in range(rng.randint(3, 10))))
    return sorted(words)


def generate(sentences: int, seed: int = 7) -> list[tuple[str, str]]:
    """(file name, file text) pairs holding about `sentences` sentences in 30-sentence articles."""
    rng = random.Random(seed)
    words = _vocabulary(rng, max(2000, min(200_000, sentences // 2)))
    weights = [1 / (rank + 1) ** 1.05 for rank in range(len(words))]
    cumulative = []
    total = 0.0
    for w in weights:
        total += w
        cumulative.append(total)
    files = []
    made = 0
    number = 0
    while made < sentences:
        number += 1
        outlet = rng.choice(OUTLETS)
        people = [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(3)]
        paragraphs = []
        for _ in range(10):
            paragraph = []
            for _ in range(3):
                body = rng.choices(words, cum_weights=cumulative, k=rng.randint(8, 18))
                kind = rng.random()
                person = rng.choice(people)
                if kind < 0.2:
                    text = f"{person} {rng.choice(VERBS)} the {' '.join(body)} on {rng.choice(MONTHS)} {rng.randint(1, 28)}."
                elif kind < 0.35:
                    text = f"“{' '.join(body).capitalize()},” {person} said."
                elif kind < 0.5:
                    text = f"The {' '.join(body[:6])} cost {rng.randint(2, 900)} million dollars, {person} said."
                else:
                    text = f"{' '.join(body).capitalize()} {rng.choice(VERBS)} {person.split()[1]}."
                paragraph.append(text)
                made += 1
            paragraphs.append(" ".join(paragraph))
        title = f"{people[0]} {rng.choice(VERBS)} {' '.join(rng.choices(words[:500], k=3))}"
        text = (f"---\ntitle: {title}\noutlet: {outlet}\nurl: https://news.example/{number}\n"
                f"published: 2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n---\n\n" + "\n\n".join(paragraphs))
        files.append((f"article-{number:07d}.md", text + "\n"))
    return files


def write(directory: Path, sentences: int, seed: int = 7) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in generate(sentences, seed):
        (directory / name).write_text(text, encoding="utf-8")
    return directory


def questions(directory: Path, count: int, seed: int = 11) -> list[str]:
    """Questions built from the corpus's own sentences (answerable) and some that are not."""
    rng = random.Random(seed)
    files = sorted(directory.glob("*.md"))
    asked = []
    for _ in range(count):
        text = rng.choice(files).read_text(encoding="utf-8").split("---", 2)[2]
        sentence = rng.choice([s for s in text.replace("\n", " ").split(". ") if len(s.split()) > 5])
        picked = [w.strip("“”,.") for w in sentence.split() if len(w) > 3]
        asked.append(rng.choice(["what did", "who", "when did", "how much"]) + " " + " ".join(rng.sample(picked, min(4, len(picked)))))
    return asked


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sentences", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    write(args.out, args.sentences, args.seed)
    print(f"wrote {len(list(args.out.glob('*.md')))} articles to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
