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

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any, NamedTuple

from dateline.digest import DigestDay, DigestList, PageLink, archive_months, day_leads, day_url, page_numbers
from dateline.indexes import term_index
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

    url: str  # site path, e.g. "2025/09/11/belarus-releases-prisoners/"
    date: datetime
    updated: datetime | None
    # the article's file, for error messages; with the date, the site's order (content.site_order): a day's
    # untimed stories are listed in their files' order, which is the order their copy arrived
    source_path: str
    terms: dict[str, tuple[str, ...]]  # front-matter key -> its values, for each key a taxonomy files by
    lead: bool  # the editor made it its day's lead (digest.day_leads)
    priority: int | None  # front matter's priority, else its urgency: 1 the most urgent (digest.day_leads)
    # a multilingual site's pages list the articles of their language (languages.py); an article page and the
    # sitemap link the articles sharing its translation_key
    language: str
    translation_key: str

    @classmethod
    def of(cls, article: Article, terms: dict[str, tuple[str, ...]] | None = None) -> Placement:
        """ARTICLE's placement (its terms dict is the article's own unless TERMS, an equal one, is given)."""
        return cls(article.url, article.date, article.updated, article.source_path,
                   article.terms if terms is None else terms, article.lead, article.priority, article.language,
                   article.translation_key)


def placements_of(articles: Iterable[Article]) -> tuple[Placement, ...]:
    """Each of ARTICLES' placement, those filed under the same terms sharing one dict of them: a full build holds
    every placement until its end, and copies them into the processes it forks (docs/internals.md, "A cold
    build's memory"), and most articles are filed under a combination of terms that others have too."""
    shared: dict[tuple[tuple[str, tuple[str, ...]], ...], dict[str, tuple[str, ...]]] = {}
    return tuple(Placement.of(article, shared.setdefault(tuple(article.terms.items()), article.terms))
                 for article in articles)


@dataclass(frozen=True, slots=True)  # slots: a build holds every page until the end, 120,000 at 100,000 articles
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

    @property
    def numbers(self) -> tuple[PageLink | None, ...]:
        """The numbered links: the first, the last and a few around this one; None for a gap. Worked out when a
        template asks, so by the processes that render, not while the page list is made."""
        return page_numbers(self.number, self.total, lambda number: page_url(self.first_url, number))


