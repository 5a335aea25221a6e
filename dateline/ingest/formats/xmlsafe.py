"""Agency XML -> an ElementTree, safely: no DTD entities, no external references, no network, bounded depth.

defusedxml refuses entity declarations (the "billion laughs" and quadratic-blowup bombs) and external
entities; expat never fetches a DTD, so `<!DOCTYPE nitf SYSTEM "nitf-3-4.dtd">` is read without it and
HTML's named entities (&eacute;), which NITF copy uses through that DTD, are known here instead. The
charset declared in the prolog is honoured for every codec Python has, not only the four expat knows.
"""

from __future__ import annotations

import codecs
import html.entities
import re
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from dateline.ingest.parse import NotWireCopy

MAX_DEPTH = 200  # real agency XML nests about 12 deep; the body converter recurses
_PROLOG = re.compile(rb"\A<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._:-]+)[\"'][^>]*\?>")
_HTML_ENTITIES = {name: chr(code) for name, code in html.entities.name2codepoint.items()}


def xml_text(data: bytes) -> str:
    """The document as text, decoded as its byte-order mark or prolog says (UTF-8 otherwise)."""
    if data.startswith(codecs.BOM_UTF8):
        encoding, data = "utf-8", data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        declared = _PROLOG.match(data)
        encoding = declared.group(1).decode("ascii") if declared else "utf-8"
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise NotWireCopy(f"the XML prolog declares the character set {encoding!r}, which is unknown", 1) \
                from None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise NotWireCopy(f"not valid {encoding} text (byte {exc.start}), the character set the file declares "
                          "(or UTF-8 when it declares none)", line) from None
    return text.lstrip("\ufeff")


class _DepthLimitedBuilder:
    """A TreeBuilder that refuses documents nested deeper than MAX_DEPTH."""

    def __init__(self) -> None:
        self._builder = TreeBuilder()
        self._depth = 0

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise _TooDeep()
        return self._builder.start(tag, attrs)

    def end(self, tag: str) -> Element:
        self._depth -= 1
        return self._builder.end(tag)

    def data(self, data: str) -> None:
        self._builder.data(data)

    def close(self) -> Element:
        return self._builder.close()


class _TooDeep(Exception):
    pass


def parse_xml(data: bytes) -> Element:
    """The root element; raise NotWireCopy with the line (and column) of the first problem."""
    text = xml_text(data)
    # expat reads the re-encoded text; the prolog's encoding no longer applies to it
    utf8 = re.sub(r"\A(<\?xml[^>]*?)\s+encoding\s*=\s*[\"'][^\"']*[\"']", r"\1", text, count=1).encode("utf-8")
    parser = DefusedXMLParser(target=_DepthLimitedBuilder(), forbid_dtd=False, forbid_entities=True,
                              forbid_external=True)
    parser.entity.update(_HTML_ENTITIES)
    expat = parser.parser

    def where() -> tuple[int, str]:
        return expat.CurrentLineNumber, f" (column {expat.CurrentColumnNumber + 1})"

    try:
        parser.feed(utf8)
        return parser.close()
    except ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":")[0]
        raise NotWireCopy(f"malformed XML: {reason} (column {column + 1})", line) from None
    except DefusedXmlException as exc:
        line, column = where()
        kind = ("declares entities (refused: entity expansion can blow up memory)"
                if type(exc).__name__ == "EntitiesForbidden" else
                "refers to an external entity (refused: Dateline never fetches files or URLs named in XML)")
        raise NotWireCopy(f"unsafe XML: the document {kind}{column}", line) from None
    except _TooDeep:
        line, column = where()
        raise NotWireCopy(f"XML nested more than {MAX_DEPTH} elements deep{column}", line) from None


def local(tag: object) -> str:
    """'{http://iptc.org/std/nar/2006-10-01/}newsItem' -> 'newsItem' (comments and PIs -> '')."""
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def namespace(tag: str) -> str:
    return tag[1:].partition("}")[0] if tag.startswith("{") else ""


def children(element: Element | None, name: str) -> list[Element]:
    return [c for c in element if local(c.tag) == name] if element is not None else []


def child(element: Element | None, *path: str) -> Element | None:
    """The first descendant along PATH of local names ('itemMeta', 'versionCreated')."""
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if local(c.tag) == name), None)
    return element


def descendants(element: Element | None, name: str) -> Iterator[Element]:
    if element is not None:
        yield from (e for e in element.iter() if local(e.tag) == name)


def text(element: Element | None) -> str | None:
    """All the text inside ELEMENT, whitespace collapsed; None when there is none."""
    if element is None:
        return None
    collapsed = " ".join("".join(element.itertext()).split())
    return collapsed or None


def attribute(element: Element | None, name: str) -> str | None:
    """An attribute by local name (xml:lang, or any namespace), stripped; None when absent or empty."""
    if element is None:
        return None
    for key, value in element.attrib.items():
        if local(key) == name and value.strip():
            return value.strip()
    return None
