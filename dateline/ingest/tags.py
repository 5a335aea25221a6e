"""Tags for an imported story: the site's topics (site.yaml `topics`) and the people and organisations named."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dateline.ingest.countries import Gazetteer, fold, gazetteer
from dateline.ingest.words import POSSESSIVE, sentences, words
from dateline.text import collapse_whitespace, slugify

# A word of a name: "Nauseda", "O'Brien", "al-Assad", "AT&T", "U.S.", "Jean-Claude".
_WORD = re.compile(r"[^\W_][\w'’&.-]*")
# Lower-case words that may sit inside a name when a capitalised word follows ("Bank of England").
_CONNECTORS = {"of", "de", "da", "do", "del", "der", "den", "van", "von", "bin", "al", "la", "le", "du", "for"}
_ACRONYM = re.compile(r"[A-Z][A-Z&]{1,5}")


def topic_tags(text: str, topics: Mapping[str, Sequence[str]]) -> list[str]:
    """The site's topics whose keywords (or own name) occur in TEXT, most hits first, then site.yaml order."""
    hits: list[tuple[int, int, str]] = []
    for order, (tag, keywords) in enumerate(topics.items()):
        count = 0
        for keyword in {tag, *keywords}:
            keyword = collapse_whitespace(keyword)
            if keyword:
                # Whole words only, any case, with a plural ending: "prisoner" finds "Prisoners".
                pattern = r"(?<!\w)" + re.escape(keyword).replace(r"\ ", r"\s+") + r"(?:s|es)?(?!\w)"
                count += len(re.findall(pattern, text, flags=re.IGNORECASE))
        if count:
            hits.append((-count, order, collapse_whitespace(tag)))
    return [tag for _, _, tag in sorted(hits)]


@dataclass
class _Name:
    forms: dict[str, int]  # each spelling seen, with its count: the commonest is the canonical one
    count: int
    first: int


def named_entities(paragraphs: Sequence[str]) -> list[str]:
    """People and organisations named in the copy, most mentioned first, in their usual capitalisation.

    Runs of capitalised words, without sentence-initial function words, leading titles
    ("President"), demonyms or places; a lone surname counts towards the full name it belongs to.
    """
    text = "\n\n".join(paragraphs)
    lower_words = set(re.findall(r"\b[a-z][a-z]+\b", text))
    full: dict[str, _Name] = {}
    singles: list[tuple[str, int]] = []
    position = 0
    for paragraph in paragraphs:
        for sentence in sentences(paragraph):
            for run in _capitalised_runs(sentence):
                name = _clean(run, lower_words)
                position += 1
                if not name:
                    continue
                if len(name) == 1:
                    singles.append((name[0], position))
                    continue
                spelled = " ".join(name)
                entry = full.setdefault(spelled.casefold(), _Name({}, 0, position))
                entry.forms[spelled] = entry.forms.get(spelled, 0) + 1
                entry.count += 1
    by_surname: dict[str, list[str]] = {}
    for key in full:
        by_surname.setdefault(key.rsplit(" ", 1)[-1], []).append(key)
    for word, at in singles:
        owners = by_surname.get(word.casefold(), [])
        if len(owners) == 1:  # "Nauseda" is Gitanas Nauseda when only one Nauseda was named
            full[owners[0]].count += 1
        elif not owners and _ACRONYM.fullmatch(word):  # "NATO", "OPEC"
            entry = full.setdefault(word.casefold(), _Name({}, 0, at))
            entry.forms[word] = entry.forms.get(word, 0) + 1
            entry.count += 1
    ranked = sorted(full.values(), key=lambda n: (-n.count, n.first))
    return [max(n.forms, key=lambda form: (n.forms[form], form)) for n in ranked]


