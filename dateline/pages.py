"""The page list: every file the site consists of, with its template and the data it shows."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter
from typing import Any

from dateline.digest import (
    DigestDay,
    PageLink,
    archive_months,
    day_leads,
    digest_days,
    lead_first,
    page_numbers,
)
from dateline.indexes import term_index
from dateline.model import Site
from dateline.newsmeta import host_redirects, news_articles, news_language
from dateline.urls import output_file
from dateline.views import ArticleView, day_url, term_url, term_views

# Between them, the front page's pages and the days' pages show every article once: rendered first, they
# render each article's teasers once for all the other pages (see build._Build.render_pages).
SHOW_EACH_ARTICLE_ONCE = frozenset({"home.html", "day.html"})


@dataclass(frozen=True)
class Page:
    path: str  # file inside output/, e.g. "tags/elections/index.html"
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    source: str = ""  # what the page comes from, for error messages and collision reports
    root_relative_links: bool = False  # for 404.html, served at any path: links start at base_url's path


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


def paginate(items: Sequence[Any], per_page: int, base: str) -> Iterator[tuple[Pager, Sequence[Any]]]:
    """Split ITEMS into pages: BASE, BASE/page/2/, ... (one empty page when there are no items)."""
    total = max(1, -(-len(items) // per_page))
    for number in range(1, total + 1):
        pager = Pager(number=number, total=total, url=page_url(base, number), first_url=base,
                      prev_url=page_url(base, number - 1) if number > 1 else None,
                      next_url=page_url(base, number + 1) if number < total else None)
        yield pager, items[(number - 1) * per_page: number * per_page]


def digest_pages(articles: Sequence[ArticleView], day_of: Mapping[str, date], per_page: int, base: str,
                 leads: dict[date, str] | None = None) -> Iterator[tuple[Pager, list[DigestDay]]]:
    """ARTICLES (the site's order) paginated and grouped by day; with LEADS, each day's lead goes first.
    DAY_OF: each article's day by URL."""
    listed = lead_first(articles, day_of, leads) if leads is not None else articles
    days = list(map(day_of.__getitem__, map(_URL, listed)))  # all in C: a large site's lists hold 50,000 entries
    counts = Counter(days)
    for pager, chunk in paginate(listed, per_page, base):
        start = (pager.number - 1) * per_page
        yield pager, digest_days(chunk, days[start:start + len(chunk)], leads, counts,
                                 continues=start > 0 and bool(chunk) and days[start - 1] == days[start])


_URL = attrgetter("url")


def site_pages(site: Site, views: dict[str, ArticleView], now: datetime | None = None) -> Iterator[Page]:
    """Every page of SITE showing VIEWS (article_views(site)); NOW is the site's clock for a production
    build (the news sitemap counts back from it)."""
    config = site.config
    ordered = [views[a.url] for a in site.articles]
    per_page = config.articles_per_page
    leads = day_leads(site.articles, site.taxonomies)
    day_of = {article.url: article.date.date() for article in ordered}

    for pager, days in digest_pages(ordered, day_of, per_page, "", leads):
        yield Page(output_file(pager.url), "home.html", {"days": days, "pager": pager}, "home page")

    for index, article in enumerate(ordered):
        yield Page(output_file(article.url), "article.html", {
            "article": article,
            "newer": ordered[index - 1] if index > 0 else None,
            "older": ordered[index + 1] if index + 1 < len(ordered) else None,
            "related": [views[u] for u in site.related.get(article.url, ())],
        }, str(site.articles[index].source_path))

    for taxonomy in site.taxonomies:
        terms = term_views(taxonomy)
        index = term_index(taxonomy, terms)
        yield Page(f"{taxonomy.name}/index.html", f"{taxonomy.name}.html",
                   {"taxonomy": taxonomy.name, "title": taxonomy.title, "terms": terms, "index": index},
                   f"{taxonomy.name} index")
        for group in index.pages:
            yield Page(output_file(group.url), "terms-group.html",
                       {"taxonomy": taxonomy.name, "title": taxonomy.title, "group": group, "index": index},
                       f"{taxonomy.name} index under {group.label}")
        for term, term_view in zip(taxonomy.terms, terms, strict=True):
            articles = [views[u] for u in term.article_urls]
            base = term_url(taxonomy, term.slug)
            for pager, days in digest_pages(articles, day_of, per_page, base):
                yield Page(output_file(pager.url), f"{taxonomy.singular}.html",
                           {"term": term_view, "days": days, "pager": pager,
                            "feed_url": f"{base}feed.xml"}, f"{taxonomy.singular} {term.name!r}")
            yield from _feeds(f"{config.title}: {term.name}", base, articles[: config.feed.limit],
                              f"{taxonomy.singular} {term.name!r}")

    by_day: dict[date, list[ArticleView]] = defaultdict(list)
    for article in ordered:
        by_day[day_of[article.url]].append(article)
    days = sorted(by_day, reverse=True)
    for position, day in enumerate(days):
        for pager, digest in digest_pages(by_day[day], day_of, per_page, day_url(day), leads):
            yield Page(output_file(pager.url), "day.html", {
                "day": day, "days": digest, "articles": list(digest[0].articles), "pager": pager,
                "newer_day": _day_link(days[position - 1]) if position > 0 else None,
                "older_day": _day_link(days[position + 1]) if position + 1 < len(days) else None,
            }, f"archive of {day.isoformat()}")
    yield Page("archive/index.html", "archive.html", {"months": archive_months(Counter(day_of.values()))},
               "archive index")

    yield from _feeds(config.title, "", ordered[: config.feed.limit], "site")
    yield Page("404.html", "404.html", {}, "404 page", root_relative_links=True)
    yield Page("robots.txt", "robots.txt", {}, "robots.txt")
    yield from _publishing_pages(site, ordered, now)


def _day_link(day: date) -> dict[str, Any]:
    return {"day": day, "url": day_url(day)}


def _feeds(title: str, page: str, articles: Sequence[ArticleView], source: str) -> Iterator[Page]:
    """The Atom feed and the JSON Feed of a list page (site, tag or country), with the same entries."""
    updated = max((a.updated or a.date for a in articles), default=None)
    for file, template, kind in (("feed.xml", "atom.xml", "feed"), ("feed.json", "feed.json", "JSON feed")):
        yield Page(f"{page}{file}", template, {"feed_title": title, "page_url": page, "feed_url": f"{page}{file}",
                                               "entries": list(articles), "updated": updated}, f"{source} {kind}")


def sitemap_page(site: Site, html_files: Iterable[str]) -> Page:
    """sitemap.xml over every HTML page but the 404; articles carry their last change."""
    changed = {article.url: article.updated or article.date for article in site.articles}
    entries = []
    for path in sorted(html_files):
        if path == "404.html":
            continue
        url = path.removesuffix("index.html")
        entries.append({"url": url, "lastmod": changed.get(url)})
    return Page("sitemap.xml", "sitemap.xml", {"entries": entries}, "sitemap")


def _publishing_pages(site: Site, ordered: list[ArticleView],
                      now: datetime | None) -> Iterator[Page]:
    """What news aggregators, search and hosts need: the news sitemap, the search page, and the optional
    _headers/_redirects of Netlify and Cloudflare Pages."""
    config = site.config
    yield Page("news-sitemap.xml", "news-sitemap.xml", {
        "entries": news_articles(ordered, now), "publication": config.title,
        "news_language": news_language(config.language)}, "news sitemap")
    yield Page("search/index.html", "search.html", {}, "search page")
    if config.params.get("host_headers"):
        yield Page("_headers", "_headers", {}, "params.host_headers")
    redirects = host_redirects(config.params, site.site_dir / "site.yaml")
    if redirects:
        yield Page("_redirects", "_redirects", {"redirects": redirects}, "params.redirects")
