"""The word lists behind people and organisations: given names, titles, organisation words, known bodies.

Read from data/words.yaml, data/given_names.txt, data/organisations.yaml and data/places.yaml.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from dateline.ingest.gazetteer import fold, gazetteer

DATA = Path(__file__).parent / "data"
# Lower-case words that may sit inside a name when a capitalised word follows ("Bank of England").
CONNECTORS = frozenset("of for and & de da do del der den van von bin al la le du des".split())


@dataclass(frozen=True)
class NameWords:
    given_names: frozenset[str]
    titles: frozenset[str]  # capitalised words ending a title: stripped from the front of a person's name
    surname_titles: frozenset[str]  # titles after which a surname alone is a person ("President Reagan")
    not_in_person_names: frozenset[str]  # "International", "Markets": a company's name, not a person's
    person_cues: frozenset[str]  # lower-case words that do the same ("envoy John Cole")
    organisation_words: frozenset[str]
    legal_forms: frozenset[str]
    known: dict[str, str]  # folded name or acronym of a known organisation -> its canonical name
    not_names: frozenset[str]


@cache
def name_words() -> NameWords:
    data = yaml.safe_load((DATA / "words.yaml").read_text(encoding="utf-8"))
    given = (DATA / "given_names.txt").read_text(encoding="utf-8").split("\n")
    places = gazetteer()
    known: dict[str, str] = {}
    for name, aliases in yaml.safe_load((DATA / "organisations.yaml").read_text(encoding="utf-8")).items():
        for alias in [name, *(aliases or [])]:
            known[name_key(alias)] = name
    places_data = yaml.safe_load((DATA / "places.yaml").read_text(encoding="utf-8"))
    return NameWords(
        # A given name that is also a place ("Georgia", "Jordan") proves nothing on its own.
        given_names=frozenset(n for n in given if n and not n.startswith("#") and fold(n) not in places.phrases),
        titles=frozenset(title.replace(".", "").split()[-1] for title in data["name_titles"]),
        surname_titles=frozenset(data["surname_titles"]),
        not_in_person_names=frozenset(data["not_in_person_names"]) | frozenset(data["organisation_words"])
        | frozenset(places_data["company_words"]),
        person_cues=frozenset(data["person_cues"]),
        organisation_words=frozenset(data["organisation_words"]),
        legal_forms=frozenset(data["legal_forms"]),
        known=known,
        not_names=frozenset(data["not_names"]),
    )


def _key(name: str) -> str:
    return " ".join(name.replace(".", "").split())


def name_key(name: str) -> str:
    """How a known body's name is looked up: dots and spacing do not matter ("U.N." is "UN")."""
    return " ".join(name.replace(".", "").split())


def is_title(tokens: list[str], i: int, vocabulary: NameWords) -> bool:
    """Whether TOKENS[I] ends a title; "General" only in "Attorney General" and the like, not in "General Motors"."""
    word = tokens[i].rstrip(".")
    if word == "General":
        return i > 0 and tokens[i - 1].rstrip("-") in ("Attorney", "Secretary", "Surgeon", "Inspector", "Director")
    return word in vocabulary.titles
