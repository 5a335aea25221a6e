"""The places Dateline knows, per language of copy, and the keys copy's words are looked up by.

The gazetteer: country names and aliases, demonyms, cities and datelines' regions, and the words that only look
like places. The words of copy with their lookup keys: tokenize, fold, phrase_key. Apart from countries.py,
which finds the countries a story names, because the people, organisations and headline readers look names up
in it too.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

import pycountry
import yaml

from dateline.geo import country_aliases, country_by_code, name_key
from dateline.ingest.words import POSSESSIVE

DATA = Path(__file__).parent / "data"
NOT_A_PLACE = ""  # a phrase that contains a place name but is not about the place ("China clay")

# A word: letters, inner apostrophes and full stops ("U.S.", "d'Ivoire", "Ore."). Hyphens split words,
# so "U.S.-Japan" is two places and "Guinea-Bissau" is matched as the phrase "Guinea Bissau".
_TOKEN = re.compile(r"[^\W\d_][\w'’]*(?:\.[^\W\d_][\w'’]*)*\.?")


@lru_cache(maxsize=1 << 17)  # news copy reuses its words: each is folded once per import, not per mention
def fold(text: str) -> str:
    """The lookup key of a place name: geo's folding (case, accents, dots, 'the'), hyphens as spaces."""
    return name_key(text.replace("-", " ").replace("–", " "))


@dataclass(frozen=True)
class Gazetteer:
    phrases: dict[str, str]  # folded phrase -> country code, or NOT_A_PLACE
    demonyms: dict[str, str]  # folded adjective -> code
    dateline_places: dict[str, str]  # folded city, region or AP abbreviation -> code (datelines only)
    display_names: dict[str, str]  # folded city or region -> its name as GeoNames/ISO spell it
    common_words: frozenset[str]  # folded place names that are ordinary words in running text
    company_words: frozenset[str]  # "Corp", "Ltd", "Airlines": a place inside a company's name
    currency_words: frozenset[str]  # "dollar", "franc": "Australian dollar" is a market
    person_names: frozenset[str]
    contextual: dict[str, dict[str, list[str] | str]]  # folded word -> code -> cue words, or "otherwise"
    first_words: dict[str, int]  # folded first word of a name -> the most words a name starting with it has
    country_names: frozenset[str]  # folded names of countries and their institutions, as opposed to cities
    language: str = "en"  # of the copy it reads: its names, demonyms and how demonyms inflect (countries.py)


# Copy in these languages is read with their own country names (pycountry's translations and our
# places_fr_es_de.yaml) on top of the English gazetteer, whose cities and traps still hold.
LANGUAGES = ("en", "fr", "es", "de")
# French elides the article into a place's name: "l'Allemagne", "d'Italie", "qu'Israël".
_ELISION = re.compile(r"^(?:[lLdDsS]|[qQ]u|[jJ]usqu|[lL]orsqu|[pP]uisqu)['’](?=[^\W\d_])")


@cache
def gazetteer(language: str = "en") -> Gazetteer:
    """The places of copy in LANGUAGE (one of LANGUAGES)."""
    if language != "en":
        return _translated(gazetteer(), language)
    places = yaml.safe_load((DATA / "places.yaml").read_text(encoding="utf-8"))
    cities = json.loads((DATA / "cities.json").read_text(encoding="utf-8"))
    for path, sections in ((DATA / "places.yaml", (places["demonyms"], places["places"], places["dateline_regions"])),
                           (DATA / "cities.json", (cities["cities"], cities["regions"]))):
        for section in sections:
            unknown = sorted(code for code in section if country_by_code(code) is None)
            if unknown:
                raise ValueError(f"{path}: unknown country codes {', '.join(unknown)}")

    phrases: dict[str, str] = {}
    for key, code in country_aliases().items():
        # ISO alpha-3 codes ("can", "per", "mar", "ben") are ordinary words and names in running text;
        # wanted abbreviations such as USA and UAE are aliases in dateline/data/countries.yaml.
        if len(key) == 3 and country_by_code(code) and _is_alpha3(key, code):
            continue
        phrases.setdefault(key.replace("-", " "), code)
    for code, names in places["places"].items():
        for name in names:
            phrases.setdefault(fold(name), code)
    country_names = frozenset(phrases)
    display: dict[str, str] = {}
    for code, names in cities["regions"].items():
        for name in names:
            phrases.setdefault(fold(name), code)
            display.setdefault(fold(name), name)
    dateline_places: dict[str, str] = {}
    for code, names in cities["cities"].items():
        for name in names:
            phrases.setdefault(fold(name), code)
            display.setdefault(fold(name), name)
    for name, codes in cities["contested"].items():
        dateline_places.setdefault(fold(name), codes[0])  # the most populous one, as GeoNames ranks them
        display.setdefault(fold(name), name)
        phrases.setdefault(fold(name), NOT_A_PLACE)
    for code, names in places["dateline_regions"].items():
        for name in names:
            dateline_places.setdefault(fold(name), code)
    for name in places["not_places"]:
        phrases[fold(name)] = NOT_A_PLACE
    demonyms = {fold(name): code for code, names in places["demonyms"].items() for name in names}
    contextual = {fold(word): rules for word, rules in places["contextual"].items()}
    return Gazetteer(
        phrases=phrases,
        demonyms=demonyms,
        dateline_places=dateline_places,
        display_names=display,
        common_words=frozenset(fold(w) for w in places["common_words"]),
        company_words=frozenset(places["company_words"]),
        currency_words=frozenset(places["currency_words"]),
        person_names=frozenset(fold(w) for w in places["person_names"]),
        contextual=contextual,
        first_words=_first_words([*phrases, *demonyms, *(f"{d}s" for d in demonyms)]),
        country_names=country_names,
    )


