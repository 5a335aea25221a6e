"""Writing the site: two complete trees, output/ and a hidden twin, swapped atomically after each build.

The twin (".output.next" beside output/) is brought up to date: files it already holds with the right
fingerprint stay, files unchanged since the last build are hard-linked from output/, and only the
rest is written. Then the two folders trade places in one atomic rename, so readers (and a build
killed at any moment) only ever see the previous complete site or the new complete site. No tree
is ever deleted: on this kind of disk, deleting thousands of files costs more than writing them.
"""

from __future__ import annotations

import functools
import itertools
import os
import shutil
import stat
import threading
from pathlib import Path

from dateline.errors import DatelineError, SourceError
from dateline.fileio import read_bytes, write_new
from dateline.fingerprint import digest
from dateline.incremental.manifest_store import ManifestStore, StoredTree
from dateline.incremental.manifests import TrackedManifest
from dateline.urls import UnsafePath, check_site_path


class OutputTrees:
    def __init__(self, output: Path, cache_dir: Path) -> None:
        self.output = output.resolve()
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self.next = self.output.parent / f".{self.output.name}.next"
        self._store = ManifestStore.open(cache_dir / f"trees-{digest(str(self.output))}.pickle")
        # Decoded when first needed, and then read from their stored tables as far as asked
        # (manifests.TrackedManifest): a build that finds nothing changed needs only output/'s inputs (its paths
        # and sizes when output/'s folder changed), an edit's a few dozen entries of each.
        self._stored_live: StoredTree | None = self._store.tree(_tree_id(self.output))
        self._live_inputs: dict = self._stored_live.inputs()
        self._live_files = TrackedManifest()
        self._stored_twin: StoredTree | None = self._store.tree(_tree_id(self.next))
        self._twin_files = TrackedManifest()
        # in a process that builds again and again (the preview's), the manifests its last build saved
        if (saved := self._store.saved(_tree_id(self.output))) is not None:
            self._live_files, self._stored_live, self._live_inputs = saved[0], None, saved[1] or {}
        if (saved := self._store.saved(_tree_id(self.next))) is not None:
            self._twin_files, self._stored_twin = saved[0], None
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
        self._folders = _Folders()

    @property
    def _live(self) -> TrackedManifest:
        if self._stored_live is not None:
            files, self._stored_live = self._stored_live.files(), None
            if files is None:  # unreadable: nothing recorded with it is trusted (a full build makes everything)
                files, self._live_inputs = TrackedManifest(), {}
            self._live_files = files
        return self._live_files

    @_live.setter
    def _live(self, files: TrackedManifest) -> None:
        self._live_files, self._stored_live = files, None

    @property
    def _twin(self) -> TrackedManifest:
        if self._stored_twin is not None:
            self._twin_files, self._stored_twin = self._stored_twin.files() or TrackedManifest(), None
        return self._twin_files

    @_twin.setter
    def _twin(self, files: TrackedManifest) -> None:
        self._twin_files, self._stored_twin = files, None

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

    def built_from(self, signature: str) -> bool:
        """True when output/ was built from inputs with this signature and still holds every file it had.

        Its files are trusted to be the ones the last build wrote (as the twin's are) while output/'s own
        folder is as that build left it (its stamp: creating, deleting or renaming anything at its top
        changes it); otherwise every file is stat-ed (holds_every_file)."""
        if self._live_inputs.get("signature") != signature:
            return False
        stamp = _stamp(self.output)
        if stamp is None or (stamp != self._live_inputs.get("stamp") and not self.holds_every_file()):
            return False
        if self._live_inputs.get("signature") != signature:  # its manifest, read to check, was unreadable
            return False
        if stamp != self._live_inputs.get("stamp"):  # checked file by file: trusted again from now on
            self._live_inputs = {**self._live_inputs, "stamp": stamp}
            self._store.record_inputs(_tree_id(self.output), self._live_inputs)
        return True

    def holds_every_file(self) -> bool:
        """Whether output/ has every file its manifest lists, with its size (one stat each)."""
        return self.output.is_dir() and not _damaged(str(self.output), self._live.path_sizes())

    def verify(self) -> bool:
        """Stat every file of both trees (`build --verify`): a file deleted or truncated by hand (in place,
        which changes both trees where they share it) is marked unknown in both manifests, so that this build
        makes it again. True when none was."""
        damaged: set[str] = set()
        for root, files in ((self.output, self._live), (self.next, self._twin)):
            if root.is_dir():
                damaged.update(_damaged(str(root), [(path, entry[1]) for path, entry in files.items()
                                                    if entry[0] is not None]))
        for path in damaged:
            for files in (self._live, self._twin):
                if path in files:
                    files[path] = _UNKNOWN
        return not damaged

    def is_new(self) -> bool:
        """No output/ and no twin yet: every file of this build is written, whatever its fingerprint."""
        return not self._live and not self._twin and not self.output.exists() and not self.next.exists()

    def set_fingerprints(self, fingerprints: dict[str, str]) -> None:
        """The fingerprints of files declared without one (a first build), once they are known."""
        for path, fingerprint in fingerprints.items():
            self._planned[path] = fingerprint
            if path in self._twin:
                self._twin[path] = [fingerprint, self._twin[path][1]]

    def plan_edit(self, changes: dict[str, str]) -> None:
        """The new site is output/'s files with CHANGES (site path -> new fingerprint): no file added or removed.
        What the build does then depends on CHANGES and the paths where the twin may differ from output/
        (recorded by each build as "twin_differs"), not on the size of the site."""
        if all(path in self._live for path in changes):
            self._edit = dict(changes)
        else:  # not the stored pages of output/: plan every path
            self._planned = {path: entry[0] for path, entry in self._live.items()}
            self._planned.update(changes)

    def _fingerprint(self, path: str) -> str | None:
        """The fingerprint planned for PATH."""
        if self._edit is not None:
            return self._edit[path] if path in self._edit else self._live[path][0]
        return self._planned[path]

    def live_inputs(self) -> dict:
        """What output/ was built from (see set_inputs); nothing when its manifest cannot be read (read first)."""
        self._live  # noqa: B018 (decoded for its side effect: an unreadable manifest empties the inputs)
        return dict(self._live_inputs)

    def set_inputs(self, inputs: dict) -> None:
        """What this build is made from (signature, article count, warnings): recorded with output/."""
        self._inputs = inputs

    def previous_warnings(self) -> list[list]:
        return self._live_inputs.get("warnings", [])

    def article_count(self) -> int:
        return self._live_inputs.get("articles", 0)

    def file_count(self) -> int:
        if "files" in self._live_inputs:  # as recorded: nothing decoded
            return self._live_inputs["files"]
        return len(self._live)

    def unchanged(self) -> bool:
        """True when output/ already is the new site: nothing to write, nothing to swap."""
        live = self._live  # (a property: looked up once, not per path)
        if self._edit is not None:  # the other paths are output/'s (whose files are trusted: see built_from)
            return (all(_listed(live[path], fp) for path, fp in self._edit.items()) and self.output.is_dir()
                    and all(_holds(self.output, path, live[path], fp) for path, fp in self._edit.items()))
        return (live.keys() == self._planned.keys()
                and all(_listed(live[path], fp) for path, fp in self._planned.items())
                and self.output.is_dir()
                and all(_holds(self.output, path, live[path], fp) for path, fp in self._planned.items()))

    def to_render(self) -> list[str]:
        """Paths whose content neither tree holds (by their manifests): only these are rendered."""
        twin, live = self._twin, self._live  # (properties: looked up once, not per path)
        return [path for path, fp in (self._planned if self._edit is None else self._edit).items()
                if not _listed(twin.get(path), fp) and not _listed(live.get(path), fp)]

    # -- bringing the twin up to date --------------------------------------------------------------------

    def prepare(self) -> list[str]:
        """Make the twin hold the right files for every path that needs no rendering; drop stale files.

        Returns the paths that must be rendered after all because output/ lost the file to link.
        """
        shutil.rmtree(scratch_folder(self.next), ignore_errors=True)  # temporaries of a build killed mid-write
        shutil.rmtree(self._mirror, ignore_errors=True)  # the mirror of a first build killed before the swap
        shutil.rmtree(self._stale, ignore_errors=True)  # the twin of a build killed while replacing it (commit)
        if not self._twin and self.next.exists():
            shutil.rmtree(self.next)  # a twin no manifest describes (caches deleted, a crash): not to be trusted
        if not self.output.exists() and not self.next.exists():
            self._mirroring = True
            self._mirror.mkdir()
        self.next.mkdir(exist_ok=True)
        self._compare_live = self.output.is_dir()
        # The manifest on disk must never claim content the twin may not hold, and must keep naming every
        # file the twin may hold (else a stale page could outlive a failed build and be published), even
        # if we are killed now: before changing anything, mark what we are about to change as unknown.
        twin, live = self._twin, self._live
        differs = self._live_inputs.get("twin_differs")
        # Not known, or no twin to compare with (deleted by hand, its manifest unreadable: every file of the new
        # site must then be put into it, not only the edit's): every path compared.
        if self._edit is not None and (differs is None or not twin):
            self._planned = {path: entry[0] for path, entry in live.items()}
            self._planned.update(self._edit)
            self._edit = None
        if self._edit is not None:  # elsewhere the twin lists what output/ lists, which is planned
            candidates = sorted(self._edit.keys() | set(differs))
            stale = [p for p in candidates if p in twin and p not in live]
            changing = [p for p in candidates if p in live and not _listed(twin.get(p), self._fingerprint(p))]
            self._live_inputs = {**self._live_inputs, "twin_differs": sorted({*differs, *stale, *changing})}
        else:
            stale = sorted(twin.keys() - self._planned.keys())
            changing = [p for p, fp in self._planned.items() if not _listed(twin.get(p), fp)]
            self._live_inputs = {**self._live_inputs, "twin_differs": None}  # compared whole if this build fails
        for path in (*stale, *changing):
            self._twin[path] = _UNKNOWN
        self.save()
        for path in stale:
            (self.next / path).unlink(missing_ok=True)
            _remove_empty_folders(self.next, path)
            del self._twin[path]
        lost = []
        for path in changing:
            if _listed(self._live.get(path), self._fingerprint(path)):
                try:
                    _link(f"{self.output}/{path}", str(self.next), path, self._folders)
                except FileNotFoundError:  # deleted from output/ by hand
                    lost.append(path)
                    continue
                self._twin[path] = self._live[path]
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
                _link(live, str(self.next), site_path, self._folders)
                return False
        write_file(self.next, site_path, data, self._folders)
        if self._mirroring:
            _link(f"{self.next}/{site_path}", str(self._mirror), site_path, self._folders)
        return True

    def record_written(self, site_path: str, size: int) -> None:
        self._twin[site_path] = [self._fingerprint(site_path), size]

    def commit(self) -> None:
        """Swap the twin in as output/ in one atomic step; the old output/ becomes the twin."""
        if self._edit is None:  # (an edit's twin has output/'s paths: prepare removed the others)
            for path in [path for path in self._twin if path not in self._planned]:
                del self._twin[path]
        if self.output.exists():
            exchange(self.next, self.output)
            self._live, self._twin = self._twin, self._live
        else:
            os.rename(self.next, self.output)
            self._live, self._twin = self._twin, TrackedManifest()
            if self._mirroring:  # it holds a link to every file of the new output/
                os.rename(self._mirror, self.next)
                self._twin = TrackedManifest(self._live)
        self._folders = _Folders()  # the folders just changed names
        live, twin = self._live, self._twin
        if self._edit is not None:  # the twin is output/ before this build: they differ where it changed
            differs = [path for path in self._edit if not _same(twin.get(path), live[path])]
        else:
            differs = [path for path in live.keys() | twin.keys() if not _same(twin.get(path), live.get(path))]
        self._record(sorted(differs))
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
        live, stale = self._live, self._stale
        try:
            if len(differs) * 4 > len(live):
                shutil.rmtree(stale, ignore_errors=True)
                os.rename(self.next, stale)  # from here on the twin has a new inode: no manifest describes it
                os.mkdir(self.next)
                folders = _Folders()
                for path in live:
                    _link(f"{self.output}/{path}", str(self.next), path, folders)
                self._twin = TrackedManifest(dict(live.items()))
            else:
                for path in differs:
                    self._twin[path] = _UNKNOWN
                self.save()
                for path in differs:
                    if path in live:
                        _link(f"{self.output}/{path}", str(self.next), path, self._folders)
                        self._twin[path] = live[path]
                    else:
                        (self.next / path).unlink(missing_ok=True)
                        _remove_empty_folders(self.next, path)
                        del self._twin[path]
        except (OSError, UnsafePath):  # (a file deleted from output/ by hand meanwhile): left to the next build
            return
        self._live_inputs = {**self._live_inputs, "twin_differs": []}
        self.save()
        shutil.rmtree(stale, ignore_errors=True)

    def record_inputs(self) -> None:
        """output/ already is the new site (nothing to swap): remember what it was built from."""
        self._record(self._live_inputs.get("twin_differs"))

    def _record(self, twin_differs: list[str] | None) -> None:
        """Record what output/ was built from, its stamp and size, and where the twin may differ from it."""
        self._live_inputs = {**self._inputs, "stamp": _stamp(self.output), "files": len(self._live),
                             "twin_differs": twin_differs}
        self.save()

    def save(self) -> None:
        manifests = {}
        if self.output.is_dir():
            manifests[_tree_id(self.output)] = (self._live, self._live_inputs)
        if self.next.is_dir():
            manifests[_tree_id(self.next)] = (self._twin, None)
        self._store.save(manifests)


