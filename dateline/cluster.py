"""The render stage on a dask.distributed cluster (`build --scheduler tcp://HOST:PORT`): this machine's side.

Pages go to the workers in shards that carry everything their rendering reads (dateline/shards.py), so a
worker needs no disk of the site's; the rendered bytes come back and are written here, into the twin tree a
local build writes, so that the atomic swap (dateline/incremental/trees.py) stays the only way output
appears. A worker that dies is replaced by dask running its shards again elsewhere, with the same bytes.
docs/scaling.md explains the design and measures it.

Nothing here imports dask until a build asks for a cluster: `build` and `serve` without --scheduler never load it.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import socket
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from dateline import interrupt
from dateline.config import SiteConfig
from dateline.errors import DatelineError, SourceError
from dateline.pages import Page
from dateline.render import render_chunk
from dateline.shards import RenderKit, identity, pack_shard, plan_shards, render_shard, shipped

SCHEMES = ("tcp", "tls")  # dask's network protocols (tls takes its certificates from dask's configuration)
PROBE_TIMEOUT = 10  # seconds to wait for the scheduler's port to answer at all
START_A_CLUSTER = ("Start a scheduler with `dask scheduler` (it prints its address) and workers with `dask worker "
                   "ADDRESS`, or build without --scheduler")
SEND_TRIES = 5  # a shard scattered to a worker that died before the scheduler knew: tried again, soon after
IN_FLIGHT_PER_WORKER = 3  # shards submitted ahead: the scheduler holds their inputs until they are rendered
# What must match between this machine and the workers for their pages to be byte for byte this machine's:
# dask's own (it refuses to mix versions of its protocol), and what renders templates.
CLUSTER_PACKAGES = ("python", "dask", "distributed", "cloudpickle", "msgpack", "tornado", "toolz")


def scheduler_address(text: str) -> str:
    """TEXT if it is a dask scheduler's address (tcp://HOST:PORT); raise ValueError saying what to write."""
    example = "write it as tcp://HOST:PORT, the address `dask scheduler` prints (port 8786 unless told otherwise)"
    if "://" not in text:
        raise ValueError(f"{text!r} is not a scheduler's address: {example}")
    parts = urlsplit(text)
    if parts.scheme.lower() in ("http", "https"):
        raise ValueError(f"{text!r} is a web address (the scheduler's dashboard?), not the scheduler's: {example}")
    if parts.scheme.lower() not in SCHEMES:
        raise ValueError(f"{text!r}: dask schedulers speak tcp:// (or tls://), not {parts.scheme}://; {example}")
    try:
        port = parts.port
    except ValueError:
        port = None
    if not parts.hostname or port is None or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ValueError(f"{text!r} is not a scheduler's address: {example}")
    return text


def check_cluster(address: str) -> None:
    """Before a build reads anything: refuse a machine without dask.distributed, and an address where nothing
    listens (a plain TCP connection: dask is loaded only when there are pages to render)."""
    try:
        installed = importlib.util.find_spec("distributed") is not None
    except (ImportError, ValueError):
        installed = False
    if not installed:
        raise _error(address, "building on a cluster needs dask.distributed, which is not installed here: "
                              "pip install 'dateline[cluster]'")
    parts = urlsplit(address)
    try:
        socket.create_connection((parts.hostname, parts.port), timeout=PROBE_TIMEOUT).close()
    except OSError as exc:
        raise _error(address, f"no dask scheduler answered there ({exc.strerror or exc}). {START_A_CLUSTER}") from None


def render_on_cluster(address: str, env: jinja2.Environment, config: SiteConfig, strict: bool, pages: list[Page],
                      on_progress: Callable[[int, int], None] | None = None,
                      catalogs: tuple[tuple[str, bytes], ...] = ()) -> Iterator[tuple[str, bytes] | SourceError]:
    """PAGES rendered by the workers of the scheduler at ADDRESS, with ENV's templates and article views: yields
    (site path, bytes) as shards come back, then the templates' errors in page order. Raises DatelineError
    when the cluster cannot be reached or cannot finish (after what dying workers held was sent again)."""
    if not pages:
        return
    # dask logs what goes wrong on the cluster, with tracebacks, on the terminal: what it means for the build is
    # said below (or the shard was sent again and it did not matter), in the build's own words.
    silenced = logging.root.manager.disable
    logging.disable(logging.CRITICAL)  # Dateline itself logs nothing
    try:
        client, distributed = _connect(address)
        try:
            _check_versions(client, address)
            try:
                yield from _render(client, distributed, address, env, config, strict, pages, on_progress, catalogs)
            except (OSError, TimeoutError, asyncio.CancelledError) as exc:  # dask's calls besides the shards'
                raise _error(address, f"lost the cluster while rendering ({_reason(exc)}); build again when it is "
                                      "back, or without --scheduler") from None
        finally:
            with warnings.catch_warnings():  # a cluster going away while we close says so: already reported
                warnings.simplefilter("ignore")
                client.close()
    finally:
        logging.disable(silenced)


