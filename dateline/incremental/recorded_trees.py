"""output/ and its twin as the builds before left them: each tree's manifest and what output/ was built from, and
whether output/ still holds what they record.

Apart from trees.OutputTrees, which plans this build and brings the twin to it: a build with nothing to do asks
only this (built_from) and plans nothing. The manifests are read from one store per output folder
(manifest_store.ManifestStore), where a tree is known by its folder's inode (_tree_id), which travels with the
folder through the swaps.
"""

from __future__ import annotations

import os
from pathlib import Path

from dateline.fingerprint import digest
from dateline.incremental.file_stats import folder_stamp, missing_or_resized
from dateline.incremental.manifest_store import ManifestStore, StoredTree
from dateline.incremental.manifests import UNKNOWN, TrackedManifest


class RecordedTrees:
    """The manifests of OUTPUT and its twin, read from CACHE_DIR when first needed, and OUTPUT's inputs."""

    def __init__(self, output: Path, twin: Path, cache_dir: Path) -> None:
        self.output, self.next = output, twin
        self._store = ManifestStore.open(cache_dir / f"trees-{digest(str(output))}.pickle")
        # Decoded when first needed, and then read from their stored tables as far as asked
        # (manifests.TrackedManifest): a build that finds nothing changed needs only output/'s inputs (its paths
        # and sizes when output/'s folder changed), an edit's a few dozen entries of each.
        self._stored_live: StoredTree | None = self._store.tree(_tree_id(output))
        self.inputs: dict = self._stored_live.inputs()  # what output/ was built from (see record)
        self._live_files = TrackedManifest()
        self._stored_twin: StoredTree | None = self._store.tree(_tree_id(twin))
        self._twin_files = TrackedManifest()
        # in a process that builds again and again (the preview's), the manifests its last build saved
        if (saved := self._store.saved(_tree_id(output))) is not None:
            self._live_files, self._stored_live, self.inputs = saved[0], None, saved[1] or {}
        if (saved := self._store.saved(_tree_id(twin))) is not None:
            self._twin_files, self._stored_twin = saved[0], None

    @property
    def live(self) -> TrackedManifest:
        """output/'s manifest."""
        if self._stored_live is not None:
            files, self._stored_live = self._stored_live.files(), None
            if files is None:  # unreadable: nothing recorded with it is trusted (a full build makes everything)
                files, self.inputs = TrackedManifest(), {}
            self._live_files = files
        return self._live_files

    @live.setter
    def live(self, files: TrackedManifest) -> None:
        self._live_files, self._stored_live = files, None

    @property
    def twin(self) -> TrackedManifest:
        """The twin's manifest."""
        if self._stored_twin is not None:
            self._twin_files, self._stored_twin = self._stored_twin.files() or TrackedManifest(), None
        return self._twin_files

    @twin.setter
    def twin(self, files: TrackedManifest) -> None:
        self._twin_files, self._stored_twin = files, None

    def built_from(self, signature: str) -> bool:
        """True when output/ was built from inputs with this signature and still holds every file it had.

        Its files are trusted to be the ones the last build wrote (as the twin's are) while output/'s own
        folder is as that build left it (its stamp: creating, deleting or renaming anything at its top
        changes it); otherwise every file is stat-ed (holds_every_file)."""
        if self.inputs.get("signature") != signature:
            return False
        stamp = _stamp(self.output)
        if stamp is None or (stamp != self.inputs.get("stamp") and not self.holds_every_file()):
            return False
        if self.inputs.get("signature") != signature:  # its manifest, read to check, was unreadable
            return False
        if stamp != self.inputs.get("stamp"):  # checked file by file: trusted again from now on
            self.inputs = {**self.inputs, "stamp": stamp}
            self._store.record_inputs(_tree_id(self.output), self.inputs)
        return True

    def holds_every_file(self) -> bool:
        """Whether output/ has every file its manifest lists, with its size (one stat each)."""
        return self.output.is_dir() and not missing_or_resized(str(self.output), self.live.path_sizes())

    def verify(self) -> bool:
        """Stat every file of both trees (`build --verify`): a file deleted or truncated by hand (in place,
        which changes both trees where they share it) is marked unknown in both manifests, so that this build
        makes it again. True when none was."""
        damaged: set[str] = set()
        for root, files in ((self.output, self.live), (self.next, self.twin)):
            if root.is_dir():
                damaged.update(missing_or_resized(str(root), [(path, entry[1]) for path, entry in files.items()
                                                              if entry[0] is not None]))
        for path in damaged:
            for files in (self.live, self.twin):
                if path in files:
                    files[path] = UNKNOWN
        return not damaged

    def is_new(self) -> bool:
        """No output/ and no twin yet: every file of this build is written, whatever its fingerprint."""
        return not self.live and not self.twin and not self.output.exists() and not self.next.exists()

    def live_inputs(self) -> dict:
        """What output/ was built from (see record); nothing when its manifest cannot be read (read first)."""
        self.live  # noqa: B018 (decoded for its side effect: an unreadable manifest empties the inputs)
        return dict(self.inputs)

    def previous_warnings(self) -> list[list]:
        return self.inputs.get("warnings", [])

    def article_count(self) -> int:
        return self.inputs.get("articles", 0)

    def file_count(self) -> int:
        if "files" in self.inputs:  # as recorded: nothing decoded
            return self.inputs["files"]
        return len(self.live)

    def record(self, inputs: dict, twin_differs: list[str] | None) -> None:
        """Record what output/ was built from (INPUTS: signature, article count, warnings), its stamp and size,
        and where the twin may differ from it."""
        self.inputs = {**inputs, "stamp": _stamp(self.output), "files": len(self.live), "twin_differs": twin_differs}
        self.save()

    def save(self) -> None:
        manifests = {}
        if self.output.is_dir():
            manifests[_tree_id(self.output)] = (self.live, self.inputs)
        if self.next.is_dir():
            manifests[_tree_id(self.next)] = (self.twin, None)
        self._store.save(manifests)


def _stamp(folder: Path) -> list[int] | None:
    """FOLDER's stamp (file_stats.folder_stamp), as a list: as recorded with output/'s inputs."""
    try:
        return list(folder_stamp(os.stat(folder)))
    except OSError:
        return None


def _tree_id(folder: Path) -> str:
    """Which physical folder this is: the inode travels with the folder through renames."""
    try:
        stat = folder.stat()
    except OSError:
        return ""
    return f"{stat.st_dev}:{stat.st_ino}"
