"""The build, start to end: the one function every command (build, serve, check, publish) calls.

    config -> scan -> articles -> taxonomies -> pages -> render -> commit

Each stage is timed (BuildResult.timings). Two shortcuts leave stages out when they cannot change the output:
nothing changed since output/ was built (the scan's signature says so), or the articles edited since moved
none (their pages are rebuilt from the build snapshot). dateline/incremental/__init__.py says what keeps
every build's output the same as a clean build's.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from dateline.cache import ArticleCache, cache_dir, load_keyed, save_keyed
from dateline.errors import DatelineError, SourceError
from dateline.fingerprint import digest
from dateline.incremental.fingerprints import code_version
from dateline.incremental.scan import scan_articles, scan_clock
from dateline.incremental.scan_journal import ScanJournal
from dateline.incremental.scan_records import ArticleScan
from dateline.incremental.trees import OutputTrees
from dateline.layout import ARTICLES_DIR, CONFIG_NAME, SITE_LOCALES, THEME_DIR, template_dirs

if TYPE_CHECKING:  # what only a build with something to do imports (a build with nothing to do starts sooner)
    from dateline.bodies import BodyFile
    from dateline.config import SiteConfig
    from dateline.incremental.rendering import SiteRenderer
    from dateline.incremental.snapshot import BuildSnapshot, FileRecord, FileSignature, StoredPage
    from dateline.model import Taxonomy
    from dateline.pages import Page, Placement


@dataclass(frozen=True)
class BuildResult:
    output: Path
    articles: int
    files: int  # files the site consists of
    written: int  # files rendered or copied this time (0 when nothing changed)
    warnings: list[SourceError]
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    edited_only: bool = False  # only the pages showing edited articles were rebuilt (incremental/edits.py)


@dataclass(frozen=True)
class _Inputs:
    """What the build reads besides the articles' text, and the signatures telling whether anything changed."""

    scan: ArticleScan  # the article files, with their signatures
    journal: ScanJournal | None  # the scan the last build recorded (scan_journal.py)
    static_files: dict[str, Path]  # site path -> file
    environment: str  # config, options, code, templates and static files
    signature: str  # the environment and every article file's (mtime, size, inode)


def build_site(site_dir: Path, output: Path | None = None, *, drafts: bool = False, base_url: str | None = None,
               published_before: datetime | None = None, strict: bool = False,
               on_stage: Callable[[str, float], None] | None = None,
               after_render: Callable[[Path], None] | None = None,
               progress: Callable[[str, int, int], None] | None = None,
               scheduler: str | None = None, verify_output: bool = False,
               watched: Collection[Path] | None = None) -> BuildResult:
    """Build SITE_DIR into OUTPUT (default SITE_DIR/output); raise DatelineError listing every problem.

    Only pages whose content changed are rendered and written; the previous output stays untouched
    unless the whole build succeeds, and then the new site replaces it in one atomic step.
    STRICT makes a template's use of an undefined variable an error (for checks); a strict build
    renders every page once, since pages rendered leniently before may hide such a use.
    SCHEDULER, a dask scheduler's address (tcp://HOST:PORT), renders the pages on its cluster (dateline/cluster.py).
    The files in OUTPUT are trusted to be the ones the last build wrote; VERIFY_OUTPUT stats every one of them,
    and makes again those deleted or truncated by hand (`build --verify`).
    WATCHED, from a file watcher (the preview's), is every source file that changed since the last build that
    succeeded: then article files it does not name are not stat-ed (scan.scan_articles).
    AFTER_RENDER, when given, is called with the complete new tree just before it is swapped in (only when
    something changed), so files made from the pages (a search index) go live together with them.
    """
    site_dir = site_dir.resolve()
    output = (output or site_dir / "output").resolve()
    stage_done = _stage_clock(timings := {}, on_stage)
    # site.yaml is read, not parsed: what it gives is a function of its text, base_url and the code, which
    # the build's signature covers. A build with nothing to do stops before parsing it (and before importing
    # YAML, Jinja, Markdown or Babel); any other build parses it first thing after the scan.
    settings = _site_settings(site_dir, base_url)
    cache_root = cache_dir(site_dir)
    try:
        with _build_lock(cache_root):
            trees = OutputTrees(output, cache_root)
            inputs = _scan(site_dir, cache_root, settings, drafts, published_before, strict, watched)
            stage_done("scan")
            intact = not verify_output or trees.recorded.verify()
            if intact and trees.recorded.built_from(inputs.signature):  # nothing changed since output/ was built
                _record_scan(cache_root, inputs)
                return BuildResult(output, trees.recorded.article_count(), trees.recorded.file_count(), 0,
                                   _previous_warnings(trees), timings)
            from dateline.config import load_config
            from dateline.geo import keep_tables_in
            from dateline.parallel import young_collections_only

            config = load_config(site_dir, base_url=base_url)
            stage_done("config")
            keep_tables_in(cache_root / "countries.pickle", code_version())
            with young_collections_only():
                return _build_changes(site_dir, config, trees, inputs, intact, drafts=drafts,
                                      published_before=published_before, strict=strict, after_render=after_render,
                                      progress=progress, stage_done=stage_done, scheduler=scheduler, timings=timings)
    except OSError as exc:  # a full disk, a read-only folder...: say where, never a traceback
        where = Path(exc.filename) if exc.filename else output
        raise DatelineError(SourceError(where, f"cannot write: {exc.strerror or exc}; "
                                               "the published output was left as it was")) from None


