"""The output trees' manifests on disk: a base file written whole, then a log of what each later build changed.

An edit's build changes a few dozen entries of the manifests (manifests.TrackedManifest), so it appends those
to a log (`trees-*.log`: base_and_log.py) instead of writing both manifests again; the base is rewritten whole
when the trees are other folders than the base describes, or when the changes are many (a full build) or the
log has grown.

Each tree's table (manifest_table.SortedTable) is a block of bytes of its own inside the base, after a header
holding each tree's inputs, so a build with nothing to do reads only the header (30 MB less to read at 100,000
articles), and an edit's maps the base into memory and looks its paths up where they lie, reading the few pages
it touches.

A record of another base or cut short is ignored (base_and_log.read_records): the build that was writing it
had not yet changed the files it describes (trees.OutputTrees.prepare writes first, then changes).
"""

from __future__ import annotations

import mmap
import os
import pickle
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dateline.cache import file_stamps, write_atomically
from dateline.incremental.base_and_log import append_record, new_base_id, read_records
from dateline.incremental.manifest_table import Manifest, SortedTable
from dateline.incremental.manifests import TrackedManifest

FORMAT = 6
_LOG_LIMIT = 2 * 1024 * 1024  # bytes of log after which the base is written again


class ManifestStore:
    """The base file and its log at PATH: each tree's inputs, manifest table and changes since, by tree id."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.log = path.with_name(path.stem + ".log")
        self._base_id = ""
        self._trees: dict[str, tuple[dict, int]] = {}  # tree id -> its inputs and its table's length
        self._tables: dict[str, memoryview | bytes] = {}  # tree id -> its table, once read (see _table)
        self._base: memoryview | None = None  # the base file, once mapped (see _mapped)
        self._header = b""  # the base's header as read or written, to know the base is still that one
        self._changes: dict[str, list[tuple[dict[str, list | None], dict | None]]] = {}  # tree id -> log records
        self._log_bytes = 0
        self._saved: dict[str, tuple[TrackedManifest, dict | None]] = {}  # what the last save() wrote, as objects

    @classmethod
    def open(cls, path: Path) -> ManifestStore:
        """The store at PATH, loaded; in a process that builds again and again (the preview's), the one it
        last saved, while its files are still those it wrote (the same stamps), without reading them again."""
        kept = _in_memory.get(str(path))
        if kept is not None and kept[0] == file_stamps(path, kept[1].log):
            return kept[1]
        store = cls(path)
        store.load()
        return store

    def saved(self, tree_id: str) -> tuple[TrackedManifest, dict | None] | None:
        """That tree's manifest and inputs as the last save() of this process wrote them, when not changed
        since (a build that failed may have changed them without saving)."""
        found = self._saved.get(tree_id)
        return found if found is not None and not found[0].changed else None

    def load(self) -> None:
        """Read the base's header (each tree's inputs; the tables are read when asked for) and the log."""
        try:
            with self.path.open("rb") as stream:
                header = _read_header(stream)
            stored_format, self._base_id, self._trees = pickle.loads(header)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, TypeError, ValueError):
            self._base_id, self._trees = "", {}
            return
        if stored_format != FORMAT:
            self._base_id, self._trees = "", {}
            return
        self._header = header
        try:
            with self.log.open("rb") as stream:
                for _, changes in read_records(stream, self._base_id, 2):
                    for tree, change in changes.items():
                        self._changes.setdefault(tree, []).append(change)
                self._log_bytes = stream.tell()
        except OSError:
            pass

    def tree(self, tree_id: str) -> StoredTree:
        """That tree's manifest and inputs as stored (an empty one for an unknown tree)."""
        stored = self._trees.get(tree_id) if tree_id else None
        if stored is None:
            return StoredTree({}, None, [])
        return StoredTree(stored[0], lambda: self._table(tree_id), self._changes.get(tree_id, []))

    def _table(self, tree_id: str) -> memoryview | bytes | None:
        """That tree's table, where it lies in the base (mapped when first asked for), if the base is still the one
        whose header was read (a build holds the lock, so it is; else None: unreadable, so nothing is trusted)."""
        if tree_id not in self._tables:
            base = self._mapped()
            if base is None:
                return None
            position = 8 + len(self._header)
            for tree, (_, length) in self._trees.items():  # the tables follow in the header's order
                if tree == tree_id:
                    if position + length > len(base):
                        return None
                    self._tables[tree] = base[position:position + length]
                    break
                position += length
        return self._tables.get(tree_id)

    def _mapped(self) -> memoryview | None:
        """The base file as read by load(), mapped into memory: only the pages a lookup touches are read. (Our
        builds replace the base, never write it in place, so the mapping keeps what the header described.)"""
        if self._base is None:
            try:
                with self.path.open("rb") as stream:
                    if _read_header(stream) != self._header:
                        return None
                    if os.name == "posix":
                        self._base = memoryview(mmap.mmap(stream.fileno(), 0, access=mmap.ACCESS_READ))
                    else:  # where a mapped file cannot be replaced (Windows): read whole
                        stream.seek(0)
                        self._base = memoryview(stream.read())
            except (OSError, ValueError):
                return None
        return self._base

    def save(self, trees: dict[str, tuple[TrackedManifest, dict | None]]) -> None:
        """Record TREES (tree id -> manifest, inputs): as a log record when the base has the same trees and the
        changes are few, else as a new base."""
        same_trees = bool(self._base_id) and trees.keys() == self._trees.keys() and all(
            isinstance(files, TrackedManifest) for files, _ in trees.values())
        changed = sum(len(files.changed) for files, _ in trees.values()) if same_trees else 0
        if same_trees and changed * 8 < sum(len(files) for files, _ in trees.values()) + 64 \
                and self._log_bytes < _LOG_LIMIT:
            self._append({tree: ({path: files.get(path) for path in files.changed}, inputs)
                          for tree, (files, inputs) in trees.items()})
        else:
            self._base_id = new_base_id()
            self._tables = {tree: _pack(files) for tree, (files, _) in trees.items()}
            self._base = None
            self._trees = {tree: (inputs or {}, len(self._tables[tree])) for tree, (_, inputs) in trees.items()}
            self._header = pickle.dumps((FORMAT, self._base_id, self._trees), protocol=pickle.HIGHEST_PROTOCOL)
            write_atomically(self.path, b"".join([len(self._header).to_bytes(8, "little"), self._header,
                                                  *self._tables.values()]))
            self.log.unlink(missing_ok=True)
            self._log_bytes = 0
            self._changes = {}
        for files, _ in trees.values():
            if isinstance(files, TrackedManifest):
                files.changed.clear()
        self._saved = {tree: (files, inputs) for tree, (files, inputs) in trees.items()
                       if isinstance(files, TrackedManifest)}
        _in_memory[str(self.path)] = (file_stamps(self.path, self.log), self)

    def record_inputs(self, tree_id: str, inputs: dict) -> None:
        """Record new INPUTS for one tree whose files are as stored (a log record with no entry): nothing else
        of either manifest is decoded or written."""
        if not self._base_id or tree_id not in self._trees or self._log_bytes >= _LOG_LIMIT:
            return  # the next build that saves writes them
        self._append({tree_id: ({}, inputs)})
        if tree_id in self._saved:
            self._saved[tree_id] = (self._saved[tree_id][0], inputs)
        if _in_memory.get(str(self.path), (None, None))[1] is self:
            _in_memory[str(self.path)] = (file_stamps(self.path, self.log), self)

    def _append(self, changes: dict[str, tuple[dict[str, list | None], dict | None]]) -> None:
        self._log_bytes += append_record(self.log, (self._base_id, changes))
        for tree, change in changes.items():
            self._changes.setdefault(tree, []).append(change)


