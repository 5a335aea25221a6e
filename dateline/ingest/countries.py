"""Which countries a story is about: places named in the copy, weighed by where and how often."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

import pycountry
import yaml

from dateline.geo import country_aliases, country_by_code, name_key
from dateline.ingest.salience import FEATURES, Named, features, is_about
from dateline.ingest.words import POSSESSIVE, sentences, words

DATA = Path(__file__).parent / "data"
NOT_A_PLACE = ""  # a phrase that contains a place name but is not about the place ("China clay")

# A word: letters, inner apostrophes and full stops ("U.S.", "d'Ivoire", "Ore."). Hyphens split words,
# so "U.S.-Japan" is two places and "Guinea-Bissau" is matched as the phrase "Guinea Bissau".
_TOKEN = re.compile(r"[^\W\d_][\w'’]*(?:\.[^\W\d_][\w'’]*)*\.?")
_SHORT_CONNECTORS = 3  # lower-case words this short may sit inside a place name ("Isle of Man")


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
    language: str = "en"  # of the copy it reads: its names, demonyms and how demonyms inflect (see _base_demonym)


# Copy in these languages is read with their own country names (pycountry's translations and our
# places_fr_es_de.yaml) on top of the English gazetteer, whose cities and traps still hold.
LANGUAGES = ("en", "fr", "es", "de")
# How a demonym inflects, as (ending, replacement), tried in order: "françaises" -> "francais",
# "francesa" -> "frances", "rusos" -> "ruso", "französischen" -> "franzosisch", "Franzosen" -> "franzose".
_DEMONYM_ENDINGS = {
    "fr": (("nnes", "n"), ("nne", "n"), ("es", ""), ("s", ""), ("e", "")),
    "es": (("os", "o"), ("as", "o"), ("a", "o"), ("es", ""), ("a", ""), ("s", "")),
    "de": (("en", "e"), ("en", ""), ("er", ""), ("es", ""), ("em", ""), ("n", ""), ("e", ""), ("s", "")),
}
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
                key = _name_key(name, language)
                if names.get(key, record.alpha_2) != record.alpha_2:
                    ambiguous.add(key)  # "Corée", "Congo": two countries; the full names still count
                names.setdefault(key, record.alpha_2)
    for key in ambiguous:
        del names[key]
    for code, aliases in ours["aliases"].items():
        names.update({_name_key(alias, language): code for alias in aliases})
    phrases = {**english.phrases, **names}
    for code, cities in ours["cities"].items():
        phrases.update({_name_key(city, language): code for city in cities})
    # Its own demonyms only: English ones are no help in French copy, and lower case would let "polish" count.
    demonyms = {_name_key(name, language): code for code, forms in ours["demonyms"].items() for name in forms}
    return dataclasses.replace(
        english, phrases=phrases, demonyms=demonyms, language=language,
        country_names=english.country_names | frozenset(names),
        first_words=_first_words([*phrases, *demonyms, *(f"{d}s" for d in demonyms)]))


def _name_key(name: str, language: str) -> str:
    """How a name reads in LANGUAGE's tokens: "Côte d'Ivoire" is "cote ivoire" to French."""
    return " ".join(token.key for token in _tokens(name, language))


def _first_words(keys: list[str]) -> dict[str, int]:
    longest: dict[str, int] = {}
    for key in keys:
        words_ = key.split()
        longest[words_[0]] = max(longest.get(words_[0], 0), len(words_))
    return longest


def _is_alpha3(key: str, code: str) -> bool:
    record = pycountry.countries.get(alpha_2=code)
    return record is not None and record.alpha_3.lower() == key


@dataclass(frozen=True)
class Mention:
    code: str
    start: int  # character offset in the text scanned
    end: int
    kind: str = "country"  # "country" (a name or alias), "demonym" ("Belarusian") or "place" (a city, a region)


class _Token(NamedTuple):
    start: int
    end: int
    text: str  # as written, with a possessive ending: "Britain's"
    bare: str  # without the possessive ending: "Britain"
    key: str  # folded: "britain"


def _tokens(text: str, language: str = "en") -> list[_Token]:
    found = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        if language == "fr" and ("'" in word or "’" in word):
            elided = _ELISION.match(word)
            if elided:
                word = word[elided.end():]  # the token still starts at "d'": "Côte d'Ivoire" is one run of words
                found.append(_Token(match.start(), match.end(), word, word, fold(word)))
                continue
        bare = POSSESSIVE.sub("", word) if "'" in word or "’" in word else word
        found.append(_Token(match.start(), match.end(), word, bare, fold(bare)))
    return found


