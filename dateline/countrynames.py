"""Country names in a site's language: pycountry's translations (gettext catalogs of Debian's iso-codes) of the
short name, under the names of data/country_names.yaml where those are formal, inverted or wrong.

Only names change with the language: a country's slug, and so its URL, is always the English one (geo.py), so
links to countries/germany/ keep working whatever language a site is written in (docs/languages.md).
"""

from __future__ import annotations

import gettext
import re
from functools import cache
from pathlib import Path

import yaml
from babel import Locale

_CURATED = Path(__file__).parent / "data" / "country_names.yaml"
_ARABIC_MARKS = re.compile("[\u064b-\u0652\u0670]")  # vowel marks, shadda, sukun: not written in news copy


def country_name(code: str, locale: Locale, english: str) -> str:
    """The country CODE's name in LOCALE's language; ENGLISH (Dateline's own) for English or when no
    translation is known."""
    if locale.language == "en":
        return english
    names = tuple(dict.fromkeys((str(locale), locale.language)))  # pt_BR, then pt
    for name in names:
        curated = _curated().get(name, {}).get(code)
        if curated:
            return curated
    for name in names:
        translated = _translated(code, name)
        if translated:
            return translated
    return english


@cache
def _curated() -> dict[str, dict[str, str]]:
    return yaml.safe_load(_CURATED.read_text(encoding="utf-8"))


@cache
def _catalog(name: str) -> gettext.NullTranslations | None:
    import pycountry

    try:
        return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[name])
    except OSError:  # no catalog for this language
        return None


@cache
def _translated(code: str, name: str) -> str:
    """pycountry's translation of CODE's short name into the language NAME ("" when it has none)."""
    import pycountry

    catalog = _catalog(name)
    record = pycountry.countries.get(alpha_2=code)
    if catalog is None or record is None:
        return ""
    entries = getattr(catalog, "_catalog", {})  # a name the catalog holds may be written as in English
    for source in (getattr(record, "common_name", None), record.name):
        if source and source in entries:
            return _newsroom_form(catalog.gettext(source), name)
    return ""


def _newsroom_form(name: str, language: str) -> str:
    if language.split("_")[0] == "ar":  # no vowel marks; "و" (and) is joined to the word after it
        return _ARABIC_MARKS.sub("", name).replace(" و ", " و")
    return name
