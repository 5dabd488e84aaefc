"""Fit the question adapter (bot/core/question_adapter.npz) on the SQuAD 2.0 tune split and chat questions.

    .venv/bin/python bench/fit_encoder.py    # ~5 min on 2 cores (more the first time); then bench/fit_scoring.py

The bot compares a question's vector with its sentences' vectors (all-MiniLM-L6-v2, embeddings.py). The
model was trained to place texts on the same topic together; a bot must place a question near a sentence
that *answers* it, and away from one that only shares its topic (SQuAD 2.0's unanswerable questions are
written to look answerable from their paragraph). The adapter learns that from the tune split's 5,900
questions and from chat questions, which are short, paraphrased and in chat spelling as SQuAD's are not:
the 1,620 of bench/tune-stories/, the 135 of bench/stories/ and the dev set's 39. It is low-rank additions
(rank RANK) to every linear map of the model, applied to questions only, so the sentences' cached vectors
stay the model's own. Per question, the candidates are every sentence of its article (a chat question:
of its story's articles) plus a "no answer" option whose score is learned: the loss is the cross-entropy
of choosing the sentences holding a gold answer (in an article of a gold outlet, for a chat question), or
"no answer" for an unanswerable question (SQuAD 2.0's own no-answer objective, for sentence vectors).

Held out: each source is split into two halves (the tune articles by title, as bench/fit_scoring.py's
off-topic halves; stories by name; the dev set is one unit); an adapter fitted on each half is measured on
the other and written to bench/.data/adapters/, where fit_scoring.py takes it for the other half's
questions, so the answer model is fitted on cosines the adapter never saw (the shipped adapter is fitted
on both halves).

Needs PyTorch for training only (`pip install torch`, the CPU build; the bot runs the adapter with NumPy).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.core.assistant import Assistant  # noqa: E402
from bot.core.cache import CACHE_DIR  # noqa: E402
from bot.core.embeddings import DIMENSIONS, MAX_TOKENS, QUESTION_ADAPTER, encoder, model_directory  # noqa: E402
from bot.core.questions import parse_question, semantic_text  # noqa: E402
from bot.core.vectors import sentence_vectors  # noqa: E402
from quality import load_scorer  # noqa: E402
import squad_sets  # noqa: E402

SHARED = ROOT.parent / "shared"
STORIES = [ROOT / "bench" / "tune-stories", ROOT / "bench" / "stories"]
DEV = SHARED / "eval" / "dev_qa.jsonl"
# Training choices, set once from the two-half held-out figures this script prints (not per corpus):
RANK = 8  # rank of each addition: 332k numbers in all (1.3 MB); ranks 4 and 8 measured alike held out
LEARNING_RATE = 1e-3
EPOCHS = 2  # held-out recall peaks after one or two passes, then the adapter learns the tune articles
BATCH = 32
TEMPERATURE = 0.05  # the contrastive loss's usual scale for unit vectors (cosines span about 0..1)
SEED = 0
_SHAPES = {"query": (384, 384), "key": (384, 384), "value": (384, 384), "out": (384, 384),
           "up": (384, 1536), "down": (1536, 384)}


def training_items(corpus, squad_json: Path, scorer) -> list[dict]:
    """The tune split's questions, each with its article's sentences and which of them hold a gold answer
    (score.py's matching). Answerable questions whose answer no sentence holds whole are left out."""
    by_title: dict[str, list[int]] = {}
    for i, article in enumerate(corpus.articles):
        by_title.setdefault(article.title, []).append(i)
    article_of = np.asarray(corpus.sentences.places[:, 0])
    texts = [scorer.normalise(corpus.sentences.text(i)) for i in range(len(corpus.sentences))]
    items = []
    for position, article in enumerate(json.loads(squad_json.read_text(encoding="utf-8"))["data"]):
        if squad_sets.split_of(position) != "tune":
            continue
        for row in squad_sets.questions_of(article):
            ids = np.flatnonzero(np.isin(article_of, by_title.get(row["note"], [])))
            answers = [i for i in ids.tolist() if any(scorer.answer_matches(g, texts[i]) for g in row["answers"])]
            if row["answers"] and not answers:
                continue
            parsed = corpus.expand(parse_question(row["question"]))
            items.append({"text": semantic_text(row["question"], parsed), "title": row["note"], "ids": ids,
                          "answers": np.isin(ids, answers), "answerable": bool(row["answers"])})
    return items


def story_items(corpus, story: str, questions: list[dict], scorer, offset: int) -> list[dict]:
    """A story's chat questions, each with all of the story's sentences (numbered from offset) and which of
    them hold a gold answer in an article of a gold outlet (score.py's matching); "title" is the story."""
    texts = [scorer.normalise(corpus.sentences.text(i)) for i in range(len(corpus.sentences))]
    outlets = [scorer.canon_outlet(corpus.article_of(i).outlet) for i in range(len(corpus.sentences))]
    items = []
    for row in questions:
        gold = {scorer.canon_outlet(o) for o in row["outlets"]}
        answers = np.array([outlets[i] in gold and any(scorer.answer_matches(g, texts[i]) for g in row["answers"])
                            for i in range(len(texts))])
        answerable = row["type"] != "out_of_scope"
        if answerable and not answers.any():
            continue
        parsed = corpus.expand(parse_question(row["question"]))
        items.append({"text": semantic_text(row["question"], parsed), "title": story,
                      "ids": offset + np.arange(len(texts)), "answers": answers, "answerable": answerable})
    return items


def chat_sets(folders: list[Path], dev: Path | None) -> list[tuple[str, str, Path, Path]]:
    """(source, name, knowledge folder, questions file) of every story under folders, and of the dev set."""
    found = [(folder.name, story.name, story / "knowledge", story / "questions.jsonl") for folder in folders
             for story in sorted(folder.iterdir()) if (story / "questions.jsonl").is_file()]
    return found + ([("dev", "dev", ROOT / "knowledge", dev)] if dev else [])


def chat_items(sets: list[tuple[str, str, Path, Path]], scorer) -> tuple[list[np.ndarray], list[dict]]:
    """The sentence vectors and training items of every chat set; an item's "source" is where it came from."""
    vectors, items, offset = [], [], 0
    for source, name, knowledge, questions_file in sets:
        corpus = Assistant.from_directory(knowledge, semantic=False).corpus
        vectors.append(sentence_vectors(corpus, encoder().encode, knowledge / CACHE_DIR))
        lines = questions_file.read_text(encoding="utf-8").splitlines()
        questions = [json.loads(line) for line in lines if line.strip()]
        items += [dict(item, source=source) for item in story_items(corpus, name, questions, scorer, offset)]
        offset += len(vectors[-1])
    return vectors, items


def halves(titles) -> list[set[str]]:
    """The tune articles (or the stories) in two halves by title (fit_scoring.py's off-topic halves too)."""
    titles = sorted(set(titles))
    return [set(titles[0::2]), set(titles[1::2])]


class QuestionModel:
    """all-MiniLM-L6-v2 in PyTorch (embeddings.py's forward pass) with trainable low-rank additions."""

    def __init__(self, torch):
        from safetensors import safe_open
        from tokenizers import Tokenizer

        self.torch = torch
        directory = model_directory()
        self.tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        with safe_open(str(directory / "model.safetensors"), framework="numpy") as stored:
            self.w = {key: torch.tensor(stored.get_tensor(key), dtype=torch.float32) for key in stored.keys()}
        generator = torch.Generator().manual_seed(SEED)
        # a starts small and random, b at zero: training starts from the model itself
        self.pairs = {f"{i}.{t}": (torch.nn.Parameter(torch.randn(n_in, RANK, generator=generator) * 0.01),
                                   torch.nn.Parameter(torch.zeros(RANK, n_out)))
                      for i in range(6) for t, (n_in, n_out) in _SHAPES.items()}
        self.no_answer = torch.nn.Parameter(torch.tensor(0.5))  # the "no answer" option's cosine

    def parameters(self) -> list:
        return [p for pair in self.pairs.values() for p in pair] + [self.no_answer]

    def encode(self, texts: list[str], adapted: bool = True):
        torch, w = self.torch, self.w
        encodings = self.tokenizer.encode_batch(texts)
        length = max(len(e.ids) for e in encodings)
        ids = torch.zeros(len(texts), length, dtype=torch.long)
        mask = torch.zeros(len(texts), length)
        for row, e in enumerate(encodings):
            ids[row, :len(e.ids)] = torch.tensor(e.ids)
            mask[row, :len(e.ids)] = 1.0

        def norm(x, name):
            return torch.nn.functional.layer_norm(x, (DIMENSIONS,), w[name + ".weight"], w[name + ".bias"], 1e-12)

        def linear(x, name, key):
            y = x @ w[name + ".weight"].T + w[name + ".bias"]
            return y + (x @ self.pairs[key][0]) @ self.pairs[key][1] if adapted else y

        x = norm(w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:length]
                 + w["embeddings.token_type_embeddings.weight"][0], "embeddings.LayerNorm")
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        n, heads = len(texts), 12
        for i in range(6):
            p = f"encoder.layer.{i}."
            q, k, v = (linear(x, p + f"attention.self.{t}", f"{i}.{t}").view(n, length, heads, -1).transpose(1, 2)
                       for t in ("query", "key", "value"))
            attention = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1]) + bias, dim=-1)
            context = (attention @ v).transpose(1, 2).reshape(n, length, DIMENSIONS)
            x = norm(x + linear(context, p + "attention.output.dense", f"{i}.out"), p + "attention.output.LayerNorm")
            up = torch.nn.functional.gelu(linear(x, p + "intermediate.dense", f"{i}.up"), approximate="tanh")
            x = norm(x + linear(up, p + "output.dense", f"{i}.down"), p + "output.LayerNorm")
        pooled = (x * mask[:, :, None]).sum(dim=1) / mask.sum(dim=1, keepdim=True)
        return torch.nn.functional.normalize(pooled, dim=-1)

    def save(self, path: Path, trained_on: list[str]) -> None:
        arrays = {}
        for key, (a, b) in self.pairs.items():
            arrays[key + ".a"], arrays[key + ".b"] = a.detach().numpy(), b.detach().numpy()
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".npz", delete=False) as f:
            np.savez(f, **arrays, trained_on=np.array(sorted(trained_on)))
        Path(f.name).replace(path)


