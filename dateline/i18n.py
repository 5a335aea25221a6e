"""A site's language: the theme's strings (gettext catalogs), dates, numbers and country names, text direction.

`language(code, site_dir, strings)` gives everything rendering needs for one language; render.py keeps one per
language a build renders and points templates at the page's. The theme's catalogs are dateline/locales/*.po,
read with Babel when first needed (no compiled .mo files that could drift from them); a site's own
locales/<code>.po and site.yaml's `strings:` override them, string by string (docs/languages.md).
Dates and numbers follow CLDR through Babel, never the machine's locale, so every machine writes the same pages.
Babel's formatting and catalog modules are imported when a page first needs them (config.py imports this one).
"""

from __future__ import annotations

import gettext
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError

from dateline.collation import Collation, collation
from dateline.errors import DatelineError, SourceError
from dateline.layout import SITE_LOCALES

LOCALES_DIR = Path(__file__).parent / "locales"  # the theme's catalogs: <code>.po, and dateline.pot
DOMAIN = "dateline"


def N_(message: str) -> str:
    """Marks a message for the catalogs (pybabel extract) where it is translated later, by its value."""
    return message


def N_plural(singular: str, plural: str) -> tuple[str, str]:
    """Marks a plural message for the catalogs, translated later by its value."""
    return singular, plural


# The default taxonomies' names (config_taxonomies.py, scaffold.py) and the continents of country indexes
# (data/regions.yaml): templates and indexes.py translate them by value, so they are marked here.
TAXONOMY_NAMES = (N_("Countries"), N_("country"), N_("Tags"), N_("tag"), N_("Sources"), N_("source"),
                  N_("People"), N_("person"), N_("Organisations"), N_("organisation"))
# "3 tags": Language.term_count, for the taxonomies config_taxonomies.py and `new` declare.
TERM_COUNTS = (N_plural("%(num)s country", "%(num)s countries"), N_plural("%(num)s tag", "%(num)s tags"),
               N_plural("%(num)s source", "%(num)s sources"), N_plural("%(num)s person", "%(num)s people"),
               N_plural("%(num)s organisation", "%(num)s organisations"))
INDEX_GROUPS = (N_("Other"),)  # indexes.py's group of terms that start with no letter or digit
CONTINENTS = (N_("Africa"), N_("Asia"), N_("Europe"), N_("North America"), N_("South America"), N_("Oceania"),
              N_("Antarctica"), N_("Elsewhere"))


