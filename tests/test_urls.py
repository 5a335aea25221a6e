"""Relative links: the fast string version agrees with posixpath on every pair of site paths."""

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


def reference(target: str, page: str) -> str:
    rel = posixpath.relpath(target or ".", posixpath.dirname(page) or ".")
    if target == "" or target.endswith("/"):
        return "./" if rel == "." else rel + "/"
    return rel


@given(site_path, page_file)
def test_relative_url_matches_posixpath(target, page):
    assert relative_url(target, page) == reference(target, page)


@given(site_path, page_file)
def test_relative_url_resolves_back_to_the_target(target, page):
    resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), relative_url(target, page)))
    assert resolved == (posixpath.normpath(target) if target else ".")


@pytest.mark.parametrize("bad", ["../x/", "/abs/", "a/../b/", "a//b/", "a\\b", "a\x00b", ""])
def test_unclean_site_paths_are_refused(bad):
    with pytest.raises(UnsafePath):
        check_site_path(bad)


def test_permalink_pads_dates():
    from datetime import datetime

    assert permalink("{year}/{month}/{day}/{slug}/", "x", datetime(2025, 3, 4)) == "2025/03/04/x/"
