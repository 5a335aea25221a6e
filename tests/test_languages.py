"""Sites in French, Spanish, German, Portuguese and Arabic (tests/fixtures/sites/language-*), built and read as
their readers would: every theme string, date and country name in the site's language, in Debian's chromium;
Arabic right to left, mirrored and axe-core clean; URLs, feeds and structured data the same in every language."""

from __future__ import annotations

import functools
import html
import http.server
import json
import re
import shutil
import threading
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from dateline.build import build_site
from dateline.i18n import LOCALES_DIR
from dateline.search import SearchIndexer

from conftest import FIXTURES, _PrefixHandler, write_article

LANGUAGES = ["fr", "es", "de", "pt", "ar"]
# Every kind of page these sites have (a folded index's letter pages need 350 terms: tests/test_accessibility.py)
PAGES = ["", "page/2/", "2025/09/11/", "archive/", "countries/", "countries/germany/", "countries/portugal/",
         "tags/", "sources/", "search/", "404.html"]
# What a reader of each language reads (CLDR's dates, pycountry's and our country names), never the English
EXPECTED = {
    "fr": {"day": "jeudi 11 septembre 2025", "when": "11 septembre 2025 à 12:30 (UTC+03:00)",
           "germany": "Allemagne", "belarus": "Bélarus", "latest": "Actualités", "word": "Lituanie"},
    "es": {"day": "jueves, 11 de septiembre de 2025", "when": "11 de septiembre de 2025, 12:30 (UTC+03:00)",
           "germany": "Alemania", "belarus": "Bielorrusia", "latest": "Última hora", "word": "Lituania"},
    "de": {"day": "Donnerstag, 11. September 2025", "when": "11. September 2025, 12:30 (UTC+03:00)",
           "germany": "Deutschland", "belarus": "Belarus", "latest": "Aktuell", "word": "Litauen"},
    "pt": {"day": "quinta-feira, 11 de setembro de 2025", "when": "11 de setembro de 2025, 12:30 (UTC+03:00)",
           "germany": "Alemanha", "belarus": "Bielorrússia", "latest": "Últimas", "word": "Lituânia"},
    "ar": {"day": "الخميس، 11 سبتمبر 2025", "when": "11 سبتمبر 2025، 12:30 م (UTC+03:00)",
           "germany": "ألمانيا", "belarus": "بيلاروس", "latest": "الأحدث", "word": "ليتوانيا"},
}


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """Each language's site built with its search index: code -> output folder."""
    root = tmp_path_factory.mktemp("languages")
    built = {}
    for code in LANGUAGES:
        site = root / code
        shutil.copytree(FIXTURES / f"language-{code}", site)
        search = SearchIndexer()
        build_site(site, root / f"out-{code}", after_render=search)
        assert search.problem is None, search.problem
        built[code] = root / f"out-{code}"
    return built


def read(out: Path, path: str) -> str:
    return (out / (path + "index.html" if not path or path.endswith("/") else path)).read_text(encoding="utf-8")


def article_path(out: Path, day: str) -> str:
    """The path of the newest article of DAY ("2025/09/11")."""
    found = sorted(p.parent.relative_to(out).as_posix() + "/" for p in (out / day).glob("*/index.html"))
    assert found, day
    return found[0]


@pytest.mark.parametrize("code", LANGUAGES)
def test_pages_say_their_language_and_direction(sites, code):
    home = read(sites[code], "")
    direction = ' dir="rtl"' if code == "ar" else ""
    assert f'<html lang="{code}"{direction}>' in home
    assert EXPECTED[code]["latest"] in home


