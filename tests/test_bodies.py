"""Article bodies parked in the build's body file (dateline/bodies.py) read, compare and pickle as held ones."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

from markupsafe import Markup, escape

from dateline.bodies import BodyFile, StoredBody
from dateline.build import build_site
from dateline.config import load_config
from dateline.content import load_articles
from dateline.pages import Placement
from dateline.taxonomy import build_taxonomies
from dateline.views import article_views, held_body


def views_of(site: Path):
    config = load_config(site)
    loaded = load_articles(site, config, drafts=False)
    placements = tuple(Placement.of(article) for article in loaded.articles)
    return article_views(loaded.articles, build_taxonomies(placements, config.taxonomies), config.language)


def test_a_parked_body_reads_compares_and_pickles_as_the_body_itself(site_copy, tmp_path):
    site = site_copy("full")
    held, parked = views_of(site), views_of(site)
    with BodyFile(tmp_path / "cache") as bodies:
        bodies.park(parked.values())
        assert all(type(held_body(view)) is StoredBody for view in parked.values())
        assert not [name for name in os.listdir(tmp_path / "cache")]  # unnamed: nothing left behind
        for url, view in parked.items():
            assert type(view.body) is Markup and view.body == held[url].body and "<p>" in view.body
            assert view == held[url]
            again = pickle.loads(pickle.dumps(view, protocol=pickle.HIGHEST_PROTOCOL))
            assert type(held_body(again)) is Markup and again == held[url]


def test_article_pages_and_feeds_show_the_parked_bodies(site_copy, tmp_path):
    """A full build parks every body; the article pages and the full-content feeds still carry each one."""
    site = site_copy("full")
    out = tmp_path / "out"
    build_site(site, out)
    views = views_of(site)
    feed = (out / "feed.xml").read_text(encoding="utf-8")  # Atom, every article in full
    for url, view in views.items():
        page = (out / url / "index.html").read_text(encoding="utf-8")
        assert str(view.body) in page
    shown = [view for view in views.values() if str(escape(str.__str__(view.body))) in feed]  # as escaped HTML
    assert len(shown) == feed.count("<entry>") > 0


def test_teasers_in_the_body_file_read_back_in_the_process_that_made_it_and_in_forked_ones(tmp_path):
    """Text stored in the body file reads back before and after it is written out, in the process that made the file
    and in a process forked from it, which keeps what it stores itself in its own memory (only the maker appends)."""
    with BodyFile(tmp_path / "cache") as file:
        first = file.store("<li>café 🇫🇷</li>".encode())
        assert type(first) is int and file.read_bytes(first) == "<li>café 🇫🇷</li>".encode()  # not written yet
        file.flush()
        second = file.store(b"<li>second</li>")
        reader, writer = os.pipe()
        child = os.fork()
        if child == 0:  # the forked process: reads what its parent stored, keeps its own
            try:
                own = file.store(b"<li>the child's</li>")
                seen = [file.read_bytes(first), file.read_bytes(second), own]
                os.write(writer, pickle.dumps(seen))
            finally:
                os._exit(0)
        os.close(writer)
        data = b""
        while chunk := os.read(reader, 65536):
            data += chunk
        os.close(reader)
        os.waitpid(child, 0)
        assert pickle.loads(data) == ["<li>café 🇫🇷</li>".encode(), b"<li>second</li>", b"<li>the child's</li>"]
        third = file.store(b"<li>third</li>")  # the parent goes on appending where it was
        file.flush()
        assert [file.read_bytes(place) for place in (first, second, third)] == [
            "<li>café 🇫🇷</li>".encode(), b"<li>second</li>", b"<li>third</li>"]


def test_articles_parked_before_the_article_cache_is_saved_are_cached_with_their_bodies(site_copy, tmp_path):
    """park_articles leaves each article and cached entry holding where its body is; the article cache saved then
    holds the bodies themselves, which the next build reads back as Markup equal to the parsed ones."""
    from dateline.cache import ArticleCache

    site = site_copy("full")
    config = load_config(site)
    cache = ArticleCache(tmp_path / "articles", "test")
    loaded = load_articles(site, config, drafts=False, cache=cache)
    bodies_before = {article.url: str(article.body_html) for article in loaded.articles}
    with BodyFile(tmp_path / "cache") as file:
        file.park_articles(loaded.articles, (fields for _, fields, _ in loaded.files.values()))
        assert all(type(article.__dict__["body_html"]) is StoredBody for article in loaded.articles)
        assert all(type(fields.__dict__["body_html"]) is StoredBody for _, fields, _ in loaded.files.values())
        views = article_views(tuple(loaded.articles), build_taxonomies(
            tuple(Placement.of(a) for a in loaded.articles), config.taxonomies), config.language)
        assert {url: str(view.body) for url, view in views.items()} == bodies_before
        cache.save()
    saved = ArticleCache(tmp_path / "articles", "test")  # as the next build finds it
    cached = {url: saved.get(key, signature) for key, (signature, _, url) in loaded.files.items() if url}
    assert {url: fields.body_html for url, fields in cached.items()} == bodies_before
    assert all(type(fields.body_html) is Markup for fields in cached.values())
