"""How many cores this process may use, and whether it may fork: the rules every forked helper follows
(parallel.py's workers, file_stats.py's second half of the stats).

Apart from parallel.py so that a no-change build, whose stats fork, does not import multiprocessing (20 ms).
"""

from __future__ import annotations

import os
import threading


def worker_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    """Forking is safe only from a single-threaded process (the preview server's builds run serially, beside
    its threads)."""
    return hasattr(os, "fork") and threading.active_count() == 1
