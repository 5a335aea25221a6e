"""The build cache in SITE/.dateline-cache/: parsed articles by file, so unchanged files are not parsed again."""

from __future__ import annotations

import os
import pickle
import tempfile
from pathlib import Path
from typing import Any

CACHE_DIR = ".dateline-cache"
FORMAT = 1


def cache_dir(site_dir: Path) -> Path:
    return site_dir / CACHE_DIR


class ArticleCache:
    """Parsed articles keyed by path and (mtime, size, inode); valid only for one parsing environment.

    The environment key covers what changes a parse besides the file: Dateline's code, the site's
    time zone and HTML trust. Errors are never cached, so a broken file is checked again every build.
    """

    def __init__(self, path: Path, environment: str) -> None:
        self._path = path
        self._environment = environment
        self._entries: dict[str, tuple[tuple[int, int, int], Any]] = {}
        self._dirty = False
        try:
            with path.open("rb") as stream:
                stored = pickle.load(stream)
            if stored.get("format") == FORMAT and stored.get("environment") == environment:
                self._entries = stored["entries"]
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, KeyError, TypeError, ValueError):
            self._entries = {}  # a missing or unreadable cache is only a slower build

    @staticmethod
    def signature(stat: os.stat_result) -> tuple[int, int, int]:
        return (stat.st_mtime_ns, stat.st_size, stat.st_ino)

    def get(self, key: str, signature: tuple[int, int, int]) -> Any | None:
        entry = self._entries.get(key)
        return entry[1] if entry is not None and entry[0] == signature else None

    def put(self, key: str, signature: tuple[int, int, int], value: Any) -> None:
        self._entries[key] = (signature, value)
        self._dirty = True

    def retain(self, keys: set[str]) -> None:
        """Forget files that no longer exist."""
        gone = self._entries.keys() - keys
        for key in gone:
            del self._entries[key]
        self._dirty = self._dirty or bool(gone)

    def save(self) -> None:
        if not self._dirty:
            return
        write_atomically(self._path, pickle.dumps(
            {"format": FORMAT, "environment": self._environment, "entries": self._entries},
            protocol=pickle.HIGHEST_PROTOCOL))
        self._dirty = False


def write_atomically(path: Path, data: bytes) -> None:
    """Write through a temporary file and rename, so a crash never leaves half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
