"""Plain data passed between the stages: ArticleFields, Article, Term, Taxonomy, Site."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from markupsafe import Markup

from dateline.config import SiteConfig
from dateline.config_taxonomies import TaxonomyConfig
from dateline.geo import flag_emoji

if TYPE_CHECKING:
    from dateline.pages import Placement

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
    # the values of each front-matter key a taxonomy files by (kinds.py reads them: country codes, most prominent
    # first; texts as written, whitespace-normalised, one per term)
    terms: dict[str, tuple[str, ...]]
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
    # the language it is written in (front matter's `language`, else the site's) and the key its translations
    # share ("" for none): a multilingual site files it in its language's pages, linked to its translations
    language: str
    translation_key: str
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
    """One tag, country, source...: its name, URL segment and the articles filed under it (by URL, newest first)."""

    name: str
    slug: str
    article_urls: tuple[str, ...]
    mentioned_urls: tuple[str, ...] = ()  # the second tier: articles that only mention it
    code: str = ""  # ISO code, for countries

    @property
    def flag(self) -> str:
        return flag_emoji(self.code)


@dataclass(frozen=True)
class Taxonomy:
    """A way of filing articles, as site.yaml declares it: tags, countries, sources... are instances of this."""

    config: TaxonomyConfig
    terms: tuple[Term, ...]  # sorted by name

    @property
    def name(self) -> str:  # plural, the URL folder: "tags", "countries"
        return self.config.name


@dataclass(frozen=True)
class Site:
    """What the page list is made from: no article's text, only where each article goes (pages.Placement)."""

    config: SiteConfig
    site_dir: Path
    articles: tuple[Placement, ...]  # newest first (see content.site_order)
    taxonomies: tuple[Taxonomy, ...]
    related: dict[str, tuple[str, ...]]  # article URL -> related article URLs, best first
    now: datetime | None = None  # the site's clock in a production build (the news sitemap counts back from it)
