"""The build, start to end: config -> articles -> taxonomies -> pages -> output; every command calls it."""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from dateline.cache import ArticleCache, cache_dir, load_keyed, save_keyed
from dateline.config import SiteConfig, load_config
from dateline.content import ScannedFile, is_published, load_articles, parse_article_file, scan_article_files
from dateline.errors import DatelineError, SourceError
from dateline.fingerprint import TemplateVersions, code_version, digest
from dateline.model import Article, Site, Taxonomy
from dateline.output import OutputTrees
from dateline.pages import SHOW_EACH_ARTICLE_ONCE, Page, site_pages, sitemap_page
from dateline.parallel import in_background, in_workers, map_chunks, worker_count, young_collections_only
from dateline.render import (
    THEME_DIR,
    add_fragments,
    make_environment,
    record_fragments,
    recorded_fragments,
    render_chunk,
    template_dirs,
)
from dateline.snapshot import (
    BuildSnapshot,
    FileRecord,
    SnapshotReader,
    StaleSnapshot,
    StoredPage,
    pack_context,
    page_fingerprint,
    placement,
    unpack_context,
)
from dateline.taxonomy import build_taxonomies, related_articles_in_background
from dateline.views import ArticleView, article_view, article_views

RENDER_IN_WORKERS = 300  # pages: fewer render faster in this process than forking workers for them


@dataclass(frozen=True)
class BuildResult:
    output: Path
    articles: int
    files: int  # files the site consists of
    written: int  # files rendered or copied this time (0 when nothing changed)
    warnings: list[SourceError]
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    edited_only: bool = False  # only the pages showing edited articles were rebuilt (see snapshot.py)


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
        environment = digest(code_version(), repr(config), drafts, published_before, strict,
                             _file_signatures([*template_dirs(site_dir), *static_files.values()]))
        signature = digest(environment, [(key, ArticleCache.signature(stat)) for _, key, stat in scan])
        if trees.built_from(signature):  # nothing changed since output/ was built
            stage_done("check")
            warnings = [SourceError(Path(p), m, line) for p, m, line in trees.previous_warnings()]
            return BuildResult(output, trees.article_count(), trees.file_count(), 0, warnings, timings)
        snapshot = BuildSnapshot.for_output(cache_root, output)

        def start(trees: OutputTrees) -> _Build:
            return _Build(site_dir, cache_root, config, trees, static_files, strict, after_render, progress,
                          stage_done)

        build = start(trees)
        edited = _edited_articles(snapshot, build.trees, scan, environment, config, drafts, published_before)
        if edited is not None:
            reader, records, articles = edited
            try:
                written = build.rebuild_edited(reader, records, articles, signature)
            except StaleSnapshot:  # it lacked what it should hold: a full build, planned afresh
                build = start(OutputTrees(output, cache_root))
            else:
                warnings = [SourceError(Path(p), m, line) for p, m, line in build.trees.previous_warnings()]
                return BuildResult(output, build.trees.article_count(), build.trees.file_count(), written,
                                   warnings, timings, edited_only=True)
            finally:
                reader.close()
        return build.everything(snapshot, scan, signature, environment, drafts=drafts,
                                published_before=published_before, timings=timings)

    try:
        with _build_lock(cache_root), young_collections_only():
            return build_locked()
    except OSError as exc:  # a full disk, a read-only folder...: say where, never a traceback
        where = Path(exc.filename) if exc.filename else output
        raise DatelineError(SourceError(where, f"cannot write: {exc.strerror or exc}; "
                                               "the published output was left as it was")) from None


