"""NITF 3.x (IPTC's News Industry Text Format) -> one story.

Read: head (title, docdata: doc-id, urgency, date.issue, date.release, management-status, ed-msg, du-key,
doc.rights, key-list, identified-content; tobject.subject; pubdata), body.head (hedline, byline,
distributor, dateline with location, abstract, rights) and body.content (paragraphs, lists, tables, media).
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from dateline.ingest.formats.body import finish
from dateline.ingest.formats.common import build_story, credit_of, dateline_place, status_of, version_number
from dateline.ingest.formats.markup_blocks import blocks_from_markup
from dateline.ingest.formats.story import Story, Subject
from dateline.ingest.formats.values import clean, country_code, parse_when, urgency
from dateline.ingest.formats.xmlsafe import attribute, child, children, descendants, local, text
from dateline.ingest.parse import NotWireCopy


def parse_nitf(root: Element) -> list[Story]:
    if local(root.tag) != "nitf":
        raise NotWireCopy(f"not NITF: the root element is <{local(root.tag)}>", 1)
    head = child(root, "head")
    docdata = child(head, "docdata")
    body_head = child(root, "body", "body.head")
    content = child(root, "body", "body.content")
    blocks, images = blocks_from_markup(content) if content is not None else ([], [])
    body = finish(blocks, images)
    location = child(body_head, "dateline", "location")
    city = text(child(location, "city")) or text(child(location, "sublocation")) or text(location)
    region = text(child(location, "state")) or text(child(location, "region"))
    located = f"{city}, {region}" if city and region and city != region else city
    if located is None:
        located = dateline_place(text(child(body_head, "dateline")))
    issued = parse_when(attribute(child(docdata, "date.issue"), "norm"))
    published = parse_when(attribute(child(head, "pubdata"), "date.publication"))
    doc_id = child(docdata, "doc-id")
    du_key = child(docdata, "du-key")
    messages = [(attribute(m, "msg-type") or "", attribute(m, "info") or text(m) or "")
                for m in children(docdata, "ed-msg")]
    correction = next((info for kind, info in messages if "correct" in kind.lower() and info), None)
    rights = child(docdata, "doc.rights")
    usage = attribute(rights, "limitations") or attribute(rights, "usage") or \
        text(child(body_head, "rights")) or attribute(child(docdata, "doc.copyright"), "holder")
    status = attribute(docdata, "management-status")
    return [build_story(
        format="nitf", body=body,
        headline=text(child(body_head, "hedline", "hl1")) or text(child(head, "title")),
        published=published, version_created=issued,
        source=credit_of(text(child(body_head, "distributor")) or attribute(doc_id, "regsrc")
                         or attribute(child(docdata, "doc.copyright"), "holder")),
        located=located, guid=attribute(doc_id, "id-string"),
        version=version_number(attribute(du_key, "version")),
        byline=_byline(body_head), summary=text(child(body_head, "abstract")),
        subjects=_subjects(head), keywords=[attribute(k, "key") for k in descendants(docdata, "keyword")],
        countries=_countries(head, location), urgency=urgency(attribute(child(docdata, "urgency"), "ed-urg")),
        embargo=parse_when(attribute(child(docdata, "date.release"), "norm")),
        status=status_of(status), correction=correction, usage_terms=usage, images=body.images,
        language=attribute(root, "lang") or attribute(child(root, "body"), "lang"))]


def _byline(body_head: Element | None) -> str | None:
    lines = children(body_head, "byline")
    if not lines:
        return None
    byline = lines[0]
    # "By <person>Jane Doe</person><byttl>AP Writer</byttl>": the name, not the title
    titled = child(byline, "byttl")
    whole = text(byline)
    if titled is not None and whole and text(titled):
        whole = whole.replace(text(titled), "").strip(" ,")
    return whole


def _subjects(head: Element | None) -> list[Subject]:
    subjects = []
    for subject in descendants(head, "tobject.subject"):
        code = attribute(subject, "tobject.subject.refnum")
        if code:
            name = attribute(subject, "tobject.subject.detail") or attribute(subject, "tobject.subject.matter") or \
                attribute(subject, "tobject.subject.type")
            subjects.append(Subject(code, clean(name)))
    return subjects


def _countries(head: Element | None, location: Element | None) -> list[str | None]:
    codes: list[str | None] = []
    for country in [*descendants(location, "country"), *descendants(head, "country")]:
        codes.append(country_code(attribute(country, "iso-cc")) or country_code(text(country)))
    return codes
