"""IPTC ninjs (News in JSON, 1.x and 2.x) -> stories: the item, and each text item among its associations.

Read: uri/guid, version, firstcreated, versioncreated, embargoed, pubstatus, urgency, headline(s), byline(s),
located, description_text/_html (descriptions), body_html/body_text (bodies), subject, place(s), keywords,
infosource(s)/copyrightholder, usageterms, ednote/signal for corrections, language, renditions of
picture associations.
"""

from __future__ import annotations

import json
from typing import Any

from dateline.ingest.formats.body import Body, blocks_from_text, finish
from dateline.ingest.formats.common import build_story, credit_of, status_of, version_number
from dateline.ingest.formats.htmltree import html_element
from dateline.ingest.formats.markup_blocks import blocks_from_markup
from dateline.ingest.formats.story import Image, Story, Subject
from dateline.ingest.formats.values import clean, country_code, parse_when, urgency
from dateline.ingest.parse import NotWireCopy, decode

_PICTURES = ("picture", "graphic", "image")
IDENTITY_KEYS = ("uri", "guid")
CONTENT_KEYS = ("type", "headline", "headlines", "body_html", "body_text", "bodies", "versioncreated")


def load_json(data: bytes) -> Any:
    """JSON from bytes; raise NotWireCopy with the line and column of a syntax error."""
    text = decode(data).lstrip("\ufeff")

    def refuse_constant(name: str) -> None:
        raise ValueError(f"{name} is not JSON")

    try:
        return json.loads(text, parse_constant=refuse_constant)
    except json.JSONDecodeError as exc:
        raise NotWireCopy(f"malformed JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    except RecursionError:
        raise NotWireCopy("JSON nested too deeply to be a news item") from None
    except ValueError as exc:  # NaN/Infinity, or an integer with thousands of digits
        raise NotWireCopy(f"malformed JSON: {exc}") from None


def is_ninjs(value: Any) -> bool:
    items = value if isinstance(value, list) else [value]
    return bool(items) and all(isinstance(i, dict) and any(k in i for k in IDENTITY_KEYS)
                               and any(k in i for k in CONTENT_KEYS) for i in items)


def parse_ninjs(value: Any) -> list[Story]:
    if not is_ninjs(value):
        raise NotWireCopy("JSON, but not ninjs: a news item needs 'uri' (or 'guid') and 'type', 'headline', "
                          "'body_html', 'body_text' or 'versioncreated'")
    stories = []
    for item in value if isinstance(value, list) else [value]:
        associations = _associations(item)
        pictures = [i for a in associations if _kind(a) in _PICTURES for i in [_picture(a)] if i]
        texts = ([item] if _kind(item) in ("text", "") and _has_text(item) else []) + \
            [a for a in associations if _kind(a) == "text" and _has_text(a)]
        stories.extend(_story(t, pictures) for t in texts)
    if not stories:
        raise NotWireCopy("ninjs without a text item: nothing to import")
    return stories


def _kind(item: dict) -> str:
    return str(item.get("type") or "").lower()


def _associations(item: dict) -> list[dict]:
    found = item.get("associations")
    values = found.values() if isinstance(found, dict) else found if isinstance(found, list) else []
    return [a for a in values if isinstance(a, dict)]


def _has_text(item: dict) -> bool:
    return any(item.get(k) for k in ("body_html", "body_text", "bodies", "headline", "headlines"))


def _string(value: Any) -> str | None:
    return clean(value) if isinstance(value, str) else str(value) if isinstance(value, (int, float)) and \
        not isinstance(value, bool) else None


def _list(value: Any) -> list:
    return value if isinstance(value, list) else [value] if value else []


def _role_value(entries: Any, roles: tuple[str, ...]) -> tuple[str | None, str | None]:
    """ninjs 2's [{"role": ..., "contenttype": ..., "value": ...}]: the value for the first ROLE, and its type."""
    found = [e for e in _list(entries) if isinstance(e, dict) and isinstance(e.get("value"), str)]
    for role in roles:
        for entry in found:
            if str(entry.get("role") or "").rpartition(":")[2].lower() == role:
                return entry["value"], str(entry.get("contenttype") or "")
    if found and "" in roles:  # no entry has a role asked for: the first one, when any will do
        return found[0]["value"], str(found[0].get("contenttype") or "")
    return None, None


def _body(item: dict) -> Body:
    html = item.get("body_html")
    plain = item.get("body_text")
    if not isinstance(html, str) and not isinstance(plain, str):
        value, kind = _role_value(item.get("bodies"), ("main", ""))
        html, plain = (value, None) if value and "html" in (kind or "") else (None, value)
    if isinstance(html, str) and html.strip():
        blocks, images = blocks_from_markup(html_element(html))
        return finish(blocks, images)
    if isinstance(plain, str):
        return finish(blocks_from_text(plain))
    return finish([])


def _story(item: dict, pictures: list[Image]) -> Story:
    headline = _string(item.get("headline")) or _role_value(item.get("headlines"), ("main", ""))[0]
    summary = _string(item.get("description_text"))
    if summary is None:
        html_summary = item.get("description_html")
        if isinstance(html_summary, str):
            summary = " ".join(finish(blocks_from_markup(html_element(html_summary))[0]).paragraphs)
        else:
            summary = _role_value(item.get("descriptions"), ("summary", "abstract", ""))[0]
    bylines = [_string(b.get("byline") or b.get("name")) if isinstance(b, dict) else _string(b)
               for b in _list(item.get("bylines"))]
    sources = [_string(s.get("name")) for s in _list(item.get("infosources") or item.get("infosource"))
               if isinstance(s, dict)]
    body = _body(item)
    signals = [str(s.get("code") or s.get("name") or "") if isinstance(s, dict) else str(s)
               for s in _list(item.get("signal") or item.get("signals"))]
    correction = None
    if any(s.rpartition(":")[2].lower() == "correction" for s in signals):
        correction = _string(item.get("ednote")) or "This story has been corrected."
    return build_story(
        format="ninjs", body=body, headline=headline,
        published=parse_when(_string(item.get("firstcreated"))),
        version_created=parse_when(_string(item.get("versioncreated"))),
        source=credit_of(next(filter(None, sources), None) or _string(item.get("copyrightholder"))),
        located=_string(item.get("located")), guid=_string(item.get("uri")) or _string(item.get("guid")),
        version=version_number(_string(item.get("version"))),
        byline=_string(item.get("byline")) or "; ".join(b for b in bylines if b) or None,
        summary=summary, subjects=_subjects(item), keywords=[_string(k) for k in _list(item.get("keywords"))],
        countries=_countries(item), urgency=urgency(item.get("urgency")),
        embargo=parse_when(_string(item.get("embargoed"))), status=status_of(_string(item.get("pubstatus"))),
        correction=correction, usage_terms=_string(item.get("usageterms")), images=[*body.images, *pictures],
        language=_string(item.get("language")))


def _subjects(item: dict) -> list[Subject]:
    subjects = []
    for subject in _list(item.get("subject")) + _list(item.get("subjects")):
        if not isinstance(subject, dict):
            continue
        code = _string(subject.get("code")) or _string(subject.get("qcode")) or _string(subject.get("uri"))
        if code:
            subjects.append(Subject(code, _string(subject.get("name"))))
    return subjects


def _countries(item: dict) -> list[str | None]:
    codes = []
    for place in _list(item.get("place")) + _list(item.get("places")):
        if isinstance(place, dict):
            code = _string(place.get("code")) or _string(place.get("qcode"))
            codes.append(country_code(code) if code and ("iso3166" in code or len(code) in (2, 3)) else None)
            if codes[-1] is None and str(place.get("type") or place.get("rel") or "").lower().endswith("country"):
                codes[-1] = country_code(_string(place.get("name")))
    return codes


def _picture(association: dict) -> Image | None:
    renditions = association.get("renditions")
    entries = list(renditions.items()) if isinstance(renditions, dict) else \
        [(r.get("name"), r) for r in renditions if isinstance(r, dict)] if isinstance(renditions, list) else []
    entries.sort(key=lambda e: str(e[0]).lower() not in ("original", "baseimage", "viewimage", "highres"))
    href = next((_string(r.get("href")) for _, r in entries if isinstance(r, dict) and _string(r.get("href"))),
                None) or _string(association.get("uri") if str(association.get("uri", "")).startswith("http")
                                 else None)
    if not href:
        return None
    alt = _string(association.get("body_text")) or _role_value(association.get("descriptions"), ("alt",))[0]
    return Image(href, alt=alt, credit=_string(association.get("byline")) or
                 _string(association.get("copyrightholder")) or _string(association.get("creditline")),
                 caption=_string(association.get("description_text"))
                 or _role_value(association.get("descriptions"), ("caption", "summary"))[0]
                 or _string(association.get("headline")) or _role_value(association.get("headlines"), ("main", ""))[0])
