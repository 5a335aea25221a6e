"""People and organisations a story names, for the `people:` and `organisations:` front matter keys.

Precision first: a name is kept only on positive evidence.
- A person is a run of capitalised words with a first name (a common given name, or an initial:
  "Y. Hojoh") or a title or role beside it ("President Donald Trump", "envoy John Cole"); titles are
  stripped. A surname alone ("Nauseda") counts towards the full name it belongs to.
- An organisation ends in an organisation word ("Swiss Bank Corp", "State Department"), starts with
  one followed by "of"/"for" ("Bank of England"), is a known international body (data/organisations.yaml),
  or is defined with its acronym in the copy ("Association of Tin Producing Countries (ATPC)").
Never: month or weekday phrases, table labels, single capitalised words at a sentence start, tickers,
a name with its job title.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

from dateline.geo import lookup_country
from dateline.ingest.countries import fold, gazetteer
from dateline.ingest.verbs import lexicon
from dateline.ingest.words import POSSESSIVE, sentences, strip_symbols, words

DATA = Path(__file__).parent / "data"
MAX_PERSON_WORDS = 4
_WORD = re.compile(r"[^\W_][\w'’&.-]*")
_CONNECTORS = frozenset("of for and & de da do del der den van von bin al la le du des".split())
_NAME_PARTICLES = frozenset("de da del der den van von bin al la le du des".split())
_INITIAL = re.compile(r"[A-Z]\.$")
_MONTHS = frozenset("January February March April May June July August September October November December".split())
# Reuters marks a company without a stock symbol as <Name>: a name of its own, and a boundary.
_UNLISTED = re.compile(r"<([A-Z0-9][^<>=\"]{0,60}[a-z][^<>=\"]{0,60})>")
_ACRONYM_AFTER = re.compile(r"\s*\(([A-Z][A-Za-z&.]{1,9})\)")
_ROLE_AFTER = re.compile(r",\s+(?:the\s+|a\s+|an\s+)?(?:[a-z-]+\s+){0,3}?([a-z-]+)\b")


@dataclass(frozen=True)
class Entities:
    people: list[str]
    organisations: list[str]


@dataclass(frozen=True)
class EntityWords:
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
def entity_words() -> EntityWords:
    data = yaml.safe_load((DATA / "words.yaml").read_text(encoding="utf-8"))
    given = (DATA / "given_names.txt").read_text(encoding="utf-8").split("\n")
    places = gazetteer()
    known: dict[str, str] = {}
    for name, aliases in yaml.safe_load((DATA / "organisations.yaml").read_text(encoding="utf-8")).items():
        for alias in [name, *(aliases or [])]:
            known[_key(alias)] = name
    places_data = yaml.safe_load((DATA / "places.yaml").read_text(encoding="utf-8"))
    return EntityWords(
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


@dataclass
class _Tally:
    spelling: str
    count: int
    first: int
    aliases: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class _Run:
    words: tuple[str, ...]
    opens_sentence: bool
    before: str  # the word right before the run, "" after punctuation or at the start
    after: str  # the text right after the run
    position: int


def find_entities(paragraphs: Sequence[str]) -> Entities:
    """The people and organisations named in prose paragraphs, most mentioned first."""
    vocabulary = entity_words()
    people = _People()
    organisations: dict[str, _Tally] = {}
    capitalised_words: list[str] = []
    position = 0
    for paragraph in paragraphs:
        unlisted_names = set()
        for unlisted in _UNLISTED.finditer(paragraph):
            name = unlisted.group(1).split()
            unlisted_names.add(tuple(name))
            while len(name) > 2 and name[-1].rstrip(".") in vocabulary.legal_forms:
                name = name[:-1]
            if fold(" ".join(name)) not in gazetteer().phrases:
                _add(organisations, " ".join(name), position)
        # A symbol's place stays a break ("Nippon Kokan KK <NKKT.T> and Kawasaki Steel" is two names), and
        # so do the brackets of an unlisted company ("<State Insurance> and <Government Life Office>").
        paragraph = _UNLISTED.sub(r"| \1 |", paragraph)
        for sentence in sentences(strip_symbols(paragraph, mark="|")):
            for run in _runs(sentence, position):
                position = run.position
                capitalised_words.extend(w for w in run.words if w[:1].isupper())
                lone = [w for w in run.words if w not in vocabulary.not_names]
                if len(lone) == 1:
                    people.lone_words.append(lone[0])
                if run.words not in unlisted_names:  # counted above
                    _read_run(run, vocabulary, people, organisations)
            position += 1
    people.resolve()
    _count_acronyms(organisations, capitalised_words)
    return Entities(_ranked(people.tallies), _ranked(organisations))


@dataclass
class _People:
    """People found so far, and the mentions that only the whole copy can settle."""

    tallies: dict[str, _Tally] = field(default_factory=dict)
    surnames: list[tuple[str, int]] = field(default_factory=list)  # "President Reagan": a titled lone surname
    unconfirmed: list[tuple[str, int]] = field(default_factory=list)  # "Gitanas Nauseda" without a title yet
    lone_words: list[str] = field(default_factory=list)  # "Nauseda smiled": a capitalised word on its own

    def add(self, name: list[str], position: int, *, confirmed: bool) -> None:
        if len(name) == 1:
            self.surnames.append((name[0], position))
        elif confirmed:
            _add(self.tallies, " ".join(name), position)
        else:
            self.unconfirmed.append((" ".join(name), position))

    def resolve(self) -> None:
        """"Gitanas Nauseda" is a person once "President Nauseda" is; "Nauseda" alone then counts
        for him; "President Reagan" with no full name is "Reagan"."""
        titled = {word.casefold() for word, _ in self.surnames}
        for name, position in self.unconfirmed:
            if name.split()[-1].casefold() in titled or name.casefold() in self.tallies:
                _add(self.tallies, name, position)
        by_surname: dict[str, list[str]] = {}
        for key, tally in self.tallies.items():
            by_surname.setdefault(tally.spelling.split()[-1].casefold(), []).append(key)
        for word in self.lone_words:
            owners = by_surname.get(word.casefold(), [])
            if len(owners) == 1:
                self.tallies[owners[0]].count += 1
        for word, position in self.surnames:
            owners = by_surname.get(word.casefold(), [])
            if len(owners) == 1:
                self.tallies[owners[0]].count += 1
            elif not owners:
                _add(self.tallies, word, position)
                by_surname[word.casefold()] = [word.casefold()]


def _runs(sentence: str, position: int) -> list[_Run]:
    """Runs of capitalised words (connectors inside), broken by punctuation and possessives."""
    abbreviations = words().abbreviations
    runs: list[_Run] = []
    current: list[str] = []
    start_index = start = end = 0
    before = ""
    previous = ""
    matches = list(_WORD.finditer(sentence))

    def close(at: int) -> None:
        nonlocal current
        while current and current[-1] in _CONNECTORS:
            current.pop()
        if current:
            position_ = position + start_index
            runs.append(_Run(tuple(current), start_index == 0, before, sentence[at:at + 80], position_))
        current = []

    for index, match in enumerate(matches):
        word, closes = match.group(), False
        if current and sentence[end:match.start()] != " ":
            close(end)
        if word.endswith(".") and word[:-1] not in abbreviations and not re.fullmatch(r"(?:[A-Z]\.)+", word) \
                and not _INITIAL.match(word):
            word, closes = word.rstrip("."), True  # the sentence's full stop, not "Mr." or "U.S."
        if POSSESSIVE.search(word) and len(word) > 2:  # not "O'" of "Chock Full O' Nuts"
            following = matches[index + 1].group() if index + 1 < len(matches) else ""
            owner = POSSESSIVE.sub("", word)
            opens_run = all(w in words().not_names for w in current)  # "The People's Construction Bank"
            if not opens_run or not following[:1].isupper() or sentence[match.end():match.end() + 1] != " " \
                    or fold(owner) in gazetteer().phrases or fold(owner) in gazetteer().demonyms \
                    or owner in words().not_names:  # "October's meeting"
                word, closes = owner, True  # "Trump's personal involvement", "Britain's Redland Plc"
            # else a name of its own: "Moody's Investors Service", "People's Construction Bank of China"
        if word[:1].isupper():
            if not current:
                start_index, start = index, match.start()
                gap = sentence[end:match.start()] if index else ""
                before = previous if index and gap in (" ", ", ") else ""  # "its governor, Robin Leigh-Pemberton"
            current.append(word)
        elif word in _CONNECTORS and current:
            current.append(word)
        else:
            closes = True
        end = match.end()
        previous = word.lower()
        if closes:
            close(end)
    close(end)
    del start
    return runs


def _read_run(run: _Run, vocabulary: EntityWords, people: _People, organisations: dict[str, _Tally]) -> None:
    tokens = list(run.words)
    if run.opens_sentence and tokens and _is_verb_form(tokens[0]):
        tokens = tokens[1:]  # "Aiding Royal Trust ...": capitalised because it opens the sentence
    month_first = tokens[:1] == list(run.words[:1]) and tokens[0] in _MONTHS and len(tokens) >= 3 \
        and tokens[-1].rstrip(".") in vocabulary.organisation_words  # "May Department Stores Co"
    while tokens and not month_first and (tokens[0] in vocabulary.not_names or tokens[0] in _CONNECTORS
                                          or re.search(r"-[a-z]+$", tokens[0])):  # "London-based Reed"
        tokens = tokens[1:]
    while tokens and re.fullmatch(r"[A-Z]\.?", tokens[-1]):
        tokens.pop()  # "East Asiatic Company Ltd A": a share class
    if not tokens:
        return
    # "World Bank President Barber Conable", "Federal Reserve Board Chairman Paul Volcker": an
    # organisation, a title, a person. Each part is read on its own.
    title = max((i for i in range(len(tokens) - 1) if _is_title(tokens, i, vocabulary)), default=-1)
    before_title = tokens[:title] if title > 0 else tokens
    while before_title and before_title[-1] in _CONNECTORS:
        before_title = before_title[:-1]  # "Letter Carriers Union of Canada President ..." keeps its "of"
    if title >= 0:
        after = tokens[title + 1:]
        joint = next((i for i, t in enumerate(after) if t in ("of", "for", "and", "&")), len(after))
        person = _person(tokens[:title + 1 + joint], run, vocabulary)
        if person is not None:
            people.add(person[0], run.position, confirmed=person[1])
        rest = after[joint + 1:]  # "Dr. William West of Biotherapeutics Inc"
        if rest and after[joint] == "of":
            known = _known_organisation(rest, vocabulary)
            organisation = (known, None) if known else _organisation(rest, None, vocabulary)
            if organisation:
                _add(organisations, organisation[0], run.position)
    found = False
    parts = _split_names(before_title, vocabulary)
    for index, part in enumerate(parts):
        known = _known_organisation(part, vocabulary)
        acronym_run = run if title < 0 and index == len(parts) - 1 else None  # "(ATPC)" follows the last part
        organisation = (known, None) if known else _organisation(part, acronym_run, vocabulary)
        if organisation:
            _add(organisations, organisation[0], run.position, alias=organisation[1])
            found = True
    if found:
        return
    if title < 0:
        person = _person(tokens, run, vocabulary)
        if person is not None:
            people.add(person[0], run.position, confirmed=person[1])


def _split_names(tokens: list[str], vocabulary: EntityWords) -> list[list[str]]:
    """Names joined by "and": split after a legal form ("Manufacturers Hanover Corp and Irving Bank") or
    next to a known body ("World Bank and IMF"); "Securities and Exchange Commission" is one name."""
    parts: list[list[str]] = [[]]
    for index, token in enumerate(tokens):
        if token in ("and", "&") and index and (
                tokens[index - 1] in vocabulary.legal_forms
                or _known_organisation(parts[-1], vocabulary)
                or _known_organisation(_until_joint(tokens[index + 1:]), vocabulary)):
            parts.append([])
        else:
            parts[-1].append(token)
    return [part for part in parts if part] if len(parts) > 1 else [tokens] if tokens else []


def _until_joint(tokens: list[str]) -> list[str]:
    return tokens[:next((i for i, t in enumerate(tokens) if t in ("and", "&")), len(tokens))]


def _is_title(tokens: list[str], i: int, vocabulary: EntityWords) -> bool:
    """Whether TOKENS[I] ends a title; "General" only in "Attorney General" and the like, not in "General Motors"."""
    word = tokens[i].rstrip(".")
    if word == "General":
        return i > 0 and tokens[i - 1].rstrip("-") in ("Attorney", "Secretary", "Surgeon", "Inspector", "Director")
    return word in vocabulary.titles


def _is_verb_form(word: str) -> bool:
    """"Aiding", "Citing": a sentence opening with a participle. Not "Federated" or "United": a company
    may start with a past form."""
    lower = word.lower()
    return lower.endswith("ing") and len(lower) > 5 and (lower[:-3] in lexicon().bases
                                                          or lower[:-3] + "e" in lexicon().bases)


def _known_organisation(tokens: list[str], vocabulary: EntityWords) -> str | None:
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
        name = vocabulary.known.get(_key(" ".join(tokens[first:end])))
        if name:
            return name
    # a known name of several words opening the run: "Organisation for Economic Co-operation and
    # Development Secretary-General ...", "World Bank President ..."
    for stop in range(end - 1, start + 1, -1):
        name = vocabulary.known.get(_key(" ".join(tokens[start:stop])))
        if name:
            return name
    return None


def _organisation(tokens: list[str], run: _Run | None, vocabulary: EntityWords) -> tuple[str, str | None] | None:
    """An organisation's name in TOKENS (and the acronym defined after RUN, if given), or None."""
    org_words = vocabulary.organisation_words
    acronym_match = _ACRONYM_AFTER.match(run.after) if run else None
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
    elif ends and ends[-1] >= 1 and tokens[ends[-1] - 1] not in _CONNECTORS:
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
        while name and name[-1] in _CONNECTORS:
            name = name[:-1]  # "Morgan Stanley and Co" -> "Morgan Stanley"
    if len(name) < 2 or all(t in org_words or t in _CONNECTORS for t in name):
        return None
    if fold(" ".join(name)) in gazetteer().phrases:
        return None  # "Soviet Union", "European Union" is known: a place is the countries' business
    if any(t.isupper() and len(t) > 1 and t not in vocabulary.legal_forms and "." not in t
           and t in _table_labels() for t in name):
        return None
    return " ".join(name), acronym


