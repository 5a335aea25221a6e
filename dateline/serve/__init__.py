"""`serve`: build the site into a preview folder, serve it on 127.0.0.1 and rebuild and reload on every change."""

from __future__ import annotations

import argparse
import ipaddress
import os
import shutil
import signal
import sys
import tempfile
import threading
import webbrowser
from pathlib import Path
from types import TracebackType

from dateline.config import CONFIG_NAME, load_config
from dateline.serve.handler import PreviewServer
from dateline.serve.rebuild import Rebuilder
from dateline.serve.state import BuildState
from dateline.serve.watch import SourceWatcher

PREVIEW_DIR = ".preview"  # inside the site folder, git-ignored; each running preview has its own folder in it

__all__ = ["Preview", "serve"]


class Preview:
    """The preview of one site: watcher -> rebuilder -> preview folder -> HTTP server. Use as a context manager.

    The socket is bound on creation (so a busy port fails at once); start() begins the first build.
    """

    def __init__(self, site_dir: Path, *, host: str = "127.0.0.1", port: int = 8000, poll: bool = False,
                 drafts: bool = False, log=print) -> None:  # type: ignore[no-untyped-def]
        self.site_dir = site_dir.resolve()
        self.state = BuildState()
        (self.site_dir / PREVIEW_DIR).mkdir(exist_ok=True)
        _remove_abandoned_previews(self.site_dir / PREVIEW_DIR)
        self._workdir = Path(tempfile.mkdtemp(prefix=f"serve-{os.getpid()}-", dir=self.site_dir / PREVIEW_DIR))
        try:
            self.server = PreviewServer((host, port), self.state, self._workdir / "site", self.site_dir)
        except BaseException:
            self._remove_workdir()
            raise
        self.host = host
        self.port = self.server.server_address[1]
        self.rebuilder = Rebuilder(self.site_dir, self._workdir / "site", self.state, origin=self.origin,
                                   drafts=drafts, log=log)
        self.watcher = SourceWatcher(self.site_dir, self.rebuilder.changed, poll=poll)
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
        """Watch, build, serve; return how the sources are watched."""
        how = self.watcher.start()
        self._started = True
        self.rebuilder.start()
        self._server_thread.start()
        return how

    def close(self) -> None:
        """Stop everything we started and remove the preview folder; waits for a running build to end."""
        self.state.stop()
        if self._started:
            self.watcher.stop()
            self.server.shutdown()
            self._server_thread.join()
            self.server.close_connections()
            self.rebuilder.stop()
        self.server.server_close()
        self._remove_workdir()

    def _remove_workdir(self) -> None:
        shutil.rmtree(self._workdir, ignore_errors=True)
        try:
            self._workdir.parent.rmdir()  # only if no other preview uses it
        except OSError:
            pass

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
        print(f"Cannot serve on {args.host}:{args.port}: {exc.strerror or exc}. Is another preview running? "
              f"Try --port {args.port + 1}.", file=sys.stderr)
        return 1
    if not _is_loopback(args.host):
        print(f"warning: serving on {args.host}: other machines can see this preview, drafts included.",
              file=sys.stderr)
    previous_handler = signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops it as cleanly as Ctrl-C
    with preview:
        try:
            how = preview.start()
            print(f"Watching {preview.site_dir} for changes ({how}).")
            preview.state.wait_epoch(0, timeout=None)  # the first build, good or bad
            print(f"Serving the preview on {preview.url} - press Ctrl-C to stop.")
            if args.open:
                webbrowser.open(preview.url)
            threading.Event().wait()
        except KeyboardInterrupt:
            print("\nStopping the preview.")
        finally:
            signal.signal(signal.SIGTERM, previous_handler)
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _remove_abandoned_previews(folder: Path) -> None:
    """Remove preview folders left by a preview that was killed (their process is gone)."""
    for workdir in folder.glob("serve-*-*"):
        try:
            os.kill(int(workdir.name.split("-")[1]), 0)
        except ProcessLookupError:
            shutil.rmtree(workdir, ignore_errors=True)
        except (ValueError, PermissionError):
            pass  # not ours, or another user's live process


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
