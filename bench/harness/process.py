"""One build as a measured child process: wall and CPU time and peak RSS from wait4, and the process tree's RSS
and PSS sampled from /proc while it runs."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .places import ROOT

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Measurement:
    """What one build took."""

    seconds: float  # wall time
    peak_rss_mib: float  # the largest single process (wait4's ru_maxrss)
    tree_rss_mib: float  # the process tree's summed RSS at its peak, sampled
    tree_pss_mib: float  # the process tree's summed PSS at its peak, sampled
    cpu_seconds: float  # user + system of the build and its worker processes
    returncode: int
    stderr: str


def tree_memory(pid: int) -> tuple[int, int]:
    """Summed RSS and PSS in bytes of PID and its descendants, read straight from /proc (cheap enough for 20 Hz).

    RSS counts a page shared by several processes (forked workers share their parent's) once per process;
    PSS divides it among them, so the PSS sum is the memory the whole build takes.
    """
    rss = pss = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/statm", "rb") as statm:
                rss += int(statm.read().split()[1]) * PAGE_SIZE
            with open(f"/proc/{current}/smaps_rollup", "rb") as rollup:
                pss += next(int(line.split()[1]) for line in rollup if line.startswith(b"Pss:")) * 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", "rb") as children:
                    pending.extend(int(child) for child in children.read().split())
        except (OSError, ValueError, IndexError, StopIteration):
            continue  # the process ended between two reads
    return rss, pss


def measure(argv: list[str], log_stem: Path, timeout: float) -> Measurement:
    """Run ARGV in a fresh child, its stdout and stderr in LOG_STEM.out and .err; killed after TIMEOUT seconds."""
    log_stem.parent.mkdir(parents=True, exist_ok=True)
    with open(log_stem.with_suffix(".out"), "wb") as out, open(log_stem.with_suffix(".err"), "wb") as err:
        start = time.perf_counter()
        # Own session, so a timeout can kill the build's worker processes too.
        child = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=ROOT,
                                 start_new_session=True)
        tree_peak = pss_peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal tree_peak, pss_peak
            previous = (0, 0)
            while not done.is_set():
                # The lower of two readings 50 ms apart: a reading taken while a worker forks can count the
                # parent whole and then the worker's share of the same pages (a spike of up to the parent's
                # size), never twice in a row; a build's real peaks last seconds.
                current = tree_memory(child.pid)
                rss, pss = min(previous[0], current[0]), min(previous[1], current[1])
                previous = current
                tree_peak, pss_peak = max(tree_peak, rss), max(pss_peak, pss)
                done.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timer = threading.Timer(timeout, _kill_group, (child.pid,))
        timer.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        timer.cancel()
        done.set()
        sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss / 1024  # KiB on Linux
    stderr = log_stem.with_suffix(".err").read_text(encoding="utf-8", errors="replace")
    return Measurement(seconds, peak, max(tree_peak / 2**20, peak), pss_peak / 2**20,
                       usage.ru_utime + usage.ru_stime, child.returncode, stderr)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, 9)
    except ProcessLookupError:
        pass
