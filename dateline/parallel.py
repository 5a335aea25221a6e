"""Work spread over the machine's cores for cold builds: forked workers that share the parent's data."""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar

from dateline import interrupt
from dateline.cores import can_fork, worker_count

Item = TypeVar("Item")
Result = TypeVar("Result")

# Set just before forking: workers inherit it, so the items are never pickled on the way out.
_TASK: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def map_chunks(function: Callable[[Sequence[Item]], list[Result]], items: Sequence[Item], *,
               min_items: int = 400, on_progress: Callable[[int, int], None] | None = None,
               workers: int | None = None, in_this_process_too: bool = False) -> list[Result]:
    """FUNCTION over ITEMS, chunk by chunk, on every core when there is enough work and fork is safe.

    FUNCTION takes a slice of ITEMS and returns one result per item; the results come back in order.
    ON_PROGRESS(done, total) is called after each chunk. WORKERS caps the worker processes (default: one
    per core); with one, the items are done in this process. IN_THIS_PROCESS_TOO: this process takes
    chunks beside WORKERS - 1 forked ones, where it would only wait for them: one copy fewer of the
    memory a worker touches (each writes the reference counts of the parent's objects it reads, and so
    copies their pages: 380-460 MiB per render worker at 100,000 articles).
    """
    workers = min(workers or worker_count(), worker_count())
    parallel = workers > 1 and in_workers(len(items), min_items)
    bounds = _chunk_bounds(len(items), workers if parallel else 0)
    results: list[Result] = []

    def collect(chunk: list[Result]) -> None:
        results.extend(chunk)
        if on_progress:
            on_progress(len(results), len(items))

    if not parallel:
        for start, end in bounds:
            collect(function(items[start:end]))
        return results
    if in_this_process_too:
        return _map_beside_workers(function, items, bounds, workers - 1, on_progress)
    with _pool(function, items, workers) as pool:
        for chunk in pool.imap(_run_chunk, bounds):
            collect(chunk)
    return results


def _map_beside_workers(function: Callable[[Sequence[Item]], list[Result]], items: Sequence[Item],
                        bounds: list[tuple[int, int]], workers: int,
                        on_progress: Callable[[int, int], None] | None) -> list[Result]:
    """map_chunks with this process and WORKERS forked ones each claiming the next chunk of BOUNDS in turn."""
    global _CLAIMS
    claims = multiprocessing.get_context("fork").Value("l", 0)  # the next chunk's index, shared with the workers
    _CLAIMS = claims, bounds
    done: dict[int, list[Result]] = {}
    finished = 0

    def collect(index: int, chunk: list[Result]) -> None:
        nonlocal finished
        done[index] = chunk
        finished += len(chunk)
        if on_progress:
            on_progress(finished, len(items))

    try:
        with _pool(function, items, workers) as pool:
            from_workers = pool.imap_unordered(_run_claimed, range(len(bounds)))
            while (index := _claim()) is not None:
                collect(index, function(items[bounds[index][0]:bounds[index][1]]))
                while True:  # what the workers finished meanwhile, for the progress
                    try:
                        claimed = from_workers.next(timeout=0)
                    except (StopIteration, multiprocessing.TimeoutError):
                        break
                    if claimed is not None:
                        collect(*claimed)
            for claimed in from_workers:
                if claimed is not None:
                    collect(*claimed)
    finally:
        _CLAIMS = None
    return [result for index in range(len(bounds)) for result in done[index]]


# Set with _TASK for _map_beside_workers: the shared index of the next chunk to claim, and the chunks' bounds.
_CLAIMS: tuple[Any, list[tuple[int, int]]] | None = None


def _claim() -> int | None:
    """The index of the next chunk no process has taken yet, None when none is left."""
    assert _CLAIMS is not None
    claims, bounds = _CLAIMS
    with claims.get_lock():
        index = claims.value
        if index >= len(bounds):
            return None
        claims.value = index + 1
    return index


def _run_claimed(_: int) -> tuple[int, list[Any]] | None:
    """In a worker: the next chunk not yet taken, with its index (None when every chunk is taken)."""
    assert _TASK is not None
    index = _claim()
    if index is None:
        return None
    function, items = _TASK
    start, end = _CLAIMS[1][index]  # type: ignore[index]
    return index, function(items[start:end])


@contextmanager
def chunks_in_background(function: Callable[[Sequence[Item]], list[Result]], items: Sequence[Item], *,
                         min_items: int = 400) -> Iterator[Callable[[], list[Result]]]:
    """map_chunks begun in worker processes while the caller does other work: yields the function that waits
    for the results. Without workers (too few items, one core, no fork) the items are done when it is
    called. No process may be forked meanwhile (the pool's threads make forking unsafe).
    """
    if not in_workers(len(items), min_items):
        yield lambda: map_chunks(function, items, min_items=min_items)
        return
    with _pool(function, items, worker_count()) as pool:
        pending = pool.map_async(_run_chunk, _chunk_bounds(len(items), worker_count()))
        yield lambda: [result for chunk in pending.get() for result in chunk]


