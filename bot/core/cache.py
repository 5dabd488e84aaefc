"""The prepared corpus saved beside the knowledge, so a restart loads it instead of rebuilding it.

The file is `knowledge/.cache/corpus-<key>.npz`: NumPy arrays plus one JSON document, read with
allow_pickle=False, so a foreign file can never run code. The key hashes every article file (name and
bytes), the core's own source and the stemmer's version, so an edited article or a new tokenizer is
never served a stale index. A missing, corrupt or foreign file is rebuilt; a folder we cannot write to
only costs speed.

Rebuilding starts from `knowledge/.cache/articles/<key>.json`, each article as prepared.py made it,
keyed by its file the same way: an added or edited article is the only one parsed and split again.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import logging
import tempfile
import threading
import time
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.core.articles import Article, parse_knowledge
from bot.core.corpus import Corpus, named_under
from bot.core.facts import LazyFacts, encode_facts
from bot.core.prepared import Prepared, from_json, prepare, to_json
from bot.core.quotes import Quote
from bot.core.search import SparseBM25Index
from bot.core.sentences import SentenceTable

log = logging.getLogger(__name__)

CACHE_DIR = ".cache"
ARTICLE_DIR = "articles"
FORMAT = 10
SLOW_BUILD = 3.0  # seconds of indexing after which a start-up says what it is doing
_CORE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """Changes whenever the code that shapes the index changes: ours, and the stemmer's (its stems are
    the index's terms)."""
    digest = hashlib.sha256(f"format {FORMAT} PyStemmer {importlib.metadata.version('PyStemmer')}".encode())
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
        corpus = build(directory, files)
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


def build(directory: Path, files: list[tuple[str, bytes]]) -> Corpus:
    """The corpus of these files, from the articles prepared before where they are stored; new and
    changed ones are parsed (raising KnowledgeError), prepared and stored for next time."""
    folder = directory / CACHE_DIR / ARTICLE_DIR
    keys = [knowledge_key([file]) for file in files]
    stored = [_read_prepared(folder / f"{key}.json") for key in keys]
    missing = [i for i, p in enumerate(stored) if p is None]
    if missing or not files:
        parsed = iter(parse_knowledge(directory, [files[i] for i in missing]))
        stored = [p if p is not None else prepare(next(parsed)) for p in stored]
    prepared = named_under(stored)
    for key, before, after in zip(keys, stored, prepared):
        if after is not before or before.named is None:
            _write_prepared(folder / f"{key}.json", after)
    if folder.is_dir():
        keep = {f"{key}.json" for key in keys}
        for old in folder.glob("*.json"):
            if old.name not in keep:
                with contextlib.suppress(OSError):  # (a folder made read-only since: only costs disk)
                    old.unlink(missing_ok=True)
    return Corpus.from_prepared(prepared)


def _read_prepared(path: Path) -> Prepared | None:
    try:
        return from_json(json.loads(path.read_bytes()))
    except FileNotFoundError:
        return None
    except Exception as exc:  # corrupt or foreign: prepared again, never trusted
        log.warning("article cache %s is unusable (%s); preparing that article again", path.name, type(exc).__name__)
        return None


def _write_prepared(path: Path, prepared: Prepared) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False, encoding="utf-8") as out:
            json.dump(to_json(prepared), out, ensure_ascii=False, separators=(",", ":"))
        Path(out.name).replace(path)  # atomic: a reader never sees half a file
    except OSError as exc:
        log.debug("cannot cache a prepared article in %s: %s", path.parent, exc)


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
        "initialisms": corpus.initialisms,
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
    facts = corpus.facts
    arrays["facts"] = np.frombuffer(facts.encoded, dtype=np.uint8) if isinstance(facts, LazyFacts) else \
        _blob("\n".join(encode_facts(f) for f in facts))
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
                           initialisms=meta["initialisms"],
                           topics=tuple(meta["topics"]), quotes=quotes, index=index, quote_index=quote_index)


def _blob(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _prefixed(arrays: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {k[len(prefix):]: v for k, v in arrays.items() if k.startswith(prefix)}

