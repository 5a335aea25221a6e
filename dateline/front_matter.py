"""An article's front matter checked field by field, and its body rendered: SourceText -> ArticleFields.

Every problem is an error with the file and the line of its key. Apart from content.py, which reads the
files (article_files.py) on every core, from the article cache when it can, and gives the articles their URLs
and order.
"""

from __future__ import annotations

import functools
import re
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from markupsafe import Markup

from dateline.article_files import SourceText
from dateline.config import SiteConfig
from dateline.errors import SourceError
from dateline.fingerprint import text_digest
from dateline.kinds import KINDS, read_values
from dateline.markup import MarkdownRenderer, first_paragraph_text
from dateline.model import ArticleFields
from dateline.text import NOT_XML, clean_text, slugify
from dateline.urls import media_reference
from dateline.yamlutil import UniqueKeyLoader, error_line, read_nodes, simple_mapping

# The keys every article may have; the site's taxonomies add theirs (SiteConfig.taxonomies). Others go to `extra`.
KNOWN_KEYS = frozenset({"title", "date", "dateline", "source", "summary", "slug", "draft", "updated", "correction",
                        "lead", "priority", "urgency", "image", "image_alt", "language", "translation_key"})
PRIORITIES = range(1, 10)  # 1 the most urgent, as wire services' urgency (IPTC 7901, NewsML-G2) counts
_SLUG = re.compile(r"^[\w][\w-]*$")


class _FrontMatterLoader(UniqueKeyLoader):
    """Front matter loader that leaves dates as text, so an impossible date gets our message and line."""

    line_offset = 1  # the opening '---'


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in UniqueKeyLoader.yaml_implicit_resolvers.items()
}


def parse_article(source: SourceText, config: SiteConfig, renderer: MarkdownRenderer) -> ArticleFields:
    """Check the front matter of one article; raise SourceError on the first problem.

    Problems are reported one per article: after a broken field the rest cannot be trusted.
    """
    path = source.path
    data, key_lines = read_front_matter(source)

    def fail(key: str, message: str) -> SourceError:
        return SourceError(path, message, key_lines.get(key, 2))

    title = _text(data, "title", fail)
    if not title:
        raise fail("title", "missing 'title': every article needs a title")
    if "date" not in data or data["date"] in (None, ""):
        raise fail("date", "missing 'date': give the publication date, e.g. date: 2025-09-11")
    published, has_time = parse_date(data["date"], config.zone, lambda m: fail("date", m))
    updated = None
    if data.get("updated") not in (None, ""):
        updated, _ = parse_date(data["updated"], config.zone, lambda m: fail("updated", m))
    if isinstance(data.get("slug"), str) and NOT_XML.search(data["slug"]):  # a URL is never silently changed
        raise fail("slug", f"slug {data['slug']!r} may only contain letters, digits and hyphens")
    slug = _text(data, "slug", fail) or slugify(title)
    if not _SLUG.match(slug):
        raise fail("slug", f"slug {slug!r} may only contain letters, digits and hyphens")
    draft, lead = (_flag(data, key, fail) for key in ("draft", "lead"))
    # the editor's priority, else the urgency an agency's copy came with (the importer writes it)
    priority, urgency = (_priority(data, key, fail) for key in ("priority", "urgency"))
    image, image_alt, image_caption, image_credit = _image(data, fail)
    terms = _terms(data, config, fail)
    language = _language(data, config, draft, fail)
    translation_key = _text(data, "translation_key", fail)
    body_html = renderer.render(source.body)
    summary = _text(data, "summary", fail) or first_paragraph_text(body_html)
    return ArticleFields(
        source_digest=text_digest(source.front_matter, source.body),
        title=title,
        date=published,
        has_time=has_time,
        slug=slug,
        body_html=Markup(body_html),  # the one copy of the body: views show this very object
        summary=summary,
        dateline=_text(data, "dateline", fail),
        source=_text(data, "source", fail),
        terms=terms,
        updated=updated,
        correction=_text(data, "correction", fail),
        draft=draft,
        lead=lead,
        priority=priority if priority is not None else urgency,
        image=image,
        image_alt=image_alt,
        image_caption=image_caption,
        image_credit=image_credit,
        extra={k: v for k, v in data.items() if k not in KNOWN_KEYS and k not in terms},
        language=language,
        translation_key=translation_key,
    )


def _language(data: dict, config: SiteConfig, draft: bool, fail) -> str:
    """Front matter's `language`, else the site's; on a multilingual site, one of its languages (but for a
    draft, which no language's pages show: the importer writes copy in a language the site lacks as one)."""
    language = _text(data, "language", fail) or config.language
    if config.languages and not draft and language not in {declared.code for declared in config.languages}:
        codes = ", ".join(declared.code for declared in config.languages)
        raise fail("language", f"language {language!r} is not one of the site's languages ({codes}): write one of "
                               f"them, or add {language} under 'languages:' in site.yaml")
    return language


