"""The index cache: used when the articles are unchanged, never stale, never trusted when broken."""

from __future__ import annotations

import logging

import numpy as np
import pytest

from bot.core.assistant import Assistant
from bot.core.cache import CACHE_DIR
from bot.core.corpus import Corpus


def _cache_files(knowledge_dir):
    return sorted((knowledge_dir / CACHE_DIR).glob("corpus-*.npz"))


def _forbid_building(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the corpus was rebuilt although the cache was valid")
    monkeypatch.setattr(Corpus, "build", classmethod(fail))


def test_second_start_loads_the_cache_and_answers_the_same(knowledge_dir, monkeypatch):
    fresh = Assistant.from_directory(knowledge_dir)
    assert len(_cache_files(knowledge_dir)) == 1
    _forbid_building(monkeypatch)
    cached = Assistant.from_directory(knowledge_dir)
    for question in ["who led the repair", "when did the bridge reopen", "who is the pope", "what did the mayor say"]:
        assert cached.ask(question) == fresh.ask(question)
    assert cached.quote("grandchildren") == fresh.quote("grandchildren")
    assert cached.corpus.facts == fresh.corpus.facts and cached.corpus.aliases == fresh.corpus.aliases
    assert cached.corpus.kinds.tolist() == fresh.corpus.kinds.tolist() and fresh.corpus.kinds.any()


def test_an_edited_article_is_never_served_stale(knowledge_dir):
    Assistant.from_directory(knowledge_dir)
    old = _cache_files(knowledge_dir)
    path = knowledge_dir / "coastal-ferry.md"
    path.write_text(path.read_text().replace("Captain Lee Moreno", "Captain Ada Quill"))
    answer = Assistant.from_directory(knowledge_dir).ask("who ran the ferry")
    assert "Ada Quill" in answer.answer and "Moreno" not in answer.answer
    assert _cache_files(knowledge_dir) != old and len(_cache_files(knowledge_dir)) == 1  # old one removed


@pytest.mark.parametrize("content", [b"not a zip file at all", b"PK\x03\x04truncated"])
def test_corrupt_cache_is_rebuilt_with_a_warning(knowledge_dir, content, caplog):
    Assistant.from_directory(knowledge_dir)
    cache = _cache_files(knowledge_dir)[0]
    cache.write_bytes(content)
    with caplog.at_level(logging.WARNING, logger="bot.core.cache"):
        answer = Assistant.from_directory(knowledge_dir).ask("who led the repair")
    assert "Tomas Ruiz" in answer.answer
    assert "unusable" in caplog.text and cache.read_bytes() != content  # replaced by a good one


def test_foreign_cache_with_pickled_objects_is_not_trusted(knowledge_dir):
    Assistant.from_directory(knowledge_dir)
    cache = _cache_files(knowledge_dir)[0]
    with cache.open("wb") as out:  # object arrays need pickle, which loading refuses
        np.savez(out, meta=np.array([{"format": 1}], dtype=object))
    assert "Tomas Ruiz" in Assistant.from_directory(knowledge_dir).ask("who led the repair").answer


def test_cache_written_for_other_contents_is_not_used(knowledge_dir, monkeypatch):
    Assistant.from_directory(knowledge_dir)
    cache = _cache_files(knowledge_dir)[0]
    stored = dict(np.load(cache))
    # same file name, but the key inside says it belongs to other articles
    meta = stored["meta"].tobytes().decode().replace('"key": "', '"key": "x', 1)
    stored["meta"] = np.frombuffer(meta.encode(), dtype=np.uint8)
    with cache.open("wb") as out:
        np.savez(out, **stored)
    built = []
    original = Corpus.build.__func__
    monkeypatch.setattr(Corpus, "build", classmethod(lambda cls, *a, **k: built.append(1) or original(cls, *a, **k)))
    Assistant.from_directory(knowledge_dir)
    assert built == [1]


def test_cache_with_arrays_of_the_wrong_kind_is_rebuilt(knowledge_dir, caplog):
    Assistant.from_directory(knowledge_dir)
    cache = _cache_files(knowledge_dir)[0]
    stored = dict(np.load(cache))
    stored["kinds"] = stored["kinds"].astype(np.float64)  # right length, wrong kind: would fail mid-answer
    with cache.open("wb") as out:
        np.savez(out, **stored)
    with caplog.at_level(logging.WARNING, logger="bot.core.cache"):
        answer = Assistant.from_directory(knowledge_dir).ask("when did the bridge reopen")
    assert not answer.abstained and "unusable" in caplog.text


def test_decoded_facts_stay_bounded_however_long_the_bot_runs(knowledge_dir, monkeypatch):
    from bot.core import facts as facts_module
    Assistant.from_directory(knowledge_dir)
    corpus = Assistant.from_directory(knowledge_dir).corpus
    facts = corpus.facts  # loaded: decoded on use
    fresh = [facts_module.find_facts(corpus.sentences.text(i), corpus.name_words) for i in range(len(facts))]
    monkeypatch.setattr(facts_module, "DECODED_FACTS_KEPT", 3)
    for round_ in range(2):
        for i in range(len(facts)):
            assert facts[i] == fresh[i]  # evicted ones decode again, the same
    assert len(facts._decoded) <= 3 < len(facts)


def test_facts_survive_the_cache_line_format():
    from bot.core.facts import decode_facts as _decode_facts, encode_facts as _encode_facts
    from bot.core.facts import Facts
    for facts in (Facts((), (), (), (), (), (), False),
                  Facts(("june 10", "2022"), ("27 year", "11 month"), (("halsey",), ()), ("since 2018",),
                        ("165 million",), ("alev aydin", "o'brien", "zoë"), True),
                  Facts((), ("3 year",), ((),), (), (), (), False)):
        assert _decode_facts(_encode_facts(facts)) == facts
    odd = Facts(("a\x1eb",), (), (), (), (), ("x\ny",), False)  # separators in a value cannot split it
    assert _decode_facts(_encode_facts(odd)) == Facts(("a b",), (), (), (), (), ("x y",), False)


def test_a_slow_build_says_what_it_is_doing(knowledge_dir, monkeypatch, caplog):
    import logging
    import time

    from bot.core import cache
    from bot.core.articles import read_knowledge

    caplog.set_level(logging.INFO)
    monkeypatch.setattr(cache, "SLOW_BUILD", 0.05)
    build = cache.Corpus.build
    monkeypatch.setattr(cache.Corpus, "build", lambda *a: (time.sleep(0.3), build(*a))[1])  # a slow build
    cache.load_or_build(knowledge_dir, read_knowledge(knowledge_dir))
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.core.cache"]
    assert any(m.startswith("indexing ") and "cached" in m for m in messages)
    assert any(m.startswith("indexed ") and " sentences of " in m for m in messages)
