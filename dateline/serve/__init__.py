"""`serve`: build the site into a preview folder, serve it on 127.0.0.1 and rebuild and reload on every change."""

from __future__ import annotations

import argparse
import errno
import os
import shutil
import signal
import sys
import tempfile
import threading
import webbrowser
from pathlib import Path
from types import TracebackType
from typing import IO

from dateline import interrupt
from dateline.config import CONFIG_NAME, load_config
from dateline.serve.handler import PreviewServer, is_loopback
from dateline.serve.rebuild import Rebuilder
from dateline.serve.state import BuildState
from dateline.serve.watch import SourceWatcher, changed_paths, source_signatures

# Inside the site folder (git-ignored): the preview is built into .preview/site/ and kept, so the next `serve`
# starts from it (with the build cache, only what changed since is rebuilt). A second preview of the same site
# at the same time builds into a temporary .preview/serve-PID-*/ instead, removed when it stops.
PREVIEW_DIR = ".preview"

__all__ = ["Preview", "serve"]


class Preview:
    """The preview of one site: watcher -> rebuilder -> preview folder -> HTTP server. Use as a context manager.

    The socket is bound on creation (so a busy port fails at once); start() begins the first build.
    """

    def __init__(self, site_dir: Path, *, host: str = "127.0.0.1", port: int = 8000, poll: bool = False,
                 drafts: bool = False, log=print) -> None:  # type: ignore[no-untyped-def]
        self.site_dir = site_dir.resolve()
        self.state = BuildState()
        self.server = PreviewServer((host, port), self.state, self.site_dir)  # first: a busy port fails at once
        self._lock, self._temporary = None, None
        try:
            folder = self.site_dir / PREVIEW_DIR
            folder.mkdir(exist_ok=True)
            self._lock = _lock_or_none(folder / "serve.lock")
            if self._lock is not None:  # the usual case: one preview, whose folder (and cache) outlive it
                self.server.preview_dir = folder / "site"
            else:  # another preview of this site is running: build apart from it, and clean up after
                _remove_abandoned_previews(folder)
                self._temporary = Path(tempfile.mkdtemp(prefix=f"serve-{os.getpid()}-", dir=folder))
                self.server.preview_dir = self._temporary / "site"
        except BaseException:
            self.server.server_close()
            raise
        self.host = host
        self.port = self.server.server_address[1]
        self.rebuilder = Rebuilder(self.site_dir, self.server.preview_dir, self.state, origin=self.origin,
                                   drafts=drafts, log=log)
        self.watcher = SourceWatcher(self.site_dir, self.rebuilder.changed, poll=poll,
                                     on_lost=self.rebuilder.lost_events)
        self._server_thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2},
                                               name="dateline-http")
        self._started = False

    @property
    def origin(self) -> str:
        """The scheme, host and port a browser on this machine uses."""
        host = self.host
        if host in ("", "0.0.0.0", "::"):
            host = "127.0.0.1"
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        return self.origin + self.state.base_path

    def start(self) -> str:
        """Build, then watch and serve; return how the sources are watched.

        The first build runs before any thread starts, so that it can fork workers on every core (a forked
        process must not inherit other threads); a source saved meanwhile is found by comparing the
        sources' signatures after it, and rebuilt as if the watcher had seen it.
        """
        before = source_signatures(self.site_dir)
        self.rebuilder.first_build()
        how = self.watcher.start()
        self._started = True
        for path in changed_paths(before, source_signatures(self.site_dir)):
            self.rebuilder.changed(path)
        self.rebuilder.start()
        self._server_thread.start()
        return how

    def close(self) -> None:
        """Stop everything we started; waits for a running build to end."""
        self.state.stop()
        if self._started:
            self.watcher.stop()
            self.server.shutdown()
            self._server_thread.join()
            self.server.close_connections()
        self.rebuilder.stop()
        self.server.server_close()
        if self._temporary is not None:
            shutil.rmtree(self._temporary, ignore_errors=True)
        if self._lock is not None:
            self._lock.close()

    def __enter__(self) -> Preview:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.close()


def serve(args: argparse.Namespace) -> int:
    """The `serve` command: preview until Ctrl-C."""
    site_dir: Path = args.site
    if not (site_dir / CONFIG_NAME).is_file():
        load_config(site_dir)  # raises the usual "no site.yaml here" error
    try:
        preview = Preview(site_dir, host=args.host, port=args.port, poll=args.poll, drafts=args.drafts)
    except OSError as exc:
        hint = (f"Is another preview running? Try --port {args.port + 1}." if exc.errno == errno.EADDRINUSE
                else "Check --host (an address of this machine, such as 127.0.0.1) and --port.")
        print(f"Cannot serve on {args.host}:{args.port}: {exc.strerror or exc}. {hint}", file=sys.stderr)
        return 1
    if not is_loopback(args.host):
        print(f"warning: serving on {args.host}: other machines can see this preview, drafts included.",
              file=sys.stderr)
    # Ctrl-C and `kill` stop the preview, also when Python swallowed the KeyboardInterrupt (see interrupt.py)
    previous = {number: signal.signal(number, interrupt.on_signal) for number in (signal.SIGINT, signal.SIGTERM)}
    with preview:
        try:
            how = preview.start()
            print(f"Watching {preview.site_dir} for changes ({how}).")
            preview.state.wait_epoch(0, timeout=None)  # the first build, good or bad
            if not interrupt.requested.is_set():
                print(f"Serving the preview on {preview.url} - press Ctrl-C to stop.")
                if args.open:
                    webbrowser.open(preview.url)
            interrupt.requested.wait()
        except KeyboardInterrupt:
            pass
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
        print("\nStopping the preview.")
    return 0


def _lock_or_none(path: Path) -> IO[bytes] | None:
    """An exclusive lock on PATH held while the returned file is open; None if another process holds it."""
    try:
        import fcntl
    except ImportError:  # not POSIX: every preview gets its own folder
        return None
    handle = path.open("ab")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        return None
    return handle


def _remove_abandoned_previews(folder: Path) -> None:
    """Remove preview folders left by a preview that was killed (their process is gone)."""
    for workdir in folder.glob("serve-*-*"):
        try:
            os.kill(int(workdir.name.split("-")[1]), 0)
        except ProcessLookupError:
            shutil.rmtree(workdir, ignore_errors=True)
        except (ValueError, PermissionError):
            pass  # not ours, or another user's live process


