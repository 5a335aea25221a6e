"""Plain data passed between the stages: ArticleFields, Article, Term, Taxonomy, Site."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from markupsafe import Markup

from dateline.config import SiteConfig
from dateline.geo import flag_emoji

Frozen = TypeVar("Frozen")


def assemble(cls: type[Frozen], values: dict[str, Any]) -> Frozen:
    """The frozen dataclass CLS holding VALUES, one for each of its fields, made without its __init__.

    A frozen dataclass's __init__ sets each field through object.__setattr__: 3 µs for an article or its
    view, in stages a cold build runs on one core. The result is equal to what CLS(**VALUES) makes (tests
    compare them); CLS must have no __post_init__ nor field computed by default.
    """
    instance = object.__new__(cls)
    instance.__dict__.update(values)
    return instance


@dataclass(frozen=True)
class ArticleFields:
    """What an article's file says, before the site decides its URL."""

    title: str
    date: datetime  # aware, in the site's time zone
    has_time: bool  # False when front matter gave a date only: pages then show no time
    slug: str
    body_html: Markup  # rendered and sanitised
    summary: str  # plain text
    dateline: str
    source: str
    countries: tuple[str, ...]  # ISO 3166-1 alpha-2 codes, most prominent first
    tags: tuple[str, ...]  # as written, whitespace-normalised; the taxonomy picks one spelling per slug
    updated: datetime | None
    correction: str
    draft: bool
    lead: bool  # the editor's choice for the lead story of its day
    priority: int | None  # 1 (the most urgent) to 9: front matter's priority, else its urgency; None for neither
    image: str  # an http(s) URL or a site path ("static/photos/riga.jpg"), "" for none
    image_alt: str
    image_caption: str
    image_credit: str
    extra: dict[str, Any]  # unknown front matter keys, for templates
    source_digest: str  # hash of the file's text: what a page showing this article depends on


@dataclass(frozen=True)
class Article(ArticleFields):
    """A published article: what its file says, where the file is and the URL the site gave it."""

    source_path: str  # the Markdown file, for error messages
    url: str  # site-relative path, e.g. "2025/09/11/belarus-releases-prisoners/"

    @classmethod
    def published(cls, fields: ArticleFields, *, source_path: str, url: str, slug: str) -> Article:
        """FIELDS as the article the site publishes at URL (with SLUG: the file's own, or numbered on a clash)."""
        return assemble(cls, {**vars(fields), "slug": slug, "source_path": source_path, "url": url})

    @property
    def day(self) -> date:
        """The digest day the article belongs to, in the site's time zone."""
        return self.date.date()

    @property
    def output_path(self) -> str:
        return self.url + "index.html" if self.url.endswith("/") else self.url


@dataclass(frozen=True)
class Term:
    """One tag or country: its name, URL segment and the articles filed under it (by URL, newest first)."""

    name: str
    slug: str
    article_urls: tuple[str, ...]
    code: str = ""  # ISO code, for countries

    @property
    def flag(self) -> str:
        return flag_emoji(self.code)


@dataclass(frozen=True)
class Taxonomy:
    """A way of filing articles: tags and countries are two instances of this one shape."""

    name: str  # plural, used in URLs: "tags", "countries"
    singular: str  # "tag", "country"
    title: str  # heading of the index page: "Tags", "Countries"
    terms: tuple[Term, ...]  # sorted by name

    def by_slug(self) -> dict[str, Term]:
        return {term.slug: term for term in self.terms}


@dataclass(frozen=True)
class Site:
    config: SiteConfig
    site_dir: Path
    articles: tuple[Article, ...]  # newest first (see content.site_order)
    taxonomies: tuple[Taxonomy, ...]
    related: dict[str, tuple[str, ...]]  # article URL -> related article URLs, best first