# The store each manifest file last had in this process, with the stamps of its base and log then (open()).
_in_memory: dict[str, tuple[tuple, ManifestStore]] = {}


class StoredTree:
    """One tree's manifest as the base and the log hold it, decoded only as far as asked: its inputs are at hand,
    its table is read only when files() is asked for (a build with nothing to do never does)."""

    def __init__(self, inputs: dict, read_table: Callable[[], bytes | None] | None,
                 changes: list[tuple[dict[str, list | None], dict | None]]) -> None:
        self._inputs = inputs
        self._read_table = read_table  # None: no such tree stored
        self._changes = changes

    def inputs(self) -> dict:
        inputs = self._inputs
        for _, new_inputs in self._changes:
            if new_inputs is not None:
                inputs = new_inputs
        return inputs

    def files(self) -> TrackedManifest | None:
        """The manifest, read from the table as far as it is asked (see TrackedManifest); None when the table
        cannot be read (then nothing the tree's inputs say can be trusted either)."""
        if self._read_table is None:
            return TrackedManifest()
        packed = self._read_table()
        if packed is None:
            return None
        try:
            table = SortedTable(packed)
        except (TypeError, ValueError):
            return None
        changes: dict[str, list | None] = {}
        for entries, _ in self._changes:
            changes.update(entries)
        return TrackedManifest(table=table, changes=changes)


def _read_header(stream: Any) -> bytes:
    """The base's header: its length (8 bytes), then the pickled (format, base id, {tree id: (inputs, length)})."""
    size = int.from_bytes(stream.read(8), "little")
    if not 0 < size <= os.fstat(stream.fileno()).st_size:  # (another format's first bytes: read no further)
        raise ValueError("not a manifest base")
    header = stream.read(size)
    if len(header) != size:
        raise ValueError("a manifest base cut short")
    return header


def _pack(files: TrackedManifest | Manifest) -> bytes:
    """A manifest as a sorted table's bytes (SortedTable): a few large strings rather than three objects per file,
    a quarter of the time to save. Paths never hold NUL (no file name can), nor do fingerprints (hex digests, ""
    while not known)."""
    return files.table_blob() if isinstance(files, TrackedManifest) else SortedTable.pack(files)
