"""The tools' turns at one size: a cold build, a no-change rebuild and edits of one article, each measured."""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path

from .corpus import Story
from .places import DATELINE_TOOLS, Workspace, size_label
from .process import Measurement, measure
from .results import Failures, Run
from .tools import command, dateline_revision, precompile_dateline

EDIT_SENTENCE = "\n\nThis sentence was appended by the benchmark's one-edit rebuild.\n"
_trashed = itertools.count()


def bench_size(workspace: Workspace, size: int | None, tools: list[str], stories: list[Story], repeat: int,
               timeout: float, runs: list[Run], failed: Failures) -> None:
    """REPEAT rounds of turns (A B C A B C ...) on the SIZE sites of STORIES: a Run per build into RUNS; a tool
    whose build fails goes into FAILED and takes no more turns."""
    if set(tools) & set(DATELINE_TOOLS):
        precompile_dateline(workspace)
    for repetition in range(1, repeat + 1):
        for tool in tools:
            if (tool, size_label(size)) not in failed:
                take_turn(workspace, size, tool, stories, repetition, timeout, runs, failed)


def kinds_of(tool: str) -> tuple[str, ...]:
    # Dateline's lists show titles: a title edit rebuilds the pages that list the article.
    return ("cold", "nochange", "edit", "title") if tool in DATELINE_TOOLS else ("cold", "nochange", "edit")


def take_turn(workspace: Workspace, size: int | None, tool: str, stories: list[Story], repetition: int,
              timeout: float, runs: list[Run], failed: Failures) -> None:
    """TOOL's builds of one turn, from cold; the edited article is restored afterwards."""
    label = size_label(size)
    article = edit_target(workspace, size, tool, stories)
    original = article.read_bytes()
    clean(workspace, tool, size)
    try:
        for kind in kinds_of(tool):
            if kind == "edit":
                article.write_bytes(original + EDIT_SENTENCE.encode())
            elif kind == "title":  # shown in the lists (front page, days, terms): their pages change
                article.write_bytes(edit_title(original + EDIT_SENTENCE.encode()))
            stem = workspace.log_stem(size, tool, repetition, kind)
            run, stderr = build(workspace, size, tool, len(stories), kind, repetition, timeout, stem)
            runs.append(run)
            status = "ok" if run.returncode == 0 else f"FAILED (exit {run.returncode})"
            print(f"  {tool:13} {label:>6} #{repetition} {kind:8} {run.seconds:8.2f} s  {run.cpu_seconds:7.2f} CPU s  "
                  f"{run.peak_rss_mib:6.0f} MiB  load {run.load:5.1f}  {status}", flush=True)
            if run.returncode != 0:
                tail = "\n".join(stderr.strip().splitlines()[-20:])
                print(f"--- {tool} stderr (last lines; full log {stem.with_suffix('.err')}) ---\n"
                      f"{tail}\n---", flush=True)
                failed[(tool, label)] = f"{kind} build exited with {run.returncode}"
                break
    finally:
        article.write_bytes(original)


def build(workspace: Workspace, size: int | None, tool: str, articles: int, kind: str, repetition: int,
          timeout: float, log_stem: Path) -> tuple[Run, str]:
    """One measured build of TOOL's SIZE site: its Run and its stderr."""
    load = os.getloadavg()[0]
    revision = dateline_revision(workspace.checkout(tool)) if tool in DATELINE_TOOLS else ""
    try:
        measured = measure(command(workspace, tool, size), log_stem, timeout)
    except OSError as exc:
        measured = Measurement(0.0, 0.0, 0.0, 0.0, 0.0, -1, str(exc))
    run = Run(tool, size_label(size), articles, kind, repetition, measured.seconds, measured.peak_rss_mib,
              measured.tree_rss_mib, measured.cpu_seconds, measured.returncode, load=load, revision=revision,
              tree_pss_mib=measured.tree_pss_mib)
    if kind == "cold" and measured.returncode == 0:
        run.pages = count_pages(workspace.out_dir(size, tool))
    if tool in DATELINE_TOOLS:
        run.cache_mib = folder_size(workspace.site_dir(size, tool) / ".dateline-cache") / 2**20
    return run, measured.stderr


def clean(workspace: Workspace, tool: str, size: int | None) -> None:
    """Remove output and every cache the tool keeps, for a cold build.

    They are moved into the work folder's trash, emptied only when the whole run is over: deleting tens of
    thousands of files just before a build slows that build's own file creation on this machine's journal-less
    ext4 (its inode allocator skips inodes deleted in the last minute, scanning past them one by one), by
    several seconds that depend on how much the previous builds deleted, not on the tool measured.
    """
    site = workspace.site_dir(size, tool)
    paths = [workspace.out_dir(size, tool).parent]
    if tool in DATELINE_TOOLS:
        paths += [site / ".dateline-cache", site / ".cache"]
    elif tool == "hugo":
        paths += [workspace.hugo_cache(size), site / "resources"]
    elif tool == "pelican":
        paths += [site / "cache"]
    workspace.trash.mkdir(parents=True, exist_ok=True)
    for path in paths:
        if path.exists() or path.is_symlink():
            path.rename(workspace.trash / f"{next(_trashed)}-{path.name}")


def empty_trash(workspace: Workspace) -> None:
    shutil.rmtree(workspace.trash, ignore_errors=True)


def edit_target(workspace: Workspace, size: int | None, tool: str, stories: list[Story]) -> Path:
    """The article the edits change: the middle one."""
    story = stories[len(stories) // 2]
    return workspace.site_dir(size, tool) / "content" / "articles" / story.folder / f"{story.slug}.md"


def edit_title(markdown: bytes) -> bytes:
    """The article with its title changed (its slug is fixed in the front matter, so its URL stays)."""
    return markdown.replace(b'\ntitle: "', b'\ntitle: "Updated: ', 1)


def folder_size(folder: Path) -> int:
    """Bytes of the files under FOLDER (0 if absent)."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else 0


def count_pages(out: Path) -> int:
    return sum(1 for _ in out.rglob("*.html"))