def _chunk_bounds(count: int, workers: int) -> list[tuple[int, int]]:
    """[start, end) of each chunk of COUNT items: many per worker even out slow items and leave no worker
    alone with a long chunk at the end; small ones in one process (WORKERS 0) keep the progress moving."""
    size = max(20, -(-count // (workers * 32))) if workers else 250
    return [(start, min(start + size, count)) for start in range(0, count, size)]


@contextmanager
def _pool(function: Callable[[Sequence[Any]], list[Any]], items: Sequence[Any], workers: int):
    """A pool of WORKERS forked processes that run FUNCTION on chunks of ITEMS (see _run_chunk)."""
    global _TASK
    _TASK = (function, items)
    try:
        with _frozen():
            with _ctrl_c_held():
                pool = multiprocessing.get_context("fork").Pool(workers, initializer=_worker_signals)
            with pool:
                yield pool
    finally:
        _TASK = None


def in_workers(count: int, min_items: int) -> bool:
    """Whether map_chunks spreads COUNT items over worker processes."""
    return worker_count() > 1 and count >= min_items and can_fork()


# gc thresholds: a full collection after this many collections of the middle generation, i.e. never
_NEVER = 1 << 30


@contextmanager
def young_collections_only():
    """Python's garbage collector without its full collections in this process (and the ones it forks) meanwhile.

    A build's parent holds data that lives until the end of the build (articles, views, pages): each full
    collection walks all of it again to find almost nothing (0.1-0.2 s at 10,000 articles, on the critical
    path). The young generations are still collected, so the short-lived reference cycles that rendering
    leaves (about 5 KB a page, when pages render in this process) are freed as before.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], _NEVER)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


@contextmanager
def _frozen():
    """Leave the objects existing now out of garbage collection while processes forked here run.

    A forked process shares the parent's objects copy-on-write; each of its collections would walk, and so
    copy, all of them (about half a second of CPU time per worker in a 10,000-article cold build).
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()  # in this process; forked children keep theirs frozen


@contextmanager
def _ctrl_c_held():
    """Hold Ctrl-C back while processes are forked: Python runs callbacks around fork() in which a KeyboardInterrupt
    is lost (only printed as 'Exception ignored'); held, it arrives right after, where the build can stop."""
    if not hasattr(signal, "pthread_sigmask"):  # not POSIX
        yield
        return
    mask = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)


def _worker_signals() -> None:
    """A worker leaves Ctrl-C to its parent, which then ends the pool (with SIGTERM: no handler the parent may have
    set for it, such as the preview's, may turn that into a KeyboardInterrupt traceback in every worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _run_chunk(bounds: tuple[int, int]) -> list[Any]:
    assert _TASK is not None
    function, items = _TASK
    return function(items[bounds[0]:bounds[1]])


def in_background(function: Callable[[], None], *,
                  worth_a_process: bool = True) -> tuple[Callable[[], str | None], bool]:
    """Start FUNCTION beside the caller: in a forked process when it is worth one, there are cores to spare
    and forking is safe, else right away. Returns a function that waits for it and says why it failed (None
    when it succeeded), for work whose failure only costs time later, such as saving caches; and whether it
    runs in a process of its own (which then has a core)."""
    if not worth_a_process or worker_count() == 1 or not can_fork():
        try:
            function()
        except Exception as exc:  # as from the other process: the caller learns it from the result
            interrupt.stop_if_ctrl_c(exc)  # never a failure to report: the command stops
            reason = _reason(exc)
            return (lambda: reason), False
        return (lambda: None), False
    receiver, sender = multiprocessing.get_context("fork").Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(target=_reporting, args=(function, sender))
    with _frozen(), _ctrl_c_held():
        process.start()
    sender.close()

    def wait() -> str | None:
        process.join()
        if process.exitcode == 0:
            return None
        try:
            return receiver.recv() if receiver.poll() else _ended(process.exitcode)
        except (EOFError, OSError):
            return _ended(process.exitcode)
        finally:
            receiver.close()
    return wait, True


def _reporting(function: Callable[[], None], sender: Any) -> None:
    """FUNCTION in the forked process: its error goes back to the parent as text, never as a traceback on the
    user's terminal."""
    try:
        function()
    except BaseException as exc:
        try:
            sender.send(_reason(exc))
        finally:
            os._exit(1)


def _reason(exc: BaseException) -> str:
    text = str(exc)
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _ended(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            return f"its process was killed by {signal.Signals(-exitcode).name}"
        except ValueError:
            return f"its process was killed by signal {-exitcode}"
    return f"its process ended with exit status {exitcode}"


def give_back_free_memory() -> None:
    """Return to the system the memory the C library keeps after large objects are freed (the parsed articles'
    bodies, the pickles that brought them from the readers): glibc keeps freed memory inside its heap for later
    allocations, which in a build are mostly Python's own arenas, made elsewhere. Nothing off glibc."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (OSError, AttributeError):  # not glibc
        pass
