from __future__ import annotations

import pytest

from bot.core.articles import load_articles, parse_article, read_knowledge
from bot.errors import KnowledgeError

GOOD = "---\ntitle: A Title\noutlet: The Outlet\nurl: https://x.example/a\npublished: 2024-01-02\n---\n\nFirst para.\n\nSecond\npara.\n"


def test_parses_front_matter_and_paragraphs():
    article = parse_article("a.md", GOOD.encode())
    assert (article.title, article.outlet, article.url, article.published) == (
        "A Title", "The Outlet", "https://x.example/a", "2024-01-02")
    assert article.paragraphs == ("First para.", "Second para.")
    assert article.credit == "The Outlet"


def test_via_is_shown_in_credit():
    article = parse_article("a.md", GOOD.replace("published", "via: Wire\npublished").encode())
    assert article.credit == "The Outlet (via Wire)"


@pytest.mark.parametrize("raw, expected", [
    ("just text\n", "has no front matter"),
    ("---\ntitle: T\noutlet: O\nurl: https://x.example\n", "front matter is not closed"),
    ("---\noutlet: O\nurl: https://x.example\n---\ntext\n", "no 'title'"),
    ("---\ntitle: T\nurl: https://x.example\n---\ntext\n", "no 'outlet'"),
    ("---\ntitle: T\noutlet: O\nurl: https://x.example\n---\n\n\n", "has no article text"),
    ("---\ntitle: T\noutlet: O\nurl: https://x.example\npublished: June 9\n---\ntext\n", "ISO date"),
    ("---\ntitle: T\noutlet: O\nurl: ftp://x\n---\ntext\n", "url must start with http"),
    ("---\ntitle T\noutlet: O\nurl: https://x.example\n---\ntext\n", "not 'key: value'"),
])
def test_broken_file_names_file_and_problem(raw, expected):
    with pytest.raises(KnowledgeError) as caught:
        parse_article("broken.md", raw.encode())
    assert any(p.startswith("broken.md: ") and expected in p for p in caught.value.problems), caught.value.problems


def test_not_utf8_is_reported_with_its_line():
    raw = GOOD.replace("First", "Caf\xe9").encode("latin-1")
    line = raw[:raw.index(b"\xe9")].count(b"\n") + 1
    with pytest.raises(KnowledgeError, match=rf"latin\.md: is not UTF-8 text \(byte 0xe9 on line {line},"):
        parse_article("latin.md", raw)


@pytest.mark.parametrize("key, hint", [
    ("date", "did you mean 'published'?"), ("tags", "known keys: title, outlet, url"),
    ("authr", "did you mean 'author'?"), ("permalink", "did you mean 'url'?"), ("image", "known keys")])
def test_unknown_keys_are_warnings_that_name_the_closest_key(key, hint):
    warnings: list[str] = []
    article = parse_article("a.md", GOOD.replace("---\n\n", f"{key}: x\n---\n\n", 1).encode(), warnings)
    assert article.title  # the article still loads
    assert len(warnings) == 1 and warnings[0].startswith(f"a.md: unknown front-matter key {key!r}") and hint in warnings[0]


def test_the_folder_names_what_is_not_an_article(knowledge_dir):
    (knowledge_dir / "notes.txt").write_text("to do")
    (knowledge_dir / "LOUD.MD").write_text(GOOD)
    (knowledge_dir / ".hidden").write_text("x")
    ignored: list[str] = []
    assert len(read_knowledge(knowledge_dir, ignored)) == len(load_articles(knowledge_dir))
    assert ignored == ["LOUD.MD: ignored: rename it to end in .md, lowercase, to make it an article",
                       "notes.txt: ignored: not a .md article"]
    (knowledge_dir / "folder.md").mkdir()
    with pytest.raises(KnowledgeError, match="folder.md: is a folder, not an article file"):
        load_articles(knowledge_dir)


def test_load_reports_every_broken_file_not_just_the_first(knowledge_dir):
    (knowledge_dir / "zz-one.md").write_text("no front matter\n")
    (knowledge_dir / "zz-two.md").write_text("---\ntitle: T\n---\n")
    with pytest.raises(KnowledgeError) as caught:
        load_articles(knowledge_dir)
    problems = "\n".join(caught.value.problems)
    assert "zz-one.md" in problems and "zz-two.md" in problems
    assert "zz-two.md: front matter has no 'outlet'" in problems


def test_missing_and_empty_folders_are_errors(tmp_path):
    with pytest.raises(KnowledgeError, match="does not exist"):
        load_articles(tmp_path / "nope")
    with pytest.raises(KnowledgeError, match="no articles found"):
        load_articles(tmp_path)


def test_shipped_knowledge_loads():
    from tests.conftest import SHIPPED_KNOWLEDGE
    articles = load_articles(SHIPPED_KNOWLEDGE)
    assert len(articles) == 3
    assert {a.outlet for a in articles} == {"Get Heard", "Elite Daily", "HollywoodLife"}
    text = " ".join(p for a in articles for p in a.paragraphs)
    for furniture in ("Go to Top", "View gallery", "Image Credit", "Getty Images", "More From Our Partners"):
        assert furniture not in text


