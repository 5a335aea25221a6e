"""The page list: every file the site consists of, with its template and the data it shows.

Each kind of page is declared once, in PAGE_KINDS: its name, what its pages read of each article, and the
function that makes them. They read articles only as Placements: an article's URL and the fields declared
here (dates, terms...), never its title or text. Where a page shows an article, its data holds the article's
Placement, which templates see as the article's view (render.py), so what an article says reaches a page only
through that view. That is what keeps incremental builds right (dateline/incremental/__init__.py):

- an edit that changes no Placement leaves every page's data as it was; only the pages showing the edited
  articles change, and the build snapshot knows which those are;
- any other edit "moves" the article: Placement's fields are exactly what PAGE_KINDS declare (checked below),
  so the snapshot's test of what moves an article follows from these declarations, never from a list of its own.

To add a kind of page: write its function here, declare what it reads, add its template (docs/internals.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from itertools import groupby
from typing import Any

from dateline.model import Article, Site, Taxonomy
from dateline.newsmeta import host_redirects, news_articles, news_language
from dateline.urls import output_file
from dateline.views import taxonomy_view, term_views

# Between them, the front page's pages and the days' pages show every article once: rendered first, they
# render each article's teasers once for all the other pages (see build._Build.render_pages).
SHOW_EACH_ARTICLE_ONCE = frozenset({"home.html", "day.html"})


@dataclass(frozen=True, slots=True)  # slots: 80 bytes an article, a third of what a __dict__ takes
class Placement:
    """An article as the page list sees it: where it goes, never what it says.

    Its fields are what PAGE_KINDS declare that pages read (checked at import): adding a read means adding
    a field here, which the snapshot then compares between builds to tell an edit that moves an article.
    """

    url: str  # site path, e.g. "2025/09/11/belarus-releases-prisoners/"; pages are ordered by (date, url)
    date: datetime
    updated: datetime | None
    source_path: str  # the article's file, for error messages
    terms: dict[str, tuple[str, ...]]  # front-matter key -> its values, for each key a taxonomy files by

    @classmethod
    def of(cls, article: Article) -> Placement:
        """ARTICLE's placement (its terms dict is the article's own)."""
        return cls(article.url, article.date, article.updated, article.source_path, article.terms)


@dataclass(frozen=True)
class Page:
    path: str  # file inside output/, e.g. "tags/elections/index.html"
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    source: str = ""  # what the page comes from, for error messages and collision reports
    root_relative_links: bool = False  # for 404.html, served at any path: links start at base_url's path


@dataclass(frozen=True)
class PageKind:
    """One kind of page: what its pages read of each article besides its URL (Placement fields), and the
    function making them from the site and the pages of the kinds before it (only the sitemap needs those)."""

    name: str
    reads: frozenset[str]
    pages: Callable[[Site, Sequence[Page]], Iterable[Page]]


@dataclass(frozen=True)
class Pager:
    """One page of a paginated list."""

    number: int
    total: int
    url: str
    first_url: str
    prev_url: str | None
    next_url: str | None


@dataclass(frozen=True)
class DigestDay:
    """One day's articles on a list page (the digest groups news by day)."""

    day: date
    url: str  # that day's archive page
    articles: tuple[Placement, ...]


