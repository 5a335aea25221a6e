"""site.yaml -> a validated, frozen SiteConfig; every problem is reported with site.yaml's line."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from dateline.config_languages import LanguageConfig, check_languages, complete_languages, load_languages
from dateline.config_reader import read_dataclass
from dateline.config_taxonomies import (
    DEFAULT_TAXONOMIES,
    SITE_FOLDERS,
    TaxonomyConfig,
    check_taxonomies,
    load_taxonomies,
)
from dateline.errors import DatelineError, SourceError
from dateline.i18n import parse_locale
from dateline.layout import CONFIG_NAME, check_site_folder
from dateline.urls import UnsafePath, check_site_path, media_reference
from dateline.yamlutil import error_line, load_with_lines

PERMALINK_FIELDS = {"year", "month", "day", "slug"}
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 (so every feed) forbids


@dataclass(frozen=True)
class FeedConfig:
    limit: int = 20  # entries per Atom feed (site, tag, country)
    full_content: bool = True  # whole article in the feed, else the summary


@dataclass(frozen=True)
class LearnedTagsConfig:
    """import.learned_tags: topic tags learned from the site's tagged articles (dateline/ingest/learned_tags.py)."""

    enabled: bool = True
    min_examples: int = 10  # a tag is learned only with this many tagged articles carrying it (and as many without)
    min_precision: float = 0.8  # ... and used only if its cross-validated precision is at least this


@dataclass(frozen=True)
class ImportConfig:
    max_tags: int = 8  # tags the importer writes per article
    name_tags: bool = True  # also tag people and organisations named in the copy
    learned_tags: LearnedTagsConfig = field(default_factory=LearnedTagsConfig)
    # agency subject code (IPTC Subject Code "04016007", Media Topic "medtop:20000568") -> the site's tag
    subjects: dict[str, str] = field(default_factory=dict, metadata={
        "hint": "quote each code, e.g. '04016007': bankruptcy (unquoted, YAML reads 04016007 as a number)"})


def _load_strings(value: Any, key_path: tuple[str, ...], path: Path, lines: dict[tuple[str, ...], int],
                  errors: list[SourceError]) -> dict[str, str | list[str]]:
    """site.yaml's `strings:`: each theme string (its English text) -> the text to show, or a plural's forms."""
    if not isinstance(value, dict):
        errors.append(SourceError(path, "'strings' must be a mapping of the theme's English texts to yours, e.g. "
                                        'strings: {Latest: "À la une"} (docs/languages.md)', lines.get(key_path, 1)))
        return {}
    for key, text in value.items():
        if not isinstance(key, str) or not (isinstance(text, str) or isinstance(text, list) and text and all(
                isinstance(form, str) for form in text)):
            errors.append(SourceError(path, f"'strings.{key}' must be the text to show, or for a plural message the "
                                            "list of its forms (docs/languages.md)",
                                      lines.get((*key_path, str(key)), lines.get(key_path, 1))))
    return value


@dataclass(frozen=True)
class SiteConfig:
    title: str
    base_url: str  # absolute, always ends with "/"; may carry a path: https://example.org/news/
    description: str = ""
    language: str = "en"
    timezone: str = "UTC"
    articles_per_page: int = 20
    permalink: str = "{year}/{month}/{day}/{slug}/"
    related_articles: int = 5
    trust_html: bool = False  # keep raw HTML in articles unsanitised (only for trusted authors)
    image: str = ""  # social cards' and JSON-LD's image for pages and articles without one: URL or site path
    image_alt: str = ""  # what that image shows, for readers who cannot see it
    feed: FeedConfig = field(default_factory=FeedConfig)
    import_: ImportConfig = field(default_factory=ImportConfig, metadata={"key": "import"})
    topics: dict[str, list[str]] = field(default_factory=dict)  # tag -> keywords the importer looks for
    params: dict[str, Any] = field(default_factory=dict)  # free-form values for templates
    # the theme's strings as this site words them: msgid (the English text) -> text, or its plural forms
    # (docs/languages.md); over the theme's catalog and the site's locales/<language>.po
    strings: dict[str, str | list[str]] = field(default_factory=dict, metadata={"load": _load_strings})
    taxonomies: tuple[TaxonomyConfig, ...] = field(default=DEFAULT_TAXONOMIES, metadata={"load": load_taxonomies})
    # a multilingual site's languages, the site's own (`language`) first among equal weights; () for a site in
    # one language, which is built exactly as before `languages:` existed
    languages: tuple[LanguageConfig, ...] = field(default=(), metadata={"load": load_languages})

    @property
    def base_path(self) -> str:
        """The path part of base_url: "/" or "/news/"."""
        match = re.match(r"^[a-z]+://[^/]+(/.*)$", self.base_url)
        return match.group(1) if match else "/"

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def language_prefix(self, code: str) -> str:
        """Where the pages in the language CODE are: "fr/", or "" (the site's own language, and every article
        of a site in one language)."""
        for language in self.languages:
            if language.code == code:
                return language.prefix
        return ""


