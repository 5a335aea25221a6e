"""Writing the site: two complete trees, output/ and a hidden twin, swapped atomically after each build.

The twin (".output.next" beside output/) is brought up to date: files it already holds with the right
fingerprint stay, files unchanged since the last build are hard-linked from output/, and only the
rest is written. Then the two folders trade places in one atomic rename, so readers (and a build
killed at any moment) only ever see the previous complete site or the new complete site. No tree
is ever deleted: on this kind of disk, deleting thousands of files costs more than writing them.

This module holds the build's plan (which path gets which fingerprint, what must be rendered) and the steps
that bring the twin to it; what the trees held before this build is recorded_trees.py's, and the file-system
calls that never write outside a tree are tree_writes.py's.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from dateline.errors import DatelineError, SourceError
from dateline.fileio import read_bytes
from dateline.incremental.manifests import UNKNOWN, TrackedManifest, listed, same_content
from dateline.incremental.recorded_trees import RecordedTrees
from dateline.incremental.tree_writes import TreeFolders, exchange, link_file, remove_file, scratch_folder, write_file
from dateline.urls import UnsafePath, check_site_path


class OutputTrees:
    """The output folder OUTPUT and its twin, for one build; manifests and inputs kept in CACHE_DIR."""

    def __init__(self, output: Path, cache_dir: Path) -> None:
        self.output = output.resolve()
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self.next = self.output.parent / f".{self.output.name}.next"
        self.recorded = RecordedTrees(self.output, self.next, cache_dir)  # the manifests, output/'s inputs
        self._inputs: dict = {}  # what this build was made from, recorded with output/ on commit
        self._planned: dict[str, str] = {}  # site path -> fingerprint, for this build
        # An edit's build: the paths whose fingerprint it changes (every other path is planned as output/ has
        # it, and never put in _planned: an edit looks only at these and where the twin may differ).
        self._edit: dict[str, str] | None = None
        self._sources: dict[str, str] = {}  # site path -> what produced it, to catch two outputs on one path
        # A first build (no output/ yet) also links every file it writes into a third tree, the future twin,
        # so that the build after it (typically an edit) need not link the whole site first.
        self._mirror = self.output.parent / f".{self.output.name}.mirror"
        self._mirroring = False
        self._stale = self.output.parent / f".{self.output.name}.stale"  # a twin being replaced (_catch_up_twin)
        self._compare_live = True  # whether output/ may hold a page's bytes already (not on a first build)
        self._folders = TreeFolders()

    # -- planning ---------------------------------------------------------------------------------------

    def add(self, site_path: str, fingerprint: str, source: str) -> None:
        """Declare that the new site has SITE_PATH with this fingerprint (before deciding what to render)."""
        if site_path in self._sources:
            first = self._sources[site_path]
            raise DatelineError(SourceError(Path(source), f"{site_path} would be written twice: by {source} and by "
                                                          f"{first}; change a slug or the permalink"))
        try:
            check_site_path(site_path)  # symlinks inside the tree are checked when a file is written
        except UnsafePath as exc:
            raise DatelineError(SourceError(Path(source), f"refusing to write {exc}")) from None
        self._sources[site_path] = source
        self._planned[site_path] = fingerprint

    def set_fingerprints(self, fingerprints: dict[str, str]) -> None:
        """The fingerprints of files declared without one (a first build), once they are known."""
        for path, fingerprint in fingerprints.items():
            self._planned[path] = fingerprint
            if path in self.recorded.twin:
                self.recorded.twin[path] = [fingerprint, self.recorded.twin[path][1]]

    def plan_edit(self, changes: dict[str, str]) -> None:
        """The new site is output/'s files with CHANGES (site path -> new fingerprint): no file added or removed.
        What the build does then depends on CHANGES and the paths where the twin may differ from output/
        (recorded by each build as "twin_differs"), not on the size of the site."""
        if all(path in self.recorded.live for path in changes):
            self._edit = dict(changes)
        else:  # not the stored pages of output/: plan every path
            self._planned = {path: entry[0] for path, entry in self.recorded.live.items()}
            self._planned.update(changes)

    def _fingerprint(self, path: str) -> str | None:
        """The fingerprint planned for PATH."""
        if self._edit is not None:
            return self._edit[path] if path in self._edit else self.recorded.live[path][0]
        return self._planned[path]

    def set_inputs(self, inputs: dict) -> None:
        """What this build is made from (signature, article count, warnings): recorded with output/."""
        self._inputs = inputs

    def unchanged(self) -> bool:
        """True when output/ already is the new site: nothing to write, nothing to swap."""
        live = self.recorded.live  # (a property: looked up once, not per path)
        if self._edit is not None:  # the other paths are output/'s (whose files are trusted: RecordedTrees.built_from)
            return (all(listed(live[path], fp) for path, fp in self._edit.items()) and self.output.is_dir()
                    and all(_holds(self.output, path, live[path], fp) for path, fp in self._edit.items()))
        return (live.keys() == self._planned.keys()
                and all(listed(live[path], fp) for path, fp in self._planned.items())
                and self.output.is_dir()
                and all(_holds(self.output, path, live[path], fp) for path, fp in self._planned.items()))

    def to_render(self) -> list[str]:
        """Paths whose content neither tree holds (by their manifests): only these are rendered."""
        twin, live = self.recorded.twin, self.recorded.live  # (properties: looked up once, not per path)
        return [path for path, fp in (self._planned if self._edit is None else self._edit).items()
                if not listed(twin.get(path), fp) and not listed(live.get(path), fp)]

    # -- bringing the twin up to date --------------------------------------------------------------------

    def prepare(self) -> list[str]:
        """Make the twin hold the right files for every path that needs no rendering; drop stale files.

        Returns the paths that must be rendered after all because output/ lost the file to link.
        """
        shutil.rmtree(scratch_folder(self.next), ignore_errors=True)  # temporaries of a build killed mid-write
        shutil.rmtree(self._mirror, ignore_errors=True)  # the mirror of a first build killed before the swap
        shutil.rmtree(self._stale, ignore_errors=True)  # the twin of a build killed while replacing it (commit)
        if not self.recorded.twin and self.next.exists():
            shutil.rmtree(self.next)  # a twin no manifest describes (caches deleted, a crash): not to be trusted
        if not self.output.exists() and not self.next.exists():
            self._mirroring = True
            self._mirror.mkdir()
        self.next.mkdir(exist_ok=True)
        self._compare_live = self.output.is_dir()
        # The manifest on disk must never claim content the twin may not hold, and must keep naming every
        # file the twin may hold (else a stale page could outlive a failed build and be published), even
        # if we are killed now: before changing anything, mark what we are about to change as unknown.
        twin, live = self.recorded.twin, self.recorded.live
        differs = self.recorded.inputs.get("twin_differs")
        # Not known, or no twin to compare with (deleted by hand, its manifest unreadable: every file of the new
        # site must then be put into it, not only the edit's): every path compared.
        if self._edit is not None and (differs is None or not twin):
            self._planned = {path: entry[0] for path, entry in live.items()}
            self._planned.update(self._edit)
            self._edit = None
        if self._edit is not None:  # elsewhere the twin lists what output/ lists, which is planned
            candidates = sorted(self._edit.keys() | set(differs))
            stale = [p for p in candidates if p in twin and p not in live]
            changing = [p for p in candidates if p in live and not listed(twin.get(p), self._fingerprint(p))]
            self.recorded.inputs = {**self.recorded.inputs, "twin_differs": sorted({*differs, *stale, *changing})}
        else:
            stale = sorted(twin.keys() - self._planned.keys())
            changing = [p for p, fp in self._planned.items() if not listed(twin.get(p), fp)]
            self.recorded.inputs = {**self.recorded.inputs, "twin_differs": None}  # compared whole if this build fails
        for path in (*stale, *changing):
            self.recorded.twin[path] = UNKNOWN
        self.recorded.save()
        for path in stale:
            remove_file(self.next, path)
            del self.recorded.twin[path]
        lost = []
        for path in changing:
            if listed(self.recorded.live.get(path), self._fingerprint(path)):
                try:
                    link_file(f"{self.output}/{path}", str(self.next), path, self._folders)
                except FileNotFoundError:  # deleted from output/ by hand
                    lost.append(path)
                    continue
                self.recorded.twin[path] = self.recorded.live[path]
        return lost

    def write(self, site_path: str, data: bytes) -> bool:
        """Put DATA at SITE_PATH in the twin (safe in worker processes); False if output/ had those bytes.

        A page re-rendered because something it depends on changed often comes out the same: then it
        is linked from output/, keeping its inode and mtime, so publishing tools see no change.
        """
        # Paths as strings: this runs for every page, and pathlib's parsing cost more than the writing.
        live = f"{self.output}/{site_path}"
        if self._compare_live:
            try:
                same = os.stat(live).st_size == len(data) and read_bytes(live) == data
            except OSError:
                same = False
            if same:
                link_file(live, str(self.next), site_path, self._folders)
                return False
        write_file(self.next, site_path, data, self._folders)
        if self._mirroring:
            link_file(f"{self.next}/{site_path}", str(self._mirror), site_path, self._folders)
        return True

    def record_written(self, site_path: str, size: int) -> None:
        self.recorded.twin[site_path] = [self._fingerprint(site_path), size]

    def commit(self) -> None:
        """Swap the twin in as output/ in one atomic step; the old output/ becomes the twin."""
        if self._edit is None:  # (an edit's twin has output/'s paths: prepare removed the others)
            for path in [path for path in self.recorded.twin if path not in self._planned]:
                del self.recorded.twin[path]
        if self.output.exists():
            exchange(self.next, self.output)
            self.recorded.live, self.recorded.twin = self.recorded.twin, self.recorded.live
        else:
            os.rename(self.next, self.output)
            self.recorded.live, self.recorded.twin = self.recorded.twin, TrackedManifest()
            if self._mirroring:  # it holds a link to every file of the new output/
                os.rename(self._mirror, self.next)
                self.recorded.twin = TrackedManifest(self.recorded.live)
        self._folders = TreeFolders()  # the folders just changed names
        live, twin = self.recorded.live, self.recorded.twin
        if self._edit is not None:  # the twin is output/ before this build: they differ where it changed
            differs = [path for path in self._edit if not same_content(twin.get(path), live[path])]
        else:
            differs = [path for path in live.keys() | twin.keys() if not same_content(twin.get(path), live.get(path))]
        self.recorded.record(self._inputs, sorted(differs))
        if self._edit is None and differs:
            self._catch_up_twin(sorted(differs))

    def _catch_up_twin(self, differs: list[str]) -> None:
        """After a full build, make the twin (output/ before it) the new output/ again where they differ, so that
        the edits after it touch only their own pages: the first edit after a build that rendered every page
        again used to link all of output/'s files into the twin first (3.5-100 s at 100,000 articles). A full
        build is where that wait belongs. Where most paths differ, a new twin is made of links to output/'s files
        (one system call each) and the old one deleted; else the paths that differ are replaced by links.
        Nothing depends on it: a build killed meanwhile leaves a twin no manifest describes, or entries marked
        unknown (the next build then does it), and one that fails here has still succeeded."""
        live, stale = self.recorded.live, self._stale
        try:
            if len(differs) * 4 > len(live):
                shutil.rmtree(stale, ignore_errors=True)
                os.rename(self.next, stale)  # from here on the twin has a new inode: no manifest describes it
                os.mkdir(self.next)
                folders = TreeFolders()
                for path in live:
                    link_file(f"{self.output}/{path}", str(self.next), path, folders)
                self.recorded.twin = TrackedManifest(dict(live.items()))
            else:
                for path in differs:
                    self.recorded.twin[path] = UNKNOWN
                self.recorded.save()
                for path in differs:
                    if path in live:
                        link_file(f"{self.output}/{path}", str(self.next), path, self._folders)
                        self.recorded.twin[path] = live[path]
                    else:
                        remove_file(self.next, path)
                        del self.recorded.twin[path]
        except (OSError, UnsafePath):  # (a file deleted from output/ by hand meanwhile): left to the next build
            return
        self.recorded.inputs = {**self.recorded.inputs, "twin_differs": []}
        self.recorded.save()
        shutil.rmtree(stale, ignore_errors=True)

    def record_inputs(self) -> None:
        """output/ already is the new site (nothing to swap): remember what it was built from."""
        self.recorded.record(self._inputs, self.recorded.inputs.get("twin_differs"))


def _holds(root: Path, path: str, entry: list | None, fingerprint: str) -> bool:
    """Listed with this fingerprint, and the file is really there with its size."""
    if not listed(entry, fingerprint):
        return False
    try:
        return (root / path).stat().st_size == entry[1]
    except OSError:
        return False