def _render(client: Any, distributed: Any, address: str, env: jinja2.Environment, config: SiteConfig, strict: bool,
            pages: list[Page], on_progress: Callable[[int, int], None] | None,
            catalogs: tuple[tuple[str, bytes], ...]) -> Iterator[tuple[str, bytes] | SourceError]:
    import dask

    build = uuid.uuid4().hex
    workers = len(client.scheduler_info(n_workers=-1)["workers"])
    # The kit is a task's result rather than scattered data: should every worker holding it die, dask makes it
    # again from the task, where scattered data would be lost with them.
    kit = client.submit(_same, RenderKit(build, config, strict, shipped(env.loader, env), catalogs),
                        key=f"dateline-kit-{build}", pure=False)
    patience = dask.config.get("distributed.scheduler.allowed-failures")  # tries after the first, as dask gives
    here: list[Page] = []  # pages too big to ship, rendered by this process while the workers render
    shards = enumerate(plan_shards(pages, env.article_views, workers, here))  # type: ignore[attr-defined]
    running = distributed.as_completed(loop=client.loop)
    sent: dict[str, tuple[int, bytes, Any]] = {}  # task -> its shard's number, bytes and scattered copy
    first_page: dict[int, str] = {}
    tries: dict[int, int] = {}
    errors: list[tuple[int, SourceError]] = []
    done = 0

    def send(index: int, packed: bytes) -> None:
        """The shard straight to a worker, then the task rendering it there: as the task's argument it would
        pass through the scheduler, whose one core serves the whole cluster (26 GB at 10 million articles)."""
        tries[index] = tries.get(index, 0) + 1
        for attempt in range(SEND_TRIES):
            try:
                data = client.scatter(packed, direct=True, hash=False)
                break
            except (OSError, TimeoutError):  # to a worker that just died, before the scheduler knew
                if attempt == SEND_TRIES - 1 or client.status != "running":
                    raise
                time.sleep(0.2 * (attempt + 1))
        future = client.submit(render_shard, kit, data, key=f"dateline-render-{build}-{index}-{tries[index]}",
                               pure=False)
        sent[future.key] = (index, packed, data)
        running.add(future)

    def send_next() -> None:
        index, shard = next(shards, (None, None))
        if shard is not None:
            first_page[index] = shard.pages[0][0]
            send(index, pack_shard(shard))

    def rendered(outcomes: list[tuple[str, bytes] | SourceError], index: int) -> Iterator[tuple[str, bytes]]:
        nonlocal done
        for outcome in outcomes:
            if isinstance(outcome, SourceError):
                errors.append((index, outcome))
            else:
                yield outcome
        done += len(outcomes)
        if on_progress:
            on_progress(done, len(pages))

    def render_here() -> Iterator[tuple[str, bytes]]:
        while here:
            yield from rendered(render_chunk(env, [here.pop(0)], write=_as_bytes), len(first_page))

    def died(index: int, detail: str = "") -> DatelineError:
        return _error(address, f"the workers running the pages from {first_page[index]} died, {tries[index]} in "
                               f"turn{detail}: see their logs (out of memory?)")

    for _ in range(max(1, workers) * IN_FLIGHT_PER_WORKER):
        send_next()
    try:
        yield from render_here()
        for future in running:
            index, packed, data = sent.pop(future.key)
            try:
                outcomes = future.result()
            except distributed.KilledWorker as exc:  # the shard reached other workers, which died too
                raise died(index, f" ({exc.last_worker.address} last)") from None
            except (distributed.client.FutureCancelledError, OSError, TimeoutError) as exc:
                if getattr(exc, "reason", "") == "scheduler-connection-lost" or client.status != "running":
                    raise _error(address, "lost the scheduler while rendering (the connection to it was lost); "
                                          "build again when it is back, or without --scheduler") from None
                # The worker holding the shard, or its pages, died (dask cannot make scattered data again): the
                # shard is sent anew, as dask runs a task again when its worker dies, as many times.
                if tries[index] > patience:
                    raise died(index) from None
                send(index, packed)
                continue
            except Exception as exc:  # raised by Dateline on a worker: a bug, said as one
                interrupt.stop_if_ctrl_c(exc)
                raise _error(address, f"rendering the pages from {first_page[index]} failed on a worker: "
                                      f"{_reason(exc)} (please report this)") from None
            future.release()
            data.release()
            send_next()
            yield from rendered(outcomes, index)
            yield from render_here()
    finally:
        client.cancel([*running.futures, kit])
    # In page order, as a local build meets them: the same message whichever shard came back first.
    yield from (error for _, error in sorted(errors, key=lambda pair: pair[0]))


