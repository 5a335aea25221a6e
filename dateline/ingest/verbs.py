"""Verb forms from a lexicon (data/verbs.txt): a headline's present tense, never a guessed spelling.

    present_tense("released")              -> "releases"
    present_tense("carried", plural=True)  -> "carry"
    present_tense("rose")                  -> "rises"
    present_tense("acquired")              -> "acquires"  (the lexicon knows "acquire"; no "acquirs")
    present_tense("blorped")               -> None        (unknown: the caller keeps the copy's word)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "verbs.txt"


@dataclass(frozen=True)
class Verb:
    base: str  # "rise"
    past: str  # "rose"
    participle: str  # "risen"
    present: str  # third person singular: "rises"


@dataclass(frozen=True)
class Lexicon:
    by_past: dict[str, tuple[Verb, ...]]  # past tense -> the verbs it is the past of
    by_participle: dict[str, tuple[Verb, ...]]
    bases: frozenset[str]
    by_base: dict[str, Verb]
    presents: frozenset[str]  # "rises", "says": third-person forms, for telling a finite verb


def regular_present(base: str) -> str:
    """The -s form by the spelling rules: "release" -> "releases", "carry" -> "carries", "push" -> "pushes"."""
    if base.endswith(("s", "x", "z", "ch", "sh", "o")):
        return base + "es"
    if base.endswith("y") and base[-2:-1] not in ("a", "e", "i", "o", "u"):
        return base[:-1] + "ies"
    return base + "s"


@cache
def lexicon() -> Lexicon:
    by_past: dict[str, list[Verb]] = {}
    by_participle: dict[str, list[Verb]] = {}
    for line in DATA.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        base, pasts, participles, present = line.split(" ")
        participles = pasts if participles == "-" else participles
        verb = Verb(base, pasts.split("/")[0], participles.split("/")[0],
                    regular_present(base) if present == "-" else present)
        for past in pasts.split("/"):
            by_past.setdefault(past, []).append(verb)
        for participle in participles.split("/"):
            by_participle.setdefault(participle, []).append(verb)
    verbs = {v for group in by_past.values() for v in group}
    return Lexicon({k: tuple(v) for k, v in by_past.items()}, {k: tuple(v) for k, v in by_participle.items()},
                   frozenset(v.base for v in verbs), {v.base: v for v in verbs}, frozenset(v.present for v in verbs))


def _one(verbs: tuple[Verb, ...] | None) -> Verb | None:
    """The one verb a past form belongs to; None when unknown or the past of two verbs ("ground": grind, ground).

    A past form that is also a verb of its own ("fell", "found") is read as the past: in the verb slot
    of a news lead, which is in the past tense, "prices fell" is "fall", not "fell".
    """
    if not verbs or len({v.base for v in verbs}) > 1:
        return None
    return verbs[0]


def past_verb(word: str) -> Verb | None:
    """The verb WORD is the simple past of ("rose" -> rise)."""
    return _one(lexicon().by_past.get(word.lower()))


def participle_verb(word: str) -> Verb | None:
    """The verb WORD is the past participle of ("risen" -> rise)."""
    return _one(lexicon().by_participle.get(word.lower()))


def present_tense(word: str, *, plural: bool = False, participle: bool = False) -> str | None:
    """The present tense of a past tense (or, with PARTICIPLE, a past participle); None when unsure.

    PLURAL gives the form for a plural subject ("Lawmakers agree"), which is the base form.
    """
    verb = participle_verb(word) if participle else past_verb(word)
    if verb is None:
        return None
    form = verb.base if plural else verb.present
    if verb.base == "be":
        form = "are" if plural else "is"
    return form


def _doubles(base: str) -> bool | None:
    """Whether BASE doubles its last consonant before an ending ("hopped"); None when its past is irregular."""
    verb = lexicon().by_base[base]
    if not verb.past.endswith("ed"):
        return None  # "won", "cut": the past says nothing about "winning", "cutting"
    return verb.past == base + base[-1] + "ed"


def progressive_present(word: str, *, plural: bool = False) -> str | None:
    """The present tense of an -ing form ("issuing" -> "issues", "planning" -> "plans"), when exactly one
    verb of the lexicon has it; None otherwise."""
    lower = word.lower()
    if not lower.endswith("ing") or len(lower) < 5:
        return None
    stem = lower[:-3]
    candidates = {stem, stem + "e"}
    if len(stem) > 3 and stem[-1] == stem[-2] != stem[-3]:  # "planning": plan; not "discusssing", a typo
        candidates.add(stem[:-1])
    if stem.endswith("y"):
        candidates.add(stem[:-1] + "ie")  # "dying": die (and dye: unsure)
    if stem.endswith("k") and stem[-2:-1] == "c":  # "panicking"
        candidates.add(stem[:-1])
    bases = lexicon().bases
    # A verb that doubles its last consonant in the past ("hopped") doubles it before -ing too: "hoping" is
    # hope, not hop; and an undoubled "planing" is not plan.
    found = sorted(c for c in candidates if c in bases and _doubles(c) in (None, c == stem[:-1]))
    if len(found) != 1:
        return None  # "singing" (sing, singe): unsure
    verb = lexicon().by_base[found[0]]
    return verb.base if plural else verb.present
