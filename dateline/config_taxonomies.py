"""site.yaml's `taxonomies:`: the ways a site files articles, read and checked (docs/configuration.md).

With the names a taxonomy may not take (the site's folders, the theme's page templates, front-matter keys that
are not terms, what templates call an article's own attributes). Apart from config.py because the later stages
(model, taxonomy, views) need these declarations and names, not the rest of the settings.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dateline.config_reader import read_named
from dateline.errors import SourceError
from dateline.kinds import KINDS
from dateline.urls import UnsafePath, check_site_path

if TYPE_CHECKING:
    from dateline.config import SiteConfig


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


def load_taxonomies(data: Any, prefix: tuple[str, ...], path: Path, lines: dict[tuple[str, ...], int],
                    errors: list[SourceError]) -> tuple[TaxonomyConfig, ...]:
    """`taxonomies:` (name -> settings, in the order written) as TaxonomyConfigs, defaults filled in but
    paginate (load_config sets it from articles_per_page); problems are added to ERRORS."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        errors.append(SourceError(path, "'taxonomies' must be a mapping of names to settings, e.g. "
                                        "taxonomies: {tags: {}, sources: {field: source}}", lines.get(prefix, 1)))
        return ()
    taxonomies = []
    for name, loaded in read_named(TaxonomyConfig, data, prefix, path, lines, errors, "{field: source}"):
        title = name.replace("-", " ")
        taxonomies.append(dataclasses.replace(
            loaded, name=name, field=loaded.field or name, title=loaded.title or title[:1].upper() + title[1:],
            singular=loaded.singular or name))
    return tuple(taxonomies)


def check_taxonomies(config: SiteConfig, path: Path, lines: dict[tuple[str, ...], int]) -> list[SourceError]:
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
