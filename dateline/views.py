"""Template view models: plain data built from the Site for templates, never the domain objects."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from markupsafe import Markup

from dateline.fingerprint import digest
from dateline.model import Article, Site, Taxonomy, assemble
from dateline.text import slugify


@dataclass(frozen=True)
class TermLink:
    name: str
    url: str  # site path: "tags/elections/"
    flag: str = ""
    code: str = ""


@dataclass(frozen=True)
class ArticleView:
    title: str
    url: str
    date: datetime
    has_time: bool
    updated: datetime | None
    dateline: str
    source: str
    summary: str
    body: Markup
    tags: tuple[TermLink, ...]
    countries: tuple[TermLink, ...]
    correction: str
    image: str  # an http(s) URL or a site path, "" for none
    image_alt: str
    image_caption: str
    image_credit: str
    # The publication as ISO 8601: with its time when the article gives one, else the date alone (a date-only
    # story never gets an invented midnight).
    published: str
    section: str  # the one section of Open Graph and schema.org: the first country, else the first tag
    extra: dict[str, Any]
    digest: str = ""  # hash of all the above: pages showing this article change exactly when it does


@dataclass(frozen=True)
class TermView:
    name: str
    url: str
    count: int
    flag: str = ""
    code: str = ""


def term_url(taxonomy: Taxonomy, slug: str) -> str:
    return f"{taxonomy.name}/{slug}/"


def day_url(day: date) -> str:
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}/"


def article_views(site: Site) -> dict[str, ArticleView]:
    """A view of every article, by URL, with its tags and countries resolved to their term pages."""
    tags, countries = (_term_links(site, name) for name in ("tags", "countries"))
    return {article.url: _article_view(article, tags, countries) for article in site.articles}


def _term_links(site: Site, name: str) -> dict[str, TermLink]:
    """Value as written in front matter (tag spelling or country code) -> its link."""
    taxonomy = next(t for t in site.taxonomies if t.name == name)
    links = {}
    for term in taxonomy.terms:
        link = TermLink(name=term.name, url=term_url(taxonomy, term.slug), flag=term.flag, code=term.code)
        links[term.code or term.slug] = link
    if name == "tags":
        return {tag: links[slugify(tag)] for article in site.articles for tag in article.tags}
    return links


def _article_view(article: Article, tags: dict[str, TermLink], countries: dict[str, TermLink]) -> ArticleView:
    return article_view(article, tuple(tags[t] for t in article.tags), tuple(countries[c] for c in article.countries))


def article_view(article: Article, article_tags: tuple[TermLink, ...],
                 article_countries: tuple[TermLink, ...]) -> ArticleView:
    """ARTICLE as templates see it, its tags and countries already resolved to their pages."""
    return assemble(ArticleView, dict(
        title=article.title,
        url=article.url,
        date=article.date,
        has_time=article.has_time,
        updated=article.updated,
        dateline=article.dateline,
        source=article.source,
        summary=article.summary,
        body=article.body_html,  # Markup already, sanitised in markup.py unless the site trusts raw HTML
        tags=article_tags,
        countries=article_countries,
        correction=article.correction,
        image=article.image,
        image_alt=article.image_alt,
        image_caption=article.image_caption,
        image_credit=article.image_credit,
        published=article.date.isoformat() if article.has_time else article.date.date().isoformat(),
        section=(article_countries or article_tags)[0].name if article_countries or article_tags else "",
        extra=article.extra,
        # Everything above follows from the file's text, the URL and the terms' names and URLs (and the
        # config, which every page's fingerprint includes): hashing those is much cheaper than the view.
        digest=digest(article.source_digest, article.url, [(t.name, t.url, t.flag, t.code) for t in article_tags],
                      [(c.name, c.url, c.flag, c.code) for c in article_countries]),
    ))


def term_views(taxonomy: Taxonomy) -> list[TermView]:
    return [TermView(name=t.name, url=term_url(taxonomy, t.slug), count=len(t.article_urls), flag=t.flag, code=t.code)
            for t in taxonomy.terms]