class _Folders:
    """Makes the folders of files written into a tree, each with one system call, and never through a symlink.

    Every folder is made (so it is a real folder) or, if it already exists, checked not to be a symlink
    or a file, from the tree's root down; together with writing files by exclusive create or rename
    (which never follow a symlink at the file's own name) nothing can be written outside the tree,
    whatever is planted in it. Folders done once are remembered for the rest of the build.
    """

    def __init__(self) -> None:
        self._known: set[str] = set()

    def target(self, root: str, site_path: str) -> str:
        """ROOT/SITE_PATH, its folder made."""
        check_site_path(site_path)
        self._make(root, site_path.rpartition("/")[0])
        return f"{root}/{site_path}"

    def _make(self, root: str, folder: str) -> None:
        if not folder or f"{root}/{folder}" in self._known:
            return
        self._make(root, folder.rpartition("/")[0])
        path = f"{root}/{folder}"
        try:
            os.mkdir(path)
        except FileExistsError:
            if not stat.S_ISDIR(os.lstat(path).st_mode):
                raise UnsafePath(f"{folder!r} in {root} is a symlink or a file, not a folder: refusing to write "
                                 "through it, it could lead outside the output folder") from None
        self._known.add(path)


def write_file(root: Path, site_path: str, data: bytes, folders: _Folders | None = None) -> None:
    """ROOT/SITE_PATH := DATA. A file that exists is replaced, never written in place: it may be a hard
    link shared with the live output/."""
    target = f"{root}/{site_path}"
    try:
        target = (folders or _Folders()).target(str(root), site_path)
        try:  # the common case, a new file
            write_new(target, data)
            return
        except FileExistsError:
            pass
        temporary = _scratch_name(root)
        temporary.write_bytes(data)
        os.replace(temporary, target)
    except OSError as exc:
        raise DatelineError(SourceError(Path(target), f"cannot write the file: {exc.strerror}; "
                                                      "the published output was left as it was")) from None


