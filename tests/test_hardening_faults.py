"""Faults: a build killed at any moment, a full disk, a read-only output folder, an import killed midway.

output/ must always hold the previous complete site or the new complete site, never a mix, and
never lose a file; an error names the file and says what happened.
"""

from __future__ import annotations

import errno
import hashlib
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from dateline.config import load_config
from dateline.content import parse_article, split_front_matter
from dateline.markup import MarkdownRenderer
from dateline.scaffold import create_site

from conftest import FIXTURES, REPO, run_cli, write_article

KILLS = 30  # SIGKILLs per test: enough to hit every stage of a build, bounded in time
SEED = int(os.environ.get("DATELINE_FAULT_SEED", "20250911"))


def contents(folder: Path) -> dict[str, str]:
    """Every file under FOLDER (hidden ones included: a stray temporary is a defect) -> its sha256."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def clean_build(site: Path, scratch: Path) -> dict[str, str]:
    """What a from-scratch build of SITE's current input gives."""
    fresh = scratch / f"clean-{time.monotonic_ns()}"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(".dateline-cache", "output", ".output.next"))
    result = run_cli("build", "--site", str(fresh), "--quiet")
    assert result.returncode == 0, result.stderr
    return contents(fresh / "output")


def start_build(site: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, str(REPO / "build.py"), "build", "--site", str(site), "--quiet", *extra],
                            cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


# Two versions of the input that differ in every way a build cares about: an edited article
# (pages change), a new article (pages appear), a deleted article (pages and a country go).
OLD_INPUT = {"a3.md": (FIXTURES / "full/content/articles/a3.md").read_text(encoding="utf-8"),
             "a6.md": (FIXTURES / "full/content/articles/a6.md").read_text(encoding="utf-8")}
NEW_INPUT = {"a3.md": OLD_INPUT["a3.md"].replace("Shares rose in São Paulo.",
                                                 "Shares rose sharply in São Paulo, traders said.\n\n" * 40),
             "late.md": "---\ntitle: Late news from Riga\ndate: 2025-09-12T08:00:00+03:00\ncountries: [LV]\n"
                        "tags: [diplomacy, borders]\n---\nA late story.\n"}


def set_input(site: Path, version: dict[str, str]) -> None:
    articles = site / "content" / "articles"
    for name in {*OLD_INPUT, *NEW_INPUT} - version.keys():
        (articles / name).unlink(missing_ok=True)
    for name, text in version.items():
        path = articles / name
        before = path.stat().st_mtime_ns if path.exists() else 0
        path.write_text(text, encoding="utf-8")
        if path.stat().st_mtime_ns == before:  # coarse timestamps: make the change visible
            os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


@pytest.fixture
def two_sites(site_copy, tmp_path):
    """The full fixture site built from OLD_INPUT, and the complete old and new sites as clean builds give them."""
    site = site_copy("full")
    set_input(site, OLD_INPUT)
    old = clean_build(site, tmp_path)
    set_input(site, NEW_INPUT)
    new = clean_build(site, tmp_path)
    set_input(site, OLD_INPUT)
    assert run_cli("build", "--site", str(site), "--quiet").returncode == 0
    assert contents(site / "output") == old != new
    return site, old, new


def test_sigkill_at_random_moments_leaves_the_old_or_the_new_site_never_a_mix(two_sites, tmp_path):
    site, old, new = two_sites
    output = site / "output"
    started = time.monotonic()
    assert run_cli("build", "--site", str(site), "--quiet").returncode == 0  # a no-op build: its cost
    startup = time.monotonic() - started
    rng = random.Random(SEED)
    swapped = 0
    for kill in range(KILLS):
        before = contents(output)
        set_input(site, NEW_INPUT if before == old else OLD_INPUT)  # always ask for the other site
        build = start_build(site)
        time.sleep(rng.uniform(0, 3 * startup))  # from before the first import to after the swap
        build.kill()
        build.wait(timeout=60)
        now = contents(output)
        assert now in (old, new), f"kill {kill} (seed {SEED}): output/ is neither the old nor the new site"
        swapped += now != before
    assert 0 < swapped < KILLS, f"{swapped} of {KILLS} killed builds finished: the kills missed the build"
    # and the next ordinary build gives exactly the site a clean build gives
    result = run_cli("build", "--site", str(site), "--quiet")
    assert result.returncode == 0, result.stderr
    assert contents(output) == (new if contents(site / "content" / "articles").get("late.md") else old)


