"""A short headline-style title from a story's lead: "Belarus releases 52 political prisoners".

Wire copy often arrives without a headline. The lead's first clause, rewritten the way subeditors
write headlines (present tense, "will" -> "to", no "X said it", no articles or weekdays), came
closest to the real Reuters headlines of the approaches measured (ENRICH-NOTES.md); the result is
marked `title_derived: true` so an editor knows to check it.
"""

from __future__ import annotations

import re

from dateline.ingest.words import sentences, words

MAX_WORDS = 12
LONG_CLAUSE = 8  # a clause longer than this is cut at its first natural break
MIN_WORDS = 4  # never cut before this many words: the subject and verb come first
_INTRO = re.compile(r"^(?:In|On|At|After|As|While|Although|Though|Despite|Following|With|According to|Amid|When|"
                    r"If|Because|Before|During|Since|Earlier|Later|Meanwhile|However)\b[^,]*,\s+")
_CLAUSE_END = re.compile(r",\s|;\s|:\s|\s[–—-]{1,2}\s|\s\(")
_SAID = re.compile(r"^(?P<subject>.+?)\s+(?:said|says)\s+(?:on \w+\s+|today\s+|"
                   r"yesterday\s+)?(?:that\s+)?(?P<rest>.+)$")
_PRONOUN = re.compile(r"^(?:(?P<subject>it|he|she|they)|(?P<possessive>its|his|her|their))\s+(?P<rest>.+)$")
_TRAILING_FILLER = {"a", "an", "the", "of", "and", "or", "to", "in", "on", "at", "for", "with", "by", "from", "as",
                    "its", "their", "his", "her", "that", "which", "who", "than", "but", "is", "are", "was", "were",
                    "be", "has", "have", "had", "will", "would", "said", "says"}


def derive_title(lead: str) -> str:
    """A headline of at most MAX_WORDS whole words from the lead paragraph; never empty."""
    first = (sentences(lead) or [lead])[0].strip()
    clause = _first_clause(first)
    headline = _headline_style(clause)
    title = _shorten(headline) or _shorten(first) or "Untitled"
    return title[:1].upper() + title[1:]


def _first_clause(sentence: str) -> str:
    sentence = _INTRO.sub("", sentence, count=1)
    parts = _CLAUSE_END.split(sentence)
    if len(parts) >= 3 and len(parts[0].split()) < MIN_WORDS:
        # "Gitanas Nauseda, Lithuania's president, said ...": the subject, then the clause after the apposition.
        return f"{parts[0]} {parts[2]}"
    return parts[0]


def _headline_style(clause: str) -> str:
    text = clause.strip().rstrip(".!?\"'”’")
    said = _SAID.match(text)
    if said:
        subject, rest = said.group("subject"), said.group("rest")
        pronoun = _PRONOUN.match(rest)
        if pronoun and pronoun.group("subject"):  # "Chrysler said it will close" -> "Chrysler will close"
            text = f"{subject} {pronoun.group('rest')}"
        elif pronoun:  # "Chrysler said its profit rose" -> "Chrysler's profit rose"
            text = f"{subject}'s {pronoun.group('rest')}"
        else:
            text = f"{subject} says {rest}"
    for phrase in words().time_phrases:
        text = re.sub(rf"\s+{re.escape(phrase)}\b", "", text)
    text = re.sub(r"\b(?:has|have|had) been\s+", "", text)
    text = re.sub(r"\b(?:was|were|is|are) (?=\w+ed\b)", "", text)
    text = re.sub(r"\b(has|have|had) (\w+)\b", lambda m: _present(m.group(2), plural=m.group(1) == "have"), text)
    text = re.sub(r"\bwill not\b", "not to", text)
    text = re.sub(r"\b(?:will|is to|are to|is set to|are set to)\b", "to", text)
    text = re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.IGNORECASE)
    return " ".join(text.split())


def _present(participle: str, *, plural: bool) -> str:
    """'released' -> 'releases' (or 'release' for a plural subject); the headline's present tense."""
    lower = participle.lower()
    irregular = words().irregular_verbs
    if lower in irregular:
        form = irregular[lower]
    elif lower.endswith("ied"):
        form = lower[:-3] + "ies"
    elif lower.endswith("eed"):
        form = lower[:-1] + "s"
    elif re.search(r"([bdgmnprt])\1ed$", lower):
        form = lower[:-3] + "s"
    elif lower.endswith("ed"):
        stem = lower[:-2]
        needs_e = (re.search(r"(?:[sxzcv]|ch|sh|[^aeiou]at|ut|[rdan]g|[^aeiou]et)$", stem)
                   or (len(stem) <= 4 and re.search(r"[^aeiou][aiou][^aeiouwxy]$", stem)))
        form = stem + ("es" if needs_e else "s")
    else:
        return participle  # not a participle we know: leave "has" out rather than guess
    if plural:
        form = form[:-2] if re.search(r"(?:x|ch|sh|ss|z)es$", form) else form[:-1]
    return form


def _shorten(text: str) -> str:
    tokens = text.split()
    if len(tokens) > LONG_CLAUSE:
        cut = _first_break(tokens)
        if cut:
            tokens = tokens[:cut]
    tokens = tokens[:MAX_WORDS]
    while len(tokens) > 1 and tokens[-1].lower().strip(",;:") in _TRAILING_FILLER:
        tokens.pop()
    return " ".join(tokens).rstrip(",;:")


def _first_break(tokens: list[str]) -> int | None:
    """Index of the first word where a long clause can end without losing its subject and verb."""
    lowered = [t.lower() for t in tokens]
    for index in range(MIN_WORDS, len(tokens)):
        for phrase in words().clause_breaks:
            parts = phrase.lower().split()
            if lowered[index:index + len(parts)] == parts:
                return index
    return None
