"""content/articles/**/*.md -> Article: front matter checked field by field, body rendered."""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from markupsafe import Markup

from dateline.cache import ArticleCache
from dateline.config import SiteConfig
from dateline.errors import DatelineError, SourceError
from dateline.fileio import read_bytes
from dateline.fingerprint import text_digest
from dateline.kinds import KINDS, read_values
from dateline.layout import ARTICLES_DIR
from dateline.markup import MarkdownRenderer, first_paragraph_text
from dateline.model import Article, ArticleFields
from dateline.parallel import map_chunks
from dateline.text import NOT_XML, clean_text, slugify
from dateline.urls import media_reference, permalink
from dateline.yamlutil import UniqueKeyLoader, error_line, read_nodes, simple_mapping

# The keys every article may have; the site's taxonomies add theirs (SiteConfig.taxonomies). Others go to `extra`.
KNOWN_KEYS = frozenset({"title", "date", "dateline", "source", "summary", "slug", "draft", "updated", "correction",
                        "lead", "priority", "urgency", "image", "image_alt", "language", "translation_key"})
PRIORITIES = range(1, 10)  # 1 the most urgent, as wire services' urgency (IPTC 7901, NewsML-G2) counts
_SLUG = re.compile(r"^[\w][\w-]*$")
# The longest real news articles are a few hundred KB; a bigger file is a mistake (a data dump, a pasted
# log) whose rendering would take minutes and whose page nobody could read.
MAX_ARTICLE_BYTES = 5 * 1024 * 1024
_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")


class _FrontMatterLoader(UniqueKeyLoader):
    """Front matter loader that leaves dates as text, so an impossible date gets our message and line."""

    line_offset = 1  # the opening '---'


_FrontMatterLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in UniqueKeyLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True)
class SourceText:
    """An article file split into its front matter and Markdown body."""

    path: Path
    front_matter: str
    body: str


ScannedFile = tuple[str, str, os.stat_result]  # path, path relative to content/articles, stat


