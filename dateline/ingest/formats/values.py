"""Small value readers the format parsers share: dates with offsets, country codes, urgencies, clean text."""

from __future__ import annotations

import datetime as dt
import re

from dateline.geo import lookup_country

# C0 and C1 controls but tab and line feed, and the non-characters: wire copy's transmission codes
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")
_BASIC = re.compile(r"(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})?(?:[.,]\d+)?(Z|[+-]\d{2}:?\d{2})?)?$")


def clean(value: str | None) -> str | None:
    """Control characters removed and whitespace collapsed; None for nothing left."""
    if value is None:
        return None
    collapsed = " ".join(_CONTROL.sub(" ", value).split())
    return collapsed or None


def strip_controls(value: str) -> str:
    """Control characters other than tab and line feed removed (carriage returns become line feeds)."""
    return _CONTROL.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def parse_when(value: str | None) -> dt.datetime | None:
    """ISO 8601 in its extended ('2014-08-29T10:15:00+02:00') or basic ('20140829T101500+0200') form.

    A date alone is midnight; a time without an offset stays naive (the site's time zone applies later).
    None for anything else: an unreadable date is left out rather than guessed.
    """
    value = (value or "").strip()
    if not value:
        return None
    basic = _BASIC.match(value)
    if basic:
        year, month, day, hour, minute, second, offset = basic.groups()
        value = f"{year}-{month}-{day}"
        if hour:
            value += f"T{hour}:{minute}:{second or '00'}"
            if offset:
                value += "+00:00" if offset == "Z" else f"{offset[:3]}:{offset[-2:]}"
    try:
        return dt.datetime.fromisoformat(value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value)
    except ValueError:
        return None


def country_code(value: str | None) -> str | None:
    """'SE', 'SWE', 'iso3166-1a2:SE', 'iso3166-1a3:SWE', 'Sweden' -> 'SE'; None when not a country."""
    if not value:
        return None
    code = value.strip().rpartition(":")[2]
    country = lookup_country(code) if code else None
    return country.code if country else None


def urgency(value: object) -> int | None:
    """An IPTC urgency, 1 (most urgent) to 9; None for anything else."""
    try:
        number = int(str(value).strip().rpartition(":")[2])
    except ValueError:
        return None
    return number if 1 <= number <= 9 else None


def unique(values) -> tuple:
    """VALUES without repeats or Nones, in order."""
    return tuple(dict.fromkeys(v for v in values if v))


MONTH_NUMBERS = {name: number for number, names in enumerate((
    ("jan", "january", "januar", "jän"), ("feb", "february", "februar"), ("mar", "march", "märz", "mär"),
    ("apr", "april"), ("may", "mai"), ("jun", "june", "juni"), ("jul", "july", "juli"), ("aug", "august"),
    ("sep", "sept", "september"), ("oct", "october", "okt", "oktober"), ("nov", "november"),
    ("dec", "december", "dez", "dezember")), start=1) for name in names}
_ZONES = {"gmt": 0, "utc": 0, "z": 0, "bst": 1, "cet": 1, "mez": 1, "cest": 2, "mesz": 2, "eet": 2, "eest": 3,
          "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7, "mdt": -6, "pst": -8, "pdt": -7}
_ISO_IN_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?)?")
_WRITTEN = re.compile(  # "29. August 2014, 12.00 Uhr MESZ", "29 Aug 2014 12:00 GMT", "12:00 GMT 29 August 2014"
    r"(?:(?P<h1>\d{1,2})[.:](?P<m1>\d{2})\s*(?:Uhr\s*)?(?P<z1>[A-Za-z]{1,4})?\s+)?"
    r"(?P<day>\d{1,2})\.?\s+(?P<month>[A-Za-zä]{3,9})\.?,?\s+(?P<year>\d{4})"
    r"(?:,?\s+(?:at\s+|um\s+)?(?P<h2>\d{1,2})[.:](?P<m2>\d{2})\s*(?:Uhr|h)?\s*(?P<z2>[A-Za-z]{1,4})?)?")


def find_when(value: str) -> dt.datetime | None:
    """The first date and time written in VALUE (ISO 8601, or '29 August 2014, 12:00 GMT' in English or
    German); None when there is none. A written time without a zone stays naive."""
    iso = _ISO_IN_TEXT.search(value)
    if iso:
        return parse_when(iso.group().replace(" ", "T"))
    for found in _WRITTEN.finditer(value):
        month = MONTH_NUMBERS.get(found.group("month").lower())
        if month is None:
            continue
        hour, minute = (found.group("h2"), found.group("m2")) if found.group("h2") else \
            (found.group("h1") or "0", found.group("m1") or "0")
        zone = (found.group("z2") if found.group("h2") else found.group("z1")) or ""
        try:
            when = dt.datetime(int(found.group("year")), month, int(found.group("day")), int(hour), int(minute))
        except ValueError:
            continue
        offset = _ZONES.get(zone.lower())
        return when.replace(tzinfo=dt.timezone(dt.timedelta(hours=offset))) if offset is not None else when
    return None
