"""Where a site's sources are, and the default theme's: the folders several stages read, and what --output may be;
importing nothing heavy (a build that finds nothing changed looks at them without loading Jinja, Markdown or
YAML)."""

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


def check_output_folder(site: Path, output: Path) -> None:
    """Raise DatelineError unless OUTPUT may be the --output of the site in SITE. Each build replaces the whole
    --output folder (see output.py): never let that be a file, the site's own folders, or a folder of someone
    else's files."""
    def refuse(message: str) -> DatelineError:
        return DatelineError(SourceError(output, f"{message}; nothing was changed"))

    if output.exists() and not output.is_dir():
        raise refuse("--output must be a folder (each build replaces it whole), and this is a file")
    target, site = output.resolve(), site.resolve()
    if target == site or target in site.parents:
        raise refuse("--output must not be the site's folder or a folder around it: each build replaces it "
                     "whole. Use a folder of its own, such as output/")
    for name in ("content", "templates", "static", "locales", ".dateline-cache", ".preview"):
        if target.is_relative_to(site / name):
            raise refuse(f"--output must not be inside the site's {name}/ folder: use a folder of its own, "
                         "such as output/")
    if target.is_dir() and not _looks_built(target) and any(target.iterdir()):
        raise refuse("this folder holds files that are not a Dateline site, and each build replaces the "
                     "folder whole: pass a new or empty folder (or empty this one first)")


def _looks_built(folder: Path) -> bool:
    """Whether FOLDER holds a site Dateline built: every build writes these three."""
    return all((folder / name).is_file() for name in ("404.html", "robots.txt", "sitemap.xml"))
