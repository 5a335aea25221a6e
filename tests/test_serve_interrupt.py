"""Ctrl-C at any moment of the preview's start stops it without a traceback, and the next preview works.

The terminal sends Ctrl-C's SIGINT to every process of the command's group (the preview and the first build's
workers; the process that runs the later rebuilds has a session of its own): so does this test, to the process
group of a real `serve` started in a session of its own. Python loses a KeyboardInterrupt raised in some of its
own callbacks (see dateline/interrupt.py): a preview that went on serving would fail here by its timeout.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, run_cli, serve_once

# Seconds after the start: importing, the first build (its workers fork for a site this size), the handover
# to the watcher and the server.
MOMENTS = [0.0, 0.05, 0.15, 0.3, 0.5, 0.75, 1.0, 1.5]
# A Ctrl-C while CPython itself starts (importing `site`, or looking at argv[0]), before build.py's first line can
# install Dateline's handler: CPython prints a traceback of its own and either exits 1 or carries on with the
# Ctrl-C lost (one run in six and one in sixty with SIGINT 0-15 ms after the start, on this project's machine).
# No Python code can catch either; the test lets exactly these reports through and still fails on any of Dateline's.
FATAL_IN_START = "Fatal Python error: init_import_site: Failed to import the site module"
LOST_IN_START = "Failed checking if argv[0] is an import path entry"
ARTICLES = 600  # enough for the first build to read articles in worker processes (parallel.map_chunks)


def _site(root: Path) -> Path:
    site = root / "site"
    assert run_cli("new", str(site)).returncode == 0
    for number in range(ARTICLES):
        (site / "content" / "articles" / f"story-{number}.md").write_text(
            f"---\ntitle: Story {number}\ndate: 2025-03-{1 + number % 28:02d}\ncountries: [LT]\n"
            f"tags: [topic {number % 20}]\n---\n\nThe story's text.\n", encoding="utf-8")
    return site


def _command(site: Path) -> list[str]:
    return [sys.executable, str(REPO / "build.py"), "serve", "--site", str(site), "--port", "0"]


@pytest.mark.parametrize("moment", MOMENTS)
def test_ctrl_c_early_in_the_preview_prints_no_traceback(tmp_path, moment):
    site = _site(tmp_path)
    preview = subprocess.Popen(_command(site), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    try:
        time.sleep(moment)
        os.killpg(preview.pid, signal.SIGINT)
        try:
            out, err = preview.communicate(timeout=120)
        except subprocess.TimeoutExpired:  # a Ctrl-C CPython lost in its own start (below): a person presses it again
            os.killpg(preview.pid, signal.SIGINT)
            out, err = preview.communicate(timeout=120)
            assert err.startswith(LOST_IN_START), err
    finally:
        if preview.poll() is None:
            os.killpg(preview.pid, signal.SIGKILL)
            preview.communicate()
    if err.startswith(FATAL_IN_START):  # the interpreter stopped before build.py's first line
        assert _pythons_own(err) and preview.returncode == 1, err
    else:
        if err.startswith(LOST_IN_START):
            err = err[len(_pythons_own(err)):]
        assert "Traceback" not in out + err and "KeyboardInterrupt" not in out + err, err
        # 130: stopped before the preview had started; -SIGINT: before Python itself had set up its Ctrl-C handling
        assert preview.returncode in (0, 130, -signal.SIGINT), err

    again = serve_once(_command(site))  # whatever the interrupted start left behind, the next preview serves
    assert again.status == 200 and "Story " in again.page
    assert again.returncode == 0 and "Traceback" not in again.stdout + again.stderr, again.stderr


def _pythons_own(err: str) -> str:
    """CPython's start-up report at the head of ERR, through its closing KeyboardInterrupt ('' if it names our code)."""
    head = err[:err.index("KeyboardInterrupt") + len("KeyboardInterrupt")] if "KeyboardInterrupt" in err else ""
    ours = str(REPO / "dateline") in head or str(REPO / "build.py") in head
    return "" if ours else head
