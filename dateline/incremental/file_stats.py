"""Stat-ing thousands of files at once, and what a folder's stat says: what both the scan of content/articles/
and the check of output/ spend their time on and rely on.

Kept apart so that the one way of doing it fast is written once: names relative to an open folder (the kernel
walks fewer names), and two threads side by side from a few thousand files on, as the calls wait on the kernel
rather than on Python; and so that both read a folder's stamp by one rule (folder_stamp).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import TypeVar

THREADED_FROM = 2000  # files: fewer are stat-ed in one thread
Part = TypeVar("Part")


def side_by_side(stat_part: Callable[[Part], None], first: Part, second: Part, files: int) -> None:
    """STAT_PART(FIRST) and STAT_PART(SECOND), in two threads when they stat FILES >= THREADED_FROM files."""
    if files < THREADED_FROM:
        stat_part(first)
        stat_part(second)
        return
    helper = threading.Thread(target=stat_part, args=(second,))
    helper.start()
    stat_part(first)
    helper.join()


def folder_stamp(found: os.stat_result) -> tuple[int, int, int]:
    """A folder's mtime, ctime and inode, from its stat: any name created, removed or renamed in it changes them
    (ctime cannot be set back by hand), so a folder with the same stamp has the same entries."""
    return found.st_mtime_ns, found.st_ctime_ns, found.st_ino


def missing_or_resized(root: str, entries: list[tuple[str, int]]) -> list[str]:
    """The files of ENTRIES (path, size) that ROOT lacks or holds with another size."""
    found: list[str] = []

    def check(part: list[tuple[str, int]]) -> None:
        stat = os.stat
        for path, size in part:
            try:
                if stat(path, dir_fd=folder).st_size != size:
                    found.append(path)
            except OSError:
                found.append(path)

    try:
        folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return [path for path, _ in entries]
    try:
        side_by_side(check, entries[0::2], entries[1::2], len(entries))
        return found
    finally:
        os.close(folder)
