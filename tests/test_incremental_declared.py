"""Incremental builds are correct by construction, for whatever taxonomies a site declares.

For every article field and every field of every declared taxonomy: change it, add to it, remove it, and
for the files: edit the body, add, remove and rename an article, move one in time, toggle a draft. After each
edit the incremental build must give byte for byte what a clean build gives. Page kinds read no more of an
article than they declare; page data holding an article's words is refused; the caches follow every
installed distribution's version; a background save that fails or is killed is reported.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from test_incremental import clean_build, contents, touch_later

from dateline.build import build_site
from dateline.config import load_config
from dateline.front_matter import KNOWN_KEYS
from dateline.pages import PAGE_KINDS, Placement, site_pages

from conftest import run_cli

# A new value for each key every article may have (a key added to front_matter.KNOWN_KEYS needs one here).
ARTICLE_VALUES = {
    "title": "A wholly new headline",
    "date": "2025-09-05T08:00:00+03:00",  # moves the article in time: other days, other neighbours
    "dateline": "Kaunas",
    "source": "BNS",
    "summary": "A new summary.",
    "slug": "a-new-slug",
    "draft": "true",
    "updated": "2025-09-13T10:00:00+03:00",
    "correction": "A new correction.",
    "lead": "true",  # leads its day: the front page and the day's page put it first
    "priority": "2",  # the most urgent of its day leads it
    "urgency": "3",  # the agency's urgency counts where no priority is given
    "image": "https://example.org/photos/vilnius.jpg",
    "image_alt": "The president at the lectern",
    # a multilingual site's other language (the multilingual fixture's edited article is French); a language
    # tag on a site in one language
    "language": "ar",
    # links the multilingual fixture's edited article to the English one with this key
    "translation_key": "tallinn-budget",
}
# Keys that decide where an article goes or how a list shows it besides the taxonomies' (Placement's fields).
MOVING_KEYS = {"date", "updated", "slug", "draft", "lead", "priority", "urgency", "language", "translation_key"}
NEW_TERM = {"text": "Fresh term", "country": "Iceland"}  # a value no article of the fixtures has, by kind
# The article each site's edits are made to, with most of the fields set.
EDITED = {"full": "a2.md", "declared": "vilnius.md", "multilingual": "2025-09-12-tallinn-budget.md"}


def front_matter(text: str) -> tuple[list[str], str]:
    """An article's front-matter lines and the rest of the file (from the closing '---')."""
    head, rest = text.split("\n---\n", 1) if not text.startswith("---\n---") else ("---", text[4:])
    return head.split("\n")[1:], "---\n" + rest


def with_key(text: str, key: str, value: str | None) -> str:
    """TEXT with the front-matter KEY set to VALUE (YAML text), or removed (None)."""
    lines, rest = front_matter(text)
    kept = [line for line in lines if not line.startswith(f"{key}:")]
    if value is not None:
        kept.append(f"{key}: {value}")
    return "---\n" + "\n".join(kept) + "\n" + rest


def value_of(text: str, key: str) -> list[str]:
    """The values KEY holds in TEXT's front matter, as a list."""
    lines, _ = front_matter(text)
    line = next((line for line in lines if line.startswith(f"{key}:")), None)
    if line is None:
        return []
    value = yaml.safe_load(line.split(":", 1)[1])
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def flow(values: list[str]) -> str:
    return "[" + ", ".join(json.dumps(v, ensure_ascii=False) for v in values) + "]"


Edit = tuple[str, Callable[[Path], None], bool | None]  # label, what it does to the site, whether it moves nothing


