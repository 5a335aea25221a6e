"""Where a site's sources are, and the default theme's: the folders several stages read, importing nothing heavy
(a build that finds nothing changed looks at them without loading Jinja, Markdown or YAML)."""

from __future__ import annotations

import shlex
from pathlib import Path

from dateline.command import program
from dateline.errors import DatelineError, SourceError

CONFIG_NAME = "site.yaml"
ARTICLES_DIR = Path("content") / "articles"
SITE_LOCALES = "locales"  # a site's own catalogs: <site>/locales/<code>.po


def _theme_dir() -> Path:
    """The default theme's folder (holding templates/ and static/): the copy an installed wheel carries in
    dateline/data/theme/ (see setup.py), else the root of the checkout this package runs from."""
    package = Path(__file__).resolve().parent
    installed = package / "data" / "theme"
    return installed if (installed / "templates").is_dir() else package.parent


THEME_DIR = _theme_dir()


def template_dirs(site_dir: Path) -> list[Path]:
    """Where templates are looked up, first match wins: the site's own, then the default theme."""
    dirs = [site_dir / "templates", THEME_DIR / "templates"]
    unique: list[Path] = []
    for directory in dirs:
        if directory.is_dir() and directory.resolve() not in [d.resolve() for d in unique]:
            unique.append(directory)
    return unique


def check_site_folder(site_dir: Path) -> None:
    """Raise DatelineError, saying what to pass instead, unless SITE_DIR is a folder that holds a site.yaml."""
    config = site_dir / CONFIG_NAME
    if config.is_file():
        return
    if config.exists():
        problem = SourceError(config, "site.yaml is a folder here; it must be the site's settings file")
    elif site_dir.is_dir():
        problem = SourceError(config, f"no site.yaml here: run `{program()} new DIR` to start a site, or pass "
                                      "--site the folder that holds your site.yaml")
    elif not site_dir.exists():
        problem = SourceError(site_dir, f"no such folder. Create a site there with `{program()} new "
                                        f"{shlex.quote(str(site_dir))}`, or pass --site the folder that holds "
                                        "your site.yaml")
    elif site_dir.name == CONFIG_NAME:
        problem = SourceError(site_dir, "--site takes the site's folder, not its site.yaml: pass --site "
                                        f"{shlex.quote(str(site_dir.parent))}")
    else:
        problem = SourceError(site_dir, "this is a file, not a folder: pass --site the folder that holds your "
                                        "site.yaml")
    raise DatelineError(problem)
