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
    monkeypatch.setattr(Corpus, "from_prepared", classmethod(fail))


def test_second_start_loads_the_cache_and_answers_the_same(knowledge_dir, monkeypatch):
    fresh = Assistant.from_directory(knowledge_dir)
    assert len(_cache_files(knowledge_dir)) == 1
    _forbid_building(monkeypatch)
    cached = Assistant.from_directory(knowledge_dir)
    for question in ["who led the repair", "when did the bridge reopen", "who is the pope", "what did the mayor say"]:
        assert cached.ask(question) == fresh.ask(question)
    assert cached.quote("grandchildren") == fresh.quote("grandchildren")
    assert cached.corpus.facts == fresh.corpus.facts and cached.corpus.aliases == fresh.corpus.aliases
    assert cached.corpus.initialisms == fresh.corpus.initialisms
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
    original = Corpus.from_prepared.__func__
    monkeypatch.setattr(Corpus, "from_prepared",
                        classmethod(lambda cls, *a, **k: built.append(1) or original(cls, *a, **k)))
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


def test_facts_survive_their_line_format():
    from bot.core.facts import Facts, decode_facts, encode_facts
    for facts in (Facts((), (), (), (), (), (), False),
                  Facts(("june 10", "2022"), ("27 year", "11 month"), (("halsey",), ()), ("since 2018",),
                        ("165 million",), ("alev aydin", "o'brien", "zoë"), True),
                  Facts((), ("3 year",), ((),), (), (), (), False)):
        assert decode_facts(encode_facts(facts)) == facts
    odd = Facts(("a\x1eb",), (), (), (), (), ("x\ny",), False)  # separators in a value cannot split it
    assert decode_facts(encode_facts(odd)) == Facts(("a b",), (), (), (), (), ("x y",), False)


def test_a_slow_build_says_what_it_is_doing(knowledge_dir, monkeypatch, caplog):
    import logging
    import time

    from bot.core import cache
    from bot.core.articles import read_knowledge

    caplog.set_level(logging.INFO)
    monkeypatch.setattr(cache, "SLOW_BUILD", 0.05)
    build = cache.build
    monkeypatch.setattr(cache, "build", lambda *a: (time.sleep(0.3), build(*a))[1])  # a slow build
    cache.load_or_build(knowledge_dir, read_knowledge(knowledge_dir))
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.core.cache"]
    assert any(m.startswith("indexing ") and "cached" in m for m in messages)
    assert any(m.startswith("indexed ") and " sentences of " in m for m in messages)


def test_the_cache_keeps_what_initials_stand_for(knowledge_dir, monkeypatch):
    (knowledge_dir / "transit.md").write_text("---\ntitle: Ferry Sold\noutlet: Harbor News\n"
                                              "url: https://harbor.example/ferry\npublished: 2023-03-06\n---\n\n"
                                              "The Riverside Transit Authority sold the ferry on Monday.\n")
    fresh = Assistant.from_directory(knowledge_dir)
    _forbid_building(monkeypatch)
    cached = Assistant.from_directory(knowledge_dir)
    assert cached.corpus.initialisms == fresh.corpus.initialisms
    assert cached.corpus.initialisms["rta"] == "riverside transit authority"


# ---- rebuilding from the articles prepared before ---------------------------------------------------
def _state(corpus: Corpus) -> dict:
    """Everything a corpus answers from, as plain values (to compare a rebuild with a fresh build)."""
    return dict(texts=[corpus.sentences.text(i) for i in range(len(corpus.sentences))],
                places=corpus.sentences.places.tolist(), facts=list(corpus.facts), kinds=corpus.kinds.tolist(),
                articles=[a.name for a in corpus.articles], name_words=corpus.name_words,
                proper_names=corpus.proper_names, named={k: v.tolist() for k, v in corpus.named.items()},
                aliases=corpus.aliases, initialisms=corpus.initialisms, topics=corpus.topics, quotes=corpus.quotes,
                index={k: v.tolist() for k, v in corpus.index.to_arrays().items()}, terms=corpus.index.vocabulary_list,
                quote_index={k: v.tolist() for k, v in corpus.quote_index.to_arrays().items()})