def _terms(data: dict, config: SiteConfig, fail) -> dict[str, tuple[str, ...]]:
    """The values of every key the site's taxonomies file articles by, read by each taxonomy's kind. A term
    in both tiers of a taxonomy counts as the first: an editor moves a mentioned country up by adding it to
    `countries`, and it leaves `mentioned_countries`."""
    terms: dict[str, tuple[str, ...]] = {}
    for taxonomy in config.taxonomies:
        kind = KINDS[taxonomy.kind]
        own = terms[taxonomy.field] = read_values(kind, taxonomy.field, data.get(taxonomy.field),
                                                  functools.partial(fail, taxonomy.field))
        if taxonomy.mentioned_field:
            first = {kind.key(value) for value in own}
            mentioned = read_values(kind, taxonomy.mentioned_field, data.get(taxonomy.mentioned_field),
                                    functools.partial(fail, taxonomy.mentioned_field))
            terms[taxonomy.mentioned_field] = tuple(value for value in mentioned if kind.key(value) not in first)
    return terms


def read_front_matter(source: SourceText) -> tuple[dict, dict[str, int]]:
    """The front matter's data and each key's line in the file; raise SourceError if it is not a mapping."""
    simple = simple_mapping(source.front_matter, _FrontMatterLoader)
    if simple is not None:
        data, lines = simple
        return data, {key: line + 2 for key, line in lines.items()}
    try:
        node, data = read_nodes(source.front_matter, _FrontMatterLoader)
    except yaml.YAMLError as exc:
        line, message = error_line(exc, source.front_matter)
        raise SourceError(source.path, f"invalid front matter: {message}", (line or 0) + 1) from None
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise SourceError(source.path, "the front matter must be 'key: value' lines (a YAML mapping)", 2)
    return data, {str(k.value): k.start_mark.line + 2 for k, _ in node.value}


def _text(data: dict, key: str, fail) -> str:
    value = data.get(key)
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise fail(key, f"'{key}' must be text")
    return clean_text(value)  # YAML escapes ("\u0007") can produce the characters XML forbids too


def _flag(data: dict, key: str, fail) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise fail(key, f"'{key}' must be true or false, not {value!r}")
    return value


def _priority(data: dict, key: str, fail) -> int | None:
    value = data.get(key)
    if value is not None and (type(value) is not int or value not in PRIORITIES):
        raise fail(key, f"'{key}' must be a whole number from 1 (the most urgent) to 9, not {value!r}")
    return value


def _image(data: dict, fail) -> tuple[str, str, str, str]:
    """front matter's image as (src, alt, caption, credit): `image: static/photos/x.jpg` (or an http(s) URL)
    with `image_alt:`, or the mapping the agency importer writes, {src, alt, caption, credit}, whose src may
    name a picture the agency did not deliver: then there is no image, and no error either."""
    value = data.get("image")
    alt = _text(data, "image_alt", fail)
    if isinstance(value, dict):
        parts = {key: _text(value, key, lambda key, message: fail("image", message.replace(key, f"image.{key}")))
                 for key in ("src", "alt", "caption", "credit")}
        try:
            src = media_reference(parts["src"])
        except ValueError:
            return "", "", "", ""
        return src, alt or parts["alt"], parts["caption"], parts["credit"]
    try:
        return media_reference(_text(data, "image", fail)), alt, "", ""
    except ValueError as exc:
        raise fail("image", f"'image' {exc}") from None


def parse_date(value: Any, zone: ZoneInfo, fail) -> tuple[datetime, bool]:
    """An aware datetime from an ISO date or datetime; a date alone or a naive time is in the site's zone."""
    if isinstance(value, (datetime, date)):  # a date written unquoted by a YAML tool
        value = value.isoformat()
    if not isinstance(value, str):
        raise fail(f"date {value!r} is not a date; write it as 2025-09-11 or 2025-09-11T14:05:00+03:00")
    text = value.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return datetime.combine(date.fromisoformat(text), time(0), zone), False
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError as exc:
        raise fail(f"invalid date {text!r} ({exc}); write it as 2025-09-11 or 2025-09-11T14:05:00+03:00") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    try:
        return parsed.astimezone(zone), True
    except OverflowError:  # 0001-01-01T00:00+14:00 or 9999-12-31T23:59-12:00 in the site's zone
        raise fail(f"date {text!r} is out of range; write a date between the years 1 and 9999") from None

