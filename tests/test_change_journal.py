"""The change journal (dateline/incremental/scan.py, scan_journal.py): each way it could miss a change, built
incrementally and compared byte for byte with a clean build of the same files."""

from __future__ import annotations

import dataclasses
import os
import pickle
import shutil
import time
from pathlib import Path

import pytest
from test_incremental import clean_build, contents, touch_later

from dateline.build import build_site
from dateline.cache import cache_dir
from dateline.errors import DatelineError
from dateline.incremental import scan_journal
from dateline.incremental.manifest_store import ManifestStore
from dateline.incremental.scan import RACY_NS, scan_articles, scan_clock
from dateline.incremental.scan_journal import ScanJournal

from conftest import write_article

ARTICLES = Path("content") / "articles"


@pytest.fixture
def trusted(built):
    """The full site built, with a journal that trusts every folder: they are not listed again."""
    site, out = built
    deadline = time.monotonic() + RACY_NS / 1e9 + 1
    while True:  # a folder changed in the tick of the first scan is trusted once a later scan records it
        assert build_site(site, out).written == 0
        journal = ScanJournal.load(cache_dir(site))
        assert journal is not None
        if _trusts_every_folder(journal) or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert _trusts_every_folder(journal)
    return site, out


def _trusts_every_folder(journal: ScanJournal) -> bool:
    return all(record.stamp[1] < journal.trusted_before for record in journal.folders.values())


def test_a_folder_changed_in_the_clock_tick_of_the_scan_is_listed_again(trusted):
    """A second change to a folder within the tick of the file system's clock in which the scan began leaves the
    stamp the journal recorded: such a folder is listed again. Made here by a journal that lists the folder as
    empty with its current stamp (what such a change would leave), with the scan's clock at or after the
    folder's ctime (racy) and after it (trusted)."""
    site, _ = trusted
    root = site / ARTICLES
    journal = ScanJournal.load(cache_dir(site))
    record = journal.folders["2025/"]
    folders = {**journal.folders, "2025/": dataclasses.replace(record, listing="", signatures=b"")}
    racy = ScanJournal(journal.signature, record.stamp[1], folders)
    assert "2025/a4.md" in [key for _, key, _ in scan_articles(root, racy).files()]
    trusting = ScanJournal(journal.signature, record.stamp[1] + 1, folders)
    assert "2025/a4.md" not in [key for _, key, _ in scan_articles(root, trusting).files()]


def test_the_scan_clock_is_the_file_systems(tmp_path):
    """On the folder's own file system the clock is the time a touched file gets (no margin); elsewhere, or
    when the marker cannot be touched, the machine's time less two seconds."""
    root = tmp_path / "articles"
    root.mkdir()
    before = time.time_ns()
    clock = scan_clock(tmp_path / "clock", root)
    assert clock == (tmp_path / "clock").stat().st_mtime_ns
    (tmp_path / "folder").mkdir()
    assert (tmp_path / "folder").stat().st_ctime_ns >= clock  # a later change: never before the clock
    assert before - RACY_NS <= scan_clock(tmp_path / "missing" / "clock", root) <= time.time_ns() - RACY_NS


def test_the_journal_lists_what_a_full_scan_finds(trusted):
    site, _ = trusted
    journal = ScanJournal.load(cache_dir(site))
    fresh = scan_articles(site / ARTICLES, None).files()
    assert scan_articles(site / ARTICLES, journal).files() == fresh
    assert [key for _, key, _ in fresh] == ["2025/a4.md", "a1.md", "a2.md", "a3.md", "a5.md", "a6.md"]


def test_an_edit_in_place_changes_no_folder_and_is_still_seen(trusted, tmp_path):
    site, out = trusted
    a4 = site / ARTICLES / "2025" / "a4.md"
    folder_before = os.stat(a4.parent).st_mtime_ns
    touch_later(a4, a4.read_text() + "\nA paragraph added in place.\n")
    assert os.stat(a4.parent).st_mtime_ns == folder_before
    result = build_site(site, out)
    assert result.edited_only
    assert contents(out) == clean_build(site, tmp_path)


def test_a_file_replaced_by_rename_with_its_old_mtime_and_size(trusted, tmp_path):
    site, out = trusted
    a4 = site / ARTICLES / "2025" / "a4.md"
    old = a4.stat()
    text = a4.read_text()
    edited = text.replace("a", "e", 1)  # the same size
    assert len(edited.encode()) == len(text.encode()) and edited != text
    replacement = a4.with_name(".a4.md.swp")  # how editors save: a new file renamed over the old one
    replacement.write_text(edited)
    os.utime(replacement, ns=(old.st_atime_ns, old.st_mtime_ns))
    os.replace(replacement, a4)
    build_site(site, out)
    assert contents(out) == clean_build(site, tmp_path)


