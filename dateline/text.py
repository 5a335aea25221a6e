"""Small text helpers shared by every stage: slugs, plain text from HTML, whitespace."""

from __future__ import annotations

import functools
import html
import re
import unicodedata

_NON_WORD = re.compile(r"[^\w]+", re.UNICODE)
# Characters XML 1.0 forbids (control characters but tab and line ends, surrogates, non-characters): invisible
# on a page, but one in a title or a body would make every feed that shows the article unreadable.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_TAG = re.compile(r"<[^>]+>")
# Arabic vowel marks and Hebrew points: optional in writing, and not word characters to a regular expression
_OPTIONAL_MARKS = re.compile("[\u064b-\u065f\u0670\u0591-\u05bd]")


@functools.lru_cache(maxsize=65536)
def slugify(text: str, max_length: int = 80) -> str:
    """A lowercase URL segment of letters, digits and hyphens.

    Latin text is transliterated to ASCII ("São Paulo" -> "sao-paulo"); other scripts keep
    their letters, so a Cyrillic or Arabic title still gets a readable slug. The result never
    contains '/', '.', or '..' and is never empty.
    """
    text = re.sub(r"(\w)['’](\w)", r"\1\2", text)  # "Japan's" -> "japans", not "japan-s"
    text = _OPTIONAL_MARKS.sub("", text)  # "سجينًا" -> "سجينا", not "سجين-ا"
    ascii_form = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    # a title of another script keeps its letters even when it has digits: "بيلاروس تفرج عن 52 سجينا" is not "52"
    candidate = ascii_form if re.search(r"[A-Za-z]", ascii_form) else unicodedata.normalize("NFC", text)
    slug = _NON_WORD.sub("-", candidate.lower()).replace("_", "-")
    slug = re.sub(r"-{2,}", "-", slug).strip("-")
    if len(slug) > max_length:
        slug = slug[:max_length].rsplit("-", 1)[0] or slug[:max_length]
    return slug or "untitled"


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment, whitespace collapsed."""
    return collapse_whitespace(html.unescape(_TAG.sub(" ", fragment)))


def clean_text(text: str) -> str:
    """TEXT without the characters XML forbids, its whitespace collapsed: a front-matter text as pages show it."""
    return collapse_whitespace(NOT_XML.sub("", text))


def collapse_whitespace(text: str) -> str:
    """Runs of whitespace as one space, none at either end: what re.sub(r"\\s+", " ", text).strip() gives
    (str.split's whitespace is re's \\s, character for character), five times faster."""
    return " ".join(text.split())
