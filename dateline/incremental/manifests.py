"""The output trees' manifests on disk: a base file written whole, then a log of what each later build changed.

A manifest lists every file of one tree (output/ or its twin) with its fingerprint and size: 120,000 entries at
100,000 articles, 7 MB pickled. An edit's build changes a few dozen of them, so it appends those to a log
(`trees-*.log`) instead of writing both manifests again; the base is rewritten whole when the trees are other
folders than the base describes, or when the changes are many (a full build) or the log has grown. Each tree's
manifest is kept pickled on its own inside the base, so a build that needs only output/'s (nothing changed)
does not unpickle the twin's.

A log record names the base it follows; records of another base (a crash between writing a new base and
emptying the log) are ignored, as is a record cut short (a crash while appending): the build before it
had not yet changed the files such a record describes (trees.OutputTrees.prepare writes first, then changes).
"""

from __future__ import annotations

import os
import pickle
from array import array
from pathlib import Path
from typing import Any

from dateline.cache import write_atomically

Manifest = dict[str, list]  # site path -> [fingerprint, size]
FORMAT = 2
_LOG_LIMIT = 8 * 1024 * 1024  # bytes of log after which the base is written again


class TrackedManifest(dict):
    """A manifest remembering the paths set or deleted since it was last saved."""

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.changed: set[str] = set()

    def __setitem__(self, key: str, value: list) -> None:
        super().__setitem__(key, value)
        self.changed.add(key)

    def __delitem__(self, key: str) -> None:
        super().__delitem__(key)
        self.changed.add(key)

    def __reduce__(self):  # saved as a plain dict
        return dict, (dict(self),)


class ManifestStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.log = path.with_name(path.stem + ".log")
        self._base_id = ""
        self._trees: dict[str, bytes] = {}  # tree id -> its pickled record in the base
        self._changes: dict[str, list[tuple[dict[str, list | None], dict | None]]] = {}  # tree id -> log records
        self._log_bytes = 0
        self._saved: dict[str, tuple[TrackedManifest, dict | None]] = {}  # what the last save() wrote, as objects

    @classmethod
    def open(cls, path: Path) -> ManifestStore:
        """The store at PATH, loaded; in a process that builds again and again (the preview's), the one it
        last saved, while its files are still those it wrote (the same stamps), without reading them again."""
        kept = _in_memory.get(str(path))
        if kept is not None and kept[0] == _stamps(path, kept[1].log):
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
        try:
            with self.path.open("rb") as stream:
                stored_format, self._base_id, self._trees = pickle.load(stream)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, TypeError, ValueError):
            self._base_id, self._trees = "", {}
            return
        if stored_format != FORMAT:
            self._base_id, self._trees = "", {}
            return
        try:
            with self.log.open("rb") as stream:
                while True:
                    try:
                        base_id, changes = pickle.load(stream)
                    except EOFError:
                        break
                    except (pickle.UnpicklingError, AttributeError, TypeError, ValueError):
                        break  # cut short: see the module's docstring
                    if base_id != self._base_id:
                        continue
                    for tree, change in changes.items():
                        self._changes.setdefault(tree, []).append(change)
                self._log_bytes = stream.tell()
        except OSError:
            pass

    def tree(self, tree_id: str) -> StoredTree:
        """That tree's manifest and inputs as stored (an empty one for an unknown tree)."""
        stored = self._trees.get(tree_id) if tree_id else None
        return StoredTree(stored, self._changes.get(tree_id, []) if stored is not None else [])

    def save(self, trees: dict[str, tuple[TrackedManifest, dict | None]]) -> None:
        """Record TREES (tree id -> manifest, inputs): as a log record when the base has the same trees and the
        changes are few, else as a new base."""
        same_trees = bool(self._base_id) and trees.keys() == self._trees.keys() and all(
            isinstance(files, TrackedManifest) for files, _ in trees.values())
        changed = sum(len(files.changed) for files, _ in trees.values()) if same_trees else 0
        if same_trees and changed * 8 < sum(len(files) for files, _ in trees.values()) + 64 \
                and self._log_bytes < _LOG_LIMIT:
            record = pickle.dumps((self._base_id, {
                tree: ({path: files.get(path) for path in files.changed}, inputs)
                for tree, (files, inputs) in trees.items()}), protocol=pickle.HIGHEST_PROTOCOL)
            with open(self.log, "ab") as stream:
                stream.write(record)
            self._log_bytes += len(record)
            for tree, (files, inputs) in trees.items():
                self._changes.setdefault(tree, []).append(({path: files.get(path) for path in files.changed}, inputs))
        else:
            self._base_id = os.urandom(8).hex()
            self._trees = {tree: _pack(files, inputs or {}) for tree, (files, inputs) in trees.items()}
            write_atomically(self.path, pickle.dumps((FORMAT, self._base_id, self._trees),
                                                     protocol=pickle.HIGHEST_PROTOCOL))
            self.log.unlink(missing_ok=True)
            self._log_bytes = 0
            self._changes = {}
        for files, _ in trees.values():
            if isinstance(files, TrackedManifest):
                files.changed.clear()
        self._saved = {tree: (files, inputs) for tree, (files, inputs) in trees.items()
                       if isinstance(files, TrackedManifest)}
        _in_memory[str(self.path)] = (_stamps(self.path, self.log), self)


