"""What a cluster build sends its workers and what they do with it (dateline/cluster.py sends it).

A shard is consecutive pages with everything their rendering reads: each page's data, pickled with the
articles it shows as references, and those articles' views; the kit, shared by every shard of a build, holds
the site's settings and the text of every template. A worker needs no disk of the site's, and a shard is a
pure function of what it carries, so running it again (dask does, on another worker, when one dies) gives
the same bytes. docs/scaling.md explains the choices and measures them.
"""

from __future__ import annotations

import io
import math
import pickle
import shutil
import sys
import tempfile
import threading
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from dateline.config import SiteConfig
from dateline.errors import SourceError
from dateline.i18n import SITE_LOCALES
from dateline.incremental.snapshot import _view_reference, unpack_context  # the snapshot's form of a page
from dateline.pages import Page, Placement
from dateline.render import make_environment, render_chunk
from dateline.views import ArticleView

SHARDS_PER_WORKER = 8  # enough to even out slow shards and a worker lost near the end
MIN_SHARD_PAGES = 10  # below this a task's overhead on the scheduler outweighs its rendering
MAX_SHARD_PAGES = 2000  # the rendered bytes a worker holds for one shard: about 27 MB
SHIPPED_VIEWS = 2000  # articles a page may show and still be shipped (a list page shows 20, a feed 20 or so)


@dataclass(frozen=True)
class RenderKit:
    """What every shard of one build renders with: the site's settings and templates (sent once per worker)."""

    build: str  # this build's name: a worker keeps one Environment per build, and its {% cached %} fragments
    config: SiteConfig
    strict: bool
    loader: jinja2.BaseLoader  # the site's and the theme's templates, as text (ShippedLoader)
    catalogs: tuple[tuple[str, bytes], ...] = ()  # the site's own locales/*.po (i18n.site_catalogs), as bytes


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
            return _view_reference, (obj.url,)  # what the snapshot's pages hold: unpack_context reads both
        return NotImplemented


def _pack_page(context: dict[str, Any], views: dict[str, ArticleView]) -> tuple[bytes, dict[str, ArticleView]]:
    stream = io.BytesIO()
    pickler = _PagePickler(stream, views)
    pickler.dump(context)
    return stream.getvalue(), pickler.shown


def pack_shard(shard: Shard) -> bytes:
    """SHARD as the bytes a worker receives: pickled, and compressed at zlib's fastest level (a shard of 788
    pages of the Reuters site goes from 2.4 MB to 0.73 MB: docs/scaling.md)."""
    return zlib.compress(pickle.dumps(shard, protocol=pickle.HIGHEST_PROTOCOL), 1)


# -- on a worker ------------------------------------------------------------------------------------------

_ENVIRONMENTS: dict[tuple[str, int], jinja2.Environment] = {}  # (build, thread) -> its Environment


def render_shard(kit: RenderKit, packed: bytes) -> list[tuple[str, bytes] | SourceError]:
    """Run on a worker: the pages of the PACKED Shard (pack_shard) rendered to bytes (or the error of their
    template), in order."""
    shard: Shard = pickle.loads(zlib.decompress(packed))
    env = _environment(kit)
    env.article_views = shard.views  # type: ignore[attr-defined]
    pages = [Page(path, template, unpack_context(data, shard.views), source, root_relative)
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
            shutil.rmtree(_site_folder(*other), ignore_errors=True)
        env = make_environment(_with_catalogs(_site_folder(*key), kit.catalogs), kit.config, strict=kit.strict)
        env.loader = kit.loader
        _ENVIRONMENTS[key] = env
    return env


def _site_folder(build: str, thread: int) -> Path:
    return Path(tempfile.gettempdir()) / f"dateline-site-{build}-{thread}"


def _with_catalogs(folder: Path, catalogs: tuple[tuple[str, bytes], ...]) -> Path:
    """FOLDER as a site holding only CATALOGS in its locales/, where i18n reads a site's catalogs (the worker's
    Environment reads them for each language it renders); one folder per thread, none written while read."""
    if catalogs:
        (folder / SITE_LOCALES).mkdir(parents=True, exist_ok=True)
        for name, text in catalogs:
            (folder / SITE_LOCALES / Path(name).name).write_bytes(text)
    return folder


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
