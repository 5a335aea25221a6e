"""A multilingual site's pages: each language a site of its own under its folder, its pages linked to their
translations.

Hugo's model (docs/languages.md): site.yaml's `languages:` names the languages; each article is in one
(front matter's `language`, else the site's); each language gets every page a one-language site has (front
page, articles, taxonomies, days, archive, feeds, search page), made by the same page kinds from the site
restricted to its articles, under its folder ("fr/"; the site's own language at the root). Pages whose
language has a version of them (an article's translations, sharing its `translation_key`; the same list page
in another language) name each other as alternates: `<link rel="alternate" hreflang>`, the language links
above the page, and the sitemap's xhtml:link. The 404 page, robots.txt and the host files are the root's only.

Links need no care from templates: render.py puts a page's language folder before every site path its
url() and absolute_url() make (an article's URL has it already), so a page kind's paths ("tags/x/") are
the same in every language.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from dateline.config import SiteConfig
from dateline.config_languages import LanguageConfig
from dateline.model import Article, Site, Taxonomy
from dateline.newsmeta import news_articles, news_language
from dateline.pages import PAGE_KINDS, Page, Placement
from dateline.taxonomy import build_taxonomies
from dateline.urls import output_file
from dateline.views import ArticleView, article_views

# Made once for the whole site, at its root: what is not a page of one language.
ROOT_ONLY = frozenset({"404.html", "robots.txt", "_headers", "_redirects"})
WHOLE_SITE_KINDS = frozenset({"news sitemap", "sitemap"})


def multilingual_pages(site: Site) -> list[Page]:
    """Every page of a site with `languages:`, the sitemap first (as pages.site_pages orders them)."""
    config = site.config
    pages: list[Page] = []
    for language in config.languages:
        own = language_site(site, language)
        made: list[Page] = []
        for kind in PAGE_KINDS:
            if kind.name not in WHOLE_SITE_KINDS:
                made.extend(kind.pages(own, made))
        pages.extend(_in_language(page, language, config) for page in made
                     if not language.prefix or page.path not in ROOT_ONLY)
    pages = with_alternates(pages, site.articles, config)
    return [_sitemap(pages, site.articles, config), *pages, _news_sitemap(site)]


def language_site(site: Site, language: LanguageConfig) -> Site:
    """SITE as a site in LANGUAGE alone: its articles, their taxonomies and related articles among them, its
    title and description."""
    articles = tuple(article for article in site.articles if article.language == language.code)
    urls = {article.url for article in articles}
    related = {url: tuple(other for other in found if other in urls)
               for url, found in site.related.items() if url in urls}
    config = dataclasses.replace(site.config, title=language.title, description=language.description,
                                 language=language.code)
    return Site(config, site.site_dir, articles, build_taxonomies(articles, config.taxonomies), related, site.now)


def _in_language(page: Page, language: LanguageConfig, config: SiteConfig) -> Page:
    """PAGE under LANGUAGE's folder (an article's path has it already), rendered in LANGUAGE."""
    path = page.path if _has_language_folder(page.path, config) else language.prefix + page.path
    return dataclasses.replace(page, path=path, context={**page.context, "language": language.code})


def _has_language_folder(path: str, config: SiteConfig) -> bool:
    return any(language.prefix and path.startswith(language.prefix) for language in config.languages)


def with_alternates(pages: list[Page], articles: Sequence[Placement], config: SiteConfig) -> list[Page]:
    """PAGES, each HTML page with `alternates`: its versions in every language (itself included, then
    x-default, the site's own language's version) when it has one in another language, else none. An
    article's versions are the articles sharing its translation_key; another page's, the page at the same
    path in each language's folder."""
    language_of = {page.path: page.context["language"] for page in pages}
    by_key: dict[str, dict[str, str]] = {}
    for article in articles:
        if article.translation_key:
            by_key.setdefault(article.translation_key, {})[article.language] = output_file(article.url)
    article_files = {output_file(article.url): article for article in articles}
    by_path: dict[str, dict[str, str]] = {}
    for page in pages:
        if page.path.endswith(".html") and page.path not in article_files:
            own = config.language_prefix(language_of[page.path])
            by_path.setdefault(page.path.removeprefix(own), {})[language_of[page.path]] = page.path
    result = []
    for page in pages:
        versions: dict[str, str] = {}
        if page.path in article_files:
            key = article_files[page.path].translation_key
            versions = by_key.get(key, {}) if key else {}
        elif page.path.endswith(".html"):
            versions = by_path[page.path.removeprefix(config.language_prefix(language_of[page.path]))]
        alternates = _alternates(versions, config) if len(versions) > 1 else []
        result.append(dataclasses.replace(page, context={**page.context, "alternates": alternates}))
    return result


def _alternates(versions: dict[str, str], config: SiteConfig) -> list[dict[str, str]]:
    """hreflang links to VERSIONS (language -> file), in the languages' order, then x-default."""
    links = [{"hreflang": language.code, "name": language.name, "path": _site_path(versions[language.code]),
              "href": config.base_url + _site_path(versions[language.code])}
             for language in config.languages if language.code in versions]
    if config.language in versions:
        links.append({"hreflang": "x-default", "name": "", "path": _site_path(versions[config.language]),
                      "href": config.base_url + _site_path(versions[config.language])})
    return links


def _site_path(file: str) -> str:
    return file.removesuffix("index.html")


def _sitemap(pages: list[Page], articles: Sequence[Placement], config: SiteConfig) -> Page:
    """sitemap.xml over every language's HTML pages but the 404, each with its alternates (xhtml:link)."""
    changed = {output_file(article.url): article.updated or article.date for article in articles}
    entries = [{"url": _site_path(page.path), "lastmod": changed.get(page.path),
                "alternates": [(link["hreflang"], link["href"]) for link in page.context["alternates"]]}
               for page in sorted(pages, key=lambda page: page.path)
               if page.path.endswith(".html") and page.path != "404.html"]
    return Page("sitemap.xml", "sitemap.xml", {"entries": entries, "multilingual": True}, "sitemap")


def _news_sitemap(site: Site) -> Page:
    """The news sitemap over every language's articles, each with its own language."""
    declared = {language.code for language in site.config.languages}
    # a draft in a language the site lacks (shown by a --drafts build) has no page in any language
    entries = news_articles([article for article in site.articles if article.language in declared], site.now)
    return Page("news-sitemap.xml", "news-sitemap.xml", {
        "entries": entries, "publication": site.config.title, "news_language": news_language(site.config.language),
        "entry_languages": {article.url: news_language(article.language) for article in entries}}, "news sitemap")


def views_in_languages(articles: Sequence[Article], taxonomies: tuple[Taxonomy, ...],
                       config: SiteConfig) -> dict[str, ArticleView]:
    """Every article's view on a multilingual site, its terms named in its own language (a country on a
    French page is "Allemagne")."""
    views: dict[str, ArticleView] = {}
    for language in config.languages:
        views.update(article_views(tuple(a for a in articles if a.language == language.code), taxonomies,
                                   language.code))
    return views
