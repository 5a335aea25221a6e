"""Ctrl-C that Python wraps in another exception still ends the command as Ctrl-C, without a traceback.

Before 3.12, a KeyboardInterrupt raised in a class attribute's __set_name__ (a dataclass field's, while Python
imports a module) comes out as a RuntimeError: the preview once reported it as an "internal error" with a
traceback, and a build printed the traceback. Here the signal is sent at that moment, not after a guessed delay:
tests/fixtures/ctrl_c/ makes the import of a chosen Dateline module first import a module whose dataclass sends
SIGINT to the process from its field's __set_name__, where the real entry point's handler raises.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from dateline import interrupt

from conftest import REPO, run_cli

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "ctrl_c"
# build.py, as an editor runs it, with the fixture armed first
ENTRY = """
import runpy, sys
repo, fixture, module, *argv = sys.argv[1:]
sys.path[:0] = [repo, fixture]
import press_ctrl_c_at_import
press_ctrl_c_at_import.arm(module)
sys.argv = [repo + "/build.py", *argv]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


@pytest.mark.parametrize(("module", "command", "statuses"), [
    ("dateline.build", ["build"], {130}),  # the build's lazy import, under the command line's handling
    ("dateline.ingest", ["import", "content/inbox/note.txt"], {130}),
    ("dateline.inbox", ["serve", "--port", "0"], {130}),  # imported with the preview
    # imported by the preview's first build (the inbox has a file), whose errors are reported as the preview's;
    # stopped, the preview ends as after any Ctrl-C once it runs
    ("dateline.ingest", ["serve", "--port", "0"], {0}),
], ids=["build", "import", "serve-start", "serve-first-build"])
def test_ctrl_c_wrapped_by_python_ends_the_command_quietly(tmp_path, module, command, statuses):
    site = tmp_path / "site"
    assert run_cli("new", str(site)).returncode == 0
    (site / "content" / "inbox" / "note.txt").write_text("PARIS, March 3 (Reuters) - A story.\n", encoding="utf-8")
    ended = subprocess.run([sys.executable, "-c", ENTRY, str(REPO), str(FIXTURE), module, *command], cwd=site,
                           capture_output=True, text=True, timeout=120)
    output = ended.stdout + ended.stderr
    for sign in ("Traceback", "KeyboardInterrupt", "internal error", "Exception ignored", "RuntimeError"):
        assert sign not in output, output
    assert ended.returncode in statuses, output


def _raised(make: Callable[[], None]) -> BaseException:
    try:
        make()
    except BaseException as exc:  # what was raised is the subject
        return exc
    raise AssertionError("nothing was raised")


def _wrapped_as_cause() -> None:
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt as exc:
        raise RuntimeError("Error calling __set_name__") from exc


def _raised_while_handling() -> None:
    try:
        raise KeyboardInterrupt
    except KeyboardInterrupt:
        raise OSError("lost the connection") from None  # suppressed from the traceback, still its context


def _in_a_group() -> None:
    raise BaseExceptionGroup("tasks", [ValueError("one"), KeyboardInterrupt()])


def _a_bug() -> None:
    try:
        raise KeyError("slug")
    except KeyError as exc:
        raise RuntimeError("a bug") from exc


@pytest.mark.parametrize(("make", "ctrl_c"), [
    (_wrapped_as_cause, True), (_raised_while_handling, True), (_in_a_group, True), (_a_bug, False),
])
def test_from_ctrl_c_finds_a_keyboard_interrupt_anywhere_in_the_chain(make, ctrl_c):
    assert not interrupt.requested.is_set()  # set only by a real Ctrl-C, which this process never had
    assert interrupt.from_ctrl_c(_raised(make)) is ctrl_c
