"""The render stage: the Jinja environment (site templates over the default theme), pages rendered to bytes in
chunks, and the {% cached %} fragments handed between the processes that render them.

What the environment holds is in modules of its own: page_links.py (url() and a page's links),
fragment_cache.py (the {% cached %} tag and its store), template_filters.py, language_links.py and
i18n_templates.py (a page's language).
"""

from __future__ import annotations

import dataclasses
import os
import sys
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import jinja2

from dateline.bodies import BodyFile
from dateline.config import SiteConfig
from dateline.environment import BuildEnvironment
from dateline.errors import SourceError
from dateline.fragment_cache import FragmentCache, keep_fragment
from dateline.i18n_templates import enter_language, install_languages
from dateline.language_links import enter_site_language, in_language, install_folders
from dateline.layout import THEME_DIR, template_dirs
from dateline.newsmeta import absolute_media_url
from dateline.page_links import make_url, page_links
from dateline.pages import Page
from dateline.template_filters import install_filters
from dateline.urls import is_remote
from dateline.views import taxonomy_view

Written = TypeVar("Written")


def with_taxonomy_templates(config: SiteConfig, env: jinja2.Environment) -> SiteConfig:
    """CONFIG with the templates of each taxonomy's pages named: site.yaml's, else {singular}.html (tag.html)
    and {name}.html (tags.html) where the site's templates or the theme have them, else the theme's term.html
    and terms.html, which render every taxonomy."""
    def first(*names: str) -> str:
        for name in names:
            try:
                env.loader.get_source(env, name)  # type: ignore[union-attr]
            except jinja2.TemplateNotFound:
                continue
            return name
        return names[-1]

    return dataclasses.replace(config, taxonomies=tuple(dataclasses.replace(
        taxonomy, template=taxonomy.template or first(f"{taxonomy.singular}.html", "term.html"),
        index_template=taxonomy.index_template or first(f"{taxonomy.name}.html", "terms.html"))
        for taxonomy in config.taxonomies))


class _ThemeLoader(jinja2.FileSystemLoader):
    """The theme's templates under "default/". The per-taxonomy pages the theme had before taxonomies were
    declared still resolve, to the templates that now render every taxonomy, so a site's
    {% extends "default/tag.html" %} keeps building (their blocks, heading and term_label, are still there)."""

    FORMER_NAMES = {"tag.html": "term.html", "country.html": "term.html",
                    "tags.html": "terms.html", "countries.html": "terms.html"}

    def get_source(self, environment: jinja2.Environment, template: str):
        return super().get_source(environment, self.FORMER_NAMES.get(template, template))


def make_environment(site_dir: Path, config: SiteConfig, *, strict: bool = False) -> jinja2.Environment:
    """STRICT makes an undefined variable an error (for checks) instead of an empty string."""
    loader = jinja2.ChoiceLoader([
        *(jinja2.FileSystemLoader(d) for d in template_dirs(site_dir)),
        # "default/article.html" is always the theme's own, so an override can {% extends %} it.
        jinja2.PrefixLoader({"default": _ThemeLoader(THEME_DIR / "templates")}),
    ])
    env = BuildEnvironment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "xml", "htm"], default_for_string=True, default=True),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined if strict else jinja2.Undefined,
        # An Environment lives for one build (the preview makes a new one per rebuild), and templates do not
        # change during a build: without this Jinja checks every template file's mtime on every use.
        auto_reload=False,
        cache_size=-1,  # every template stays compiled, in a plain dict rather than a locked LRU
        extensions=[FragmentCache, "jinja2.ext.i18n", "jinja2.ext.do"],
    )
    # The page being rendered (render_page points it at each page): url() and {% cached %} read it, so they
    # work alike in a page's template and in macros imported without context, which see only the globals.
    env.extend(dateline_page=[page_links(env, "", False)], dateline_links={})
    install_folders(env, config, _site_globals)  # a multilingual site's (language_links.py)
    site_url = make_url(env)
    url = in_language(env, site_url)
    own = env.dateline_site_values.get(config.language)  # type: ignore[attr-defined]
    env.globals.update(site=SiteGlobals(dict(own)) if own else _site_globals(config), url=url,
                       absolute_url=in_language(env, lambda target: config.base_url + target), site_url=site_url,
                       media_url=lambda reference: reference if is_remote(reference) else url(reference),
                       absolute_media_url=lambda reference: absolute_media_url(reference, config.base_url))
    # _(), ngettext(), the dates and numbers of the page's language, and `language` (i18n_templates.py)
    install_languages(env, site_dir, config)
    install_filters(env, config)  # iso, utc_offset, tojson... (template_filters.py)
    return env


class SiteGlobals(dict):
    """`site` in templates: a dict whose keys are also attributes.

    Templates write site.title; on a plain dict Jinja tries the attribute first and gets there through a
    caught AttributeError, a dozen times per page.
    """

    def __init__(self, values: dict) -> None:
        super().__init__(values)
        self.__dict__.update(values)


def _site_globals(config: SiteConfig) -> SiteGlobals:
    return SiteGlobals({"title": config.title, "description": config.description, "language": config.language,
                        "base_url": config.base_url, "base_path": config.base_path, "params": config.params,
                        "timezone": config.timezone, "feed_full_content": config.feed.full_content,
                        "image": config.image, "image_alt": config.image_alt,
                        "taxonomies": [taxonomy_view(taxonomy) for taxonomy in config.taxonomies],
                        # the front-matter keys whose values are terms: a source a taxonomy files by has its filter
                        "term_fields": frozenset(key for taxonomy in config.taxonomies for key in taxonomy.fields)})


