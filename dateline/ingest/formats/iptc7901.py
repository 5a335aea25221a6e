"""IPTC 7901 (the agencies' text transmission format; dpa, APA, SDA, KNA, ANSA...) -> stories, one per message.

A message: SOH, a header line (source and message number, priority, category, word count, optional
information such as dpa's "170123-99-00065#2" id and version), keyword lines, STX, the heading (lines
ending in '=': headline, then byline), the text, ETX, the transmission time ("231200 Jan 17"), EOT.
An ISO 2022 escape sequence in the header announces the character set (ESC % G: UTF-8; ESC - A: Latin-1).
"""

from __future__ import annotations

import datetime as dt
import re

from dateline.ingest.formats.body import blocks_from_text, finish
from dateline.ingest.formats.body_blocks import Block
from dateline.ingest.formats.common import build_story
from dateline.ingest.formats.story import CANCELED, USABLE, Story
from dateline.ingest.formats.transmission import Message, charset_of, decode_message, split_messages
from dateline.ingest.formats.values import MONTH_NUMBERS as MONTHS
from dateline.ingest.formats.values import clean, find_when, urgency
from dateline.ingest.parse import NotWireCopy

NAME = "IPTC 7901"
_HEADER = re.compile(r"(?P<source>[A-Za-z]{0,6})(?P<number>\d{1,6})\s+(?P<priority>\d)\s+(?P<category>[A-Za-z]{1,3})"
                     r"\s+(?P<words>\d{1,6})(?:\s+(?P<optional>.*))?$")
_AGENCY_ID = re.compile(r"\b(?P<id>\d{6}-\d{2}-\d{5})(?:#(?P<version>\d+))?")
_SENT = re.compile(r"(?P<day>\d{2})(?P<hour>\d{2})(?P<minute>\d{2})\s+(?P<month>[A-Za-z]{3})\s+(?P<year>\d{2,4})")
_KILL = re.compile(r"\b(?:kill|killed|withdrawn|withdrawal|elimination|zurückgezogen|sperrvermerk|annul\w*)\b",
                   re.IGNORECASE)
_CORRECTION = re.compile(r"\b(?:correction|corrects|corrected|berichtigung|korrektur|rectificación)\b",
                         re.IGNORECASE)
_EMBARGO = re.compile(r"^[ \t]*(?:embargo(?:ed)?|sperrfrist)\b[:\s]*(?:until|bis|to)?\s*(?P<when>.{0,60})$",
                      re.IGNORECASE | re.MULTILINE)
_NOT_FOR_PUBLICATION = re.compile(r"not (?:intended )?for publication|nicht zur veröffentlichung", re.IGNORECASE)


def parse_iptc7901(data: bytes) -> list[Story]:
    prefix = data[:data.find(b"\x01")] if b"\x01" in data else b""
    return [_story(message, prefix) for message in split_messages(data, NAME)]


def _story(message: Message, prefix: bytes) -> Story:
    charset = charset_of(prefix + message.header)
    header = decode_message(message.header, charset, message, NAME).replace("\r", "")
    lines = [line.strip() for line in header.split("\n")]
    found = _HEADER.match(lines[0])
    if not found:
        raise NotWireCopy(f"{NAME}: the header line at byte {message.offset} is not 'source+number priority "
                          f"category word-count' (found {lines[0][:40]!r})", message.line)
    keywords = [clean(k.rstrip("/")) for k in lines[1:] if k.strip("/ ")]
    text = decode_message(message.text, charset, message, NAME)
    heading, rest = _heading(text)
    headline = heading[0] if heading else None
    byline = next((re.sub(r"^(?:by|von)\s+|,\s*[A-Za-z]{2,4}$", "", h, flags=re.IGNORECASE)
                   for h in heading[1:] if h.lower().startswith(("by ", "von "))), None)
    cut = _NOT_FOR_PUBLICATION.search(rest)
    if cut:  # contacts and notes for editors follow: not for readers
        rest = rest[:rest.rfind("\n", 0, cut.start()) + 1]
    embargo = _EMBARGO.search(rest)
    if embargo:  # an instruction to editors, not part of the story
        rest = rest[:embargo.start()] + rest[embargo.end():]
    blocks = blocks_from_text(rest)
    optional = found.group("optional") or ""
    agency_id = _AGENCY_ID.search(optional)
    source = found.group("source") or None
    status = CANCELED if _KILL.search(" ".join([*keywords, headline or ""])) else USABLE
    correction = None
    if _CORRECTION.search(" ".join([*keywords, headline or ""])):
        correction = _first_parenthesised(blocks) or "This story has been corrected."
    return build_story(
        format="iptc7901", body=finish(blocks), headline=headline, published=None,
        version_created=_sent(decode_message(message.trailer, charset, message, NAME)),
        source=_credit(optional, source), located=None,
        guid=f"{(source or '').lower()}:{agency_id.group('id')}" if agency_id else None,
        version=int(agency_id.group("version")) if agency_id and agency_id.group("version") else None,
        byline=byline, summary=" ".join(heading[1:]) if len(heading) > 1 and not byline else None,
        keywords=keywords, urgency=urgency(found.group("priority")),
        embargo=find_when(embargo.group("when")) if embargo else None, status=status, correction=correction,
        where=f"the message at byte {message.offset}")


def _heading(text: str) -> tuple[list[str], str]:
    """The heading lines ('Headline =', 'By Jane Doe =') and the text after them. Without '=' marks, the
    first line is the headline."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    heading: list[str] = []
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    while index < len(lines) and lines[index].rstrip().endswith("=") and len(heading) < 4:
        heading.append(clean(lines[index].strip().rstrip("=")) or "")
        index += 1
    if not heading and index < len(lines):
        heading.append(lines[index].strip())
        index += 1
    return [h for h in heading if h], "\n".join(lines[index:])


def _credit(optional: str, source: str | None) -> str | None:
    """The agency named in the optional header ('vvvvb KNA ...'), else the source letters in capitals."""
    named = re.search(r"\b(dpa|KNA|APA|SDA|ANSA|EFE|AFP|AP|Reuters|epd|TT|NTB|STT)\b", optional)
    return named.group(1) if named else (source.upper() if source else None)


def _sent(trailer: str) -> dt.datetime | None:
    found = _SENT.search(trailer)
    if not found or found.group("month").lower() not in MONTHS:
        return None
    year = int(found.group("year"))
    try:
        return dt.datetime(year + 2000 if year < 100 else year, MONTHS[found.group("month").lower()],
                           int(found.group("day")), int(found.group("hour")), int(found.group("minute")))
    except ValueError:
        return None


def _first_parenthesised(blocks: list[Block]) -> str | None:
    for block in blocks:
        plain = block.plain
        if plain.startswith("(") and plain.endswith(")"):
            blocks.remove(block)
            return plain[1:-1].strip() or None
    return None
