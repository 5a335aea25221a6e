"""Organisations in a run of capitalised words: organisation words, known bodies, acronyms defined in the copy.

"Swiss Bank Corp", "State Department", "Bank of England", "IMF" (the International Monetary Fund),
"Association of Tin Producing Countries (ATPC)"; a legal form is left out when two words remain.
"""

from __future__ import annotations

import re

from dateline.ingest.gazetteer import fold, gazetteer
from dateline.ingest.namewords import CONNECTORS, NameWords, name_key

_ACRONYM_AFTER = re.compile(r"\s*\(([A-Z][A-Za-z&.]{1,9})\)")
_TABLE_LABELS = frozenset({"NOTE", "SHR", "NET", "REVS", "AVG"})  # "NOTE: ..." opens a results table's notes


def split_names(tokens: list[str], vocabulary: NameWords) -> list[list[str]]:
    """Names joined by "and": split after a legal form ("Manufacturers Hanover Corp and Irving Bank") or
    next to a known body ("World Bank and IMF"); "Securities and Exchange Commission" is one name."""
    parts: list[list[str]] = [[]]
    for index, token in enumerate(tokens):
        if token in ("and", "&") and index and (
                tokens[index - 1] in vocabulary.legal_forms
                or known_organisation(parts[-1], vocabulary)
                or known_organisation(_until_joint(tokens[index + 1:]), vocabulary)):
            parts.append([])
        else:
            parts[-1].append(token)
    return [part for part in parts if part] if len(parts) > 1 else [tokens] if tokens else []


def _until_joint(tokens: list[str]) -> list[str]:
    return tokens[:next((i for i, t in enumerate(tokens) if t in ("and", "&")), len(tokens))]


def known_organisation(tokens: list[str], vocabulary: NameWords) -> str | None:
    """A known body named by the whole run, less a leading place ("U.S. Federal Reserve") and a trailing
    legal form; never a part of a longer name ("Industrial Bank of Japan" is not the Bank of Japan)."""
    places = gazetteer()
    start = 0
    while start < len(tokens) - 1 and (fold(tokens[start]) in places.phrases or fold(tokens[start]) in places.demonyms):
        start += 1
    end = len(tokens)
    while end > start + 1 and tokens[end - 1].rstrip(".") in vocabulary.legal_forms:
        end -= 1
    for first in range(0, start + 1):
        name = vocabulary.known.get(name_key(" ".join(tokens[first:end])))
        if name:
            return name
    # a known name of several words opening the run: "Organisation for Economic Co-operation and
    # Development Secretary-General ...", "World Bank President ..."
    for stop in range(end - 1, start + 1, -1):
        name = vocabulary.known.get(name_key(" ".join(tokens[start:stop])))
        if name:
            return name
    return None


def organisation_name(tokens: list[str], after: str | None, vocabulary: NameWords) -> tuple[str, str | None] | None:
    """An organisation's name in TOKENS (and the acronym defined in AFTER, the text right after them), or None."""
    org_words = vocabulary.organisation_words
    acronym_match = _ACRONYM_AFTER.match(after) if after else None
    acronym = acronym_match.group(1) if acronym_match else None
    if acronym and not _initials_match(tokens, acronym):
        acronym = None
    ends = [i for i, t in enumerate(tokens) if t in org_words]
    name: list[str] | None = None
    heads = [i for i in ends if i + 2 < len(tokens) and tokens[i + 1] in ("of", "for", "on")
             and tokens[i + 2][:1].isupper()]
    legal = [i for i in heads if tokens[i] in vocabulary.legal_forms]
    if legal:  # "NEC Corp of Japan", "Electrolux AB of Sweden": the country is not in the name
        tokens = tokens[:legal[0] + 1]
        ends, heads = [i for i in ends if i <= legal[0]], []
    if heads:
        name = tokens  # "Bank of England", "Chicago Board of Trade", "Association of Tin Producing Countries"
    elif ends and ends[-1] >= 1 and tokens[ends[-1] - 1] not in CONNECTORS:
        name = tokens[:ends[-1] + 1]
        trailing = tokens[ends[-1] + 1:]
        if 0 < len(trailing) <= 2 and not any(t in vocabulary.titles or t in vocabulary.given_names
                                              for t in trailing):
            name = tokens  # "Stuarts Department Stores"
    if not name:
        return None
    for joint in ("of", "for"):
        # "Shares of Swiss Bank Corp", "Chairman of General Motors", "Linda Kristiansen of Paine Webber":
        # no organisation word before "of", so the organisation is what follows it
        if joint in name[1:]:
            at = name.index(joint, 1)
            if not any(t in org_words for t in name[:at]):
                name = name[at + 1:]
    name = [*name[:-1], name[-1].rstrip(".")] if name else name
    while len(name) > 2 and name[-1] in vocabulary.legal_forms:
        name = name[:-1]  # "General Motors Corp" -> "General Motors"; "Chrysler Corp" stays
        while name and name[-1] in CONNECTORS:
            name = name[:-1]  # "Morgan Stanley and Co" -> "Morgan Stanley"
    if len(name) < 2 or all(t in org_words or t in CONNECTORS for t in name):
        return None
    if fold(" ".join(name)) in gazetteer().phrases:
        return None  # "Soviet Union", "European Union" is known: a place is the countries' business
    if any(t in _TABLE_LABELS for t in name):
        return None
    return " ".join(name), acronym


def _initials_match(tokens: list[str], acronym: str) -> bool:
    letters = acronym.replace(".", "").replace("&", "").upper()
    initials = "".join(t[0] for t in tokens if t[:1].isupper())
    return len(letters) >= 2 and _is_subsequence(letters, initials) and letters[0] == initials[:1]


def _is_subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(c in letters for c in short)