def _capitalised_runs(sentence: str) -> list[list[tuple[str, bool]]]:
    """Runs of adjacent capitalised words (connectors allowed inside); each word flagged if it opens the sentence."""
    abbreviations = words().abbreviations
    runs: list[list[tuple[str, bool]]] = []
    current: list[tuple[str, bool]] = []
    end = 0
    for index, match in enumerate(_WORD.finditer(sentence)):
        word, closes = match.group(), False
        if current and sentence[end:match.start()] != " ":  # a comma, dash or quote ends a name
            runs.append(current)
            current = []
        if word.endswith(".") and word[:-1] not in abbreviations and not re.fullmatch(r"(?:[A-Z]\.)+", word):
            word, closes = word.rstrip("."), True  # the sentence's full stop, not "Mr." or "U.S."
        if POSSESSIVE.search(word):
            word, closes = POSSESSIVE.sub("", word), True  # "Trump's personal involvement"
        if word[:1].isupper():
            current.append((word, index == 0))
        elif word in _CONNECTORS and current:
            current.append((word, False))
        else:
            closes = True
        if closes and current:
            runs.append(current)
            current = []
        end = match.end()
    if current:
        runs.append(current)
    return runs


def _clean(run: list[tuple[str, bool]], lower_words: set[str]) -> list[str]:
    """The name inside a run: no opening function word, demonym or title; no trailing connector."""
    vocabulary = words()
    places = gazetteer()
    tokens = [word for word, _ in run]
    if run[0][1] and tokens[0].lower() in lower_words:
        tokens = tokens[1:]  # "Lawmakers voted": capitalised only because the sentence starts there
    while True:
        while tokens and tokens[-1] in _CONNECTORS:
            tokens.pop()
        if not tokens:
            return []
        if tokens[0] in vocabulary.not_names or tokens[0] in _CONNECTORS:
            tokens = tokens[1:]
            continue
        rest = _after_place(tokens, places)
        if rest is not None:
            tokens = rest
            continue
        title = next((t for t in vocabulary.name_titles
                      if " ".join(tokens[:len(t.split())]) == t and len(tokens) > len(t.split())), None)
        if title:
            tokens = tokens[len(title.split()):]
            continue
        break
    if all(t in vocabulary.not_names or t in vocabulary.name_titles for t in tokens):
        return []
    if fold(" ".join(tokens)) in places.phrases:
        return []  # "United States", "New York": places are the countries' job
    return tokens


def _after_place(tokens: list[str], places: Gazetteer) -> list[str] | None:
    """What follows a leading demonym ("Lithuanian national ...") or a place before a title
    ("US President ..."); None when the run does not start so. "New York Times" stays whole."""
    for size in range(min(4, len(tokens)), 0, -1):
        key = fold(" ".join(tokens[:size]))
        if key in places.demonyms or (key.endswith("s") and key[:-1] in places.demonyms):
            return tokens[size:]
        if key in places.phrases:
            rest = tokens[size:]
            starts_with_title = any(" ".join(rest[:len(t.split())]) == t for t in words().name_titles)
            return rest if not rest or starts_with_title else None
    return None


def derive_tags(paragraphs: Sequence[str], topics: Mapping[str, Sequence[str]], *, max_tags: int,
                name_tags: bool) -> list[str]:
    """Topic tags first, then names; whitespace collapsed, no two tags equal ignoring case."""
    return tags_and_learned(paragraphs, topics, max_tags=max_tags, name_tags=name_tags)[0]


def tags_and_learned(paragraphs: Sequence[str], topics: Mapping[str, Sequence[str]], *, max_tags: int,
                     name_tags: bool, learned: Sequence[str] = ()) -> tuple[list[str], list[str]]:
    """The tags (keyword-rule topics, then LEARNED ones, then names, at most MAX_TAGS) and which of them only
    the learned tagger gave. A learned tag that a topic already gives (same slug) is the topic's."""
    topic_found = topic_tags("\n\n".join(paragraphs), topics)
    topic_slugs = {slugify(tag) for tag in topic_found}
    guesses = [tag for tag in learned if slugify(tag) not in topic_slugs]
    candidates = topic_found + guesses
    if name_tags:
        candidates += named_entities(paragraphs)
    tags: list[str] = []
    seen: set[str] = set()
    for tag in candidates:
        tag = collapse_whitespace(tag)
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    tags = tags[:max_tags]
    return tags, [tag for tag in tags if tag in guesses]