def page_url(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def pagers(count: int, per_page: int, base: str) -> Iterator[Pager]:
    """The pages of a list of COUNT items: BASE, BASE/page/2/, ... (one page when there are none)."""
    total = max(1, -(-count // per_page))
    for number in range(1, total + 1):
        yield Pager(number=number, total=total, url=page_url(base, number), first_url=base,
                    prev_url=page_url(base, number - 1) if number > 1 else None,
                    next_url=page_url(base, number + 1) if number < total else None)


def paginate(items: Sequence[Any], per_page: int, base: str) -> Iterator[tuple[Pager, Sequence[Any]]]:
    """Split ITEMS into pages (see pagers), with each page's items."""
    for pager in pagers(len(items), per_page, base):
        yield pager, items[(pager.number - 1) * per_page: pager.number * per_page]


def day_url(day: date) -> str:
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}/"


def digest_days(articles: Iterable[Placement]) -> list[DigestDay]:
    """Group articles (newest first) by their day, in the site's time zone."""
    return [DigestDay(day=day, url=day_url(day), articles=tuple(group))
            for day, group in groupby(articles, key=lambda a: a.date.date())]


def site_pages(site: Site) -> list[Page]:
    """Every page of SITE, the sitemap first (the largest page: no worker is left alone with it at the end)."""
    pages: list[Page] = []
    for kind in PAGE_KINDS:
        pages.extend(kind.pages(site, pages))
    sitemap = pages.pop()
    return [sitemap, *pages]


def _home_pages(site: Site, _: Sequence[Page]) -> Iterator[Page]:
    for pager, chunk in paginate(site.articles, site.config.articles_per_page, ""):
        yield Page(output_file(pager.url), "home.html", {"days": digest_days(chunk), "pager": pager}, "home page")


def _article_pages(site: Site, _: Sequence[Page]) -> Iterator[Page]:
    ordered = site.articles
    by_url = {article.url: article for article in ordered}
    for index, article in enumerate(ordered):
        yield Page(output_file(article.url), "article.html", {
            "article": article,
            "newer": ordered[index - 1] if index > 0 else None,
            "older": ordered[index + 1] if index + 1 < len(ordered) else None,
            "related": [by_url[u] for u in site.related.get(article.url, ())],
        }, article.source_path)


def _taxonomy_pages(site: Site, _: Sequence[Page]) -> Iterator[Page]:
    for taxonomy in site.taxonomies:
        yield from _pages_of(site, taxonomy)


def _pages_of(site: Site, taxonomy: Taxonomy) -> Iterator[Page]:
    """A taxonomy's index, and each term's pages (its articles by day, then those that only mention it, both
    paginated with the page) and feeds (its own articles only)."""
    settings = taxonomy.config
    shown = taxonomy_view(taxonomy.config)
    by_url = {article.url: article for article in site.articles}
    terms = term_views(taxonomy)
    yield Page(f"{shown.url}index.html", settings.index_template,
               {"taxonomy": shown, "title": settings.title, "terms": terms}, f"{settings.name} index")
    per_page = settings.paginate
    for term, term_view in zip(taxonomy.terms, terms, strict=True):
        articles = [by_url[u] for u in term.article_urls]
        mentioned = [by_url[u] for u in term.mentioned_urls]
        source = f"{settings.singular} {term.name!r}"
        feed_url = f"{term_view.url}feed.xml" if settings.feed else None
        for pager in pagers(max(len(articles), len(mentioned)), per_page, term_view.url):
            chunk = slice((pager.number - 1) * per_page, pager.number * per_page)
            yield Page(output_file(pager.url), settings.template,
                       {"taxonomy": shown, "term": term_view, "days": digest_days(articles[chunk]),
                        "mentioned": mentioned[chunk], "pager": pager, "feed_url": feed_url}, source)
        if settings.feed:
            yield from _feeds(f"{site.config.title}: {term.name}", term_view.url,
                              articles[: site.config.feed.limit], source)


def _day_pages(site: Site, _: Sequence[Page]) -> Iterator[Page]:
    by_day = _by_day(site.articles)
    days = sorted(by_day, reverse=True)
    for position, day in enumerate(days):
        for pager, chunk in paginate(by_day[day], site.config.articles_per_page, day_url(day)):
            yield Page(output_file(pager.url), "day.html", {
                "day": day, "articles": list(chunk), "pager": pager,
                "newer_day": _day_link(days[position - 1]) if position > 0 else None,
                "older_day": _day_link(days[position + 1]) if position + 1 < len(days) else None,
            }, f"archive of {day.isoformat()}")


def _archive_pages(site: Site, _: Sequence[Page]) -> Iterator[Page]:
    """The archive index: months, newest first, each with its days and article counts."""
    by_day = _by_day(site.articles)
    months: dict[tuple[int, int], list[dict[str, Any]]] = defaultdict(list)
    for day in sorted(by_day, reverse=True):
        months[(day.year, day.month)].append({"day": day, "url": day_url(day), "count": len(by_day[day])})
    yield Page("archive/index.html", "archive.html",
               {"months": [{"month": date(year, month, 1), "days": entries}
                           for (year, month), entries in months.items()]}, "archive index")


def _by_day(articles: Sequence[Placement]) -> dict[date, list[Placement]]:
    by_day: dict[date, list[Placement]] = defaultdict(list)
    for article in articles:
        by_day[article.date.date()].append(article)
    return by_day


def _day_link(day: date) -> dict[str, Any]:
    return {"day": day, "url": day_url(day)}


def _site_feeds(site: Site, _: Sequence[Page]) -> Iterator[Page]:
    yield from _feeds(site.config.title, "", site.articles[: site.config.feed.limit], "site")


def _feeds(title: str, page: str, articles: Sequence[Placement], source: str) -> Iterator[Page]:
    """The Atom feed and the JSON Feed of a list page (the site's, a term's), with the same entries."""
    updated = max((a.updated or a.date for a in articles), default=None)
    for file, template, kind in (("feed.xml", "atom.xml", "feed"), ("feed.json", "feed.json", "JSON feed")):
        yield Page(f"{page}{file}", template, {"feed_title": title, "page_url": page, "feed_url": f"{page}{file}",
                                               "entries": list(articles), "updated": updated}, f"{source} {kind}")


def _fixed_pages(site: Site, _: Sequence[Page]) -> Iterator[Page]:
    """Pages that show no article: the 404 page, robots.txt, the search page, and the optional
    _headers/_redirects of Netlify and Cloudflare Pages."""
    yield Page("404.html", "404.html", {}, "404 page", root_relative_links=True)
    yield Page("robots.txt", "robots.txt", {}, "robots.txt")
    yield Page("search/index.html", "search.html", {}, "search page")
    config = site.config
    if config.params.get("host_headers"):
        yield Page("_headers", "_headers", {}, "params.host_headers")
    redirects = host_redirects(config.params, site.site_dir / "site.yaml")
    if redirects:
        yield Page("_redirects", "_redirects", {"redirects": redirects}, "params.redirects")


def _news_sitemap(site: Site, _: Sequence[Page]) -> Iterator[Page]:
    """The news sitemap: the articles of the last two days (before the site's clock, when the build has one)."""
    config = site.config
    yield Page("news-sitemap.xml", "news-sitemap.xml", {
        "entries": news_articles(site.articles, site.now), "publication": config.title,
        "news_language": news_language(config.language)}, "news sitemap")


def _sitemap(site: Site, others: Sequence[Page]) -> Iterator[Page]:
    """sitemap.xml over every HTML page but the 404; articles carry their last change."""
    changed = {article.url: article.updated or article.date for article in site.articles}
    entries = []
    for path in sorted(page.path for page in others if page.path.endswith(".html")):
        if path == "404.html":
            continue
        url = path.removesuffix("index.html")
        entries.append({"url": url, "lastmod": changed.get(url)})
    yield Page("sitemap.xml", "sitemap.xml", {"entries": entries}, "sitemap")


PAGE_KINDS = (
    PageKind("front page", frozenset({"date"}), _home_pages),
    # an article's neighbours are the articles next to it by date; its related ones share its terms
    PageKind("article", frozenset({"date", "terms", "source_path"}), _article_pages),
    # a term's pages group its articles by day; its feeds carry their last change
    PageKind("taxonomy", frozenset({"date", "updated", "terms"}), _taxonomy_pages),
    PageKind("day", frozenset({"date"}), _day_pages),
    PageKind("archive", frozenset({"date"}), _archive_pages),
    PageKind("site feed", frozenset({"date", "updated"}), _site_feeds),
    PageKind("news sitemap", frozenset({"date"}), _news_sitemap),
    PageKind("fixed", frozenset(), _fixed_pages),
    PageKind("sitemap", frozenset({"date", "updated"}), _sitemap),  # last: it lists the pages of all the others
)

# Placement holds what the kinds read and nothing else: a read without its field, or a field no kind reads,
# stops Dateline here, before any build could trust a snapshot that misses it.
_DECLARED = frozenset().union(*(kind.reads for kind in PAGE_KINDS)) | {"url"}
if {f.name for f in fields(Placement)} != _DECLARED:  # pragma: no cover - a developer's mistake, met at once
    raise TypeError(f"Placement's fields {sorted(f.name for f in fields(Placement))} are not what PAGE_KINDS "
                    f"read: {sorted(_DECLARED)}")
