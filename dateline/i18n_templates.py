"""Templates in the page's language: Jinja's gettext functions, the language's filters and `language`.

Each build's Environment keeps one Language per language it renders (i18n.language, made when first needed)
and the one of the page being rendered (render_page enters it from the page's data): the functions and
filters installed here read that one, so they work alike in a page's template and in macros imported without
context. Arguments of _() and ngettext() are escaped (Jinja's newstyle gettext under autoescape).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import jinja2
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup, escape

from dateline.config import SiteConfig
from dateline.environment import escape_output
from dateline.i18n import Language, language


class _Languages:
    """The Language of each code pages are rendered in, made when first needed: the site's strings
    (site.yaml's `strings:`, its locales/ catalogs) apply to every language it renders."""

    def __init__(self, site_dir: Path, config: SiteConfig) -> None:
        self.site_dir = site_dir
        self.strings = config.strings
        self.made: dict[str, Language] = {}

    def get(self, code: str) -> Language:
        found = self.made.get(code)
        if found is None:
            found = self.made[code] = language(code, self.site_dir, self.strings)
        return found


def install_languages(env: jinja2.Environment, site_dir: Path, config: SiteConfig) -> None:
    """Give ENV's templates _(), gettext(), ngettext(), pgettext(), the language's filters and functions, all
    in the language of the page being rendered (the site's until a page says otherwise)."""
    languages = _Languages(site_dir, config)
    default = languages.get(config.language)
    env.extend(dateline_languages=languages, dateline_default_language=default,  # type: ignore[attr-defined]
               dateline_language=[default])
    current = env.dateline_language  # type: ignore[attr-defined]
    env.newstyle_gettext = True  # type: ignore[attr-defined]  # {% trans %} calls gettext(msgid, **variables)
    functions = _gettext_functions(current)
    env.globals.update(functions, _=functions["gettext"])
    env.globals.update(term_count=lambda count, singular, plural: current[0].term_count(count, singular, plural),
                       link=_link, search_strings=lambda filters: _data_strings(current[0].search_strings(filters)))
    env.filters.update(long_date=lambda value: current[0].long_date(value),
                       day_name=lambda value: current[0].day_name(value),
                       month_year=lambda value: current[0].month_year(value),
                       time_hm=lambda value: current[0].time_hm(value),
                       thousands=lambda value: current[0].number(value),
                       translate=lambda message: current[0].gettext(message),
                       and_list=lambda items: _list_markup(current[0].and_list, items),
                       or_list=lambda items: _list_markup(current[0].or_list, items),
                       noun=lambda text: current[0].noun(text))


def _gettext_functions(current: list[Language]) -> dict[str, Callable[..., str]]:
    """Jinja's newstyle gettext functions (the translation is Markup under autoescape, then formatted with the
    escaped VARIABLES), in the current language; called directly, not through Jinja's wrappers, which go
    through the template context twice per call, 30 times per page."""
    def shown(eval_ctx: EvalContext, text: str, variables: dict) -> str:
        if "%" not in text:  # formatting changes nothing
            return Markup(text) if eval_ctx.autoescape else text
        if not eval_ctx.autoescape:
            return text % variables
        names = _named_fields(text)
        if names is None:
            return Markup(text) % variables
        # what Markup's % gives (each value escaped as markupsafe.escape does), without its Python-level helpers
        return str.__new__(Markup, str.__mod__(text, {name: escape_output(variables[name]) for name in names}))

    markup: dict[tuple[str, str], Markup] = {}  # (language, message) -> what _(message) shows, for most calls

    @pass_eval_context
    def gettext(eval_ctx: EvalContext, message: str, **variables: object) -> str:
        if variables or not eval_ctx.autoescape:
            return shown(eval_ctx, current[0].gettext(message), variables)
        key = (current[0].code, message)
        found = markup.get(key)
        if found is None:
            found = markup[key] = shown(eval_ctx, current[0].gettext(message), variables)
        return found

    @pass_eval_context
    def ngettext(eval_ctx: EvalContext, singular: str, plural: str, count: int, **variables: object) -> str:
        variables.setdefault("num", count)
        return shown(eval_ctx, current[0].ngettext(singular, plural, count), variables)

    @pass_eval_context
    def pgettext(eval_ctx: EvalContext, context: str, message: str, **variables: object) -> str:
        return shown(eval_ctx, current[0].pgettext(context, message), variables)

    @pass_eval_context
    def npgettext(eval_ctx: EvalContext, context: str, singular: str, plural: str, count: int,
                  **variables: object) -> str:
        variables.setdefault("num", count)
        return shown(eval_ctx, current[0].npgettext(context, singular, plural, count), variables)

    return {"gettext": gettext, "ngettext": ngettext, "pgettext": pgettext, "npgettext": npgettext}


_FIELD = re.compile(r"%(?:\((\w+)\)s|%)|(%)")  # %(name)s or %%, and any other use of % (caught by the second group)


@functools.lru_cache(maxsize=1024)
def _named_fields(text: str) -> tuple[str, ...] | None:
    """The names of TEXT's %(name)s fields, or None if it has another kind of % field (%(n)d, %s...), which
    Markup's own % handles."""
    names = []
    for name, other in _FIELD.findall(text):
        if other:
            return None
        if name:
            names.append(name)
    return tuple(names)


def enter_language(env: jinja2.Environment, code: str | None) -> Language:
    """Make the language CODE (None: the site's) the one templates write in, until the next page; return it."""
    current = env.dateline_language  # type: ignore[attr-defined]
    if code is None:
        current[0] = env.dateline_default_language  # type: ignore[attr-defined]
    elif code != current[0].code:
        current[0] = env.dateline_languages.get(code)  # type: ignore[attr-defined]
    return current[0]


def language_shown(env: jinja2.Environment) -> str | None:
    """The code of the language templates write in now, None when it is the site's."""
    shown = env.dateline_language[0]  # type: ignore[attr-defined]
    return None if shown is env.dateline_default_language else shown.code  # type: ignore[attr-defined]


def _link(href: str, text: str) -> Markup:
    return Markup('<a href="{}">{}</a>').format(href, text)


def _list_markup(join: Callable[[list[str]], str], items: Iterable[str]) -> Markup:
    """ITEMS (text or Markup) as one phrase, each escaped unless it is Markup already."""
    return Markup(join([str(escape(item)) for item in items]))


def _data_strings(strings: dict) -> Markup:
    """The attribute handing the search script its strings in the page's language; none for English, whose
    strings the script carries."""
    if not strings:
        return Markup("")
    return Markup(' data-strings="{}"').format(json.dumps(strings, ensure_ascii=False, sort_keys=True))
