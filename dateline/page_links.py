"""How the page being rendered links to site paths: url()'s prefix for the page's depth, and the placeholders a
{% cached %} fragment is recorded with, so that one fragment serves pages at every depth.

Apart from render.py because url() and the fragment cache (fragment_cache.py) both read the page's links,
and neither needs the rest of the environment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import jinja2

from dateline.language_links import folder_of
from dateline.urls import link_prefix

# A fragment being recorded for {% cached %} gets placeholders instead of links; each page that shows it puts
# in its own way up to the site's root. So one fragment serves pages at every depth, and the 404 page too.
_LINK = "\x00link\x00"  # url(target) inside a recording: _LINK + target
_HOME = "\x00home\x00"  # url("") inside a recording (the root, "./" from a page at the root)


@dataclass(frozen=True)
class PageLinks:
    """How the page being rendered links to site paths: PREFIX + path, and HOME for the root itself. On a
    multilingual site, a page in a language with a FOLDER ("fr/") links to FOLDER + path, but for paths that
    are the whole site's or have a language's folder already (KEPT: "static/", "pagefind/", "fr/"...)."""

    prefix: str
    home: str
    folder: str = ""
    kept: tuple[str, ...] = ()

    def fill(self, fragment: str) -> str:
        """FRAGMENT, recorded with placeholders, with this page's links."""
        if "\x00" not in fragment:
            return fragment
        return fragment.replace(_HOME, self.home).replace(_LINK, self.prefix)


def page_links(env: jinja2.Environment, path: str, root_relative: bool, language: str | None = None) -> PageLinks:
    folder, kept = folder_of(env, language)
    if root_relative:
        base_path = env.globals["site"]["base_path"]
        return PageLinks(base_path, base_path, folder, kept)
    prefix = link_prefix(path)  # relative_url(target, path), worked out once
    return PageLinks(prefix, prefix or "./", folder, kept)


def make_url(env: jinja2.Environment) -> Callable[[str], str]:
    """url(target): a link to a site path from the page being rendered (on a multilingual site, the site_url()
    that url() puts the page's language's folder before: language_links.in_language). A plain function, not
    one that takes the context: a list page makes a few hundred links, and Jinja calls such a function
    several times slower."""
    recording = env.dateline_recording  # type: ignore[attr-defined]
    page = env.dateline_page  # type: ignore[attr-defined]

    def url(target: str) -> str:
        if recording[0]:
            return _LINK + target if target else _HOME
        links = page[0]
        return links.prefix + target if target else links.home
    return url
