"""Jinja environment (site templates over the default theme) and rendering pages to bytes."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from json.encoder import encode_basestring_ascii
from pathlib import Path
from typing import TypeVar

import jinja2
import jinja2.ext
from jinja2 import nodes
from markupsafe import Markup

from dateline.bodies import BodyFile
from dateline.config import SiteConfig
from dateline.environment import BuildEnvironment
from dateline.errors import SourceError
from dateline.i18n_templates import enter_language, install_languages, language_shown
from dateline.language_links import enter_site_language, folder_of, in_language, install_folders
from dateline.layout import THEME_DIR, template_dirs
from dateline.newsmeta import absolute_media_url, news_article_data
from dateline.pages import Page
from dateline.urls import is_remote, link_prefix
from dateline.views import ArticleView, taxonomy_view

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
    env.extend(dateline_page=[_page_links(env, "", False)], dateline_links={})
    install_folders(env, config, _site_globals)  # a multilingual site's (language_links.py)
    site_url = _url(env)
    url = in_language(env, site_url)
    own = env.dateline_site_values.get(config.language)  # type: ignore[attr-defined]
    env.globals.update(site=SiteGlobals(dict(own)) if own else _site_globals(config), url=url,
                       absolute_url=in_language(env, lambda target: config.base_url + target), site_url=site_url,
                       media_url=lambda reference: reference if is_remote(reference) else url(reference),
                       absolute_media_url=lambda reference: absolute_media_url(reference, config.base_url))
    # _(), ngettext(), the dates and numbers of the page's language, and `language` (i18n_templates.py)
    install_languages(env, site_dir, config)
    env.filters.update(iso=_iso, utc_offset=utc_offset, as_text=as_text, tojson=_tojson, replace=_replace,
                       news_article_json=_news_article_json(config, env))
    return env


def _news_article_json(config: SiteConfig, env: BuildEnvironment):
    def news_article_json(article: ArticleView) -> Markup:
        """An article's schema.org NewsArticle as JSON that is safe inside <script> (<, >, & escaped)."""
        site = env.globals["site"]  # the page's language's, on a multilingual site (language_links.enter_site_language)
        data = news_article_data(env.shown(article), base_url=config.base_url, language=site["language"],
                                 site_title=site["title"], site_image=config.image)
        # on one line: an indented dump runs json's pure-Python encoder, several times slower than its C one.
        # What jinja2.utils.htmlsafe_json_dumps(data) gives, without its Python-level Markup() around it.
        return str.__new__(Markup, json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e")
                           .replace("&", "\\u0026").replace("'", "\\u0027"))
    return news_article_json


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


# A fragment being recorded for {% cached %} gets placeholders instead of links; each page that shows it puts
# in its own way up to the site's root. So one fragment serves pages at every depth, and the 404 page too.
_LINK = "\x00link\x00"  # url(target) inside a recording: _LINK + target
_HOME = "\x00home\x00"  # url("") inside a recording (the root, "./" from a page at the root)


@dataclass(frozen=True)
class _Links:
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


def _page_links(env: jinja2.Environment, path: str, root_relative: bool, language: str | None = None) -> _Links:
    folder, kept = folder_of(env, language)
    if root_relative:
        base_path = env.globals["site"]["base_path"]
        return _Links(base_path, base_path, folder, kept)
    prefix = link_prefix(path)  # relative_url(target, path), worked out once
    return _Links(prefix, prefix or "./", folder, kept)


def _url(env: jinja2.Environment) -> Callable[[str], str]:
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


def render_page(env: jinja2.Environment, page: Page) -> str:
    """PAGE's template rendered with the page's data, its path, url() pointing from it, and in its language:
    the code its data gives as `language` (a multilingual site's pages), else the site's."""
    code = page.context.get("language")
    # the same for every page at one depth, in one language: made once (a frozen dataclass takes microseconds)
    key = (page.path.count("/"), page.root_relative_links, code)
    links = env.dateline_links.get(key)  # type: ignore[attr-defined]
    if links is None:
        links = env.dateline_links[key] = _page_links(env, page.path, page.root_relative_links, code)  # type: ignore
    env.dateline_page[0] = links  # type: ignore[attr-defined]
    enter_site_language(env, code)
    return env.get_template(page.template).render(page.context, page_path=page.path,
                                                  root_relative_links=page.root_relative_links,
                                                  language=enter_language(env, code))


