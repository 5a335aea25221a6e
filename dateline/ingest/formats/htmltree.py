"""An HTML fragment (ninjs body_html) -> an ElementTree element, forgiving as browsers are, depth-bounded."""

from __future__ import annotations

from html.parser import HTMLParser
from xml.etree.ElementTree import Element, SubElement

from dateline.ingest.formats.xmlsafe import MAX_DEPTH

_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
         "wbr"}
# opening one of these closes an open <p> (and an <li> closes the previous <li>), as HTML parsers do
_CLOSES_P = {"p", "div", "ul", "ol", "table", "blockquote", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "figure",
             "section", "article", "dl"}


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("body")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _CLOSES_P and self.stack[-1].tag == "p":
            self.stack.pop()
        if tag == "li":
            self._close("li", within=("ul", "ol"))
        if tag in ("td", "th", "tr"):
            self._close(tag if tag == "tr" else ("td", "th"), within=("table",))
        if len(self.stack) > MAX_DEPTH:
            return  # deeper nesting: its text joins the innermost element kept
        element = SubElement(self.stack[-1], tag, {k: v or "" for k, v in attrs})
        if tag not in _VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack[-1].tag == tag and len(self.stack) > 1:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag == tag:
                del self.stack[index:]
                return

    def handle_data(self, data: str) -> None:
        parent = self.stack[-1]
        if len(parent):
            last = parent[-1]
            last.tail = (last.tail or "") + data
        else:
            parent.text = (parent.text or "") + data

    def _close(self, tags: str | tuple[str, ...], *, within: tuple[str, ...]) -> None:
        names = (tags,) if isinstance(tags, str) else tags
        for index in range(len(self.stack) - 1, 0, -1):
            if self.stack[index].tag in within:
                return
            if self.stack[index].tag in names:
                del self.stack[index:]
                return


def html_element(fragment: str) -> Element:
    builder = _Builder()
    builder.feed(fragment)
    builder.close()
    return builder.root
