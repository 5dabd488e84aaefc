from __future__ import annotations

import pytest

from bot.core.articles import load_articles, parse_article
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
    ("---\ntitle: T\noutlet: O\nurl: https://x.example\nauthr: Me\n---\ntext\n", "unknown front-matter key 'authr'"),
    ("---\ntitle: T\noutlet: O\nurl: ftp://x\n---\ntext\n", "url must start with http"),
    ("---\ntitle T\noutlet: O\nurl: https://x.example\n---\ntext\n", "not 'key: value'"),
])
def test_broken_file_names_file_and_problem(raw, expected):
    with pytest.raises(KnowledgeError) as caught:
        parse_article("broken.md", raw.encode())
    assert any(p.startswith("broken.md: ") and expected in p for p in caught.value.problems), caught.value.problems


def test_not_utf8_is_reported():
    with pytest.raises(KnowledgeError, match=r"latin\.md: is not UTF-8"):
        parse_article("latin.md", GOOD.replace("First", "Caf\xe9").encode("latin-1"))


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
