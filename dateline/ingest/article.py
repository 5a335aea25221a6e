"""WireCopy + enrichment -> the text of a Markdown article with YAML front matter."""

from __future__ import annotations

import re
from collections.abc import Sequence

import yaml

from dateline.config import SiteConfig
from dateline.ingest.countries import detect_countries, place_display
from dateline.ingest.parse import WireCopy, dateline_display
from dateline.ingest.tag_model import LEARNED_KEY
from dateline.ingest.tags import tags_and_learned
from dateline.ingest.title import derive_title
from dateline.ingest.words import sentences
from dateline.text import slugify

SLUG_LENGTH = 60

# Characters python-markdown treats as markup anywhere in a line, escaped with a backslash (it
# accepts \` \* \_ \{ \} \[ \] \\ as literal characters). "<" and "&" cannot be backslash-escaped:
# they become entities, so "<b>" and "&copy;" in wire copy show as typed.
_INLINE = re.compile(r"([\\`*_{}\[\]])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
# At the start of a paragraph these open a heading, quote, list, rule, table cell, definition or
# code fence; escaping the first character keeps the paragraph a paragraph.
_BLOCK_START = re.compile(r"^(?:[#>+\-=|:~]|\d+[.)](?=\s|$))")


def escape_markdown(paragraph: str) -> str:
    """Wire text as Markdown that renders literally, one paragraph on one line."""
    text = _INLINE.sub(r"\\\1", paragraph)
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;")
    block = _BLOCK_START.match(text)
    if block:
        first = block.group()
        if first[0].isdigit():  # "1. Rates rose": escape the full stop, not the digits
            text = first[:-1] + "\\" + first[-1] + text[len(first):]
        elif first in "|:~=":  # not backslash-escapable in python-markdown: use the character reference
            text = f"&#{ord(first)};" + text[1:]
        else:
            text = "\\" + text
    return text


def dateline_of(raw: str) -> str:
    """'SAO PAULO' -> 'São Paulo', 'PORTLAND, Ore.' -> 'Portland, Ore.'."""
    city, comma, region = dateline_display(raw).partition(",")
    return place_display(city) + comma + region


def summary_of(copy: WireCopy) -> str:
    return (sentences(copy.lead) or [copy.lead])[0]


def front_matter(copy: WireCopy, *, file_name: str, sha256: str, slug: str, title: str,
                 config: SiteConfig, learned_tags: Sequence[str] = ()) -> dict:
    """The front matter fields, in the order an editor reads them; absent facts are left out.

    LEARNED_TAGS (from the site's archive) join the keyword-rule tags; those written are listed again
    under tags_learned, so an editor can tell the guesses (see learned_tags.py).
    """
    fields: dict = {"title": title, "title_derived": True, "date": copy.date}
    if copy.dateline:
        fields["dateline"] = dateline_of(copy.dateline)
    if copy.source:
        fields["source"] = copy.source
    fields["countries"] = detect_countries(copy.paragraphs, copy.dateline)
    fields["tags"], learned = tags_and_learned(copy.paragraphs, config.topics, max_tags=config.import_.max_tags,
                                               name_tags=config.import_.name_tags, learned=learned_tags)
    if learned:
        fields[LEARNED_KEY] = learned
    fields["summary"] = summary_of(copy)
    fields["slug"] = slug
    fields["imported_from"] = {"file": file_name, "sha256": sha256}
    return fields


def render_article(fields: dict, paragraphs: Sequence[str]) -> str:
    head = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1_000_000)
    body = "\n\n".join(escape_markdown(p) for p in paragraphs)
    return f"---\n{head}---\n\n{body}\n"


def title_and_slug(copy: WireCopy) -> tuple[str, str]:
    title = derive_title(copy.lead)
    return title, slugify(title, max_length=SLUG_LENGTH)
