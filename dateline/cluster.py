"""The render stage on a dask.distributed cluster (`build --scheduler tcp://HOST:PORT`).

Pages go to the workers in shards that carry everything their rendering reads (the templates' text, the
site's settings, each page's data and the views of the articles it shows), so a worker needs no disk of the
site's; the rendered bytes come back and are written here, into the twin tree a local build writes, so that
the atomic swap (dateline/incremental/trees.py) stays the only way output appears. A shard is a pure
function of what it carries: a worker that dies is replaced by dask running its shards again elsewhere,
with the same bytes. docs/scaling.md explains the design and measures it.

Nothing here imports dask until a build asks for a cluster: `build` and `serve` without --scheduler never load it.
"""

from __future__ import annotations

import importlib.util
import io
import logging
import math
import pickle
import socket
import sys
import threading
import uuid
import warnings
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2

from dateline.config import SiteConfig
from dateline.errors import DatelineError, SourceError
from dateline.pages import Page, Placement
from dateline.render import make_environment, render_chunk
from dateline.views import ArticleView

SCHEMES = ("tcp", "tls")  # dask's network protocols (tls takes its certificates from dask's configuration)
SHARDS_PER_WORKER = 8  # enough to even out slow shards and a worker lost near the end
MIN_SHARD_PAGES = 10  # below this a task's overhead on the scheduler outweighs its rendering
MAX_SHARD_PAGES = 2000  # the rendered bytes a worker holds for one shard: about 20 MB
PROBE_TIMEOUT = 10  # seconds to wait for the scheduler's port to answer at all
START_A_CLUSTER = ("Start a scheduler with `dask scheduler` (it prints its address) and workers with `dask worker "
                   "ADDRESS`, or build without --scheduler")
SHIPPED_VIEWS = 2000  # articles a page may show and still be shipped (a list page shows 20, a feed 20 or so)
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


@dataclass(frozen=True)
class RenderKit:
    """What every shard of one build renders with: the site's settings and templates (sent once per worker)."""

    build: str  # this build's name: a worker keeps one Environment per build, and its {% cached %} fragments
    config: SiteConfig
    strict: bool
    loader: jinja2.BaseLoader  # the site's and the theme's templates, as text (ShippedLoader)


@dataclass(frozen=True)
class Shard:
    """Pages to render, each as (path, template, source, root_relative_links, data with articles by reference),
    and the views of the articles they reference."""

    pages: tuple[tuple[str, str, str, bool, bytes], ...]
    views: dict[str, ArticleView]


class ShippedLoader(jinja2.BaseLoader):
    """A folder of templates as text: what a FileSystemLoader would find, with the file names of this machine
    (so a template's error names the file the editor has), and the other names it answers to."""

    def __init__(self, sources: dict[str, tuple[str, str | None]], aliases: dict[str, str]) -> None:
        self.sources = sources
        self.aliases = aliases

    def get_source(self, environment: jinja2.Environment, template: str):
        name = self.aliases.get(template, template)
        if name not in self.sources:
            raise jinja2.TemplateNotFound(template)
        source, filename = self.sources[name]
        return source, filename, lambda: True

    def list_templates(self) -> list[str]:
        return sorted(self.sources)


def shipped(loader: jinja2.BaseLoader | None, env: jinja2.Environment) -> jinja2.BaseLoader:
    """LOADER (render.make_environment's) with every template read into memory, looked up in the same order."""
    if isinstance(loader, jinja2.ChoiceLoader):
        return jinja2.ChoiceLoader([shipped(inner, env) for inner in loader.loaders])
    if isinstance(loader, jinja2.PrefixLoader):
        return jinja2.PrefixLoader({prefix: shipped(inner, env) for prefix, inner in loader.mapping.items()},
                                   loader.delimiter)
    if isinstance(loader, jinja2.FileSystemLoader):
        sources = {}
        for name in loader.list_templates():
            try:  # the folder's own lookup (FileSystemLoader's), without a subclass's renaming: that is the aliases
                source, filename, _ = jinja2.FileSystemLoader.get_source(loader, env, name)
            except UnicodeDecodeError:  # not text, so no template (an image beside them)
                continue
            sources[name] = (source, filename)
        # render._ThemeLoader's former names of the theme's templates
        return ShippedLoader(sources, dict(getattr(loader, "FORMER_NAMES", {})))
    raise TypeError(f"cannot send templates found by a {type(loader).__name__} to a cluster")


