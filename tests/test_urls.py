"""Relative links: from any page they resolve to their target, climb only to the site's root, and are the
same for every page at one depth (what {% cached %} fragments rely on)."""

from __future__ import annotations

import posixpath

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dateline.urls import UnsafePath, check_site_path, permalink, relative_url

segment = st.sampled_from(["a", "b", "tags", "x", "2025", "09", "page", "2"])
directory = st.lists(segment, max_size=4).map(lambda parts: "".join(p + "/" for p in parts))
site_path = st.one_of(directory, st.tuples(directory, st.sampled_from(["feed.xml", "style.css"])).map("".join))
page_file = st.one_of(directory.map(lambda d: d + "index.html"), directory.map(lambda d: d + "b.html"))


def climbs_above_root(page: str, link: str) -> bool:
    """Whether following LINK from PAGE ever leaves the site's root folder, even halfway."""
    depth = page.count("/")
    for part in link.split("/"):
        depth += -1 if part == ".." else 0 if part in ("", ".") else 1
        if depth < 0:
            return True
    return False


@given(site_path, page_file)
def test_relative_url_resolves_back_to_the_target(target, page):
    link = relative_url(target, page)
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), link))
    assert resolved == (posixpath.normpath(target) if target else ".")
    assert link.endswith("/") == (target == "" or target.endswith("/"))  # a folder stays a folder
    assert not link.startswith("/") and not climbs_above_root(page, link)


@given(site_path, page_file, page_file)
def test_relative_url_depends_only_on_the_page_depth(target, page, other):
    if page.count("/") == other.count("/"):
        assert relative_url(target, page) == relative_url(target, other)


@pytest.mark.parametrize(("target", "page", "link"), [
    ("", "index.html", "./"),
    ("tags/", "index.html", "tags/"),
    ("", "tags/index.html", "../"),
    ("tags/b/", "tags/a/index.html", "../../tags/b/"),  # up to the root, then down: like Hugo's relativeURLs
    ("static/css/style.css", "2025/09/11/x/index.html", "../../../../static/css/style.css"),
    ("feed.xml", "news/x.html", "../feed.xml"),
])
def test_relative_url_climbs_the_page_depth(target, page, link):
    assert relative_url(target, page) == link


@pytest.mark.parametrize("bad", ["../x/", "/abs/", "a/../b/", "a//b/", "a\\b", "a\x00b", ""])
def test_unclean_site_paths_are_refused(bad):
    with pytest.raises(UnsafePath):
        check_site_path(bad)


def test_permalink_pads_dates():
    from datetime import datetime

    assert permalink("{year}/{month}/{day}/{slug}/", "x", datetime(2025, 3, 4)) == "2025/03/04/x/"