def edits_of(site: Path) -> list[Edit]:
    """Every edit the test makes to SITE, derived from what the site declares and what articles may hold."""
    config = load_config(site)
    articles = site / "content" / "articles"
    edited = articles / EDITED[site.name]
    original = edited.read_text(encoding="utf-8")
    others = [p.read_text(encoding="utf-8") for p in sorted(articles.rglob("*.md")) if p != edited]
    term_keys = {key for taxonomy in config.taxonomies for key in taxonomy.fields}

    def rewrite(change: Callable[[str], str]) -> Callable[[Path], None]:
        return lambda _: touch_later(edited, change(original))

    found: list[Edit] = []
    assert set(ARTICLE_VALUES) == set(KNOWN_KEYS), "give each article key a new value in ARTICLE_VALUES"
    fixed_slug = bool(value_of(original, "slug"))
    for key, value in ARTICLE_VALUES.items():
        moves = key in term_keys or key in MOVING_KEYS or (key == "title" and not fixed_slug)
        found.append((f"{key}: {value}", rewrite(lambda text, k=key, v=value: with_key(text, k, v)), not moves))
        if key in ("updated", "correction", "slug", "summary"):
            found.append((f"no {key}", rewrite(lambda text, k=key: with_key(text, k, None)), None))
    for taxonomy in config.taxonomies:
        for key in taxonomy.fields:
            current = value_of(original, key)
            elsewhere = next((v for other in others for v in value_of(other, key) if v not in current), None)
            fresh = NEW_TERM[taxonomy.kind]
            if key in KNOWN_KEYS:  # a text of every article (source, dateline): one term, never a list
                found += [(f"{key}: {value}", rewrite(lambda text, k=key, v=value: with_key(text, k, json.dumps(v))),
                           False) for value in (fresh, elsewhere) if value is not None]
                found.append((f"no {key}", rewrite(lambda text, k=key: with_key(text, k, None)), False))
                continue
            found += [
                (f"{key}: + {fresh}", rewrite(lambda text, k=key, c=current, f=fresh: with_key(text, k, flow([*c, f]))),
                 False),
                (f"{key}: reordered", rewrite(lambda text, k=key, c=current: with_key(text, k, flow(c[::-1]))), None),
                (f"no {key}", rewrite(lambda text, k=key: with_key(text, k, None)), None),
            ]
            if elsewhere is not None:  # a term another article is filed under
                found.append((f"{key}: only {elsewhere}",
                              rewrite(lambda text, k=key, e=elsewhere: with_key(text, k, flow([e]))), False))
    found += [
        ("the body", rewrite(lambda text: text + "\nA new closing paragraph.\n"), True),
        ("a key templates see in article.extra", rewrite(lambda text: with_key(text, "mood", "\"wary\"")), True),
        ("back as it was", rewrite(lambda text: text), True),
        ("a new article", lambda _: (articles / "zz-new.md").write_text(
            with_key(with_key(original, "title", "Another story"), "slug", "another-story"), encoding="utf-8"), False),
        ("its file renamed", lambda _: (articles / "zz-new.md").rename(articles / "zz-renamed.md"), False),
        ("an article removed", lambda _: (articles / "zz-renamed.md").unlink(), False),
    ]
    return found


@pytest.mark.parametrize("name", ["full", "declared", "multilingual"])
def test_every_edit_of_every_declared_field_rebuilds_as_a_clean_build(site_copy, tmp_path, name):
    site = site_copy(name)
    out = tmp_path / "out"
    build_site(site, out)
    as_it_was = contents(out)
    edited = site / "content" / "articles" / EDITED[name]
    original = edited.read_text(encoding="utf-8")

    def assert_built_as(expected: dict[str, str], label: str) -> None:
        built = contents(out)
        wrong = sorted(path for path in built.keys() | expected.keys() if built.get(path) != expected.get(path))
        assert not wrong, f"{label}: these files differ from a clean build: {wrong}"

    fast = 0
    for label, change, moves_nothing in edits_of(site):
        change(site)
        result = build_site(site, out)
        assert_built_as(clean_build(site, tmp_path), f"after an edit of {label}")
        if moves_nothing is not None:
            assert result.edited_only == moves_nothing, f"{label}: edited_only is {result.edited_only}"
        fast += result.edited_only
        if edited.read_text(encoding="utf-8") != original:  # the next edit starts from the original article
            touch_later(edited, original)
            build_site(site, out)
            assert_built_as(as_it_was, f"after {label} was undone")
    assert fast >= 5  # the snapshot's path was taken, not only full builds