def _same(kit: RenderKit) -> RenderKit:
    return kit


def _as_bytes(page: Page, data: bytes) -> bytes:
    return data


def _connect(address: str) -> tuple[Any, Any]:
    """A client of the scheduler at ADDRESS, with one worker at least, and the distributed module."""
    try:
        import dask
        import distributed
    except ImportError as exc:
        raise _error(address, f"building on a cluster needs dask.distributed, which is not installed here "
                              f"({exc.name} is missing): pip install 'dateline[cluster]'") from None
    timeout = dask.config.get("distributed.comm.timeouts.connect")
    try:
        with warnings.catch_warnings():  # versions are compared below, with a message saying what to do
            warnings.simplefilter("ignore")
            # Rendered pages come straight from the workers: through the scheduler (dask's default) they cost its
            # one core, which serves the whole cluster, 12 ms more per 788-page shard (docs/scaling.md).
            client = distributed.Client(address, timeout=timeout, set_as_default=False, direct_to_workers=True)
    except Exception as exc:  # refused, timed out, not a scheduler, TLS without certificates...
        interrupt.stop_if_ctrl_c(exc)
        raise _error(address, f"no dask scheduler answered there ({_reason(exc)}). {START_A_CLUSTER}") from None
    try:
        client.wait_for_workers(1, timeout=timeout)
    except (TimeoutError, OSError):
        client.close()
        raise _error(address, f"the scheduler has no workers (none joined within {timeout}): start some with "
                              f"`dask worker {address}`") from None
    return client, distributed


def _check_versions(client: Any, address: str) -> None:
    """Refuse a cluster whose scheduler or workers run other versions of dask's protocol, or whose workers
    would render other bytes (another Dateline, Jinja, MarkupSafe or Python)."""
    versions = client.get_versions()
    here = versions["client"]["packages"]
    differences = []
    for package in CLUSTER_PACKAGES:
        theirs = {"the scheduler": versions["scheduler"]["packages"].get(package)}
        theirs.update((f"worker {worker}", found["packages"].get(package))
                      for worker, found in sorted(versions["workers"].items()))
        differences += [f"{package} {version or 'missing'} on {where}, {here.get(package)} here"
                        for where, version in theirs.items() if version != here.get(package)]
    if differences:
        raise _error(address, f"the cluster runs other versions than this machine ({'; '.join(differences[:4])}"
                              f"{'; ...' if len(differences) > 4 else ''}): install the same versions of Python, "
                              "dask and distributed on the scheduler, the workers and here (pip install "
                              "'dateline[cluster]' in the same environment everywhere), then restart them")
    try:
        found = client.run(identity)
    except Exception as exc:  # the workers cannot import Dateline (run() sends the function by name)
        interrupt.stop_if_ctrl_c(exc)
        raise _error(address, f"the workers cannot run Dateline ({_reason(exc)}): install this Dateline on each "
                              "worker (pip install 'dateline[cluster]'), then restart them") from None
    ours = identity()
    for worker, theirs in sorted(found.items()):
        for what, value in ours.items():
            if theirs.get(what) != value:
                shown = "differs" if what == "Dateline's code" else f"is {theirs.get(what)} there, {value} here"
                raise _error(address, f"worker {worker} would render other pages: {what} {shown}. Install the same "
                                      "Dateline and dependencies on every worker as here, then restart them")


def _reason(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _error(address: str, message: str) -> DatelineError:
    # "--scheduler ADDRESS: ...": the address as typed (as a Path, "tcp://h" would print as "tcp:/h")
    return DatelineError(SourceError(Path("--scheduler"), f"{address}: {message}"))
