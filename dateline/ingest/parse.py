"""Raw wire copy (bytes) -> WireCopy: date, dateline, agency credit and clean paragraphs."""

from __future__ import annotations

import codecs
import datetime as dt
import re
import unicodedata
from dataclasses import dataclass

from dateline.ingest.tables import is_table_line


class NotWireCopy(ValueError):
    """The bytes are not wire copy; `line` is where the problem is (None: the whole file)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class WireCopy:
    date: dt.date
    dateline: str | None  # as written: "PORTLAND, Ore.", "SÃO PAULO"; None when the copy has none
    source: str | None  # the agency credit as written: "AFP", "Reuters", "dpa"; None when uncredited
    # Never empty; dateline prefix and credit removed. Prose paragraphs are one line with whitespace
    # collapsed; a table keeps its lines ("\n" between them) and its column spacing.
    paragraphs: tuple[str, ...]
    headline: str | None = None  # the agency's own headline, when the format carries one (wire text does not)

    @property
    def lead(self) -> str:
        return self.paragraphs[0]


_DATE_LINE = re.compile(r"date:?[ \t]+(\d{4})-(\d{1,2})-(\d{1,2})(?![\w-])", re.IGNORECASE)
# "VILNIUS: ", "SÃO PAULO: ", "PORTLAND, Ore.: ": an upper-case place, an optional region after a comma.
_DATELINE = re.compile(r"(?P<city>[^\W\d_][^\W\d_ .'’-]*(?:[ .'’-]+[^\W\d_]+)*\.?)"
                       r"(?:,[ \t]*(?P<region>[^\W\d_][\w.' ]{0,24}?))?[ \t]*:\s+")
_SENTENCE_END = ".!?\"'”’)]"
# " – AFP", " — AP", " - Reuters", "-- dpa" after the last sentence, or on a line of its own.
_DASH_CREDIT = re.compile(r"(?:(?<=[" + re.escape(_SENTENCE_END) + r"])[ \t]*|\n[ \t]*|^)(?:[–—]|--?)[ \t]*"
                          r"(?P<agency>[A-Za-z][\w&./]*(?:[ /][A-Z][\w&./]*){0,3})[ \t]*$")
_PAREN_CREDIT = re.compile(r"(?:(?<=[" + re.escape(_SENTENCE_END) + r"])[ \t]*|\n[ \t]*|^)"
                           r"\((?P<agency>[A-Za-z][\w&./]*(?:[ /][A-Za-z][\w&./]*){0,3})\)[ \t]*$")
# After a table's last figure ("11.9 mln debit – Reuters") there is no full stop: a dash credit there is
# trusted when it names a news agency.
_AGENCY_CREDIT = re.compile(r"[ \t]+(?:[–—]|--?)[ \t]*(?P<agency>Reuters|AFP|AP|dpa|DPA|ANSA|EFE|Xinhua|Kyodo|UPI|"
                            r"Bloomberg|PA|TASS|LETA|BNS|ELTA|Belga|APA|Yonhap|Anadolu|PTI|Bernama|Antara|Jiji|"
                            r"SDA|NTB|TT|Ritzau|STT|CTK|PAP|MTI|BTA)[ \t]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def decode(data: bytes) -> str:
    """Text from UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1252/Latin-1 bytes."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise NotWireCopy("starts with a UTF-16 byte-order mark but is not valid UTF-16") from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        # Editors' Windows tools save Windows-1252: curly quotes and dashes live in 0x80-0x9f.
        return data.decode("cp1252")
    except UnicodeDecodeError:
        # The five bytes cp1252 leaves undefined are C1 controls in Latin-1.
        return data.decode("latin-1")