def scan_article_files(site_dir: Path) -> list[ScannedFile]:
    """(path, path relative to content/articles, stat) of every article file, sorted by relative path.

    Hidden files and folders (editor backups, .git) are ignored."""
    root = site_dir / ARTICLES_DIR
    found: list[ScannedFile] = []
    pending = [(str(root), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                pending.append((entry.path, f"{prefix}{entry.name}/"))
            elif entry.name.endswith(".md") and entry.is_file():
                found.append((entry.path, prefix + entry.name, entry.stat()))  # Path() only when needed
    found.sort(key=lambda item: item[1])
    return found


def split_front_matter(path: Path, raw: bytes) -> SourceText:
    """Split '---' front matter from the body; raise SourceError if the file is not an article."""
    if len(raw) > MAX_ARTICLE_BYTES:
        raise SourceError(path, f"the file is {len(raw) / 1024 / 1024:.1f} MB; an article may be at most "
                                f"{MAX_ARTICLE_BYTES // 1024 // 1024} MB: is this really an article?", None)
    if b"\x00" in raw:
        raise SourceError(path, "this is a binary file, not a Markdown article", None)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(path, f"not valid UTF-8 text (byte {exc.start}); save the file as UTF-8", line) from None
    text = NOT_XML.sub("", text)
    lines = text.splitlines(keepends=True)
    if not text.strip():
        raise SourceError(path, "the file is empty; an article needs front matter with a title and a date", 1)
    if not lines or lines[0].strip() != "---":
        raise SourceError(path, "an article must start with a '---' line, then its front matter "
                                "(title, date...), then another '---' line", 1)
    for index in range(1, len(lines)):
        if _FENCE.match(lines[index].rstrip("\r\n")):
            return SourceText(path, "".join(lines[1:index]), "".join(lines[index + 1:]))
    raise SourceError(path, "the front matter is never closed: add a '---' line after it", 1)


def parse_article(source: SourceText, config: SiteConfig, renderer: MarkdownRenderer) -> ArticleFields:
    """Check the front matter of one article; raise SourceError on the first problem.

    Problems are reported one per article: after a broken field the rest cannot be trusted.
    """
    path = source.path
    data, key_lines = _front_matter(source)

    def fail(key: str, message: str) -> SourceError:
        return SourceError(path, message, key_lines.get(key, 2))

    title = _text(data, "title", fail)
    if not title:
        raise fail("title", "missing 'title': every article needs a title")
    if "date" not in data or data["date"] in (None, ""):
        raise fail("date", "missing 'date': give the publication date, e.g. date: 2025-09-11")
    published, has_time = _parse_date(data["date"], config.zone, lambda m: fail("date", m))
    updated = None
    if data.get("updated") not in (None, ""):
        updated, _ = _parse_date(data["updated"], config.zone, lambda m: fail("updated", m))
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


def _front_matter(source: SourceText) -> tuple[dict, dict[str, int]]:
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


def _parse_date(value: Any, zone: ZoneInfo, fail) -> tuple[datetime, bool]:
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


def load_articles(site_dir: Path, config: SiteConfig, *, drafts: bool, cache: ArticleCache | None = None,
                  scan: list[tuple[str, str, tuple[int, int, int]]] | None = None,
                  published_before: datetime | None = None,
                  on_progress: Callable[[int, int], None] | None = None) -> LoadedArticles:
    """Every published article of the site, newest first, and warnings; raise DatelineError with all errors.

    Files whose (mtime, size, inode) match the cache are not parsed again; the others are parsed
    on every core when there are many (a cold build). With PUBLISHED_BEFORE, later-dated articles
    are left out (a production build does not publish embargoed stories early).
    """
    errors: list[SourceError] = []
    # by the file's path as a string: making and hashing 10,000 Path objects took 50 ms before the readers start
    fields_by_path: dict[str, ArticleFields] = {}
    signatures: dict[str, tuple[str, tuple[int, int, int]]] = {}
    to_parse: list[str] = []
    if scan is None:  # (path, relative path, signature) of every file, as incremental.scan_records.ArticleScan gives
        scan = [(path, key, ArticleCache.signature(stat)) for path, key, stat in scan_article_files(site_dir)]
    for path, key, signature in scan:
        signatures[path] = (key, signature)
        cached = cache.get(key, signatures[path][1]) if cache else None
        if cached is not None:
            fields_by_path[path] = cached
        else:
            to_parse.append(path)
    for path, outcome in zip(to_parse, map_chunks(functools.partial(_parse_files, config=config), to_parse,
                                                            on_progress=on_progress),
                             strict=True):
        if isinstance(outcome, SourceError):
            errors.append(outcome)
            continue
        fields_by_path[path] = outcome
        if cache:
            cache.put(*signatures[path], outcome)
    if cache:
        cache.retain({key for key, _ in signatures.values()})
    if errors:
        raise DatelineError(sorted(errors, key=lambda e: (str(e.path), e.line or 0)))
    parsed = [(path, fields) for path, fields in fields_by_path.items()
              if is_published(fields, drafts=drafts, published_before=published_before)]
    articles, warnings = _assign_urls(parsed, config)
    shared = shared_translation_keys(articles, config, site_dir)
    if shared:
        raise DatelineError(shared)
    articles.sort(key=site_order, reverse=True)
    urls = {article.source_path: article.url for article in articles}
    files = {key: (signature, fields_by_path[path], urls.get(path, ""))
             for path, (key, signature) in signatures.items()}
    return LoadedArticles(articles, warnings, files)


def shared_translation_keys(articles: list[Article], config: SiteConfig, site_dir: Path) -> list[SourceError]:
    """An error for each article whose translation_key another article in its language has already: a key
    links one article per language. (Only a multilingual site links translations.)"""
    if not config.languages:
        return []
    first: dict[tuple[str, str], Article] = {}
    errors = []
    for article in sorted(articles, key=lambda a: a.source_path):
        if not article.translation_key:
            continue
        other = first.setdefault((article.language, article.translation_key), article)
        if other is not article:
            path, first_path = Path(article.source_path), Path(other.source_path)
            shown = first_path.relative_to(site_dir) if first_path.is_relative_to(site_dir) else first_path
            errors.append(SourceError(path, f"translation_key {article.translation_key!r} is also the key of "
                                            f"{shown}, in the same language ({article.language}); a key "
                                            "links one article in each language: give this one its own",
                                      _key_line(path, "translation_key")))
    return errors


def _key_line(path: Path, key: str) -> int | None:
    """The line of KEY in the front matter of the article at PATH (for an error found after parsing)."""
    try:
        return _front_matter(split_front_matter(path, read_bytes(path)))[1].get(key)
    except (OSError, SourceError):
        return None


def site_order(article: Article) -> tuple[datetime, str]:
    """How the site lists its stories, newest first (sorted with reverse=True): by the moment of publication,
    then by file, the last one first. Stories without a time are dated at their day's midnight, so a day lists
    its timed stories first, then its untimed ones in the order their copy arrived: the importer numbers a
    day's files in the order it writes them (2025-09-11-0007-slug.md), and other files keep their names'
    order. Never the title's order; renaming a file moves its story."""
    return article.date, article.source_path


@dataclass(frozen=True)
class LoadedArticles:
    articles: list[Article]  # published ones, newest first
    warnings: list[SourceError]
    # every file by path relative to content/articles: its (mtime, size, inode), what it says, its URL
    # ("" when it is not published)
    files: dict[str, tuple[tuple[int, int, int], ArticleFields, str]]


def is_published(fields: ArticleFields, *, drafts: bool, published_before: datetime | None) -> bool:
    """Whether the article appears in this build (drafts only with --drafts; nothing dated after
    PUBLISHED_BEFORE in a production build)."""
    return (drafts or not fields.draft) and (published_before is None or fields.date <= published_before)


def parsing_settings(config: SiteConfig) -> tuple:
    """What reading an article depends on besides its file (and Dateline's code): the article cache's key."""
    return (config.timezone, config.trust_html, [(key, t.kind) for t in config.taxonomies for key in t.fields],
            config.language, [language.code for language in config.languages])


def parse_article_file(path: Path, config: SiteConfig) -> ArticleFields:
    """Read and parse one article file; raise SourceError (a full load's workers and an edit's rebuild)."""
    try:
        raw = read_bytes(path)
    except OSError as exc:
        raise SourceError(path, f"cannot read the file: {exc.strerror}") from None
    return parse_article(split_front_matter(path, raw), config, _renderer(config.trust_html))


@functools.cache
def _renderer(trust_html: bool) -> MarkdownRenderer:
    return MarkdownRenderer(trust_html=trust_html)


def _parse_files(paths: list[str], *, config: SiteConfig) -> list[ArticleFields | SourceError]:
    """Parse each file; a problem becomes that file's result instead of stopping the others."""
    results: list[ArticleFields | SourceError] = []
    for path in paths:
        try:
            results.append(parse_article_file(Path(path), config))
        except SourceError as error:
            results.append(error)
    return results


def _assign_urls(parsed: list[tuple[str, ArticleFields]],
                 config: SiteConfig) -> tuple[list[Article], list[SourceError]]:
    """Give each article its permalink; on a clash the later file gets a numbered slug and a warning."""
    warnings: list[SourceError] = []
    taken: dict[str, str] = {}
    articles = []
    for path, fields in sorted(parsed, key=lambda item: (item[1].date, item[0])):
        folder = config.language_prefix(fields.language)  # "fr/": a multilingual site's other languages
        wanted = folder + permalink(config.permalink, fields.slug, fields.date)
        slug, url, number = fields.slug, wanted, 1
        while url in taken:
            number += 1
            slug = f"{fields.slug}-{number}"
            url = folder + permalink(config.permalink, slug, fields.date)
        if url != wanted:
            warnings.append(SourceError(Path(path), f"the URL {wanted} is already used by {taken[wanted]}; this "
                                                    f"article is published at {url} instead (set 'slug' to choose "
                                                    "another)"))
        taken[url] = path
        articles.append(Article.published(fields, source_path=path, url=url, slug=slug))
    return articles, warnings


def left_out(site_dir: Path, config: SiteConfig, *, published_before: datetime) -> tuple[list[str], list[str]]:
    """The articles a production build leaves out: drafts, and those dated after PUBLISHED_BEFORE, as paths
    relative to content/articles/ (for `check` to say which). Reads front matter only; a file with a problem
    is not listed (the build reports it)."""
    drafts: list[str] = []
    embargoed: list[str] = []
    for path, key, _ in scan_article_files(site_dir):
        try:
            data, _ = _front_matter(split_front_matter(Path(path), read_bytes(path)))
            if data.get("draft") is True:
                drafts.append(key)
            elif data.get("date") and _parse_date(data["date"], config.zone, ValueError)[0] > published_before:
                embargoed.append(key)
        except (OSError, SourceError, ValueError):
            continue
    return drafts, embargoed
