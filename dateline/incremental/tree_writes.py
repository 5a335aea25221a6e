"""Writing files into an output tree without ever writing outside it or in place, and swapping two trees.

The file-system steps under trees.OutputTrees, kept apart from its plan of what goes where: folders are made
(never followed through a symlink), files are written by exclusive create or replaced by rename (a file may be a
hard link shared with the live output/, so it is never written into), temporaries are made beside the tree
(scratch_folder), unchanged files are hard-linked from output/, and two folders trade places in one atomic
rename (exchange, also used by publish's local folder target).
"""

from __future__ import annotations

import functools
import itertools
import os
import stat
from pathlib import Path

from dateline.errors import DatelineError, SourceError
from dateline.fileio import write_new
from dateline.urls import UnsafePath, check_site_path


class TreeFolders:
    """Makes the folders of files written into a tree, each with one system call, and never through a symlink.

    Every folder is made (so it is a real folder) or, if it already exists, checked not to be a symlink
    or a file, from the tree's root down; together with writing files by exclusive create or rename
    (which never follow a symlink at the file's own name) nothing can be written outside the tree,
    whatever is planted in it. Folders done once are remembered for the rest of the build.
    """

    def __init__(self) -> None:
        self._known: set[str] = set()

    def target(self, root: str, site_path: str) -> str:
        """ROOT/SITE_PATH, its folder made."""
        check_site_path(site_path)
        self._make(root, site_path.rpartition("/")[0])
        return f"{root}/{site_path}"

    def _make(self, root: str, folder: str) -> None:
        if not folder or f"{root}/{folder}" in self._known:
            return
        self._make(root, folder.rpartition("/")[0])
        path = f"{root}/{folder}"
        try:
            os.mkdir(path)
        except FileExistsError:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                raise UnsafePath(f"{folder!r} in {root} is a symlink or a file, not a folder: refusing to write "
                                 "through it, it could lead outside the output folder") from None
        self._known.add(path)


def write_file(root: Path, site_path: str, data: bytes, folders: TreeFolders | None = None) -> None:
    """ROOT/SITE_PATH := DATA. A file that exists is replaced, never written in place: it may be a hard
    link shared with the live output/."""
    target = f"{root}/{site_path}"
    try:
        target = (folders or TreeFolders()).target(str(root), site_path)
        try:  # the common case, a new file
            write_new(target, data)
            return
        except FileExistsError:
            pass
        temporary = _scratch_name(root)
        temporary.write_bytes(data)
        os.replace(temporary, target)
    except OSError as exc:
        raise DatelineError(SourceError(Path(target), f"cannot write the file: {exc.strerror}; "
                                                      "the published output was left as it was")) from None


def scratch_folder(root: Path) -> Path:
    """Where temporaries for ROOT are made: beside it (same file system, so renames are atomic) and never
    inside it, so a build killed between writing and renaming cannot leave a stray file to be published."""
    return root.with_name(f"{root.name}.tmp")


_scratch_count = itertools.count()


def _scratch_name(root: Path) -> Path:
    folder = scratch_folder(root)
    folder.mkdir(exist_ok=True)
    return folder / f"{os.getpid()}-{next(_scratch_count)}"


def link_file(source: str, root: str, site_path: str, folders: TreeFolders | None = None) -> None:
    """ROOT/SITE_PATH becomes a hard link to SOURCE (an unchanged file of the live output/)."""
    target = (folders or TreeFolders()).target(root, site_path)
    try:  # the common case, a new name: one system call
        os.link(source, target)
        return
    except FileExistsError:
        pass
    if os.path.samestat(os.stat(source), os.lstat(target)):
        return  # already that very file (and not a symlink to it)
    temporary = _scratch_name(Path(root))
    os.link(source, temporary)
    os.replace(temporary, target)
    temporary.unlink(missing_ok=True)  # rename() does nothing when both names are links to one file


def remove_file(root: Path, site_path: str) -> None:
    """Remove ROOT/SITE_PATH if it is there, and the folders it leaves empty (an article's folder after its URL
    changed)."""
    (root / site_path).unlink(missing_ok=True)
    parts = site_path.split("/")[:-1]
    while parts:
        try:
            os.rmdir(root.joinpath(*parts))
        except OSError:  # not empty (or already gone)
            return
        parts.pop()


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@functools.cache
def _renameat2():
    """The C library's renameat2, from the symbols this process already has: ctypes.util.find_library would run
    ldconfig in a subprocess (10-15 ms of every build that swaps). ctypes is imported only for a swap."""
    import ctypes

    try:
        return getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    except (OSError, TypeError):  # no such handle (Windows)
        return None


def exchange(a: Path, b: Path) -> None:
    """Swap two folders atomically (Linux renameat2); elsewhere, two renames (never a mix, briefly absent)."""
    renameat2 = _renameat2()
    if renameat2 is not None:
        result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
        if result == 0:
            return
    parked = b.with_name(b.name + ".swap")
    os.rename(b, parked)
    os.rename(a, b)
    os.rename(parked, a)