@pytest.mark.parametrize("code", LANGUAGES)
def test_dates_in_the_language_feeds_and_structured_data_in_iso(sites, code):
    out = sites[code]
    assert EXPECTED[code]["day"] in read(out, "")
    budget = next(p for p in (out / "2025/09/11").glob("*/index.html")
                  if re.search(r"<h1[^>]*>[^<]*2026", p.read_text(encoding="utf-8")))  # the budget's story
    page = budget.read_text(encoding="utf-8")
    assert EXPECTED[code]["when"] in re.sub(r"<[^>]+>", "", page)
    data = json.loads(re.search(r'<script type="application/ld\+json">\s*(.*?)\s*</script>', page, re.S).group(1))
    assert data["datePublished"] == "2025-09-11T12:30:00+03:00" and data["inLanguage"] == code
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    assert f'xml:lang="{code}"' in feed and "<published>2025-09-11T12:30:00+03:00</published>" in feed
    assert '"date_published": "2025-09-11T12:30:00+03:00"' in (out / "feed.json").read_text(encoding="utf-8")
    assert "<lastmod>" not in feed  # nothing of a sitemap's sneaked into the feed, and dates stay ISO there too
    assert re.search(r"<news:publication_date>2025-09-1\dT", (out / "news-sitemap.xml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("code", LANGUAGES)
def test_country_names_in_the_language_at_their_english_urls(sites, code):
    out, names = sites[code], EXPECTED[code]
    germany = read(out, "countries/germany/")  # the URL is the English name's, in every language
    assert f"{names['germany']}</h1>" in germany
    assert f"{names['germany']}</a>" in read(out, "countries/")  # the index
    chips = read(out, article_path(out, "2025/09/11"))
    assert names["belarus"] in chips or names["germany"] in chips  # the article's chips
    assert f'data-pagefind-filter="country:{names["germany"]}"' in read(out, article_path(out, "2025/09/11")) + \
        "".join(p.read_text(encoding="utf-8") for p in (out / "2025/09/11").glob("*/index.html"))
    feed = (out / "countries/germany/feed.xml").read_text(encoding="utf-8")
    assert f": {names['germany']}</title>" in feed and f'label="{names["germany"]}"' in feed
    if code != "de":  # German writes Belarus as English does
        assert ">Germany<" not in germany and "Belarus</a>" not in read(out, "countries/")


def test_indexes_follow_each_languages_alphabet(sites):
    spanish = re.sub(r"<[^>]+>", " ", read(sites["es"], "tags/"))
    # ñ is a letter of its own, after n: Nicaragua before Ñuñoa, and Ñ has its place in the jump bar
    assert spanish.index("Nicaragua") < spanish.index("Ñuñoa") and re.search(r"\bN\b.*\bÑ\b.*\bO\b", spanish, re.S)
    german = re.sub(r"<[^>]+>", " ", read(sites["de"], "tags/"))
    assert german.index("Äpfel") < german.index("Diplomatie") < german.index("Ozeane")  # Ä with the A's
    arabic = read(sites["ar"], "tags/")
    # the article "ال" is not part of the order: المناخ (the climate) is under م, after دبلوماسية
    assert arabic.index("دبلوماسية") < arabic.index('id="group-م"') < arabic.index("المناخ")
    french = re.sub(r"<[^>]+>", " ", read(sites["fr"], "countries/"))
    assert french.index("Allemagne") < french.index("Autriche") < french.index("Émirats")  # É with the E's


def test_numbers_take_the_languages_plural_forms(sites):
    assert "12 دولة" in read(sites["ar"], "countries/")  # 11 to 99: the singular, with tanween where it shows
    assert "2 articles" in read(sites["fr"], "") and "2 Meldungen" in read(sites["de"], "")


def english_pieces(code: str) -> list[str]:
    """The English catalog's strings, cut at their placeholders and markup, that the catalog of CODE words
    otherwise: none of them may show on that language's pages."""
    def messages(name):
        with (LOCALES_DIR / f"{name}.po").open("rb") as po:
            return {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m.string for m in read_po(po) if m.id}
    english, other = messages("en"), messages(code)
    pieces = set()
    for key, string in english.items():
        translated = " ".join(other[key]) if isinstance(other[key], tuple) else other[key]
        for form in string if isinstance(string, tuple) else (string,):
            for piece in re.split(r"%\(\w+\)s|<[^>]+>|[.:;,()“”→←+]", form):
                piece = piece.strip()
                if len(re.findall(r"[A-Za-z]", piece)) >= 3 and piece not in translated:
                    pieces.add(piece)
    return sorted(pieces, key=len, reverse=True)


def test_a_large_index_and_its_letter_pages_in_the_language(tmp_path):
    """400 tags used once: the index folds them onto a page per letter (terms-group.html), in French too."""
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "language-fr", site)
    for number in range(40):
        tags = ", ".join(f"sujet {chr(97 + (number + k) % 26)}{number}-{k}" for k in range(10))
        write_article(site, f"extra-{number}.md", f"---\ntitle: Dépêche {number}\ntags: [{tags}]\n"
                                                  f"date: 2025-09-0{1 + number % 7}\n---\n\nTexte.\n")
    out = tmp_path / "out"
    build_site(site, out)
    letters = sorted((out / "tags/a-z").glob("*/index.html"))
    assert letters, "no letter pages"
    pieces = english_pieces("fr")
    for page in [out / "tags/index.html", *letters]:
        text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page.read_text(encoding="utf-8"))))
        assert not [p for p in pieces if re.search(rf"(?<![\w]){re.escape(p)}(?![\w])", text)], page
    index = re.sub(r"<[^>]+>", " ", (out / "tags/index.html").read_text(encoding="utf-8"))
    assert "les termes employés une seule fois figurent sur la page de leur lettre" in index
    assert "Index complet des mots-clés, les plus fréquents d’abord" in letters[0].read_text(encoding="utf-8")