def plan_shards(pages: Sequence[Page], views: dict[str, ArticleView], workers: int,
                here: list[Page]) -> Iterator[Shard]:
    """PAGES in shards of consecutive pages, SHARDS_PER_WORKER per worker within the size bounds; each shard
    with exactly the views its pages show (made as they are submitted, to keep few in memory at once). A page
    showing more than SHIPPED_VIEWS articles goes to HERE instead: shipping it would send the whole archive's
    views to one worker, while this machine holds them already."""
    size = min(MAX_SHARD_PAGES, max(MIN_SHARD_PAGES, math.ceil(len(pages) / (max(1, workers) * SHARDS_PER_WORKER))))
    for start in range(0, len(pages), size):
        packed = []
        shown: dict[str, ArticleView] = {}
        for page in pages[start:start + size]:
            data, page_views = _pack_page(page.context, views)
            if len(page_views) > SHIPPED_VIEWS:
                here.append(page)
                continue
            packed.append((page.path, page.template, page.source, page.root_relative_links, data))
            shown.update(page_views)
        if packed:
            yield Shard(tuple(packed), shown)


class _PagePickler(pickle.Pickler):
    """A page's data pickled with each article it shows as a reference to its view, which the shard carries
    once: named by its Placement (a full build's pages), or its view already (an edit's, from the snapshot)."""

    def __init__(self, stream: io.BytesIO, views: dict[str, ArticleView]) -> None:
        super().__init__(stream, protocol=pickle.HIGHEST_PROTOCOL)
        self.views = views
        self.shown: dict[str, ArticleView] = {}

    def reducer_override(self, obj: Any) -> Any:
        kind = type(obj)
        if kind is Placement or kind is ArticleView:
            self.shown[obj.url] = self.views[obj.url] if kind is Placement else obj
            return _shown_view, (obj.url,)
        return NotImplemented


class _PageLoader(pickle.Unpickler):
    def __init__(self, data: bytes, views: dict[str, ArticleView]) -> None:
        super().__init__(io.BytesIO(data))
        self.views = views

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == "_shown_view":
            return self.views.__getitem__
        return super().find_class(module, name)


def _shown_view(url: str) -> ArticleView:  # pragma: no cover - replaced when a page is unpacked (_PageLoader)
    raise RuntimeError(f"article {url} was not sent with the shard")


def _pack_page(context: dict[str, Any], views: dict[str, ArticleView]) -> tuple[bytes, dict[str, ArticleView]]:
    stream = io.BytesIO()
    pickler = _PagePickler(stream, views)
    pickler.dump(context)
    return stream.getvalue(), pickler.shown


def pack_shard(shard: Shard) -> bytes:
    """SHARD as the bytes a worker receives: pickled, and compressed at zlib's fastest level (the page data and
    views shrink about fivefold, for 11 ms of this process per 788-page shard: docs/scaling.md)."""
    return zlib.compress(pickle.dumps(shard, protocol=pickle.HIGHEST_PROTOCOL), 1)


# -- on a worker ------------------------------------------------------------------------------------------

_ENVIRONMENTS: dict[tuple[str, int], jinja2.Environment] = {}  # (build, thread) -> its Environment


def render_shard(kit: RenderKit, packed: bytes) -> list[tuple[str, bytes] | SourceError]:
    """Run on a worker: the pages of the PACKED Shard rendered to bytes (or the error of their template), in order.

    The shard travels pickled, as bytes: the scheduler passes bytes on without looking, where it would unpickle
    and pickle again every view and page of a shard given as objects (84 ms of its one core for a shard of 788
    pages, against 3 ms as bytes: docs/scaling.md)."""
    shard: Shard = pickle.loads(zlib.decompress(packed))
    env = _environment(kit)
    env.article_views = shard.views  # type: ignore[attr-defined]
    pages = [Page(path, template, _PageLoader(data, shard.views).load(), source, root_relative)
             for path, template, source, root_relative, data in shard.pages]
    return render_chunk(env, pages, write=_as_bytes)


def _as_bytes(page: Page, data: bytes) -> bytes:
    return data


def _environment(kit: RenderKit) -> jinja2.Environment:
    """This build's Environment in this thread of the worker (an Environment renders one page at a time), made
    once: the teasers ({% cached %}) it renders for one shard serve the next. Other builds' are dropped."""
    key = (kit.build, threading.get_ident())
    env = _ENVIRONMENTS.get(key)
    if env is None:
        for other in [k for k in _ENVIRONMENTS if k[1] == key[1]]:
            del _ENVIRONMENTS[other]
        env = make_environment(Path(f"/nonexistent-dateline-site-{kit.build}"), kit.config, strict=kit.strict)
        env.loader = kit.loader
        _ENVIRONMENTS[key] = env
    return env


def identity() -> dict[str, str]:
    """What a machine renders with besides the templates: Dateline's code, Jinja, MarkupSafe and Python."""
    import hashlib
    from importlib.metadata import version

    from dateline.incremental.fingerprints import PACKAGE_DIR

    hasher = hashlib.blake2b(digest_size=16)
    for path in sorted(p for p in PACKAGE_DIR.rglob("*") if p.suffix in {".py", ".yaml", ".json"} and p.is_file()):
        hasher.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        hasher.update(path.read_bytes())
    return {"Dateline's code": hasher.hexdigest(), "jinja2": version("jinja2"), "markupsafe": version("markupsafe"),
            "python": ".".join(map(str, sys.version_info[:3]))}