def render_page(env: jinja2.Environment, page: Page) -> str:
    """PAGE's template rendered with the page's data, its path, url() pointing from it, and in its language:
    the code its data gives as `language` (a multilingual site's pages), else the site's."""
    code = page.context.get("language")
    # the same for every page at one depth, in one language: made once (a frozen dataclass takes microseconds)
    key = (page.path.count("/"), page.root_relative_links, code)
    links = env.dateline_links.get(key)  # type: ignore[attr-defined]
    if links is None:
        links = env.dateline_links[key] = page_links(env, page.path, page.root_relative_links, code)  # type: ignore
    env.dateline_page[0] = links  # type: ignore[attr-defined]
    enter_site_language(env, code)
    return env.get_template(page.template).render(page.context, page_path=page.path,
                                                  root_relative_links=page.root_relative_links,
                                                  language=enter_language(env, code))


def park_fragments(env: jinja2.Environment, file: BodyFile) -> None:
    """Keep the HTML of the {% cached %} fragments recorded from now on in FILE, a full build's body file, which
    processes forked later read too (bodies.py): out of the build's memory, where the buffer took 190 MB at
    100,000 articles."""
    env.dateline_fragment_text = file  # type: ignore[attr-defined]


def record_fragments(env: jinja2.Environment) -> None:
    """Keep the {% cached %} fragments recorded from now on, for recorded_fragments() to hand over."""
    env.dateline_recorded = {}  # type: ignore[attr-defined]
    env.dateline_recorder = os.getpid()  # type: ignore[attr-defined]


def recorded_fragments(env: jinja2.Environment) -> dict:
    """The fragments recorded since the last call (or record_fragments()): what a worker process sends back
    to its parent, so that the workers forked next start with them (add_fragments). None in the process that
    asked to record them, which keeps them already."""
    recorded = env.dateline_recorded  # type: ignore[attr-defined]
    env.dateline_recorded = {}  # type: ignore[attr-defined]
    return recorded if os.getpid() != env.dateline_recorder else {}  # type: ignore[attr-defined]


def add_fragments(env: jinja2.Environment, fragments: dict) -> None:
    kept = env.dateline_fragments  # type: ignore[attr-defined]
    for key, stored in fragments.items():
        if key not in kept:  # recorded in this process (pages rendered here): kept already
            keep_fragment(env, key, stored)


def render_chunk(env: jinja2.Environment, pages: Iterable[Page],
                 write: Callable[[Page, bytes], Written]) -> list[tuple[str, Written] | SourceError]:
    """Render and WRITE each page; return (path, what WRITE returned) per page, or the error of its template.

    After a template's first error its other pages are skipped: one broken template should give one
    message, not one per page. Runs in worker processes too, so it returns errors instead of raising.
    Pages are rendered a batch at a time, then written: rendering between writes ran 15% slower (each
    system call leaves the processor's caches to the kernel's data), and writing between renderings too.
    """
    results: list[tuple[str, Written] | SourceError] = []
    broken: set[str] = set()
    rendered: list[tuple[Page, bytes] | SourceError] = []
    for page in pages:
        if page.template not in broken:
            outcome = _rendered(env, page)
            if isinstance(outcome, SourceError):
                broken.add(page.template)
            rendered.append(outcome)
        if len(rendered) == WRITE_BATCH:
            _write_batch(rendered, write, results)
    _write_batch(rendered, write, results)
    return results


WRITE_BATCH = 64  # pages rendered before they are written: about 650 KB of HTML


def _rendered(env: jinja2.Environment, page: Page) -> tuple[Page, bytes] | SourceError:
    try:
        return page, render_page(env, page).encode("utf-8")
    except jinja2.TemplateNotFound as exc:
        return SourceError(Path(page.template), f"template {exc.name!r} not found (needed for {page.source}) "
                                                "in the site's templates/ folder nor in the default theme")
    except jinja2.TemplateSyntaxError as exc:
        return _syntax_error(exc, page)
    except Exception as exc:  # a template bug: report where it is and keep checking the other templates
        return _template_error(exc, page)


def _write_batch(rendered: list[tuple[Page, bytes] | SourceError], write: Callable[[Page, bytes], Written],
                 results: list[tuple[str, Written] | SourceError]) -> None:
    """Write the pages of RENDERED (emptied) in order, their outcomes added to RESULTS."""
    for outcome in rendered:
        if isinstance(outcome, SourceError):
            results.append(outcome)
        else:
            page, data = outcome
            results.append((page.path, write(page, data)))
    rendered.clear()


def _syntax_error(exc: jinja2.TemplateSyntaxError, page: Page) -> SourceError:
    return SourceError(Path(exc.filename or exc.name or page.template), f"template error: {exc.message}", exc.lineno)


def _template_error(exc: Exception, page: Page) -> SourceError:
    """Point at the innermost template line of a rendering error (Jinja maps its frames to template lines)."""
    frames = [f for f in traceback.extract_tb(sys.exc_info()[2] or exc.__traceback__)
              if f.filename.endswith((".html", ".xml", ".txt"))]
    if frames:
        frame = frames[-1]
        return SourceError(Path(frame.filename), f"template error while rendering {page.path} "
                                                 f"({page.source}): {exc}", frame.lineno)
    return SourceError(Path(page.template), f"template error while rendering {page.path} ({page.source}): {exc}")