@dataclass
class _Build:
    """The stages a full build and an edit's rebuild share: fingerprints, rendering, the swap."""

    site_dir: Path
    cache_root: Path
    config: SiteConfig
    trees: OutputTrees
    static_files: dict[str, Path]
    strict: bool
    after_render: Callable[[Path], None] | None
    progress: Callable[[str, int, int], None] | None
    stage_done: Callable[[str], None]

    def __post_init__(self) -> None:
        self.env = make_environment(self.site_dir, self.config, strict=self.strict)
        # Compiled templates are kept between builds, as are their dependencies. Jinja keys them by their
        # source only, but what they compile to also depends on our extensions: one folder per code version.
        compiled = self.cache_root / "templates" / code_version()
        if not compiled.is_dir():
            shutil.rmtree(compiled.parent, ignore_errors=True)  # another version's
            compiled.mkdir(parents=True)
        self.env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(compiled))
        self._template_version = TemplateVersions(self.env, self.cache_root / "template-versions.pickle")
        self._site_version = digest(code_version(), repr(self.config), self.strict)

    def fingerprint(self, page: StoredPage, views: dict[str, ArticleView]) -> str:
        """PAGE's fingerprint showing VIEWS (for an edit's rebuild: the stored data with the new articles)."""
        version = self._page_version(page.template, page.path, page.root_relative_links)
        return page_fingerprint(version, page.data, page.refs, views)

    def _page_version(self, template: str, path: str, root_relative_links: bool) -> str:
        return digest(self._site_version, self._template_version(template), path, root_relative_links)

    def pack(self, pages: list[Page], views: dict[str, ArticleView]) -> list[StoredPage]:
        """PAGES as the snapshot keeps them, with their fingerprints."""
        stored = []
        for page in pages:
            data, refs = pack_context(page.context)
            fingerprint = page_fingerprint(self._page_version(page.template, page.path, page.root_relative_links),
                                           data, refs, views)
            stored.append(StoredPage(page.path, page.template, page.source, page.root_relative_links, data, refs,
                                     fingerprint))
        self._template_version.save()
        return stored

    def plan(self, pages: list[Page], views: dict[str, ArticleView]) -> list[StoredPage]:
        """Declare every file of the new site with its fingerprint; return the pages as the snapshot keeps them."""
        stored = self.pack(pages, views)
        for page in stored:
            self.trees.add(page.path, page.fingerprint, page.source)
        self._add_static_files()
        self.stage_done("plan")
        return stored

    def declare(self, pages: list[Page]) -> list[StoredPage]:
        """Declare every file of the new site, the pages' fingerprints to follow (trees.set_fingerprints)."""
        for page in pages:
            self.trees.add(page.path, "", page.source)
        self._add_static_files()
        self.stage_done("plan")
        return []

    def _add_static_files(self) -> None:
        for site_path, source in self.static_files.items():
            self.trees.add(site_path, hashlib.blake2b(source.read_bytes(), digest_size=16).hexdigest(), str(source))

    def render_and_commit(self, pages: list[Page], more_pages: Callable[[list[str]], list[Page]] | None = None,
                          before_commit: Callable[[], None] | None = None, busy_cores: int = 0) -> int:
        """Render what changed into the twin tree and swap it in; return the number of files written.

        MORE_PAGES gives the pages of paths that must be rendered but are not in PAGES (files lost from output/).
        BEFORE_COMMIT runs once everything is rendered, just before the swap. BUSY_CORES: see render_pages.
        """
        trees = self.trees
        if trees.unchanged():
            trees.record_inputs()
            return 0
        to_render = trees.to_render()
        to_render += trees.prepare()
        by_path = {page.path: page for page in pages}
        missing = [p for p in to_render if p not in by_path and p not in self.static_files]
        if missing and more_pages is not None:
            by_path.update((page.path, page) for page in more_pages(missing))
        errors: list[SourceError] = []
        written = 0
        for outcome in self.render_pages([by_path[p] for p in to_render if p in by_path], busy_cores):
            if isinstance(outcome, SourceError):
                # one message per broken template line, whichever page and chunk met it first
                if (outcome.path, outcome.line) not in {(e.path, e.line) for e in errors}:
                    errors.append(outcome)
            else:
                site_path, (size, changed) = outcome
                trees.record_written(site_path, size)
                written += changed
        for site_path in to_render:
            if site_path in self.static_files:
                data = self.static_files[site_path].read_bytes()
                written += trees.write(site_path, data)
                trees.record_written(site_path, len(data))
        if errors:
            trees.save()
            raise DatelineError(errors)
        self.stage_done("render")
        if self.after_render is not None:
            self.after_render(trees.next)
            self.stage_done("after_render")
        if before_commit is not None:
            before_commit()
        trees.commit()
        self.stage_done("write")
        return written

    def render_pages(self, pages: list[Page], busy_cores: int = 0,
                     ) -> Iterator[tuple[str, tuple[int, bool]] | SourceError]:
        """Render PAGES into the twin over the machine's cores, yielding render_chunk's outcomes.

        Worker processes share no memory, so each would render for itself every teaser its pages show.
        When they render, it is in two rounds: the first round's pages (the front page's and the days',
        which show each article once) record every teaser, and the second round's workers are forked with
        all of them. The first round runs in workers too when it is large enough, and they send back the
        fragments they record. It leaves BUSY_CORES to the process that started with it (the snapshot
        saver): on two cores it then renders in this process. More processes than cores would finish no
        sooner, and each copies the memory of the parent's that it touches (65 MiB at 19,043 articles).
        """
        def rendered(chosen: list[Page], write: Callable[[Page, bytes], Any], before: int,
                     workers: int | None = None) -> list:
            render = functools.partial(render_chunk, self.env, write=write)
            return map_chunks(render, chosen, min_items=RENDER_IN_WORKERS, workers=workers,
                              on_progress=_progress_from(self.progress, before, len(pages)))

        def write_sharing(page: Page, data: bytes) -> tuple[tuple[int, bool], dict]:
            return _write_page(self.trees, page, data), recorded_fragments(self.env)

        write = functools.partial(_write_page, self.trees)
        if not in_workers(len(pages), RENDER_IN_WORKERS):  # one process: every fragment is at hand anyway
            yield from rendered(pages, write, 0)
            return
        first = [page for page in pages if page.template in SHOW_EACH_ARTICLE_ONCE]
        rest = [page for page in pages if page.template not in SHOW_EACH_ARTICLE_ONCE]
        record_fragments(self.env)  # in the workers forked now (in this process they are just added again)
        for outcome in rendered(first, write_sharing, 0, workers=max(1, worker_count() - busy_cores)):
            if not isinstance(outcome, SourceError):
                site_path, (written, fragments) = outcome
                add_fragments(self.env, fragments)
                outcome = site_path, written
            yield outcome
        yield from rendered(rest, write, len(first))

    def everything(self, snapshot: BuildSnapshot, scan: list[ScannedFile], signature: str, environment: str, *,
                   drafts: bool, published_before: datetime | None, timings: dict[str, float]) -> BuildResult:
        """A full build: every article read (from the cache where it can be), every page planned, the
        changed ones rendered; the snapshot written for the next edit."""
        config = self.config
        snapshot.forget()  # describes output/ only until output/ changes; rewritten below
        article_cache = ArticleCache(self.cache_root / "articles",
                                     digest(code_version(), config.timezone, config.trust_html))
        loaded = load_articles(self.site_dir, config, drafts=drafts, cache=article_cache, scan=scan,
                               published_before=published_before,
                               on_progress=_labelled(self.progress, "Reading articles"))
        self.stage_done("load")
        articles = loaded.articles
        taxonomies = build_taxonomies(articles)
        # Saved beside what follows until rendering (related articles, the views, the page list), most of
        # which runs on one core; forked first, as no process may be forked while related articles are found.
        wait_for_cache, _ = in_background(article_cache.save, worth_a_process=article_cache.unsaved >= 1000)
        try:
            site = Site(config=config, site_dir=self.site_dir, articles=tuple(articles), taxonomies=taxonomies,
                        related={})
            with _related(self.cache_root, articles, taxonomies, config.related_articles) as related:
                views = article_views(site)  # meanwhile: views show no related articles
                site = dataclasses.replace(site, related=related())
            pages = list(site_pages(site, views, now=published_before))
            # first: the largest page (the whole site's list), so that no worker is left alone with it at the end
            pages.insert(0, sitemap_page(site, [p.path for p in pages if p.path.endswith(".html")]))
        finally:
            wait_for_cache()  # done by now; its failure only costs the next build time
        self.stage_done("pages")
        # A first build renders every page whatever its fingerprint: the fingerprints are then computed
        # beside the rendering, with the snapshot, and only needed when the new tree is recorded.
        deferred = self.trees.is_new()
        stored = self.declare(pages) if deferred else self.plan(pages, views)
        self.trees.set_inputs({"signature": signature, "articles": len(articles),
                               "warnings": [[str(w.path), w.message, w.line] for w in loaded.warnings]})

        def save() -> None:  # beside the rendering (see _render_saving)
            files = {key: FileRecord(file_signature, placement(fields, url, bool(url)), url)
                     for key, (file_signature, fields, url) in loaded.files.items()}
            snapshot.write_pending(signature=signature, environment=environment, files=files, views=views,
                                   pages=self.pack(pages, views) if deferred else stored)

        written = self._render_saving(pages, views, save, snapshot, deferred_fingerprints=deferred)
        return BuildResult(self.trees.output, len(articles), self.trees.file_count(), written, loaded.warnings,
                           timings)

    def _render_saving(self, pages: list[Page], views: dict[str, ArticleView], save: Callable[[], None],
                       snapshot: BuildSnapshot, *, deferred_fingerprints: bool) -> int:
        """Render and swap in PAGES while SAVE writes the caches and the pending snapshot, in another
        process when that pays (on two cores it hides most of its time); install the snapshot once
        output/ is this build. With DEFERRED_FINGERPRINTS the pages' fingerprints come from that snapshot."""
        wait_for_save, saving_has_a_core = in_background(save, worth_a_process=len(pages) >= 1000)
        saved: bool | None = None

        def before_commit() -> None:
            nonlocal saved
            saved = wait_for_save()
            if deferred_fingerprints:  # from this process if the other one failed
                self.trees.set_fingerprints(snapshot.pending_fingerprints() if saved else
                                            {page.path: page.fingerprint for page in self.pack(pages, views)})

        try:
            written = self.render_and_commit(pages, before_commit=before_commit,
                                             busy_cores=1 if saving_has_a_core else 0)
        except BaseException:
            wait_for_save()  # its snapshot describes a build that did not happen: never installed
            raise
        if saved is None:  # output/ already was this build: nothing to swap, and the snapshot describes it
            saved = wait_for_save()
        if saved:
            snapshot.install()
        self.stage_done("snapshot")
        return written

    def rebuild_edited(self, reader: SnapshotReader, records: dict[str, FileRecord],
                       articles: dict[str, Article], signature: str) -> int:
        """Rebuild after edits that moved no article: only the pages showing the edited articles."""
        stored = reader.pages(reader.pages_showing(articles))
        views = reader.views(url for page in stored for url in page.refs)
        previous = reader.views(articles)
        for url, article in articles.items():
            views[url] = article_view(article, previous[url].tags, previous[url].countries)
        self.stage_done("load")

        def as_page(kept: StoredPage, page_views: dict[str, ArticleView]) -> Page:
            return Page(kept.path, kept.template, unpack_context(kept.data, page_views), kept.source,
                        kept.root_relative_links)

        def lost_pages(paths: list[str]) -> list[Page]:  # deleted from output/ by hand: made again
            kept = reader.pages(paths)
            lost_views = {**reader.views(url for page in kept for url in page.refs), **views}
            return [as_page(page, lost_views) for page in kept]

        self.trees.plan_edit({page.path: self.fingerprint(page, views) for page in stored})
        self._template_version.save()
        self.trees.set_inputs({**self.trees.live_inputs(), "signature": signature})
        self.stage_done("plan")
        written = self.render_and_commit([as_page(page, views) for page in stored], lost_pages)
        reader.record_edit(signature=signature, files=records, views={url: views[url] for url in articles})
        self.stage_done("snapshot")
        return written