# -- on this machine --------------------------------------------------------------------------------------

def render_on_cluster(address: str, env: jinja2.Environment, config: SiteConfig, strict: bool, pages: list[Page],
                      on_progress: Callable[[int, int], None] | None = None,
                      ) -> Iterator[tuple[str, bytes] | SourceError]:
    """PAGES rendered by the workers of the scheduler at ADDRESS, with ENV's templates and article views: yields
    (site path, bytes) as shards come back, then the templates' errors in page order. Raises DatelineError
    when the cluster cannot be reached or cannot finish (after dask has retried what dying workers held)."""
    if not pages:
        return
    # dask logs what goes wrong on the cluster, with tracebacks, on the terminal: what it means for the build is
    # said below (or dask retried it and it did not matter), in the build's own words.
    silenced = logging.root.manager.disable
    logging.disable(logging.CRITICAL)  # Dateline itself logs nothing
    try:
        client, distributed = _connect(address)
        try:
            _check_versions(client, address)
            yield from _render(client, distributed, address, env, config, strict, pages, on_progress)
        finally:
            with warnings.catch_warnings():  # a cluster going away while we close says so: already reported
                warnings.simplefilter("ignore")
                client.close()
    finally:
        logging.disable(silenced)


def _render(client: Any, distributed: Any, address: str, env: jinja2.Environment, config: SiteConfig, strict: bool,
            pages: list[Page], on_progress: Callable[[int, int], None] | None,
            ) -> Iterator[tuple[str, bytes] | SourceError]:
    build = uuid.uuid4().hex
    workers = len(client.scheduler_info(n_workers=-1)["workers"])
    # The kit is a task's result rather than scattered data: should every worker holding it die, dask makes it
    # again from the task, where scattered data would be lost with them.
    kit = client.submit(_same, RenderKit(build, config, strict, shipped(env.loader, env)),
                        key=f"dateline-kit-{build}", pure=False)
    here: list[Page] = []  # pages too big to ship, rendered by this process while the workers render
    shards = enumerate(plan_shards(pages, env.article_views, workers, here))  # type: ignore[attr-defined]
    running = distributed.as_completed(loop=client.loop)
    first_page: dict[str, str] = {}
    shard_of: dict[str, int] = {}
    errors: list[tuple[int, SourceError]] = []
    done = 0

    def submit_next() -> None:
        index, shard = next(shards, (None, None))
        if shard is None:
            return
        with warnings.catch_warnings():  # "large graph": known, and bounded by the shards in flight
            warnings.simplefilter("ignore", UserWarning)
            future = client.submit(render_shard, kit, pack_shard(shard),
                                   key=f"dateline-render-{build}-{index}", pure=False)
        shard_of[future.key], first_page[future.key] = index, shard.pages[0][0]
        running.add(future)

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
            yield from rendered(render_chunk(env, [here.pop(0)], write=_as_bytes), len(shard_of))

    for _ in range(max(1, workers) * IN_FLIGHT_PER_WORKER):
        submit_next()
    try:
        yield from render_here()
        for future in running:
            try:
                outcomes = future.result()
            except distributed.KilledWorker as exc:
                raise _error(address, f"the workers running the pages from {first_page[future.key]} died, "
                                      f"{exc.allowed_failures + 1} in turn ({exc.last_worker.address} last): "
                                      "see their logs (out of memory?)") from None
            except (OSError, TimeoutError, distributed.client.FutureCancelledError) as exc:
                why = "the connection to it was lost" if isinstance(exc, distributed.client.FutureCancelledError) \
                    else _reason(exc)
                raise _error(address, f"lost the scheduler while rendering ({why}); build again when it is back, "
                                      "or without --scheduler") from None
            except Exception as exc:  # raised by Dateline on a worker: a bug, said as one
                raise _error(address, f"rendering the pages from {first_page[future.key]} failed on a worker: "
                                      f"{_reason(exc)} (please report this)") from None
            future.release()
            submit_next()
            yield from rendered(outcomes, shard_of[future.key])
            yield from render_here()
    finally:
        client.cancel([*running.futures, kit])
    # In page order, as a local build meets them: the same message whichever shard came back first.
    yield from (error for _, error in sorted(errors, key=lambda pair: pair[0]))


def _same(kit: RenderKit) -> RenderKit:
    return kit


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
            # Rendered pages come straight from the workers: through the scheduler (dask's default) they took 40 ms
            # of its one core per shard, which would bound the whole cluster's pace (docs/scaling.md).
            client = distributed.Client(address, timeout=timeout, set_as_default=False, direct_to_workers=True)
    except Exception as exc:  # refused, timed out, not a scheduler, TLS without certificates...
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