def find_places(text: str, language: str = "en") -> list[Mention]:
    """Every country named in TEXT (written in LANGUAGE, one of LANGUAGES) by name, alias, demonym, region or
    city, in order of appearance."""
    places = gazetteer(language)
    tokens = _tokens(text, language)
    mentions: list[Mention] = []
    i = 0
    while i < len(tokens):
        matched = _longest_match(text, tokens, i, places)
        if matched is None:
            i += 1
            continue
        length, key, code = matched
        if code and code != NOT_A_PLACE and _is_place_here(text, tokens, i, length, key, places):
            kind = "country" if key in places.country_names else "place" if key in places.phrases else "demonym"
            mentions.append(Mention(_resolve(key, code, text, places), tokens[i].start,
                                    tokens[i + length - 1].end, kind))
        i += length
    return mentions


def _longest_match(text: str, tokens: list[_Token], i: int, places: Gazetteer) -> tuple[int, str, str] | None:
    first = tokens[i].key
    # Most words start no place name: the index of first words says how long a name starting here can be.
    longest = places.first_words.get(first, 0)
    if not longest and places.language == "de" and first.endswith("s"):
        longest = places.first_words.get(first[:-1], 0)  # a genitive: "Deutschlands"
    if not longest and places.language in _DEMONYM_ENDINGS and _base_demonym(first, places):
        longest = 1  # an inflected demonym: "françaises", "alemanes", "deutschen"
    if first == "the" and i + 1 < len(tokens):  # names are folded without "the": "The Hague" is "hague"
        longest = max(longest, places.first_words.get(tokens[i + 1].key, -1) + 1)
    for length in range(min(longest, len(tokens) - i), 0, -1):
        window = tokens[i:i + length]
        # A place name is one run of words: no comma or full stop inside it.
        if any(text[a.end:b.start].strip(" -–") or a.text.endswith(".") and _ends_sentence(a)
               for a, b in zip(window, window[1:], strict=False)):
            continue
        key = " ".join(t.key for t in window)
        if key.startswith("the "):
            key = key[4:]
        code = places.phrases.get(key)
        if code is None and places.language == "de" and key.endswith("s") and key[:-1] in places.phrases:
            key = key[:-1]  # the genitive: "Deutschlands", "Frankreichs"
            code = places.phrases[key]
        demonym = False
        if code is None:
            code = places.demonyms.get(key)
            if code is None and key.endswith("s"):
                code = places.demonyms.get(key[:-1])  # "Lithuanians", "Britons"
            if code is None and places.language in _DEMONYM_ENDINGS:
                code = _base_demonym(key, places)
            demonym = code is not None
        if code is None:
            continue
        words_ = [t.bare for t in window]
        if demonym and places.language in _DEMONYM_ENDINGS:
            return length, key, code  # French, Spanish and German write demonyms in lower case
        if code != NOT_A_PLACE and not all(_capitalised(w) or len(w) <= _SHORT_CONNECTORS for w in words_):
            continue  # case matters: "turkey", "china", "chad" in lower case are not places
        if code != NOT_A_PLACE and not words_[0][:1].isupper():
            continue
        return length, key, code
    return None


def _base_demonym(key: str, places: Gazetteer) -> str | None:
    """The country of an inflected demonym in the gazetteer's language ("allemandes" -> DE), else None."""
    for word in (key, key[:-1]) if key.endswith("s") else (key,):  # "francesas" is "francesa", plural
        for ending, replacement in _DEMONYM_ENDINGS[places.language]:
            if word.endswith(ending) and len(word) > len(ending) + 2:
                code = places.demonyms.get(word[:-len(ending)] + replacement)
                if code:
                    return code
    return None


def _ends_sentence(token: _Token) -> bool:
    """Whether the full stop after TOKEN ends a sentence: "Italy." does, "U.S." and "Corp." do not."""
    word = token.text.rstrip(".")
    return "." not in word and word not in words().abbreviations and len(word) > 1


def _capitalised(word: str) -> bool:
    return word[:1].isupper() or word[2:3].isupper() and word[1:2] in "'’"  # "d'Ivoire"


def _is_place_here(text: str, tokens: list[_Token], i: int, length: int, key: str, places: Gazetteer) -> bool:
    if key in places.common_words or _starts_company_name(text, tokens, i + length, places):
        return False
    after = i + length
    if after < len(tokens) and _adjacent(text, tokens[after - 1], tokens[after]) \
            and tokens[after].text.rstrip(".").lower() in places.currency_words:
        return False
    if key in places.person_names and length == 1:
        # "Michael Jordan", "Jordan Peterson", "Chad Smith", "Peter Bradford": a name when a capitalised
        # word that is neither a place nor a function word stands right beside it.
        not_names = words().not_names
        neighbours = []
        if i > 0 and _adjacent(text, tokens[i - 1], tokens[i]):
            neighbours.append(tokens[i - 1])
        possessive = tokens[i].text != tokens[i].bare
        if i + 1 < len(tokens) and not possessive and _adjacent(text, tokens[i], tokens[i + 1]):
            neighbours.append(tokens[i + 1])
        for token in neighbours:
            word = token.bare.rstrip(".")
            if word[:1].isupper() and word not in not_names and token.key not in places.phrases \
                    and token.key not in places.demonyms:
                return False
    return True


