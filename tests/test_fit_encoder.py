"""The question adapter's fitting: the training forward pass is the bot's, and the answer model is fitted
on cosines from an adapter that never saw the question's article."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from bot.core import embeddings
from bot.core.embeddings import encoder
from tests.conftest import PROJECT

sys.path.insert(0, str(PROJECT / "bench"))
import fit_encoder  # noqa: E402
import fit_scoring  # noqa: E402

TEXTS = ["who led the repair", "When did the span first carry traffic?"]


def _adapter_arrays(zero: bool) -> dict[str, np.ndarray]:
    with np.load(embeddings.QUESTION_ADAPTER) as stored:
        return {k: (np.zeros_like(stored[k]) if zero else stored[k]) for k in stored.files if k.endswith((".a", ".b"))}


def test_the_training_forward_pass_is_the_bots():
    torch = pytest.importorskip("torch", reason="PyTorch is only needed to fit the adapter")
    model, shipped = fit_encoder.QuestionModel(torch), _adapter_arrays(False)
    for key, (a, b) in model.pairs.items():
        a.data, b.data = torch.tensor(shipped[key + ".a"]), torch.tensor(shipped[key + ".b"])
    with torch.no_grad():
        adapted, plain = model.encode(TEXTS).numpy(), model.encode(TEXTS, adapted=False).numpy()
    assert np.allclose(adapted, encoder().encode_question(TEXTS), atol=1e-5)
    assert np.allclose(plain, encoder().encode(TEXTS), atol=1e-5)


def test_each_tune_question_is_read_by_the_adapter_fitted_without_its_article(tmp_path):
    folder = tmp_path / "adapters"
    folder.mkdir()
    # half-0 was fitted on article B (so it reads A's questions), half-1 on article A
    np.savez(folder / "half-0.npz", **_adapter_arrays(False), trained_on=np.array(["B"]))
    np.savez(folder / "half-1.npz", **_adapter_arrays(True), trained_on=np.array(["A"]))
    reader = fit_scoring.held_out_adapters(tmp_path)
    assert np.allclose(reader({"note": "A"})(TEXTS), encoder().encode_question(TEXTS), atol=1e-6)
    assert np.allclose(reader({"note": "B"})(TEXTS), encoder().encode(TEXTS), atol=1e-6)
    assert reader({"note": "a dev question's note"}) is None  # read as the bot reads it


def test_missing_held_out_adapters_say_what_to_run(tmp_path):
    with pytest.raises(SystemExit, match="fit_encoder.py"):
        fit_scoring.held_out_adapters(tmp_path)
