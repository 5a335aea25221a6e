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

from dateline.article_files import split_front_matter
from dateline.config import load_config
from dateline.front_matter import parse_article
from dateline.markup import MarkdownRenderer
from dateline.scaffold import create_site

from conftest import FIXTURES, REPO, run_cli, write_article

KILLS = 30  # SIGKILLs of an import
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


# Runs a build in a process of its own and, at one moment of its progress (a stage ending, a first chunk of
# articles read or pages rendered, the new tree complete before its swap), prints that moment and waits
# there for a signal; with no moment given it prints them all and finishes.
PAUSING_BUILD = """
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from dateline.build import build_site

seen = set()

def moment(name):
    if name in seen:
        return
    seen.add(name)
    print(name, flush=True)
    if name == sys.argv[3]:
        sys.stdin.read()  # until the test's signal ends this process

build_site(Path(sys.argv[2]), on_stage=lambda stage, _: moment(f"stage {stage}"),
           progress=lambda label, done, total: moment(f"{label}: a first chunk done"),
           after_render=lambda tree: moment("new tree complete"))
"""


def build_until(site: Path, moment: str = "") -> subprocess.Popen:
    """A build of SITE that stops at MOMENT (see PAUSING_BUILD), once its stdout says so."""
    build = subprocess.Popen([sys.executable, "-c", PAUSING_BUILD, str(REPO), str(site), moment], cwd=REPO,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if moment:
        for line in build.stdout:
            if line.rstrip("\n") == moment:
                return build
        _, err = build.communicate(timeout=60)
        raise AssertionError(f"the build finished without reaching {moment!r}: {err}")
    return build


def moments_of(site: Path) -> list[str]:
    """Every moment a build of SITE's current input passes, in order (the build is then undone)."""
    build = build_until(site)
    out, err = build.communicate(timeout=120)
    assert build.returncode == 0, err
    return out.splitlines()


def stopped(build: subprocess.Popen, how: signal.Signals) -> int:
    """Send HOW to a build waiting at its moment; return its exit status once it ended."""
    build.send_signal(how)
    build.communicate(timeout=60)  # and its pipes are closed
    return build.returncode


@pytest.mark.parametrize("change", ["a new, an edited and a deleted article", "an edited article alone"])
def test_sigkill_at_every_moment_of_a_build_leaves_the_old_site_until_the_swap_and_the_new_one_after(
        two_sites, tmp_path, change):
    """A build killed at each moment of its progress, in turn: until the new tree is swapped in, output/ is
    exactly the old site; from then on exactly the new one; and the next build finishes the work. The second
    change takes the edit's path (the snapshot), the first a full build's. Each new site differs from the
    ones before, so that every build has pages to render."""
    site, old, _ = two_sites

    def new_input(number: int) -> dict[str, str]:
        edited = NEW_INPUT["a3.md"] + f"\nVersion {number}.\n"
        return {**NEW_INPUT, "a3.md": edited} if change.startswith("a new") else {**OLD_INPUT, "a3.md": edited}

    def from_the_old_site(number: int) -> dict[str, str]:
        """output/ is the old site; the input is new (version NUMBER); return the files of that new site."""
        set_input(site, OLD_INPUT)
        assert run_cli("build", "--site", str(site), "--quiet").returncode == 0
        assert contents(site / "output") == old
        set_input(site, new_input(number))
        return clean_build(site, tmp_path)

    from_the_old_site(0)
    moments = moments_of(site)
    assert "new tree complete" in moments and "Rendering pages: a first chunk done" in moments, moments
    swapped_from = moments.index("stage commit")  # trees.commit() has swapped output/ when this stage ends
    for position, moment in enumerate(moments, start=1):
        new = from_the_old_site(position)
        assert stopped(build_until(site, moment), signal.SIGKILL) == -signal.SIGKILL
        expected, which = (new, "new") if position > swapped_from else (old, "old")
        assert contents(site / "output") == expected, f"killed at {moment!r}: output/ is not the {which} site"
        result = run_cli("build", "--site", str(site), "--quiet")
        assert result.returncode == 0, result.stderr
        assert contents(site / "output") == new, f"the build after one killed at {moment!r}"


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


def test_sigterm_during_a_build_leaves_the_old_site_and_the_next_build_the_new_one(two_sites):
    """SIGTERM when the new tree is complete but not yet swapped in (the last moment it can be lost), and when
    the pages are being planned: output/ is the old site, whole, and the next build gives the new one."""
    site, old, new = two_sites
    for moment in ("new tree complete", "stage pages"):
        set_input(site, NEW_INPUT)
        assert stopped(build_until(site, moment), signal.SIGTERM) == -signal.SIGTERM  # ended, not finished
        assert contents(site / "output") == old, f"SIGTERM at {moment!r}"
        assert not any(p.name.startswith(".") for p in (site / "output").rglob("*"))
        assert run_cli("build", "--site", str(site), "--quiet").returncode == 0
        assert contents(site / "output") == new
        set_input(site, OLD_INPUT)
        assert run_cli("build", "--site", str(site), "--quiet").returncode == 0
