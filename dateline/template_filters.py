"""The filters Dateline adds to Jinja's (iso, utc_offset, as_text, news_article_json), and fast versions of two
of Jinja's own (tojson, replace) for the calls every page makes.

Apart from render.py: they are plain functions of their values, read on every page; the environment only
installs them.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from json.encoder import encode_basestring_ascii

import jinja2
from markupsafe import Markup

from dateline.config import SiteConfig
from dateline.environment import BuildEnvironment
from dateline.newsmeta import news_article_data
from dateline.views import ArticleView


def install_filters(env: BuildEnvironment, config: SiteConfig) -> None:
    env.filters.update(iso=iso, utc_offset=utc_offset, as_text=as_text, tojson=tojson, replace=replace,
                       news_article_json=news_article_json_filter(config, env))


def news_article_json_filter(config: SiteConfig, env: BuildEnvironment):
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
def tojson(eval_ctx: jinja2.nodes.EvalContext, value: object, indent: int | None = None) -> Markup:
    """Jinja's tojson, fast for its common use, one string (JSON-LD and JSON feeds pass it every value).

    For a string json.dumps is encode_basestring_ascii; the replacements are htmlsafe_json_dumps's.
    """
    if isinstance(value, str) and indent is None:
        return Markup(encode_basestring_ascii(value).replace("<", "\\u003c").replace(">", "\\u003e")
                      .replace("&", "\\u0026").replace("'", "\\u0027"))
    return jinja2.filters.do_tojson(eval_ctx, value, indent)


@jinja2.pass_eval_context
def replace(eval_ctx: jinja2.nodes.EvalContext, value: object, old: object, new: object,
            count: int | None = None) -> str:
    """Jinja's replace, without its questions for the common case of three plain strings (a page path, 3 per
    page), where it comes to str.replace too."""
    if type(value) is str and type(old) is str and type(new) is str:
        return value.replace(old, new, -1 if count is None else count)
    return jinja2.filters.do_replace(eval_ctx, value, old, new, count)  # type: ignore[arg-type]


def iso(value: date | datetime) -> str:
    return value.isoformat()

