"""Markdown -> HTML, sanitised unless the site trusts its authors' raw HTML."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import TYPE_CHECKING

import nh3

from dateline.text import html_to_text

if TYPE_CHECKING:  # python-markdown is imported when a body first needs it (most wire copy never does)
    import markdown

_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)

# Anything python-markdown (with "extra" and "sane_lists") might read as syntax. Anywhere: ASCII
# control characters (tabs, \r, and the \x02/\x03 its placeholders are made of), the characters of
# inline markup, HTML, entities, tables, fences and attribute lists. At a line's start: indentation,
# headers, list bullets and numbers, setext and rule lines, definitions, quotes. At a line's end: a
# space (two make a line break). Bare URLs, quotes, "--", "..." and mid-line "#" are plain text to
# it (no autolinker, no smarty), and tests/test_markup_fastpath.py checks that against the library.
# Three searches and a substring test: one regex with all the alternatives runs several times slower.
_SYNTAX_CHARACTER = re.compile(r"[\x00-\x09\x0b-\x1f\x7f<>&*_`\[\]!\\|~{}]")
_LINE_START = r"[ #+=:>\-]|\d+[.)]"
_FIRST_LINE_SYNTAX = re.compile(_LINE_START)
_LINE_SYNTAX = re.compile(rf"\n(?:{_LINE_START})")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_BLANK_LINES = re.compile(r"\n\n+")
# Unicode letters, marks, numbers, punctuation and symbols: never whitespace, line separators,
# control or format characters, which python-markdown's strip() and splits could act on.
_PLAIN_CATEGORIES = frozenset("LMNPS")

# What article bodies may contain: ammonia's safe defaults plus the structure Markdown "extra"
# produces (tables, footnotes, definition lists, figures). Scripts, styles, iframes, event
# handlers and javascript: URLs are never in this list.
_ALLOWED_TAGS = nh3.ALLOWED_TAGS | {"figure", "figcaption", "sup", "sub", "abbr", "dl", "dt", "dd"}
_ALLOWED_ATTRIBUTES = {
    **{tag: set(attrs) for tag, attrs in nh3.ALLOWED_ATTRIBUTES.items()},
    "*": {"id", "title", "lang", "dir"},
    "a": {"href", "hreflang", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "th": {"align", "colspan", "rowspan", "scope"},
    "td": {"align", "colspan", "rowspan"},
    "abbr": {"title"},
    "ol": {"start", "reversed", "type"},
}


def markdown_converter() -> markdown.Markdown:
    """python-markdown with its "extra" extensions and "sane_lists".

    Given as instances, in the order "extra" registers them: given by name, python-markdown first reads
    the entry points of every installed package to look the names up (27 ms, in every process that
    makes one, on the way of a rebuild after one edit). Imported here: bodies of plain paragraphs, most wire
    copy, never need them.
    """
    import markdown
    from markdown.extensions import abbr, attr_list, def_list, fenced_code, footnotes, md_in_html, sane_lists, tables

    return markdown.Markdown(extensions=[
        fenced_code.FencedCodeExtension(), footnotes.FootnoteExtension(), attr_list.AttrListExtension(),
        def_list.DefListExtension(), tables.TableExtension(), abbr.AbbrExtension(),
        md_in_html.MarkdownInHtmlExtension(),  # "extra", in its order
        sane_lists.SaneListExtension(),
    ], output_format="html")


class MarkdownRenderer:
    """One reusable python-markdown instance (building one per article costs more than rendering), made
    when a body first needs it: plain paragraphs never do."""

    def __init__(self, *, trust_html: bool) -> None:
        self._markdown: markdown.Markdown | None = None
        self._trust_html = trust_html

    def render(self, text: str) -> str:
        html = plain_paragraphs_html(text)
        if html is not None:
            return html  # paragraphs of text without <, > or &: nothing to sanitise (the tests check nh3 agrees)
        if not self._trust_html:
            html = sanitised_plain_paragraphs_html(text)
            if html is not None:
                return html
        if self._markdown is None:
            self._markdown = markdown_converter()
        self._markdown.reset()
        html = self._markdown.convert(text)
        if self._trust_html:
            return html
        return sanitise(html)


def plain_paragraphs_html(text: str) -> str | None:
    """python-markdown's exact output for a body of plain paragraphs, or None if it may hold syntax.

    Most wire copy is paragraphs of prose separated by blank lines; converting them directly takes
    a few microseconds instead of a full python-markdown run. Any doubt means None, and the caller
    runs python-markdown.
    """
    if (_SYNTAX_CHARACTER.search(text) or _FIRST_LINE_SYNTAX.match(text) or _LINE_SYNTAX.search(text)
            or " \n" in text or text.endswith(" ")):
        return None
    if not text.isascii():
        for char in set(_NON_ASCII.findall(text)):
            if unicodedata.category(char)[0] not in _PLAIN_CATEGORIES:
                return None
    text = text.strip("\n")
    if not text:
        return ""
    return "\n".join(f"<p>{paragraph}</p>" for paragraph in _BLANK_LINES.split(text))


def sanitised_plain_paragraphs_html(text: str) -> str | None:
    """What python-markdown then nh3 give for plain paragraphs with <NAME> in them, or None if in doubt.

    Wire copy names companies' stock symbols so: "Bristol-Myers Co <BMY> said" (and sometimes a name,
    "<America First Fund 2>"). To Markdown that is raw HTML; nh3 then removes the element, as it is no
    HTML element it allows, and keeps the text around it (so the symbol is not shown: write "&lt;BMY>" to
    show it, as `dateline import` does). That is the plain-prose result of the text without the tags,
    provided nh3 treats each tag so (it treats many names in their own ways) and none starts a line,
    where python-markdown could take it for HTML.
    """
    if ">" not in text:
        return None
    without_tags = _UNKNOWN_TAG.sub(_drop_unknown_tag, text)
    if "<" in without_tags or ">" in without_tags:
        return None
    return plain_paragraphs_html(without_tags)


# <NAME> mid-line, NAME letters, digits and dots; more such words after single spaces are its attributes
# (as in "<America First Fund 2>"), without values, so no quote can hide a ">".
_UNKNOWN_TAG = re.compile(r"(?<=[^\n])<([A-Za-z][A-Za-z0-9.]*)(?: [A-Za-z0-9.]+)*>")


@functools.cache
def _block_level() -> frozenset[str]:
    """The elements python-markdown takes for blocks (imported when first asked: 10 ms of an edit's build)."""
    import markdown

    return frozenset(markdown.Markdown().block_level_elements)


def _drop_unknown_tag(match: re.Match) -> str:
    return "" if _is_unknown_element(match.group(1)) else match.group(0)  # left in place: the text is declined


@functools.cache
def _is_unknown_element(name: str) -> bool:
    """Whether nh3 removes <NAME> and keeps the text after it, as for any element it does not know.

    Asked of nh3 itself, once per name: besides the elements it allows it treats hundreds of names in
    their own ways (HTML's "image", "xmp" or "table"; SVG's "path"; MathML's "ms" or "and", whose text it
    drops, or "select", after which paragraphs end no more), and a list kept here could miss one.
    python-markdown sees any name but its block-level ones as inline HTML.
    """
    if name.lower() in _block_level() or name.lower() in ("svg", "math"):  # the parser's foreign content
        return False
    # twice in a paragraph and once in the next: nested, and with what it does to later paragraphs
    return sanitise(f"<p>x <{name}> y <{name}> w</p>\n<p>z <{name}> v</p>") == "<p>x  y  w</p>\n<p>z  v</p>"


def sanitise(html: str) -> str:
    """Remove anything that could run in the reader's browser; external links get rel=noopener."""
    return _cleaner().clean(html)


@functools.cache
def _cleaner() -> nh3.Cleaner:
    """nh3's sanitiser, configured once: nh3.clean() builds it from these sets on every call, 28 of its
    32 microseconds on a short paragraph (and the stock-symbol check asks nh3 once per name)."""
    return nh3.Cleaner(
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "tel"},
        link_rel="noopener noreferrer",
        strip_comments=True,
    )


def first_paragraph_text(html: str) -> str:
    """Plain text of the first paragraph, the default summary."""
    match = _FIRST_PARAGRAPH.search(html)
    return html_to_text(match.group(1)) if match else html_to_text(html)[:300]