def loss(model: QuestionModel, vectors, batch: list[dict]):
    torch = model.torch
    questions = model.encode([item["text"] for item in batch])
    total = 0.0
    for row, item in enumerate(batch):
        scores = torch.cat([vectors[item["ids"]] @ questions[row], model.no_answer.view(1)]) / TEMPERATURE
        chosen = torch.tensor(np.append(item["answers"], not item["answerable"]))
        total = total + torch.logsumexp(scores, 0) - torch.logsumexp(scores[chosen], 0)
    return total / len(batch)


def train(torch, vectors, items: list[dict], log_prefix: str) -> QuestionModel:
    model = QuestionModel(torch)
    optimiser = torch.optim.AdamW(model.parameters(), lr=LEARNING_RATE, weight_decay=0.01)
    rng = np.random.default_rng(SEED)
    for epoch in range(EPOCHS):
        started, order, total = time.time(), rng.permutation(len(items)), 0.0
        for start in range(0, len(order), BATCH):
            value = loss(model, vectors, [items[i] for i in order[start:start + BATCH]])
            optimiser.zero_grad()
            value.backward()
            optimiser.step()
            total += value.item() * min(BATCH, len(order) - start)
        print(f"{log_prefix} epoch {epoch + 1}: loss {total / len(items):.3f} ({time.time() - started:.0f} s)",
              flush=True)
    return model


