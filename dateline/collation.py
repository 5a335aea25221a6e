"""Alphabetical order and index letters per language, from Unicode data alone (no ICU).

Babel has no collator, and PyICU needs the ICU library built for it. Indexes only need what a reader checks
by eye: terms in their alphabet's order, accents and case aside, each under its initial letter. A sort key
here is the name folded (decomposed, combining marks dropped, case folded) with a language's own rules
applied first, then the exact name to break ties. Its limits (docs/languages.md): no second level for
accents ("cote" < "côte" < "coté" is only code-point order), no contractions (old Spanish "ch" and "ll"),
and scripts sort in code-point order, which is their alphabet's for Latin, Greek, Cyrillic, Arabic and Hebrew.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from functools import cached_property

from babel import Locale

LATIN = tuple("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
SPANISH = (*LATIN[:14], "Ñ", *LATIN[14:])
ARABIC = tuple("ابتثجحخدذرزسشصضطظعغفقكلمنهوي")
HEBREW = tuple("אבגדהוזחטיכלמנסעפצקרשת")
AFTER_Z = "\U0010ffff"  # sorts after every letter: Spanish ñ is its own letter, after n


@dataclass(frozen=True)
class Collation:
    language: str
    letters: tuple[str, ...] = LATIN  # the index's jump bar: the alphabet, in order
    # applied before folding, letter -> what it sorts as (its own letter, or another one)
    tailoring: dict[str, str] = field(default_factory=dict)
    articles: tuple[str, ...] = ()  # leading words left out of the order and of the initial (Arabic "ال")

    def _without_article(self, text: str) -> str:
        for article in self.articles:
            if text.startswith(article) and len(text) > len(article):
                return text[len(article):]
        return text

    @cached_property
    def _table(self) -> dict[int, str]:
        return {ord(letter): base for letter, base in {**_LATIN_BASE, **self.tailoring}.items()}

    def _base(self, text: str) -> str:
        """TEXT (case-folded) as it sorts: tailored, then without its accents."""
        if text.isascii():
            return text
        decomposed = unicodedata.normalize("NFKD", text.translate(self._table))
        return "".join(c for c in decomposed if not unicodedata.combining(c))

    def sort_key(self, name: str) -> tuple[str, str]:
        """Alphabetical as this language reads it: accents and case aside, ties by the exact name."""
        return self._base(self._without_article(name.casefold())) or name.casefold(), name

    def initial(self, name: str) -> str:
        """The index letter NAME is listed under: its base letter (Ö under O, Ł under L), a tailored letter
        as itself (Spanish Ñ), "0–9" for digits, "Other" when it has no letter or digit."""
        for character in self._without_article(name.casefold()):
            base = self._base(character)
            if base.endswith(AFTER_Z):
                return character.upper()
            if not base:
                continue
            if base[0].isdigit():
                return "0–9"
            if base[0].isalpha():
                return base[0].upper()
        return "Other"


# Latin letters that Unicode does not decompose into a base letter and a mark, read as that letter.
_LATIN_BASE = {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "ŧ": "t", "æ": "ae", "œ": "oe", "þ": "th",
               "ð": "d"}


def collation(locale: Locale) -> Collation:
    """The collation of LOCALE's language (Latin rules for any language without its own here)."""
    language = locale.language
    if language == "es":  # ñ is a letter of its own, after n
        return Collation("es", SPANISH, {"ñ": "n" + AFTER_Z})
    if language == "ar":  # hamza seats and madda fold to alif (NFKD); the article is not part of the order
        return Collation("ar", ARABIC, {"ى": "ي", "ة": "ه"}, ("ال",))
    if language == "he":
        return Collation("he", HEBREW, {"ך": "כ", "ם": "מ", "ן": "נ", "ף": "פ", "ץ": "צ"})
    return Collation(language)
