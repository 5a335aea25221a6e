"""The record every format's parser returns: one story, as the agency describes it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateline.ingest.parse import WireCopy

USABLE, CANCELED, WITHHELD = "usable", "canceled", "withheld"  # IPTC pubStatus, lower case
FORMAT_NAMES = {"newsml-g2": "NewsML-G2", "newsml-1": "NewsML 1.x", "nitf": "NITF", "ninjs": "ninjs",
                "iptc7901": "IPTC 7901", "anpa1312": "ANPA 1312", "text": "plain wire copy"}


@dataclass(frozen=True)
class Subject:
    code: str  # as the agency qualifies it: "medtop:20000568", "subj:04016007", or a bare "04016007"
    name: str | None = None

    @property
    def bare_code(self) -> str:
        """'subj:04016007' -> '04016007': how site.yaml's import.subjects names a code."""
        return self.code.rpartition(":")[2] if "://" not in self.code else self.code.rstrip("/").rpartition("/")[2]


@dataclass(frozen=True)
class Image:
    href: str  # a URL, or a file name relative to the agency file
    alt: str | None = None
    credit: str | None = None
    caption: str | None = None


@dataclass(frozen=True)
class Story:
    """One story. `copy` is what the plain-text parser gives and what enrichment reads (date, dateline as
    written, source, plain paragraphs); the rest is what an agency format adds. Absent facts are None/()."""

    copy: WireCopy
    format: str  # "text", "newsml-g2", "newsml-1", "nitf", "ninjs", "iptc7901", "anpa1312"
    body: str | None = None  # Markdown (lists and tables kept); None: the plain paragraphs are the body
    headline: str | None = None
    guid: str | None = None  # the agency's id, the same for every version of the story
    version: int | None = None
    first_created: dt.datetime | None = None  # aware when the agency gives an offset
    version_created: dt.datetime | None = None
    byline: str | None = None
    summary: str | None = None
    subjects: tuple[Subject, ...] = ()
    keywords: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()  # ISO 3166-1 alpha-2, in the agency's order
    urgency: int | None = None  # 1 (flash) .. 9 (lowest), as IPTC counts
    embargo: dt.datetime | None = None
    status: str = USABLE
    correction: str | None = None
    usage_terms: str | None = None
    images: tuple[Image, ...] = ()
    language: str | None = None

    @property
    def published(self) -> dt.datetime | None:
        return self.first_created or self.version_created
