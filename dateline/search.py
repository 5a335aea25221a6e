"""Site search: a Pagefind index of the finished pages, written beside them in pagefind/.

Pagefind (the `pagefind[bin]` package ships its binary) reads the built HTML: article pages mark their
text with data-pagefind-body and their countries, tags and source with data-pagefind-filter. The theme's
search page loads the index at run time, so when Pagefind cannot run the site still works and the
search page says that search is not available.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

INDEX_FOLDER = "pagefind"


class SearchIndexer:
    """An after_render hook for build_site: indexes the new tree before it is swapped in.

    `problem` says why there is no index (Pagefind missing or failing); the build itself goes on.
    """

    def __init__(self) -> None:
        self.problem: str | None = None
        self.ran = False

    def __call__(self, tree: Path) -> None:
        self.ran = True
        self.problem = build_index(tree)


def build_index(site_root: Path) -> str | None:
    """Replace SITE_ROOT/pagefind/ with a fresh index; return why not when Pagefind cannot run (and then
    remove any old index, which would otherwise find pages that no longer exist)."""
    index = site_root / INDEX_FOLDER
    # Indexed beside the tree, then moved in: a build killed meanwhile leaves no half index in the site.
    staging = site_root.parent / f".{site_root.name}.{INDEX_FOLDER}.tmp"
    shutil.rmtree(staging, ignore_errors=True)
    problem = _run_pagefind(site_root, staging)
    if problem is None:
        _remove(index)
        os.rename(staging, index)
    else:
        shutil.rmtree(staging, ignore_errors=True)
        _remove(index)
    return problem


def has_index(site_root: Path) -> bool:
    return (site_root / INDEX_FOLDER / "pagefind-ui.js").is_file()


def _run_pagefind(site_root: Path, destination: Path) -> str | None:
    executable = _executable()
    if executable is None:
        return "search: Pagefind is not installed (pip install 'pagefind[bin]'), so the site has no search index"
    command = [str(executable), "--site", str(site_root), "--output-path", str(destination), "--silent"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    except OSError as exc:
        return f"search: cannot run Pagefind ({executable}: {exc.strerror}), so the site has no search index"
    except subprocess.TimeoutExpired:
        return "search: Pagefind took more than 10 minutes and was stopped, so the site has no search index"
    if result.returncode != 0 or not (destination / "pagefind-ui.js").is_file():
        detail = (result.stderr or result.stdout).strip().splitlines()[-3:]
        return f"search: Pagefind failed (exit {result.returncode}: {' '.join(detail) or 'no output'}), " \
               "so the site has no search index"
    return None


def _executable() -> Path | None:
    """The binary from `pagefind[bin]`, or PAGEFIND_BINARY_PATH when set (Pagefind's own convention)."""
    override = os.environ.get("PAGEFIND_BINARY_PATH")
    if override is not None:
        return Path(override)
    try:
        from pagefind.service import get_executable
    except ImportError:
        found = shutil.which("pagefind")
        return Path(found) if found else None
    return get_executable()


def _remove(folder: Path) -> None:
    if folder.is_symlink() or folder.is_file():
        folder.unlink()
    elif folder.is_dir():
        shutil.rmtree(folder)
