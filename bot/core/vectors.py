"""Sentence vectors for a corpus, computed once per article and cached by the article's sentences.

`knowledge/.cache/vectors/<key>.npy` holds one article's vectors as float16 (half the disk; a cosine
moves by under 0.001). The key hashes the model's weights and the article's sentence texts, so an
added article costs only its own sentences, and an edited one is embedded anew. Vectors of articles
no longer in the folder are removed when the folder's vectors are next assembled.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from bot.core.corpus import Corpus
from bot.core.embeddings import DIMENSIONS, WEIGHTS_SHA256

log = logging.getLogger(__name__)

VECTOR_DIR = "vectors"
_PROGRESS_EVERY = 30.0  # seconds between progress lines while a large folder is embedded
# An article is embedded this many sentences at a time: the tokenizer holds every text of one encode
# call at once, so one huge article (a 61 MB file of 246,394 sentences took 4.4 GB in one call) would
# grow memory without bound and log nothing until it was done. Slices keep both bounded.
_SLICE_SENTENCES = 1024
Encode = Callable[[list[str]], np.ndarray]


def sentence_vectors(corpus: Corpus, encode: Encode, cache: Path | None = None) -> np.ndarray:
    """One unit vector per sentence of the corpus (float32, sentences × DIMENSIONS).

    With a cache folder, articles embedded before are read from it and new ones are written to it."""
    table = corpus.sentences
    counts = table.counts_per_article(len(corpus.articles))
    bounds = np.concatenate(([0], np.cumsum(counts))).astype(int).tolist()
    vectors = np.zeros((len(table), DIMENSIONS), dtype=np.float32)
    folder = cache / VECTOR_DIR if cache is not None else None
    missing: list[tuple[int, str]] = []
    keys = []
    for a in range(len(corpus.articles)):
        texts = [table.text(i) for i in range(bounds[a], bounds[a + 1])]
        key = _key(texts)
        keys.append(key)
        stored = _read(folder / f"{key}.npy", len(texts)) if folder is not None else None
        if stored is not None:
            vectors[bounds[a]:bounds[a + 1]] = stored
        elif texts:
            missing.append((a, key))
    todo = sum(counts[a] for a, _ in missing)
    if todo:
        log.info("embedding %d sentences of %d articles (once; then cached)", todo, len(missing))
    started = last = time.monotonic()
    done = 0
    for a, key in missing:
        start, end = bounds[a], bounds[a + 1]
        for first in range(start, end, _SLICE_SENTENCES):
            stop = min(first + _SLICE_SENTENCES, end)
            vectors[first:stop] = encode([table.text(i) for i in range(first, stop)])
            done += stop - first
            now = time.monotonic()
            if now - last >= _PROGRESS_EVERY:
                last = now
                log.info("embedded %d of %d sentences (%.0f a second)", done, todo, done / (now - started))
        if folder is not None:  # once the whole article is embedded: never a partial vector file
            _write(folder / f"{key}.npy", vectors[start:end])
    if folder is not None and folder.is_dir():
        keep = {f"{k}.npy" for k in keys}
        for old in folder.glob("*.npy"):
            if old.name not in keep:
                with contextlib.suppress(OSError):  # (a folder made read-only since: only costs disk)
                    old.unlink(missing_ok=True)
    return vectors


def _key(texts: list[str]) -> str:
    digest = hashlib.sha256(WEIGHTS_SHA256.encode())
    for text in texts:
        digest.update(text.encode("utf-8") + b"\0")
    return digest.hexdigest()[:32]


def _read(path: Path, count: int) -> np.ndarray | None:
    try:
        stored = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        return None
    except Exception as exc:  # corrupt or foreign: embedded again, never trusted
        log.warning("vector cache %s is unusable (%s); embedding that article again", path.name, type(exc).__name__)
        return None
    if stored.shape != (count, DIMENSIONS) or not np.isfinite(stored).all():
        return None
    return stored.astype(np.float32)


def _write(path: Path, vectors: np.ndarray) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, suffix=".tmp", delete=False) as out:
            np.save(out, vectors.astype(np.float16))
        Path(out.name).replace(path)  # atomic: a reader never sees half a file
    except OSError as exc:
        log.debug("cannot cache vectors in %s: %s", path.parent, exc)
