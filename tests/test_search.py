"""Search: Pagefind indexes the built site; in Chromium, typing a country's name finds its articles, also
under a subpath; without a working binary the build says so and the site works without search."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from dateline.build import build_site
from dateline.check import check_output
from dateline.publish import checked_build
from dateline.search import SearchIndexer, has_index

from conftest import run_cli, write_article

WAIT_MS = 20_000


def test_the_index_is_built_before_the_swap_and_only_when_something_changed(site_copy, tmp_path):
    site = site_copy("full")
    out = tmp_path / "out"
    search = SearchIndexer()
    build_site(site, out, after_render=search)
    assert search.ran and search.problem is None and has_index(out)
    assert not (tmp_path / ".out.pagefind.tmp").exists()
    again = SearchIndexer()
    build_site(site, out, after_render=again)
    assert not again.ran and has_index(out)  # nothing changed: neither pages nor index are touched
    assert check_output(out, "https://example.org/news/") == []


def test_a_stale_index_left_by_a_plain_build_is_remade(site_copy):
    site = site_copy("full")
    now = datetime(2025, 9, 12, 12, 0, tzinfo=UTC)
    first = checked_build(site, now=now)
    assert first.search_problem is None and indexed_pages(first.build.output) == 5
    write_article(site, "extra.md", "---\ntitle: Extra story from Riga\ndate: 2025-09-11\n---\n\nRiga.\n")
    build_site(site)  # a plain build: no index, the two trees swap
    build_site(site)
    second = checked_build(site, now=now)  # nothing to render, but the index is of older pages
    assert indexed_pages(second.build.output) == 6
    unchanged = snapshot(second.build.output / "pagefind")
    assert snapshot(checked_build(site, now=now).build.output / "pagefind") == unchanged  # current: kept


def indexed_pages(output: Path) -> int:
    entry = json.loads((output / "pagefind" / "pagefind-entry.json").read_text())
    return sum(language["page_count"] for language in entry["languages"].values())


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_without_pagefind_the_check_says_so_and_the_site_still_works(site_copy, tmp_path, monkeypatch):
    site = site_copy("full")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    result = run_cli("check", "--site", str(site), "--now", "2025-09-12T12:00:00+03:00")
    assert result.returncode == 0, result.stderr
    assert "search: cannot run Pagefind" in result.stderr and "no search index" in result.stderr
    assert not (site / "output" / "pagefind").exists()
    assert check_output(site / "output", "https://example.org/news/") == []
    assert 'id="search-unavailable"' in (site / "output" / "search" / "index.html").read_text()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.requests = requests
    try:
        yield page
    finally:
        context.close()


def result_titles(page, expected: list[str]) -> list[str]:  # type: ignore[no-untyped-def]
    """The result titles once they stop arriving."""
    from playwright.sync_api import expect

    links = page.locator(".search-result .headline a")
    expect(links).to_have_count(len(expected))
    return sorted(links.all_inner_texts())


def test_typing_a_country_finds_its_articles_under_a_subpath(site_copy, tmp_path, http_server, page):
    site = site_copy("full")
    out = tmp_path / "out"
    build_site(site, out, after_render=SearchIndexer())
    start = http_server(out, "/news/")
    page.goto(start + "search/")
    page.get_by_label("Search the news").fill("Lithuania")  # a real label, not a placeholder
    expected = ["Belarus frees prisoners", "Lithuania thanks Washington"]
    assert result_titles(page, expected) == expected
    assert "q=Lithuania" in page.url  # the search can be shared
    page.locator(".search-result .headline a", has_text="Lithuania thanks Washington").click()
    page.wait_for_url(start + "2025/09/11/lithuania-thanks-washington/")
    assert all(url.startswith(start) for url in page.requests), "the search page loaded something from elsewhere"


def test_excerpts_show_the_text_not_the_headline_and_byline(site_copy, tmp_path, http_server, page):
    site = site_copy("full")
    out = tmp_path / "out"
    build_site(site, out, after_render=SearchIndexer())
    page.goto(http_server(out, "/") + "search/?q=Belarus")
    titles = result_titles(page, ["Belarus frees prisoners"])
    result = page.locator(".search-result").first
    assert titles == ["Belarus frees prisoners"]
    assert result.locator(".byline").inner_text() == "VILNIUS · AFP · 11 September 2025"
    excerpt = result.locator(".excerpt").inner_text()
    assert "Belarus freed 52 prisoners" in excerpt
    assert "Belarus frees prisoners" not in excerpt and "AFP" not in excerpt and "Published" not in excerpt
    assert result.locator(".excerpt mark").first.inner_text() == "Belarus"


def test_filters_by_country_tag_and_source(site_copy, tmp_path, http_server, page):
    site = site_copy("full")
    out = tmp_path / "out"
    build_site(site, out, after_render=SearchIndexer())
    page.goto(http_server(out, "/") + "search/?q=Brazil")
    assert result_titles(page, ["São Paulo stocks rally"]) == ["São Paulo stocks rally"]
    page.locator("#search-filters > summary").click()
    legends = page.locator(".facet legend").all_inner_texts()
    assert {"country", "tag", "source"} == {legend.strip().lower() for legend in legends}
    page.get_by_label("Search the news").fill("")
    page.locator(".facet", has_text="Source").get_by_label("Reuters").check()
    assert result_titles(page, ["Lithuania thanks Washington"]) == ["Lithuania thanks Washington"]
    assert "source=Reuters" in page.url


def test_a_filter_with_thousands_of_values_shows_a_few_and_finds_the_rest(site_copy, tmp_path, http_server, page):
    site = site_copy("full")
    for number in range(300):
        write_article(site, f"many-{number}.md", f"---\ntitle: Story {number}\ndate: 2025-09-01\n"
                                                 f"tags: [subject {number}, subject {number + 1}]\n---\n\nText.\n")
    out = tmp_path / "out"
    build_site(site, out, after_render=SearchIndexer())
    page.goto(http_server(out, "/") + "search/")
    from playwright.sync_api import expect

    page.locator("#search-filters > summary").click()
    tags = page.locator(".facet", has_text="Tag")
    expect(tags.locator("input[type=checkbox]")).to_have_count(6)  # the most used, not 300 checkboxes
    tags.get_by_label("Find a tag").fill("subject 27")

    expect(tags.get_by_label("subject 270 ")).to_be_visible()
    tags.get_by_label("subject 27 ", exact=False).first.check()
    expect(page.locator(".search-result")).to_have_count(2)  # stories 26 and 27
    assert sorted(page.locator(".search-result .headline a").all_inner_texts()) == ["Story 26", "Story 27"]


def test_results_take_the_room_kept_for_them(site_copy, tmp_path, http_server, page):
    """No layout shift while the index loads and the results arrive (Chromium's own measure, the CLS of
    Lighthouse), on a phone, in dark mode."""
    from playwright.sync_api import expect

    site = site_copy("full")
    for number in range(12):  # more results than one batch: a "More results" button under them
        write_article(site, f"more-{number}.md", f"---\ntitle: Riga story {number}\ndate: 2025-09-0{1 + number % 7}\n"
                                                 f"---\n\nNews from Lithuania and Latvia, number {number}.\n")
    out = tmp_path / "out"
    build_site(site, out, after_render=SearchIndexer())
    page.emulate_media(color_scheme="dark")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(http_server(out, "/") + "search/?q=Lithuania")
    expect(page.locator(".search-result")).to_have_count(10)
    expect(page.locator("#search-more")).to_be_visible()
    shift = page.evaluate("""() => new Promise(resolve => {
        let total = 0;
        new PerformanceObserver(list => {
            for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
        }).observe({type: "layout-shift", buffered: true});
        setTimeout(() => resolve(total), 500);  // the buffered shifts are delivered before that
    })""")
    assert shift < 0.01, shift
    colours = page.evaluate("""() => { const s = getComputedStyle(document.getElementById('search-query'));
        return [s.color, s.backgroundColor]; }""")
    assert colours[0] != colours[1] and colours[1] == "rgb(18, 20, 23)"  # the theme's dark background


def test_the_search_page_says_when_there_is_no_index(site_copy, tmp_path, http_server, page):
    site = site_copy("full")
    out = tmp_path / "out"
    build_site(site, out)  # no indexer: as a host would serve a site built without Pagefind
    page.goto(http_server(out, "/news/") + "search/")
    page.wait_for_selector("#search-unavailable:not([hidden])")
