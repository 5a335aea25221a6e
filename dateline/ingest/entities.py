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

from dateline.ingest.gazetteer import fold, gazetteer
from dateline.ingest.namewords import CONNECTORS, NameWords, is_title, name_words
from dateline.ingest.organisations import known_organisation, organisation_name, split_names
from dateline.ingest.people import INITIAL, person_name
from dateline.ingest.verbs import lexicon
from dateline.ingest.words import POSSESSIVE, sentences, strip_symbols, words

_WORD = re.compile(r"[^\W_][\w'’&.-]*")
_INITIALS = re.compile(r"(?:[A-Z]\.)+")
_MONTHS = frozenset("January February March April May June July August September October November December".split())
# Reuters marks a company without a stock symbol as <Name>: a name of its own, and a boundary.
_UNLISTED = re.compile(r"<([A-Z0-9][^<>=\"]{0,60}[a-z][^<>=\"]{0,60})>")


@dataclass(frozen=True)
class Entities:
    people: list[str]
    organisations: list[str]


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
    vocabulary = name_words()
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
        while current and current[-1] in CONNECTORS:
            current.pop()
        if current:
            position_ = position + start_index
            runs.append(_Run(tuple(current), start_index == 0, before, sentence[at:at + 80], position_))
        current = []

    for index, match in enumerate(matches):
        word, closes = match.group(), False
        if current and sentence[end:match.start()] != " ":
            close(end)
        if word.endswith(".") and word[:-1] not in abbreviations and not _INITIALS.fullmatch(word) \
                and not INITIAL.match(word):
            word, closes = word.rstrip("."), True  # the sentence's full stop, not "Mr." or "U.S."
        if ("'" in word or "’" in word) and POSSESSIVE.search(word) and len(word) > 2:  # not "O'" (O' Nuts)
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
        elif word in CONNECTORS and current:
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


def _read_run(run: _Run, vocabulary: NameWords, people: _People, organisations: dict[str, _Tally]) -> None:
    tokens = list(run.words)
    if run.opens_sentence and tokens and _is_verb_form(tokens[0]):
        tokens = tokens[1:]  # "Aiding Royal Trust ...": capitalised because it opens the sentence
    month_first = tokens[:1] == list(run.words[:1]) and tokens[0] in _MONTHS and len(tokens) >= 3 \
        and tokens[-1].rstrip(".") in vocabulary.organisation_words  # "May Department Stores Co"
    while tokens and not month_first and (tokens[0] in vocabulary.not_names or tokens[0] in CONNECTORS
                                          or re.search(r"-[a-z]+$", tokens[0])):  # "London-based Reed"
        tokens = tokens[1:]
    while tokens and re.fullmatch(r"[A-Z]\.?", tokens[-1]):
        tokens.pop()  # "East Asiatic Company Ltd A": a share class
    if not tokens:
        return
    # "World Bank President Barber Conable", "Federal Reserve Board Chairman Paul Volcker": an
    # organisation, a title, a person. Each part is read on its own.
    title = max((i for i in range(len(tokens) - 1) if is_title(tokens, i, vocabulary)), default=-1)
    before_title = tokens[:title] if title > 0 else tokens
    while before_title and before_title[-1] in CONNECTORS:
        before_title = before_title[:-1]  # "Letter Carriers Union of Canada President ..." keeps its "of"
    if title >= 0:
        after = tokens[title + 1:]
        joint = next((i for i, t in enumerate(after) if t in ("of", "for", "and", "&")), len(after))
        person = person_name(tokens[:title + 1 + joint], run.before, run.after, vocabulary)
        if person is not None:
            people.add(person[0], run.position, confirmed=person[1])
        rest = after[joint + 1:]  # "Dr. William West of Biotherapeutics Inc"
        if rest and after[joint] == "of":
            known = known_organisation(rest, vocabulary)
            organisation = (known, None) if known else organisation_name(rest, None, vocabulary)
            if organisation:
                _add(organisations, organisation[0], run.position)
    found = False
    parts = split_names(before_title, vocabulary)
    for index, part in enumerate(parts):
        known = known_organisation(part, vocabulary)
        after = run.after if title < 0 and index == len(parts) - 1 else None  # "(ATPC)" follows the last part
        organisation = (known, None) if known else organisation_name(part, after, vocabulary)
        if organisation:
            _add(organisations, organisation[0], run.position, alias=organisation[1])
            found = True
    if found:
        return
    if title < 0:
        person = person_name(tokens, run.before, run.after, vocabulary)
        if person is not None:
            people.add(person[0], run.position, confirmed=person[1])


def _is_verb_form(word: str) -> bool:
    """"Aiding", "Citing": a sentence opening with a participle. Not "Federated" or "United": a company
    may start with a past form."""
    lower = word.lower()
    return lower.endswith("ing") and len(lower) > 5 and (lower[:-3] in lexicon().bases
                                                          or lower[:-3] + "e" in lexicon().bases)


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