def _build_changes(site_dir: Path, config: SiteConfig, trees: OutputTrees, inputs: _Inputs, intact: bool, *,
                   drafts: bool, published_before: datetime | None, strict: bool,
                   after_render: Callable[[Path], None] | None, progress: Callable[[str, int, int], None] | None,
                   stage_done: Callable[[str], None], scheduler: str | None, timings: dict[str, float]) -> BuildResult:
    """A build with something to do: only the edited articles' pages when the edits moved no article
    (incremental/edits.py), else a full build (which renders only the pages whose fingerprint changed)."""
    from dateline.incremental.edits import find_edits, rebuild_edited
    from dateline.incremental.rendering import SiteRenderer
    from dateline.incremental.snapshot import BuildSnapshot, StaleSnapshot

    cache_root, output = cache_dir(site_dir), trees.output

    def renderer(trees: OutputTrees) -> SiteRenderer:
        return SiteRenderer(site_dir, cache_root, config, trees, inputs.static_files, strict, after_render,
                            progress, stage_done, scheduler)

    snapshot = BuildSnapshot.for_output(cache_root, output)
    edits = find_edits(snapshot, trees, inputs.scan, inputs.journal, inputs.environment, config, drafts,
                       published_before) if intact else None  # files missing: a full build restores them
    if edits is not None:
        try:
            written = rebuild_edited(renderer(trees), edits, inputs.signature, stage_done)
            _record_scan(cache_root, inputs)
            return BuildResult(output, trees.recorded.article_count(), trees.recorded.file_count(), written,
                               _previous_warnings(trees), timings, edited_only=True)
        except StaleSnapshot:  # it lacked what it should hold: a full build, planned afresh
            trees = OutputTrees(output, cache_root)
        finally:
            edits.reader.close()
    result = _full_build(renderer(trees), snapshot, inputs, drafts, published_before, timings)
    _record_scan(cache_root, inputs)
    return result


def _full_build(renderer: SiteRenderer, snapshot: BuildSnapshot, inputs: _Inputs, drafts: bool,
                published_before: datetime | None, timings: dict[str, float]) -> BuildResult:
    """Every article read (from the cache where it can be), every page planned, the changed ones rendered;
    the snapshot written for the next edit."""
    from dateline.bodies import BodyFile

    with BodyFile(renderer.cache_root) as bodies:  # the articles' bodies until their pages are rendered
        return _read_plan_render(renderer, snapshot, inputs, drafts, published_before, timings, bodies)


