"""A taxonomy's index page, laid out here so that templates only show it: the most used terms first, then every
term A to Z (a `kind: country` taxonomy: by continent), the least used folded onto a page per letter. One code
path for every taxonomy a site declares: an index stays small at 2,000 terms and plain at 20."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import yaml
from babel import Locale

from dateline.collation import LATIN, Collation, collation
from dateline.i18n import locale_of
from dateline.model import Taxonomy
from dateline.text import slugify
from dateline.views import TermView
from dateline.yamlutil import SafeLoader

FEW_TERMS = 30  # an index of at most this many terms is one A-Z list, with no "most used" list
TOP_TERMS = 20  # the "most used" list of a larger index
LISTED_TERMS = 350  # at most this many terms in an index's A-Z groups: the least used are on the letters' pages
LETTERS = LATIN
ENGLISH = collation(Locale("en"))
_REGIONS = Path(__file__).parent / "data" / "regions.yaml"


@dataclass(frozen=True)
class TermGroup:
    """A letter's terms (or a continent's countries) as an index lists them, A to Z."""

    key: str  # for anchors and URLs: "a", "0-9", "other", "europe"
    label: str  # "A", "0–9", "Other", "Europe"
    terms: tuple[TermView, ...]  # the ones the index lists
    folded: int = 0  # the group's terms left off the index (used no more than TermIndex.rare times)
    url: str = ""  # the page listing all of the group's terms ("tags/a-z/a/"), "" when the index lists them all


@dataclass(frozen=True)
class JumpLink:
    label: str
    key: str  # the group's key; "" for a letter with no terms (shown, not linked)
    url: str = ""  # the group's own page, when it has one


@dataclass(frozen=True)
class TermIndex:
    total: int  # terms of the taxonomy
    top: tuple[TermView, ...]  # the most used, most used first (every country, for countries)
    groups: tuple[TermGroup, ...]  # A to Z, or continents
    jump: tuple[JumpLink, ...]  # the jump bar over the groups
    rare: int  # terms used this many times or fewer are folded onto the groups' pages (0: none are)
    by_region: bool  # groups are continents
    pages: tuple[TermGroup, ...] = ()  # when terms are folded: each group whole, for its own page


def term_index(taxonomy: Taxonomy, terms: list[TermView], language: str = "en") -> TermIndex:
    """The index of TAXONOMY's TERMS (term_views, named in LANGUAGE, a code), in that language's order."""
    order = collation(locale_of(language))
    ranked = sorted(terms, key=lambda t: (-t.count, order.sort_key(t.name)))
    if taxonomy.config.kind == "country":
        groups = _by_region(terms, order)
        return TermIndex(len(terms), tuple(ranked), groups, tuple(JumpLink(g.label, g.key) for g in groups),
                         0, True)
    rare = _rare(terms)
    top = tuple(t for t in ranked[:TOP_TERMS] if t.count > 1) if len(terms) > FEW_TERMS else ()
    letters = [replace(group, url=letter_url(taxonomy, group.key) if rare else "")
               for group in by_letter(terms, order)]
    groups = tuple(replace(group, terms=tuple(t for t in group.terms if t.count > rare),
                           folded=sum(1 for t in group.terms if t.count <= rare)) for group in letters)
    present = {g.label: g for g in groups}
    jump = [JumpLink(letter, present[letter].key, present[letter].url) if letter in present else JumpLink(letter, "")
            for letter in order.letters]
    jump += [JumpLink(g.label, g.key, g.url) for g in groups if g.label not in order.letters]
    return TermIndex(len(terms), top, groups, tuple(jump), rare, False, tuple(letters) if rare else ())


def by_letter(terms: list[TermView], order: Collation = ENGLISH) -> list[TermGroup]:
    """TERMS grouped by their first letter, accents aside (Ö under O), the groups and their terms in ORDER's
    alphabet; digits are one group, other scripts' letters each their own, anything else "Other"."""
    groups: dict[str, list[TermView]] = defaultdict(list)
    for term in sorted(terms, key=lambda t: order.sort_key(t.name)):
        groups[order.initial(term.name)].append(term)
    alphabet = {letter: position for position, letter in enumerate(order.letters)}

    def group_order(label: str) -> tuple[int, int, str]:
        if label in alphabet:
            return (0, alphabet[label], label)
        return (1 if label == "0–9" else 3 if label == "Other" else 2, 0, label)

    return [TermGroup(_group_key(label), label, tuple(groups[label])) for label in sorted(groups, key=group_order)]


def letter_url(taxonomy: Taxonomy, key: str) -> str:
    return f"{taxonomy.name}/a-z/{key}/"


def sort_key(name: str) -> tuple[str, str]:
    """A to Z as English readers expect it: accents and case aside ("Åland" with the A's), ties by the name."""
    return ENGLISH.sort_key(name)


def _group_key(label: str) -> str:
    return "0-9" if label == "0–9" else slugify(label)


def _rare(terms: list[TermView]) -> int:
    """The smallest use count such that the terms used more often than that number at most LISTED_TERMS: the
    others are folded away (0 when the index can list every term)."""
    if len(terms) <= LISTED_TERMS:
        return 0
    uses = sorted((t.count for t in terms), reverse=True)
    return uses[LISTED_TERMS]  # the listed ones are used more often than the first left out


def _by_region(terms: list[TermView], order: Collation) -> tuple[TermGroup, ...]:
    continents, continent_of = _regions()
    groups: dict[str, list[TermView]] = defaultdict(list)
    for term in sorted(terms, key=lambda t: order.sort_key(t.name)):
        groups[continent_of.get(term.code, "")].append(term)
    named = [(code, name) for code, name in continents.items() if groups.get(code)]
    if groups.get(""):  # a code GeoNames does not place (none today): still listed
        named.append(("", "Elsewhere"))
    return tuple(TermGroup(slugify(name), name, tuple(groups[code])) for code, name in named)


@cache
def _regions() -> tuple[dict[str, str], dict[str, str]]:
    """Continents by code (in the index's order) and each country's continent code (data/regions.yaml)."""
    data = yaml.load(_REGIONS.read_text(encoding="utf-8"), Loader=SafeLoader)  # libyaml's when present
    return data["continents"], data["countries"]
