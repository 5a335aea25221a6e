"""Watching a site's sources with watchdog: which events matter, and polling where native events fail."""

from __future__ import annotations

import logging
import os
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from dateline.config import CONFIG_NAME
from dateline.render import THEME_DIR

SOURCE_DIRS = ("content", "templates", "static", "locales")  # watched recursively, with site.yaml beside them
POLL_INTERVAL = 1.0  # seconds
# File systems where inotify misses changes made on the other side (another machine, the host of a VM, Windows).
NETWORK_FILE_SYSTEMS = {"nfs", "nfs4", "cifs", "smb3", "smbfs", "9p", "drvfs", "afs", "ncpfs", "vboxsf", "virtiofs",
                        "fuse.sshfs", "sshfs", "fuse.rclone", "davfs", "fuse.vmhgfs-fuse", "fuse.gvfsd-fuse"}
# Files editors write beside the real one while saving (vim's 4913 and .swp, emacs' #x#, JetBrains' ___jb_tmp___).
_TEMP_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".swpx", ".tmp", ".part", ".crdownload", "___jb_tmp___",
                  "___jb_old___")
# Only changes: every build reads every article, and opening or reading a file is not a change.
_CHANGE_EVENTS = [FileCreatedEvent, FileModifiedEvent, FileDeletedEvent, FileMovedEvent, FileClosedEvent,
                  DirCreatedEvent, DirDeletedEvent, DirMovedEvent]


def source_roots(site_dir: Path) -> list[Path]:
    """Folders whose changes need a rebuild: the site's and the default theme's, each once."""
    roots: list[Path] = []
    for root in [*(site_dir / name for name in SOURCE_DIRS), THEME_DIR / "templates", THEME_DIR / "static"]:
        if root.resolve() not in roots:
            roots.append(root.resolve())
    return roots


def source_signatures(site_dir: Path) -> dict[Path, tuple[int, int]]:
    """(mtime, size) of every source file the watcher would report a change of (site.yaml and the roots)."""
    site_dir = site_dir.resolve()
    roots = source_roots(site_dir)
    signatures: dict[Path, tuple[int, int]] = {}
    for top in [site_dir / CONFIG_NAME, *roots]:
        signatures.update((path, signature) for path, signature in stat_tree(top).items()
                          if is_source_change(path, site_dir, roots))
    return signatures


def stat_tree(root: Path) -> dict[Path, tuple[int, int]]:
    """(mtime, size) of every file under ROOT (or of ROOT, a file), to see what changed between two moments."""
    found = {}
    for folder, _subfolders, files in os.walk(root) if root.is_dir() else [(root.parent, [], [root.name])]:
        for name in files:
            path = Path(folder) / name
            try:
                stat = path.stat()
            except OSError:
                continue
            found[path] = (stat.st_mtime_ns, stat.st_size)
    return found


def changed_paths(before: dict[Path, tuple[int, int]], after: dict[Path, tuple[int, int]]) -> list[Path]:
    """The files added, removed or changed between two stat_tree() or source_signatures() readings."""
    return sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))


def is_source_change(path: Path, site_dir: Path, roots: list[Path]) -> bool:
    """True for site.yaml and files in the source ROOTS; False for output, previews, hidden and temporary files."""
    name = path.name
    if name.endswith(_TEMP_SUFFIXES) or name == "4913" or (name.startswith("#") and name.endswith("#")):
        return False
    if path.parent == site_dir:
        return name == CONFIG_NAME or name in SOURCE_DIRS
    for root in roots:
        if path.is_relative_to(root):
            return not any(part.startswith(".") for part in path.relative_to(root).parts)
    return False


def on_network_drive(path: Path) -> str | None:
    """The file system type if PATH is on one where native events are unreliable (Linux only), else None."""
    try:
        mounts = Path("/proc/self/mounts").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    best, best_type = "", ""
    target = str(path.resolve())
    for line in mounts:
        fields = line.split()
        if len(fields) < 3:
            continue
        point = fields[1].replace("\\040", " ")
        if (target == point or target.startswith(point.rstrip("/") + "/")) and len(point) > len(best):
            best, best_type = point, fields[2]
    return best_type if best_type in NETWORK_FILE_SYSTEMS else None


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: SourceWatcher) -> None:
        self.watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        self.watcher.dispatch(event)


