"""What changed in content/articles/ since the last build: the scan, which lists again only the folders the
journal of the last scan cannot vouch for.

The journal (scan_journal.py) keeps, for each folder, its stamp (mtime, ctime, inode), its subfolders and
Markdown files, and the files' signatures (scan_records.py). A folder whose stamp is unchanged has the same
entries (adding, removing or renaming a file changes its folder's mtime and ctime, and ctime cannot be set back
by hand), so it is not listed again; its files are still stat-ed, as an edit in place changes no folder, and
compared folder by folder as bytes.

Where it could be wrong, it is not trusted: a folder whose last change (ctime) is not older than the scan that
recorded it is listed again, as a second change within the same tick of the file system's clock would leave the
same stamp. "Older than the scan" is measured on the file system's own clock (scan_clock), to its own
granularity, so a build run right after a change trusts every folder the change did not touch; where that clock
cannot be read, a folder must be two seconds older than the scan.
"""

from __future__ import annotations

import os
import time
from array import array
from collections.abc import Iterable, Iterator
from pathlib import Path

from dateline.errors import DatelineError, SourceError
from dateline.incremental.file_stats import MISSING, folder_stamp, stat_files
from dateline.incremental.scan_journal import ScanJournal
from dateline.incremental.scan_records import ArticleScan, FolderRecord

RACY_NS = 2_000_000_000  # without the file system's clock, a folder changed this close to a scan is listed again


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
    """Every folder and Markdown file under ROOT (hidden ones left out, as article_files.scan_article_files), with
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
        except OSError as exc:
            raise _unreadable(folder, exc) from None
        stamp = folder_stamp(stat)
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
    except OSError as exc:
        raise _unreadable(folder, exc) from None
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if entry.is_dir(follow_symlinks=False):
            subfolders.append(entry.name)
        elif entry.name.endswith(".md") and entry.is_file():
            names.append(entry.name)
    return tuple(sorted(subfolders)), tuple(sorted(names))


def _unreadable(folder: str, exc: OSError) -> DatelineError:
    """A folder of articles that cannot be listed or reached (its permissions): a build without its articles
    would silently unpublish them."""
    return DatelineError(SourceError(Path(folder), f"cannot read the folder: {exc.strerror or exc}; the user "
                                                   "who builds the site must be able to list and enter it and "
                                                   "the folders above it (chmod u+rx)"))


def _signatures(base: str, folders: list[tuple[str, tuple[str, ...]]]) -> dict[str, tuple[tuple[str, ...], bytes]]:
    """Each folder's files that still exist and their packed signatures (stat-ing them is most of a no-change
    build's time: see file_stats)."""
    total = sum(len(names) for _, names in folders)
    if not total:
        return {prefix: ((), b"") for prefix, _ in folders}
    # two halves by file count, folders kept whole
    half, count, split = total // 2, 0, len(folders)
    for index, (_, names) in enumerate(folders):
        count += len(names)
        if count >= half:
            split = index + 1
            break

    def paths(part: list[tuple[str, tuple[str, ...]]]) -> Iterator[str]:
        return (f"{prefix}{name}" for prefix, names in part for name in names)  # relative: fewer names to walk

    numbers = stat_files(base, paths(folders[:split]), paths(folders[split:]), total)
    results: dict[str, tuple[tuple[str, ...], bytes]] = {}
    at = 0
    for prefix, names in folders:
        mine = numbers[3 * at:3 * (at + len(names))]
        at += len(names)
        if MISSING not in mine[1::3]:
            results[prefix] = (names, mine.tobytes())
            continue
        # removed since the folder was listed (the folder's stamp changed too)
        kept = [i for i, size in enumerate(mine[1::3]) if size != MISSING]
        results[prefix] = (tuple(names[i] for i in kept),
                           array("q", [number for i in kept for number in mine[3 * i:3 * i + 3]]).tobytes())
    return results
