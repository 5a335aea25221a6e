"""Site search: a Pagefind index of the finished pages, written beside them in pagefind/.

Pagefind (the `pagefind[bin]` package ships its binary) reads the built HTML: article pages mark their
text with data-pagefind-body and their countries, tags and source with data-pagefind-filter. The theme's
search page loads the index at run time, so when Pagefind cannot run the site still works and the
search page says that search is not available.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

from dateline.fingerprint import digest

INDEX_FOLDER = "pagefind"


class SearchIndexer:
    """An after_render hook for build_site: indexes the new tree before it is swapped in.

    `problem` says why there is no index (Pagefind missing or failing); the build itself goes on.
    With STAMPS (a folder outside the site), it records which pages each index was made from, so
    `ensure_index` can tell a current index from one left by an older build of the same tree.
    """

    def __init__(self, stamps: Path | None = None) -> None:
        self.problem: str | None = None
        self.ran = False
        self.stamps = stamps

    def __call__(self, tree: Path) -> None:
        self.ran = True
        self.problem = build_index(tree)
        if self.stamps is not None:
            _record(self.stamps, tree, None if self.problem else pages_signature(tree))


def ensure_index(tree: Path, stamps: Path) -> str | None:
    """Index TREE unless its index was made from exactly its current pages (a build that changed nothing
    keeps its index, so publishing sends nothing); return why there is no index, if there is none."""
    if has_index(tree) and _recorded(stamps, tree) == pages_signature(tree):
        return None
    problem = build_index(tree)
    _record(stamps, tree, None if problem else pages_signature(tree))
    return problem


def pages_signature(tree: Path) -> str:
    """The HTML pages of TREE by path, size and mtime: the build keeps an unchanged page's file as it was."""
    pages = []
    for page in sorted(tree.rglob("*.html")):
        relative = page.relative_to(tree).as_posix()
        if not relative.startswith(f"{INDEX_FOLDER}/"):
            stat = page.stat()
            pages.append((relative, stat.st_size, stat.st_mtime_ns))
    return digest(pages)


def _stamp_file(stamps: Path, tree: Path) -> Path:
    stat = tree.stat()  # the folder's identity travels with it when the build swaps the two trees
    return stamps / f"search-{stat.st_dev}-{stat.st_ino}.json"


def _recorded(stamps: Path, tree: Path) -> str | None:
    try:
        return json.loads(_stamp_file(stamps, tree).read_text()).get("pages")
    except (OSError, ValueError):
        return None


def _record(stamps: Path, tree: Path, signature: str | None) -> None:
    stamps.mkdir(parents=True, exist_ok=True)
    _stamp_file(stamps, tree).write_text(json.dumps({"pages": signature}))


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
