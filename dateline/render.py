"""Jinja environment (site templates over the default theme) and rendering pages to bytes."""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Iterable
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

import jinja2

from dateline.config import SiteConfig
from dateline.errors import SourceError
from dateline.pages import Page
from dateline.urls import relative_url

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
    )
    env.globals.update(site=_site_globals(config), url=_url, absolute_url=_absolute_url(config))
    env.filters.update(long_date=long_date, iso=_iso, time_hm=lambda d: d.strftime("%H:%M"),
                       month_year=lambda d: f"{MONTHS[d.month - 1]} {d.year}", as_text=as_text)
    return env


def _site_globals(config: SiteConfig) -> dict:
    return {"title": config.title, "description": config.description, "language": config.language,
            "base_url": config.base_url, "base_path": config.base_path, "params": config.params,
            "timezone": config.timezone, "feed_full_content": config.feed.full_content}


@jinja2.pass_context
def _url(context: jinja2.runtime.Context, target: str) -> str:
    """Link to a site path from the page being rendered."""
    if context.get("root_relative_links"):
        return context["site"]["base_path"] + target
    return relative_url(target, context["page_path"])


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
            text = template.render(page.context, page_path=page.path, root_relative_links=page.root_relative_links)
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
