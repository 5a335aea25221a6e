"""An edit's rebuild: when the article files that changed since the last build moved no article, only the pages
showing the edited articles are rendered again, from the build snapshot, without reading the rest of the site."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from dateline.config import SiteConfig
from dateline.content import is_published, parse_article_file
from dateline.errors import SourceError
from dateline.incremental.rendering import SiteRenderer
from dateline.incremental.scan_journal import ScanJournal
from dateline.incremental.scan_records import ArticleScan
from dateline.incremental.snapshot import (
    BuildSnapshot,
    FileRecord,
    SnapshotReader,
    StaleSnapshot,
    StoredPage,
    placement_digest,
    unpack_context,
)
from dateline.incremental.trees import OutputTrees
from dateline.model import Article
from dateline.pages import Page, Placement
from dateline.views import ArticleView, article_view


@dataclass(frozen=True)
class Edits:
    """Files edited since the last build, none of which moved an article."""

    reader: SnapshotReader  # the snapshot of output/, open until the rebuild is recorded (or given up)
    records: dict[str, FileRecord]  # the edited files' new records, by path in content/articles
    articles: dict[str, Article]  # the edited published articles, by URL


def find_edits(snapshot: BuildSnapshot, trees: OutputTrees, scan: ArticleScan, journal: ScanJournal | None,
               environment: str, config: SiteConfig, drafts: bool, published_before: datetime | None) -> Edits | None:
    """The edits, when output/ was built from the same templates, config and code (ENVIRONMENT) and the files
    that changed since moved no article (the same placement: see placement_digest). Otherwise None: a full
    build is needed. JOURNAL, the scan output/ was built from, names the changed files when it describes that
    build; else every file is compared with the snapshot."""
    reader = snapshot.read()
    if reader is None:
        return None
    try:
        found = _changed_files(reader, trees, scan, journal, environment, config, drafts, published_before)
    except StaleSnapshot:
        found = None
    except BaseException:
        reader.close()
        raise
    if found is None:
        reader.close()
        return None
    return Edits(reader, *found)


def _changed_files(reader: SnapshotReader, trees: OutputTrees, scan: ArticleScan, journal: ScanJournal | None,
                   environment: str, config: SiteConfig, drafts: bool, published_before: datetime | None,
                   ) -> tuple[dict[str, FileRecord], dict[str, Article]] | None:
    signature = reader.meta("signature")
    if (reader.meta("environment") != environment or not trees.output.is_dir()
            or signature != trees.recorded.live_inputs().get("signature")):
        return None  # another config, templates or code; or output/ changed since the snapshot
    if journal is not None and journal.signature == signature:
        added, removed, modified = scan.changed_since(journal)
        if added or removed:
            return None  # an article was added, removed or renamed
        stored = reader.file_records(modified)
        candidates = [scan.file(key) for key in sorted(modified)]
    else:  # no journal of that build: every file compared
        stored = reader.files()
        candidates = scan.files()
        if stored.keys() != {key for _, key, _ in candidates}:
            return None
    records: dict[str, FileRecord] = {}
    articles: dict[str, Article] = {}
    for name, key, file_signature in candidates:
        record = stored[key]
        if record.signature == file_signature:
            continue
        try:
            fields = parse_article_file(Path(name), config)
        except SourceError:
            return None  # the full build reports it, together with any other problem
        if is_published(fields, drafts=drafts, published_before=published_before) != bool(record.url):
            return None  # published, or withdrawn
        article = Article.published(fields, source_path=name, url=record.url, slug=fields.slug) if record.url \
            else None
        placement = Placement.of(article) if article else None
        if placement_digest(placement, fields.slug) != record.placement:
            return None
        records[key] = FileRecord(file_signature, record.placement, record.url)
        if article is not None:
            articles[record.url] = article
    return (records, articles) if records else None


def rebuild_edited(renderer: SiteRenderer, edits: Edits, signature: str, stage_done: Callable[[str], None]) -> int:
    """Render the pages showing the edited articles, from their stored data with the new views; swap them
    in and record the edit in the snapshot. Raises StaleSnapshot when the snapshot lacks what it should hold."""
    reader, articles = edits.reader, edits.articles
    stored = reader.pages(reader.pages_showing(articles))
    views = reader.views(url for page in stored for url in page.refs)
    previous = reader.views(articles)
    for url, article in articles.items():
        view = previous[url]  # the same terms: it moved nowhere
        views[url] = article_view(article, view.terms, view.taxonomy_names)
    stage_done("articles")

    def lost_pages(paths: list[str]) -> list[Page]:  # deleted from output/ by hand: made again
        kept = reader.pages(paths)
        lost_views = {**reader.views(url for page in kept for url in page.refs), **views}
        return [_as_page(page, lost_views) for page in kept]

    renderer.plan_edit({page.path: renderer.fingerprint(page, views) for page in stored})
    renderer.trees.set_inputs({**renderer.trees.recorded.live_inputs(), "signature": signature})
    stage_done("pages")
    written = renderer.render_and_commit([_as_page(page, views) for page in stored], lost_pages)
    reader.record_edit(signature=signature, files=edits.records, views={url: views[url] for url in articles})
    stage_done("snapshot")
    return written


def _as_page(kept: StoredPage, views: dict[str, ArticleView]) -> Page:
    return Page(kept.path, kept.template, unpack_context(kept.data, views), kept.source, kept.root_relative_links)
