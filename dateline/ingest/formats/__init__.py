"""Agency formats: which one a file is in, judged by its content (never its name), and its parser.

    detect_format(data)   # "newsml-g2", "newsml-1", "nitf", "ninjs", "iptc7901", "anpa1312" or "text"
    parse_stories(data)   # -> [Story, ...]; raise NotWireCopy (with a line where one applies)

Agency files often have no extension ('tag_reuters.com,0000_newsml_L4N1FL0N0_1132689232'), and an
extension says little anyway (.xml is NewsML-G2, NewsML 1.2 or NITF), so the bytes decide: XML by its root
element and namespace, JSON by ninjs' keys, the transmission formats by their control characters, and
everything else is Dateline's plain text, parsed exactly as before.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable

from dateline.article_files import MAX_ARTICLE_BYTES
from dateline.ingest.formats.anpa1312 import parse_anpa1312
from dateline.ingest.formats.iptc7901 import parse_iptc7901
from dateline.ingest.formats.newsml1 import parse_newsml1
from dateline.ingest.formats.newsml_g2 import NAMESPACE as G2_NAMESPACE
from dateline.ingest.formats.newsml_g2 import ROOTS as G2_ROOTS
from dateline.ingest.formats.newsml_g2 import parse_newsml_g2
from dateline.ingest.formats.ninjs import is_ninjs, load_json, parse_ninjs
from dateline.ingest.formats.nitf import parse_nitf
from dateline.ingest.formats.plaintext import parse_plaintext
from dateline.ingest.formats.story import CANCELED, FORMAT_NAMES, USABLE, WITHHELD, Image, Story, Subject
from dateline.ingest.formats.xmlsafe import local, namespace, parse_xml
from dateline.ingest.parse import NotWireCopy

MAX_WIRE_BYTES = MAX_ARTICLE_BYTES  # what the build accepts as one article; a bigger file is a mistake or an attack

__all__ = ["CANCELED", "FORMAT_NAMES", "USABLE", "WITHHELD", "Image", "Story", "Subject", "detect_format",
           "parse_stories"]


# the first start tag after the prolog, comments, processing instructions and a doctype
_FIRST_TAG = re.compile(r"\A(?:\s+|<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>)*"
                        r"<(?P<tag>[\w:.-]+)(?P<attrs>[^>]*)", re.DOTALL)
_ANPA = re.compile(rb"\A[\x16\r\n]*\x01[A-Za-z]?\d{4}[^\x1f\r\n]{0,16}\x1f")
_IPTC7901 = re.compile(rb"\A(?:\x1b[^\x01]{1,4})*[\r\n]*\x01[A-Za-z]{0,6}\d{1,6}\s+\d\s+[A-Za-z]{1,3}\s+\d")


def _sniff_xml(data: bytes) -> str | None:
    """The format an XML document's first element announces; None when the bytes are not XML."""
    head = data[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            head = data[:8192].decode("utf-16", errors="ignore").encode("utf-8")
        except UnicodeError:
            return None
    head = head.lstrip(codecs.BOM_UTF8).lstrip()
    if not head.startswith(b"<"):
        return None
    match = _FIRST_TAG.match(head.decode("utf-8", errors="replace"))
    if not match:
        return "xml"
    prefix, _, name = match.group("tag").rpartition(":")
    declared = re.search(r"\bxmlns" + (f":{prefix}" if prefix else "") + r"\s*=\s*[\"']([^\"']*)[\"']",
                         match.group("attrs"))
    uri = declared.group(1) if declared else ""
    if name in G2_ROOTS and uri == G2_NAMESPACE:
        return "newsml-g2"
    if name == "NewsML":
        return "newsml-1"
    if name == "nitf":
        return "nitf"
    return "xml"


def detect_format(data: bytes) -> str:
    """The format of DATA by its content: a FORMAT_NAMES key, "xml"/"json" for other XML and JSON."""
    if _ANPA.match(data):
        return "anpa1312"
    if _IPTC7901.match(data):
        return "iptc7901"
    xml = _sniff_xml(data)
    if xml:
        return xml
    start = data.lstrip(codecs.BOM_UTF8).lstrip()[:1]
    if start in (b"{", b"["):
        try:
            return "ninjs" if is_ninjs(load_json(data)) else "json"
        except NotWireCopy:
            return "json"
    return "text"


def parse_stories(data: bytes) -> list[Story]:
    """Every story in DATA, in file order; raise NotWireCopy saying what is wrong and where."""
    if len(data) > MAX_WIRE_BYTES:
        raise NotWireCopy(f"the file is {len(data) / 1024 / 1024:.1f} MB; wire copy may be at most "
                          f"{MAX_WIRE_BYTES // 1024 // 1024} MB")
    kind = detect_format(data)
    if kind == "text":
        return parse_plaintext(data)
    if kind in ("json", "ninjs"):
        return parse_ninjs(load_json(data))  # which says what ninjs needs when the JSON is something else
    parsers: dict[str, Callable[[bytes], list[Story]]] = {"anpa1312": parse_anpa1312, "iptc7901": parse_iptc7901}
    if kind in parsers:
        return parsers[kind](data)
    root = parse_xml(data)
    name, uri = local(root.tag), namespace(root.tag)
    if name in G2_ROOTS and uri == G2_NAMESPACE:
        return parse_newsml_g2(root)
    if name == "NewsML":
        return parse_newsml1(root)
    if name == "nitf":
        return parse_nitf(root)
    raise NotWireCopy(f"an XML file, but not a news format Dateline reads: its root element is <{name}>"
                      f"{f' in {uri}' if uri else ''}; expected NewsML-G2 (newsItem, packageItem, newsMessage in "
                      f"{G2_NAMESPACE}), NewsML 1.x (NewsML) or NITF (nitf)", 1)