class Poison:
    """A value a page kind did not declare it reads: any use of it fails."""

    def __init__(self, name: str) -> None:
        self.name = name

    def _fail(self, *args, **kwargs):
        raise AssertionError(f"a page kind read the article's {self.name!r} without declaring it")

    __bool__ = __eq__ = __lt__ = __gt__ = __le__ = __ge__ = __hash__ = __iter__ = __len__ = _fail
    __reduce__ = __reduce_ex__ = __getitem__ = __str__ = __repr__ = _fail

    def __getattr__(self, attribute: str):
        self._fail()


@pytest.mark.parametrize("name", ["full", "declared"])
def test_each_kind_of_page_reads_only_what_it_declares(site_copy, name):
    """Each kind's pages, made from Placements whose undeclared fields are poison, are the same pages."""
    from dateline.content import load_articles
    from dateline.incremental.snapshot import pack_context
    from dateline.model import Site
    from dateline.taxonomy import build_taxonomies

    site_dir = site_copy(name)
    config = load_config(site_dir)
    articles = load_articles(site_dir, config, drafts=False).articles
    placements = tuple(Placement.of(article) for article in articles)
    taxonomies = build_taxonomies(placements, config.taxonomies)
    related = {p.url: tuple(q.url for q in placements if q is not p)[:2] for p in placements}
    site = Site(config, site_dir, placements, taxonomies, related)
    earlier = []
    for kind in PAGE_KINDS:
        poisoned = tuple(dataclasses.replace(p, **{f.name: Poison(f.name) for f in dataclasses.fields(Placement)
                                                   if f.name not in kind.reads | {"url"}}) for p in placements)
        blind = list(kind.pages(dataclasses.replace(site, articles=poisoned), earlier))
        seen = list(kind.pages(site, earlier))
        assert [(p.path, p.template, pack_context(p.context)) for p in blind] == \
            [(p.path, p.template, pack_context(p.context)) for p in seen], kind.name
        earlier += seen
    assert [page.path for page in site_pages(site)][0] == "sitemap.xml"


def test_page_data_holding_an_articles_words_is_refused(site_copy, tmp_path, monkeypatch):
    """Had a tag page a `latest_title` from the article's view, a title edit would leave it stale: the page
    list never holds one (a Placement has no title), and packing a page's data refuses one."""
    import dateline.pages
    from dateline.incremental.snapshot import ArticleContentInPage
    from dateline.pages import Page

    site = site_copy("full")
    build_site(site, tmp_path / "out")
    assert not hasattr(Placement, "title")
    views: dict = {}

    def latest_titles(site, _):
        yield Page("latest/index.html", "terms.html", {"title": "Latest", "terms": [], "latest": views["latest"]})

    import dateline.views  # (imported by the build when it has something to do)
    making_views = dateline.views.article_views

    def keep_views(*args):
        made = making_views(*args)
        views["latest"] = next(iter(made.values()))
        return made

    monkeypatch.setattr(dateline.views, "article_views", keep_views)
    monkeypatch.setattr(dateline.pages, "PAGE_KINDS", (*PAGE_KINDS[:-1], dateline.pages.PageKind(
        "latest", frozenset(), latest_titles), PAGE_KINDS[-1]))
    (site / "site.yaml").write_text((site / "site.yaml").read_text().replace("Full Digest", "Latest Digest"))
    with pytest.raises(ArticleContentInPage, match="holds ArticleView"):
        build_site(site, tmp_path / "out")


