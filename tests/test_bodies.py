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