def _fresh(knowledge_dir) -> dict:
    return _state(Assistant.from_directory(knowledge_dir, use_cache=False, semantic=False).corpus)


def _prepared_count(monkeypatch) -> list[str]:
    from bot.core import cache
    prepared = []
    original = cache.prepare
    monkeypatch.setattr(cache, "prepare", lambda article: prepared.append(article.name) or original(article))
    return prepared


ADDED = """---
title: Ferry back
outlet: Harbor Times
url: https://example.org/ferry
---

The harbor ferry returned to service on Tuesday. Its captain, Ines Moreau, thanked the crew.
"""


def test_an_added_article_is_the_only_one_prepared_and_the_rebuild_equals_a_fresh_build(knowledge_dir, monkeypatch):
    Assistant.from_directory(knowledge_dir, semantic=False)
    prepared = _prepared_count(monkeypatch)
    (knowledge_dir / "zz-ferry.md").write_text(ADDED, encoding="utf-8")
    rebuilt = Assistant.from_directory(knowledge_dir, semantic=False)
    assert prepared == ["zz-ferry.md"]
    assert _state(rebuilt.corpus) == _fresh(knowledge_dir)
    assert "Tuesday" in rebuilt.ask("when did the harbor ferry return").answer


def test_an_article_naming_someone_new_changes_the_facts_of_those_that_mention_them(knowledge_dir, monkeypatch):
    # "Quill" only ever opens a sentence: not known as a name, so the first article's fact has no name
    (knowledge_dir / "a-quill.md").write_text(
        "---\ntitle: Notes\noutlet: Harbor Times\nurl: https://example.org/a\n---\n\n"
        "Quill rebuilt the pier in 2019.\n", encoding="utf-8")
    before = Assistant.from_directory(knowledge_dir, semantic=False).corpus
    assert "quill" not in before.name_words
    prepared = _prepared_count(monkeypatch)
    (knowledge_dir / "b-quill.md").write_text(
        "---\ntitle: More notes\noutlet: Bay Post\nurl: https://example.org/b\n---\n\n"
        "The council thanked Quill for the pier.\n", encoding="utf-8")
    after = Assistant.from_directory(knowledge_dir, semantic=False).corpus
    assert prepared == ["b-quill.md"]  # the other file is not parsed again: its facts are found anew
    first = next(i for i in range(len(after.sentences)) if after.sentences.text(i).startswith("Quill rebuilt"))
    assert "quill" in after.facts[first].names
    assert _state(after) == _fresh(knowledge_dir)


def test_a_removed_article_leaves_the_rebuild_and_its_record_goes(knowledge_dir):
    from bot.core.cache import ARTICLE_DIR
    (knowledge_dir / "zz-ferry.md").write_text(ADDED, encoding="utf-8")
    Assistant.from_directory(knowledge_dir, semantic=False)
    records = knowledge_dir / CACHE_DIR / ARTICLE_DIR
    count = len(list(records.glob("*.json")))
    (knowledge_dir / "zz-ferry.md").unlink()
    rebuilt = Assistant.from_directory(knowledge_dir, semantic=False)
    assert len(list(records.glob("*.json"))) == count - 1
    assert _state(rebuilt.corpus) == _fresh(knowledge_dir)


def test_a_broken_article_record_is_prepared_again(knowledge_dir, monkeypatch, caplog):
    from bot.core.cache import ARTICLE_DIR
    Assistant.from_directory(knowledge_dir, semantic=False)
    record = sorted((knowledge_dir / CACHE_DIR / ARTICLE_DIR).glob("*.json"))[0]
    record.write_text('{"format": 1, "texts": ["half a', encoding="utf-8")
    for old in _cache_files(knowledge_dir):
        old.unlink()
    prepared = _prepared_count(monkeypatch)
    with caplog.at_level(logging.WARNING, logger="bot.core.cache"):
        rebuilt = Assistant.from_directory(knowledge_dir, semantic=False)
    assert len(prepared) == 1 and "unusable" in caplog.text
    assert _state(rebuilt.corpus) == _fresh(knowledge_dir)
