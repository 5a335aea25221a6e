"""`serve` in a real browser (Debian's headless chromium): pages reload by themselves, errors show over the page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from test_serve import BELARUS_PAGE, DEADLINE, edit_article, make_site, running_preview, state

WAIT_MS = DEADLINE * 1000


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        yield page
    finally:
        context.close()


@contextmanager
def _explained(preview) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """On a browser timeout, say what the server last did."""
    try:
        yield
    except Exception as exc:
        raise AssertionError(f"{exc}\nserver state: {state(preview)}\nlog: {preview.logs}") from exc


def _mark(page) -> None:  # type: ignore[no-untyped-def]
    """A flag that lives as long as this document: gone after a reload."""
    page.evaluate("window.__notReloaded = true")


def _connected(page) -> None:  # type: ignore[no-untyped-def]
    """Wait until the page's event stream is open, so no build can slip by unseen."""
    page.wait_for_function("() => window.__datelineState !== undefined")


def test_page_reloads_by_itself_after_an_edit(tmp_path: Path, page) -> None:  # type: ignore[no-untyped-def]
    site = make_site(tmp_path, base_url="https://example.org/news/")
    with running_preview(site) as preview:
        page.goto(preview.url + BELARUS_PAGE)
        assert "Minsk freed 52 prisoners" in page.inner_text("main")
        _mark(page)
        _connected(page)
        edit_article(site, "belarus.md", "Minsk freed 52 prisoners", "Minsk freed 61 prisoners")
        with _explained(preview):
            page.wait_for_function("() => document.querySelector('main')?.innerText.includes('Minsk freed 61')")
        assert page.evaluate("window.__notReloaded") is None  # a real reload, not a patch of the DOM
        _connected(page)  # and again at once: two builds within one second must not leave the older page
        edit_article(site, "belarus.md", "Minsk freed 61 prisoners", "Minsk freed 62 prisoners")
        with _explained(preview):
            page.wait_for_function("() => document.querySelector('main')?.innerText.includes('Minsk freed 62')")


def test_error_overlay_appears_and_clears(tmp_path: Path, page) -> None:  # type: ignore[no-untyped-def]
    site = make_site(tmp_path)
    with running_preview(site) as preview:
        page.goto(preview.url + BELARUS_PAGE)
        _connected(page)
        template = site / "templates" / "article.html"
        template.parent.mkdir()
        template.write_text('{% extends "default/article.html" %}\n{% block content %}\n{{ oops( }}\n{% endblock %}\n',
                            encoding="utf-8")
        overlay = page.locator("#dateline-build-error")
        with _explained(preview):
            overlay.wait_for(state="visible")
        text = overlay.inner_text()
        assert "templates/article.html:3" in text and "template error" in text
        assert "Minsk freed 52 prisoners" in page.inner_text("main")  # the last good build under it
        template.write_text('{% extends "default/article.html" %}\n{% block content %}\n<p>Fixed template</p>\n'
                            '{% endblock %}\n', encoding="utf-8")
        with _explained(preview):
            page.wait_for_function("() => document.body.innerText.includes('Fixed template')")
        assert page.locator("#dateline-build-error").count() == 0


def test_a_page_opened_while_the_build_is_broken_shows_the_error(tmp_path: Path,
                                                                 page) -> None:  # type: ignore[no-untyped-def]
    site = make_site(tmp_path)
    with running_preview(site) as preview:
        edit_article(site, "kenya.md", "date: 2025-09-09", "date: 2025-02-30")
        page.goto(preview.url)
        page.locator("#dateline-build-error").wait_for(state="visible")
        assert "content/articles/kenya.md:4" in page.locator("#dateline-build-error").inner_text()
        _mark(page)
        edit_article(site, "kenya.md", "date: 2025-02-30", "date: 2025-09-09")
        page.wait_for_function("() => !window.__notReloaded && !document.getElementById('dateline-build-error')")


def test_stylesheet_change_is_swapped_without_a_reload(tmp_path: Path, page) -> None:  # type: ignore[no-untyped-def]
    site = make_site(tmp_path)
    (site / "templates").mkdir()
    (site / "templates" / "base.html").write_text(
        '{% extends "default/base.html" %}{% block head %}'
        '<link rel="stylesheet" href="{{ url(\'static/extra.css\') }}">{% endblock %}', encoding="utf-8")
    (site / "static" / "extra.css").write_text("body { background: rgb(255, 255, 255) }\n", encoding="utf-8")
    with running_preview(site) as preview:
        page.goto(preview.url)
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(255, 255, 255)"
        _mark(page)
        _connected(page)
        (site / "static" / "extra.css").write_text("body { background: rgb(1, 2, 3) }\n", encoding="utf-8")
        page.wait_for_function("() => getComputedStyle(document.body).backgroundColor === 'rgb(1, 2, 3)'")
        assert page.evaluate("window.__notReloaded") is True