def measure(model: QuestionModel, vectors, items: list[dict], adapted: bool) -> dict[str, float]:
    """Recall@1 of the answer sentence in its article; how well the best cosine tells answerable questions
    from unanswerable ones (ROC AUC); and the best single-threshold mean of in-scope and abstain accuracy."""
    with model.torch.no_grad():
        questions = model.torch.cat([model.encode([item["text"] for item in items[i:i + 64]], adapted)
                                     for i in range(0, len(items), 64)])
    best, right = np.zeros(len(items)), np.zeros(len(items), dtype=bool)
    for row, item in enumerate(items):
        cosines = (vectors[item["ids"]] @ questions[row]).numpy()
        best[row], right[row] = cosines.max(), item["answers"][cosines.argmax()]
    answerable = np.array([item["answerable"] for item in items])
    ranks = np.empty(len(best))
    ranks[np.argsort(best)] = np.arange(len(best))
    positives = answerable.sum()
    auc = (ranks[answerable].sum() - positives * (positives - 1) / 2) / (positives * (~answerable).sum())
    balanced = max(((right & (best > t))[answerable].mean() + (best <= t)[~answerable].mean()) / 2
                   for t in np.quantile(best, np.linspace(0, 1, 201)))
    return {"recall@1": right[answerable].mean(), "AUC": auc, "threshold": balanced}


