"""ANPA 1312 (AP, CP and other North American wires) -> stories, one per message.

A message: SYN SYN SOH, the service level, story number and selector code, then 'priority category
format keyword version reference filing-date word-count', STX, heading lines that start with '^' (slug,
headline, editor's note, byline) and paragraphs that start with a tab, ETX, the transmission time
("AP-WF-10-29-14 1513GMT"), EOT.
"""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from dateline.ingest.formats.body import blocks_from_text, finish
from dateline.ingest.formats.common import build_story
from dateline.ingest.formats.story import CANCELED, USABLE, Story
from dateline.ingest.formats.transmission import Message, charset_of, decode_message, split_messages
from dateline.ingest.formats.values import clean, find_when
from dateline.ingest.parse import NotWireCopy

NAME = "ANPA 1312"
_FIRST = re.compile(r"(?P<service>[A-Za-z])?(?P<number>\d{4})(?P<upi>[^\x1f\n]{0,16})\x1f(?P<selector>[\w-]{0,8})")
_SECOND = re.compile(r"(?P<priority>[A-Za-z]) (?P<category>[A-Za-z])[\x13\x14][\x11\x12] ?(?P<keyword>\S+)"
                     r"(?P<middle>.*?)\s*(?P<filed>\d{1,2}-\d{1,2})\s+(?P<words>\d{1,5})\s*$")
_URGENCY = {"f": 1, "b": 2, "u": 3, "r": 5, "d": 6, "a": 6, "w": 6}  # flash, bulletin, urgent, regular, deferred
_LEAD = re.compile(r"(?P<n>\d+)(?:st|nd|rd|th)\s*(?:Ld|Lead|Writethru|Add)", re.IGNORECASE)
_KILL = re.compile(r"\b(?:kill|killed|elimination|withdrawal|withdrawn)\b", re.IGNORECASE)
_CORRECTION = re.compile(r"\b(?:correction|corrective|corrects|corrected)\b", re.IGNORECASE)
_STAMP_GMT = re.compile(r"(?P<month>\d{2})-(?P<day>\d{2})-(?P<year>\d{2})\s+(?P<hour>\d{2})(?P<minute>\d{2})"
                        r"\s*(?P<zone>GMT|UTC|ET|EDT|EST)")
_STAMP_CP = re.compile(r"(?P<hour>\d{1,2}):(?P<minute>\d{2})\s*(?P<zone>ET|GMT|UTC)\s+"
                       r"(?P<day>\d{2})-(?P<month>\d{2})-(?P<year>\d{2})")
_KEY_VALUE = re.compile(r"^(?:INDEX|SYMBOL|Update|code|KEYWORD|CATEGORY|PRIORITY|SLUG)\s*:", re.IGNORECASE)


def parse_anpa1312(data: bytes) -> list[Story]:
    return [_story(message) for message in split_messages(data, NAME)]


def _story(message: Message) -> Story:
    charset = charset_of(message.header)
    header = decode_message(message.header, charset, message, NAME).replace("\r", "").split("\n")
    first = _FIRST.match(header[0])
    second = _SECOND.match(header[1]) if len(header) > 1 else None
    if not first or not second:
        raise NotWireCopy(f"{NAME}: the header at byte {message.offset} is not 'story-number US selector' then "
                          "'priority category format keyword ... filing-date word-count'", message.line)
    keyword = second.group("keyword")
    version_words = second.group("middle").strip()
    text = decode_message(message.text, charset, message, NAME)
    heading, paragraphs = _split(text)
    slug = heading.pop(0) if heading and re.match(r"^[A-Z]{2}-|^" + re.escape(keyword), heading[0]) else None
    headline = byline = note = None
    for line in heading:
        if line.upper().startswith("HL:"):
            headline = line[3:].strip()
        elif re.match(r"^(?:Eds|Editors?|EDITOR'S NOTE)\b\s*[:_-]?", line, re.IGNORECASE):
            note = re.sub(r"^(?:Eds|Editors?|EDITOR'S NOTE)\b\s*[:_-]?\s*", "", line, flags=re.IGNORECASE)
        elif line.startswith(("By ", "BY ")):
            byline = line[3:].strip()
        elif _KEY_VALUE.match(line) or re.search(r"\b(?:Associated Press|Canadian Press|AP\b.*Writer)", line,
                                                 re.IGNORECASE):
            continue
        elif headline is None:
            headline = line
    described = " ".join(filter(None, [slug, version_words, keyword]))
    status = CANCELED if _KILL.search(described) or (note and _KILL.search(note)) else USABLE
    correction = (note or "This story has been corrected.") if _CORRECTION.search(described) else None
    lead = _LEAD.search(described)
    sent = _sent(decode_message(message.trailer, charset, message, NAME))
    embargo = find_when(note) if note and re.search(r"embargo|for release|hold for", note, re.IGNORECASE) else None
    return build_story(
        format="anpa1312", body=finish(blocks_from_text("\n".join(paragraphs))), headline=headline,
        published=None, version_created=sent, source=None, located=None,
        guid=f"anpa:{keyword.lower()}:{sent.year}-{second.group('filed')}" if sent else None,
        version=int(lead.group("n")) + 1 if lead else 1 if not version_words else None,
        byline=clean(byline.rstrip("=")) if byline else None, keywords=[keyword],
        urgency=_URGENCY.get(second.group("priority").lower()), embargo=embargo, status=status,
        correction=correction, where=f"the message at byte {message.offset}")


def _split(text: str) -> tuple[list[str], list[str]]:
    """Heading lines ('^...<', markers removed) and body lines (the rest, each paragraph tab-indented)."""
    heading: list[str] = []
    body: list[str] = []
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = raw.rstrip()
        if line.startswith("^") and not body:
            value = line.strip("^<@= ").strip()
            if value:
                heading.append(value)
        else:
            body.append(line.rstrip("<").rstrip())
    return heading, body


def _sent(trailer: str) -> dt.datetime | None:
    """The transmission time: 'AP-WF-10-29-14 1513GMT' (month-day-year) or CP's '16:35ET 31-10-14'."""
    found = _STAMP_GMT.search(trailer) or _STAMP_CP.search(trailer)
    if not found:
        return None
    try:
        when = dt.datetime(2000 + int(found.group("year")), int(found.group("month")), int(found.group("day")),
                           int(found.group("hour")), int(found.group("minute")))
    except ValueError:
        return None
    zone = found.group("zone")
    return when.replace(tzinfo=dt.UTC if zone in ("GMT", "UTC") else ZoneInfo("America/New_York"))