def _adjacent(text: str, before: _Token, after: _Token) -> bool:
    """Two words of one run: only spaces between them, and no full stop ending a sentence."""
    return not text[before.end:after.start].strip() and not (before.text.endswith(".") and _ends_sentence(before))


def _starts_company_name(text: str, tokens: list[_Token], after: int, places: Gazetteer) -> bool:
    """True when the capitalised words right after a place end in a company word ("Swiss Bank Corp").

    Not across a full stop ("... in Italy. Shamrock Capital said"), nor after a possessive: in
    "Britain's Redland Plc" the place is the company's country, named as such.
    """
    if after == 0 or after >= len(tokens) or tokens[after - 1].text != tokens[after - 1].bare:
        return False
    for j in range(after, min(after + 4, len(tokens))):
        gap = text[tokens[j - 1].end:tokens[j].start].strip()
        if gap not in ("", "&", "and") or tokens[j - 1].text.endswith(".") and _ends_sentence(tokens[j - 1]):
            return False
        word = tokens[j].bare.rstrip(".")
        if not word[:1].isupper():
            return False
        if word in places.company_words:
            return True
    return False


def _resolve(key: str, code: str, text: str, places: Gazetteer) -> str:
    """Pick the country of a word whose meaning depends on the rest of the copy ("Georgia")."""
    rules = places.contextual.get(key)
    if not rules:
        return code
    for candidate, cues in rules.items():
        if candidate != "otherwise" and any(re.search(rf"(?<!\w){re.escape(cue)}(?!\w)", text) for cue in cues):
            return candidate
    return str(rules.get("otherwise", code))


def dateline_country(dateline: str | None, language: str = "en") -> str | None:
    """The country of a dateline: 'PORTLAND, Ore.' -> US, 'LONDON, Ont.' -> CA, 'VILNIUS' -> LT."""
    if not dateline:
        return None
    places = gazetteer(language)
    city, _, region = (part.strip() for part in dateline.partition(","))
    for name in (region, city):
        if not name:
            continue
        key = fold(name) if language == "en" else _name_key(name, language)
        code = places.dateline_places.get(key) or places.phrases.get(key)
        if code and code != NOT_A_PLACE:
            return _resolve(key, code, "", places)
    return None


def place_display(name: str) -> str:
    """The usual spelling of a city or region ('Sao Paulo' -> 'São Paulo') when it only adds accents."""
    known = gazetteer().display_names.get(fold(name))
    # GeoNames writes "Kandahār"; newsrooms write "Kandahar": keep the copy's spelling outside Latin-1.
    if known and all(ord(c) <= 0xFF for c in known) and fold(known) == fold(name):
        return known
    return name


@dataclass(frozen=True)
class CountryTiers:
    about: list[str]  # front matter `countries`: what the story is about, most prominent first
    mentioned: list[str]  # `mentioned_countries`: every other country the copy names, in order of appearance


def detect_countries(paragraphs: Sequence[str], dateline: str | None, language: str = "en") -> CountryTiers:
    """ISO codes of the countries a story is about, and of those it only mentions.

    Every country named, and the dateline's, is a candidate; salience.py weighs where and how often
    each is named (dateline, first sentence, lead, count, in a list...). The dateline's country is
    always among those the story is about. LANGUAGE (one of LANGUAGES) is the copy's.
    """
    text = "\n\n".join(paragraphs)
    first_sentence = sentences(paragraphs[0])[0] if paragraphs and paragraphs[0].strip() else ""
    home = dateline_country(dateline, language)
    mentions = find_places(text, language)
    by_code: dict[str, list[Mention]] = {}
    for mention in mentions:
        by_code.setdefault(mention.code, []).append(mention)
    named = [Named(code, tuple(m.start for m in found), tuple(m.end for m in found), tuple(m.kind for m in found))
             for code, found in by_code.items()]
    vectors = features(named, home, text, len(first_sentence), len(paragraphs[0]) if paragraphs else 0)
    about = [code for code, vector in vectors.items() if code == home or is_about(vector)]
    first_seen = {code: found[0].start for code, found in by_code.items()}
    if home:
        first_seen.setdefault(home, -1)
    in_lead = {code for code, vector in vectors.items() if vector[FEATURES.index("first_sentence")]}

    def prominence(code: str) -> tuple[int, int]:
        return -(len(by_code.get(code, ())) + 2 * (code in in_lead) + (code == home)), first_seen[code]

    mentioned = sorted((code for code in by_code if code not in about), key=lambda code: first_seen[code])
    return CountryTiers(sorted(about, key=prominence), mentioned)
