"""People in a run of capitalised words: a name with a first name, an initial, or a title or role beside it.

"President Donald Trump" -> Donald Trump, "envoy John Cole", "Y. Hojoh", "President Reagan" -> Reagan.
"""

from __future__ import annotations

import re

from dateline.geo import lookup_country
from dateline.ingest.gazetteer import fold, gazetteer
from dateline.ingest.namewords import NameWords, is_title

MAX_PERSON_WORDS = 4
INITIAL = re.compile(r"[A-Z]\.$")
_NAME_PARTICLES = frozenset("de da del der den van von bin al la le du des".split())
# ", chairman of the board": a role word a few words after the name
_ROLE_AFTER = re.compile(r",\s+(?:the\s+|a\s+|an\s+)?(?:[a-z-]+\s+){0,3}?([a-z-]+)\b")


def person_name(tokens: list[str], before: str, after: str, vocabulary: NameWords) -> tuple[list[str], bool] | None:
    """(the name, whether the copy here shows it is a person's: a title, a role word, a given name or an
    initial), or None when it cannot be a person's name. BEFORE is the word right before the run, AFTER
    the text right after it."""
    titled = False
    last_title = max((i for i in range(len(tokens) - 1) if is_title(tokens, i, vocabulary)), default=-1)
    surname_title = last_title >= 0 and tokens[last_title].rstrip(".") in vocabulary.surname_titles
    if last_title >= 0:
        tokens = tokens[last_title + 1:]
        titled = True
    if not tokens or len(tokens) > MAX_PERSON_WORDS:
        return None
    if not titled and before in vocabulary.person_cues:
        titled = True
    role = _ROLE_AFTER.match(after)
    if not titled and role and role.group(1) in vocabulary.person_cues:
        titled = True
    places = gazetteer()
    for index, token in enumerate(tokens):
        bare = token.rstrip(".")
        if INITIAL.match(token) and 0 < index < len(tokens) - 1 or index == 0 and INITIAL.match(token):
            continue
        if token in _NAME_PARTICLES and 0 < index < len(tokens) - 1:
            continue
        if not token[:1].isupper() or token.isupper() or not bare.replace("-", "").replace("'", "") \
                .replace("’", "").isalpha():
            return None  # "AT&T", "NOTE", "UAL": acronyms and tickers are not people
        if bare in vocabulary.not_names or bare in vocabulary.not_in_person_names or bare in vocabulary.titles:
            return None
        key = fold(bare)
        if key in places.demonyms or key.endswith("s") and key[:-1] in places.demonyms or lookup_country(bare):
            return None  # "Lithuanian", "Britons", "Canada"; a city may be a surname ("Peter Bradford")
    if fold(" ".join(tokens)) in places.phrases:
        return None  # "New York", "Hong Kong"
    if len(tokens) == 1:
        return (tokens, True) if surname_title else None
    first = tokens[0]
    if INITIAL.match(tokens[-1]):
        return None
    evidence = titled or first in vocabulary.given_names or bool(INITIAL.match(first)) \
        or any(INITIAL.match(t) for t in tokens[1:-1])
    return tokens, evidence
