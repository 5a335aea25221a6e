"""Rendering what changed into the twin tree, then swapping it in: the stages a full build and an edit's share."""

from __future__ import annotations

import functools
import hashlib
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from dateline.config import SiteConfig
from dateline.errors import DatelineError, SourceError
from dateline.fingerprint import digest
from dateline.i18n import site_catalogs
from dateline.incremental.fingerprints import TemplateVersions, code_version, page_fingerprint
from dateline.incremental.snapshot import BuildSnapshot, StoredPage, pack_context
from dateline.incremental.trees import OutputTrees
from dateline.pages import SHOW_EACH_ARTICLE_ONCE, Page
from dateline.parallel import in_background, in_workers, map_chunks, worker_count
from dateline.render import (
    add_fragments,
    make_environment,
    record_fragments,
    recorded_fragments,
    render_chunk,
    with_taxonomy_templates,
)
from dateline.views import ArticleView

RENDER_IN_WORKERS = 300  # pages: fewer render faster in this process than forking workers for them


@dataclass
class SiteRenderer:
    """Renders a build's pages into the twin of output/, only those whose fingerprint changed, and swaps it in."""

    site_dir: Path
    cache_root: Path
    config: SiteConfig
    trees: OutputTrees
    static_files: dict[str, Path]
    strict: bool
    after_render: Callable[[Path], None] | None
    progress: Callable[[str, int, int], None] | None
    stage_done: Callable[[str], None]
    scheduler: str | None = None  # a dask scheduler's address: the pages render on its cluster (dateline/cluster.py)

    def __post_init__(self) -> None:
        self.env = make_environment(self.site_dir, self.config, strict=self.strict)
        self.config = with_taxonomy_templates(self.config, self.env)
        # Compiled templates are kept between builds, as are their dependencies. Jinja keys them by their
        # source only, but what they compile to also depends on our extensions: one folder per code version.
        compiled = self.cache_root / "templates" / code_version()
        if not compiled.is_dir():
            shutil.rmtree(compiled.parent, ignore_errors=True)  # another version's
            compiled.mkdir(parents=True)
        self.env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(compiled))
        self._template_version = TemplateVersions(self.env, self.cache_root / "template-versions.pickle")
        # the site's catalogs word every page, as the config does (the theme's are part of the code)
        self._site_version = digest(code_version(), repr(self.config), self.strict, site_catalogs(self.site_dir))
        self.warnings: list[SourceError] = []  # what went wrong beside the build (a cache not saved)

    def show(self, views: dict[str, ArticleView]) -> None:
        """Render with VIEWS: each article a page names is shown as its view."""
        self.env.article_views = views  # type: ignore[attr-defined]

    def fingerprint(self, page: StoredPage, views: dict[str, ArticleView]) -> str:
        """PAGE's fingerprint showing VIEWS (for an edit's rebuild: the stored data with the new articles)."""
        version = self._page_version(page.template, page.path, page.root_relative_links)
        return page_fingerprint(version, page.data, page.refs, views)

    def _page_version(self, template: str, path: str, root_relative_links: bool) -> str:
        return digest(self._site_version, self._template_version(template), path, root_relative_links)

    def pack(self, pages: list[Page], views: dict[str, ArticleView]) -> list[StoredPage]:
        """PAGES as the snapshot keeps them, with their fingerprints."""
        return list(self.pack_each(pages, views))

    def pack_each(self, pages: Iterable[Page], views: dict[str, ArticleView]) -> Iterator[StoredPage]:
        """pack() one page at a time, for the snapshot's saver to write each as it is made."""
        for page in pages:
            data, refs = pack_context(page.context)
            fingerprint = page_fingerprint(self._page_version(page.template, page.path, page.root_relative_links),
                                           data, refs, views)
            yield StoredPage(page.path, page.template, page.source, page.root_relative_links, data, refs, fingerprint)
        self._template_version.save()

    def plan(self, pages: list[Page], views: dict[str, ArticleView]) -> list[StoredPage]:
        """Declare every file of the new site with its fingerprint; return the pages as the snapshot keeps them."""
        stored = self.pack(pages, views)
        for page in stored:
            self.trees.add(page.path, page.fingerprint, page.source)
        self._add_static_files()
        return stored

    def declare(self, pages: list[Page]) -> None:
        """Declare every file of the new site, the pages' fingerprints to follow (trees.set_fingerprints)."""
        for page in pages:
            self.trees.add(page.path, "", page.source)
        self._add_static_files()

    def plan_edit(self, changes: dict[str, str]) -> None:
        """The new site is output/'s files with CHANGES (site path -> new fingerprint)."""
        self.trees.plan_edit(changes)
        self._template_version.save()

    def _add_static_files(self) -> None:
        for site_path, source in self.static_files.items():
            self.trees.add(site_path, hashlib.blake2b(source.read_bytes(), digest_size=16).hexdigest(), str(source))

    def render_saving(self, pages: list[Page], views: dict[str, ArticleView], snapshot: BuildSnapshot,
                      save: Callable[[], None], *, deferred_fingerprints: bool) -> int:
        """Render and swap in PAGES while SAVE writes the pending snapshot, in another process when that pays
        (on two cores it hides most of its time); install the snapshot once output/ is this build. With
        DEFERRED_FINGERPRINTS the pages' fingerprints come from that snapshot. A failed save costs the next
        build time, never this one's output: it is reported in self.warnings."""
        wait_for_save, saving_has_a_core = in_background(save, worth_a_process=len(pages) >= 1000)
        failure: str | None = None
        waited = False

        def before_commit() -> None:
            nonlocal failure, waited
            failure, waited = wait_for_save(), True
            if deferred_fingerprints:  # from this process if the other one failed
                self.trees.set_fingerprints(snapshot.pending_fingerprints() if failure is None else
                                            {page.path: page.fingerprint for page in self.pack(pages, views)})

        try:
            written = self.render_and_commit(pages, before_commit=before_commit,
                                             busy_cores=1 if saving_has_a_core else 0)
        except BaseException:
            wait_for_save()  # its snapshot describes a build that did not happen: never installed
            raise
        if not waited:  # output/ already was this build: nothing to swap, and the snapshot describes it
            failure = wait_for_save()
        if failure is None:
            snapshot.install()
        else:
            self.warnings.append(SourceError(snapshot.path, f"the build snapshot could not be saved ({failure}); "
                                                             "the next build reads every article again"))
        self.stage_done("snapshot")
        return written

    def render_and_commit(self, pages: list[Page], more_pages: Callable[[list[str]], list[Page]] | None = None,
                          before_commit: Callable[[], None] | None = None, busy_cores: int = 0) -> int:
        """Render what changed into the twin tree and swap it in; return the number of files written.

        MORE_PAGES gives the pages of paths that must be rendered but are not in PAGES (files lost from output/).
        BEFORE_COMMIT runs once everything is rendered, just before the swap. BUSY_CORES: see render_pages.
        """
        trees = self.trees
        if trees.unchanged():
            trees.record_inputs()
            self.stage_done("render")
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
            trees.recorded.save()
            raise DatelineError(errors)
        self.stage_done("render")
        if self.after_render is not None:
            self.after_render(trees.next)
            self.stage_done("after_render")
        if before_commit is not None:
            before_commit()
        trees.commit()
        self.stage_done("commit")
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
        With a scheduler, the pages render on its cluster instead (dateline/cluster.py).
        """
        if self.scheduler is not None:  # rendered on the cluster, written here into the twin like any page
            from dateline.cluster import render_on_cluster

            for outcome in render_on_cluster(self.scheduler, self.env, self.config, self.strict, pages,
                                             _progress_from(self.progress, 0, len(pages)),
                                             tuple(site_catalogs(self.site_dir))):
                yield outcome if isinstance(outcome, SourceError) else \
                    (outcome[0], (len(outcome[1]), self.trees.write(*outcome)))
            return

        def rendered(chosen: list[Page], write: Callable[[Page, bytes], Any], before: int,
                     workers: int | None = None) -> list:
            render = functools.partial(render_chunk, self.env, write=write)
            return map_chunks(render, chosen, min_items=RENDER_IN_WORKERS, workers=workers, in_this_process_too=True,
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


def _progress_from(progress: Callable[[str, int, int], None] | None, before: int,
                   total: int) -> Callable[[int, int], None] | None:
    """Progress of rendering TOTAL pages, for a round that starts after BEFORE of them."""
    if progress is None:
        return None
    return lambda done, _: progress("Rendering pages", before + done, total)


def _write_page(trees: OutputTrees, page: Page, data: bytes) -> tuple[int, bool]:
    return len(data), trees.write(page.path, data)
