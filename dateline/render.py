"""Jinja environment (site templates over the default theme) and rendering pages to bytes."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Iterable
from datetime import date, datetime
from json.encoder import encode_basestring_ascii
from pathlib import Path
from typing import TypeVar

import jinja2
import jinja2.ext
from jinja2 import nodes
from markupsafe import Markup

from dateline.config import SiteConfig
from dateline.errors import SourceError
from dateline.newsmeta import news_article_data
from dateline.pages import Page
from dateline.urls import link_prefix, relative_url
from dateline.views import ArticleView

THEME_DIR = Path(__file__).resolve().parent.parent  # the default theme: templates/ and static/ of this repository
Written = TypeVar("Written")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def template_dirs(site_dir: Path) -> list[Path]:
    """Where templates are looked up, first match wins: the site's own, then the default theme."""
    dirs = [site_dir / "templates", THEME_DIR / "templates"]
    unique: list[Path] = []
    for directory in dirs:
        if directory.is_dir() and directory.resolve() not in [d.resolve() for d in unique]:
            unique.append(directory)
    return unique


def make_environment(site_dir: Path, config: SiteConfig, *, strict: bool = False) -> jinja2.Environment:
    """STRICT makes an undefined variable an error (for checks) instead of an empty string."""
    loader = jinja2.ChoiceLoader([
        *(jinja2.FileSystemLoader(d) for d in template_dirs(site_dir)),
        # "default/article.html" is always the theme's own, so an override can {% extends %} it.
        jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(THEME_DIR / "templates")}),
    ])
    env = jinja2.Environment(
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
        extensions=[FragmentCache],
    )
    env.globals.update(site=_site_globals(config), url=_url, absolute_url=_absolute_url(config))
    env.filters.update(long_date=long_date, iso=_iso, time_hm=lambda d: d.strftime("%H:%M"),
                       month_year=lambda d: f"{MONTHS[d.month - 1]} {d.year}", as_text=as_text, tojson=_tojson,
                       news_article_json=_news_article_json(config))
    return env


def _news_article_json(config: SiteConfig):
    def news_article_json(article: ArticleView) -> Markup:
        """An article's schema.org NewsArticle as JSON that is safe inside <script> (<, >, & escaped)."""
        data = news_article_data(article, base_url=config.base_url, language=config.language,
                                 site_title=config.title)
        # on one line: an indented dump runs json's pure-Python encoder, several times slower than its C one
        return jinja2.utils.htmlsafe_json_dumps(data)
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
                        "timezone": config.timezone, "feed_full_content": config.feed.full_content})


@jinja2.pass_context
def _url(context: jinja2.runtime.Context, target: str) -> str:
    """Link to a site path from the page being rendered (page_variables gives each page a faster one)."""
    if context.get("root_relative_links"):
        return context["site"]["base_path"] + target
    return relative_url(target, context["page_path"])


def page_variables(env: jinja2.Environment, page: Page) -> dict:
    """What every page's template gets besides its own data: its path, and url() for links from it.

    url() is bound to the page here, not looked up through the context on each of its calls: a list page
    makes a few hundred links, and a context-passing function costs Jinja several times as much to call.
    """
    if page.root_relative_links:
        base_path = env.globals["site"]["base_path"]

        def url(target: str) -> str:
            return base_path + target
    else:
        prefix = link_prefix(page.path)

        def url(target: str) -> str:
            return prefix + target or "./"  # relative_url(target, page.path), the prefix worked out once
    return {"page_path": page.path, "root_relative_links": page.root_relative_links, "url": url}


class FragmentCache(jinja2.ext.Extension):
    """{% cached key, ... %}...{% endcached %}: the body is rendered once per key and per page depth, then reused.

    Hugo's partialCached for a build. The body must depend only on the key and on links made with url(),
    which are the same on every page at one depth (see dateline.urls.relative_url) and in the 404 page's
    root-relative form. The cache belongs to the Environment, which lives for one build: a rebuild never
    sees a fragment of the build before, and worker processes fork with the parent's.
    """

    tags = {"cached"}

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        environment.extend(dateline_fragments={})

    def parse(self, parser: jinja2.parser.Parser) -> nodes.Node:
        lineno = next(parser.stream).lineno
        keys = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            keys.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcached",), drop_needle=True)
        # Each block has its own fragments, so two blocks with the same key never swap their HTML
        # (free_identifier numbers them within the template, even two on one line).
        block = nodes.Const((parser.name, parser.free_identifier().name))
        call = self.call_method("_fragment", [block, nodes.Tuple(keys, "load"), nodes.ContextReference()])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _fragment(self, block: tuple, key: tuple, context: jinja2.runtime.Context,
                  caller: jinja2.runtime.Macro) -> str:
        depth = -1 if context.get("root_relative_links") else context.get("page_path", "").count("/")
        cache_key = (block, key, depth)
        fragments = self.environment.dateline_fragments  # type: ignore[attr-defined]
        stored = fragments.get(cache_key)
        if stored is None:
            fragment = caller()
            # Kept as UTF-8: one flag emoji makes a str take 4 bytes per character, and a build keeps
            # tens of thousands of fragments (autoescaped ones are Markup, anything else stays as it is).
            fragments[cache_key] = fragment.encode() if isinstance(fragment, Markup) else fragment
            return fragment
        return Markup(stored, "utf-8") if isinstance(stored, bytes) else stored


def _absolute_url(config: SiteConfig):
    def absolute_url(target: str) -> str:
        return config.base_url + target
    return absolute_url


def long_date(value: date | datetime) -> str:
    """"11 September 2025", the same on every machine (strftime's %B follows the locale)."""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


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


def _iso(value: date | datetime) -> str:
    return value.isoformat()


def render_chunk(env: jinja2.Environment, pages: Iterable[Page],
                 write: Callable[[Page, bytes], Written]) -> list[tuple[str, Written] | SourceError]:
    """Render and WRITE each page; return (path, what WRITE returned) per page, or the error of its template.

    After a template's first error its other pages are skipped: one broken template should give one
    message, not one per page. Runs in worker processes too, so it returns errors instead of raising.
    """
    results: list[tuple[str, Written] | SourceError] = []
    broken: set[str] = set()
    for page in pages:
        if page.template in broken:
            continue
        try:
            template = env.get_template(page.template)
            text = template.render(page.context, **page_variables(env, page))
        except jinja2.TemplateNotFound as exc:
            error = SourceError(Path(page.template), f"template {exc.name!r} not found (needed for {page.source}) "
                                                     "in the site's templates/ folder nor in the default theme")
        except jinja2.TemplateSyntaxError as exc:
            error = _syntax_error(exc, page)
        except Exception as exc:  # a template bug: report where it is and keep checking the other templates
            error = _template_error(exc, page)
        else:
            results.append((page.path, write(page, text.encode("utf-8"))))
            continue
        broken.add(page.template)
        results.append(error)
    return results


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
