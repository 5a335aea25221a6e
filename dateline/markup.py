"""Markdown -> HTML, sanitised unless the site trusts its authors' raw HTML."""

from __future__ import annotations

import re

import markdown
import nh3

from dateline.text import html_to_text

_EXTENSIONS = ["extra", "sane_lists"]
_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)

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


class MarkdownRenderer:
    """One reusable python-markdown instance (building one per article costs more than rendering)."""

    def __init__(self, *, trust_html: bool) -> None:
        self._markdown = markdown.Markdown(extensions=_EXTENSIONS, output_format="html")
        self._trust_html = trust_html

    def render(self, text: str) -> str:
        self._markdown.reset()
        html = self._markdown.convert(text)
        if self._trust_html:
            return html
        return sanitise(html)


def sanitise(html: str) -> str:
    """Remove anything that could run in the reader's browser; external links get rel=noopener."""
    return nh3.clean(
        html,
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
