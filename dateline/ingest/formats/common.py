"""What the XML formats share: the story record assembled from the fields each one reads."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from xml.etree.ElementTree import Element

from dateline.ingest.article import escape_markdown
from dateline.ingest.formats.body import Body, blocks_from_text, finish
from dateline.ingest.formats.markup_blocks import blocks_from_markup
from dateline.ingest.formats.story import CANCELED, FORMAT_NAMES, USABLE, WITHHELD, Image, Story, Subject
from dateline.ingest.formats.values import clean, unique
from dateline.ingest.formats.xmlsafe import local
from dateline.ingest.parse import NotWireCopy, WireCopy

_DATES = {"newsml-g2": "no firstCreated or versionCreated", "newsml-1": "no FirstCreated or ThisRevisionCreated",
          "nitf": "no date.issue or pubdata date.publication", "ninjs": "no firstcreated or versioncreated",
          "iptc7901": "no transmission time 'DDHHMM Mon YY' after ETX",
          "anpa1312": "no transmission time such as 'AP-WF-09-29-25 1402GMT' after ETX"}
_STATUS = {"usable": USABLE, "canceled": CANCELED, "cancelled": CANCELED, "withheld": WITHHELD,
           "kill": CANCELED, "killed": CANCELED, "withdrawn": WITHHELD, "embargoed": USABLE}


def status_of(value: str | None) -> str:
    """IPTC pubStatus ('stat:canceled', 'Canceled', 'withheld') -> USABLE, CANCELED or WITHHELD."""
    if not value:
        return USABLE
    return _STATUS.get(value.rpartition(":")[2].rpartition("/")[2].strip().lower(), USABLE)


def qcode_tail(value: str | None) -> str:
    """'ninat:text' -> 'text'; 'http://cv.iptc.org/newscodes/ninature/text' -> 'text'."""
    return (value or "").rstrip("/").rpartition("/")[2].rpartition(":")[2].lower()


def credit_of(value: str | None) -> str | None:
    """A provider code as readers know it: 'nprov:AFP' -> 'AFP', 'afp.com' -> 'AFP', 'Reuters' -> 'Reuters'."""
    value = clean(value)
    if not value:
        return None
    value = value.rpartition(":")[2] if re.match(r"^[\w-]+:[^/]", value) else value
    if re.fullmatch(r"[a-z0-9-]+\.(?:com|org|net|de|es|fr|co\.uk|com\.au)", value):
        value = value.split(".")[0].upper()
    return value


def build_story(*, format: str, body: Body, headline: str | None, published: dt.datetime | None,
                version_created: dt.datetime | None, source: str | None, located: str | None,
                guid: str | None = None, version: int | None = None, byline: str | None = None,
                summary: str | None = None, subjects: Iterable[Subject] = (), keywords: Iterable[str] = (),
                countries: Iterable[str | None] = (), urgency: int | None = None,
                embargo: dt.datetime | None = None, status: str = USABLE, correction: str | None = None,
                usage_terms: str | None = None, images: Iterable[Image] = (), language: str | None = None,
                fallback_date: dt.date | None = None, where: str | None = None) -> Story:
    """The Story, with the plain-text record enrichment reads; raise NotWireCopy when there is nothing to
    publish (no text and no headline) or no date at all."""
    headline = clean(headline)
    summary = clean(summary)
    byline = re.sub(r"^(?:by|von|por|par)\s+", "", clean(byline) or "", flags=re.IGNORECASE) or None
    paragraphs = body.paragraphs or tuple(p for p in (summary, headline) if p)
    if not paragraphs:
        raise NotWireCopy(f"{FORMAT_NAMES[format]}: {where or 'an item'} without a headline or any text")
    when = published or version_created
    date = when.date() if when else fallback_date
    if date is None:
        raise NotWireCopy(f"{FORMAT_NAMES[format]}: {where or 'an item'} without a date ({_DATES[format]})")
    copy = WireCopy(date=date, dateline=clean(located) or body.dateline, source=clean(source) or body.credit,
                    paragraphs=paragraphs, headline=headline)
    markdown = body.markdown or "\n\n".join(escape_markdown(p) for p in paragraphs)
    return Story(copy=copy, format=format, body=markdown, headline=headline, guid=clean(guid), version=version,
                 first_created=published, version_created=version_created, byline=clean(byline),
                 summary=summary, subjects=unique(subjects), keywords=unique(clean(k) for k in keywords),
                 countries=unique(countries), urgency=urgency, embargo=embargo, status=status,
                 correction=clean(correction), usage_terms=clean(usage_terms), images=unique(images),
                 language=clean(language))


def version_number(value: str | None) -> int | None:
    try:
        number = int((value or "").strip())
    except ValueError:
        return None
    return number if number >= 0 else None


def markup_body(holder: Element) -> Body:
    """The body inside an XML container (G2 inlineXML, NewsML 1 DataContent): NITF's body.content, XHTML's
    body, other markup as it is, or plain text when the container holds no elements."""
    if not len(holder):
        return finish(blocks_from_text(holder.text or ""))
    nitf = next((e for e in holder.iter() if local(e.tag) == "body.content"), None)
    html = next((e for e in holder.iter() if local(e.tag) == "body" and e is not holder), None)
    blocks, images = blocks_from_markup(nitf if nitf is not None else html if html is not None else holder)
    return finish(blocks, images)


def dateline_place(dateline: str | None) -> str | None:
    """'STOCKHOLM, Aug 29, 2014 (AFP) -' -> 'STOCKHOLM': the place of a dateline given as a field."""
    return clean((dateline or "").split("(")[0].split(",")[0].strip(" -–—_"))