class _LostEvents(logging.Filter):
    """Calls ON_LOST when watchdog reports that the kernel's queue of events overflowed (it says so only in its
    log): events were lost, so the rebuild must look for the changes itself."""

    def __init__(self, on_lost: Callable[[], None]) -> None:
        super().__init__()
        self.on_lost = on_lost

    def filter(self, record: logging.LogRecord) -> bool:
        if "overflow" in str(record.msg):
            self.on_lost()
        return True


_INOTIFY_LOGGERS = ("watchdog.observers.inotify_c", "watchdog.observers.inotify")


class SourceWatcher:
    """Calls ON_CHANGE(path) from watchdog's thread for every change to a site's sources, and ON_LOST() when
    changes may have gone unreported (the kernel's queue of events overflowed)."""

    def __init__(self, site_dir: Path, on_change: Callable[[Path], None], *, poll: bool = False,
                 on_lost: Callable[[], None] | None = None) -> None:
        self.site_dir = site_dir.resolve()
        self.on_change = on_change
        self.poll = poll
        self._lost = _LostEvents(on_lost) if on_lost is not None else None
        self.observer: BaseObserver | None = None
        self.roots = source_roots(self.site_dir)
        self._scheduled: set[Path] = set()

    def start(self) -> str:
        """Start watching; return how ("native events" or "polling every 1 s" and why)."""
        how = "native events"
        poll = self.poll
        if not poll and (fs_type := on_network_drive(self.site_dir)):
            poll, how = True, f"polling every {POLL_INTERVAL:g} s (the site is on a {fs_type} drive)"
        elif poll:
            how = f"polling every {POLL_INTERVAL:g} s"
        try:
            self._start(PollingObserver(timeout=POLL_INTERVAL) if poll else Observer())
        except OSError as exc:  # e.g. the inotify watch limit: polling still works
            if poll:
                raise
            print(f"warning: native file events failed ({exc}); polling for changes instead", file=sys.stderr)
            self._start(PollingObserver(timeout=POLL_INTERVAL))
            how = f"polling every {POLL_INTERVAL:g} s"
        return how

    def _start(self, observer: BaseObserver) -> None:
        self.observer, self._scheduled = observer, set()
        # A folder created while watchdog adds the watches under its parent (the importer writing
        # content/articles/2025/09/11/) is added twice, with the same callback: watchdog warns from its own thread,
        # which under an "error" filter stops the watcher. The watch is the same either way, so say nothing.
        warnings.filterwarnings("ignore", message="Callback with id .* already exists", category=RuntimeWarning)
        if self._lost is not None:
            for name in _INOTIFY_LOGGERS:
                logging.getLogger(name).addFilter(self._lost)
        observer.schedule(_Handler(self), str(self.site_dir), recursive=False, event_filter=_CHANGE_EVENTS)
        for root in self.roots:
            self._watch(root)
        try:
            observer.start()
        except BaseException:
            observer.stop()
            raise

    def _watch(self, root: Path) -> None:
        if root.is_dir() and root not in self._scheduled and self.observer is not None:
            self.observer.schedule(_Handler(self), str(root), recursive=True, event_filter=_CHANGE_EVENTS)
            self._scheduled.add(root)

    def stop(self) -> None:
        if self.observer is not None:
            self.observer.stop()
            if self.observer.is_alive():
                self.observer.join()
            self.observer = None
        if self._lost is not None:
            for name in _INOTIFY_LOGGERS:
                logging.getLogger(name).removeFilter(self._lost)

    def dispatch(self, event: FileSystemEvent) -> None:
        if event.is_directory and event.event_type == "modified":
            return
        paths = [event.src_path, getattr(event, "dest_path", "")]
        for raw in paths:
            if not raw:
                continue
            path = Path(raw.decode() if isinstance(raw, bytes) else raw)
            if not is_source_change(path, self.site_dir, self.roots):
                continue
            if path.parent == self.site_dir and path.name in SOURCE_DIRS and event.event_type != "deleted":
                self._watch(path.resolve())  # content/, templates/ or static/ created after we started
            self.on_change(path)
