"""Tags for an imported story: the site's topics (site.yaml `topics`), and those learned from its archive."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from dateline.text import collapse_whitespace, slugify


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


def derive_tags(paragraphs: Sequence[str], topics: Mapping[str, Sequence[str]], *, max_tags: int) -> list[str]:
    """The site's topics the copy is about; whitespace collapsed, no two tags equal ignoring case.

    People and organisations are not tags: they have their own keys (entities.py)."""
    candidates = topic_tags("\n\n".join(paragraphs), topics)
    tags: list[str] = []
    seen: set[str] = set()
    for tag in candidates:
        tag = collapse_whitespace(tag)
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags[:max_tags]


def with_learned(tags: Sequence[str], learned: Sequence[str], *, max_tags: int) -> tuple[list[str], list[str]]:
    """TAGS (decisions: an agency's subjects, then the keyword rules') followed by the LEARNED tags they lack,
    in the slots MAX_TAGS leaves (TAGS themselves are never cut: an agency may file a story under more); and
    which learned ones were kept. A learned tag that TAGS already hold (same slug, as the build counts tags)
    is theirs, not a guess."""
    given = {slugify(tag) for tag in tags}
    guesses = []
    for tag in learned:
        tag = collapse_whitespace(tag)
        if tag and slugify(tag) not in given:
            given.add(slugify(tag))
            guesses.append(tag)
    guesses = guesses[:max(0, max_tags - len(tags))]
    return [*tags, *guesses], guesses