def test_a_file_added_to_a_folder_whose_mtime_is_set_back(trusted, tmp_path):
    site, out = trusted
    folder = site / ARTICLES / "2025"
    stamp = folder.stat()
    write_article(site, "2025/added.md", "---\ntitle: Added quietly\ndate: 2025-09-12T09:00:00+03:00\n"
                                         "countries: [LT]\n---\nA story filed late.\n")
    os.utime(folder, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # ctime still moves: it cannot be set
    assert folder.stat().st_mtime_ns == stamp.st_mtime_ns
    build_site(site, out)
    assert "Added quietly" in (out / "index.html").read_text()
    assert contents(out) == clean_build(site, tmp_path)


def test_a_deleted_folder_and_a_new_one(trusted, tmp_path):
    site, out = trusted
    shutil.rmtree(site / ARTICLES / "2025")
    build_site(site, out)
    assert contents(out) == clean_build(site, tmp_path)
    write_article(site, "2026/01/new.md", "---\ntitle: A new year\ndate: 2025-09-12T10:00:00+03:00\n---\nNews.\n")
    build_site(site, out)
    assert "A new year" in (out / "index.html").read_text()
    assert contents(out) == clean_build(site, tmp_path)


def test_a_file_added_right_after_a_build_is_seen(built, tmp_path):
    """Within the racy window (a clock tick may hide a change to a folder) folders are listed again."""
    site, out = built
    build_site(site, out)
    write_article(site, "2025/quick.md", "---\ntitle: Filed at once\ndate: 2025-09-12T11:00:00+03:00\n---\nNews.\n")
    build_site(site, out)
    assert "Filed at once" in (out / "index.html").read_text()
    assert contents(out) == clean_build(site, tmp_path)


@pytest.mark.parametrize("damage", ["deleted", "garbled", "of classes since moved", "another build's"])
def test_a_journal_that_cannot_be_trusted_means_comparing_every_file(trusted, tmp_path, damage):
    site, out = trusted
    path = ScanJournal.path(cache_dir(site))
    if damage == "deleted":
        path.unlink()
    elif damage == "garbled":
        path.write_bytes(b"not a journal")
    elif damage == "of classes since moved":  # (pickled by a Dateline whose FolderRecord was in changes.py)
        path.write_bytes(b"cdateline.incremental.changes\nFolderRecord\n.")
    else:  # a journal describing another state of the files than output/'s
        journal = ScanJournal.load(cache_dir(site))
        ScanJournal.save(cache_dir(site), "another signature", scan_articles(site / ARTICLES, journal))
    a1 = site / ARTICLES / "a1.md"
    touch_later(a1, a1.read_text() + "\nA paragraph added later.\n")
    result = build_site(site, out)
    assert result.edited_only
    assert contents(out) == clean_build(site, tmp_path)
    assert ScanJournal.load(cache_dir(site)) is not None  # recorded again


def _journal_as_read_by_a_new_process(site: Path) -> ScanJournal | None:
    scan_journal._in_memory.clear()  # (a build process keeps the journal it saved; the next process reads the files)
    return ScanJournal.load(cache_dir(site))


def test_an_edits_build_appends_to_the_journals_log(trusted, tmp_path):
    """An edit's build records the signatures it saw change in the journal's log instead of writing the whole
    journal again; read back, base and log give the journal of the last scan, which the next builds trust."""
    site, out = trusted
    base, log = ScanJournal.path(cache_dir(site)), ScanJournal.log_path(cache_dir(site))
    written = base.stat()
    a4, a1 = site / ARTICLES / "2025" / "a4.md", site / ARTICLES / "a1.md"
    for number in range(3):
        for article in (a4, a1) if number else (a4,):
            touch_later(article, article.read_text() + f"\nAddition {number}.\n")
        assert build_site(site, out).edited_only
        assert contents(out) == clean_build(site, tmp_path)
    assert (base.stat().st_ino, base.stat().st_mtime_ns) == (written.st_ino, written.st_mtime_ns)
    assert 0 < log.stat().st_size < 2000
    journal = _journal_as_read_by_a_new_process(site)
    assert journal is not None and journal.folders == scan_articles(site / ARTICLES, None).folders
    assert build_site(site, out).written == 0
    touch_later(a4, a4.read_text() + "\nSeen after the log was read back.\n")
    _journal_as_read_by_a_new_process(site)
    assert build_site(site, out).edited_only
    assert contents(out) == clean_build(site, tmp_path)


@pytest.mark.parametrize("damage", ["cut short", "another base's", "not fitting its folder"])
def test_a_damaged_journal_log_never_makes_a_wrong_build(trusted, tmp_path, damage):
    site, out = trusted
    log = ScanJournal.log_path(cache_dir(site))
    a4 = site / ARTICLES / "2025" / "a4.md"
    for number in range(2):
        touch_later(a4, a4.read_text() + f"\nAddition {number}.\n")
        assert build_site(site, out).edited_only
    data = log.read_bytes()
    journal = _journal_as_read_by_a_new_process(site)
    if damage == "cut short":  # a build killed while appending: its journal is the one before it
        log.write_bytes(data[:-5])
        assert _journal_as_read_by_a_new_process(site).signature != journal.signature
    elif damage == "another base's":  # a new base written, the process killed before the log was removed
        foreign = ("another base", "a signature", 0, {"2025/": ((1, 2, 3), (0,), bytes(24))})
        log.write_bytes(data + pickle.dumps(foreign))
        assert _journal_as_read_by_a_new_process(site) == journal
    else:
        log.write_bytes(data + pickle.dumps((journal.base, "a signature", 0, {"2025/": ((1, 2, 3), (7,), bytes(24))})))
        assert _journal_as_read_by_a_new_process(site) is None
    touch_later(a4, a4.read_text() + "\nOne more.\n")
    assert build_site(site, out).edited_only  # the journal not trusted: every file compared with the snapshot
    assert contents(out) == clean_build(site, tmp_path)
    touch_later(a4, a4.read_text() + "\nAnd another.\n")
    assert build_site(site, out).edited_only
    assert contents(out) == clean_build(site, tmp_path)


def manifest_files(site: Path) -> tuple[Path, Path]:
    (base,) = cache_dir(site).glob("trees-*.pickle")
    return base, base.with_name(base.stem + ".log")


def test_edits_in_a_row_are_logged_and_output_stays_right(built, tmp_path):
    """An edit's build appends what it changed to the manifests' log instead of writing them again."""
    site, out = built
    a3 = site / ARTICLES / "a3.md"
    touch_later(a3, a3.read_text() + "\nFirst addition.\n")
    build_site(site, out)  # the twin is brought up to date: written whole
    base, log = manifest_files(site)
    base_written = base.stat().st_mtime_ns
    for number in range(3):
        touch_later(a3, a3.read_text() + f"\nAddition {number}.\n")
        assert build_site(site, out).edited_only
        assert contents(out) == clean_build(site, tmp_path)
    assert base.stat().st_mtime_ns == base_written and log.stat().st_size > 0
    (out / "2025/09/10/sao-paulo-stocks-rally/index.html").unlink()  # the manifest, replayed, still knows it
    build_site(site, out, verify_output=True)  # a page deleted deep in output/ is found by `build --verify`
    assert contents(out) == clean_build(site, tmp_path)


@pytest.mark.parametrize("damage", ["cut short", "another base's"])
def test_a_damaged_log_never_makes_a_wrong_build(built, tmp_path, damage):
    site, out = built
    a3 = site / ARTICLES / "a3.md"
    for number in range(3):
        touch_later(a3, a3.read_text() + f"\nAddition {number}.\n")
        build_site(site, out)
    base, log = manifest_files(site)
    data = log.read_bytes()
    assert data
    if damage == "cut short":
        log.write_bytes(data[:-7])
    else:  # a record of another base (a new base written, the process killed before the log was emptied)
        foreign = {tree: ({path: ["wrong", 0] for path in files}, None)
                   for tree, (files, _) in ((tree, (_store(base).tree(tree).files(), None)) for tree in _trees(base))}
        log.write_bytes(data + pickle.dumps(("another base", foreign)))
    touch_later(a3, a3.read_text() + "\nOne more.\n")
    build_site(site, out)
    assert contents(out) == clean_build(site, tmp_path)
    (out / "index.html").unlink()
    build_site(site, out)
    assert contents(out) == clean_build(site, tmp_path)


def _trees(base: Path) -> list[str]:
    return list(_store(base)._trees)


def _store(base: Path) -> ManifestStore:
    store = ManifestStore(base)
    store.load()
    return store


def test_an_edit_looks_only_where_the_twin_differs_and_a_failed_one_is_remembered(built, tmp_path):
    """An edit's build brings the twin up to date only at its own pages and where the build before changed
    output/ (the twin differs there); a build that fails half-way through the twin must not hide what it
    changed from the next."""
    site, out = built
    a3, a1 = site / ARTICLES / "a3.md", site / ARTICLES / "a1.md"
    page = "2025/09/10/sao-paulo-stocks-rally/index.html"
    for number in range(2):
        touch_later(a3, a3.read_text() + f"\nAddition {number}.\n")
        assert build_site(site, out).edited_only
        assert contents(out) == clean_build(site, tmp_path)
    twin = out.with_name(f".{out.name}.next")
    (twin / page).unlink()
    (twin / page).mkdir()  # the page cannot be written there: the build fails after changing the twin
    touch_later(a3, a3.read_text() + "\nAn addition that fails.\n")
    before = contents(out)
    with pytest.raises(DatelineError):
        build_site(site, out)
    assert contents(out) == before
    (twin / page).rmdir()
    touch_later(a1, a1.read_text() + "\nAnother article's edit.\n")
    assert build_site(site, out).edited_only
    assert contents(out) == clean_build(site, tmp_path)
    touch_later(a1, a1.read_text() + "\nAnd one more.\n")
    assert build_site(site, out).edited_only
    assert contents(out) == clean_build(site, tmp_path)


def test_an_edit_after_the_twin_was_deleted_by_hand_makes_the_whole_twin(built, tmp_path):
    """A twin no manifest describes (deleted, or its manifest unreadable) is made whole before the swap: an edit
    that made only its own pages there would publish a site of a few pages."""
    site, out = built
    a3 = site / ARTICLES / "a3.md"
    touch_later(a3, a3.read_text() + "\nFirst addition.\n")
    assert build_site(site, out).edited_only
    shutil.rmtree(out.with_name(f".{out.name}.next"))
    touch_later(a3, a3.read_text() + "\nSecond addition.\n")
    build_site(site, out)
    assert contents(out) == clean_build(site, tmp_path)


def test_an_edit_with_the_manifests_tables_unreadable_is_a_full_build(built, tmp_path):
    """The base's header is read first and its tables when an edit needs them: tables cut off make the build
    trust nothing recorded with them."""
    site, out = built
    a3 = site / ARTICLES / "a3.md"
    touch_later(a3, a3.read_text() + "\nFirst addition.\n")
    build_site(site, out)
    base, _ = manifest_files(site)
    size = int.from_bytes(base.read_bytes()[:8], "little")
    base.write_bytes(base.read_bytes()[:8 + size])  # the header alone
    touch_later(a3, a3.read_text() + "\nSecond addition.\n")
    assert not build_site(site, out).edited_only
    assert contents(out) == clean_build(site, tmp_path)
    touch_later(a3, a3.read_text() + "\nThird addition.\n")
    assert build_site(site, out).edited_only
    assert contents(out) == clean_build(site, tmp_path)


def _files(folder: Path) -> list[Path]:
    return sorted(path.relative_to(folder) for path in folder.rglob("*") if path.is_file())


@pytest.mark.parametrize("change", ["every page (site.yaml)", "a few pages (an article added)"])
def test_a_full_build_makes_the_twin_output_again(built, tmp_path, change):
    """A full build brings the twin (output/ before it) up to date where the two differ, so that the edit after it
    changes only its own pages there: every file of the twin is then output/'s (a link to the same file). Until
    then the first edit after a build that rendered every page linked all of output/'s files into the twin."""
    site, out = built
    twin = out.with_name(f".{out.name}.next")
    a3 = site / ARTICLES / "a3.md"
    touch_later(a3, a3.read_text() + "\nFirst addition.\n")
    assert build_site(site, out).edited_only  # the twin differs from output/ at the edit's pages
    (out.with_name(f".{out.name}.stale") / "old").mkdir(parents=True)  # left by a build killed while replacing it
    if change.startswith("every"):
        touch_later(site / "site.yaml", (site / "site.yaml").read_text().replace("Full Digest", "Renamed Digest"))
    else:
        write_article(site, "added.md", "---\ntitle: Added later\ndate: 2025-09-12T09:00:00+03:00\n---\nNews.\n")
    assert not build_site(site, out).edited_only
    assert _files(twin) == _files(out)
    assert all(os.path.samefile(out / path, twin / path) for path in _files(out))
    assert not out.with_name(f".{out.name}.stale").exists()
    touch_later(a3, a3.read_text() + "\nSecond addition.\n")
    assert build_site(site, out).edited_only
    assert contents(out) == clean_build(site, tmp_path)
    (out / "index.html").unlink()  # restored from the twin, whose copy is the page as it was before the edit
    build_site(site, out)
    assert contents(out) == clean_build(site, tmp_path)