def _translated(english: Gazetteer, language: str) -> Gazetteer:
    """ENGLISH with LANGUAGE's country names, aliases and datelines' cities added (winning over an English
    meaning of the same words), and LANGUAGE's demonyms instead of English ones."""
    import gettext

    catalog = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
    ours = yaml.safe_load((DATA / "places_fr_es_de.yaml").read_text(encoding="utf-8"))[language]
    names: dict[str, str] = {}
    ambiguous: set[str] = set()
    for record in pycountry.countries:
        for attribute in ("name", "common_name", "official_name"):
            iso_name = getattr(record, attribute, None)
            if not iso_name:
                continue
            translated = catalog.gettext(iso_name)
            # "Russie, Fédération de", "Corée, République de": the short name is before the comma.
            for name in {translated, translated.split(", ")[0]}:
                key = phrase_key(name, language)
                if names.get(key, record.alpha_2) != record.alpha_2:
                    ambiguous.add(key)  # "Corée", "Congo": two countries; the full names still count
                names.setdefault(key, record.alpha_2)
    for key in ambiguous:
        del names[key]
    for code, aliases in ours["aliases"].items():
        names.update({phrase_key(alias, language): code for alias in aliases})
    phrases = {**english.phrases, **names}
    for code, cities in ours["cities"].items():
        phrases.update({phrase_key(city, language): code for city in cities})
    # Its own demonyms only: English ones are no help in French copy, and lower case would let "polish" count.
    demonyms = {phrase_key(name, language): code for code, forms in ours["demonyms"].items() for name in forms}
    return dataclasses.replace(
        english, phrases=phrases, demonyms=demonyms, language=language,
        country_names=english.country_names | frozenset(names),
        first_words=_first_words([*phrases, *demonyms, *(f"{d}s" for d in demonyms)]))


def phrase_key(name: str, language: str) -> str:
    """How a name reads in LANGUAGE's tokens: "Côte d'Ivoire" is "cote ivoire" to French."""
    return " ".join(token.key for token in tokenize(name, language))


def _first_words(keys: list[str]) -> dict[str, int]:
    longest: dict[str, int] = {}
    for key in keys:
        words_ = key.split()
        longest[words_[0]] = max(longest.get(words_[0], 0), len(words_))
    return longest


def _is_alpha3(key: str, code: str) -> bool:
    record = pycountry.countries.get(alpha_2=code)
    return record is not None and record.alpha_3.lower() == key


class Token(NamedTuple):
    """A word of copy: where it is, as written, and its lookup key."""

    start: int
    end: int
    text: str  # as written, with a possessive ending: "Britain's"
    bare: str  # without the possessive ending: "Britain"
    key: str  # folded: "britain"


def tokenize(text: str, language: str = "en") -> list[Token]:
    """TEXT's words, read as LANGUAGE writes them (French's elided articles are not part of a name)."""
    found = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        if language == "fr" and ("'" in word or "’" in word):
            elided = _ELISION.match(word)
            if elided:
                word = word[elided.end():]  # the token still starts at "d'": "Côte d'Ivoire" is one run of words
                found.append(Token(match.start(), match.end(), word, word, fold(word)))
                continue
        bare = POSSESSIVE.sub("", word) if "'" in word or "’" in word else word
        found.append(Token(match.start(), match.end(), word, bare, fold(bare)))
    return found
