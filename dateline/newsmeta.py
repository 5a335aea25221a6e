"""News metadata that needs rules, not markup: the NewsArticle JSON-LD and its agencies, which articles a Google
News sitemap lists, and its language code."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from dateline.errors import DatelineError, SourceError
from dateline.urls import is_remote
from dateline.views import ArticleView
from dateline.yamlutil import SafeLoader

if TYPE_CHECKING:
    from dateline.pages import Placement

_AGENCIES = Path(__file__).parent / "data" / "agencies.yaml"

NEWS_WINDOW = timedelta(days=2)  # Google News sitemaps list only articles published in the last two days
NEWS_LIMIT = 1000  # and at most 1,000 of them


def news_reference(articles: Sequence[Placement], now: datetime | None) -> datetime | None:
    """The moment "the last two days" count back from: the site's clock when the build was given one (a
    production build), else the newest article's publication, so the same input gives the same output."""
    if now is not None:
        return now
    return max((a.date for a in articles), default=None)


def news_articles(articles: Sequence[Placement], now: datetime | None) -> list[Placement]:
    """Articles published within NEWS_WINDOW before the reference moment, newest first, at most NEWS_LIMIT."""
    reference = news_reference(articles, now)
    if reference is None:
        return []
    recent = [a for a in articles if reference - NEWS_WINDOW < a.date <= reference]
    recent.sort(key=lambda a: a.date, reverse=True)  # stable: stories of one moment keep the site's order
    return recent[:NEWS_LIMIT]


def news_article_data(article: ArticleView, *, base_url: str, language: str, site_title: str,
                      site_image: str = "") -> dict[str, Any]:
    """schema.org NewsArticle for ARTICLE, the JSON-LD of its page (built here: it is data, and as a
    template it took a third of an article page's rendering time). SITE_IMAGE: site.yaml's image, for an
    article without one."""
    url = base_url + article.url
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": article.title,
        "url": url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "datePublished": article.published,
        "dateModified": article.updated.isoformat() if article.updated else article.published,
        "inLanguage": language,
        "isAccessibleForFree": True,
    }
    image = article.image or site_image
    if image:
        data["image"] = [absolute_media_url(image, base_url)]
    if article.summary:
        data["description"] = article.summary
    if article.dateline:
        data["dateline"] = article.dateline
        data["locationCreated"] = {"@type": "Place", "name": article.dateline}
    if article.section:
        data["articleSection"] = article.section
    # countries (by kind, whatever a site calls them) are where the story is; every other term is a keyword
    places = [term for term in article.terms if term.taxonomy.kind == "country"]
    keywords = [term.name for term in article.terms if term.taxonomy.kind != "country"]
    if places:
        data["contentLocation"] = [{"@type": "Country", "name": c.name, "identifier": c.code} for c in places]
    if keywords:
        data["keywords"] = keywords
    publisher = {"@type": "Organization", "name": site_title, "url": base_url}
    if article.source:
        data["author"] = data["sourceOrganization"] = agency(article.source)
    else:
        data["author"] = publisher
    if article.correction:
        data["correction"] = {"@type": "CorrectionComment", "text": article.correction}
        if article.updated:
            data["correction"]["datePublished"] = article.updated.isoformat()
    data["publisher"] = {**publisher, "@type": "NewsMediaOrganization"}
    return data


def absolute_media_url(reference: str, base_url: str) -> str:
    """An image as front matter names it (urls.media_reference), as an absolute URL."""
    return reference if is_remote(reference) else base_url + reference


def agency(source: str) -> dict[str, str]:
    """SOURCE as a schema.org Organization: a known agency (data/agencies.yaml) with its name and home page."""
    known = _agencies().get(_agency_key(source))
    if known is None:
        return {"@type": "Organization", "name": source}
    found = {"@type": "Organization", "name": known["name"], "url": known["url"]}
    if known.get("short"):
        found["alternateName"] = known["short"]
    return found


@lru_cache(maxsize=4096)  # asked for every article page; a site has a few sources
def _agency_key(name: str) -> str:
    return re.sub(r"\s+", " ", name.casefold().replace(".", "")).strip()


@cache
def _agencies() -> dict[str, dict[str, str]]:
    by_key = {}
    for entry in yaml.load(_AGENCIES.read_text(encoding="utf-8"), Loader=SafeLoader):
        for name in (entry["name"], entry.get("short"), *entry.get("aliases", ())):
            if name:
                by_key[_agency_key(name)] = entry
    return by_key


def news_language(language: str) -> str:
    """Google News wants an ISO 639 code: "en-GB" -> "en"; Chinese keeps its script ("zh-cn", "zh-tw")."""
    code = language.lower().replace("_", "-")
    if code.startswith("zh-"):
        return "zh-tw" if code in ("zh-tw", "zh-hant", "zh-hk") else "zh-cn"
    return code.split("-")[0]


def host_redirects(params: dict[str, Any], config_file: Path) -> list[tuple[str, str]]:
    """site.yaml's params.redirects ({old site path: new site path}) as sorted pairs for _redirects."""
    redirects = params.get("redirects") or {}
    if not isinstance(redirects, dict):
        raise DatelineError(SourceError(config_file, "params.redirects must be a mapping of old site paths to "
                                                     "new ones, e.g. {2025/09/old-slug/: 2025/09/new-slug/}"))
    return sorted((str(old).lstrip("/"), str(new).lstrip("/")) for old, new in redirects.items())
