"""A multilingual site's pages as templates see them: links in their language's folder, `site` in their language.

render.py renders every language's pages with one Environment (languages.py makes the pages). A page of a
language with a folder ("fr/") links to that folder's pages: url() and absolute_url() put the folder before
the site paths a page kind makes ("tags/x/" in every language), but for the paths of the whole site
(static files, the search index) and those with a language's folder already (an article's URL). `site` is
the page's language's (title, description, language). A site in one language installs none of this.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import jinja2

from dateline.config import SiteConfig

# Site paths every language's pages share: static files, the search index, the icon.
WHOLE_SITE = ("static/", "pagefind/", "favicon.ico")


def install_folders(env: jinja2.Environment, config: SiteConfig, site_values: Callable[[SiteConfig], Any]) -> None:
    """Remember each language's folder and the `site` its pages see (SITE_VALUES makes it from a config)."""
    env.extend(dateline_folders={language.code: language.prefix for language in config.languages},  # type: ignore
               dateline_site_values={language.code: site_values(dataclasses.replace(
                   config, title=language.title, description=language.description, language=language.code))
                   for language in config.languages},
               dateline_site_language=[config.language])


def folder_of(env: jinja2.Environment, language: str | None) -> tuple[str, tuple[str, ...]]:
    """The folder a page in LANGUAGE puts before the site paths it links to ("" for none), and the paths it
    leaves as they are."""
    folders = getattr(env, "dateline_folders", {})
    folder = folders.get(language, "") if language else ""
    return folder, (*WHOLE_SITE, *(f for f in folders.values() if f)) if folder else ()


def in_language(env: jinja2.Environment, link: Callable[[str], str]) -> Callable[[str], str]:
    """LINK (url(), absolute_url()) putting the page's folder first; LINK itself on a site in one language,
    which so makes its links as fast as before (no test per link)."""
    if not getattr(env, "dateline_folders", None):
        return link
    page = env.dateline_page  # type: ignore[attr-defined]

    def linked(target: str) -> str:
        links = page[0]
        if links.folder and not target.startswith(links.kept):
            target = links.folder + target
        return link(target)
    return linked


def enter_site_language(env: jinja2.Environment, code: str | None) -> None:
    """`site` as pages in the language CODE see it (None: the site's), changed in place: macros imported
    without context hold the very object."""
    values = getattr(env, "dateline_site_values", None)
    if not values:
        return
    shown = env.dateline_site_language  # type: ignore[attr-defined]
    code = code if code in values else env.dateline_default_language.code  # type: ignore[attr-defined]
    if code == shown[0]:
        return
    site = env.globals["site"]
    site.clear()
    site.update(values[code])
    site.__dict__.update(values[code])
    shown[0] = code