def _read_plan_render(renderer: SiteRenderer, snapshot: BuildSnapshot, inputs: _Inputs, drafts: bool,
                      published_before: datetime | None, timings: dict[str, float], bodies: BodyFile) -> BuildResult:
    from dateline.content import load_articles, parsing_settings
    from dateline.languages import views_in_languages
    from dateline.model import Site
    from dateline.pages import placements_of, site_pages
    from dateline.parallel import give_back_free_memory, in_background
    from dateline.render import park_fragments
    from dateline.taxonomy import build_taxonomies
    from dateline.views import article_views

    config, cache_root, stage_done, trees = renderer.config, renderer.cache_root, renderer.stage_done, renderer.trees
    article_cache = ArticleCache(cache_root / "articles", digest(code_version(), parsing_settings(config)))
    progress = renderer.progress
    loaded = load_articles(renderer.site_dir, config, drafts=drafts, cache=article_cache, scan=inputs.scan.files(),
                           published_before=published_before,
                           on_progress=(lambda done, total: progress("Reading articles", done, total)) if progress
                           else None)
    stage_done("articles")
    # The snapshot describes output/ only until output/ changes; rewritten below. Kept while the articles are
    # read: an editor's typo stops the build there with output/ untouched, and the build after the fix is an edit.
    snapshot.forget()
    placements = placements_of(loaded.articles)
    taxonomies = build_taxonomies(placements, config.taxonomies)
    stage_done("taxonomies")
    # The bodies go into the body file first, and the views are made before the article cache's process is
    # forked: that process then copies neither (it reads the bodies back), where views made beside it took
    # memory of their own while it held its copies of the parsed articles (docs/internals.md).
    bodies.park_articles(loaded.articles, (fields for _, fields, _ in loaded.files.values()))
    give_back_free_memory()  # the bodies' Markup (parallel.py)
    # the views show no related articles; their terms are in the article's language
    views = article_views(loaded.articles, taxonomies, config.language) if not config.languages \
        else views_in_languages(loaded.articles, taxonomies, config)
    bodies.park(views.values())  # any body a view holds that its article did not (none today)
    # The article cache is saved beside the related articles, forked first, as no process may be forked while
    # they are found in workers.
    wait_for_cache, _ = in_background(article_cache.save, worth_a_process=article_cache.unsaved >= 1000)
    try:
        with _related(cache_root, placements, taxonomies, config.related_articles) as related:
            site = Site(config, renderer.site_dir, placements, taxonomies, related(), now=published_before)
    finally:
        failure = wait_for_cache()
    if failure is not None:
        renderer.warnings.append(SourceError(article_cache.folder, f"the article cache could not be saved ({failure});"
                                                                   " the next full build reads every article again"))
    # What pages show of the articles is in the placements and views now: the parsed articles and the cache
    # holding them are let go before the page list is made, which reuses their memory (about 1 KB an article),
    # as rendering does. (Made beside the article cache's process, the pages took memory of their own while that
    # process held its copies of the parsed articles: the cold build's peak at 100,000 articles.)
    files, warnings = {key: (file_signature, fields.slug, url)
                       for key, (file_signature, fields, url) in loaded.files.items()}, loaded.warnings
    del loaded, article_cache
    give_back_free_memory()  # their bodies and the pickles that brought them from the readers (parallel.py)
    pages = site_pages(site)
    renderer.show(views)
    park_fragments(renderer.env, bodies)  # the teasers, as they are recorded (bodies.py)
    # A first build renders every page whatever its fingerprint: the fingerprints are then computed beside
    # the rendering, with the snapshot, and only needed when the new tree is recorded.
    deferred = trees.recorded.is_new()
    stored = [] if deferred else renderer.plan(pages, views)
    if deferred:
        renderer.declare(pages)
    trees.set_inputs({"signature": inputs.signature, "articles": len(placements),
                      "warnings": [[str(w.path), w.message, w.line] for w in warnings]})
    stage_done("pages")

    def save() -> None:  # beside the rendering (see SiteRenderer.render_saving)
        records = _FileRecords(files, {placement.url: placement for placement in placements})
        snapshot.write_pending(signature=inputs.signature, environment=inputs.environment, files=records, views=views,
                               pages=renderer.pack_each(sorted(pages, key=_path), views) if deferred
                               else sorted(stored, key=_path))

    written = renderer.render_saving(pages, views, snapshot, save, deferred_fingerprints=deferred)
    return BuildResult(trees.output, len(placements), trees.recorded.file_count(), written,
                       [*warnings, *renderer.warnings], timings)


