"""The prepared corpus saved beside the knowledge, so a restart loads it instead of rebuilding it.

The file is `knowledge/.cache/corpus-<key>.npz`: NumPy arrays plus one JSON document, read with
allow_pickle=False, so a foreign file can never run code. The key hashes every article file (name and
bytes) and the core's own source, so an edited article or a new tokenizer is never served a stale
index. A missing, corrupt or foreign file is rebuilt; a folder we cannot write to only costs speed.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.core.articles import Article
from bot.core.corpus import Corpus
from bot.core.facts import Facts
from bot.core.quotes import Quote
from bot.core.search import SparseBM25Index
from bot.core.sentences import Sentence

log = logging.getLogger(__name__)

CACHE_DIR = ".cache"
FORMAT = 2
_CORE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Changes whenever the code that shapes the index changes."""
    digest = hashlib.sha256(f"format {FORMAT}".encode())
    for path in sorted(_CORE.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def knowledge_key(files: list[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256(code_fingerprint().encode())
    for name, data in files:
        digest.update(f"{name}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()[:32]


def cache_path(directory: Path, key: str) -> Path:
    return directory / CACHE_DIR / f"corpus-{key}.npz"


def load_or_build(directory: Path, articles: list[Article], key: str) -> Corpus:
    """The cached corpus for exactly these articles, or a fresh one (then saved for next time)."""
    path = cache_path(directory, key)
    if path.exists():
        try:
            return load(path, articles, key)
        except Exception as exc:  # corrupt, truncated, foreign: never trusted, never fatal
            log.warning("index cache %s is unusable (%s); rebuilding it", path.name, type(exc).__name__)
    corpus = Corpus.build(articles)
    try:
        save(corpus, path, key)
    except OSError as exc:
        log.warning("cannot write the index cache in %s (%s); it will be rebuilt at every start",
                    path.parent, exc.strerror or exc)
    return corpus


def save(corpus: Corpus, path: Path, key: str) -> None:
    if not isinstance(corpus.index, SparseBM25Index) or not isinstance(corpus.quote_index, SparseBM25Index):
        raise TypeError("only the sparse index can be cached")
    meta = {
        "format": FORMAT, "key": key,
        "name_words": sorted(corpus.name_words),
        "aliases": {k: sorted(v) for k, v in corpus.aliases.items()},
        "topics": list(corpus.topics),
        "quotes": [[q.text, q.speaker, q.sentence, q.article] for q in corpus.quotes],
        "terms": corpus.index.vocabulary_list,
        "quote_terms": corpus.quote_index.vocabulary_list,
    }
    arrays = {f"index_{k}": v for k, v in corpus.index.to_arrays().items()}
    arrays.update({f"quotes_{k}": v for k, v in corpus.quote_index.to_arrays().items()})
    arrays["sentences"] = np.asarray([(s.article, s.paragraph, s.position) for s in corpus.sentences],
                                     dtype=np.int32).reshape(-1, 3)
    arrays["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
    # Texts as one NUL-separated blob and facts as one small JSON document per sentence (a line each):
    # loading splits them in a few milliseconds, and facts are decoded only for sentences that are used.
    arrays["texts"] = _blob("\0".join(s.text for s in corpus.sentences))
    arrays["facts"] = _blob("\n".join(json.dumps([f.dates, f.ages, f.age_names, f.durations, f.amounts, f.names,
                                                   f.quoted], ensure_ascii=False) for f in corpus.facts))
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob("corpus-*.npz"):  # one cache per folder: drop those of older contents
        if old != path:
            old.unlink(missing_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as out:
        temporary = Path(out.name)
        try:
            np.savez(out, **arrays)
        except BaseException:
            out.close()
            temporary.unlink(missing_ok=True)
            raise
    temporary.replace(path)  # atomic: a reader never sees half a file


def load(path: Path, articles: list[Article], key: str) -> Corpus:
    with np.load(path, allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
    if meta.get("format") != FORMAT or meta.get("key") != key:
        raise ValueError("cache was written for other contents")
    positions = arrays["sentences"]
    texts = _unblob(arrays["texts"]).split("\0") if len(positions) else []
    facts = LazyFacts(_unblob(arrays["facts"]).split("\n") if len(positions) else [])
    if len(positions) != len(texts) or len(facts) != len(texts):
        raise ValueError("sentence tables do not match")
    if len(positions) and int(positions[:, 0].max()) >= len(articles):
        raise ValueError("sentences point past the articles")
    sentences = [Sentence(id=i, article=a, paragraph=p, position=n, text=t)
                 for i, ((a, p, n), t) in enumerate(zip(positions.tolist(), texts))]
    quotes = [Quote(text=t, speaker=s, sentence=int(i), article=int(a)) for t, s, i, a in meta["quotes"]]
    index = SparseBM25Index.from_arrays(_prefixed(arrays, "index_"), meta["terms"])
    quote_index = SparseBM25Index.from_arrays(_prefixed(arrays, "quotes_"), meta["quote_terms"])
    if len(index) != len(sentences) or len(quote_index) != len(quotes):
        raise ValueError("index sizes do not match")
    return Corpus.assemble(articles=articles, sentences=sentences, facts=facts,
                           name_words=frozenset(meta["name_words"]),
                           aliases={k: frozenset(v) for k, v in meta["aliases"].items()},
                           topics=tuple(meta["topics"]), quotes=quotes, index=index, quote_index=quote_index)


class LazyFacts(Sequence):
    """Per-sentence facts, decoded from their JSON on first use (most sentences are never candidates)."""

    def __init__(self, encoded: list[str]):
        self._encoded = encoded
        self._decoded: dict[int, Facts] = {}

    def __len__(self) -> int:
        return len(self._encoded)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        found = self._decoded.get(i)
        if found is None:
            d, ag, an, du, am, na, q = json.loads(self._encoded[i])
            found = Facts(dates=tuple(d), ages=tuple(ag), age_names=tuple(tuple(n) for n in an),
                          durations=tuple(du), amounts=tuple(am), names=tuple(na), quoted=bool(q))
            self._decoded[i] = found
        return found

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and len(self) == len(other) and all(a == b for a, b in zip(self, other))


def _blob(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _unblob(array: np.ndarray) -> str:
    return array.tobytes().decode("utf-8")


def _prefixed(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}

