"""What the preview server shares between threads: build epochs, the last error, and who is reading the preview."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from dateline.errors import SourceError

PENDING_WAIT_LIMIT = 5.0  # seconds a request waits for a debounce window before it is served anyway


@dataclass(frozen=True)
class Snapshot:
    """The state a browser needs: which build it shows and whether the latest build failed."""

    run: str  # changes when the server restarts, so open pages reload
    version: int  # changes on every new build or new error; the events stream waits on it
    epoch: int  # successful builds so far; 0 until the first one
    full_epoch: int  # the last epoch that needs a full page reload (not only a stylesheet swap)
    built_at: float  # time.time() of the last successful build
    errors: tuple[SourceError, ...]  # empty when the latest build succeeded


class BuildState:
    """Build epochs and a readers/writer gate: requests never see the preview folder while a build rewrites it.

    The builder calls begin_build() (new readers wait, running reads finish), then end_build().
    A request holds reading() only while it opens and reads one file, so builds are not held up.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._run = secrets.token_hex(4)
        self._version = 0
        self._epoch = 0
        self._full_epoch = 0
        self._built_at = 0.0
        self._errors: tuple[SourceError, ...] = ()
        self._building = False
        self._pending_since: float | None = None  # a change arrived and waits for its build
        self._readers = 0
        self.stopping = False
        self.base_path = "/"  # from site.yaml's base_url, updated on each build

    def snapshot(self) -> Snapshot:
        with self._cond:
            return self._snapshot()

    def _snapshot(self) -> Snapshot:
        return Snapshot(self._run, self._version, self._epoch, self._full_epoch, self._built_at, self._errors)

    def wait_change(self, version: int | None, timeout: float) -> Snapshot:
        """The state once it differs from VERSION (or after TIMEOUT, or when the server stops)."""
        with self._cond:
            self._cond.wait_for(lambda: self._version != version or self.stopping, timeout)
            return self._snapshot()

    def wait_epoch(self, epoch: int, timeout: float) -> Snapshot:
        """The state once a build newer than EPOCH succeeded or failed (for `serve` and tests), which may have
        happened before this call: the preview's first build runs in start(), and a site broken at start used
        to leave `serve` waiting here for ever, never printing its address."""
        with self._cond:
            self._cond.wait_for(lambda: self._epoch > epoch or (self._epoch == epoch and self._errors)
                                or self.stopping, timeout)
            return self._snapshot()

    # The builder's side.

    def mark_pending(self) -> None:
        with self._cond:
            if self._pending_since is None:
                self._pending_since = time.monotonic()

    def begin_build(self) -> None:
        with self._cond:
            self._building = True
            self._cond.wait_for(lambda: self._readers == 0)

    def end_build(self, *, succeeded: bool, errors: list[SourceError] | None = None, full_reload: bool = True,
                  still_pending: bool = False) -> None:
        """Publish a build's outcome; a failed build keeps the previous preview and epoch."""
        with self._cond:
            self._building = False
            self._pending_since = time.monotonic() if still_pending else None
            if succeeded:
                self._epoch += 1
                if full_reload:
                    self._full_epoch = self._epoch
                self._built_at = time.time()
                self._errors = ()
                self._version += 1
            elif errors is not None:
                self._errors = tuple(errors)
                self._version += 1
            self._cond.notify_all()

    def settle(self, *, still_pending: bool) -> None:
        """The pending changes needed no build (they were our own writes)."""
        with self._cond:
            self._pending_since = time.monotonic() if still_pending else None
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self.stopping = True
            self._cond.notify_all()

    # The requests' side.

    @contextmanager
    def reading(self) -> Iterator[Snapshot]:
        """Wait for the running build (and briefly for a pending one), then hold builds off while reading."""
        with self._cond:
            while not self.stopping:
                if self._building:
                    self._cond.wait()
                    continue
                if self._pending_since is None:
                    break
                left = self._pending_since + PENDING_WAIT_LIMIT - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            self._readers += 1
            snapshot = self._snapshot()
        try:
            yield snapshot
        finally:
            with self._cond:
                self._readers -= 1
                self._cond.notify_all()


def relative_to_site(path: Path, site_dir: Path) -> str:
    """A path as the editor knows it: relative to the site folder when inside it."""
    try:
        return path.resolve().relative_to(site_dir).as_posix()
    except (ValueError, OSError):
        return str(path)