def fold_path(data: Path, k: int) -> Path:
    return data / "adapters" / f"half-{k}.npz"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--squad-json", type=Path,
                        help="SQuAD 2.0 dev-v2.0.json (default: the shared kit's bench/squad2/dev-v2.0.json)")
    parser.add_argument("--stories", nargs="*", type=Path, default=STORIES,
                        help="folders of chat stories (default: bench/tune-stories and bench/stories)")
    parser.add_argument("--dev", default=str(DEV), help="the dev set's QA file (default: %(default)s; \"\" for none)")
    parser.add_argument("--data", default=str(ROOT / "bench" / ".data"))
    parser.add_argument("--out", default=str(QUESTION_ADAPTER))
    args = parser.parse_args()
    try:
        import torch
    except ImportError:
        raise SystemExit("fitting the adapter needs PyTorch: pip install torch (the CPU build is enough)")
    torch.manual_seed(SEED)
    data = Path(args.data)
    folder = squad_sets.cached_set(data, "tune", 2000, args.squad_json, SHARED)
    # the sentences' vectors as the bot caches them (no question is read with an adapter here)
    corpus = Assistant.from_directory(folder / "knowledge", semantic=False).corpus
    corpus.vectors = sentence_vectors(corpus, encoder().encode, folder / "knowledge" / CACHE_DIR)
    scorer = load_scorer(SHARED / "eval" / "score.py")
    items = training_items(corpus, squad_sets.squad_json_or_exit(args.squad_json, SHARED), scorer)
    dev = Path(args.dev) if args.dev and Path(args.dev).is_file() else None
    story_vectors, chat = chat_items(chat_sets(args.stories, dev), scorer)
    for item in chat:  # numbered after the tune split's sentences
        item["ids"] = item["ids"] + len(corpus.vectors)
    vectors = torch.tensor(np.concatenate([np.asarray(corpus.vectors, dtype=np.float32), *story_vectors]))
    for item in items:
        item["source"] = "squad-tune"
    items += chat
    sources = sorted({item["source"] for item in items})
    parts = [set(), set()]
    for source in sources:  # each source in halves of its own, so that each half holds some of each
        for part, half in zip(parts, halves(item["title"] for item in items if item["source"] == source)):
            part |= half
    for source in sources:
        of = [item for item in items if item["source"] == source]
        print(f"{source}: {len(of)} questions ({sum(i['answerable'] for i in of)} answerable)")
    for k, half in enumerate(parts):
        model = train(torch, vectors, [item for item in items if item["title"] not in half], f"half {k} held out:")
        for source in sources:
            held_out = [item for item in items if item["title"] in half and item["source"] == source]
            for name, adapted in (("the model alone", False), ("with the adapter", True)):
                if held_out:
                    figures = measure(model, vectors, held_out, adapted)
                    print(f"  half {k}, held out, {source:<12} {name:<16}: "
                          + "  ".join(f"{key} {v:.3f}" for key, v in figures.items()))
        model.save(fold_path(data, k), sorted(parts[1 - k]))
    model = train(torch, vectors, items, "all tune questions:")
    model.save(Path(args.out), sorted(parts[0] | parts[1]))
    print(f"wrote {args.out} and {fold_path(data, 0).parent}/half-{{0,1}}.npz")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
