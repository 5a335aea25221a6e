"""Every internal link resolves when output/ is served at a host's root and under base_url's subpath."""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import quote, urldefrag, urljoin, urlparse

import pytest

from dateline.build import build_site

from conftest import PageParser


def crawl(start: str) -> tuple[set[str], list[str]]:
    """Fetch START and every same-host page and asset it reaches; return pages seen and broken references."""
    seen: set[str] = set()
    broken: list[str] = []
    queue = [start]
    host = urlparse(start).netloc
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        try:
            # a link may hold any letter ("ar/2025/09/11/لاتفيا/"), as a browser percent-encodes it
            with urllib.request.urlopen(quote(url, safe=":/?#[]@!$&'()*+,;=%"), timeout=10) as response:
                body = response.read()
                kind = response.headers.get_content_type()
        except urllib.error.HTTPError as exc:
            broken.append(f"{url}: HTTP {exc.code}")
            continue
        if kind != "text/html":
            continue
        parser = PageParser()
        parser.feed(body.decode("utf-8"))
        for reference in parser.links + parser.assets:
            target = urldefrag(urljoin(url, reference)).url
            if urlparse(target).netloc == host:
                queue.append(target)
    return seen, broken


@pytest.mark.parametrize("prefix", ["/", "/news/", "/deeply/nested/mirror/"])
def test_no_broken_link_at_root_or_under_a_subpath(site_copy, tmp_path, http_server, prefix):
    site = site_copy("full")
    out = tmp_path / "out"
    build_site(site, out)
    start = http_server(out, prefix)
    seen, broken = crawl(start)
    assert broken == []
    pages = {p.relative_to(out).as_posix() for p in out.rglob("*.html")} - {"404.html"}
    reached = {urlparse(u).path[len(prefix):] or "" for u in seen}
    reached = {r + "index.html" if r == "" or r.endswith("/") else r for r in reached}
    # every page of the site is reachable by following links from the front page
    assert pages - reached == set()
    # and nothing escaped the prefix (the server answers 404 outside it, which would show as broken)
    assert all(urlparse(u).path.startswith(prefix) for u in seen)


def test_sample_site_of_this_repository_has_no_broken_link(tmp_path, http_server):
    from conftest import REPO

    out = tmp_path / "sample"
    build_site(REPO, out)
    seen, broken = crawl(http_server(out, "/news/"))
    assert broken == []
    assert len(seen) > 30
