"""The journal of the last build's scan (SITE/.dateline-cache/scan-index.pickle and its log), which the next
build's scan asks what changed.

It keeps the scan records (scan_records.py) under the signature of the build they were made for; apart from the
scan itself (scan.py) because it is a file format: a base written whole and a log (base_and_log.py) to which a
build that changed only some files' signatures and folders' stamps appends those, and which a process that
builds again and again (the preview's) keeps in memory while its files are unchanged. A journal that does not
describe the build output/ came from (another signature) is not trusted: see edits.find_edits.
"""

from __future__ import annotations

import os
import pickle
from array import array
from dataclasses import dataclass
from pathlib import Path

from dateline.cache import file_stamps, write_atomically
from dateline.incremental.base_and_log import append_record, new_base_id, read_records
from dateline.incremental.scan_records import ArticleScan, FolderRecord

FORMAT = 4
_LOG_LIMIT = 1024 * 1024  # bytes of log after which the journal is written whole again


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
        except ImportError:  # written by a Dateline whose journal classes lived in another module
            return None
        _in_memory[str(path)] = (stamps, journal)
        return journal

    def _replayed(self, log: Path) -> ScanJournal:
        """With the log's records of this base applied in order; a record cut short (a build killed while
        appending) ends the log (base_and_log.read_records): the journal is then the build's before, whose
        signature is not output/'s, so nothing it says is trusted (see edits.find_edits). Raises ValueError or
        IndexError for a record that does not fit the base."""
        signature, trusted_before, folders = self.signature, self.trusted_before, dict(self.folders)
        try:
            stream = log.open("rb")
        except OSError:
            return self
        with stream:
            for _, new_signature, new_trusted_before, patches in read_records(stream, self.base, 4):
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
            append_record(log, (base, signature, scan.trusted_before, patches))
        else:
            base = new_base_id()
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
