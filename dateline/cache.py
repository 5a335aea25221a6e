"""The build cache in SITE/.dateline-cache/: parsed articles by file, and values kept under a key (related articles)."""

from __future__ import annotations

import os
import pickle
import tempfile
import zlib
from pathlib import Path
from typing import Any

CACHE_DIR = ".dateline-cache"
FORMAT = 2


def cache_dir(site_dir: Path) -> Path:
    return site_dir / CACHE_DIR


class ArticleCache:
    """Parsed articles keyed by path and (mtime, size, inode); valid only for one parsing environment.

    The environment key covers what changes a parse besides the file: Dateline's code, the site's
    time zone and HTML trust. Errors are never cached, so a broken file is checked again every build.
    Entries are spread over SHARDS files so that editing one article rewrites one small file.
    """

    SHARDS = 32

    def __init__(self, folder: Path, environment: str) -> None:
        self.folder = folder
        self._environment = environment
        self._shards: list[dict[str, tuple[tuple[int, int, int], Any]]] = [{} for _ in range(self.SHARDS)]
        self._dirty: set[int] = set()
        self.unsaved = 0  # entries put since the last save
        for number in range(self.SHARDS):
            stored = load_keyed(self._shard_path(number), f"{FORMAT}:{environment}")
            if isinstance(stored, dict):
                self._shards[number] = stored  # a missing or unreadable shard is only a slower build

    def _shard_path(self, number: int) -> Path:
        return self.folder / f"articles-{number:02d}.pickle"

    def _shard(self, key: str) -> int:
        return zlib.crc32(key.encode()) % self.SHARDS

    @staticmethod
    def signature(stat: os.stat_result) -> tuple[int, int, int]:
        return (stat.st_mtime_ns, stat.st_size, stat.st_ino)

    def get(self, key: str, signature: tuple[int, int, int]) -> Any | None:
        entry = self._shards[self._shard(key)].get(key)
        return entry[1] if entry is not None and entry[0] == signature else None

    def put(self, key: str, signature: tuple[int, int, int], value: Any) -> None:
        number = self._shard(key)
        self._shards[number][key] = (signature, value)
        self._dirty.add(number)
        self.unsaved += 1

    def retain(self, keys: set[str]) -> None:
        """Forget files that no longer exist."""
        for number, shard in enumerate(self._shards):
            gone = shard.keys() - keys
            for key in gone:
                del shard[key]
            if gone:
                self._dirty.add(number)

    def save(self) -> None:
        for number in sorted(self._dirty):
            save_keyed(self._shard_path(number), f"{FORMAT}:{self._environment}", self._shards[number])
        self._dirty.clear()
        self.unsaved = 0


def load_keyed(path: Path, key: str) -> Any | None:
    """The value saved at PATH under KEY, or None when there is none (or another key's)."""
    try:
        with path.open("rb") as stream:
            stored_key, value = pickle.load(stream)
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, TypeError, ValueError):
        return None
    return value if stored_key == key else None


def save_keyed(path: Path, key: str, value: Any) -> None:
    write_atomically(path, pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL))


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


def file_stamps(*paths: Path) -> tuple:
    """Changes whenever one of PATHS is written: a base replaced (a new inode), a log appended to or removed.
    A cache kept in memory between a preview's builds is trusted only while its files' stamps are the same."""
    found = []
    for path in paths:
        try:
            stat = os.stat(path)
        except OSError:
            found.append(None)
            continue
        found.append((stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_size))
    return tuple(found)
