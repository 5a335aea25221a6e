"""End-to-end builds of the fixture sites: pages, digest grouping, taxonomies, pagination, feeds, sitemap."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest

from dateline.build import build_site

from conftest import parse_page, write_article

ARTICLE_A1 = "2025/09/11/belarus-frees-prisoners/index.html"
ARTICLE_A2 = "2025/09/11/lithuania-thanks-washington/index.html"


@pytest.fixture
def full_site(site_copy, tmp_path):
    site = site_copy("full")
    out = tmp_path / "out"
    result = build_site(site, out)
    return site, out, result


def test_article_page_has_all_its_parts(full_site):
    _, out, _ = full_site
    page = parse_page(out / ARTICLE_A1)
    assert page.lang == "en-GB"
    assert "Belarus frees prisoners" in page.text
    assert "Vilnius" in page.text and "AFP" in page.text and "11 September 2025, 10:00" in page.text
    assert "Belarus freed 52 prisoners on Thursday." in page.text
    # countries given as a code, an English name and an alias all land on their country pages
    for link in ("../../../../countries/belarus/", "../../../../countries/lithuania/",
                 "../../../../countries/united-states/", "../../../../tags/human-rights/",
                 "../../../../tags/diplomacy/"):
        assert link in page.links
    assert page.scripts == 0, "raw <script> in Markdown must be sanitised away"


def test_unknown_front_matter_keys_reach_templates_and_corrections_show(full_site, tmp_path):
    site, _, _ = full_site
    (site / "templates").mkdir()
    (site / "templates" / "article.html").write_text(
        '{% extends "default/article.html" %}{% block title %}{{ article.extra.mood }}|{{ super() }}{% endblock %}')
    out = tmp_path / "out2"
    build_site(site, out)
    html = (out / ARTICLE_A2).read_text()
    assert "<title>hopeful|Lithuania thanks Washington" in html
    text = parse_page(out / ARTICLE_A2).text
    assert "Correction: An earlier version misspelled the president's name." in text
    assert "Updated 12 September 2025, 09:00" in text


def test_drafts_are_left_out_unless_asked(full_site, tmp_path):
    site, out, result = full_site
    assert result.articles == 5
    assert not (out / "tags" / "secret-draft-tag").exists()
    assert "Draft story" not in (out / "sitemap.xml").read_text()
    with_drafts = build_site(site, tmp_path / "drafts", drafts=True)
    assert with_drafts.articles == 6
    assert (tmp_path / "drafts" / "tags" / "secret-draft-tag" / "index.html").exists()


def test_home_groups_by_day_in_site_time_zone_and_paginates(full_site):
    _, out, _ = full_site
    home = parse_page(out / "index.html")
    # 2 per page, newest first: a2 (11 Sep 12:30), a1 (11 Sep 10:00)
    assert home.text.index("Lithuania thanks Washington") < home.text.index("Belarus frees prisoners")
    assert "11 September 2025" in home.text
    assert "page/2/" in home.links
    page2 = parse_page(out / "page" / "2" / "index.html")
    # a4 was published 23:30 UTC on the 9th = 02:30 on the 10th in Vilnius: filed under the 10th
    assert "10 September 2025" in page2.text and "Britain and Türkiye sign trade pact" in page2.text
    assert "../../" in page2.links  # back to page 1
    page3 = parse_page(out / "page" / "3" / "index.html")
    assert "Elections called in Kenya" in page3.text
    assert not (out / "page" / "4").exists()
    assert (out / "2025" / "09" / "10" / "britain-and-turkiye-sign-trade-pact" / "index.html").exists()


def test_tags_merge_spellings_and_list_counts(full_site):
    _, out, _ = full_site
    index = parse_page(out / "tags" / "index.html")
    # "human rights" and "Human  Rights" are one tag; "Diplomacy"/"diplomacy" too
    assert index.links.count("../tags/human-rights/") == 1
    # one spelling per tag: the most used, ties broken the same way on every build
    assert "Human Rights 2" in index.text and "Diplomacy 2" in index.text
    tag = parse_page(out / "tags" / "human-rights" / "index.html")
    assert "Belarus frees prisoners" in tag.text and "São Paulo stocks rally" in tag.text
    assert "2 articles" in tag.text
    diplomacy = parse_page(out / "tags" / "diplomacy" / "index.html")
    assert "../../tags/diplomacy/page/2/" not in diplomacy.links  # 2 articles, 2 per page


def test_country_pages_use_english_names_flags_and_slugs(full_site):
    _, out, _ = full_site
    countries = parse_page(out / "countries" / "index.html")
    for name in ("Belarus", "Brazil", "Kenya", "Lithuania", "Türkiye", "United Kingdom", "United States"):
        assert name in countries.text
    assert "🇬🇧" in (out / "countries" / "index.html").read_text()
    assert (out / "countries" / "united-kingdom" / "index.html").exists()
    assert (out / "countries" / "turkiye" / "index.html").exists()
    us = parse_page(out / "countries" / "united-states" / "index.html")
    assert "Belarus frees prisoners" in us.text and "Lithuania thanks Washington" in us.text


def test_day_archive_and_archive_index(full_site):
    _, out, _ = full_site
    archive = parse_page(out / "archive" / "index.html")
    assert "September 2025" in archive.text
    for day in ("2025/09/11/", "2025/09/10/", "2025/09/08/"):
        assert "../" + day in archive.links
    day = parse_page(out / "2025" / "09" / "10" / "index.html")
    assert "São Paulo stocks rally" in day.text and "Britain and Türkiye sign trade pact" in day.text
    assert "../../../2025/09/11/" in day.links and "../../../2025/09/08/" in day.links  # newer and older days


def test_related_and_neighbour_links(full_site):
    _, out, _ = full_site
    page = parse_page(out / ARTICLE_A1)
    # newer neighbour, and related (LT, US, diplomacy)
    assert "../../../../2025/09/11/lithuania-thanks-washington/" in page.links
    related_section = (out / ARTICLE_A1).read_text().split('id="related-heading"')[1]
    assert "Lithuania thanks Washington" in related_section


def test_atom_feeds_are_valid_with_absolute_urls(full_site):
    _, out, _ = full_site
    feed = feedparser.parse((out / "feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.feed.title == "Full Digest"
    assert len(feed.entries) == 3  # feed.limit
    first = feed.entries[0]
    assert first.link == "https://example.org/news/2025/09/11/lithuania-thanks-washington/"
    assert first.id == first.link
    assert "Lithuania&#x27;s president" in first.content[0].value or "Lithuania's president" in first.content[0].value
    assert first.updated.startswith("2025-09-12T09:00:00")
    tag_feed = feedparser.parse((out / "tags" / "human-rights" / "feed.xml").read_bytes())
    assert not tag_feed.bozo
    assert [e.title for e in tag_feed.entries] == ["Belarus frees prisoners", "São Paulo stocks rally"]
    country_feed = feedparser.parse((out / "countries" / "kenya" / "feed.xml").read_bytes())
    assert [e.title for e in country_feed.entries] == ["Elections called in Kenya"]
    # the sanitised body travels escaped inside <content type="html">
    root = ET.parse(out / "feed.xml").getroot()
    ns = {"a": "http://www.w3.org/2005/Atom"}
    contents = [c.text or "" for c in root.findall("a:entry/a:content", ns)]
    assert any("<strong>52</strong>" in c for c in contents)
    assert not any("<script" in c for c in contents)


def test_sitemap_and_robots(full_site):
    _, out, _ = full_site
    root = ET.parse(out / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [u.findtext("s:loc", namespaces=ns) for u in root.findall("s:url", ns)]
    assert "https://example.org/news/" in locs
    assert "https://example.org/news/" + ARTICLE_A1.removesuffix("index.html") in locs
    assert "https://example.org/news/tags/diplomacy/" in locs
    assert all(loc.startswith("https://example.org/news/") for loc in locs)
    assert not any("404" in loc for loc in locs)
    html_files = {p.relative_to(out).as_posix() for p in out.rglob("*.html")} - {"404.html"}
    assert len(locs) == len(html_files)
    assert "Sitemap: https://example.org/news/sitemap.xml" in (out / "robots.txt").read_text()
    not_found = (out / "404.html").read_text()
    assert 'href="/news/archive/"' in not_found  # served at any depth: links start at base_url's path


def test_static_files_and_no_external_requests(full_site):
    _, out, _ = full_site
    assert (out / "static" / "css" / "style.css").exists()
    for page in out.rglob("*.html"):
        parsed = parse_page(page)
        for asset in parsed.assets:
            assert not asset.startswith(("http:", "https:", "//")), f"{page} loads {asset}"


def test_same_input_gives_byte_identical_output(site_copy, tmp_path):
    site = site_copy("full")

    def digest(folder: Path) -> dict[str, str]:
        return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    build_site(site, tmp_path / "one")
    build_site(site, tmp_path / "two")
    assert digest(tmp_path / "one") == digest(tmp_path / "two")


def test_base_url_override_changes_absolute_urls_only(site_copy, tmp_path):
    site = site_copy("full")
    build_site(site, tmp_path / "out", base_url="https://mirror.example.net/")
    assert "https://mirror.example.net/2025/09/11/" in (tmp_path / "out" / "feed.xml").read_text()
    assert 'href="../../../../countries/belarus/"' in (tmp_path / "out" / ARTICLE_A1).read_text()


def test_site_templates_override_the_theme_by_file_name(site_copy, tmp_path):
    site = site_copy("minimal")
    (site / "templates").mkdir()
    (site / "templates" / "home.html").write_text(
        "{% extends 'base.html' %}{% block content %}<p>Custom home: {{ days | length }} day</p>{% endblock %}")
    (site / "static" / "css").mkdir(parents=True)
    (site / "static" / "css" / "style.css").write_text("body { color: red; }")
    build_site(site, tmp_path / "out")
    assert "Custom home: 1 day" in (tmp_path / "out" / "index.html").read_text()
    assert (tmp_path / "out" / "static" / "css" / "style.css").read_text() == "body { color: red; }"
    # templates not overridden still come from the theme
    assert "Hello world" in (tmp_path / "out" / "2024" / "03" / "01" / "hello-world" / "index.html").read_text()


def test_slug_clash_keeps_both_articles(site_copy, tmp_path):
    site = site_copy("minimal")
    write_article(site, "again.md", "---\ntitle: Hello world\ndate: 2024-03-01T12:00:00\n---\nA second one.\n")
    result = build_site(site, tmp_path / "out")
    day = tmp_path / "out" / "2024" / "03" / "01"
    assert (day / "hello-world" / "index.html").exists()
    assert "A second one." in (day / "hello-world-2" / "index.html").read_text()
    assert len(result.warnings) == 1 and "hello-world-2" in result.warnings[0].message


def test_custom_permalink_pattern(site_copy, tmp_path):
    site = site_copy("minimal")
    (site / "site.yaml").write_text("title: M\nbase_url: https://example.org/\npermalink: 'news/{slug}.html'\n")
    build_site(site, tmp_path / "out")
    page = tmp_path / "out" / "news" / "hello-world.html"
    assert page.exists()
    assert "../static/css/style.css" in page.read_text()
    assert "news/hello-world.html" in parse_page(tmp_path / "out" / "index.html").links


def test_empty_site_builds(site_copy, tmp_path):
    site = site_copy("minimal")
    (site / "content" / "articles" / "hello.md").unlink()
    build_site(site, tmp_path / "out")
    assert "No articles yet." in (tmp_path / "out" / "index.html").read_text()


def test_future_dated_articles_can_be_held_back(site_copy, tmp_path):
    from datetime import UTC, datetime

    site = site_copy("full")
    result = build_site(site, tmp_path / "out", published_before=datetime(2025, 9, 11, 8, 0, tzinfo=UTC))
    assert result.articles == 4  # a1 (07:00 UTC) is in, a2 (09:30 UTC) is not yet
    assert "Lithuania thanks Washington" not in (tmp_path / "out" / "index.html").read_text()
    assert (tmp_path / "out" / "2025/09/11/belarus-frees-prisoners/index.html").exists()


def test_term_pages_link_both_of_their_feeds(full_site):
    _, out, _ = full_site
    page = parse_page(out / "countries" / "kenya" / "index.html")
    assert "../../countries/kenya/feed.xml" in page.links and "../../countries/kenya/feed.json" in page.links
    assert (out / "countries" / "kenya" / "feed.json").exists()
