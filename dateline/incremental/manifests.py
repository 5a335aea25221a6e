"""One output tree's manifest in memory: read from its stored table as far as a build asks, and knowing what
the build changed, so that saving it writes only those entries.

Apart from the table (manifest_table.py) and the files (manifest_store.py): this is what trees.OutputTrees
plans with, entry by entry; an entry is [fingerprint, size], the fingerprint None while the file's content is
not known (UNKNOWN).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from dateline.incremental.manifest_table import Manifest, SortedTable

_LOOKUPS = 2048  # paths looked up in the table one by one before it is decoded whole (a full build's planning)


class TrackedManifest:
    """One tree's manifest (site path -> [fingerprint or None, size]), remembering the paths set or deleted since
    it was last saved.

    Read from its stored table path by path while few are asked for (an edit's build), decoded whole once many
    are or every entry is wanted; what was changed since the table was stored (the log's records, this build's
    changes) is held beside it, None for a path deleted."""

    def __init__(self, files: Manifest | TrackedManifest | None = None, table: SortedTable | None = None,
                 changes: dict[str, list | None] | None = None) -> None:
        self._table = table
        self._entries: dict[str, Any] = dict(files.items()) if files is not None else {}
        if table is not None:
            self._entries.update(changes or {})
        elif changes:
            self._apply(changes)
        self._count: int | None = None  # len(self) while the table is kept
        self._lookups = 0
        self.changed: set[str] = set()

    def _apply(self, changes: dict[str, list | None]) -> None:
        for path, entry in changes.items():
            if entry is None:
                self._entries.pop(path, None)
            else:
                self._entries[path] = entry

    def _whole(self) -> dict[str, list]:
        """Every entry, as a dictionary (the table decoded, the changes applied)."""
        if self._table is not None:
            changes, self._entries = self._entries, self._table.decoded()
            self._table = None
            self._apply(changes)
        return self._entries

    def get(self, path: str, default: Any = None) -> Any:
        if self._table is None:
            return self._entries.get(path, default)
        if path in self._entries:
            entry = self._entries[path]
            return default if entry is None else entry
        self._lookups += 1
        if self._lookups > _LOOKUPS:  # a full build's planning: a dictionary pays
            return self._whole().get(path, default)
        entry = self._table.get(path)
        return default if entry is None else entry

    def __getitem__(self, path: str) -> list:
        entry = self.get(path)
        if entry is None:
            raise KeyError(path)
        return entry

    def __contains__(self, path: object) -> bool:
        return isinstance(path, str) and self.get(path) is not None

    def __setitem__(self, path: str, entry: list) -> None:
        if self._table is not None and self._count is not None and path not in self:
            self._count += 1
        self._entries[path] = entry
        self.changed.add(path)

    def __delitem__(self, path: str) -> None:
        if path not in self:
            raise KeyError(path)
        if self._table is not None:
            self._entries[path] = None
            if self._count is not None:
                self._count -= 1
        else:
            del self._entries[path]
        self.changed.add(path)

    def pop(self, path: str, default: Any = None) -> Any:
        entry = self.get(path)
        if entry is None:
            return default
        del self[path]
        return entry

    def __len__(self) -> int:
        if self._table is None:
            return len(self._entries)
        if self._count is None:
            table = self._table
            self._count = table.count + sum((entry is not None) - (table.get(path) is not None)
                                            for path, entry in self._entries.items())
        return self._count

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self) -> Iterator[str]:
        return iter(self._whole())

    def keys(self) -> Any:
        return self._whole().keys()

    def items(self) -> Any:
        return self._whole().items()

    def values(self) -> Any:
        return self._whole().values()

    def path_sizes(self) -> list[tuple[str, int]]:
        """(path, size) of every file: straight from the table when nothing changed it (all a build with nothing
        to do needs, without making a dictionary of the entries)."""
        if self._table is not None and not self._entries:
            return self._table.path_sizes()
        return [(path, entry[1]) for path, entry in self._whole().items()]

    def table_blob(self) -> bytes:
        """The manifest as a table's bytes to store (the ones read, when nothing changed it)."""
        if self._table is not None and not self._entries:
            return self._table.blob.tobytes()
        return SortedTable.pack(self._whole())

    def __reduce__(self):  # pickled as a plain dict
        return dict, (dict(self.items()),)


UNKNOWN = [None, 0]  # the entry of a file that may or may not be there, with unknown content


def listed(entry: list | None, fingerprint: str) -> bool:
    """Whether ENTRY lists a file with this FINGERPRINT."""
    return entry is not None and entry[0] == fingerprint


def same_content(entry: list | None, other: list | None) -> bool:
    """Whether two entries list the same known content."""
    return entry is not None and other is not None and entry[0] is not None and entry[0] == other[0]
