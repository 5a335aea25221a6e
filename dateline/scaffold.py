"""`new DIR`: a starter site that builds at once with the default theme."""

from __future__ import annotations

from pathlib import Path

from dateline.errors import DatelineError, SourceError
from dateline.i18n import N_, parse_locale, theme_translations

SITE_YAML = """\
# Dateline site settings. Every key is explained in Dateline's docs/configuration.md.
title: {title}
description: {description}
base_url: https://example.org/
language: {language}
timezone: UTC
articles_per_page: 20
permalink: "{{year}}/{{month}}/{{day}}/{{slug}}/"
feed:
  limit: 20
  full_content: true
# How articles are filed: each taxonomy has an index page (countries/), a page per term with its feeds
# (countries/lithuania/), search filters, and makes articles sharing a term related. The key is the URL
# folder; `field` the front-matter key (default: the same name). The importer writes all of these keys.
taxonomies:
  countries:
    kind: country                          # ISO codes or English names; pages show names and flags
    singular: country
    mentioned_field: mentioned_countries   # stories that only mention a country: "Also mentioned in"
  tags:
    singular: tag
  sources:
    field: source
    singular: source
    related: false                         # sharing a wire agency does not make two stories related
  people:
    singular: person
  organisations:
    singular: organisation
# Topic tags the importer gives raw wire copy: tag -> words or phrases that signal it.
topics:
  elections: [election, vote, ballot, polls]
  diplomacy: [diplomatic, envoy, sanctions, ambassador, summit]
"""

EXAMPLE_ARTICLE = """\
---
title: {title}
date: 2025-01-01
dateline: {dateline}
source: Dateline
countries: [LT]
tags: [{tag}]
summary: {summary}
---

{body}
"""
# The example article's words, in the site's language (the theme's catalogs)
EXAMPLE_TITLE = N_("Welcome to your news digest")
EXAMPLE_DATELINE = N_("Vilnius")
EXAMPLE_TAG = N_("site news")
EXAMPLE_SUMMARY = N_("This example article shows the front matter every article carries.")
EXAMPLE_BODY = N_("Edit or delete this file, add your own articles to %(articles)s, or drop raw wire copy into\n"
                  "%(inbox)s and build again: %(command)s.")


# Everything Dateline generates: the output, its twin, scratch and first-build mirror folders, the cache, the preview.
GITIGNORE = "/output/\n/.output.next/\n/.output.next.tmp/\n/.output.mirror/\n/.dateline-cache/\n/.preview/\n"


DESCRIPTION = N_("Latest news, grouped by day")


def create_site(directory: Path, *, build_command: str = "dateline build", language: str = "en") -> Path:
    """Create the site in a new or empty folder (hidden files such as .git may be there already); refuse a
    folder that holds a site or anything else. BUILD_COMMAND is how the example article says to build; the
    site is written in LANGUAGE (a code: its description in the theme's catalog for it)."""
    try:
        parse_locale(language)
    except ValueError as exc:
        raise DatelineError(SourceError(Path("--language"), f"{exc}; nothing was created")) from None
    if (directory / "site.yaml").exists():
        raise DatelineError(SourceError(directory / "site.yaml", "a site already exists here; nothing was changed"))
    if directory.exists() and not directory.is_dir():
        raise DatelineError(SourceError(directory, "this is a file: give `new` the name of a folder to create"))
    if directory.is_dir():
        present = sorted(p.name for p in directory.iterdir() if not p.name.startswith("."))
        if present:
            shown = ", ".join(present[:3]) + (f" and {len(present) - 3} more" if len(present) > 3 else "")
            raise DatelineError(SourceError(directory, f"this folder is not empty ({shown}) and holds no site.yaml: "
                                                       "`new` makes a site in a new or empty folder; nothing was "
                                                       "changed"))
    (directory / "content" / "articles").mkdir(parents=True, exist_ok=True)
    (directory / "content" / "inbox").mkdir(parents=True, exist_ok=True)
    title = directory.resolve().name.replace("-", " ").replace("_", " ").title() or "News digest"
    words = theme_translations(str(parse_locale(language))).gettext
    (directory / "site.yaml").write_text(SITE_YAML.format(title=_yaml_text(title), language=language,
                                                          description=_yaml_text(words(DESCRIPTION))), encoding="utf-8")
    body = words(EXAMPLE_BODY) % {"articles": "`content/articles/`", "inbox": "`content/inbox/`",
                                  "command": f"`{build_command}`"}
    (directory / "content" / "articles" / "welcome.md").write_text(EXAMPLE_ARTICLE.format(
        title=_yaml_text(words(EXAMPLE_TITLE)), dateline=_yaml_text(words(EXAMPLE_DATELINE)),
        tag=_yaml_text(words(EXAMPLE_TAG)), summary=_yaml_text(words(EXAMPLE_SUMMARY)), body=body), encoding="utf-8")
    (directory / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    return directory


def _yaml_text(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