def scratch_folder(root: Path) -> Path:
    """Where temporaries for ROOT are made: beside it (same file system, so renames are atomic) and never
    inside it, so a build killed between writing and renaming cannot leave a stray file to be published."""
    return root.with_name(f"{root.name}.tmp")


_scratch_count = itertools.count()


def _scratch_name(root: Path) -> Path:
    folder = scratch_folder(root)
    folder.mkdir(exist_ok=True)
    return folder / f"{os.getpid()}-{next(_scratch_count)}"


_UNKNOWN = [None, 0]  # a manifest entry for a file that may or may not be there, with unknown content


def _listed(entry: list | None, fingerprint: str) -> bool:
    return entry is not None and entry[0] == fingerprint


def _same(entry: list | None, other: list | None) -> bool:
    """Whether two manifest entries list the same known content."""
    return entry is not None and other is not None and entry[0] is not None and entry[0] == other[0]


def _holds(root: Path, path: str, entry: list | None, fingerprint: str) -> bool:
    """Listed with this fingerprint, and the file is really there with its size."""
    if not _listed(entry, fingerprint):
        return False
    try:
        return (root / path).stat().st_size == entry[1]
    except OSError:
        return False


def _damaged(root: str, entries: list[tuple[str, int]]) -> list[str]:
    """The files of ENTRIES (path, size) that ROOT lacks or holds with another size. Waiting on the kernel for
    100,000 stats, two threads wait side by side."""
    found: list[str] = []

    def check(part: int) -> None:
        stat = os.stat
        for path, size in entries[part::2]:
            try:
                if stat(path, dir_fd=folder).st_size != size:  # relative: fewer names for the kernel to walk
                    found.append(path)
            except OSError:
                found.append(path)

    try:
        folder = os.open(root, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return [path for path, _ in entries]
    try:
        if len(entries) < 2000:
            check(0), check(1)
            return found
        helper = threading.Thread(target=check, args=(1,))
        helper.start()
        check(0)
        helper.join()
        return found
    finally:
        os.close(folder)


def _link(source: str, root: str, site_path: str, folders: _Folders | None = None) -> None:
    """ROOT/SITE_PATH becomes a hard link to SOURCE (an unchanged file of the live output/)."""
    target = (folders or _Folders()).target(root, site_path)
    try:  # the common case, a new name: one system call
        os.link(source, target)
        return
    except FileExistsError:
        pass
    if os.path.samestat(os.stat(source), os.lstat(target)):
        return  # already that very file (and not a symlink to it)
    temporary = _scratch_name(Path(root))
    os.link(source, temporary)
    os.replace(temporary, target)
    temporary.unlink(missing_ok=True)  # rename() does nothing when both names are links to one file


def _remove_empty_folders(root: Path, site_path: str) -> None:
    """Remove the folders of SITE_PATH that are left empty (an article's folder after its URL changed)."""
    parts = site_path.split("/")[:-1]
    while parts:
        try:
            os.rmdir(root.joinpath(*parts))
        except OSError:  # not empty (or already gone)
            return
        parts.pop()


def _stamp(folder: Path) -> list[int] | None:
    """FOLDER's mtime, ctime and inode: any name created, removed or renamed in it changes them (ctime cannot
    be set back by hand)."""
    try:
        found = os.stat(folder)
    except OSError:
        return None
    return [found.st_mtime_ns, found.st_ctime_ns, found.st_ino]


def _tree_id(folder: Path) -> str:
    """Which physical folder this is: the inode travels with the folder through renames."""
    try:
        stat = folder.stat()
    except OSError:
        return ""
    return f"{stat.st_dev}:{stat.st_ino}"


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@functools.cache
def _renameat2():
    """The C library's renameat2, from the symbols this process already has: ctypes.util.find_library would run
    ldconfig in a subprocess (10-15 ms of every build that swaps). ctypes is imported only for a swap."""
    import ctypes

    try:
        return getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    except (OSError, TypeError):  # no such handle (Windows)
        return None


def exchange(a: Path, b: Path) -> None:
    """Swap two folders atomically (Linux renameat2); elsewhere, two renames (never a mix, briefly absent)."""
    renameat2 = _renameat2()
    if renameat2 is not None:
        result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
        if result == 0:
            return
    parked = b.with_name(b.name + ".swap")
    os.rename(b, parked)
    os.rename(a, b)
    os.rename(parked, a)