def _edited_articles(snapshot: BuildSnapshot, trees: OutputTrees, scan: list[ScannedFile], environment: str,
                     config: SiteConfig, drafts: bool, published_before: datetime | None,
                     ) -> tuple[SnapshotReader, dict[str, FileRecord], dict[str, Article]] | None:
    """When output/ was built from the same templates, config and files, and the files that changed since
    moved no article (same URL, dates, tags, countries, visibility): the snapshot, the new records of those
    files and the edited articles by URL. Otherwise None: a full build is needed."""
    reader = snapshot.read()
    if reader is None:
        return None
    try:
        edits = _find_edits(reader, trees, scan, environment, config, drafts, published_before)
    except StaleSnapshot:
        edits = None
    except BaseException:
        reader.close()
        raise
    if edits is None:
        reader.close()
        return None
    return reader, *edits


def _find_edits(reader: SnapshotReader, trees: OutputTrees, scan: list[ScannedFile], environment: str,
                config: SiteConfig, drafts: bool, published_before: datetime | None,
                ) -> tuple[dict[str, FileRecord], dict[str, Article]] | None:
    if (reader.meta("environment") != environment or not trees.output.is_dir()
            or reader.meta("signature") != trees.live_inputs().get("signature")):
        return None  # another config, templates or code; or output/ changed since the snapshot
    stored = reader.files()
    if stored.keys() != {key for _, key, _ in scan}:
        return None  # an article was added or removed
    records: dict[str, FileRecord] = {}
    articles: dict[str, Article] = {}
    for name, key, stat in scan:
        file_signature = ArticleCache.signature(stat)
        record = stored[key]
        if record.signature == file_signature:
            continue
        path = Path(name)
        try:
            fields = parse_article_file(path, config)
        except SourceError:
            return None  # the full build reports it, together with any other problem
        published = is_published(fields, drafts=drafts, published_before=published_before)
        if placement(fields, record.url, published) != record.placement:
            return None
        records[key] = FileRecord(file_signature, record.placement, record.url)
        if record.url:
            articles[record.url] = Article.published(fields, source_path=name, url=record.url, slug=fields.slug)
    return (records, articles) if records else None