@dataclass(frozen=True)
class Language:
    """What pages in one language are written with. Templates see it as `language` (its `code`, `direction`,
    `rtl`); their _(), ngettext() and date filters use the one of the page being rendered."""

    code: str  # as site.yaml writes it: "fr", "pt-BR", "en-GB"
    locale: Locale
    translations: gettext.NullTranslations
    collation: Collation
    english_forms: bool  # English keeps the theme's own date forms ("11 September 2025", 24-hour times)
    weekdays: tuple[str, ...] = field(default=())  # Monday first
    weekdays_short: tuple[str, ...] = field(default=())
    direction: str = "ltr"  # "rtl" for a language written right to left (CLDR's character order)

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    def gettext(self, message: str) -> str:
        return self.translations.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        return self.translations.ngettext(singular, plural, count)

    def pgettext(self, context: str, message: str) -> str:
        return self.translations.pgettext(context, message)

    def npgettext(self, context: str, singular: str, plural: str, count: int) -> str:
        return self.translations.npgettext(context, singular, plural, count)

    def term_count(self, count: int, singular: str, plural: str) -> str:
        """"1 tag", "2,281 tags", "3 Länder": COUNT terms of a taxonomy whose one term is SINGULAR ("tag")
        and whose terms are PLURAL ("tags"); the catalog's "%(num)s tag" when it has one, else these words."""
        one, many = f"%(num)s {singular}", f"%(num)s {plural}"
        return self.ngettext(one, many, count) % {"num": self.number(count)}

    def and_list(self, items: list[str]) -> str:
        """"tag, country and source", "tag, pays et source"."""
        return self._list(items, "standard", " and ")

    def or_list(self, items: list[str]) -> str:
        return self._list(items, "or", " or ")

    def _list(self, items: list[str], style: str, english: str) -> str:
        if self.english_forms or len(items) < 2:  # the theme's English: no comma before the last one
            return ", ".join(items[:-1]) + english + items[-1] if len(items) > 1 else "".join(items)
        from babel.lists import format_list

        return format_list(items, style, locale=self.locale)

    def noun(self, text: str) -> str:
        """A taxonomy's title inside a sentence: "tags"; German keeps the capital every noun has."""
        return text if self.locale.language in CAPITALISED_NOUNS else text.lower()

    def search_strings(self, filters: list[str]) -> dict:
        """What static/js/search.js shows, in this language, for the search FILTERS (taxonomies' singular
        names): empty when the catalog gives the script's own English."""
        from dateline.searchstrings import search_strings

        return search_strings(self, filters)

    def long_date(self, value: date | datetime) -> str:
        """"11 September 2025", "11 septembre 2025", "11. September 2025"."""
        if self.english_forms:
            return f"{value.day} {_MONTHS[value.month - 1]} {value.year}"
        return _cldr("date", "long", value, self.locale)

    def day_name(self, value: date | datetime) -> str:
        """"Thursday 11 September 2025", "jeudi 11 septembre 2025": a digest's day heading."""
        if self.english_forms:
            return f"{_WEEKDAYS[value.weekday()]} {self.long_date(value)}"
        return _cldr("date", "full", value, self.locale)

    def month_year(self, value: date | datetime) -> str:
        """"September 2025", "septiembre de 2025": the archive's months."""
        if self.english_forms:
            return f"{_MONTHS[value.month - 1]} {value.year}"
        return _cldr("skeleton", "yMMMM", value, self.locale)

    def time_hm(self, value: datetime) -> str:
        if self.english_forms:
            return f"{value.hour:02d}:{value.minute:02d}"
        return _cldr("time", "short", value, self.locale)

    def number(self, value: int) -> str:
        """"2,281", "2 281", "2.281": a count with the locale's digit grouping."""
        if self.english_forms:
            return f"{value:,}"
        return _cldr("number", "", value, self.locale)

    def country_name(self, code: str, english: str) -> str:
        """The country CODE (whose English name is ENGLISH) in this language; English where none is known."""
        from dateline.countrynames import country_name  # reads pycountry's catalogs when first needed

        return country_name(code, self.locale, english)

    def sort_key(self, name: str) -> tuple:
        return self.collation.sort_key(name)


@lru_cache(maxsize=8192)
def _cldr(kind: str, form: str, value: date | datetime | int, locale: Locale) -> str:
    """VALUE written with CLDR's FORM of KIND for LOCALE: a day's date is written on many pages, and Babel
    works out a pattern each time."""
    from babel.dates import format_date, format_skeleton, format_time
    from babel.numbers import format_decimal

    if kind == "date":
        return format_date(value, form, locale=locale)
    if kind == "skeleton":
        return format_skeleton(form, value, locale=locale)
    if kind == "time":
        return format_time(value, form, locale=locale)
    return format_decimal(value, locale=locale)


