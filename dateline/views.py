"""Template view models: plain data built from the Site for templates, never the domain objects.

An article's view is everything templates show of it; pages name articles by their Placement and templates
read the view (render.py), so a page changes with an article's text exactly when its view's digest does.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from markupsafe import Markup

from dateline.bodies import StoredBody
from dateline.config_taxonomies import ARTICLE_ATTRIBUTES, TaxonomyConfig
from dateline.countrynames import country_name
from dateline.fingerprint import text_digest
from dateline.i18n import locale_of
from dateline.kinds import KINDS
from dateline.model import Article, Taxonomy, Term


@dataclass(frozen=True)
class TaxonomyView:
    """A taxonomy as templates see it: on its index and term pages, on every term link, in `site.taxonomies`."""

    name: str  # "tags": the URL folder
    title: str  # "Tags"
    singular: str  # "tag": what one term is (the search filter's name, a CSS class)
    kind: str  # "text" or "country" (dateline/kinds.py)
    url: str  # "tags/"
    feed: bool  # whether each term has feeds


@dataclass(frozen=True)
class TermLink:
    """A term an article is filed under, with the way to its page."""

    name: str
    url: str  # site path: "tags/elections/"
    taxonomy: TaxonomyView
    flag: str = ""
    code: str = ""


@dataclass(frozen=True)
class TermView:
    """A term on its own pages and on its taxonomy's index."""

    name: str
    slug: str
    url: str
    count: int  # articles filed under it
    mentioned_count: int = 0  # articles that only mention it (the taxonomy's second tier)
    flag: str = ""
    code: str = ""


