"""site.yaml -> a validated, frozen SiteConfig; every problem is reported with site.yaml's line."""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from dateline.config_languages import LanguageConfig, check_languages, complete_languages, load_languages
from dateline.errors import DatelineError, SourceError
from dateline.i18n import parse_locale
from dateline.kinds import KINDS
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


@dataclass(frozen=True)
class TaxonomyConfig:
    """One way of filing articles, as site.yaml's `taxonomies:` declares it (see docs/configuration.md)."""

    name: str = dataclasses.field(default="", metadata={"from_key": True})  # URL folder, name in templates: "tags"
    field: str = ""  # the front-matter key whose values are its terms (default: the name)
    title: str = ""  # heading of its index page (default: the name, capitalised)
    singular: str = ""  # what one term is: "tag", "country" (search filter, kicker; default: the name)
    kind: str = "text"  # how values are read and named: see dateline/kinds.py
    mentioned_field: str = ""  # a second tier: articles that only mention a term ("Also mentioned in")
    paginate: int = 0  # articles per term page (default: articles_per_page)
    feed: bool = True  # an Atom and a JSON Feed per term
    related: bool = True  # sharing a term makes articles related
    template: str = ""  # of its term pages (default: {singular}.html where templates have one, else term.html)
    index_template: str = ""  # of its index (default: {name}.html where templates have one, else terms.html)

    @property
    def fields(self) -> tuple[str, ...]:
        """The front-matter keys it reads: its field, then the mentioned one."""
        return (self.field, self.mentioned_field) if self.mentioned_field else (self.field,)


# Without `taxonomies:` a site files articles by country and tag, as Dateline always has.
DEFAULT_TAXONOMIES = (
    TaxonomyConfig(name="countries", field="countries", title="Countries", singular="country", kind="country",
                   mentioned_field="mentioned_countries"),
    TaxonomyConfig(name="tags", field="tags", title="Tags", singular="tag"),
)
# Top folders of every site, which a taxonomy may not take: archive/, page/N/ of the front page, search/,
# static/ and Pagefind's index (dateline/search.py). A clash missed here still fails the build, when two pages
# would be written to one file (incremental/trees.py).
SITE_FOLDERS = frozenset({"archive", "page", "search", "static", "pagefind"})
# The theme's templates of pages (tests/test_taxonomies.py lists templates/ against it): a taxonomy's own
# {singular}.html or {name}.html must not be one of them.
PAGE_TEMPLATES = frozenset({"home", "article", "day", "archive", "search", "404", "base", "term", "terms",
                            "terms-group"})
# Front-matter keys that are not names to file by.
NOT_TERMS = frozenset({"title", "date", "updated", "draft", "slug", "summary", "correction", "lead", "priority",
                       "urgency", "image", "image_alt"})
# What templates read of an article besides its taxonomies, which article.NAME gives: views.ArticleView's fields
# and its `taxonomies` (views.py checks the two agree).
ARTICLE_ATTRIBUTES = frozenset({"title", "url", "date", "has_time", "updated", "dateline", "source", "summary",
                                "body", "terms", "taxonomy_names", "correction", "image", "image_alt",
                                "image_caption", "image_credit", "published", "section", "extra", "digest",
                                "taxonomies"})
_TAXONOMY_NAME = re.compile(r"^[a-z][a-z0-9-]*$")


def _load_taxonomies(data: Any, prefix: tuple[str, ...], path: Path, lines: dict[tuple[str, ...], int],
                     errors: list[SourceError]) -> tuple[TaxonomyConfig, ...]:
    """`taxonomies:` (name -> settings, in the order written) as TaxonomyConfigs, defaults filled in but
    paginate (load_config sets it from articles_per_page); problems are added to ERRORS."""
    line = lines.get(prefix, 1)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        errors.append(SourceError(path, "'taxonomies' must be a mapping of names to settings, e.g. "
                                        "taxonomies: {tags: {}, sources: {field: source}}", line))
        return ()
    taxonomies = []
    for name, settings in data.items():
        key_path = (*prefix, str(name))
        if settings is None:
            settings = {}
        if not isinstance(settings, dict):
            errors.append(SourceError(path, f"'taxonomies.{name}' must be a mapping of settings, e.g. "
                                            "{field: source}, or {} for the defaults", lines.get(key_path, line)))
            continue
        loaded = _build(TaxonomyConfig, settings, key_path, path, lines, errors)
        if loaded is not None:
            text = str(name)
            title = text.replace("-", " ")
            taxonomies.append(dataclasses.replace(
                loaded, name=text, field=loaded.field or text, title=loaded.title or title[:1].upper() + title[1:],
                singular=loaded.singular or text))
    return tuple(taxonomies)


