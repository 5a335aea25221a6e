"""A multilingual site (site.yaml's `languages:`): each language's pages list only its articles, translations
link each other with hreflang alternates, every page is reachable and no link is broken, Pagefind indexes
each language apart; a site in one language is untouched by an article's `language:`."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import quote, unquote, urljoin, urlparse

import pytest
from test_links import crawl

from dateline.build import build_site
from dateline.search import SearchIndexer

from conftest import PageParser

BASE = "https://example.org/news/"
RIGA = {"en": "2025/09/11/latvia-reopens-two-border-crossings-with-belarus/",
        "fr": "fr/2025/09/11/la-lettonie-rouvre-deux-postes-frontieres-avec-le-belarus/",
        "ar": "ar/2025/09/11/لاتفيا-تعيد-فتح-معبرين-حدوديين-مع-بيلاروس/"}
# the articles of each language, by a word of their title
TITLES = {"en": ["Latvia reopens", "Lithuania signs", "Estonia presents"],
          "fr": ["La Lettonie rouvre", "L'Estonie présente"],
          "ar": ["لاتفيا تعيد فتح"]}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    import shutil

    from conftest import FIXTURES

    site = tmp_path_factory.mktemp("multilingual") / "site"
    shutil.copytree(FIXTURES / "multilingual", site)
    search = SearchIndexer()
    build_site(site, site / "output", after_render=search)
    assert search.problem is None, search.problem
    return site / "output"


def page(out: Path, path: str) -> PageParser:
    parser = PageParser()
    parser.feed((out / path).read_text(encoding="utf-8"))
    return parser


def titles_in(text: str) -> set[str]:
    text = re.sub(r"\\u([0-9a-f]{4})", lambda escape: chr(int(escape.group(1), 16)), html.unescape(text))  # JSON
    return {title for titles in TITLES.values() for title in titles if title in text}


@pytest.mark.parametrize(("language", "folder"), [("en", ""), ("fr", "fr/"), ("ar", "ar/")])
def test_each_languages_pages_and_feeds_show_only_its_articles(built, language, folder):
    own = set(TITLES[language])
    home = built / folder / "index.html"
    assert page(built, f"{folder}index.html").lang == language
    assert titles_in(home.read_text(encoding="utf-8")) == own
    for feed in ("feed.xml", "feed.json"):
        assert titles_in((built / folder / feed).read_text(encoding="utf-8")) == own
    feed = ET.parse(built / folder / "feed.xml").getroot()
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == language
    latvia = (built / folder / "countries" / "latvia" / "index.html").read_text(encoding="utf-8")
    assert titles_in(latvia) == {t for t in own if "Lett" in t or "Latvia" in t or "لاتفيا" in t}
    for term_feed in (built / folder / "countries").rglob("feed.xml"):
        assert titles_in(term_feed.read_text(encoding="utf-8")) <= own
    day = (built / folder / "2025" / "09" / "11" / "index.html").read_text(encoding="utf-8")
    assert titles_in(day) == {t for t in own if "Lett" in t or "Latvia" in t or "لاتفيا" in t}


def test_terms_of_one_language_are_not_in_another(built):
    assert (built / "tags" / "energy" / "index.html").is_file()
    assert not (built / "fr" / "tags" / "energy").exists()  # no French article is about energy
    assert (built / "fr" / "tags" / "frontieres" / "index.html").is_file()
    assert not (built / "tags" / "frontieres").exists()
    assert (built / "fr" / "countries" / "estonia" / "index.html").is_file()
    assert not (built / "ar" / "countries" / "estonia").exists()


def alternates(out: Path, path: str) -> dict[str, str]:
    return {attributes["hreflang"]: attributes["href"] for tag, attributes in page(out, path).tags
            if tag == "link" and attributes.get("rel") == "alternate" and attributes.get("hreflang")}


def test_translations_name_each_other_with_absolute_hreflang_alternates(built):
    expected = {code: BASE + url for code, url in RIGA.items()} | {"x-default": BASE + RIGA["en"]}
    for url in RIGA.values():
        assert alternates(built, url + "index.html") == expected
    for url in expected.values():  # each alternate is a page of the site
        assert (built / urlparse(url).path.removeprefix("/news/") / "index.html").is_file()
    # an article without a translation has none; the English budget story's French version has no key
    assert alternates(built, "2025/09/12/lithuania-signs-energy-deal-with-poland/index.html") == {}
    assert alternates(built, "2025/09/13/estonia-presents-an-austerity-budget/index.html") == {}
    # list pages in every language name each other too
    assert alternates(built, "fr/tags/index.html") == {"en": BASE + "tags/", "fr": BASE + "fr/tags/",
                                                       "ar": BASE + "ar/tags/", "x-default": BASE + "tags/"}
    assert alternates(built, "tags/budget/index.html") == {"en": BASE + "tags/budget/", "fr": BASE + "fr/tags/budget/",
                                                          "x-default": BASE + "tags/budget/"}


def test_the_article_page_links_its_other_languages_by_their_own_names(built):
    html = (built / RIGA["fr"] / "index.html").read_text(encoding="utf-8")
    switcher = re.search(r'<p class="languages[^"]*">(.*?)</p>', html, re.S).group(1)
    assert '<span aria-current="page" lang="fr">Français</span>' in switcher
    links = dict(re.findall(r'<a href="([^"]+)" hreflang="(\w+)" lang="\w+">', switcher))
    assert {hreflang: href for href, hreflang in links.items()} == {
        "en": "../../../../../" + RIGA["en"], "ar": "../../../../../" + RIGA["ar"]}
    assert ">English</a>" in switcher and ">العربية</a>" in switcher
    assert "Français" not in (built / "2025/09/12/lithuania-signs-energy-deal-with-poland/index.html").read_text(
        encoding="utf-8")


def test_each_language_has_its_title_and_links_within_its_folder(built):
    html = (built / "fr" / "index.html").read_text(encoding="utf-8")
    assert "<title>Fil balte</title>" in html and "Baltic Wire" not in html
    parser = page(built, "fr/index.html")
    inside = [urlparse(urljoin("http://host/fr/index.html", link)).path.removeprefix("/")
              for link in parser.links if not link.startswith(("http", "#"))]
    assert len(inside) > 10
    # its own pages are under fr/; the other languages' only through the language links
    assert {link for link in inside if not link.startswith("fr/")} == {"", "ar/"}
    assert page(built, "ar/index.html").lang == "ar"


def test_no_broken_link_and_every_page_reachable(built, http_server):
    seen, broken = crawl(http_server(built, "/news/"))
    assert broken == []
    pages = {p.relative_to(built).as_posix() for p in built.rglob("*.html")} - {"404.html"}
    reached = {urlparse(u).path[len("/news/"):] for u in seen}
    reached = {r + "index.html" if r == "" or r.endswith("/") else r for r in reached}
    assert pages - {unquote(r) for r in reached} == set()


def test_sitemap_lists_every_language_with_its_alternates(built):
    root = ET.parse(built / "sitemap.xml").getroot()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    entries = {url.find("s:loc", ns).text: {link.get("hreflang"): link.get("href")
                                            for link in url.findall("x:link", ns)}
               for url in root.findall("s:url", ns)}
    assert BASE + "fr/" in entries and BASE + "ar/" in entries
    expected = {code: BASE + url for code, url in RIGA.items()} | {"x-default": BASE + RIGA["en"]}
    for url in RIGA.values():
        assert entries[BASE + url] == expected
    assert entries[BASE + "2025/09/12/lithuania-signs-energy-deal-with-poland/"] == {}
    news = (built / "news-sitemap.xml").read_text(encoding="utf-8")
    assert "<news:language>fr</news:language>" in news and "<news:language>ar</news:language>" in news
    assert not (built / "fr" / "404.html").exists() and not (built / "fr" / "robots.txt").exists()


def test_pagefind_indexes_each_language_apart(built):
    entry = json.loads((built / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert {code: language["page_count"] for code, language in entry["languages"].items()} == \
        {"en": 3, "fr": 2, "ar": 1}
    for folder in ("", "fr/", "ar/"):  # each language's search page loads the one index
        assert 'data-bundle="' in (built / folder / "search" / "index.html").read_text(encoding="utf-8")


def test_a_site_in_one_language_files_every_article_as_before(site_copy, tmp_path):
    site = site_copy("full")
    before = tmp_path / "before"
    build_site(site, before)
    article = next((site / "content" / "articles").rglob("a2.md"))
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("\n---\n", "\nlanguage: fr\ntranslation_key: k\n---\n", 1), encoding="utf-8")
    after = tmp_path / "after"
    build_site(site, after)
    files = lambda out: {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}  # noqa: E731
    assert files(before) == files(after)


def test_each_language_searches_its_own_articles_and_its_pages_are_accessible(built, http_server, browser):
    """In Chromium: the French search page finds French stories only, and the pages with language links (an
    Arabic one right to left) have no axe-core violation."""
    from axe_playwright_python.sync_playwright import Axe

    base = http_server(built, "/news/")
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(base + "fr/search/?q=Estonie")
        page.locator(".search-result").first.wait_for()
        found = page.locator(".search-result").all_inner_texts()
        assert found and all("Estonie" in text for text in found), found
        assert "Estonie" in found[0] and "🇪🇪 Estonie" in found[0]  # its country named in French
        for query in ("budget", "austerity"):  # an English story has the word: the French index has not
            page.goto(base + "fr/search/?q=" + query)
            page.wait_for_function("document.querySelector('#search-status').textContent.trim() !== ''")
            shown = page.locator(".search-result").all_inner_texts()
            assert all(titles_in(text) <= set(TITLES["fr"]) for text in shown), shown
        assert titles_in(" ".join(shown)) != {"Estonia presents"}
        problems = []
        for path in ("fr/", quote(RIGA["fr"]), quote(RIGA["ar"]), "ar/", "tags/budget/"):
            page.goto(base + path)
            results = Axe().run(page)
            if results.violations_count:
                problems.append(f"{path}:\n{results.generate_report()}")
        assert not problems, "\n".join(problems)
    finally:
        context.close()
