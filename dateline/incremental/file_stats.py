"""Stat-ing thousands of files at once, and what a folder's stat says: what both the scan of content/articles/
and the check of output/ spend their time on and rely on.

Kept apart so that the one way of doing it fast is written once: names relative to an open folder (the kernel
walks fewer names), and from a few thousand files on, half of them stat-ed by a forked process on the other
core. Not by a second thread: each `stat` releases and takes back the interpreter's lock, and with two threads
calling it 100,000 times the handovers cost more than the second core gives (0.34 s for 100,000 files against
0.23 s in one thread and 0.17 s with a process, on this project's 2-core machine); and so that both read a
folder's stamp by one rule (folder_stamp).
"""

from __future__ import annotations

import os
import signal
from array import array
from collections.abc import Iterable

from dateline.cores import can_fork, worker_count

FORKED_FROM = 2000  # files: fewer are stat-ed in this process alone (a fork costs about a millisecond)
MISSING = -1  # the size stat_files gives a file that is not there
UNREADABLE = -2  # and one that is there but cannot be stat-ed (its folder not searchable): reading it says why


def stat_files(root: str, first: Iterable[str], second: Iterable[str], files: int) -> array:
    """The mtime (ns), size and inode of every path of FIRST, then of SECOND (FILES paths in all), relative to
    ROOT, as one array of three numbers per path; a path that is not there has size MISSING, one that cannot be
    stat-ed UNREADABLE. SECOND is stat-ed by a forked process while this one does FIRST, when there are FILES >=
    FORKED_FROM files, a core to spare and forking is safe."""
    folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    try:
        if files < FORKED_FROM or not _can_fork():
            return _stat_here(folder, first, second)
        return _stat_beside_child(folder, first, second, files)
    finally:
        os.close(folder)


def folder_stamp(found: os.stat_result) -> tuple[int, int, int]:
    """A folder's mtime, ctime and inode, from its stat: any name created, removed or renamed in it changes them
    (ctime cannot be set back by hand), so a folder with the same stamp has the same entries."""
    return found.st_mtime_ns, found.st_ctime_ns, found.st_ino


def missing_or_resized(root: str, entries: list[tuple[str, int]]) -> list[str]:
    """The files of ENTRIES (path, size) that ROOT lacks or holds with another size."""
    half = len(entries) // 2
    try:
        found = stat_files(root, (path for path, _ in entries[:half]), (path for path, _ in entries[half:]),
                           len(entries))
    except OSError:  # ROOT itself cannot be opened
        return [path for path, _ in entries]
    return [path for i, (path, size) in enumerate(entries) if found[3 * i + 1] != size]


def _stat(folder: int, paths: Iterable[str]) -> array:
    numbers = array("q")
    stat, add = os.stat, numbers.extend
    for path in paths:
        try:
            found = stat(path, dir_fd=folder)
        except (FileNotFoundError, NotADirectoryError):
            add((0, MISSING, 0))
            continue
        except (OSError, ValueError):  # ValueError: a name with a NUL byte
            add((0, UNREADABLE, 0))
            continue
        add((found.st_mtime_ns, found.st_size, found.st_ino))
    return numbers


def _stat_here(folder: int, first: Iterable[str], second: Iterable[str]) -> array:
    found = _stat(folder, first)
    found.extend(_stat(folder, second))
    return found


def _can_fork() -> bool:
    """Forking is safe (cores.can_fork), holds Ctrl-C back across it, and is worth it with a second core."""
    return can_fork() and hasattr(signal, "pthread_sigmask") and worker_count() > 1


def _stat_beside_child(folder: int, first: Iterable[str], second: Iterable[str], files: int) -> array:
    """_stat of FIRST here and of SECOND in a forked child (FILES paths in both), which sends its numbers back
    through a pipe. If the child cannot be forked or fails (it should not: it only stats), SECOND is stat-ed
    here after all."""
    reading, writing = os.pipe()
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})  # a Ctrl-C now waits for the try below
    try:
        child = os.fork()
    except OSError:  # no memory or processes to spare
        signal.pthread_sigmask(signal.SIG_SETMASK, held)
        os.close(reading)
        os.close(writing)
        return _stat_here(folder, first, second)
    if child == 0:
        _child(folder, second, reading, writing)
    status = None
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # a Ctrl-C held back arrives here, the child still reaped
        os.close(writing)
        writing = -1
        found = _stat(folder, first)
        with open(reading, "rb", closefd=False) as stream:
            theirs = stream.read()
        _, status = os.waitpid(child, 0)
    finally:
        os.close(reading)
        if writing >= 0:
            os.close(writing)
        if status is None:  # stopped by Ctrl-C: the child's numbers are of no use now
            _end(child)
    if status == 0 and len(theirs) == 8 * (3 * files - len(found)):
        found.frombytes(theirs)
    else:
        found.extend(_stat(folder, second))
    return found


def _end(child: int) -> None:
    try:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    except (ProcessLookupError, ChildProcessError):  # reaped already
        pass


def _child(folder: int, paths: Iterable[str], reading: int, writing: int) -> None:
    """In the forked child: stat PATHS, write the numbers to WRITING, exit without running anything of the
    parent's (no atexit handlers, no buffered output flushed twice)."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle; it kills this child
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
        os.close(reading)
        data = _stat(folder, paths).tobytes()
        with open(writing, "wb") as stream:
            stream.write(data)
        code = 0
    finally:
        os._exit(code)
