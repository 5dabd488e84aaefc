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
import threading
import time
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.core.articles import Article, parse_knowledge
from bot.core.corpus import Corpus
from bot.core.facts import Facts
from bot.core.quotes import Quote
from bot.core.search import SparseBM25Index
from bot.core.sentences import SentenceTable

log = logging.getLogger(__name__)

CACHE_DIR = ".cache"
FORMAT = 8
SLOW_BUILD = 3.0  # seconds of indexing after which a start-up says what it is doing
DECODED_FACTS_KEPT = 4096  # enough for the candidates of many questions; a long-running bot stays bounded
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


def load_or_build(directory: Path, files: list[tuple[str, bytes]]) -> Corpus:
    """The corpus for exactly these article files: from the cache when it holds them, else built
    (which parses and validates every file, raising KnowledgeError) and saved for next time.

    A cache is only ever written for files that parsed cleanly, and its key covers their exact bytes,
    so a hit needs no parsing at all."""
    key = knowledge_key(files)
    path = cache_path(directory, key)
    if path.exists():
        try:
            return load(path, key, [name for name, _ in files])
        except Exception as exc:  # corrupt, truncated, foreign: never trusted, never fatal
            log.warning("index cache %s is unusable (%s); rebuilding it", path.name, type(exc).__name__)
    started = time.monotonic()
    notice = threading.Timer(SLOW_BUILD, log.info, ("indexing %d articles; this takes a while once, then "
                                                    "the index is cached", len(files)))
    notice.daemon = True
    notice.start()  # said only when building is slow enough to wonder about (a large folder)
    try:
        corpus = Corpus.build(parse_knowledge(directory, files))
    finally:
        notice.cancel()
    if time.monotonic() - started >= SLOW_BUILD:
        log.info("indexed %d sentences of %d articles in %.0f s", len(corpus.sentences), len(files),
                 time.monotonic() - started)
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
        "articles": [[a.name, a.title, a.outlet, a.url, a.published, a.author, a.via] for a in corpus.articles],
        "name_words": sorted(corpus.name_words),
        "proper_names": sorted(corpus.proper_names),
        "named": {name: ids.tolist() for name, ids in corpus.named.items()},
        "aliases": {k: sorted(v) for k, v in corpus.aliases.items()},
        "topics": list(corpus.topics),
        "quotes": [[q.text, q.speaker, q.sentence, q.article] for q in corpus.quotes],
        "terms": corpus.index.vocabulary_list,
        "quote_terms": corpus.quote_index.vocabulary_list,
    }
    arrays = {f"index_{k}": v for k, v in corpus.index.to_arrays().items()}
    arrays.update({f"quotes_{k}": v for k, v in corpus.quote_index.to_arrays().items()})
    table = corpus.sentences
    arrays["sentences"], arrays["offsets"] = table.places, table.offsets
    arrays["texts"] = np.frombuffer(table.blob, dtype=np.uint8)
    arrays["meta"] = np.frombuffer(json.dumps(meta, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
    # Facts as one line per sentence, decoded only for sentences in use.
    arrays["facts"] = _blob("\n".join(_encode_facts(f) for f in corpus.facts))
    arrays["kinds"] = corpus.kinds
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


def load(path: Path, key: str, names: list[str]) -> Corpus:
    with np.load(path, allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    meta = json.loads(arrays["meta"].tobytes().decode("utf-8"))
    if meta.get("format") != FORMAT or meta.get("key") != key:
        raise ValueError("cache was written for other contents")
    articles = [Article(name=n, title=t, outlet=o, url=u, published=p, author=au, via=v, paragraphs=())
                for n, t, o, u, p, au, v in meta["articles"]]
    if [a.name for a in articles] != names:
        raise ValueError("cache was written for other files")
    sentences = SentenceTable(arrays["sentences"], arrays["texts"].tobytes(), arrays["offsets"])
    facts = LazyFacts(arrays["facts"].tobytes(), count=len(sentences))
    kinds = arrays["kinds"]
    if kinds.dtype != np.uint8 or kinds.shape != (len(sentences),):
        raise ValueError("fact kinds do not match the sentences")
    if len(sentences) and int(sentences.places[:, 0].max()) >= len(articles):
        raise ValueError("sentences point past the articles")
    quotes = [Quote(text=t, speaker=s, sentence=int(i), article=int(a)) for t, s, i, a in meta["quotes"]]
    index = SparseBM25Index.from_arrays(_prefixed(arrays, "index_"), meta["terms"])
    quote_index = SparseBM25Index.from_arrays(_prefixed(arrays, "quotes_"), meta["quote_terms"])
    if len(index) != len(sentences) or len(quote_index) != len(quotes):
        raise ValueError("index sizes do not match")
    return Corpus.assemble(articles=articles, sentences=sentences, facts=facts, kinds=kinds,
                           name_words=frozenset(meta["name_words"]), proper_names=frozenset(meta["proper_names"]),
                           named={name: np.asarray(ids, dtype=np.int32) for name, ids in meta["named"].items()},
                           aliases={k: frozenset(v) for k, v in meta["aliases"].items()},
                           topics=tuple(meta["topics"]), quotes=quotes, index=index, quote_index=quote_index)


class LazyFacts(Sequence):
    """Per-sentence facts, decoded from their JSON line on first use (most sentences are never candidates).

    The lines stay in one bytes object with an offsets array: no per-sentence Python object until used."""

    def __init__(self, encoded: bytes, count: int):
        self._encoded = encoded
        ends = np.flatnonzero(np.frombuffer(encoded, dtype=np.uint8) == ord("\n"))
        starts = np.concatenate(([0], ends + 1)).astype(np.int64) if count else np.zeros(0, np.int64)
        if len(starts) != count:
            raise ValueError("facts do not match the sentences")
        # memoryviews: their items are Python ints, quicker to slice with than NumPy scalars
        self._starts = memoryview(starts)
        self._ends = memoryview(np.concatenate((ends, [len(encoded)])).astype(np.int64) if count else starts)
        self._decoded: dict[int, Facts] = {}

    def __len__(self) -> int:
        return len(self._starts)

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        found = self._decoded.get(i)
        if found is None:
            if not -len(self) <= i < len(self):
                raise IndexError(i)
            i %= len(self)
            found = _decode_facts(self._encoded[self._starts[i]:self._ends[i]].decode("utf-8"))
            if len(self._decoded) >= DECODED_FACTS_KEPT:
                del self._decoded[next(iter(self._decoded))]  # the oldest decoded
            self._decoded[i] = found
        return found

    def __eq__(self, other) -> bool:
        return isinstance(other, Sequence) and len(self) == len(other) and all(a == b for a, b in zip(self, other))


# A sentence's facts as one line of plain separators rather than JSON: a question decodes the facts of
# a dozen candidates, and splitting takes a third of the time json.loads and rebuilding tuples did.
_FIELD, _VALUE, _NAME = "\x1e", "\x1f", "\x1d"  # (facts are words and digits; a stray one becomes a space)
_SEPARATORS_AS_SPACES = str.maketrans({c: " " for c in (_FIELD, _VALUE, _NAME, "\n")})


def _encode_facts(f: Facts) -> str:
    def joined(values, separator=_VALUE) -> str:
        return separator.join(v.translate(_SEPARATORS_AS_SPACES) for v in values)
    return _FIELD.join([joined(f.dates), joined(f.ages), _VALUE.join(joined(n, _NAME) for n in f.age_names),
                        joined(f.durations), joined(f.amounts), joined(f.names), "1" if f.quoted else ""])


def _decode_facts(line: str) -> Facts:
    dates, ages, age_names, durations, amounts, names, quoted = line.split(_FIELD)
    return Facts(dates=_split(dates), ages=_split(ages),
                 age_names=tuple(_split(n, _NAME) for n in age_names.split(_VALUE)) if ages else (),
                 durations=_split(durations), amounts=_split(amounts), names=_split(names), quoted=bool(quoted))


def _split(field: str, separator: str = _VALUE) -> tuple[str, ...]:
    return tuple(field.split(separator)) if field else ()


def _blob(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _prefixed(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}

