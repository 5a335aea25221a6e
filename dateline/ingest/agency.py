"""An agency story's own facts laid over the enrichment's front matter: the agency knows best.

The plain-text path is untouched: a Story of format "text" carries nothing to lay over, so its article is
byte for byte what the importer wrote before agency formats existed.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dateline.config import SiteConfig
from dateline.ingest.article import Draft
from dateline.ingest.formats import Image, Story
from dateline.ingest.write import atomic_write
from dateline.text import slugify

# Where the keys the agency adds go: after the enrichment's key named here (the enrichment's own keys,
# whatever they are, keep their order). "" is before slug and imported_from, at the end of the story's facts.
_AFTER = {"updated": "date", "byline": "source", "subjects": "tags", "keywords": "subjects", "urgency": "",
          "embargo": "", "draft": "", "correction": "", "usage_terms": "", "image": ""}


def agency_fields(fields: dict, story: Story, config: SiteConfig, *, now: dt.datetime,
                  picture: Image | None = None, first_date: object = None, killed: bool = False) -> dict:
    """FIELDS (from the enrichment) with the agency's headline, dates, places, subjects and notes.
    PICTURE: the story's first picture where the site has it (local_image), for `image:`. FIRST_DATE: the
    `date` of the article an earlier version became, which a newer version keeps. KILLED: the agency killed
    the story before it arrived (a draft, then)."""
    merged = dict(fields)
    if story.headline:
        merged["title"], merged["title_derived"] = story.headline, False
    published = story.published
    if published is not None:
        merged["date"] = published
        if story.version_created and story.version_created > published:
            merged["updated"] = story.version_created
    if first_date is not None:
        merged["date"] = first_date
        if story.version_created is not None:
            merged["updated"] = story.version_created
    for key, value in (("byline", story.byline), ("summary", story.summary), ("urgency", story.urgency),
                       ("correction", story.correction), ("usage_terms", story.usage_terms)):
        if value:
            merged[key] = value
    merged["countries"] = list(dict.fromkeys([*story.countries, *fields.get("countries", [])]))
    if "mentioned_countries" in fields:  # a country the agency files the story under is not merely mentioned
        mentioned = [code for code in fields["mentioned_countries"] if code not in merged["countries"]]
        if mentioned:
            merged["mentioned_countries"] = mentioned
        else:
            del merged["mentioned_countries"]
    mapped = [config.import_.subjects.get(s.code) or config.import_.subjects.get(s.bare_code)
              for s in story.subjects]
    tags = list(dict.fromkeys([t for t in mapped if t] + list(fields.get("tags", []))))
    merged["tags"] = tags[:max(config.import_.max_tags, sum(1 for t in mapped if t))]
    unmapped = {s.code: s.name or "" for s, tag in zip(story.subjects, mapped, strict=True) if not tag}
    if unmapped:
        merged["subjects"] = unmapped
    if story.keywords:
        merged["keywords"] = list(story.keywords)
    if story.embargo is not None and is_after(story.embargo, now):
        merged["embargo"] = story.embargo
        merged["draft"] = True  # until its time: lift_embargoes() publishes it on an import after that
    if killed:
        merged["draft"] = True
    if picture is not None:
        merged["image"] = image_field(picture)
    return _ordered(merged, list(fields))


def agency_text(story: Story, draft: Draft) -> tuple[str, str]:
    """The title and Markdown body of the article STORY becomes (DRAFT: the enrichment's): the agency's
    headline and body where it gives them. For a story of plain text, DRAFT's own."""
    return story.headline or draft.title, story.body or draft.body


def _ordered(merged: dict, original: list[str]) -> dict:
    """MERGED's keys in the enrichment's order (ORIGINAL), each key the agency added placed after its anchor."""
    order = [key for key in original if key in merged]
    tail = [key for key in ("slug", "imported_from") if key in order]
    order = [key for key in order if key not in tail]
    for key in _AFTER:
        if key in merged and key not in order:
            anchor = _AFTER[key]
            while anchor and anchor not in order:
                anchor = _AFTER.get(anchor, "")
            order.insert(order.index(anchor) + 1 if anchor else len(order), key)
    order += [key for key in merged if key not in order and key not in tail] + tail
    return {key: merged[key] for key in order}


PICTURE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"}
MAX_PICTURE_BYTES = 20 * 1024 * 1024


def local_image(image: Image, source: Path, site_dir: Path) -> Image:
    """A picture delivered beside the agency file, copied to the site's static/images/ (never over another
    file, never from outside that folder); a URL, or a picture not delivered, is kept as the agency named it."""
    href = image.href
    if "://" in href or href.startswith(("/", "\\")) or ":" in href.split("/")[0]:
        return image
    folder = source.parent.resolve()
    picture = (folder / href).resolve()
    if not picture.is_relative_to(folder) or picture.suffix.lower() not in PICTURE_SUFFIXES or \
            not picture.is_file() or picture.stat().st_size > MAX_PICTURE_BYTES:
        return image
    data = picture.read_bytes()
    stem, suffix = slugify(picture.stem, max_length=60) or "picture", picture.suffix.lower()
    for attempt in range(1, 1000):
        target = site_dir / "static" / "images" / (f"{stem}{suffix}" if attempt == 1 else f"{stem}-{attempt}{suffix}")
        if (target.is_file() and target.read_bytes() == data) or atomic_write(target, data, exclusive=True):
            return Image(target.relative_to(site_dir).as_posix(), image.alt, image.credit, image.caption)
    return image


def image_field(image: Image) -> dict:
    return {key: value for key, value in (("src", image.href), ("alt", image.alt), ("credit", image.credit),
                                          ("caption", image.caption)) if value}


def is_after(when: dt.datetime, now: dt.datetime) -> bool:
    """Whether WHEN is later than NOW; a naive WHEN is taken as UTC (agencies that omit the zone send UTC)."""
    return (when if when.tzinfo else when.replace(tzinfo=dt.UTC)) > now


def import_record(story: Story, index: int | None) -> dict:
    """What imported_from adds for an agency story: how to find it again when a new version arrives."""
    record: dict = {"format": story.format}
    if index is not None:
        record["item"] = index
    if story.guid:
        record["guid"] = story.guid
    if story.version is not None:
        record["version"] = story.version
    if story.version_created is not None:
        record["version_created"] = story.version_created.isoformat()
    return record