@contextmanager
def tmpfs(mount_point: Path, size: str) -> Iterator[Path]:
    """A small RAM file system of its own at MOUNT_POINT, so the disk can be filled without harming the machine."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs the tests as root)")
    mount_point.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(mount_point)], check=True)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(folder: Path) -> Path:
    """Write a file until the file system is full; return it."""
    filler = folder / "filler.bin"
    with open(filler, "wb", buffering=0) as stream:  # unbuffered: closing has nothing left to flush
        try:
            while True:
                stream.write(b"\0" * 65536)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    for name in range(10_000):  # the last blocks: small files until not even an inode or a block is left
        try:
            (folder / f"filler-{name}").write_bytes(b"\0" * 512)
        except OSError:
            break
    return filler


def test_full_disk_is_a_clear_error_and_the_previous_output_survives(two_sites, tmp_path):
    site, old, new = two_sites
    with tmpfs(tmp_path / "disk", "2m") as disk:
        output = disk / "site"
        assert run_cli("build", "--site", str(site), "--output", str(output), "--quiet").returncode == 0
        assert contents(output) == old
        set_input(site, NEW_INPUT)
        fill(disk)
        result = run_cli("build", "--site", str(site), "--output", str(output))
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert "No space left on device" in result.stderr
        assert f"{disk}/.site.next/" in result.stderr  # names the file it could not write
        assert "the output folder was left as it was" in result.stderr
        assert contents(output) == old
        for filler in disk.glob("filler*"):
            filler.unlink()
        result = run_cli("build", "--site", str(site), "--output", str(output), "--quiet")
        assert result.returncode == 0, result.stderr
        assert contents(output) == new


def test_read_only_output_folder_is_a_clear_error_and_output_is_unchanged(two_sites, tmp_path):
    """As root, chmod does not stop writes: the output's file system is remounted read-only instead."""
    site, old, new = two_sites
    with tmpfs(tmp_path / "disk", "8m") as disk:
        output = disk / "site"
        assert run_cli("build", "--site", str(site), "--output", str(output), "--quiet").returncode == 0
        set_input(site, NEW_INPUT)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        result = run_cli("build", "--site", str(site), "--output", str(output))
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert "Read-only file system" in result.stderr
        assert str(disk) in result.stderr
        assert contents(output) == old
        subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
        assert run_cli("build", "--site", str(site), "--output", str(output), "--quiet").returncode == 0
        assert contents(output) == new


def wire_story(number: int) -> str:
    return (f" date 2025-09-{1 + number % 28:02d} VILNIUS: Lithuanian officials reported incident number "
            f"{number} at the border with Belarus on Monday.\n\n"
            + "Officials said trucks would be checked at both posts, and traders in Riga expected more traffic. "
            * 30 + "\n\nThe talks continue. – AFP\n")


def test_import_killed_at_random_moments_never_leaves_half_an_article(tmp_path):
    site = create_site(tmp_path / "site")
    wire = tmp_path / "wire"
    wire.mkdir()
    stories = 40
    for number in range(stories):
        (wire / f"story-{number:03d}.txt").write_text(wire_story(number), encoding="utf-8")
    config = load_config(site)
    renderer = MarkdownRenderer(trust_html=False)
    rng = random.Random(SEED)
    command = [sys.executable, str(REPO / "build.py"), "import", str(wire), "--site", str(site)]
    for kill in range(KILLS // 2):
        importer = subprocess.Popen(command, cwd=REPO, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 1.5))
        importer.kill()
        importer.wait(timeout=60)
        for article in (site / "content" / "articles").rglob("*.md"):
            if article.name.startswith("."):
                continue  # a temporary: hidden, never read by a build
            try:  # every visible article is whole: it parses and ends as the importer ends it
                parse_article(split_front_matter(article, article.read_bytes()), config, renderer)
            except Exception as exc:  # noqa: BLE001 (any failure is the defect we look for)
                raise AssertionError(f"kill {kill} (seed {SEED}): {article} is not a complete article: {exc}") from exc
            assert article.read_text(encoding="utf-8").endswith("\n"), article
    finished = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stdout + finished.stderr
    visible = [p for p in (site / "content" / "articles").rglob("*.md") if not p.name.startswith(".")]
    assert len(visible) == stories + 1  # every story exactly once, plus the example article of `new`
    assert run_cli("build", "--site", str(site), "--quiet").returncode == 0


def test_a_failed_write_never_leaves_temporaries_in_the_published_site(two_sites):
    """Builds whose pages come out byte-identical relink files onto themselves; nothing stray may appear."""
    site, old, _ = two_sites
    for value in range(3):
        (site / "site.yaml").write_text((FIXTURES / "full/site.yaml").read_text() + f"  unused: {value}\n")
        assert run_cli("build", "--site", str(site), "--quiet").returncode == 0
        assert contents(site / "output") == old
    write_article(site, "broken.md", "---\ntitle: Broken\n---\n")
    assert run_cli("build", "--site", str(site), "--quiet").returncode == 1
    assert contents(site / "output") == old


def test_sigterm_during_a_build_leaves_a_complete_site(two_sites):
    site, old, new = two_sites
    set_input(site, NEW_INPUT)
    build = start_build(site)
    time.sleep(0.3)
    build.send_signal(signal.SIGTERM)
    build.wait(timeout=60)
    assert contents(site / "output") in (old, new)