def _labelled(progress: Callable[[str, int, int], None] | None, label: str) -> Callable[[int, int], None] | None:
    return functools.partial(progress, label) if progress else None


def _progress_from(progress: Callable[[str, int, int], None] | None, before: int,
                   total: int) -> Callable[[int, int], None] | None:
    """Progress of rendering TOTAL pages, for a round that starts after BEFORE of them."""
    if progress is None:
        return None
    return lambda done, _: progress("Rendering pages", before + done, total)


@contextmanager
def _related(cache_root: Path, articles: list[Article], taxonomies: tuple[Taxonomy, ...],
             limit: int) -> Iterator[Callable[[], dict[str, tuple[str, ...]]]]:
    """Related articles, found beside the caller's work (yields the function that waits for them), and
    found again only when the site's structure changed (not for an edited body)."""
    structure = digest(limit, [a.url for a in articles],
                       [(t.name, term.slug, term.article_urls) for t in taxonomies for term in t.terms])
    path = cache_root / "related.pickle"
    kept = load_keyed(path, structure)
    if kept is not None:
        yield lambda: kept
        return
    with related_articles_in_background(articles, taxonomies, limit) as found:
        def related() -> dict[str, tuple[str, ...]]:
            result = found()
            save_keyed(path, structure, result)
            return result
        yield related


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
    """static/ of the theme, then of the site: a site's file replaces the theme's file of the same name.
    The icon (static/favicon.ico) is at the site's root too."""
    files: dict[str, Path] = {}
    for folder in (THEME_DIR / "static", site_dir / "static"):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_file() and not path.is_symlink() and not any(p.startswith(".") for p in
                                                                     path.relative_to(folder).parts):
                files[f"static/{path.relative_to(folder).as_posix()}"] = path
    if "static/favicon.ico" in files:  # also where browsers, feed readers and crawlers look without asking
        files["favicon.ico"] = files["static/favicon.ico"]
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


