"""The importer's word lists (data/words.yaml) and sentence splitting that knows newsroom abbreviations."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data"


@dataclass(frozen=True)
class Words:
    abbreviations: frozenset[str]
    not_names: frozenset[str]
    time_phrases: tuple[str, ...]


@cache
def words() -> Words:
    data = yaml.safe_load((DATA / "words.yaml").read_text(encoding="utf-8"))
    by_length = lambda items: tuple(sorted(set(items), key=lambda s: (-len(s.split()), -len(s), s)))  # noqa: E731
    return Words(
        abbreviations=frozenset(data["abbreviations"]),
        not_names=frozenset(data["not_names"]),
        time_phrases=by_length(data["time_phrases"]),
    )


# "Trump's", "Hong Kong's", "Reuters'": the owner's name without the possessive ending.
POSSESSIVE = re.compile(r"['’]s?$")
_BOUNDARY = re.compile(r"[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9À-Þ])")


def sentences(paragraph: str) -> list[str]:
    """Split a paragraph into sentences; "Mr. Smith", "U.S. officials", "J. Smith" and "L.K. Evans" do not end one."""
    known = words().abbreviations
    found, start = [], 0
    for boundary in _BOUNDARY.finditer(paragraph):
        before = paragraph[start:boundary.start()].rsplit(None, 1)
        last_word = before[-1] if before else ""
        if paragraph[boundary.start()] == "." and (last_word.lstrip("(\"'“‘") in known
                                                   or re.fullmatch(r"\W*(?:[A-Z]\.)*[A-Z]", last_word)):
            continue
        found.append(paragraph[start:boundary.end()].strip())
        start = boundary.end()
    rest = paragraph[start:].strip()
    if rest:
        found.append(rest)
    return found


# "<UN.A>", "<F>", "<BLDS ST>": stock symbols after a company's name; "<Ralph Andrews Productions>":
# Reuters' mark for an unlisted company, whose name stays.
_SYMBOL = re.compile(r"\s*<[A-Z0-9][A-Z0-9.\-/&= ]{0,14}>")
_UNLISTED = re.compile(r"<([^<>]{1,80})>")


def strip_symbols(text: str, *, mark: str = "") -> str:
    """TEXT without stock symbols (MARK where each was); the names of unlisted companies without their
    angle brackets."""
    return _UNLISTED.sub(r"\1", _SYMBOL.sub(f" {mark}" if mark else "", text))
