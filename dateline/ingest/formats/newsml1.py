"""IPTC NewsML 1.x -> stories, one per NewsItem (AFP, dpa and others deliver NITF or XHTML inside it).

Read: NewsIdentifier (ProviderId, DateId, NewsItemId, RevisionId), NewsManagement (FirstCreated,
ThisRevisionCreated, Status, Urgency, StatusWillChange for embargoes, Instruction), NewsLines (HeadLine,
ByLine, DateLine, CreditLine, CopyrightLine, KeywordLine), AdministrativeMetadata (Provider, Source),
RightsMetadata, DescriptiveMetadata (Language, SubjectCode, Location, keyword Property) and the
ContentItems: text (NITF, XHTML or plain) and photos (Href with their caption and credit).
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from dateline.ingest.formats.body import Body, finish
from dateline.ingest.formats.common import (
    build_story,
    credit_of,
    dateline_place,
    markup_body,
    status_of,
    version_number,
)
from dateline.ingest.formats.story import Image, Story, Subject
from dateline.ingest.formats.values import clean, country_code, parse_when, urgency
from dateline.ingest.formats.xmlsafe import attribute, child, children, descendants, local, text
from dateline.ingest.parse import NotWireCopy


def parse_newsml1(root: Element) -> list[Story]:
    if local(root.tag) != "NewsML":
        raise NotWireCopy(f"not NewsML 1.x: the root element is <{local(root.tag)}>", 1)
    sent = parse_when(text(child(root, "NewsEnvelope", "DateAndTime")))
    items = children(root, "NewsItem")
    if not items:
        raise NotWireCopy("NewsML without a NewsItem: nothing to import")
    stories = []
    for item in items:
        if _text_item(child(item, "NewsComponent")) is None:
            continue  # a photo-only or empty item
        stories.append(_story(item, sent))
    if not stories:
        raise NotWireCopy("NewsML without a text NewsItem: nothing to import")
    return stories


def _formal(element: Element | None) -> str | None:
    return attribute(element, "FormalName") or attribute(element, "Value")


def _media_type(item: Element) -> str:
    return (_formal(child(item, "MediaType")) or "").lower()


def _is_photo(item: Element) -> bool:
    return _media_type(item) in ("photo", "image", "graphic")


def _text_item(component: Element | None) -> Element | None:
    """The first ContentItem with text in it, depth first, that is not a photo's caption."""
    for holder in descendants(component, "NewsComponent"):
        items = children(holder, "ContentItem")
        if any(_is_photo(i) for i in items):
            continue
        for item in items:
            if _media_type(item) in ("text", "") and child(item, "DataContent") is not None:
                return item
    return None


def _story(item: Element, sent) -> Story:
    identifier = child(item, "Identification", "NewsIdentifier")
    management = child(item, "NewsManagement")
    component = child(item, "NewsComponent")
    lines = next(descendants(component, "NewsLines"), None)
    admin = next(descendants(component, "AdministrativeMetadata"), None)
    described = list(descendants(component, "DescriptiveMetadata"))
    body = _body(_text_item(component))
    provider_id, date_id, item_id = (text(child(identifier, n)) for n in ("ProviderId", "DateId", "NewsItemId"))
    guid = f"urn:newsml:{provider_id}:{date_id}:{item_id}" if provider_id and item_id else \
        text(child(identifier, "PublicIdentifier"))
    instructions = [(_formal(i) or "").lower() for i in children(management, "Instruction")]
    future = child(management, "StatusWillChange")
    status = _formal(child(management, "Status"))
    embargo = parse_when(text(child(future, "DateAndTime"))) if future is not None and \
        (status or "").lower() == "embargoed" else None
    first_created = parse_when(text(child(management, "FirstCreated")))
    usage = [text(limit) for rights in descendants(component, "UsageRights")
             for limit in children(rights, "Limitations")]
    return build_story(
        format="newsml-1", body=body, headline=text(child(lines, "HeadLine")),
        published=first_created,
        version_created=parse_when(text(child(management, "ThisRevisionCreated"))) or (None if first_created else sent),
        source=credit_of(_party(admin, "Source") or _party(admin, "Provider") or text(child(lines, "CreditLine"))),
        located=_located(described) or dateline_place(text(child(lines, "DateLine"))),
        guid=guid, version=version_number(text(child(identifier, "RevisionId"))),
        byline=text(child(lines, "ByLine")),
        summary=None, subjects=_subjects(described),
        keywords=[*[text(k) for k in children(lines, "KeywordLine")],
                  *[attribute(p, "Value") for d in described for p in children(d, "Property")
                    if (attribute(p, "FormalName") or "").lower() == "keyword"]],
        countries=[country_code(attribute(p, "Value")) for d in described for loc in children(d, "Location")
                   for p in descendants(loc, "Property") if (attribute(p, "FormalName") or "").lower() == "country"],
        urgency=urgency(_formal(child(management, "Urgency"))), embargo=embargo, status=status_of(status),
        correction="This story has been corrected." if {"correction", "rectify"} & set(instructions) else None,
        usage_terms="; ".join(u for u in usage if u) or text(child(lines, "RightsLine")),
        images=[*body.images, *_photos(component)],
        language=next((_formal(child(d, "Language")) for d in described if child(d, "Language") is not None), None))


def _party(admin: Element | None, role: str) -> str | None:
    party = child(admin, role, "Party")
    return _formal(party) or text(party)


def _located(described: list[Element]) -> str | None:
    for block in described:
        for location in children(block, "Location"):
            for prop in descendants(location, "Property"):
                if (attribute(prop, "FormalName") or "").lower() == "city" and attribute(prop, "Value"):
                    return attribute(prop, "Value")
    return None


def _subjects(described: list[Element]) -> list[Subject]:
    subjects = []
    for block in described:
        for code in descendants(block, "SubjectCode"):
            for level in code:
                if local(level.tag) in ("Subject", "SubjectMatter", "SubjectDetail") and _formal(level):
                    subjects.append(Subject(_formal(level)))
    return subjects


def _body(item: Element | None) -> Body:
    data = child(item, "DataContent")
    return markup_body(data) if data is not None else finish([])


def _photos(component: Element | None) -> list[Image]:
    """Photo ContentItems (with an Href) and the caption and credit of the component that holds them."""
    images = []
    for holder in descendants(component, "NewsComponent"):
        photos = [c for c in children(holder, "ContentItem") if _is_photo(c) and attribute(c, "Href")]
        if not photos:
            continue
        caption_item = next((c for sub in [holder, *children(holder, "NewsComponent")]
                             for c in children(sub, "ContentItem")
                             if _media_type(c) == "text" and child(c, "DataContent") is not None), None)
        lines = child(holder, "NewsLines")
        images.append(Image(attribute(photos[0], "Href"),
                            alt=clean(text(child(lines, "HeadLine"))),
                            credit=clean(text(child(lines, "CreditLine"))),
                            caption=clean(text(child(caption_item, "DataContent")))))
    return images