def page_url(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def pagers(count: int, per_page: int, base: str) -> Iterator[Pager]:
    """The pages of a list of COUNT items: BASE, BASE/page/2/, ... (one page when there are none)."""
    total = max(1, -(-count // per_page))
    for number in range(1, total + 1):
        yield Pager(number=number, total=total, url=page_url(base, number), first_url=base,
                    prev_url=page_url(base, number - 1) if number > 1 else None,
                    next_url=page_url(base, number + 1) if number < total else None)


def digest_pages(articles: Sequence[Placement], day_of: dict[str, date], per_page: int, base: str,
                 leads: dict[date, str] | None = None) -> Iterator[tuple[Pager, list[DigestDay]]]:
    """ARTICLES (the site's order) paginated and grouped by day (digest.DigestList); with LEADS, each day's
    lead goes first. DAY_OF: each article's day by URL."""
    listed = DigestList(articles, day_of, leads)
    for pager in pagers(len(listed), per_page, base):
        yield pager, listed.page((pager.number - 1) * per_page, per_page)


def days_of(articles: Iterable[Placement]) -> dict[str, date]:
    """Each article's day (in the site's time zone), by URL."""
    return {article.url: article.date.date() for article in articles}


def site_pages(site: Site) -> list[Page]:
    """Every page of SITE, the sitemap first (the largest page: no worker is left alone with it at the end)."""
    if site.config.languages:  # each language's pages, under its folder (languages.py)
        from dateline.languages import multilingual_pages

        return multilingual_pages(site)
    pages: list[Page] = []
    for kind in PAGE_KINDS:
        pages.extend(kind.pages(site, pages))
    sitemap = pages.pop()
    return [sitemap, *pages]


def _home_pages(site: Site, _: Sequence[Page]) -> Iterator[Page]:
    """The front page and its older pages: the stories by day, each day's lead first."""
    leads = day_leads(site.articles, site.taxonomies)
    for pager, days in digest_pages(site.articles, days_of(site.articles), site.config.articles_per_page, "", leads):
        yield Page(output_file(pager.url), "home.html", {"days": days, "pager": pager}, "home page")


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
    day_of = days_of(site.articles)
    terms = term_views(taxonomy, site.config.language)  # a country's name in the site's language
    # indexes.py: most used first, A to Z (in the language's order) or by continent, letters' pages
    index = term_index(taxonomy, terms, site.config.language)
    yield Page(f"{shown.url}index.html", settings.index_template,
               {"taxonomy": shown, "title": settings.title, "terms": terms, "index": index}, f"{settings.name} index")
    for group in index.pages:
        yield Page(output_file(group.url), "terms-group.html",
                   {"taxonomy": shown, "title": settings.title, "group": group, "index": index},
                   f"{settings.name} index under {group.label}")
    per_page = settings.paginate
    for term, term_view in zip(taxonomy.terms, terms, strict=True):
        articles = DigestList([by_url[u] for u in term.article_urls], day_of)
        mentioned = [by_url[u] for u in term.mentioned_urls]
        source = f"{settings.singular} {term.name!r}"
        feed_url = f"{term_view.url}feed.xml" if settings.feed else None
        for pager in pagers(max(len(articles), len(mentioned)), per_page, term_view.url):
            start = (pager.number - 1) * per_page
            yield Page(output_file(pager.url), settings.template,
                       {"taxonomy": shown, "term": term_view, "days": articles.page(start, per_page),
                        "mentioned": mentioned[start:start + per_page], "pager": pager, "feed_url": feed_url}, source)
        if settings.feed:
            yield from _feeds(f"{site.config.title}: {term_view.name}", term_view.url,
                              articles.listed[: site.config.feed.limit], source)


def _day_pages(site: Site, _: Sequence[Page]) -> Iterator[Page]:
    """Each day's pages: its lead, then its other stories."""
    by_day = _by_day(site.articles)
    day_of = days_of(site.articles)
    leads = day_leads(site.articles, site.taxonomies)
    days = sorted(by_day, reverse=True)
    for position, day in enumerate(days):
        for pager, digest in digest_pages(by_day[day], day_of, site.config.articles_per_page, day_url(day), leads):
            yield Page(output_file(pager.url), "day.html", {
                "day": day, "days": digest, "articles": list(digest[0].articles), "pager": pager,
                "newer_day": _day_link(days[position - 1]) if position > 0 else None,
                "older_day": _day_link(days[position + 1]) if position + 1 < len(days) else None,
            }, f"archive of {day.isoformat()}")


def _archive_pages(site: Site, _: Sequence[Page]) -> Iterator[Page]:
    """The archive index: months, newest first, as calendars of their days with the days' article counts."""
    yield Page("archive/index.html", "archive.html",
               {"months": archive_months(Counter(article.date.date() for article in site.articles))},
               "archive index")


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


class SitemapEntry(NamedTuple):
    """A page in sitemap.xml (entry.url, entry.lastmod; entry["url"] too). A tuple rather than a dict: the sitemap
    holds one per page, 120,000 at 100,000 articles, which every process reading them copies."""

    url: str
    lastmod: datetime | None  # an article's last change; None for other pages


def _sitemap(site: Site, others: Sequence[Page]) -> Iterator[Page]:
    """sitemap.xml over every HTML page but the 404; articles carry their last change."""
    articles = {article.url: article for article in site.articles}
    entries = []
    for path in sorted(page.path for page in others if page.path.endswith(".html")):
        if path == "404.html":
            continue
        url = path.removesuffix("index.html")
        article = articles.get(url)
        # an article's URL string is its placement's own, not one more copy per article
        entries.append(SitemapEntry(url, None) if article is None else
                       SitemapEntry(article.url, article.updated or article.date))
    yield Page("sitemap.xml", "sitemap.xml", {"entries": entries}, "sitemap")


# Lists are in the site's order (date, then file: content.site_order), so every kind listing articles reads
# source_path too. A day's lead (the front page's, a day page's) is chosen from lead, priority and the terms.
# On a multilingual site (languages.py) every list is of one language's articles, and an article page and the
# sitemap link the translations sharing a translation_key.
_LEADS = frozenset({"lead", "priority", "terms"})
_LANGUAGE = frozenset({"language"})
PAGE_KINDS = (
    PageKind("front page", frozenset({"date", "source_path"}) | _LEADS | _LANGUAGE, _home_pages),
    # an article's neighbours are the articles next to it in the site's order; its related ones share its terms
    PageKind("article", frozenset({"date", "terms", "source_path", "translation_key"}) | _LANGUAGE, _article_pages),
    # a term's pages group its articles by day; its feeds carry their last change
    PageKind("taxonomy", frozenset({"date", "updated", "terms", "source_path"}) | _LANGUAGE, _taxonomy_pages),
    PageKind("day", frozenset({"date", "source_path"}) | _LEADS | _LANGUAGE, _day_pages),
    PageKind("archive", frozenset({"date"}) | _LANGUAGE, _archive_pages),
    PageKind("site feed", frozenset({"date", "updated", "source_path"}) | _LANGUAGE, _site_feeds),
    PageKind("news sitemap", frozenset({"date", "source_path"}) | _LANGUAGE, _news_sitemap),
    PageKind("fixed", frozenset(), _fixed_pages),
    # last: it lists the pages of all the others, with their translations
    PageKind("sitemap", frozenset({"date", "updated", "translation_key"}) | _LANGUAGE, _sitemap),
)

# Placement holds what the kinds read and nothing else: a read without its field, or a field no kind reads,
# stops Dateline here, before any build could trust a snapshot that misses it.
_DECLARED = frozenset().union(*(kind.reads for kind in PAGE_KINDS)) | {"url"}
if {f.name for f in fields(Placement)} != _DECLARED:  # pragma: no cover - a developer's mistake, met at once
    raise TypeError(f"Placement's fields {sorted(f.name for f in fields(Placement))} are not what PAGE_KINDS "
                    f"read: {sorted(_DECLARED)}")
