"""IPTC NewsML-G2 (newsItem, packageItem, newsMessage) -> stories: each text item, with its package's pictures.

Read: itemMeta (provider, firstCreated, versionCreated, embargoed, pubStatus, signal, edNote), contentMeta
(urgency, located, infoSource, creator/by, dateline, subject, keyword, headline, description, language),
rightsInfo/usageTerms, and the text in contentSet: inlineXML (XHTML or NITF) or inlineData.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element

from dateline.ingest.formats.body import Body, blocks_from_text, finish
from dateline.ingest.formats.common import build_story, credit_of, markup_body, qcode_tail, status_of, version_number
from dateline.ingest.formats.story import Image, Story, Subject
from dateline.ingest.formats.values import clean, country_code, parse_when, urgency
from dateline.ingest.formats.xmlsafe import attribute, child, children, descendants, local, namespace, text
from dateline.ingest.parse import NotWireCopy

NAMESPACE = "http://iptc.org/std/nar/2006-10-01/"
ROOTS = ("newsItem", "packageItem", "newsMessage")
_COUNTRY_SCHEMES = ("iso3166-1a2", "iso3166-1a3", "iso3166")


def parse_newsml_g2(root: Element) -> list[Story]:
    if namespace(root.tag) != NAMESPACE or local(root.tag) not in ROOTS:
        raise NotWireCopy(f"not NewsML-G2: the root element is <{local(root.tag)}>", 1)
    if local(root.tag) == "newsMessage":
        items = [i for i in child(root, "itemSet") or [] if local(i.tag) in ("newsItem", "packageItem")]
    else:
        items = [root]
    news_items = [i for i in items if local(i.tag) == "newsItem"]
    pictures = {attribute(i, "guid"): _picture(i) for i in news_items if _item_class(i) in ("picture", "graphic")}
    # a package lends the pictures it groups to the text items it groups
    pictures_of: dict[str, list[Image]] = {}
    for package in (i for i in items if local(i.tag) == "packageItem"):
        refs = [attribute(r, "residref") for r in descendants(package, "itemRef")]
        images = [pictures[r] for r in refs if pictures.get(r) is not None]
        for ref in refs:
            pictures_of.setdefault(ref or "", []).extend(images)
    texts = [i for i in news_items if _item_class(i) in ("text", "")]
    if not texts:
        what = "a package whose text items are not in the file" if any(
            local(i.tag) == "packageItem" for i in items) else "no text item"
        raise NotWireCopy(f"NewsML-G2 with {what}: nothing to import")
    return [_story(item, pictures_of.get(attribute(item, "guid") or "", [])) for item in texts]


def _item_class(item: Element) -> str:
    return qcode_tail(attribute(child(item, "itemMeta", "itemClass"), "qcode"))


def _name(element: Element | None) -> str | None:
    """A G2 concept's name: its <name> child, else its literal, else its qcode's code."""
    if element is None:
        return None
    return text(child(element, "name")) or attribute(element, "literal") or \
        (attribute(element, "qcode") or "").rpartition(":")[2] or None


def _story(item: Element, package_images: list[Image]) -> Story:
    meta = child(item, "itemMeta")
    content = child(item, "contentMeta")
    rights = child(item, "rightsInfo")
    located = child(content, "located")
    body = _body(item)
    source = next((_name(s) for s in children(content, "infoSource")
                   if qcode_tail(attribute(s, "role")) in ("source", "originatingsource", "")), None)
    provider = credit_of(_name(child(meta, "provider")))
    signals = [qcode_tail(attribute(s, "qcode")) for s in children(meta, "signal")]
    ed_note = text(child(meta, "edNote"))
    headlines = children(content, "headline")
    headline = next((text(h) for h in headlines if qcode_tail(attribute(h, "role")) in ("main", "")), None) or \
        (text(headlines[0]) if headlines else None) or text(child(meta, "title"))
    summaries = children(content, "description")
    summary = next((text(d) for d in summaries if qcode_tail(attribute(d, "role")) in ("summary", "abstract", "")),
                   None)
    return build_story(
        format="newsml-g2", body=body, headline=headline,
        published=parse_when(text(child(meta, "firstCreated"))) or parse_when(text(child(content, "contentCreated"))),
        version_created=parse_when(text(child(meta, "versionCreated"))),
        source=credit_of(source) or provider, located=_name(located), guid=attribute(item, "guid"),
        version=version_number(attribute(item, "version")),
        byline=text(child(content, "by")) or "; ".join(filter(None, (_name(c) for c in children(content, "creator"))))
        or None,
        summary=summary, subjects=_subjects(content), keywords=[text(k) for k in children(content, "keyword")],
        countries=_countries(content), urgency=urgency(text(child(content, "urgency"))),
        embargo=parse_when(text(child(meta, "embargoed"))), status=status_of(attribute(child(meta, "pubStatus"),
                                                                                         "qcode")),
        correction=(ed_note or "This story has been corrected.") if "correction" in signals else None,
        usage_terms=text(child(rights, "usageTerms")),
        images=[*body.images, *package_images], language=attribute(child(content, "language"), "tag")
        or attribute(item, "lang"))


def _body(item: Element) -> Body:
    content_set = child(item, "contentSet")
    for holder in content_set if content_set is not None else []:
        kind = local(holder.tag)
        if kind == "inlineXML":
            return markup_body(holder)
        if kind == "inlineData":
            return finish(blocks_from_text(holder.text or ""))
    return finish([])


def _subjects(content: Element | None) -> list[Subject]:
    subjects = []
    for subject in children(content, "subject"):
        qcode = attribute(subject, "qcode") or attribute(subject, "uri")
        if not qcode or qcode.partition(":")[0].lower() in _COUNTRY_SCHEMES or \
                qcode_tail(attribute(subject, "type")) in ("geoarea", "poi"):
            continue
        subjects.append(Subject(qcode, clean(text(child(subject, "name")))))
    return subjects


def _countries(content: Element | None) -> list[str | None]:
    """Country codes from located (and its broader places) and geographic subjects, in that order."""
    codes: list[str | None] = []
    concepts = [*children(content, "located"), *children(content, "subject")]
    for concept in concepts:
        for place in [concept, *descendants(concept, "broader"), *descendants(concept, "sameAs")]:
            qcode = attribute(place, "qcode") or ""
            if qcode.partition(":")[0].lower() in _COUNTRY_SCHEMES:
                codes.append(country_code(qcode))
            elif qcode_tail(attribute(place, "type")) == "country":
                codes.append(country_code(_name(place)))
    return codes


def _picture(item: Element) -> Image | None:
    """A picture newsItem: its best rendition's href, caption, alt text and credit line."""
    content = child(item, "contentMeta")
    remote = children(child(item, "contentSet"), "remoteContent")
    preferred = sorted(remote, key=lambda r: qcode_tail(attribute(r, "rendition")) not in ("highres", "web",
                                                                                           "original"))
    href = next((attribute(r, "href") for r in preferred if attribute(r, "href")), None)
    if not href:
        return None
    descriptions = {qcode_tail(attribute(d, "role")): text(d) for d in children(content, "description")}
    return Image(href, alt=clean(descriptions.get("alternativetext") or descriptions.get("alttext")),
                 credit=clean(text(child(content, "creditline")) or _name(child(content, "creator"))),
                 caption=clean(descriptions.get("caption") or text(child(content, "headline"))))