def parse_wire(data: bytes) -> WireCopy:
    """Parse raw wire copy; raise NotWireCopy saying what is wrong and on which line."""
    if not data.strip():
        raise NotWireCopy("empty file: expected wire copy starting with 'date YYYY-MM-DD'")
    if b"\x00" in data and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise NotWireCopy("binary data (NUL bytes), not wire copy text")
    text = decode(data).lstrip("\ufeff")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = unicodedata.normalize("NFC", text)
    if len(_CONTROL.findall(text)) > max(2, len(text) // 100):
        raise NotWireCopy("binary data (control characters), not wire copy text")
    text = _CONTROL.sub("", text)

    start = len(text) - len(text.lstrip())
    line = text.count("\n", 0, start) + 1
    match = _DATE_LINE.match(text, start)
    if not match:
        first = text[start:].split("\n", 1)[0].strip()
        shown = first if len(first) <= 40 else first[:40] + "..."
        raise NotWireCopy(f"not wire copy: the first line must start with 'date YYYY-MM-DD' (found {shown!r})",
                          line)
    year, month, day = (int(g) for g in match.groups())
    try:
        date = dt.date(year, month, day)
    except ValueError as exc:
        raise NotWireCopy(f"date {match.group(1)}-{match.group(2)}-{match.group(3)} does not exist ({exc})",
                          line) from None

    body = text[match.end():].strip()
    dateline = None
    found = _DATELINE.match(body)
    if found and _is_dateline(found.group("city"), found.group("region")):
        dateline = found.group("city") + (f", {found.group('region').strip()}" if found.group("region") else "")
        body = body[found.end():]

    source = None
    for credit in (_DASH_CREDIT, _PAREN_CREDIT, _AGENCY_CREDIT):
        found = credit.search(body)
        if found:
            source = found.group("agency")
            body = body[:found.start()]
            break

    paragraphs = tuple(p for p in (_paragraph(chunk) for chunk in re.split(r"\n\s*\n", body)) if p)
    if not paragraphs:
        raise NotWireCopy("no article text after the date line", line)
    return WireCopy(date=date, dateline=dateline, source=source, paragraphs=paragraphs)


def _paragraph(chunk: str) -> str:
    """One paragraph on one line, whitespace collapsed; a table keeps its lines (and their column spacing)."""
    lines = [line.rstrip().expandtabs(8) for line in chunk.strip("\n").split("\n") if line.strip()]
    if len(lines) >= 2 and sum(is_table_line(line) for line in lines) * 2 > len(lines):
        indent = min(len(line) - len(line.lstrip()) for line in lines)
        return "\n".join(line[indent:] for line in lines)
    return " ".join(chunk.split())


def _is_dateline(city: str, region: str | None) -> bool:
    """Datelines are set in capitals and short; a lead that merely contains a colon is not one."""
    letters = [c for c in city if c.isalpha()]
    if not letters or any(c.islower() for c in letters) or len(city.split()) > 5:
        return False
    # A lone capital like "A:" or an all-caps first word of a sentence ("WARNING:") is still plausible;
    # the region, when present, is a short abbreviation or name ("Ore.", "Calif.", "B.C.", "Texas").
    return region is None or len(region.split()) <= 3


_LOWER_PARTICLES = {"de", "da", "do", "dos", "das", "del", "della", "di", "du", "des", "la", "le", "les", "el",
                    "es", "of", "on", "upon", "am", "im", "an", "der", "den", "y", "e", "al", "sur"}


def dateline_display(dateline: str) -> str:
    """'PORTLAND, Ore.' -> 'Portland, Ore.'; 'SÃO PAULO' -> 'São Paulo'; 'RIO DE JANEIRO' -> 'Rio de Janeiro'."""
    city, comma, region = dateline.partition(",")
    words = []
    for index, word in enumerate(city.split()):
        lower = word.lower()
        if index and lower in _LOWER_PARTICLES:
            words.append(lower)
            continue
        parts = re.split(r"([-'’])", lower)
        out = []
        for i, part in enumerate(parts):
            # "N'DJAMENA" -> "N'Djamena" but "ST. JOHN'S" -> "St. John's": capitalise after an
            # apostrophe only when one letter precedes it.
            after_apostrophe = i >= 2 and parts[i - 1] in "'’"
            if after_apostrophe and len(parts[i - 2]) > 1:
                out.append(part)
            else:
                out.append(part[:1].upper() + part[1:])
        words.append("".join(out))
    region = region.strip()
    if region.isupper() and len(region.replace(".", "")) > 2:
        region = dateline_display(region)
    return " ".join(words) + (f", {region}" if comma else "")