VISIBLE_TEXT = """() => [document.title, document.body.innerText,
  ...[...document.querySelectorAll('[aria-label], [placeholder], [title], [alt]')].flatMap(
    e => ['aria-label', 'placeholder', 'title', 'alt'].map(a => e.getAttribute(a) || '')),
  document.querySelector('meta[name=description]').content].join('\\n')"""


@pytest.fixture(scope="module")
def served(sites):
    servers, bases = [], {}
    for code, out in sites.items():
        handler = type("Handler", (_PrefixHandler,), {"prefix": "/news/"})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(out)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        bases[code] = f"http://127.0.0.1:{server.server_address[1]}/news/"
    yield bases
    for server in servers:
        server.shutdown()
        server.server_close()


def page_types(out: Path) -> list[str]:
    return [*PAGES, article_path(out, "2025/09/11"), article_path(out, "2025/09/10"),
            next(p.parent.relative_to(out).as_posix() + "/" for p in sorted((out / "tags").glob("*/index.html")))]


def show_everything(page, path: str, code: str) -> None:
    """What a reader opens: the search's filters, results and its status, a teaser's summary."""
    if path.startswith("search/"):
        page.locator("#search-query").fill(EXPECTED[code]["word"])  # a word of an article's text
        page.locator(".search-result").first.wait_for()
        page.locator("#search-filters > summary").click()
        page.locator(".facet input[type=checkbox]").first.wait_for()
    else:
        summaries = page.locator(".teaser-summary > summary")
        for index in range(summaries.count()):
            summaries.nth(index).click()


@pytest.mark.parametrize("code", LANGUAGES)
def test_no_english_theme_string_is_left_on_any_page(browser, sites, served, code):
    pieces = english_pieces(code)
    assert "Latest news" in pieces and "Also mentioned in" in pieces
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(20_000)
    found, seen = {}, ""
    try:
        for path in page_types(sites[code]):
            page.goto(served[code] + path)
            show_everything(page, path, code)
            text = page.evaluate(VISIBLE_TEXT)
            seen += text
            for piece in pieces:
                if re.search(rf"(?<![\w]){re.escape(piece)}(?![\w])", text):
                    found.setdefault(path or "home", []).append(piece)
        page.goto(served[code] + "search/?q=zzzzqqq")  # no result: the status line
        page.wait_for_function("document.getElementById('search-status').textContent.length > 0")
        status = page.locator("#search-status").inner_text()
        assert "No results" not in status and "zzzzqqq" in status
        seen += status
    finally:
        context.close()
    assert not found, found
    assert EXPECTED[code]["day"] in seen and EXPECTED[code]["germany"] in seen


def test_arabic_pages_mirror(browser, sites, served):
    """Right to left: the masthead starts at the right edge, the menu runs leftwards, a teaser's summary button
    sits at its left; the French site, left to right, the other way round."""
    def layout(code):
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        try:
            page.goto(served[code])
            wrap = page.locator(".site-header .wrap").bounding_box()
            title = page.locator(".site-title").bounding_box()
            items = page.locator(".site-header nav li")
            first, last = items.first.bounding_box(), items.last.bounding_box()
            teaser = page.locator(".teaser").first.bounding_box()
            button = page.locator(".teaser-summary > summary").first.bounding_box()
            direction = page.evaluate("getComputedStyle(document.body).direction")
        finally:
            context.close()
        return wrap, title, first, last, teaser, button, direction

    wrap, title, first, last, teaser, button, direction = layout("ar")
    assert direction == "rtl"
    assert abs((title["x"] + title["width"]) - (wrap["x"] + wrap["width"])) < 20 and title["x"] > wrap["x"] + 40
    assert first["x"] > last["x"]
    assert button["x"] < teaser["x"] + teaser["width"] / 2
    wrap, title, first, last, teaser, button, direction = layout("fr")
    assert direction == "ltr" and abs(title["x"] - wrap["x"]) < 20 and first["x"] < last["x"]
    assert button["x"] > teaser["x"] + teaser["width"] / 2


def test_arabic_pages_have_no_accessibility_violation(browser, sites, served):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    problems = []
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
        page = context.new_page()
        page.set_default_timeout(20_000)
        try:
            for path in page_types(sites["ar"]):
                page.goto(served["ar"] + path)
                show_everything(page, path, "ar")
                results = axe.run(page)
                if results.violations_count:
                    problems.append(f"{scheme} {path or 'home'}:\n{results.generate_report()}")
        finally:
            context.close()
    assert not problems, "\n".join(problems)
