"""The build, start to end: config -> articles -> taxonomies -> pages -> output; every command calls it."""

from __future__ import annotations

import functools
import hashlib
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from dateline.cache import ArticleCache, cache_dir, load_keyed, save_keyed
from dateline.config import load_config
from dateline.content import load_articles, scan_article_files
from dateline.errors import DatelineError, SourceError
from dateline.fingerprint import TemplateVersions, code_version, digest, freeze
from dateline.model import Article, Site, Taxonomy
from dateline.output import OutputTrees
from dateline.pages import Page, site_pages, sitemap_page
from dateline.parallel import map_chunks
from dateline.render import THEME_DIR, make_environment, render_chunk, template_dirs
from dateline.taxonomy import build_taxonomies, related_articles


@dataclass(frozen=True)
class BuildResult:
    output: Path
    articles: int
    files: int  # files the site consists of
    written: int  # files rendered or copied this time (0 when nothing changed)
    warnings: list[SourceError]
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage


def build_site(site_dir: Path, output: Path | None = None, *, drafts: bool = False, base_url: str | None = None,
               published_before: datetime | None = None, strict: bool = False,
               on_stage: Callable[[str, float], None] | None = None,
               after_render: Callable[[Path], None] | None = None,
               progress: Callable[[str, int, int], None] | None = None) -> BuildResult:
    """Build SITE_DIR into OUTPUT (default SITE_DIR/output); raise DatelineError listing every problem.

    Only pages whose content changed are rendered and written; the previous output stays untouched
    unless the whole build succeeds, and then the new site replaces it in one atomic step.
    STRICT makes a template's use of an undefined variable an error (for checks); a strict build
    renders every page once, since pages rendered leniently before may hide such a use.
    AFTER_RENDER, when given, is called with the complete new tree just before it is swapped in (only when
    something changed), so files made from the pages (a search index) go live together with them.
    """
    site_dir = site_dir.resolve()
    output = (output or site_dir / "output").resolve()
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def stage_done(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now
        if on_stage:
            on_stage(name, timings[name])

    config = load_config(site_dir, base_url=base_url)
    cache_root = cache_dir(site_dir)

    def build_locked() -> BuildResult:
        trees = OutputTrees(output, cache_root)
        scan = scan_article_files(site_dir)
        static_files = _static_files(site_dir)
        signature = digest(code_version(), repr(config), drafts, published_before, strict,
                           [(key, ArticleCache.signature(stat)) for _, key, stat in scan],
                           _file_signatures([*template_dirs(site_dir), *static_files.values()]))
        if trees.built_from(signature):  # nothing changed since output/ was built
            stage_done("check")
            warnings = [SourceError(Path(p), m, line) for p, m, line in trees.previous_warnings()]
            return BuildResult(output, trees.article_count(), trees.file_count(), 0, warnings, timings)
        article_cache = ArticleCache(cache_root / "articles",
                                     digest(code_version(), config.timezone, config.trust_html))
        articles, warnings = load_articles(site_dir, config, drafts=drafts, cache=article_cache, scan=scan,
                                           published_before=published_before,
                                           on_progress=_labelled(progress, "Reading articles"))
        article_cache.save()
        stage_done("load")
        taxonomies = build_taxonomies(articles)
        site = Site(config=config, site_dir=site_dir, articles=tuple(articles), taxonomies=taxonomies,
                    related=_related(cache_root, articles, taxonomies, config.related_articles))
        pages = list(site_pages(site, now=published_before))
        pages.append(sitemap_page(site, [p.path for p in pages if p.path.endswith(".html")]))
        stage_done("pages")

        env = make_environment(site_dir, config, strict=strict)
        template_version = TemplateVersions(env)
        site_version = digest(code_version(), repr(config), strict)
        by_path: dict[str, Page] = {}
        for page in pages:
            trees.add(page.path, digest(site_version, template_version(page.template), page.path,
                                        page.root_relative_links, freeze(page.context)), page.source)
            by_path[page.path] = page
        for site_path, source in static_files.items():
            trees.add(site_path, hashlib.blake2b(source.read_bytes(), digest_size=16).hexdigest(), str(source))
        stage_done("plan")

        trees.set_inputs({"signature": signature, "articles": len(articles),
                          "warnings": [[str(w.path), w.message, w.line] for w in warnings]})
        if trees.unchanged():
            trees.record_inputs()
            return BuildResult(output, len(articles), len(by_path) + len(static_files), 0, warnings, timings)
        to_render = trees.to_render()
        to_render += trees.prepare()
        errors: list[SourceError] = []
        pages_to_render = [by_path[p] for p in to_render if p in by_path]
        written = 0
        render = functools.partial(render_chunk, env, write=functools.partial(_write_page, trees))
        for outcome in map_chunks(render, pages_to_render, min_items=300,
                                  on_progress=_labelled(progress, "Rendering pages")):
            if isinstance(outcome, SourceError):
                # one message per broken template line, whichever page and chunk met it first
                if (outcome.path, outcome.line) not in {(e.path, e.line) for e in errors}:
                    errors.append(outcome)
            else:
                site_path, (size, changed) = outcome
                trees.record_written(site_path, size)
                written += changed
        for site_path in to_render:
            if site_path in static_files:
                data = static_files[site_path].read_bytes()
                written += trees.write(site_path, data)
                trees.record_written(site_path, len(data))
        if errors:
            trees.save()
            raise DatelineError(errors)
        stage_done("render")
        if after_render is not None:
            after_render(trees.next)
            stage_done("after_render")
        trees.commit()
        stage_done("write")
        return BuildResult(output, len(articles), len(by_path) + len(static_files), written, warnings, timings)

    try:
        with _build_lock(cache_root):
            return build_locked()
    except OSError as exc:  # a full disk, a read-only folder...: say where, never a traceback
        where = Path(exc.filename) if exc.filename else output
        raise DatelineError(SourceError(where, f"cannot write: {exc.strerror or exc}; "
                                               "the published output was left as it was")) from None


def _labelled(progress: Callable[[str, int, int], None] | None, label: str) -> Callable[[int, int], None] | None:
    return functools.partial(progress, label) if progress else None


def _related(cache_root: Path, articles: list[Article], taxonomies: tuple[Taxonomy, ...],
             limit: int) -> dict[str, tuple[str, ...]]:
    """Related articles, recomputed only when the site's structure changed (not for an edited body)."""
    structure = digest(limit, [a.url for a in articles],
                       [(t.name, term.slug, term.article_urls) for t in taxonomies for term in t.terms])
    path = cache_root / "related.pickle"
    related = load_keyed(path, structure)
    if related is None:
        related = related_articles(articles, taxonomies, limit)
        save_keyed(path, structure, related)
    return related


def _file_signatures(paths: list[Path]) -> list[tuple[str, int, int]]:
    """(path, mtime, size) of every file in PATHS (folders are walked): any edit changes the list."""
    signatures = []
    for path in paths:
        for file in sorted(path.rglob("*")) if path.is_dir() else [path]:
            try:
                stat = file.stat()
            except OSError:
                continue
            signatures.append((str(file), stat.st_mtime_ns, stat.st_size))
    return signatures


def _write_page(trees: OutputTrees, page: Page, data: bytes) -> tuple[int, bool]:
    return len(data), trees.write(page.path, data)


def _static_files(site_dir: Path) -> dict[str, Path]:
    """static/ of the theme, then of the site: a site's file replaces the theme's file of the same name."""
    files: dict[str, Path] = {}
    for folder in (THEME_DIR / "static", site_dir / "static"):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink() and not any(p.startswith(".") for p in
                                                                     path.relative_to(folder).parts):
                files[f"static/{path.relative_to(folder).as_posix()}"] = path
    return files


@contextmanager
def _build_lock(cache_root: Path):
    """One build at a time per site (an editor's build and the preview server may overlap)."""
    cache_root.mkdir(parents=True, exist_ok=True)
    with open(cache_root / "build.lock", "w") as handle:
        try:
            import fcntl
        except ImportError:  # Windows: no advisory locks; builds simply must not overlap
            yield
            return
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


