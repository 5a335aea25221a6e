"""Countries: ISO 3166-1 codes, English short names, slugs, flags, and name lookup."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from dateline.text import slugify

_DATA = Path(__file__).parent / "data" / "countries.yaml"


@dataclass(frozen=True)
class Country:
    code: str  # ISO 3166-1 alpha-2, upper case
    name: str  # English short name as newsrooms write it
    slug: str  # URL segment, from the name: "united-kingdom"

    @property
    def flag(self) -> str:
        return flag_emoji(self.code)


def flag_emoji(code: str) -> str:
    """The flag emoji of an alpha-2 code: two regional indicator symbols ("" for anything else)."""
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        return ""
    return "".join(chr(0x1F1E6 + ord(letter) - ord("A")) for letter in code.upper())


def name_key(name: str) -> str:
    """Fold a country name for lookup: case, accents, dots, a leading 'the' and spacing do not matter."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    folded = folded.replace(".", "").replace("’", "'")
    folded = re.sub(r"^the\s+", "", folded.strip())
    return re.sub(r"\s+", " ", folded)


_saved_tables: tuple[Path, str] | None = None  # where the tables are kept between builds, and under which key


def keep_tables_in(path: Path, key: str) -> None:
    """Keep the tables in PATH under KEY (Dateline's code version, which covers pycountry's and our data):
    making them takes 0.1-0.2 s (pycountry's import, the YAML, every name folded), which an edit's rebuild
    would otherwise spend on reading one article's countries."""
    global _saved_tables
    _saved_tables = (path, key)


@cache
def _tables() -> tuple[dict[str, Country], dict[str, str]]:
    if _saved_tables is not None:
        from dateline.cache import load_keyed, save_keyed

        path, key = _saved_tables
        tables = load_keyed(path, key)
        if tables is None:
            tables = _make_tables()
            try:
                save_keyed(path, key, tables)
            except OSError:  # only the next build's time
                pass
        return tables
    return _make_tables()


def _make_tables() -> tuple[dict[str, Country], dict[str, str]]:
    # imported when first needed: pycountry takes 20 ms to import, needless for a build that reads no article
    import pycountry

    data = yaml.safe_load(_DATA.read_text(encoding="utf-8"))
    display: dict[str, str] = data["display"]
    by_code: dict[str, Country] = {}
    by_name: dict[str, str] = {}
    for record in pycountry.countries:
        code = record.alpha_2
        name = display.get(code) or getattr(record, "common_name", None) or record.name
        by_code[code] = Country(code=code, name=name, slug=slugify(name))
        for variant in (name, record.name, getattr(record, "common_name", None),
                        getattr(record, "official_name", None), record.alpha_3):
            if variant:
                by_name.setdefault(name_key(variant), code)
    for code, aliases in data["aliases"].items():
        if code not in by_code:
            raise ValueError(f"{_DATA}: alias entry for unknown country code {code}")
        for alias in aliases:
            by_name[name_key(alias)] = code
    return by_code, by_name


def country_by_code(code: str) -> Country | None:
    return _tables()[0].get(code.upper())


def lookup_country(text: str) -> Country | None:
    """A country from an ISO alpha-2/alpha-3 code or an English name or alias; None if unknown."""
    by_code, by_name = _tables()
    text = text.strip()
    if len(text) == 2 and text.isascii() and text.isalpha():
        return by_code.get(text.upper())
    code = by_name.get(name_key(text))
    return by_code[code] if code else None


def all_countries() -> list[Country]:
    return sorted(_tables()[0].values(), key=lambda c: c.code)


def country_aliases() -> dict[str, str]:
    """Every folded name and alias we know, mapped to its code (for the importer's detection)."""
    return dict(_tables()[1])
