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
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dateline.cache import write_atomically

Manifest = dict[str, list]  # site path -> [fingerprint, size]
FORMAT = 1
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

    def tree(self, tree_id: str) -> Callable[[], tuple[TrackedManifest, dict]]:
        """A function giving that tree's manifest and inputs (unpickled when first called)."""
        def read() -> tuple[TrackedManifest, dict]:
            stored = self._trees.get(tree_id)
            if not tree_id or stored is None:
                return TrackedManifest(), {}
            files, inputs = pickle.loads(stored)
            files = TrackedManifest(files)
            for entries, new_inputs in self._changes.get(tree_id, ()):
                for path, entry in entries.items():
                    if entry is None:
                        files.pop(path, None)
                    else:
                        dict.__setitem__(files, path, entry)
                if new_inputs is not None:
                    inputs = new_inputs
            return files, inputs
        return read

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
            self._trees = {tree: pickle.dumps((dict(files), inputs or {}), protocol=pickle.HIGHEST_PROTOCOL)
                           for tree, (files, inputs) in trees.items()}
            write_atomically(self.path, pickle.dumps((FORMAT, self._base_id, self._trees),
                                                     protocol=pickle.HIGHEST_PROTOCOL))
            self.log.unlink(missing_ok=True)
            self._log_bytes = 0
            self._changes = {}
        for files, _ in trees.values():
            if isinstance(files, TrackedManifest):
                files.changed.clear()
