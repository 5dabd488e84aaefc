"""`python -m bot import` and followed feeds, against a loopback web server with pages written here."""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from bot.core.articles import load_articles
from bot.imports.importer import Options, import_sources
from bot.imports.store import same_url
from tests.fakes.web import FakeWeb

BRIDGE = ["The Old Harbor Bridge reopened to traffic on Monday after eight months of repairs, city officials said.",
          "\u201cWe are glad to give the bridge back to the people who use it every day,\u201d said Mayor Elena Costa.",
          "The repairs cost 12 million dollars and replaced the deck and two of the supports."]
FERRY = ["The harbor ferry will run every twenty minutes from the first of June, the transit authority announced.",
         "Captain Ines Moreno, who has run the ferry for a decade, said the new boats are quieter and faster."]
FURNITURE = ("Accept all cookies", "Share on Facebook", "Sign up for our newsletter", "Photo: Sam Lee",
             "All rights reserved", "Ferry schedule changes")


def page(title: str, paragraphs: list[str], *, site: str | None = "Harbor Weekly", canonical: str | None = None,
         date: str | None = "2024-03-05T09:00:00Z", author: str | None = "Dana Ruiz", title_tag: str | None = None) -> str:
    meta = [f'<meta property="og:title" content="{title}">']
    if site:
        meta.append(f'<meta property="og:site_name" content="{site}">')
    if canonical:
        meta.append(f'<link rel="canonical" href="{canonical}">')
    if date:
        meta.append(f'<meta property="article:published_time" content="{date}">')
    if author:
        meta.append(f'<meta name="author" content="{author}">')
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!doctype html><html><head><title>{title_tag or title + ' | ' + (site or 'News')}</title>
{chr(10).join(meta)}</head><body>
<nav><a href="/">Home</a> <a href="/news">News</a> <a href="/sports">Sports</a> <a href="/weather">Weather</a></nav>
<div class="cookie-banner">We use cookies to improve your experience. Accept all cookies</div>
<article><h1>{title}</h1><p class="byline">By {author or 'Staff'}</p>
{body}
<figure><img src="b.jpg"><figcaption>The bridge at dawn. Photo: Sam Lee</figcaption></figure>
<div class="share">Share on Facebook Share on Twitter</div>
<div class="newsletter">Sign up for our newsletter to get the news first</div>
</article>
<aside class="related"><h3>Related</h3><ul><li><a href="/x">Ferry schedule changes</a></li></ul></aside>
<footer>&copy; 2024 Harbor Weekly. All rights reserved.</footer></body></html>"""


def rss(items: list[tuple[str, str, str]], title: str = "Harbor Weekly") -> str:
    entries = "".join(f"<item><title>{t}</title><link>{link}</link><pubDate>{date}</pubDate></item>"
                      for t, link, date in items)
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
            f"<link>https://harbor.example/</link><description>news</description>{entries}</channel></rss>")


@pytest.fixture
async def web():
    server = await FakeWeb().start()
    yield server
    await server.close()


async def run_import(sources: list[str], folder: Path, **options) -> list:
    # the importer blocks (urllib): in a thread, so this loop's fake server can answer it
    return await asyncio.to_thread(lambda: list(import_sources(sources, folder, Options(**options))))


async def test_a_page_url_becomes_a_knowledge_file_without_furniture(web, tmp_path):
    url = web.put("/news/bridge", page("Bridge Reopens After Repairs", BRIDGE,
                                       canonical="https://harbor.example/news/bridge-reopens"))
    [outcome] = await run_import([url], tmp_path)
    assert outcome.line == "added bridge-reopens-after-repairs.md (Harbor Weekly: Bridge Reopens After Repairs)"
    [article] = load_articles(tmp_path)
    assert (article.title, article.outlet, article.url, article.published, article.author) == (
        "Bridge Reopens After Repairs", "Harbor Weekly", "https://harbor.example/news/bridge-reopens",
        "2024-03-05", "Dana Ruiz")
    assert list(article.paragraphs) == BRIDGE  # the headline and byline are not repeated as text
    text = (tmp_path / outcome.file).read_text()
    assert not any(f in text for f in FURNITURE)
    assert [ua for ua in web.user_agents if ua.startswith("coverage-bot/")]


async def test_fallbacks_for_outlet_url_and_title(web, tmp_path):
    url = web.put("/a/ferry", page("Ferry To Run Every Twenty Minutes", FERRY, site=None, date=None, author=None,
                                   title_tag="Ferry To Run Every Twenty Minutes | Harbor Weekly"))
    [outcome] = await run_import([url], tmp_path, outlet="The Harbor Desk")
    [article] = load_articles(tmp_path)
    assert article.title == "Ferry To Run Every Twenty Minutes" and article.outlet == "The Harbor Desk"
    assert article.url == url and article.published == ""  # no canonical link: where it was fetched from
    [again] = await run_import([web.put("/b/ferry", page("Ferry Again", FERRY[::-1] + ["One more sentence that "
                                        "makes this page another article entirely, about boats."], site=None))],
                               tmp_path / "other")
    assert again.status == "added" and "(127.0.0.1" in again.line  # no site name, no --outlet: the host
    web.put("/news/bridge", page("Bridge Reopens After Repairs", BRIDGE))
    [moved] = await run_import([web.url + "/moved"], tmp_path / "moved")
    assert load_articles(tmp_path / "moved")[0].url == web.url + "/news/bridge"  # the redirect followed


async def test_duplicates_by_url_or_by_text_are_skipped_and_names_never_collide(web, tmp_path):
    first = web.put("/news/bridge", page("Bridge Reopens After Repairs", BRIDGE))
    copy = web.put("/syndicated/bridge", page("Bridge Reopens After Repairs", BRIDGE, site="Coast Daily"))
    copy += "?utm_source=feed"
    other = web.put("/news/bridge-2", page("Bridge Reopens After Repairs", BRIDGE[:1] + [
        "A second story under the same headline, with other facts about the bridge and its repairs."]))
    outcomes = await run_import([first, first + "#comments", copy, other], tmp_path)
    assert [o.status for o in outcomes] == ["added", "skipped", "skipped", "added"]
    assert outcomes[1].detail == "already in knowledge (bridge-reopens-after-repairs.md)"
    assert outcomes[3].file == "bridge-reopens-after-repairs-2.md"
    assert len(load_articles(tmp_path)) == 2
    assert same_url("HTTPS://Harbor.example/a/?utm_medium=x&id=3#top") == "https://harbor.example/a?id=3"


async def test_every_failure_is_one_line_and_the_good_sources_are_still_written(web, tmp_path):
    good = web.put("/news/bridge", page("Bridge Reopens After Repairs", BRIDGE))
    front = web.put("/", "<html><head><title>Harbor Weekly</title></head><body><ul>"
                    + "".join(f"<li><a href='/n/{i}'>Story {i}</a></li>" for i in range(20)) + "</ul></body></html>")
    image = web.put("/logo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 64, content_type="image/png")
    big = web.put("/big", page("Big", BRIDGE * 400))
    sources = [web.url + "/missing", web.url + "/loop/0", front, image, web.url + "/slow", big,
               "http://127.0.0.1:9/closed", str(tmp_path / "nope.html"), good]
    outcomes = await run_import(sources, tmp_path / "k", timeout=1.0, max_bytes=100_000)
    reasons = {o.source: o.detail for o in outcomes if o.status == "failed"}
    assert reasons[web.url + "/missing"] == "HTTP 404 Not Found"
    assert reasons[web.url + "/loop/0"] == "more than 5 redirects"
    assert reasons[front].startswith("no article text found")
    assert reasons[image] == "not HTML or a feed (content type image/png)"
    assert reasons[web.url + "/slow"] == "timed out after 1 s"
    assert reasons[big].startswith("larger than 0.0953674 MB")
    assert reasons["http://127.0.0.1:9/closed"].startswith("cannot connect")
    assert reasons[str(tmp_path / "nope.html")] == "no such file or folder, and not an http(s) URL"
    assert outcomes[-1].status == "added" and len(load_articles(tmp_path / "k")) == 1
    assert not [p for p in (tmp_path / "k").iterdir() if p.name.startswith(".import-")]  # no temporary left


async def test_a_feed_imports_each_item_and_skips_known_ones(web, tmp_path):
    bridge = web.put("/news/bridge", page("Bridge Reopens After Repairs", BRIDGE, date=None))
    ferry = web.put("/news/ferry", page("Ferry To Run Every Twenty Minutes", FERRY))
    feed = web.put("/feed.xml", rss([("Bridge Reopens After Repairs", bridge, "Tue, 05 Mar 2024 09:00:00 GMT"),
                                     ("Ferry", ferry, "Wed, 06 Mar 2024 09:00:00 GMT"),
                                     ("Gone", web.url + "/news/gone", "Wed, 06 Mar 2024 10:00:00 GMT")]),
                   content_type="application/rss+xml")
    outcomes = await run_import([feed], tmp_path)
    assert [o.status for o in outcomes] == ["added", "added", "failed"]
    assert outcomes[2].line == f"failed {web.url}/news/gone: HTTP 404 Not Found"
    bridge_article = next(a for a in load_articles(tmp_path) if "Bridge" in a.title)
    assert bridge_article.published == "2024-03-05"  # the page has no date: the item's
    hits = dict(web.hits)
    again = await run_import([feed], tmp_path)
    assert [o.status for o in again[:2]] == ["skipped", "skipped"]
    assert web.hits["/news/bridge"] == hits["/news/bridge"]  # a known item is not fetched again


async def test_feed_files_atom_and_malformed_feeds(web, tmp_path):
    ferry = web.put("/news/ferry", page("Ferry To Run Every Twenty Minutes", FERRY))
    atom = tmp_path / "harbor.atom"
    atom.write_text(f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
                    f"<title>Harbor Weekly</title><id>urn:x</id><updated>2024-03-06T00:00:00Z</updated>"
                    f'<entry><title>Ferry</title><link href="{ferry}"/><id>urn:1</id>'
                    f"<updated>2024-03-06T00:00:00Z</updated></entry></feed>")
    broken = tmp_path / "broken.xml"
    broken.write_text("<rss><channel><title>x</title><item><title>unclosed")
    notes = tmp_path / "notes.txt"
    notes.write_text("just some notes")
    outcomes = await run_import([str(atom), str(broken), str(notes)], tmp_path / "k")
    assert outcomes[0].status == "added"
    assert outcomes[1].status == "failed" and outcomes[1].detail.startswith(("malformed feed", "the feed has no items"))
    assert outcomes[2].detail == "not an HTML page (.html, .htm) or an RSS/Atom feed"


def test_saved_pages_and_folders_of_them(tmp_path):
    saved = tmp_path / "saved"
    saved.mkdir()
    (saved / "bridge.html").write_text(page("Bridge Reopens After Repairs", BRIDGE, canonical="https://harbor.example/b"))
    (saved / "no-address.htm").write_text(page("Ferry To Run Every Twenty Minutes", FERRY))
    outcomes = list(import_sources([str(saved)], tmp_path / "k"))
    assert [o.status for o in outcomes] == ["added", "failed"]
    assert "no http(s) address" in outcomes[1].detail


def test_the_cli_dry_run_writes_nothing_and_failures_exit_1(tmp_path):
    saved = tmp_path / "bridge.html"
    saved.write_text(page("Bridge Reopens After Repairs", BRIDGE, canonical="https://harbor.example/b"))
    folder = tmp_path / "k"
    folder.mkdir()

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "bot", "import", *args, "--to", str(folder)],
                              capture_output=True, text=True, timeout=60)

    dry = cli(str(saved), "--dry-run")
    assert dry.returncode == 0 and dry.stdout == "would add bridge-reopens-after-repairs.md (Harbor Weekly: Bridge Reopens After Repairs)\n"
    assert list(folder.iterdir()) == []
    real = cli(str(saved), str(tmp_path / "missing.html"))
    assert real.returncode == 1 and "Traceback" not in real.stderr
    assert real.stdout.splitlines() == ["added bridge-reopens-after-repairs.md (Harbor Weekly: Bridge Reopens After Repairs)",
                                        f"failed {tmp_path / 'missing.html'}: no such file or folder, and not an http(s) URL"]
    assert len(load_articles(folder)) == 1


# ---- feeds followed -----------------------------------------------------------------------------
async def test_a_followed_feed_remembers_what_it_saw_across_restarts(web, tmp_path, caplog):
    from bot.imports.follow import FeedFollower

    caplog.set_level(logging.INFO)
    bridge = web.put("/news/bridge", page("Bridge Reopens After Repairs", BRIDGE))
    feed = web.put("/feed.xml", rss([("Bridge", bridge, "Tue, 05 Mar 2024 09:00:00 GMT"),
                                     ("Gone", web.url + "/news/gone", "Tue, 05 Mar 2024 10:00:00 GMT")]),
                   content_type="application/rss+xml")
    folder, state = tmp_path / "k", tmp_path / "k" / ".cache"
    added = await asyncio.to_thread(FeedFollower((feed,), folder, state).poll)
    assert [o.file for o in added] == ["bridge-reopens-after-repairs.md"]
    restarted = FeedFollower((feed,), folder, state)  # a new process: state from feeds.json
    for _ in range(3):
        assert await asyncio.to_thread(restarted.poll) == []
    assert web.hits["/news/bridge"] == 1  # never fetched again
    assert web.hits["/news/gone"] == 3  # a failing item: tried on three polls in all, then given up
    given_up = [r.getMessage() for r in caplog.records if "giving up" in r.getMessage()]
    assert len(given_up) == 1 and "HTTP 404" in given_up[0]


async def test_a_failing_feed_is_logged_once_per_streak(web, tmp_path, caplog):
    from bot.imports.follow import FeedFollower

    caplog.set_level(logging.INFO)
    follower = FeedFollower((web.url + "/feed.xml",), tmp_path / "k", tmp_path / "state")
    for _ in range(3):
        await asyncio.to_thread(follower.poll)
    web.put("/feed.xml", rss([]), content_type="application/rss+xml")
    await asyncio.to_thread(follower.poll)  # readable, though empty: still a failure (no items)
    web.put("/feed.xml", rss([("Bridge", web.put("/b", page("Bridge Reopens After Repairs", BRIDGE)), "")]),
            content_type="application/rss+xml")
    await asyncio.to_thread(follower.poll)
    messages = [r.getMessage() for r in caplog.records if r.name == "bot.imports.follow"]
    assert [m for m in messages if "retrying every poll" in m] == [
        f"feed {web.url}/feed.xml: HTTP 404 Not Found; retrying every poll, quietly until it works"]
    assert any("readable again" in m for m in messages) and any("added bridge" in m for m in messages)


async def test_an_unchanged_feed_costs_a_304_even_after_a_restart(web, tmp_path):
    from bot.imports.follow import FeedFollower

    bridge = web.put("/news/bridge", page("Bridge Reopens After Repairs", BRIDGE))
    feed = web.put("/feed.xml", rss([("Bridge", bridge, "Tue, 05 Mar 2024 09:00:00 GMT")]),
                   content_type="application/rss+xml", etag='"v1"')
    folder, state = tmp_path / "k", tmp_path / "k" / ".cache"
    assert len(await asyncio.to_thread(FeedFollower((feed,), folder, state).poll)) == 1
    assert await asyncio.to_thread(FeedFollower((feed,), folder, state).poll) == []  # restarted: validators kept
    assert web.not_modified.get("/feed.xml") == 1 and web.hits["/feed.xml"] == 2
    web.put("/feed.xml", rss([("Bridge", bridge, ""), ("Ferry", web.put("/news/ferry", page("Ferry Runs Again", FERRY)),
                                                        "")]), content_type="application/rss+xml", etag='"v2"')
    added = await asyncio.to_thread(FeedFollower((feed,), folder, state).poll)
    assert [o.file for o in added] == ["ferry-runs-again.md"]
