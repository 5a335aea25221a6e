"""Stat-ing thousands of files at once (dateline/incremental/file_stats.py): from FORKED_FROM files on, half of
them in a forked process. The numbers must be os.stat's, in order, however they were taken; a build over that
many articles must see an edit and a removal in either half; and a Ctrl-C must leave no process behind."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import pytest
from test_incremental import clean_build, contents, touch_later
from test_memory_limit import make_archive

from dateline.build import build_site
from dateline.incremental.file_stats import FORKED_FROM, MISSING, missing_or_resized, stat_files

from conftest import REPO

FORKS: list[int] = []
os.register_at_fork(after_in_parent=lambda: FORKS.append(1))  # counts the processes this one forks


def make_files(root: Path, count: int) -> list[str]:
    """COUNT files of different sizes in three folders under ROOT, and among their paths (relative to ROOT) one
    missing path in every 97."""
    paths = []
    for number in range(count):
        relative = f"{'abc'[number % 3]}/{number}.md"
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(b"x" * (number % 50))
        paths.append(relative)
        if number % 97 == 0:
            paths.append(f"{'abc'[number % 3]}/gone-{number}.md")
    return paths


def as_os_stat_says(root: Path, paths: list[str]) -> list[tuple[int, int, int]]:
    numbers = []
    for path in paths:
        try:
            found = os.stat(root / path)
        except FileNotFoundError:
            numbers.append((0, MISSING, 0))
            continue
        numbers.append((found.st_mtime_ns, found.st_size, found.st_ino))
    return numbers


def stat_in_halves(root: Path, paths: list[str]) -> list[tuple[int, int, int]]:
    half = len(paths) // 3  # halves of any sizes: the child's numbers follow this process's
    found = stat_files(str(root), iter(paths[:half]), iter(paths[half:]), len(paths))
    return [tuple(found[i:i + 3]) for i in range(0, len(found), 3)]


def test_many_files_half_stat_ed_by_a_forked_process_give_os_stats_numbers_in_order(tmp_path):
    paths = make_files(tmp_path, FORKED_FROM + 300)
    forks = len(FORKS)
    assert stat_in_halves(tmp_path, paths) == as_os_stat_says(tmp_path, paths)
    assert len(FORKS) == forks + 1
    sizes = [(path, 7) for path in paths]
    resized = [path for path, (_, size, _) in zip(paths, as_os_stat_says(tmp_path, paths), strict=True) if size != 7]
    assert missing_or_resized(str(tmp_path), sizes) == resized
    assert len(FORKS) == forks + 2


def test_with_another_thread_running_or_few_files_nothing_is_forked(tmp_path):
    paths = make_files(tmp_path, FORKED_FROM + 300)
    forks, waiting = len(FORKS), threading.Event()
    beside = threading.Thread(target=waiting.wait)  # as in the preview server, where forking is not safe
    beside.start()
    try:
        assert stat_in_halves(tmp_path, paths) == as_os_stat_says(tmp_path, paths)
    finally:
        waiting.set()
        beside.join()
    few = paths[:FORKED_FROM - 1]
    assert stat_in_halves(tmp_path, few) == as_os_stat_says(tmp_path, few)
    assert len(FORKS) == forks


def test_an_edit_and_a_removal_in_either_half_of_a_large_archive(tmp_path):
    """Over FORKED_FROM articles, the scan's second half of the files is the forked process's: edits in place (no
    folder changes) and removals there and in the first half must reach the output as a clean build has it."""
    site = make_archive(tmp_path / "site", FORKED_FROM + 200)
    out = tmp_path / "out"
    build_site(site, out)
    build_site(site, out)  # the journal now vouches for the folders: only the files' stats can show an edit
    files = sorted((site / "content" / "articles").rglob("*.md"))
    first, last = files[5], files[-5]
    for path in (first, last):
        touch_later(path, path.read_text(encoding="utf-8").replace("\n\n", "\n\nEdited in place.\n\n", 1))
    assert build_site(site, out).written > 0
    assert contents(out) == clean_build(site, tmp_path)
    files[6].unlink()
    files[-6].unlink()
    build_site(site, out)
    assert contents(out) == clean_build(site, tmp_path)


STATS_UNTIL_STOPPED = """
import sys
from dateline.incremental.file_stats import stat_files
paths = sys.argv[2:] * 500_000  # about 2 s a round
half = len(paths) // 2
print("stat-ing", flush=True)
try:
    while True:
        stat_files(sys.argv[1], iter(paths[:half]), iter(paths[half:]), len(paths))
except KeyboardInterrupt:
    print("stopped", flush=True)
    sys.exit(3)
"""


def test_ctrl_c_while_a_forked_process_stats_leaves_no_process_behind(tmp_path):
    paths = make_files(tmp_path, 3)
    marker = f"marker-{uuid.uuid4().hex}"  # in the command line of the process and of every child it forks
    script = tmp_path / "stat_until_stopped.py"
    script.write_text(STATS_UNTIL_STOPPED, encoding="utf-8")
    process = subprocess.Popen([sys.executable, str(script), str(tmp_path), *paths, marker], cwd=REPO,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(REPO)})
    assert process.stdout.readline() == "stat-ing\n"
    deadline = time.monotonic() + 30
    while len(with_marker(marker)) < 2:  # the process and the child it forked, both stat-ing
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)  # to the process only: the child ignores Ctrl-C anyway
    assert process.stdout.readline() == "stopped\n"
    assert with_marker(marker) in ([process.pid], [])  # the child ended before, not left stat-ing its round out
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out, err) == (3, "", "")


def with_marker(marker: str) -> list[int]:
    """The processes whose command line holds MARKER."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.mark.parametrize("locked_glob, message", [
    ("*/*", "{locked}/{first}: cannot read the file: Permission denied"),  # a month's folder: its files
    ("*", "{locked}/{first}: cannot read the folder: Permission denied"),  # a year's: its months' folders
])
def test_articles_that_cannot_be_reached_are_an_error_naming_them_not_left_out(locked_glob, message):
    """A folder an editor can list but not search (mode 644): what is in it is named, but reaching it is
    refused. The build must say which file or folder and why, not build the site without them. Run as
    another user than root (who may reach anything), so only where root can become `nobody` and `nobody` can
    run this checkout."""
    setpriv = shutil.which("setpriv")
    nobody = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"] if setpriv else []
    if os.geteuid() != 0 or not setpriv or subprocess.run(
            [*nobody, sys.executable, "-c", "import dateline.cli"], cwd=REPO, capture_output=True).returncode:
        pytest.skip("needs root, setpriv, and a checkout and Python that user nobody can run")
    place = Path(tempfile.mkdtemp(prefix="dateline-unsearchable-"))  # not under pytest's tmp (mode 700)
    try:
        site = make_archive(place / "site", 40)
        shutil.chown(place, 65534, 65534)
        for path in (place / "site").rglob("*"):
            shutil.chown(path, 65534, 65534)
        shutil.chown(place / "site", 65534, 65534)
        locked = sorted((site / "content" / "articles").glob(locked_glob))[0]
        locked.chmod(0o644)  # its owner may list it, not reach the files in it
        built = subprocess.run([*nobody, sys.executable, str(REPO / "build.py"), "build", "--site", str(site),
                                "--output", str(place / "out")], cwd=place, capture_output=True, text=True)
        named = [message.format(locked=locked, first=name) for name in os.listdir(locked)]
        assert built.returncode == 1
        assert "Traceback" not in built.stderr
        assert any(line in built.stderr for line in named), built.stderr
    finally:
        shutil.rmtree(place, ignore_errors=True)