def test_a_huge_article_of_repeated_paragraphs_leaves_the_other_answers_alone(knowledge_dir):
    from bot.core.assistant import Assistant

    questions = ["who led the repair", "when did the bridge reopen", "who ran the ferry", "who is the president of france"]
    before = Assistant.from_directory(knowledge_dir, use_cache=False, semantic=False)
    paragraphs = ["The council met on Tuesday to discuss the budget for the new library and the old town hall.",
                  "Residents asked for more parking near the station and longer hours at the pool."]
    (knowledge_dir / "council.md").write_text("---\ntitle: Council Notes\noutlet: Town Crier\nurl: https://town.example/n\n"
                                              "---\n\n" + "\n\n".join(paragraphs * 12_000) + "\n")
    assert (knowledge_dir / "council.md").stat().st_size > 2_000_000
    after = Assistant.from_directory(knowledge_dir, semantic=False)
    assert len(after.corpus.sentences) == len(before.corpus.sentences) + 2  # each paragraph once
    for question in questions:
        old, new = before.ask(question), after.ask(question)
        assert new.abstained == old.abstained and new.citations == old.citations, question
        assert old.abstained or new.answer == old.answer, question
    assert not after.ask("what did the council discuss on tuesday").abstained


@pytest.mark.parametrize("raw, expected", [
    (b"", "empty.md: is empty (0 bytes)"),
    (b" \n\n\t\r\n", "empty.md: is empty (only whitespace)"),  # not "has no front matter": there is nothing to fix in it
    (GOOD.encode().replace(b"First", b"Fi\0rst"), "empty.md: is not a text file (NUL byte on line 8, offset "),
    (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "empty.md: is not a text file (NUL byte on line 3, offset 8)"),
    (GOOD.encode("utf-16"), "empty.md: is not UTF-8 text (it starts like UTF-16, with bytes 0xff 0xfe)"),
])
def test_empty_and_binary_files_say_so(raw, expected):
    with pytest.raises(KnowledgeError) as caught:
        parse_article("empty.md", raw)
    assert caught.value.problems[0].startswith(expected), caught.value.problems


def test_a_nul_byte_in_a_folder_file_is_an_error_not_loaded_text(knowledge_dir):
    (knowledge_dir / "nul.md").write_bytes(GOOD.encode().replace(b"First", b"Fi\0rst"))  # once loaded NULs and all
    with pytest.raises(KnowledgeError, match=r"nul\.md: is not a text file"):
        load_articles(knowledge_dir)


def test_a_date_in_the_future_is_a_warning_and_the_article_is_kept():
    import datetime as dt

    warnings: list[str] = []
    article = parse_article("x.md", GOOD.replace("2024-01-02", "2999-01-01").encode(), warnings)
    assert article.published == "2999-01-01" and warnings == ["x.md: published 2999-01-01 is in the future"]
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()  # an outlet a timezone ahead
    parse_article("x.md", GOOD.replace("2024-01-02", tomorrow).encode(), warnings)
    assert len(warnings) == 1


def _copy(knowledge_dir, source: str, name: str, *changes: tuple[str, str]) -> None:
    text = (knowledge_dir / source).read_text(encoding="utf-8")
    for old, new in changes:
        assert old in text
        text = text.replace(old, new)
    (knowledge_dir / name).write_text(text, encoding="utf-8")


def test_a_copy_with_the_same_url_is_skipped_with_a_warning_even_after_the_cache_was_built(knowledge_dir, capsys):
    from bot.cli import main
    from bot.core.assistant import Assistant

    Assistant.from_directory(knowledge_dir, semantic=False)  # cached without the copy: it must not slip in beside it
    _copy(knowledge_dir, "ledger-bridge.md", "zz-copy.md", ("two-year repair", "long repair"),  # edited text,
          ("ledger.example/riverside-bridge", "LEDGER.example/riverside-bridge/ "))  # the url spelled otherwise
    warnings: list[str] = []
    names = [name for name, _ in read_knowledge(knowledge_dir, None, warnings)]
    assert "zz-copy.md" not in names
    assert [w for w in warnings if "skipped" in w] == [
        "zz-copy.md: skipped: the same article as ledger-bridge.md (same url)"]
    assert {a.name for a in Assistant.from_directory(knowledge_dir, semantic=False).corpus.articles} == set(names)
    assert main(["--knowledge", str(knowledge_dir), "check"]) == 0
    assert "warning: zz-copy.md: skipped: the same article as ledger-bridge.md (same url)" in capsys.readouterr().out


def test_the_same_text_under_another_url_and_title_is_skipped(knowledge_dir):
    _copy(knowledge_dir, "ledger-bridge.md", "zz-syndicated.md", ("Riverside Bridge Reopens", "Bridge Open"),
          ("Daily Ledger", "Wire"), ("ledger.example/riverside-bridge", "wire.example/bridge"))
    _copy(knowledge_dir, "zz-syndicated.md", "zzz-again.md", ("wire.example", "else.example"))
    warnings: list[str] = []
    assert len(read_knowledge(knowledge_dir, None, warnings)) == 3
    assert warnings == ["zz-syndicated.md: skipped: the same article as ledger-bridge.md (same text)",
                        "zzz-again.md: skipped: the same article as ledger-bridge.md (same text)"]
    assert sorted(a.name for a in load_articles(knowledge_dir)) == ["coastal-ferry.md", "ledger-bridge.md",
                                                                     "metro-bridge.md"]


def test_different_articles_without_a_url_are_not_copies_of_each_other(knowledge_dir):
    # the url is required, so both are errors: each must be reported, neither hidden as the other's copy
    for name, text in (("no-url-1.md", "One thing."), ("no-url-2.md", "Another thing.")):
        (knowledge_dir / name).write_text(f"---\ntitle: Same Title\noutlet: O\nurl:\n---\n\n{text}\n")
    warnings: list[str] = []
    assert {"no-url-1.md", "no-url-2.md"} <= {name for name, _ in read_knowledge(knowledge_dir, None, warnings)}
    assert warnings == []
    with pytest.raises(KnowledgeError) as caught:
        load_articles(knowledge_dir)
    assert {p.split(":")[0] for p in caught.value.problems} == {"no-url-1.md", "no-url-2.md"}
