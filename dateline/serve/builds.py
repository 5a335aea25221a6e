"""The preview's rebuilds, run in a process of their own so that a full rebuild renders on every core.

A process must not fork while other threads run in it (the child would inherit locks held by threads it
does not have), and the preview serves, watches and rebuilds in threads: its builds could only render
in one process, and a template edit re-renders the whole site. So the preview starts one process for
its builds (a fresh interpreter running main(): no threads) and sends it each rebuild; there
build_site() forks its workers as a build from the command line does.

The two talk through the child's stdin and stdout, one pickled message at a time: (site_dir, output,
options) in, ("result", BuildResult) or ("errors", [SourceError, ...]) out.
"""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading
import traceback
from pathlib import Path
from typing import IO, Any

import dateline
from dateline.build import BuildResult, build_site
from dateline.errors import DatelineError, SourceError, internal_error


class BuildProcess:
    """build_site() in another process, one build at a time; started on creation, until close()."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._start()

    def _start(self) -> None:
        package_root = str(Path(dateline.__file__).resolve().parent.parent)
        python_path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
        # In a session of its own, so that Ctrl-C in the terminal, which reaches every process of the command's
        # group, never reaches this one: while it was still starting (the preview's first second) that printed a
        # KeyboardInterrupt traceback. The preview stops it by closing its input; so does the preview's death.
        self._process = subprocess.Popen([sys.executable, "-c", "from dateline.serve.builds import main; main()"],
                                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=True,
                                         env={**os.environ, "PYTHONPATH": python_path})

    def build(self, site_dir: Path, output: Path, **options: Any) -> BuildResult:
        """build_site(SITE_DIR, OUTPUT, **OPTIONS) there; its errors are raised here, as DatelineError."""
        with self._lock:
            try:
                _send(self._process.stdin, (site_dir, output, options))
                outcome, value = pickle.load(self._process.stdout)  # type: ignore[arg-type]
            except (EOFError, OSError, pickle.UnpicklingError):
                # killed (out of memory?) or crashed: the next build gets a new process
                code = self._stop()
                self._start()
                problem = f"internal error: the preview's build process ended (exit status {code}); " \
                          "the next change builds again"
                raise DatelineError(SourceError(site_dir, problem)) from None
        if outcome == "errors":
            raise DatelineError(value)
        return value

    def close(self) -> None:
        """End the process (after the build it is running, if any)."""
        with self._lock:
            self._stop()

    def _stop(self) -> int | None:
        for stream in (self._process.stdin, self._process.stdout):
            if stream is not None:
                try:
                    stream.close()  # it sees the end of its input and returns
                except OSError:
                    pass
        try:
            return self._process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self._process.kill()
            return self._process.wait()


def _send(stream: IO[bytes] | None, message: Any) -> None:
    assert stream is not None
    pickle.dump(message, stream, protocol=pickle.HIGHEST_PROTOCOL)
    stream.flush()


def serve_builds(requests: IO[bytes], replies: IO[bytes]) -> None:
    """Build each request read from REQUESTS, until its end, and write the outcome to REPLIES."""
    while True:
        try:
            site_dir, output, options = pickle.load(requests)
        except EOFError:
            return
        try:
            reply: tuple[str, Any] = ("result", build_site(site_dir, output, **options))
        except DatelineError as exc:
            reply = ("errors", exc.errors)
        except Exception as exc:  # a bug, not a bad file: the preview reports it and keeps serving
            traceback.print_exc()
            reply = ("errors", [internal_error(exc)])
        _send(replies, reply)


def main() -> None:
    """The build process: requests on stdin, replies on stdout, until the end of its input."""
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # anything printed goes to the terminal, not into replies
    serve_builds(sys.stdin.buffer, replies)
