"""`check`: the on-disk checker finds what a real server crawl finds, and every kind of problem by page."""

from __future__ import annotations

import shutil
from urllib.parse import urlparse

import pytest
from test_links import crawl

from dateline.build import build_site
from dateline.check import check_output

from conftest import REPO, run_cli

BASE = "https://example.org/news/"
A1 = "2025/09/11/belarus-frees-prisoners/index.html"


def test_a_built_site_passes_and_agrees_with_a_real_server_crawl(built, tmp_path, http_server):
    _, out = built
    assert check_output(out, BASE) == []
    assert check_output(build_site(REPO, tmp_path / "sample").output, BASE) == []
    seen, broken = crawl(http_server(out, "/news/"))
    assert broken == [] and len(seen) > 40


def test_a_broken_link_is_found_on_disk_and_by_the_crawl(built, http_server):
    _, out = built
    page = out / A1
    page.write_text(page.read_text().replace('href="../../../../archive/"', 'href="../../../../archiv/"', 1))
    problems = [str(p) for p in check_output(out, BASE)]
    assert len(problems) == 1 and problems[0].startswith(f"{A1}: line ")
    assert "broken link ../../../../archiv/" in problems[0]
    _, broken = crawl(http_server(out, "/news/"))
    assert [urlparse(b.split(": ")[0]).path for b in broken] == ["/news/archiv/"]


@pytest.mark.parametrize(("edit", "expected"), [
    (lambda h: h.replace("</main>", "<div></main>"), "<div> is not closed before </main>"),
    (lambda h: h.replace("<h1 ", "</span><h1 ", 1), "</span> without an open <span>"),
    (lambda h: h.replace("</head>", '<script src="https://cdn.example.com/x.js"></script></head>'),
     "loads a script from another host: https://cdn.example.com/x.js"),
    (lambda h: h.replace('href="../../../../archive/"', 'href="/archive/"', 1),
     "/archive/ leaves base_url's path /news/"),
    (lambda h: h.replace('href="../../../../archive/"', 'href="../../../../../archive/"', 1),
     "climbs above the site's root"),
    (lambda h: h.replace('href="../../../../archive/"', 'href="../../../../archive/#nowhere"', 1),
     "no id 'nowhere' in archive/index.html"),
    (lambda h: h.replace('<a class="skip-link"', '<a id="main" class="skip-link"'), "duplicate id 'main'"),
    (lambda h: h.replace("<!doctype html>", ""), "no <!doctype html>"),
    (lambda h: h.replace('href="https://example.com/story"', 'href="https://example.org/news/nope/"'),
     "broken link https://example.org/news/nope/"),
])
def test_each_kind_of_page_problem(built, edit, expected):
    _, out = built
    page = out / A1
    page.write_text(edit(page.read_text()))
    problems = [str(p) for p in check_output(out, BASE)]
    assert any(p.startswith(f"{A1}: ") and expected in p for p in problems), problems


def test_feeds_and_sitemaps_must_parse_and_point_at_pages(built):
    _, out = built
    (out / "feed.xml").write_text((out / "feed.xml").read_text().replace("</feed>", ""))
    json_feed = out / "tags" / "economy" / "feed.json"
    json_feed.write_text(json_feed.read_text().replace("version/1.1", "version/1"))
    sitemap = out / "sitemap.xml"
    sitemap.write_text(sitemap.read_text().replace("/tags/diplomacy/", "/tags/diplomacie/"))
    shutil.rmtree(out / "countries" / "kenya")
    problems = [str(p) for p in check_output(out, BASE)]
    assert any(p.startswith("feed.xml: not well-formed XML") for p in problems)
    assert any(p.startswith("tags/economy/feed.json: not a JSON Feed 1.1") for p in problems)
    assert "sitemap.xml: broken link https://example.org/news/tags/diplomacie/ " \
           "(no tags/diplomacie/index.html in the output)" in problems
    assert any(p.startswith("countries/index.html: line ") and "countries/kenya/" in p for p in problems)


def test_check_command_builds_for_production_and_fails_with_page_problems(site_copy):
    site = site_copy("full")
    ok = run_cli("check", "--site", str(site), "--now", "2025-09-12T12:00:00+03:00")
    assert ok.returncode == 0, ok.stderr
    assert "no problems" in ok.stdout
    (site / "templates").mkdir()
    (site / "templates" / "tag.html").write_text(
        '{% extends "default/term.html" %}{% block head %}<script src="//cdn.example.com/t.js"></script>'
        '{% endblock %}')
    failed = run_cli("check", "--site", str(site), "--now", "2025-09-12T12:00:00+03:00")
    assert failed.returncode == 1
    lines = failed.stderr.splitlines()
    assert any(line.startswith("tags/economy/index.html: line ") and
               line.endswith(": loads a script from another host: //cdn.example.com/t.js") for line in lines)
    assert lines[-1].startswith("4 problems in ")
