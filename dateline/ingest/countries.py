"""Which countries a story is about: places named in the copy, weighed by where and how often.

Finding the places a text names (find_places, dateline_country) and choosing those the story is about
(detect_countries); the places themselves, and the keys words are looked up by, are gazetteer.py's.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from dateline.ingest.gazetteer import NOT_A_PLACE, Gazetteer, Token, fold, gazetteer, phrase_key, tokenize
from dateline.ingest.salience import FEATURES, Named, features, is_about
from dateline.ingest.words import sentences, words

_SHORT_CONNECTORS = 3  # lower-case words this short may sit inside a place name ("Isle of Man")
# How a demonym inflects, as (ending, replacement), tried in order: "françaises" -> "francais",
# "francesa" -> "frances", "rusos" -> "ruso", "französischen" -> "franzosisch", "Franzosen" -> "franzose".
_DEMONYM_ENDINGS = {
    "fr": (("nnes", "n"), ("nne", "n"), ("es", ""), ("s", ""), ("e", "")),
    "es": (("os", "o"), ("as", "o"), ("a", "o"), ("es", ""), ("a", ""), ("s", "")),
    "de": (("en", "e"), ("en", ""), ("er", ""), ("es", ""), ("em", ""), ("n", ""), ("e", ""), ("s", "")),
}


@dataclass(frozen=True)
class Mention:
    code: str
    start: int  # character offset in the text scanned
    end: int
    kind: str = "country"  # "country" (a name or alias), "demonym" ("Belarusian") or "place" (a city, a region)


def find_places(text: str, language: str = "en") -> list[Mention]:
    """Every country named in TEXT (written in LANGUAGE, one of LANGUAGES) by name, alias, demonym, region or
    city, in order of appearance."""
    places = gazetteer(language)
    tokens = tokenize(text, language)
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


def _longest_match(text: str, tokens: list[Token], i: int, places: Gazetteer) -> tuple[int, str, str] | None:
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


def _ends_sentence(token: Token) -> bool:
    """Whether the full stop after TOKEN ends a sentence: "Italy." does, "U.S." and "Corp." do not."""
    word = token.text.rstrip(".")
    return "." not in word and word not in words().abbreviations and len(word) > 1


def _capitalised(word: str) -> bool:
    return word[:1].isupper() or word[2:3].isupper() and word[1:2] in "'’"  # "d'Ivoire"


def _is_place_here(text: str, tokens: list[Token], i: int, length: int, key: str, places: Gazetteer) -> bool:
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


def _adjacent(text: str, before: Token, after: Token) -> bool:
    """Two words of one run: only spaces between them, and no full stop ending a sentence."""
    return not text[before.end:after.start].strip() and not (before.text.endswith(".") and _ends_sentence(before))


def _starts_company_name(text: str, tokens: list[Token], after: int, places: Gazetteer) -> bool:
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
        key = fold(name) if language == "en" else phrase_key(name, language)
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