@dataclass(frozen=True, slots=True)  # slots: about 350 bytes an article less than a __dict__ (see below)
class ArticleView:
    """An article as templates see it: everything pages show of it. A full build holds one per article until its
    last page is rendered, and every process it forks reads them all, so copies them (docs/internals.md, "A cold
    build's memory"): hence slots rather than a __dict__."""

    title: str
    url: str
    date: datetime
    has_time: bool
    updated: datetime | None
    dateline: str
    source: str
    summary: str
    # The article's HTML: held by the view, or in a full build parked in the build's body file (a
    # bodies.StoredBody in its slot, see _Body below) and read back when a page shows it.
    body: Markup
    terms: tuple[TermLink, ...]  # every term the article is filed under, taxonomy by taxonomy in site.yaml's order
    taxonomy_names: tuple[str, ...]  # the site's taxonomies (one tuple shared by every view)
    correction: str
    image: str  # an http(s) URL or a site path, "" for none
    image_alt: str
    image_caption: str
    image_credit: str
    # The publication as ISO 8601: with its time when the article gives one, else the date alone (a date-only
    # story never gets an invented midnight).
    published: str
    section: str  # the one section of Open Graph and schema.org: its first country, else its first term
    extra: dict[str, Any]
    digest: str = ""  # hash of all the above: pages showing this article change exactly when it does

    @property
    def taxonomies(self) -> dict[str, tuple[TermLink, ...]]:
        """Each taxonomy's name -> the article's terms there (none in some)."""
        return {name: getattr(self, name) for name in self.taxonomy_names}

    def __getattr__(self, name: str) -> tuple[TermLink, ...]:
        """article.tags, article.countries, article.sources...: the article's terms in one taxonomy."""
        try:
            names = _held_taxonomy_names(self)
        except AttributeError:  # a view not filled yet
            raise AttributeError(name) from None
        if name not in names:
            raise AttributeError(name)
        return tuple(link for link in self.terms if link.taxonomy.name == name)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its values in field order (a parked body as the Markup it is: StoredBody's __reduce__)."""
        return _view_of, (tuple(held(self) for held in _HELD),)


class _Body:
    """ArticleView.body: the Markup in the view's slot, or the one that a bodies.StoredBody there reads back."""

    def __init__(self, slot: Any) -> None:
        self.slot = slot

    def __get__(self, view: ArticleView | None, owner: type | None = None) -> Any:
        if view is None:
            return self
        held = self.slot.__get__(view, owner)
        return held if type(held) is not StoredBody else held.read()

    def __set__(self, view: ArticleView, value: Markup) -> None:
        self.slot.__set__(view, value)


_BODY_SLOT = ArticleView.__dict__["body"]
ArticleView.body = _Body(_BODY_SLOT)  # type: ignore[assignment,misc]
_held_taxonomy_names = ArticleView.__dict__["taxonomy_names"].__get__
# Each field's value as the view holds it (a parked body as its StoredBody), and each field's setter, in order.
_HELD = tuple((_BODY_SLOT if f.name == "body" else ArticleView.__dict__[f.name]).__get__ for f in fields(ArticleView))
_SETTERS = tuple(ArticleView.__dict__[f.name].__set__ for f in fields(ArticleView))


def _view_of(values: tuple[Any, ...]) -> ArticleView:
    """The view holding VALUES, one per field in their order, made without the frozen dataclass's __init__, which
    goes through object.__setattr__ for each (the result is equal to what it makes: a test checks)."""
    view = object.__new__(ArticleView)
    for set_field, value in zip(_SETTERS, values, strict=True):
        set_field(view, value)
    return view


def held_body(view: ArticleView) -> Markup | StoredBody:
    """VIEW's body as it holds it: the Markup, or where it is parked (bodies.py)."""
    return _BODY_SLOT.__get__(view, ArticleView)


def hold_body(view: ArticleView, body: Markup | StoredBody) -> None:
    _BODY_SLOT.__set__(view, body)


# A taxonomy named as one of these would hide the article's own attribute: config_taxonomies.py refuses such
# names.
if {f.name for f in fields(ArticleView)} | {"taxonomies"} != ARTICLE_ATTRIBUTES:  # pragma: no cover - met at once
    raise TypeError("config_taxonomies.ARTICLE_ATTRIBUTES must be ArticleView's fields: "
                    f"{[f.name for f in fields(ArticleView)]}")


def taxonomy_view(settings: TaxonomyConfig) -> TaxonomyView:
    return TaxonomyView(name=settings.name, title=settings.title, singular=settings.singular, kind=settings.kind,
                        url=f"{settings.name}/", feed=settings.feed)


def term_url(taxonomy: TaxonomyConfig, slug: str) -> str:
    return f"{taxonomy.name}/{slug}/"


def article_views(articles: tuple[Article, ...], taxonomies: tuple[Taxonomy, ...], language: str = "en"
                  ) -> dict[str, ArticleView]:
    """A view of every article, by URL, with its terms resolved to their pages and named in LANGUAGE (a code)."""
    tables = [(taxonomy.config.field, KINDS[taxonomy.config.kind].key, _term_links(taxonomy, language), {})
              for taxonomy in taxonomies]
    names = tuple(taxonomy.name for taxonomy in taxonomies)
    views = {}
    # Views with the same terms share one tuple of them, and one string for the same dateline or source: a full
    # build holds every view, and copies them into the processes it forks (docs/internals.md).
    shared: dict[str | None, Any] = {}
    by_links: dict[tuple[int, ...], tuple[TermLink, ...]] = {}
    for article in articles:
        terms = article.terms
        links = []
        for field, key, by_key, by_value in tables:
            for value in terms[field]:
                link = by_value.get(value)
                if link is None:  # the first article with this spelling
                    link = by_value[value] = by_key[key(value)]
                links.append(link)
        same = tuple(map(id, links))  # the links live in the tables until the end
        linked = by_links.get(same)
        if linked is None:
            linked = by_links[same] = tuple(links)
        views[article.url] = article_view(article, linked, names, shared)
    return views


def _term_links(taxonomy: Taxonomy, language: str) -> dict[str, TermLink]:
    """Each term's link, by its key (kinds.TermKind.key)."""
    shown = taxonomy_view(taxonomy.config)
    return {term.code or term.slug: TermLink(name=term_name(term, language), url=term_url(taxonomy.config, term.slug),
                                             taxonomy=shown, flag=term.flag, code=term.code)
            for term in taxonomy.terms}


def term_name(term: Term, language: str) -> str:
    """TERM's name as pages in LANGUAGE show it: a country's in that language (its URL stays the English one),
    any other term's as the articles write it."""
    if not term.code or language == "en":
        return term.name
    return country_name(term.code, locale_of(language), term.name)


def article_view(article: Article, terms: tuple[TermLink, ...], taxonomy_names: tuple[str, ...],
                 shared: dict[str | None, Any] | None = None) -> ArticleView:
    """ARTICLE as templates see it, its TERMS already resolved to their pages, on a site with these taxonomies.
    SHARED, when given, holds the datelines and sources of the views made before, so that views with the same
    one share it, and (under None) the empty dict of front matter that views without any share (article_views)."""
    dateline, source, extra = article.dateline, article.source, article.extra
    if shared is not None:
        dateline = shared.setdefault(dateline, dateline)
        source = shared.setdefault(source, source)
        if not extra:  # most articles have no front matter of their own
            extra = shared.setdefault(None, {})
    return _view_of((
        article.title,
        article.url,
        article.date,
        article.has_time,
        article.updated,
        dateline,
        source,
        article.summary,
        article.body_html,  # Markup already, sanitised in markup.py unless the site trusts raw HTML
        terms,
        taxonomy_names,
        article.correction,
        article.image,
        article.image_alt,
        article.image_caption,
        article.image_credit,
        article.date.isoformat() if article.has_time else article.date.date().isoformat(),  # published
        _section(terms),
        extra,
        # Everything above follows from the file's text, the URL and the terms' names, URLs and codes (and the
        # config, which every page's fingerprint includes): hashing those is much cheaper than the view.
        text_digest(article.source_digest, article.url, "\x1e".join(
            f"{link.taxonomy.name}\x1f{link.name}\x1f{link.url}\x1f{link.code}" for link in terms)),
    ))


def _section(terms: tuple[TermLink, ...]) -> str:
    """The article's one section: its first term of a `kind: country` taxonomy (a digest's sections are where
    the news is), else its first term, in site.yaml's order (tags, for a site without `taxonomies:`)."""
    return next((link.name for link in terms if link.taxonomy.kind == "country"), terms[0].name if terms else "")


def term_views(taxonomy: Taxonomy, language: str = "en") -> list[TermView]:
    """TAXONOMY's terms in its order, named in LANGUAGE (a code; indexes.py sorts them in its order)."""
    return [TermView(name=term_name(t, language), slug=t.slug, url=term_url(taxonomy.config, t.slug),
                     count=len(t.article_urls), mentioned_count=len(t.mentioned_urls), flag=t.flag, code=t.code)
            for t in taxonomy.terms]