class FragmentCache(jinja2.ext.Extension):
    """{% cached key, ... %}...{% endcached %}: the body is rendered once per key, then reused on every page.

    Hugo's partialCached for a build. The body must depend only on the key and on links made with url(),
    which are recorded as placeholders and filled in for each page (see _Links). The cache belongs to the
    Environment, which lives for one build: a rebuild never sees a fragment of the build before, and
    worker processes fork with the parent's.
    """

    tags = {"cached"}

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        # dateline_recorded: the fragments to hand over, once record_fragments() asked for them;
        # dateline_fragment_text: the HTML of every fragment kept (see _keep; a full build's body file)
        environment.extend(dateline_fragments={}, dateline_fragment_text=_FragmentText(), dateline_recording=[0],
                           dateline_recorded=None)

    def parse(self, parser: jinja2.parser.Parser) -> list[nodes.Node]:
        lineno = next(parser.stream).lineno
        keys = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            keys.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcached",), drop_needle=True)
        # Each block has its own fragments, so two blocks with the same key never swap their HTML
        # (free_identifier numbers them within the template, even two on one line).
        block = nodes.Const((parser.name, parser.free_identifier().name))
        arguments = [block, nodes.Tuple(keys, "load")]
        # A hit is output inline; only a miss runs the body, as a CallBlock (which makes a Macro each time).
        # Around a macro's call ({% cached a.digest %}{{ teaser(a) }}{% endcached %}), a hit calls nothing.
        found = parser.free_identifier()
        return [nodes.Assign(found, self.call_method("_cached", arguments)).set_lineno(lineno),
                nodes.If(nodes.Test(found, "none", [], [], None, None), [
                    nodes.CallBlock(self.call_method("_record", arguments), [], [], body).set_lineno(lineno),
                ], [], [nodes.Output([found])]).set_lineno(lineno)]

    def _cached(self, block: tuple, key: tuple) -> str | None:
        """The fragment with the page's links, None if it is not recorded yet."""
        stored = self.environment.dateline_fragments.get(self._key(block, key))  # type: ignore[attr-defined]
        return None if stored is None else self._shown(stored)

    def _record(self, block: tuple, key: tuple, caller: jinja2.runtime.Macro) -> str:
        recording = self.environment.dateline_recording  # type: ignore[attr-defined]
        recording[0] += 1
        try:
            fragment = caller()
        finally:
            recording[0] -= 1
        # Kept as UTF-8: one flag emoji makes a str take 4 bytes per character, and a build keeps
        # tens of thousands of fragments (autoescaped ones are Markup, anything else stays as it is).
        stored = fragment.encode() if isinstance(fragment, Markup) else fragment
        _keep(self.environment, self._key(block, key), stored)
        recorded = self.environment.dateline_recorded  # type: ignore[attr-defined]
        if recorded is not None:
            recorded[self._key(block, key)] = stored
        return self._shown(stored)

    def _key(self, block: tuple, key: tuple) -> tuple:
        """A fragment is in the language of the page that recorded it: pages in another reuse their own."""
        return (block, key) if (code := language_shown(self.environment)) is None else (block, code, key)

    def _shown(self, stored: int | bytes | str) -> str:
        """A kept fragment as the page shows it. (Called for every teaser of every list, 20 times per list page:
        Markup(fragment) is made without its Python-level __new__.)"""
        env = self.environment
        markup = not isinstance(stored, str)
        if type(stored) is int:  # the common case: HTML kept in the build's buffer or body file (_keep)
            stored = env.dateline_fragment_text.read_bytes(stored)  # type: ignore[attr-defined]
        fragment = stored.decode() if markup else stored  # type: ignore[union-attr]
        if not env.dateline_recording[0]:  # type: ignore[attr-defined]
            fragment = env.dateline_page[0].fill(fragment)  # type: ignore[attr-defined]
        # else it goes into the fragment being recorded, placeholders and all
        return str.__new__(Markup, fragment) if markup else fragment


def _keep(env: jinja2.Environment, key: tuple, stored: bytes | str) -> None:
    """Keep a fragment: the HTML of Markup (STORED as UTF-8) with all the others, in one buffer or in a full
    build's body file (park_fragments), and under KEY where it is there. A forked render worker reads every
    teaser, and reading an object writes its reference count, which copies the memory page holding it: a
    buffer is read without writing to it, where one object per fragment (about 1 KB each, 180 MB at 100,000
    articles) was copied into every worker; in the body file they are not in any process's memory at all."""
    if isinstance(stored, bytes):
        env.dateline_fragments[key] = env.dateline_fragment_text.store(stored)  # type: ignore[attr-defined]
    else:
        env.dateline_fragments[key] = stored  # type: ignore[attr-defined]


class _FragmentText:
    """The fragments' HTML in one buffer: a place (start << 32 | length) for each, as in a bodies.BodyFile."""

    __slots__ = ("_text",)

    def __init__(self) -> None:
        self._text = bytearray()

    def store(self, data: bytes) -> int:
        place = len(self._text) << 32 | len(data)
        self._text.extend(data)
        return place

    def read_bytes(self, place: int) -> bytearray:
        start = place >> 32
        return self._text[start:start + (place & 0xFFFFFFFF)]


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
            _keep(env, key, stored)


def utc_offset(value: datetime) -> str:
    """"UTC+03:00", "UTC-05:30": the offset of an aware datetime, as the pages state it."""
    shown = _OFFSETS.get(value.utcoffset())
    if shown is None:
        offset = value.strftime("%z")
        shown = _OFFSETS[value.utcoffset()] = f"UTC{offset[:3]}:{offset[3:5]}"
    return shown


_OFFSETS: dict[timedelta | None, str] = {}  # utc_offset's by offset: strftime took 2% of an article page's time


def as_text(value: str) -> str:
    """Markup as a plain string, so autoescape escapes it (HTML carried as text in a feed's <content>)."""
    return str.__str__(value)


@jinja2.pass_eval_context
def _tojson(eval_ctx: jinja2.nodes.EvalContext, value: object, indent: int | None = None) -> Markup:
    """Jinja's tojson, fast for its common use, one string (JSON-LD and JSON feeds pass it every value).

    For a string json.dumps is encode_basestring_ascii; the replacements are htmlsafe_json_dumps's.
    """
    if isinstance(value, str) and indent is None:
        return Markup(encode_basestring_ascii(value).replace("<", "\\u003c").replace(">", "\\u003e")
                      .replace("&", "\\u0026").replace("'", "\\u0027"))
    return jinja2.filters.do_tojson(eval_ctx, value, indent)


@jinja2.pass_eval_context
def _replace(eval_ctx: jinja2.nodes.EvalContext, value: object, old: object, new: object,
             count: int | None = None) -> str:
    """Jinja's replace, without its questions for the common case of three plain strings (a page path, 3 per
    page), where it comes to str.replace too."""
    if type(value) is str and type(old) is str and type(new) is str:
        return value.replace(old, new, -1 if count is None else count)
    return jinja2.filters.do_replace(eval_ctx, value, old, new, count)  # type: ignore[arg-type]


def _iso(value: date | datetime) -> str:
    return value.isoformat()


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
