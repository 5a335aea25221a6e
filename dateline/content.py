"""content/articles/**/*.md -> the site's Articles: the files found (article_files.py), each parsed
(front_matter.py; on every core for a cold build, from the article cache otherwise), published or left out,
given its URL, in the site's order."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dateline.article_files import scan_article_files, split_front_matter
from dateline.cache import ArticleCache
from dateline.config import SiteConfig
from dateline.errors import DatelineError, SourceError
from dateline.fileio import read_bytes
from dateline.front_matter import parse_article, parse_date, read_front_matter
from dateline.markup import MarkdownRenderer
from dateline.model import Article, ArticleFields
from dateline.parallel import map_chunks
from dateline.urls import permalink


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
        return read_front_matter(split_front_matter(path, read_bytes(path)))[1].get(key)
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
            data, _ = read_front_matter(split_front_matter(Path(path), read_bytes(path)))
            if data.get("draft") is True:
                drafts.append(key)
            elif data.get("date") and parse_date(data["date"], config.zone, ValueError)[0] > published_before:
                embargoed.append(key)
        except (OSError, SourceError, ValueError):
            continue
    return drafts, embargoed