def load_config(site_dir: Path, *, base_url: str | None = None) -> SiteConfig:
    """Read and validate SITE_DIR/site.yaml; raise DatelineError listing every problem."""
    path = site_dir / CONFIG_NAME
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        check_site_folder(site_dir)
        raise  # site.yaml appeared meanwhile
    except UnicodeDecodeError as exc:
        raise DatelineError(SourceError(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})")) from None
    try:
        data, lines = load_with_lines(text)
    except yaml.YAMLError as exc:
        line, message = error_line(exc, text)
        raise DatelineError(SourceError(path, f"invalid YAML: {message}", line)) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise DatelineError(SourceError(path, "site.yaml must be a mapping of keys to values", 1))
    if base_url is not None:
        data["base_url"] = base_url
    errors: list[SourceError] = []
    config = read_dataclass(SiteConfig, data, (), path, lines, errors)
    if config is not None:
        errors.extend(_check_values(config, path, lines))
        errors.extend(check_taxonomies(config, path, lines))
        errors.extend(check_languages(config, path, lines, SITE_FOLDERS | {t.name for t in config.taxonomies} | (
            {config.permalink.split("/")[0]} if "/" in config.permalink else set())))
        if not errors:
            config = dataclasses.replace(config, languages=complete_languages(config))
    if errors:
        raise DatelineError(errors)
    assert config is not None
    taxonomies = tuple(dataclasses.replace(t, paginate=t.paginate or config.articles_per_page)
                       for t in config.taxonomies)
    return dataclasses.replace(config, base_url=_normalise_base_url(config.base_url),
                               image=media_reference(config.image), taxonomies=taxonomies)



def _check_values(config: SiteConfig, path: Path, lines: dict[tuple[str, ...], int]) -> list[SourceError]:
    """Rules beyond types: URL shape, time zone, positive counts, permalink placeholders."""
    errors = []

    def problem(key: tuple[str, ...], message: str) -> None:
        errors.append(SourceError(path, message, lines.get(key, 1)))

    try:
        media_reference(config.image)
    except ValueError as exc:
        problem(("image",), f"'image' {exc}")
    for key in ("title", "description", "language", "image_alt"):
        control = _NOT_XML.search(getattr(config, key))
        if control:
            problem((key,), f"'{key}' contains the control character U+{ord(control.group()):04X}; remove it "
                            "(feeds cannot carry it)")
    try:
        parse_locale(config.language)
    except ValueError as exc:
        problem(("language",), str(exc))
    if not re.match(r"^https?://[^/\s]+(/[^\s]*)?$", config.base_url):
        problem(("base_url",), f"base_url must be an absolute http(s) URL such as https://example.org/news/, "
                               f"not {config.base_url!r}")
    try:
        ZoneInfo(config.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        problem(("timezone",), f"unknown time zone {config.timezone!r} (use an IANA name such as Europe/Vilnius)")
    for key, value in (("articles_per_page", config.articles_per_page), ("related_articles", config.related_articles),
                       (("feed", "limit"), config.feed.limit), (("import", "max_tags"), config.import_.max_tags)):
        key_path = key if isinstance(key, tuple) else (key,)
        minimum = 0 if key == "related_articles" else 1
        if value < minimum:
            problem(key_path, f"'{'.'.join(key_path)}' must be at least {minimum}")
    learned = config.import_.learned_tags
    if learned.min_examples < 3:
        problem(("import", "learned_tags", "min_examples"),
                "'import.learned_tags.min_examples' must be at least 3 (a tag is cross-validated over three parts "
                "of the archive)")
    if not 0 <= learned.min_precision <= 1:
        problem(("import", "learned_tags", "min_precision"),
                f"'import.learned_tags.min_precision' must be between 0 and 1, such as 0.8 "
                f"(not {learned.min_precision})")
    for code, tag in config.import_.subjects.items():
        if not code.strip() or not tag.strip():
            problem(("import", "subjects"), f"import.subjects: {code!r}: {tag!r} needs both a subject code and a "
                                            "tag, e.g. '04016007': bankruptcy")
    permalink_errors = len(errors)
    placeholders = set(re.findall(r"\{(\w*)\}", config.permalink))
    if "slug" not in placeholders:
        problem(("permalink",), "permalink must contain {slug}, e.g. '{year}/{month}/{day}/{slug}/'")
    if placeholders - PERMALINK_FIELDS:
        problem(("permalink",), f"permalink may only use {', '.join(sorted(PERMALINK_FIELDS))}; "
                                f"unknown: {', '.join(sorted(placeholders - PERMALINK_FIELDS))}")
    if config.permalink.startswith("/") or ".." in config.permalink.split("/") or "\\" in config.permalink:
        problem(("permalink",), "permalink must be a relative path inside the site (no leading '/', '..' or '\\')")
    elif len(errors) == permalink_errors:  # the pattern itself is sound: are the paths it makes clean?
        try:
            check_site_path(config.permalink.format(year="2025", month="09", day="11", slug="slug"))
        except UnsafePath:
            problem(("permalink",), "permalink must be a clean relative path: no empty, '.' or '..' parts, "
                                    "no NUL character")
        except (ValueError, KeyError, IndexError, AttributeError):
            problem(("permalink",), "permalink has a stray '{' or '}': the only placeholders are {year}, {month}, "
                                    "{day} and {slug}")
    return errors


def _normalise_base_url(url: str) -> str:
    return url if url.endswith("/") else url + "/"
