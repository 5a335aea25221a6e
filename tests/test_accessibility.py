"""Every kind of page as readers meet it: axe-core (axe-playwright-python) in Debian's chromium, in light and dark
colour schemes, at a desktop's and a phone's width, served under a subpath, with no violation allowed."""

from __future__ import annotations

import pytest

from dateline.build import build_site
from dateline.config import load_config
from dateline.scaffold import SITE_YAML
from dateline.search import SearchIndexer

from conftest import write_article

VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
A1 = "2025/09/11/belarus-frees-prisoners/"


@pytest.fixture(scope="module")
def served(tmp_path_factory, request):
    """The full fixture site declaring the taxonomies of a site made by `new` (countries with the mentioned
    tier, tags, sources, people, organisations), with enough tags for a folded tags index, built with its
    search index and served under /news/ by a real HTTP server: (base URL, the pages to check)."""
    import functools
    import http.server
    import shutil
    import threading

    from conftest import FIXTURES, _PrefixHandler

    root = tmp_path_factory.mktemp("accessible")
    site = root / "full"
    shutil.copytree(FIXTURES / "full", site)
    declared = SITE_YAML[SITE_YAML.index("taxonomies:\n"):SITE_YAML.index("# Topic tags")]
    with (site / "site.yaml").open("a", encoding="utf-8") as settings:
        settings.write(declared)
    for number in range(40):  # 400 tags used once: the index folds them onto letter pages
        tags = ", ".join(f"topic {chr(97 + (number + k) % 26)}{number}-{k}" for k in range(10))
        write_article(site, f"extra-{number}.md", f"---\ntitle: Extra story {number}\ntags: [{tags}]\n"
                                                  f"date: 2025-09-0{1 + number % 7}\nsource: AFP\n"
                                                  f"people: [Person {number % 4}]\norganisations: [Body {number % 3}]\n"
                                                  f"mentioned_countries: [Lithuania, Germany]\n---\n\nText.\n")
    out = root / "out"
    search = SearchIndexer()
    build_site(site, out, after_render=search)
    assert search.problem is None, search.problem
    letter = sorted(p.parent.relative_to(out).as_posix() for p in out.glob("tags/a-z/*/index.html"))[0]
    assert "Also mentioned in" in (out / "countries/lithuania/index.html").read_text(encoding="utf-8")
    pages = ["", "page/2/", A1, "2025/09/11/", "archive/", "tags/diplomacy/", f"{letter}/", "countries/lithuania/",
             "search/?q=Lithuania", "404.html"]
    taxonomies = load_config(site).taxonomies
    assert [t.name for t in taxonomies] == ["countries", "tags", "sources", "people", "organisations"]
    for taxonomy in taxonomies:  # every declared taxonomy's index, and a term's page
        terms = sorted(p.parent.name for p in (out / taxonomy.name).glob("*/index.html") if p.parent.name != "a-z")
        pages += [f"{taxonomy.name}/", f"{taxonomy.name}/{terms[0]}/"]
    handler = type("Handler", (_PrefixHandler,), {"prefix": "/news/"})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(handler, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    request.addfinalizer(lambda: (server.shutdown(), server.server_close()))
    return f"http://127.0.0.1:{server.server_address[1]}/news/", list(dict.fromkeys(pages))


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_no_page_has_an_accessibility_violation(browser, served, scheme, viewport):
    from axe_playwright_python.sync_playwright import Axe

    base, pages = served
    axe = Axe()
    context = browser.new_context(viewport=VIEWPORTS[viewport], color_scheme=scheme)
    page = context.new_page()
    page.set_default_timeout(20_000)
    problems = []
    try:
        for path in pages:
            page.goto(base + path)
            if path.startswith("search/"):  # results shown, and the filters open with their checkboxes
                page.locator(".search-result").first.wait_for()
                page.locator("#search-filters > summary").click()
                page.locator(".facet input[type=checkbox]").first.wait_for()
            else:  # a summary opened, as a reader would
                opened = page.locator(".teaser-summary > summary")
                if opened.count():
                    opened.first.click()
            results = axe.run(page)
            if results.violations_count:
                problems.append(f"{path or 'home'}:\n{results.generate_report()}")
    finally:
        context.close()
    assert not problems, "\n".join(problems)

