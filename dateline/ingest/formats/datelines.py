"""What agency copy puts around a story's text: the dateline that opens it ("STOCKHOLM, Aug 29, 2014 (AFP) -")
and boilerplate lines (end-of-copy markers, sign-off initials, copyright and transmission lines).

Apart from body.py because they are judged on plain text, whatever format the copy came in.
"""

from __future__ import annotations

import re

from dateline.ingest.formats.values import MONTH_NUMBERS

# month names and abbreviations of the datelines' languages, beyond English and German
_MONTHS = {*MONTH_NUMBERS, "sept", "ene", "abr", "ago", "dic", "janv", "févr", "avr", "juil", "déc", "mei", "maj",
           "gen", "giu", "lug", "set", "ott"}
_KNOWN_AGENCIES = (r"AAP|AFP|AP|ANSA|APA|CP|dpa|DPA|EFE|Kyodo|PA|Reuters|SDA|TASS|Xinhua|Yonhap|Bernama|NTB|TT|STT|"
                   r"Anadolu|Belga|LETA|BNS|ELTA|PAP|CTK|MTI|BTA|KNA|epd|Ritzau|Lusa|Jiji|PTI|Antara|UPI|BBC")
_DATELINE = re.compile(
    r"(?P<head>[^\W\d_][^()\n]{0,80}?)[ ,]*(?:\((?P<agency>[^\W\d_][\w&./' -]{0,30}?)\)|"
    r"(?<=[\d ])(?P<bare>" + _KNOWN_AGENCIES + r"))[ \t]*(?:[-–—_]+|\.-|:)[ \t]*")


def split_dateline(first: str) -> tuple[str, str | None, int] | None:
    """('STOCKHOLM', 'AFP', length of the prefix) for 'STOCKHOLM, Aug 29, 2014 (AFP) - Sweden...'."""
    match = _DATELINE.match(first)
    if not match:
        return None
    place: list[str] = []
    for part in match.group("head").split(","):
        words = part.strip()
        if not words:
            continue
        if re.search(r"\d", words) or words.split()[0].lower().rstrip(".") in _MONTHS:
            break  # "Aug 29", "2014", "29 ago": the date part of the dateline, and what follows it
        place.append(words)
    agency = match.group("agency") or match.group("bare")
    if not re.fullmatch(_KNOWN_AGENCIES, agency, re.IGNORECASE) and not (
            len(agency) <= 20 and all(word[:1].isupper() for word in agency.split())
            and sum(c.isupper() for c in agency) * 2 >= sum(c.isalpha() for c in agency)):
        return None  # "(pictured)", "(preliminary)": a parenthesis in the lead, not an agency's credit
    city = ", ".join(place)
    if not city or len(city.split()) > 6 or not city[0].isupper() or city.endswith((".", "!", "?")) and \
            len(city.split()[-1]) > 5:
        return None
    return city, agency, match.end()


_BOILERPLATE = [re.compile(p, re.IGNORECASE) for p in (
    r"\(?(?:end|ende|fin|more|mehr|más|mas|suite|ends|endit|eds)\)?\.?",  # end-of-copy markers
    r"(?:#{3,}|x{3,}|-+0-+|=+|\*{3,})",
    r"(?:copyright|©|\(c\)).{0,120}(?:all rights reserved|rights reserved|tous droits réservés|"
    r"alle rechte vorbehalten)\.?",
    r".{0,80}may not be (?:published|reproduced), broadcast, rewritten,? or redistributed.{0,80}",
    r"(?:AAP\s+|AFP\s+)?[a-z]{2,4}(?:[-/][a-z]{2,4}){1,4}",  # sign-off initials: "jm/ach", "bur-gd/sst", "AAP mt/jlp"
    r"dpa\s+[a-z]{2,3}(?:\s+[a-z0-9]{1,4}){0,4}",  # dpa's desk codes: "dpa bb yyzz n1 ab"
    r"(?:AP|AFP|UPI)-[A-Z]{2}-\d{2}-\d{2}-\d{2}\s+\d{4}\s*(?:GMT|EDT|EST|ET|UTC)",  # transmission stamps
)]


def is_boilerplate(paragraph: str) -> bool:
    return any(pattern.fullmatch(paragraph.strip()) for pattern in _BOILERPLATE)
