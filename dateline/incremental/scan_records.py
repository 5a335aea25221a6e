"""What a scan of content/articles/ found: each folder's stamp, subfolders and Markdown files, and the files'
signatures packed in one byte string.

The data the build compares and the scan journal keeps (scan_journal.py), apart from the scan that makes it
(scan.py): a build that finds nothing to do compares these records folder by folder as bytes, and its signature
is a digest of one short digest per folder.
"""

from __future__ import annotations

import functools
import hashlib
from array import array
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dateline.incremental.scan_journal import ScanJournal

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
        """Every article file, sorted by path relative to content/articles (as article_files.scan_article_files)."""
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
