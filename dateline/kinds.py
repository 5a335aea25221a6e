"""What a taxonomy's values are, by kind: texts (tags, sources, people...) or countries (ISO 3166-1).

A kind says how a front-matter value is checked and normalised (front_matter.py reads articles with it), which
values are one term (their key) and what that term is called, its URL segment and its code (taxonomy.py
groups with it). `kind: country` in site.yaml is the second row of KINDS, not a branch anywhere else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from dateline.geo import country_by_code, lookup_country
from dateline.text import clean_text, slugify


class BadValue(ValueError):
    """One value of a front-matter list that this kind cannot take; the message says why."""


@dataclass(frozen=True)
class TermKind:
    name: str
    example: str  # a front-matter line for messages, with {field} for the key
    value: Callable[[Any], str]  # one item as written -> the value kept ("" to drop it); raises BadValue
    key: Callable[[str], str]  # a kept value -> the key of its term (values with one key are one term)
    # a term's key and the spellings of its values (how often each) -> (name, URL segment, code)
    describe: Callable[[str, Counter[str]], tuple[str, str, str]]


def _text_value(item: Any) -> str:
    if isinstance(item, (int, float)) and not isinstance(item, bool):
        item = str(item)
    if not isinstance(item, str):
        raise BadValue(f"{item!r} must be text")
    return clean_text(item)


def _text_term(key: str, spellings: Counter[str]) -> tuple[str, str, str]:
    # "Human rights" and "human  Rights" are one term; the page shows the most used spelling.
    return min(spellings, key=lambda s: (-spellings[s], s)), key, ""


def _country_value(item: Any) -> str:
    country = lookup_country(item) if isinstance(item, str) else None
    if country is None:
        raise BadValue(f"unknown country {item!r}: use an ISO 3166-1 code (LT, LTU) or an English name "
                       "(Lithuania)")
    return country.code


def _country_term(code: str, _spellings: Counter[str]) -> tuple[str, str, str]:
    country = country_by_code(code)
    assert country is not None, code  # _country_value only keeps known codes
    return country.name, country.slug, code


TEXT = TermKind("text", "{field}: [elections, human rights]", _text_value, slugify, _text_term)
COUNTRY = TermKind("country", "{field}: [LT, BY] or {field}: [Lithuania, Belarus]", _country_value, str,
                   _country_term)
KINDS = {kind.name: kind for kind in (TEXT, COUNTRY)}


def read_values(kind: TermKind, field: str, value: Any, fail: Callable[[str], Exception]) -> tuple[str, ...]:
    """A front-matter value (a text or a list of them) as KIND's values, one per term, in the order written;
    FAIL(message) makes the error to raise."""
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    if isinstance(value, (dict, bool)):
        items = None
    if items is None:
        raise fail(f"'{field}' must be a text or a list of texts, e.g. {kind.example.format(field=field)}")
    kept: list[str] = []
    keys: set[str] = set()
    for item in items:
        try:
            kept_value = kind.value(item)
        except BadValue as exc:
            raise fail(f"'{field}': {exc}") from None
        if kept_value and kind.key(kept_value) not in keys:
            keys.add(kind.key(kept_value))
            kept.append(kept_value)
    return tuple(kept)
