"""The rebuild loop: gather changed paths, wait for a quiet moment, import the inbox if it changed, build."""

from __future__ import annotations

import hashlib
import sys
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from dateline import interrupt
from dateline.build import BuildResult, build_site
from dateline.config import SiteConfig, load_config
from dateline.errors import DatelineError, SourceError, internal_error
from dateline.inbox import import_inbox_for_build, needs_import  # now, not in the first build: see _cycle
from dateline.serve.builds import BuildProcess
from dateline.serve.state import BuildState, relative_to_site
from dateline.serve.watch import changed_paths, source_roots, stat_tree

QUIET = 0.1  # seconds without a new change before a burst of saves is built
MAX_WAIT = 2.0  # ...but never later than this after the burst's first change
INBOX = Path("content") / "inbox"


class Rebuilder:
    """A thread that turns bursts of changed source files into one preview build each."""

    def __init__(self, site_dir: Path, preview_dir: Path, state: BuildState, *, origin: str, drafts: bool = False,
                 log: Callable[[str], None] = print) -> None:
        self.site_dir = site_dir.resolve()
        self.preview_dir = preview_dir
        self.state = state
        self.origin = origin  # "http://127.0.0.1:8000": the preview's links point at the preview
        self.drafts = drafts
        self.log = log
        self._cond = threading.Condition()
        self._changes: set[Path] = set()
        self._first_change = self._last_change = 0.0
        self._stopping = False
        self._own_writes: dict[Path, str | None] = {}  # files the importer wrote -> their digest then
        self._last_failed = False
        self._static_roots = [r for r in source_roots(self.site_dir) if r.name == "static"]
        self._thread = threading.Thread(target=self._run, name="dateline-rebuild")
        self._builds: BuildProcess | None = None
        # Every source file changed since the last build that succeeded, as the watcher reported them: the
        # build then stats only those article files (scan.scan_articles). None while not known (before the
        # first build succeeded, or after the watcher lost events): the build looks at every file.
        self._since_success: set[Path] | None = None
        self._losses = 0  # times the watcher lost events

    def first_build(self) -> None:
        """The preview's first build, in the caller's thread (before start(), so before any thread: its
        workers may fork), while the process for the rebuilds starts (see serve/builds.py)."""
        self._builds = BuildProcess()
        self._cycle(frozenset(), first=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()
        if self._thread.is_alive():
            self._thread.join()
        if self._builds is not None:
            self._builds.close()
            self._builds = None

    def changed(self, path: Path) -> None:
        """Note a changed source file (called from the watcher's thread)."""
        with self._cond:
            now = time.monotonic()
            if not self._changes:
                self._first_change = now
            self._last_change = now
            self._changes.add(path)
            self.state.mark_pending()
            self._cond.notify_all()

    def lost_events(self) -> None:
        """The watcher may have missed changes (called from its thread): the next build looks at every file."""
        with self._cond:
            self._since_success = None
            self._losses += 1
        self.changed(self.site_dir / "content")

    def rebuild(self, config: SiteConfig, first: bool = False, watched: frozenset[Path] | None = None) -> BuildResult:
        """Bring the preview up to date: build_site() into the preview folder, whose atomic swap keeps what is
        served whole. build_site finds what changed by itself (WATCHED, the files the watcher saw change since
        the last build that succeeded, spares it looking at the others): an edit that moves no article
        rebuilds only the pages showing it, and untouched pages keep their files. The FIRST build runs here,
        the others in the build process, which keeps what it read for the next one."""
        build = build_site if first or self._builds is None else self._builds.build
        return build(self.site_dir, self.preview_dir, drafts=self.drafts, base_url=self.origin + config.base_path,
                     watched=watched)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._changes or self._stopping)
                while not self._stopping:
                    left = min(self._last_change + QUIET, self._first_change + MAX_WAIT) - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
                if self._stopping:
                    return
                changes, self._changes = frozenset(self._changes), set()
            try:
                self._cycle(changes, first=False)
            except KeyboardInterrupt:  # a build that failed after Ctrl-C: the preview is stopping
                return

    def _cycle(self, changes: frozenset[Path], *, first: bool) -> None:
        changes = self._without_own_writes(changes)
        if not changes and not first:
            self.state.settle(still_pending=self._has_changes())
            return
        self.state.begin_build()
        errors: list[SourceError] = []
        result = None
        started = time.perf_counter()
        with self._cond:
            watched = None if first or self._since_success is None else self._since_success | changes
            losses = self._losses
        try:
            config = load_config(self.site_dir)
            self.state.base_path = config.base_path
            if first or any(p.is_relative_to(self.site_dir / INBOX) for p in changes):
                imported = self._import_inbox(config)
                watched = None if watched is None else watched | imported
            result = self.rebuild(config, first, None if watched is None else frozenset(watched))
        except DatelineError as exc:
            interrupt.stop_if_ctrl_c(exc)
            errors = exc.errors
        except Exception as exc:  # a bug, not a bad file: report it like one and keep serving
            # unless it is a Ctrl-C in disguise (see interrupt.py), likeliest while Python imports: what the
            # first build imports besides build_site is imported with this module
            interrupt.stop_if_ctrl_c(exc)
            traceback.print_exc()
            errors = [internal_error(exc)]
        seconds = time.perf_counter() - started
        with self._cond:  # what the next build must look at besides its own changes
            if result is not None:  # nothing, unless events were lost meanwhile
                self._since_success = set() if self._losses == losses else None
            elif self._since_success is not None and watched is not None:  # these too: this build did not happen
                self._since_success = set(watched)
        full_reload = first or self._last_failed or not all(self._is_stylesheet(p) for p in changes)
        self._last_failed = result is None
        self.state.end_build(succeeded=result is not None, errors=errors, full_reload=full_reload,
                             still_pending=self._has_changes())
        if result is not None:
            for warning in result.warnings:
                self.log(f"warning: {self._where(warning)}: {warning.message}")
            what = "Built" if first else "Rebuilt"
            self.log(f"{what} {result.articles} articles ({result.files} files) in {seconds:.2f} s"
                     + ("" if first else f" after {self._describe(changes)}"))
        else:
            for error in errors:
                print(f"{self._where(error)}: {error.message}", file=sys.stderr)
            print("Build failed: still serving the previous build; the browser shows the error until it is fixed.",
                  file=sys.stderr)

    def _import_inbox(self, config: SiteConfig) -> set[Path]:
        """Import raw files dropped into content/inbox/, remembering what the importer wrote so it is no change;
        return the files it changed."""
        if not needs_import(self.site_dir):
            return set()

        content = self.site_dir / "content"
        before = stat_tree(content)
        imported = import_inbox_for_build(self.site_dir, config)
        after = stat_tree(content)
        written = set(changed_paths(before, after))
        for path in written:
            self._own_writes[path] = _digest(path)
        for line in imported.lines(site_dir=self.site_dir):
            self.log(line)
        for warning in imported.warnings:
            self.log(f"warning: {self._where(warning)}: {warning.message}")
        return written

    def _without_own_writes(self, changes: frozenset[Path]) -> frozenset[Path]:
        """Drop events caused by our own importer: the file still holds what the importer wrote."""
        kept = set()
        for path in changes:
            if path in self._own_writes and self._own_writes[path] == _digest(path):
                continue
            self._own_writes.pop(path, None)
            kept.add(path)
        return frozenset(kept)

    def _has_changes(self) -> bool:
        with self._cond:
            return bool(self._changes)

    def _is_stylesheet(self, path: Path) -> bool:
        return path.suffix == ".css" and any(path.is_relative_to(root) for root in self._static_roots)

    def _where(self, error: SourceError) -> str:
        where = relative_to_site(error.path, self.site_dir)
        return f"{where}:{error.line}" if error.line else where

    def _describe(self, changes: frozenset[Path]) -> str:
        names = sorted(relative_to_site(p, self.site_dir) for p in changes)
        more = f" and {len(names) - 3} more" if len(names) > 3 else ""
        return ", ".join(names[:3]) + more


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha1(path.read_bytes()).hexdigest()
    except OSError:
        return None

