"""Work spread over the machine's cores for cold builds: forked workers that share the parent's data."""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# Set just before forking: workers inherit it, so the items are never pickled on the way out.
_TASK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def worker_count() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def can_fork() -> bool:
    """Forking is safe only from a single-threaded process (the preview server's builds run serially)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def map_chunks(function: Callable[[Sequence[Item]], list[Result]], items: Sequence[Item], *,
               min_items: int = 400) -> list[Result]:
    """FUNCTION over ITEMS in one chunk per core; in this process when there is little work or no fork.

    FUNCTION takes a slice of ITEMS and returns one result per item; the results come back in order.
    """
    workers = worker_count()
    if workers == 1 or len(items) < min_items or not can_fork():
        return function(items)
    global _TASK
    _TASK = (function, items)
    try:
        size = -(-len(items) // (workers * 4))  # a few chunks per worker evens out slow files
        bounds = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
        with multiprocessing.get_context("fork").Pool(workers) as pool:
            chunks = pool.map(_run_chunk, bounds)
    finally:
        _TASK = None
    return [result for chunk in chunks for result in chunk]


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    assert _TASK is not None
    function, items = _TASK
    return function(items[bounds[0]:bounds[1]])