def _check_taxonomies(config: SiteConfig, path: Path, lines: dict[tuple[str, ...], int]) -> list[SourceError]:
    """Names that are clean URL folders of their own, known kinds, each front-matter key filing in one place."""
    errors = []
    first_folder = config.permalink.split("/")[0] if "/" in config.permalink else ""
    taken_by: dict[str, str] = {}  # front-matter key -> the taxonomy filing by it

    def problem(key: tuple[str, ...], message: str) -> None:
        line = lines.get(("taxonomies", *key)) or lines.get(("taxonomies", key[0])) or lines.get(("taxonomies",), 1)
        errors.append(SourceError(path, message, line))

    for taxonomy in config.taxonomies:
        name = taxonomy.name
        if not _TAXONOMY_NAME.match(name):
            problem((name,), f"taxonomy name {name!r} must be lower-case letters, digits and hyphens, starting with "
                             "a letter: it is the URL folder of its pages")
            continue
        if name in SITE_FOLDERS or name == first_folder:
            problem((name,), f"taxonomy name {name!r} is already a folder of the site ({name}/); choose another name")
            continue
        if name in ARTICLE_ATTRIBUTES:
            problem((name,), f"taxonomy name {name!r} is also what templates call an article's own {name} "
                             f"(article.{name}); choose another name, such as '{name}s'")
        if taxonomy.kind not in KINDS:
            problem((name, "kind"), f"'taxonomies.{name}.kind' must be one of {', '.join(sorted(KINDS))}, "
                                    f"not {taxonomy.kind!r}")
        if taxonomy.paginate < 0 or (taxonomy.paginate == 0 and "paginate" in _given(lines, name)):
            problem((name, "paginate"), f"'taxonomies.{name}.paginate' must be at least 1")
        for key, setting in ((taxonomy.field, "field"), (taxonomy.mentioned_field, "mentioned_field")):
            if not key:
                continue
            if key in NOT_TERMS:
                problem((name, setting), f"'taxonomies.{name}.{setting}' cannot be {key!r}: an article's {key} is "
                                         "not a list of names to file it by")
            elif key in taken_by:
                problem((name, setting), f"the front-matter key {key!r} already files articles in the taxonomy "
                                         f"{taken_by[key]!r}; one key files articles in one taxonomy")
            taken_by.setdefault(key, name)
        for setting, own, theme in (("template", taxonomy.singular, "term.html"),
                                    ("index_template", name, "terms.html")):
            if getattr(taxonomy, setting):
                try:
                    check_site_path(getattr(taxonomy, setting))
                except UnsafePath:
                    problem((name, setting), f"'taxonomies.{name}.{setting}' must be a template's file name, such "
                                             "as term.html")
            elif own in PAGE_TEMPLATES:
                problem((name, "singular") if setting == "template" else (name,),
                        f"the taxonomy {name!r} would render with {own}.html, the template of another kind of "
                        f"page; set 'taxonomies.{name}.{setting}' ({theme} for the theme's own)")
    return errors


def _given(lines: dict[tuple[str, ...], int], name: str) -> set[str]:
    """The settings site.yaml writes for the taxonomy NAME."""
    return {key[2] for key in lines if len(key) == 3 and key[:2] == ("taxonomies", name)}


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
    taxonomies: tuple[TaxonomyConfig, ...] = field(default=DEFAULT_TAXONOMIES, metadata={"load": _load_taxonomies})
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
    config = _build(SiteConfig, data, (), path, lines, errors)
    if config is not None:
        errors.extend(_check_values(config, path, lines))
        errors.extend(_check_taxonomies(config, path, lines))
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


def _build(cls: type, data: dict, prefix: tuple[str, ...], path: Path,
           lines: dict[tuple[str, ...], int], errors: list[SourceError]) -> Any:
    """Build dataclass CLS from DATA, collecting unknown keys, missing keys and wrong types."""
    hints = typing.get_type_hints(cls)
    fields = {f.metadata.get("key", f.name): f for f in dataclasses.fields(cls) if not f.metadata.get("from_key")}
    parent_line = lines.get(prefix, 1) if prefix else 1
    values: dict[str, Any] = {}
    for key in data:
        if key not in fields:
            where = ".".join((*prefix, str(key)))
            known = ", ".join(sorted(fields))
            errors.append(SourceError(path, f"unknown key '{where}' (known keys: {known})",
                                      lines.get((*prefix, str(key)), parent_line)))
    for key, f in fields.items():
        key_path = (*prefix, key)
        if key not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                errors.append(SourceError(path, f"missing required key '{'.'.join(key_path)}'", parent_line))
            continue
        value = data[key]
        hint = hints[f.name]
        line = lines.get(key_path, parent_line)
        if "load" in f.metadata:  # a key with a loader of its own
            values[f.name] = f.metadata["load"](value, key_path, path, lines, errors)
        elif dataclasses.is_dataclass(hint):
            if not isinstance(value, dict):
                errors.append(SourceError(path, f"'{'.'.join(key_path)}' must be a mapping", line))
                continue
            values[f.name] = _build(hint, value, key_path, path, lines, errors)
        elif _matches(value, hint):
            values[f.name] = value
        else:
            errors.append(SourceError(path, f"'{'.'.join(key_path)}' must be {_describe(hint)}, "
                                            f"not {_describe_value(value)}"
                                            + (f": {f.metadata['hint']}" if "hint" in f.metadata else ""), line))
    if any(e.path == path for e in errors):
        return None
    return cls(**values)


def _matches(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if hint is Any:
        return True
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if hint is bool:
        return isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if origin is dict:
        key_type, value_type = typing.get_args(hint)
        return isinstance(value, dict) and all(_matches(k, key_type) and _matches(v, value_type)
                                               for k, v in value.items())
    if origin is list:
        (item_type,) = typing.get_args(hint)
        return isinstance(value, list) and all(_matches(v, item_type) for v in value)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, h) for h in typing.get_args(hint))
    return False


def _describe(hint: Any) -> str:
    names = {int: "a whole number", float: "a number", str: "text", bool: "true or false"}
    if hint in names:
        return names[hint]
    origin = typing.get_origin(hint)
    if origin is dict:
        return f"a mapping of text to {_describe(typing.get_args(hint)[1])}"
    if origin is list:
        return f"a list of {_describe(typing.get_args(hint)[0])}"
    return str(hint)


def _describe_value(value: Any) -> str:
    kinds = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list", dict: "a mapping"}
    return f"{kinds.get(type(value), type(value).__name__)} ({value!r})" if not isinstance(value, (dict, list)) \
        else kinds[type(value)]


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