def _path(page: Page | StoredPage) -> str:
    return page.path


class _FileRecords(Mapping):
    """The snapshot's record of each article file (key -> FileRecord), each made when the snapshot's writer asks for
    it (in key order, a few times in a row) rather than 100,000 kept at once in the process that saves it."""

    def __init__(self, files: dict[str, tuple[FileSignature, str, str]], by_url: dict[str, Placement]) -> None:
        self._files, self._by_url = files, by_url
        self._last: tuple[str, FileRecord] | None = None

    def __getitem__(self, key: str) -> FileRecord:
        from dateline.incremental.snapshot import FileRecord, placement_digest

        if self._last is None or self._last[0] != key:
            file_signature, slug, url = self._files[key]
            self._last = key, FileRecord(file_signature, placement_digest(self._by_url.get(url), slug), url)
        return self._last[1]

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)


def _site_settings(site_dir: Path, base_url: str | None) -> str:
    """site.yaml's text with the base_url given on the command line: the config is a function of them and the
    code. When site.yaml cannot be read, load_config says why (no site there, not UTF-8...)."""
    try:
        text = (site_dir / CONFIG_NAME).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        from dateline.config import load_config

        load_config(site_dir, base_url=base_url)  # raises the error an editor can act on
        raise
    return digest(text, base_url)


def _scan(site_dir: Path, cache_root: Path, settings: str, drafts: bool, published_before: datetime | None,
          strict: bool, watched: Collection[Path] | None) -> _Inputs:
    journal = ScanJournal.load(cache_root)
    root = site_dir / ARTICLES_DIR
    scan = scan_articles(root, journal, watched, scan_clock(cache_root / "scan-clock", root))
    static_files = _static_files(site_dir)
    environment = digest(code_version(), settings, drafts, published_before, strict,
                         _file_signatures([*template_dirs(site_dir), site_dir / SITE_LOCALES, *static_files.values()]))
    signature = digest(environment, scan.digest())
    return _Inputs(scan, journal, static_files, environment, signature)


def _record_scan(cache_root: Path, inputs: _Inputs) -> None:
    """Keep the scan output/ now comes from, for the next build to ask what changed (scan_journal.py)."""
    if inputs.journal is None or not inputs.journal.describes(inputs.scan, inputs.signature):
        ScanJournal.save(cache_root, inputs.signature, inputs.scan, previous=inputs.journal)


def _previous_warnings(trees: OutputTrees) -> list[SourceError]:
    """The warnings of the build that made output/, repeated when nothing is rebuilt."""
    return [SourceError(Path(p), m, line) for p, m, line in trees.recorded.previous_warnings()]


def _stage_clock(timings: dict[str, float],
                 on_stage: Callable[[str, float], None] | None) -> Callable[[str], None]:
    """A function recording, for each stage it is told has ended, the time since the stage before ended."""
    clock = time.perf_counter()

    def stage_done(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        elapsed, clock = now - clock, now
        timings[name] = timings.get(name, 0.0) + elapsed
        if on_stage:
            on_stage(name, elapsed)
    return stage_done


@contextmanager
def _related(cache_root: Path, articles: tuple[Placement, ...], taxonomies: tuple[Taxonomy, ...],
             limit: int) -> Iterator[Callable[[], dict[str, tuple[str, ...]]]]:
    """Related articles, found beside the caller's work (yields the function that waits for them), and
    found again only when the site's structure changed (not for an edited body)."""
    structure = digest(limit, [a.url for a in articles],
                       [(t.name, t.config.related, term.slug, term.article_urls) for t in taxonomies
                        for term in t.terms])
    path = cache_root / "related.pickle"
    kept = load_keyed(path, structure)
    from dateline.taxonomy import related_articles_in_background, with_their_urls

    if kept is not None:
        yield lambda: with_their_urls(kept, articles)
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
