"""The semantic stage with the real model: vectors, their checksum, and the per-article cache."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from bot.core import embeddings
from bot.core.assistant import Assistant
from bot.core.cache import CACHE_DIR
from bot.core.embeddings import DIMENSIONS, Encoder, encoder, model_directory
from bot.errors import ModelError
from bot.core.vectors import VECTOR_DIR


def test_vectors_are_unit_length_and_put_paraphrases_together():
    vectors = encoder().encode(["When did the span first carry traffic?",
                                "The bridge was opened to cars in May.",
                                "The chef cooked pasta for dinner.", ""])
    assert vectors.shape == (4, DIMENSIONS) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    question, paraphrase, unrelated = vectors[:3]
    assert question @ paraphrase > question @ unrelated + 0.2


def test_batching_and_padding_change_no_vector():
    texts = ["A short one.", "A much longer sentence, with many more words in it than the first one has."]
    together = encoder().encode(texts)
    alone = np.vstack([encoder().encode([t]) for t in texts])
    assert np.allclose(together, alone, atol=1e-5)


def test_questions_are_read_with_the_fitted_adapter_and_sentences_without():
    model = encoder()
    texts = ["When did the span first carry traffic?", "The bridge was opened to cars in May."]
    adapted, plain = model.encode_question(texts), model.encode(texts)
    assert np.allclose(np.linalg.norm(adapted, axis=1), 1.0, atol=1e-5)
    assert (adapted * plain).sum(axis=1).max() < 0.999  # the adapter changes how a question is read
    unrelated = model.encode(["The chef cooked pasta for dinner."])[0]
    assert adapted[0] @ plain[1] > adapted[0] @ unrelated + 0.2


def test_an_adapter_of_zeros_is_the_model_itself(tmp_path):
    with np.load(embeddings.QUESTION_ADAPTER) as stored:
        zeros = {key: np.zeros_like(stored[key]) for key in stored.files if key.endswith((".a", ".b"))}
    np.savez(tmp_path / "zero.npz", **zeros)
    texts = ["who led the repair", "The repair was led by engineer Tomas Ruiz."]
    assert np.allclose(encoder().encode(texts, embeddings.Adapter(tmp_path / "zero.npz")), encoder().encode(texts),
                       atol=1e-6)


def test_a_broken_question_adapter_is_named(tmp_path):
    broken = tmp_path / "question_adapter.npz"
    broken.write_bytes(b"not a zip file")
    model = Encoder(model_directory(), question_adapter=broken)
    with pytest.raises(ModelError, match="question adapter") as error:
        model.encode_question(["who led the repair"])
    assert str(broken) in str(error.value)


def test_a_corrupt_model_file_is_named_and_refused(tmp_path):
    for name in ("model.safetensors", "tokenizer.json"):
        shutil.copy(model_directory() / name, tmp_path / name)
    with open(tmp_path / "model.safetensors", "r+b") as f:
        f.seek(10_000)
        f.write(b"\x00\x01\x02\x03")
    with pytest.raises(ModelError, match="corrupt") as error:
        Encoder(tmp_path)
    assert str(tmp_path / "model.safetensors") in str(error.value)


def test_a_missing_model_says_what_to_install(monkeypatch, tmp_path):
    with pytest.raises(ModelError, match="incomplete"):
        Encoder(tmp_path)
    monkeypatch.setattr(embeddings, "MODEL_PACKAGE", "no_such_model_package")
    with pytest.raises(ModelError, match="not installed.*SEMANTIC=off"):
        model_directory()


def test_adding_an_article_embeds_only_that_article(knowledge_dir):
    encoded: list[int] = []

    def counting(texts):
        encoded.append(len(texts))
        return encoder().encode(texts)

    first = Assistant.from_directory(knowledge_dir)
    (knowledge_dir / "late-news.md").write_text(
        "---\ntitle: Water Taxi Starts\noutlet: Late News\nurl: https://late.example/taxi\npublished: 2023-03-06\n---\n\n"
        "A water taxi began carrying commuters on Monday. It runs every twenty minutes.\n", encoding="utf-8")
    from bot.core.vectors import sentence_vectors
    second = Assistant.from_directory(knowledge_dir, semantic=False).corpus
    vectors = sentence_vectors(second, counting, knowledge_dir / CACHE_DIR)
    new = [a.name for a in second.articles].index("late-news.md")
    assert encoded == [second.sentences.counts_per_article(len(second.articles))[new]] == [2]
    old = second.sentences.places[:, 0] != new
    assert np.allclose(vectors[old], first.corpus.vectors, atol=2e-3)  # (float16 on disk)
    assert len(list((knowledge_dir / CACHE_DIR / VECTOR_DIR).glob("*.npy"))) == 4


def test_a_corrupt_vector_file_is_embedded_again(knowledge_dir):
    fresh = Assistant.from_directory(knowledge_dir).corpus.vectors
    for path in (knowledge_dir / CACHE_DIR / VECTOR_DIR).glob("*.npy"):
        path.write_bytes(b"not a numpy file")
    again = Assistant.from_directory(knowledge_dir).corpus.vectors
    assert np.allclose(fresh, again, atol=2e-3)


def test_the_semantic_stage_finds_a_paraphrase_with_no_shared_word(assistant):
    answer = assistant.ask("when did cars go back over the river crossing")
    assert not answer.abstained
    assert "March" in answer.answer


def test_the_cli_names_what_to_fix_when_the_model_is_missing(monkeypatch, capsys, knowledge_dir):
    from bot.cli import main
    monkeypatch.setattr(embeddings, "MODEL_PACKAGE", "no_such_model_package")
    encoder.cache_clear()
    try:
        assert main(["--knowledge", str(knowledge_dir), "ask", "who led the repair"]) == 1
        err = capsys.readouterr().err
        assert err.startswith("error: the embedding model is not installed") and "Traceback" not in err
        monkeypatch.setenv("SEMANTIC", "off")  # the way out the message names
        assert main(["--knowledge", str(knowledge_dir), "ask", "who led the repair"]) == 0
        assert "Tomas Ruiz" in capsys.readouterr().out
    finally:
        encoder.cache_clear()


def test_a_large_article_is_embedded_in_slices_with_progress(monkeypatch, caplog, tmp_path):
    from bot.core import vectors as vectors_module
    from bot.core.vectors import sentence_vectors
    knowledge = tmp_path / "knowledge"
    knowledge.mkdir()
    words = ["bridge", "ferry", "council", "harbor", "market", "school", "river", "station"]
    body = " ".join(f"Report {i} says the {words[i % 8]} {'was busy ' * (i % 5)}on day {i}." for i in range(40))
    (knowledge / "long.md").write_text(
        "---\ntitle: A Long Report\noutlet: Daily Ledger\nurl: https://ledger.example/long\npublished: 2023-03-04\n"
        f"---\n\n{body}\n", encoding="utf-8")
    corpus = Assistant.from_directory(knowledge, semantic=False).corpus
    texts = [corpus.sentences.text(i) for i in range(len(corpus.sentences))]
    assert len(corpus.articles) == 1 and len(texts) == 40
    monkeypatch.setattr(vectors_module, "_SLICE_SENTENCES", 16)
    monkeypatch.setattr(vectors_module, "_PROGRESS_EVERY", 0.0)  # a progress line after every slice
    calls: list[int] = []

    def counting(batch):
        calls.append(len(batch))
        return encoder().encode(batch)

    with caplog.at_level("INFO", logger=vectors_module.__name__):
        sliced = sentence_vectors(corpus, counting, tmp_path / "cache")
    assert calls == [16, 16, 8]  # bounded slices, in order
    assert np.allclose(sliced, encoder().encode(texts), atol=1e-5)  # as if embedded in one call
    progress = [r.getMessage() for r in caplog.records if r.getMessage().startswith("embedded ")]
    assert [p.split(" a second")[0].split(" (")[0] for p in progress] == [
        "embedded 16 of 40 sentences", "embedded 32 of 40 sentences", "embedded 40 of 40 sentences"]
    stored = list((tmp_path / "cache" / VECTOR_DIR).glob("*.npy"))  # one file, the whole article
    assert len(stored) == 1 and np.load(stored[0]).shape == (40, DIMENSIONS)