@cache
def _table_labels() -> frozenset[str]:
    return frozenset({"NOTE", "SHR", "NET", "REVS", "AVG"})


def _initials_match(tokens: list[str], acronym: str) -> bool:
    letters = acronym.replace(".", "").replace("&", "").upper()
    initials = "".join(t[0] for t in tokens if t[:1].isupper())
    return len(letters) >= 2 and _is_subsequence(letters, initials) and letters[0] == initials[:1]


def _is_subsequence(short: str, long: str) -> bool:
    letters = iter(long)
    return all(c in letters for c in short)


def _person(tokens: list[str], run: _Run, vocabulary: EntityWords) -> tuple[list[str], bool] | None:
    """(the name, whether the copy here shows it is a person's: a title, a role word, a given name or an
    initial), or None when it cannot be a person's name."""
    titled = False
    last_title = max((i for i in range(len(tokens) - 1) if _is_title(tokens, i, vocabulary)), default=-1)
    surname_title = last_title >= 0 and tokens[last_title].rstrip(".") in vocabulary.surname_titles
    if last_title >= 0:
        tokens = tokens[last_title + 1:]
        titled = True
    if not tokens or len(tokens) > MAX_PERSON_WORDS:
        return None
    if not titled and run.before in vocabulary.person_cues:
        titled = True
    role = _ROLE_AFTER.match(run.after)
    if not titled and role and role.group(1) in vocabulary.person_cues:
        titled = True
    places = gazetteer()
    for index, token in enumerate(tokens):
        bare = token.rstrip(".")
        if _INITIAL.match(token) and 0 < index < len(tokens) - 1 or index == 0 and _INITIAL.match(token):
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
    if _INITIAL.match(tokens[-1]):
        return None
    evidence = titled or first in vocabulary.given_names or bool(_INITIAL.match(first)) \
        or any(_INITIAL.match(t) for t in tokens[1:-1])
    return tokens, evidence


def _add(tallies: dict[str, _Tally], name: str, position: int, *, alias: str | None = None) -> None:
    key = name.casefold()
    tally = tallies.setdefault(key, _Tally(name, 0, position))
    tally.count += 1
    if alias:
        tally.aliases.add(alias)


def _count_acronyms(organisations: dict[str, _Tally], capitalised_words: list[str]) -> None:
    by_alias = {alias: tally for tally in organisations.values() for alias in tally.aliases}
    for word in capitalised_words:
        if word in by_alias:
            by_alias[word].count += 1


def _ranked(tallies: dict[str, _Tally]) -> list[str]:
    return [t.spelling for t in sorted(tallies.values(), key=lambda t: (-t.count, t.first))]