# The store each manifest file last had in this process, with the stamps of its base and log then (open()).
_in_memory: dict[str, tuple[tuple, ManifestStore]] = {}


def _stamps(*paths: Path) -> tuple:
    """Changes whenever one of PATHS is written (the base is replaced, the log appended to or removed)."""
    found = []
    for path in paths:
        try:
            stat = os.stat(path)
        except OSError:
            found.append(None)
            continue
        found.append((stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_size))
    return tuple(found)


    def record_inputs(self, tree_id: str, inputs: dict) -> None:
        """Record new INPUTS for one tree whose files are as stored (a log record with no entry): nothing else
        of either manifest is decoded or written."""
        if not self._base_id or tree_id not in self._trees or self._log_bytes >= _LOG_LIMIT:
            return  # the next build that saves writes them
        record = pickle.dumps((self._base_id, {tree_id: ({}, inputs)}), protocol=pickle.HIGHEST_PROTOCOL)
        with open(self.log, "ab") as stream:
            stream.write(record)
        self._log_bytes += len(record)
        self._changes.setdefault(tree_id, []).append(({}, inputs))
        if tree_id in self._saved:
            self._saved[tree_id] = (self._saved[tree_id][0], inputs)
        if _in_memory.get(str(self.path), (None, None))[1] is self:
            _in_memory[str(self.path)] = (_stamps(self.path, self.log), self)


class StoredTree:
    """One tree's manifest as the base and the log hold it, decoded only as far as asked."""

    def __init__(self, packed: bytes | None, changes: list[tuple[dict[str, list | None], dict | None]]) -> None:
        self._parts: tuple[dict, str, str, bytes, bytes] = ({}, "", "", b"", b"")
        self._changes = changes
        if packed is not None:
            try:
                inputs, paths, fingerprints, unknown, sizes = pickle.loads(packed)
            except (pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError):
                self._changes = []  # unreadable: as if unknown, so everything is made again
                return
            count = paths.count("\0") + 1 if paths else 0
            if count == len(unknown) == len(sizes) // 8 == (fingerprints.count("\0") + 1 if count else 0):
                self._parts = (inputs, paths, fingerprints, unknown, sizes)
            else:
                self._changes = []

    def inputs(self) -> dict:
        inputs = self._parts[0]
        for _, new_inputs in self._changes:
            if new_inputs is not None:
                inputs = new_inputs
        return inputs

    def sizes(self) -> list[tuple[str, int]] | Manifest:
        """(path, size) of every file: straight from the stored form when no log record changed it (all a
        build with nothing to do needs), else from the manifest."""
        _, paths, _, _, sizes = self._parts
        numbers = array("q")
        numbers.frombytes(sizes)
        if not any(entries for entries, _ in self._changes):
            return list(zip(paths.split("\0"), numbers, strict=True)) if paths else []
        by_path = dict(zip(paths.split("\0"), numbers, strict=True)) if paths else {}
        for entries, _ in self._changes:
            for path, entry in entries.items():
                if entry is None:
                    by_path.pop(path, None)
                else:
                    by_path[path] = entry[1]
        return list(by_path.items())

    def count(self) -> int:
        if any(entries for entries, _ in self._changes):
            return len(self.files())
        return len(self._parts[4]) // 8

    def files(self) -> TrackedManifest:
        _, paths, fingerprints, unknown, sizes = self._parts
        numbers = array("q")
        numbers.frombytes(sizes)
        files = TrackedManifest(
            {path: [None if is_unknown else fingerprint, size] for path, fingerprint, is_unknown, size in
             zip(paths.split("\0"), fingerprints.split("\0"), unknown, numbers, strict=True)} if paths else {})
        for entries, _ in self._changes:
            for path, entry in entries.items():
                if entry is None:
                    files.pop(path, None)
                else:
                    dict.__setitem__(files, path, entry)
        return files


def _pack(files: Manifest, inputs: dict) -> bytes:
    """A manifest as five objects rather than three per file: a quarter of the time to save, less to read.
    Paths never hold NUL (no file name can), nor do fingerprints (hex digests, "" while not yet known)."""
    return pickle.dumps((inputs, "\0".join(files), "\0".join(entry[0] or "" for entry in files.values()),
                         bytes(entry[0] is None for entry in files.values()),
                         array("q", (entry[1] for entry in files.values())).tobytes()),
                        protocol=pickle.HIGHEST_PROTOCOL)
