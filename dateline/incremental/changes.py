"""What changed in content/articles/ since the last build, answered per folder from a journal of the last scan.

The last successful build's scan is kept (SITE/.dateline-cache/scan-index.pickle): for each folder under
content/articles/, its own stamp (mtime, ctime, inode), its subfolders and Markdown files, and the files'
signatures (mtime, size, inode) packed in one byte string. A folder whose stamp is unchanged has the same
entries (adding, removing or renaming a file changes its folder's mtime and ctime, and ctime cannot be set
back by hand), so it is not listed again; its files are still stat-ed, as an edit in place changes no folder,
and compared folder by folder as bytes. What an edit's rebuild needs is then the few files that differ, not
the whole snapshot's file table, and the build's signature is a digest of one short digest per folder.

Where it could be wrong, it is not trusted: a folder whose last change (ctime) is not older than the scan that
recorded it is listed again, as a second change within the same tick of the file system's clock would leave the
same stamp; and a journal that does not describe the build output/ came from (another signature) is ignored:
the build then compares every file with the snapshot. "Older than the scan" is measured on the file system's
own clock (scan_clock), to its own granularity, so a build run right after a change trusts every folder the
change did not touch; where that clock cannot be read, a folder must be two seconds older than the scan.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import threading
import time
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from dateline.cache import file_stamps, write_atomically

FORMAT = 4
_LOG_LIMIT = 1024 * 1024  # bytes of log after which the journal is written whole again
RACY_NS = 2_000_000_000  # without the file system's clock, a folder changed this close to a scan is listed again
FileSignature = tuple[int, int, int]  # mtime_ns, size, inode (as cache.ArticleCache.signature)
ScannedFile = tuple[str, str, FileSignature]  # path, path relative to content/articles, signature


@dataclass(frozen=True)
class FolderRecord:
    stamp: tuple[int, int, int]  # the folder's mtime_ns, ctime_ns, inode
    folders: tuple[str, ...]  # subfolder names
    listing: str  # Markdown file names, sorted, joined by "/" (never in a name): one object to save, not one each
    signatures: bytes  # array("q") of mtime_ns, size, inode per name

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.listing.split("/")) if self.listing else ()

    @functools.cached_property
    def listing_digest(self) -> bytes:
        """A digest of the names (a few MB at 100,000 articles): made once per record, and kept with the journal
        (pickled with the record), so a build hashes again only the folders whose files changed."""
        return hashlib.blake2b(self.listing.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def patched(self, stamp: tuple[int, ...], indexes: tuple[int, ...], packed: bytes) -> FolderRecord:
        """This folder with STAMP and the files at INDEXES signed as PACKED (a journal log's record)."""
        numbers, new = array("q", self.signatures), array("q", packed)
        if len(new) != 3 * len(indexes) or any(not 0 <= i < len(numbers) // 3 for i in indexes):
            raise ValueError("a journal record that does not fit its folder")
        for n, i in enumerate(indexes):
            numbers[3 * i:3 * i + 3] = new[3 * n:3 * n + 3]
        return FolderRecord(tuple(stamp), self.folders, self.listing, numbers.tobytes())  # type: ignore[arg-type]


@dataclass(frozen=True)
class ArticleScan:
    root: str  # content/articles
    folders: dict[str, FolderRecord]  # by path relative to root, "" or "2025/09/"
    # Folders changed (ctime) before this, in ns, had their last change before the scan began: their stamps
    # can be trusted by the next build (see scan_clock).
    trusted_before: int = 0

    def files(self) -> list[ScannedFile]:
        """Every article file, sorted by path relative to content/articles (as content.scan_article_files)."""
        found: list[ScannedFile] = []
        for prefix, record in self.folders.items():
            numbers = array("q", record.signatures)
            found.extend((f"{self.root}/{prefix}{name}", prefix + name, tuple(numbers[3 * i:3 * i + 3]))
                         for i, name in enumerate(record.names))
        found.sort(key=lambda item: item[1])
        return found

    def file(self, key: str) -> ScannedFile:
        """The file at KEY (a path relative to content/articles that the scan found)."""
        folder, _, name = key.rpartition("/")
        prefix = f"{folder}/" if folder else ""
        record = self.folders[prefix]
        i = record.names.index(name)
        return f"{self.root}/{key}", key, tuple(array("q", record.signatures[24 * i:24 * i + 24]))

    def digest(self) -> str:
        """Changes with any file's signature, name or folder: what the build's signature covers."""
        hasher = hashlib.blake2b(digest_size=16)
        for prefix in sorted(self.folders):
            record = self.folders[prefix]
            hasher.update(f"{prefix}\0".encode("utf-8", "surrogatepass"))
            hasher.update(record.listing_digest)
            hasher.update(record.signatures)
        return hasher.hexdigest()

    def changed_since(self, journal: ScanJournal) -> tuple[set[str], set[str], set[str]]:
        """(added, removed, modified) files, by path relative to content/articles, since JOURNAL's scan."""
        added: set[str] = set()
        removed: set[str] = set()
        modified: set[str] = set()
        for prefix in self.folders.keys() | journal.folders.keys():
            new, old = self.folders.get(prefix), journal.folders.get(prefix)
            if new is not None and old is not None and new.listing == old.listing:
                if new.signatures != old.signatures:
                    now, before = array("q", new.signatures), array("q", old.signatures)
                    modified.update(prefix + name for i, name in enumerate(new.names)
                                    if now[3 * i:3 * i + 3] != before[3 * i:3 * i + 3])
                continue
            new_names = set(new.names) if new else set()
            old_names = set(old.names) if old else set()
            added.update(prefix + name for name in new_names - old_names)
            removed.update(prefix + name for name in old_names - new_names)
        return added, removed, modified


@dataclass(frozen=True)
class ScanJournal:
    """The scan a build was made from, as saved after it: a base file written whole, and a log to which a build
    that changed only some files' signatures and folders' stamps appends those (an edit's build: a few hundred
    bytes, where writing the whole journal again was 7.7 MB and 10-140 ms at 100,000 articles)."""

    signature: str  # the build's signature (build._Inputs.signature)
    trusted_before: int  # the scan's ArticleScan.trusted_before: its folders changed since are listed again
    folders: dict[str, FolderRecord]
    base: str = ""  # the id of the base file it was read from (its log's records name it)

    @staticmethod
    def path(cache_root: Path) -> Path:
        return cache_root / "scan-index.pickle"

    @staticmethod
    def log_path(cache_root: Path) -> Path:
        return cache_root / "scan-index.log"

    @classmethod
    def load(cls, cache_root: Path) -> ScanJournal | None:
        """The journal on disk; in a process that builds again and again (the preview's), the one it last
        saved or loaded, while the files are still those (the same stamps), without reading them again."""
        path, log = cls.path(cache_root), cls.log_path(cache_root)
        stamps = file_stamps(path, log)  # (the build lock keeps them as they are meanwhile)
        kept = _in_memory.get(str(path))
        if kept is not None and kept[0] == stamps:
            return kept[1]
        try:
            with path.open("rb") as stream:
                stored_format, journal = pickle.load(stream)
            if stored_format != FORMAT or not isinstance(journal, cls):
                return None
            journal = journal._replayed(log)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, TypeError, ValueError, IndexError):
            return None
        _in_memory[str(path)] = (stamps, journal)
        return journal

    def _replayed(self, log: Path) -> ScanJournal:
        """With the log's records of this base applied in order; a record cut short (a build killed while
        appending) ends the log: the journal is then the build's before, whose signature is not output/'s, so
        nothing it says is trusted (see edits.find_edits). Raises ValueError or IndexError for a record that does
        not fit the base."""
        signature, trusted_before, folders = self.signature, self.trusted_before, dict(self.folders)
        try:
            stream = log.open("rb")
        except OSError:
            return self
        with stream:
            while True:
                try:
                    base, new_signature, new_trusted_before, patches = pickle.load(stream)
                except EOFError:
                    break
                except (pickle.UnpicklingError, AttributeError, TypeError, ValueError):
                    break  # cut short
                if base != self.base:
                    continue  # of another base (killed between writing a new base and removing the log)
                for prefix, (stamp, indexes, packed) in patches.items():
                    folders[prefix] = folders[prefix].patched(stamp, indexes, packed)
                signature, trusted_before = new_signature, new_trusted_before
        return ScanJournal(signature, trusted_before, folders, self.base)

    @classmethod
    def save(cls, cache_root: Path, signature: str, scan: ArticleScan, previous: ScanJournal | None = None) -> None:
        """Record SCAN under SIGNATURE: appended to the log when PREVIOUS, the journal on disk (as loaded by this
        build), has the same folders and files and the log is short, else as a new base."""
        path, log = cls.path(cache_root), cls.log_path(cache_root)
        _in_memory.pop(str(path), None)
        patches = None
        if previous is not None and previous.base:
            try:
                log_size = os.stat(log).st_size
            except OSError:
                log_size = 0
            if log_size < _LOG_LIMIT:
                patches = _patches(previous, scan)
        if patches is not None:
            base = previous.base  # type: ignore[union-attr]
            with open(log, "ab") as stream:
                stream.write(pickle.dumps((base, signature, scan.trusted_before, patches),
                                          protocol=pickle.HIGHEST_PROTOCOL))
        else:
            base = os.urandom(8).hex()
            write_atomically(path, pickle.dumps((FORMAT, cls(signature, scan.trusted_before, scan.folders, base)),
                                                protocol=pickle.HIGHEST_PROTOCOL))
            log.unlink(missing_ok=True)
        _in_memory[str(path)] = (file_stamps(path, log), cls(signature, scan.trusted_before, scan.folders, base))

    def describes(self, scan: ArticleScan, signature: str) -> bool:
        """Whether saving SCAN under SIGNATURE would store nothing new (a journal that trusts every folder it
        lists, of the same files)."""
        return self.signature == signature and self.folders == scan.folders and not self._racy_folders()

    def _racy_folders(self) -> bool:
        return any(record.stamp[1] >= self.trusted_before for record in self.folders.values())


Patch = tuple[tuple[int, ...], tuple[int, ...], bytes]  # a folder's new stamp, files' indexes, their signatures


def _patches(previous: ScanJournal, scan: ArticleScan) -> dict[str, Patch] | None:
    """What changed from PREVIOUS to SCAN as log patches (folder -> its stamp, the indexes of its files whose
    signature changed, their new signatures), when only stamps and signatures did and for few files; else None."""
    if previous.folders.keys() != scan.folders.keys():
        return None
    patches, changed, total = {}, 0, 0
    for prefix, record in scan.folders.items():
        old = previous.folders[prefix]
        if record.listing != old.listing or record.folders != old.folders:
            return None
        total += len(record.signatures) // 24
        if record.stamp == old.stamp and record.signatures == old.signatures:
            continue
        now, before = array("q", record.signatures), array("q", old.signatures)
        indexes = tuple(i for i in range(0, len(now), 3) if now[i:i + 3] != before[i:i + 3])
        changed += len(indexes)
        packed = array("q")
        for i in indexes:
            packed.extend(now[i:i + 3])
        patches[prefix] = (record.stamp, tuple(i // 3 for i in indexes), packed.tobytes())
    return patches if changed <= max(64, total // 8) else None


# The last journal each journal file held, by path, with the stamps of the base and the log then (ScanJournal.load).
_in_memory: dict[str, tuple[tuple, ScanJournal]] = {}


def scan_clock(marker: Path, root: Path) -> int:
    """The file system's time now, in ns, as it stamps what changes in ROOT: the mtime MARKER gets when touched,
    if it is on ROOT's file system (the same clock, to the same granularity: a folder whose ctime is before it
    changed in an earlier tick, and any later change gives it another ctime). Elsewhere, or when MARKER cannot
    be touched, the machine's clock less two seconds (a file system's clock may be coarse, up to FAT's 2 s)."""
    fallback = time.time_ns() - RACY_NS
    try:
        with open(marker, "ab") as stream:
            os.utime(stream.fileno())
            stamped = os.fstat(stream.fileno())
        if stamped.st_dev == os.stat(root).st_dev:
            return stamped.st_mtime_ns
    except OSError:
        pass
    return fallback


def scan_articles(root: Path, journal: ScanJournal | None, watched: Iterable[Path] | None = None,
                  trusted_before: int = 0) -> ArticleScan:
    """Every folder and Markdown file under ROOT (hidden ones left out, as content.scan_article_files), with
    the files' signatures; folders JOURNAL shows unchanged are not listed again.

    WATCHED, when given, is every path under ROOT that a file watcher saw change since JOURNAL's scan (more
    does no harm): then of the folders not listed again only the files it names are stat-ed, the others'
    signatures are the journal's. Folders are stat-ed all the same, so an event the watcher lost for a file
    added, removed or renamed is still noticed; only an edit in place is taken on the watcher's word.
    TRUSTED_BEFORE, taken before the scan (scan_clock), is recorded with it for the next build to trust its
    folders by (0: trust none)."""
    base = str(root)
    known = journal.folders if journal is not None else {}
    journal_trusts = journal.trusted_before if journal is not None else 0
    named = _by_folder(root, watched) if watched is not None and journal is not None else None
    listed: dict[str, tuple[tuple[int, int, int], tuple[str, ...], tuple[str, ...]]] = {}
    as_journal: set[str] = set()  # folders whose names are the journal's (not listed again), every one stat-ed
    reused: dict[str, FolderRecord] = {}  # folders listed as the journal has them, whose files need no stat
    pending = [""]
    while pending:
        prefix = pending.pop()
        folder = f"{base}/{prefix}" if prefix else base
        try:
            stat = os.stat(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        stamp = (stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
        old = known.get(prefix)
        if old is not None and old.stamp == stamp and stamp[1] < journal_trusts:
            subfolders, names = old.folders, (old.names if named is None else ())
            if named is None:
                as_journal.add(prefix)
            else:
                reused[prefix] = old
                listing = f"/{old.listing}/"
                names = tuple(sorted(name for name in named.get(prefix, ()) if f"/{name}/" in listing))
        else:
            subfolders, names = _list(folder)
        listed[prefix] = (stamp, subfolders, names)
        pending.extend(f"{prefix}{name}/" for name in subfolders)
    prefixes = sorted(listed)
    signatures = _signatures(base, [(prefix, listed[prefix][2]) for prefix in prefixes])
    folders = {}
    for prefix in prefixes:
        stamp, subfolders, names = listed[prefix]
        kept, numbers = signatures[prefix]
        old = known.get(prefix)
        if prefix in reused:
            folders[prefix] = _with_signatures(reused[prefix], names, dict(zip(kept, _triples(numbers), strict=True)))
        elif old is not None and (stamp, subfolders, numbers) == (old.stamp, old.folders, old.signatures) and (
                len(kept) == len(names) if prefix in as_journal else "/".join(kept) == old.listing):
            folders[prefix] = old  # as the journal has it (its listing's digest already made: ArticleScan.digest)
        else:
            folders[prefix] = FolderRecord(stamp, subfolders, "/".join(kept), numbers)
    return ArticleScan(base, folders, trusted_before)


def _by_folder(root: Path, paths: Iterable[Path]) -> dict[str, set[str]]:
    """PATHS under ROOT, as names by folder prefix ("", "2025/09/")."""
    named: dict[str, set[str]] = {}
    for path in paths:
        try:
            relative = path.relative_to(root).as_posix()
        except ValueError:
            continue
        folder, _, name = relative.rpartition("/")
        named.setdefault(f"{folder}/" if folder else "", set()).add(name)
    return named


def _triples(numbers: bytes) -> list[tuple[int, ...]]:
    values = array("q", numbers)
    return [tuple(values[i:i + 3]) for i in range(0, len(values), 3)]


def _with_signatures(record: FolderRecord, asked: tuple[str, ...], stated: dict[str, tuple[int, ...]]
                     ) -> FolderRecord:
    """RECORD with new signatures for the files ASKED about: STATED's, or none for those that are gone."""
    if not asked:
        return record
    numbers = array("q", record.signatures)
    kept, packed = [], array("q")
    for i, name in enumerate(record.names):
        if name in stated:
            packed.extend(stated[name])
        elif name not in asked:
            packed.extend(numbers[3 * i:3 * i + 3])
        else:
            continue  # removed since, though its folder's stamp says not (the racy rule makes that unlikely)
        kept.append(name)
    return FolderRecord(record.stamp, record.folders, "/".join(kept), packed.tobytes())


def _list(folder: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    subfolders, names = [], []
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return (), ()
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            subfolders.append(entry.name)
        elif entry.name.endswith(".md") and entry.is_file():
            names.append(entry.name)
    return tuple(sorted(subfolders)), tuple(sorted(names))


def _signatures(base: str, folders: list[tuple[str, tuple[str, ...]]]) -> dict[str, tuple[tuple[str, ...], bytes]]:
    """Each folder's files that still exist and their packed signatures. Stat-ing is most of a no-change
    build's time and waits on the kernel, which two threads do side by side."""
    results: dict[str, tuple[tuple[str, ...], bytes]] = {}

    def stat_folders(part: list[tuple[str, tuple[str, ...]]]) -> None:
        stat = os.stat
        for prefix, names in part:
            numbers = array("q")
            kept = []
            for name in names:
                try:  # relative to the open root: the kernel walks 3 names instead of the whole path
                    found = stat(f"{prefix}{name}", dir_fd=root)
                except (FileNotFoundError, NotADirectoryError):
                    continue  # removed since the folder was listed: the folder's stamp changed too
                numbers.extend((found.st_mtime_ns, found.st_size, found.st_ino))
                kept.append(name)
            results[prefix] = (tuple(kept), numbers.tobytes())

    total = sum(len(names) for _, names in folders)
    if not total:
        return {prefix: ((), b"") for prefix, _ in folders}
    root = os.open(base, os.O_RDONLY | os.O_DIRECTORY)
    try:
        _stat_halves(stat_folders, folders, total)
    finally:
        os.close(root)
    return results


def _stat_halves(stat_folders: Callable[[list], None], folders: list[tuple[str, tuple[str, ...]]],
                 total: int) -> None:
    if total < 2000:
        stat_folders(folders)
        return
    # two halves by file count, folders kept whole
    half, count, split = total // 2, 0, len(folders)
    for index, (_, names) in enumerate(folders):
        count += len(names)
        if count >= half:
            split = index + 1
            break
    helper = threading.Thread(target=stat_folders, args=(folders[split:],))
    helper.start()
    stat_folders(folders[:split])
    helper.join()