CAPITALISED_NOUNS = frozenset({"de", "lb"})  # languages that write every noun with a capital
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def parse_locale(code: str) -> Locale:
    """CODE ("fr", "pt-BR", "en_GB") as a CLDR locale; ValueError with what to write for an unknown one."""
    try:
        return Locale.parse(code.replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        raise ValueError(f"unknown language {code!r}: use a language code such as en, fr, es, de, pt, ar or "
                         "pt-BR") from None


@cache
def locale_of(code: str) -> Locale:
    """The CLDR locale of a language code that config.py has checked."""
    return parse_locale(code)


def language(code: str, site_dir: Path | None = None, strings: Mapping[str, str | list[str]] | None = None
             ) -> Language:
    """Everything pages in the language CODE are written with: the theme's catalog, under the site's own
    (SITE_DIR/locales/CODE.po) and under STRINGS (site.yaml's `strings:`, msgid -> text)."""
    try:
        locale = parse_locale(code)
    except ValueError as exc:
        raise DatelineError(SourceError(Path(site_dir or ".") / "site.yaml", str(exc))) from None
    translations = theme_translations(str(locale))
    own = _site_catalog(site_dir, code, locale) if site_dir is not None else None
    if own is not None:
        own.add_fallback(translations)
        translations = own
    if strings:
        overrides = StringOverrides(strings, translations)
        overrides.add_fallback(translations)
        translations = overrides
    if locale.language == "en":  # the theme's own English forms, without loading CLDR's data
        return Language(code=code, locale=locale, translations=translations, collation=collation(locale),
                        english_forms=True, weekdays=_WEEKDAYS, weekdays_short=tuple(w[:3] for w in _WEEKDAYS))
    from babel.dates import get_day_names

    names, short = get_day_names("wide", locale=locale), get_day_names("abbreviated", locale=locale)
    return Language(code=code, locale=locale, translations=translations, collation=collation(locale),
                    english_forms=False, weekdays=tuple(names[day] for day in range(7)),
                    weekdays_short=tuple(short[day] for day in range(7)),
                    direction="rtl" if locale.character_order == "right-to-left" else "ltr")


class StringOverrides(gettext.NullTranslations):
    """site.yaml's `strings:`: msgid -> the text to show, or for a plural message the list of its forms in the
    language's order (as its catalog's Plural-Forms counts them); a missing one falls back to the catalogs."""

    def __init__(self, strings: Mapping[str, str | list[str]], catalog: gettext.NullTranslations) -> None:
        super().__init__()
        self._strings = dict(strings)
        self._catalog = catalog

    def gettext(self, message: str) -> str:
        text = self._strings.get(message)
        if text is None:
            return super().gettext(message)
        return text if isinstance(text, str) else text[0]

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        text = self._strings.get(singular)
        if text is None:
            return super().ngettext(singular, plural, n)
        if isinstance(text, str):
            return text
        index = _plural_index(self._catalog, n)
        return text[min(index, len(text) - 1)]


def _plural_index(translations: gettext.NullTranslations, n: int) -> int:
    while translations is not None:
        plural = getattr(translations, "plural", None)
        if plural is not None:
            return int(plural(n))
        translations = translations._fallback  # type: ignore[attr-defined]
    return 0 if n == 1 else 1


@cache
def theme_translations(locale_name: str) -> gettext.NullTranslations:
    """The theme's catalog for a locale ("pt_BR" falls back to "pt"); English's msgids for a language with none.
    English is the language the theme is written in (en.po translates each string as itself, which
    tests/test_i18n.py checks), so an English site reads no catalog."""
    if locale_name.split("_")[0] == "en":
        return gettext.NullTranslations()
    for name in (locale_name, locale_name.split("_")[0]):
        path = LOCALES_DIR / f"{name}.po"
        if path.is_file():
            return _compiled(path, name)
    return gettext.NullTranslations()


def theme_languages() -> list[str]:
    """The languages the theme has a catalog for."""
    return sorted(path.stem for path in LOCALES_DIR.glob("*.po"))


def site_catalogs(site_dir: Path) -> list[tuple[str, bytes]]:
    """The site's own catalogs (name, text): what, besides site.yaml, words its pages."""
    folder = site_dir / SITE_LOCALES
    return sorted((path.name, path.read_bytes()) for path in folder.glob("*.po")) if folder.is_dir() else []


def _site_catalog(site_dir: Path, code: str, locale: Locale) -> gettext.GNUTranslations | None:
    folder = site_dir / SITE_LOCALES
    for name in dict.fromkeys((code, str(locale), locale.language)):
        path = folder / f"{name}.po"
        if path.is_file():
            return _compiled(path, str(locale))
    return None


_PO_LINE = re.compile(r'(?:(?:msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?)\s+)?"(?:[^"\\]|\\.)*"\s*|#.*|\s*')


def _check_lines(text: str, path: Path) -> None:
    """Babel reads a line with a missing quote as best it can (`msgstr "Le fonds` gives "Le fond"): refuse it,
    with its line, rather than show a string nobody wrote."""
    for number, line in enumerate(text.splitlines(), 1):
        if not _PO_LINE.fullmatch(line):
            raise DatelineError(SourceError(path, "not a valid gettext catalog line: each is a comment, a keyword "
                                                  '(msgid, msgstr...) with a "quoted text", or a "quoted text" '
                                                  "continuing the one before", number))


def _compiled(path: Path, locale_name: str) -> gettext.GNUTranslations:
    """The .po file at PATH, read with Babel and handed to gettext as the .mo it compiles to (in memory)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import PoFileError, read_po

    try:
        data = path.read_bytes()
        _check_lines(data.decode("utf-8"), path)
        catalog = read_po(io.BytesIO(data), locale=locale_name, abort_invalid=True)
    except (PoFileError, UnicodeDecodeError, ValueError) as exc:
        raise DatelineError(SourceError(path, f"not a valid gettext catalog: {exc}")) from None
    mo = io.BytesIO()
    write_mo(mo, catalog, use_fuzzy=False)
    mo.seek(0)
    return gettext.GNUTranslations(mo)