def test_a_new_version_of_any_installed_distribution_renders_everything_again(built, monkeypatch):
    """The caches' key holds every installed distribution's version (and Python's): after an upgrade of,
    say, python-markdown, old HTML must not survive in any cache."""
    import dateline.incremental.fingerprints as fingerprints

    site, out = built
    assert build_site(site, out).written == 0
    installed = fingerprints.installed_distributions()
    assert any(name.lower().startswith("markdown-") for name in installed)
    upgraded = [name.replace("arkdown-", "arkdown-99.") if name.lower().startswith("markdown-") else name
                for name in installed]
    monkeypatch.setattr(fingerprints, "installed_distributions", lambda: upgraded)
    fingerprints.code_version.cache_clear()
    try:
        parsed = []
        import dateline.content
        parse = dateline.content.parse_article_file
        monkeypatch.setattr(dateline.content, "parse_article_file",
                            lambda *args: parsed.append(args[0]) or parse(*args))
        result = build_site(site, out)
    finally:
        monkeypatch.undo()
        fingerprints.code_version.cache_clear()
    assert not result.edited_only and len(parsed) == result.articles + 1  # every file parsed again (a draft too)
    assert result.written == 0  # re-rendered, and the same bytes: kept as they were


def large_site(root: Path, articles: int) -> Path:
    site = root / "large"
    (site / "content" / "articles").mkdir(parents=True)
    (site / "site.yaml").write_text("title: Large\nbase_url: https://example.org/\n", encoding="utf-8")
    for number in range(articles):
        (site / "content" / "articles" / f"s{number:03d}.md").write_text(
            f"---\ntitle: Story {number}\ndate: 2025-{1 + number % 12:02d}-{1 + number % 28:02d}\n"
            f"tags: [topic {number % 9}]\ncountries: [{['LT', 'LV', 'EE', 'PL'][number % 4]}]\n---\n\nText {number}.\n",
            encoding="utf-8")
    return site


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="the snapshot is saved in another process from 2 cores")
def test_a_killed_snapshot_saver_is_reported_and_the_next_build_is_right(tmp_path, monkeypatch):
    """900 articles make over 1,000 pages: the snapshot is saved in a process of its own while the pages render.
    Killed there, the build says so, its output is still whole, and the next edit is a full build."""
    from dateline.incremental.snapshot import BuildSnapshot

    site = large_site(tmp_path, 900)
    out = tmp_path / "out"

    def killed(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)  # in the saver's own process: it dies without a word

    monkeypatch.setattr(BuildSnapshot, "write_pending", killed)
    result = build_site(site, out)
    monkeypatch.undo()
    [warning] = result.warnings
    assert "the build snapshot could not be saved (its process was killed by SIGKILL)" in warning.message
    assert contents(out) == clean_build(site, tmp_path)
    touch_later(site / "content/articles/s123.md", (site / "content/articles/s123.md").read_text() + "\nMore.\n")
    assert not build_site(site, out).edited_only  # no snapshot: a full build, which saves one
    assert contents(out) == clean_build(site, tmp_path)


def test_a_failed_cache_save_is_reported_by_the_command(site_copy, tmp_path):
    """The article cache's folder is a file: the build succeeds, and says why the next one will be slower."""
    site = site_copy("minimal")
    (site / ".dateline-cache").mkdir()
    (site / ".dateline-cache" / "articles").write_text("not a folder")
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0, result.stderr
    assert "warning: the article cache could not be saved (" in result.stderr
    assert "the next full build reads every article again" in result.stderr


def test_the_snapshot_holds_no_article_text_outside_the_views(built):
    """Every page's stored data is free of the articles' words: titles and bodies are only in the views."""
    import sqlite3

    site, _ = built
    [stored] = (site / ".dateline-cache").glob("snapshot-*.sqlite")
    with sqlite3.connect(stored) as connection:
        pages = connection.execute("SELECT path, data FROM pages").fetchall()
    connection.close()
    assert len(pages) > 40
    for path, data in pages:
        assert b"Lithuania thanks Washington" not in data and b"thanked the United States" not in data, path
