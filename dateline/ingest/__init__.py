"""Raw wire copy -> Markdown articles in content/articles/: parse, enrich, write once, never overwrite edits.

    import_paths([Path("wire/")], site_dir, config)   # files, or folders of files
    import_inbox(site_dir, config)                     # everything new in content/inbox/

Originals are only read. Each source is imported once (keyed by the sha256 of its bytes); an
article an editor changed since import is kept as it is and reported. Agency formats (formats/)
give stories with ids and versions: versions.py decides what a newer version, a kill or an
embargo does to the article an earlier one became.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from dateline.article_files import MAX_ARTICLE_BYTES
from dateline.config import SiteConfig
from dateline.errors import SourceError
from dateline.ingest import versions
from dateline.ingest.agency import agency_fields, agency_text, import_record, local_image
from dateline.ingest.article import Draft, enrich, render_article, slug_of
from dateline.ingest.formats import Story, parse_stories
from dateline.ingest.learned_tags import LearnedTagger, Predictor
from dateline.ingest.parse import NotWireCopy
from dateline.ingest.report import Imported, ImportReport
from dateline.ingest.write import (
    INBOX,
    ArticleWriter,
    LazyExisting,
    ManifestEntry,
    article_path,
    load_manifest,
    save_manifest,
    sha256,
)
from dateline.parallel import map_chunks

__all__ = ["Imported", "ImportReport", "import_inbox", "import_paths"]

# Articles between two writes of the manifest, at least; rewriting it per article was quadratic. The
# batch grows with the manifest (half its size), so writing it costs a constant share of an import.
MANIFEST_BATCH = 500
PARALLEL_FROM = 200  # stories in a batch worth forking workers for


def import_inbox(site_dir: Path, config: SiteConfig, *, now: dt.datetime | None = None) -> ImportReport:
    """Import every file in SITE/content/inbox/ not imported before (hidden files are ignored)."""
    inbox = site_dir / INBOX
    return import_paths([inbox] if inbox.is_dir() else [], site_dir, config, now=now)


def import_paths(paths: Sequence[Path], site_dir: Path, config: SiteConfig, *,
                 now: dt.datetime | None = None) -> ImportReport:
    """Import each raw file, or each file in each folder; a rejected file never stops the rest.

    Stories go in batches of MANIFEST_BATCH or more: read, parsed and enriched on every core (forked
    workers), then written by this process, the articles committed on a few threads (ArticleWriter);
    after each batch, and at the end (also when the import is interrupted by an exception), the
    importer waits for them and writes the manifest once. A process killed in between loses nothing:
    each visible article is whole and carries `imported_from.sha256`, and the next import finds it
    there and records it. NOW (default: the clock) decides which embargoes are over.
    """
    report = ImportReport()
    manifest, warning = load_manifest(site_dir)
    if warning:
        report.warnings.append(warning)
    agency = versions.AgencyState(site_dir, now or dt.datetime.now(dt.UTC))
    batch = _Batch(site_dir, manifest, report, LazyExisting(site_dir), agency)
    learned = LearnedTagger(site_dir, config)  # in this process: trained or read when a first new story needs it
    sources = _sources(paths, report)
    try:
        start = 0
        while start < len(sources):
            chunk = sources[start:start + max(MANIFEST_BATCH, len(manifest) // 2)]
            start += len(chunk)
            # Workers are forked only while no writer thread runs (settle closes the writer).
            prepared = map_chunks(functools.partial(_prepare_all, config=config, known=frozenset(manifest),
                                                    learned=learned.ready()), chunk, min_items=PARALLEL_FROM)
            for source, story in zip(chunk, prepared, strict=True):
                _import_one(source, story, config, batch, learned)
            batch.settle()
        if versions.lift_embargoes(site_dir, manifest, agency, report):
            batch.recorded += 1
    finally:
        batch.settle(force=bool(warning))
        agency.save(site_dir)
        report.notes.extend(learned.notes)
        report.warnings.extend(learned.warnings)
    return report


@dataclass(frozen=True)
class _Enriched:
    """One story of a source file, enriched (in a worker). An agency's facts are laid over DRAFT in the
    writing process, which knows the clock, the site's pictures and earlier versions; then LEARNED tags
    are added to whatever the article's tags are by then, the same way for every format."""

    story: Story
    draft: Draft  # the enrichment's
    learned: tuple[str, ...] | None  # the learned tagger's tags for the article; None: the worker had no model


@dataclass(frozen=True)
class _Prepared:
    """A source file read, hashed, parsed and enriched (in a worker): what the writer needs from it."""

    digest: str | None = None  # None when it could not be read
    error: SourceError | None = None
    stories: tuple[_Enriched, ...] = ()  # none for copy already in the manifest, or rejected


def _prepare_all(sources: Sequence[Path], *, config: SiteConfig, known: frozenset[str],
                 learned: Predictor | None = None) -> list[_Prepared]:
    return [_prepare(source, config, known, learned) for source in sources]


def _prepare(source: Path, config: SiteConfig, known: frozenset[str], learned: Predictor | None = None) -> _Prepared:
    try:
        data = source.read_bytes()
    except OSError as exc:
        return _Prepared(error=SourceError(source, f"cannot read the file: {exc.strerror or exc}"))
    if len(data) > MAX_ARTICLE_BYTES:  # the build would refuse the article: refuse the copy now, saying why
        return _Prepared(error=SourceError(source, f"the file is {len(data) / 1024 / 1024:.1f} MB; wire copy may "
                                                   f"be at most {MAX_ARTICLE_BYTES // 1024 // 1024} MB"))
    digest = sha256(data)
    if digest in known or f"{digest}#1" in known:
        return _Prepared(digest)  # imported before: nothing to parse
    try:
        stories = parse_stories(data)
    except NotWireCopy as exc:
        return _Prepared(digest, error=SourceError(source, exc.message, exc.line))
    enriched = []
    for story in stories:
        draft = enrich(story.copy, config, story.language)
        enriched.append(_Enriched(story, draft, learned(*agency_text(story, draft)) if learned else None))
    return _Prepared(digest, stories=tuple(enriched))


@dataclass
class _Written:
    """An article handed to the writer and not yet known to be on disk under its name."""

    source: Path
    digest: str  # the manifest's key: the file's sha256, "#n" for the n-th story of a file of several
    date: str
    draft: Draft
    base_slug: str
    attempt: int
    article: Path
    text: bytes
    done: Future[bool]
    story: Story | None  # an agency story: its id, version and embargo are remembered once it is written
    imported: dict  # what imported_from adds to file and sha256


class _Batch:
    """The articles of one stretch between two manifest writes."""

    def __init__(self, site_dir: Path, manifest: dict[str, ManifestEntry], report: ImportReport,
                 existing: LazyExisting, agency: versions.AgencyState) -> None:
        self.site_dir, self.manifest, self.report, self.existing = site_dir, manifest, report, existing
        self.agency = agency
        self.writer: ArticleWriter | None = None
        self.pending: list[_Written] = []
        self.recorded = 0  # manifest entries added since the last write

    def record(self, source: Path, digest: str, article: Path, text: bytes) -> None:
        self.manifest[digest] = ManifestEntry(source.name, article.relative_to(self.site_dir).as_posix(), sha256(text))
        self.recorded += 1

    def write(self, source: Path, digest: str, date: str, draft: Draft, base_slug: str, attempt: int = 1, *,
              story: Story | None = None, imported: dict | None = None) -> None:
        """Hand the article to the writer under the first free slug from ATTEMPT on."""
        slugs = self.existing.get().slugs
        while attempt < 10_000:
            slug = base_slug if attempt == 1 else f"{base_slug}-{attempt}"
            if slug not in slugs:
                break
            attempt += 1
        else:
            self.report.rejected.append(SourceError(source, f"no free file name for slug {base_slug!r}"))
            return
        source_sha = digest.partition("#")[0]
        fields = {**draft.fields, "slug": slug,
                  "imported_from": {"file": source.name, "sha256": source_sha, **(imported or {})}}
        text = render_article(fields, draft.body).encode("utf-8")
        article = article_path(self.site_dir, date, slug, self.existing.get().next_arrival(date))
        if self.writer is None:
            self.writer = ArticleWriter()
        try:
            done = self.writer.write(article, text)
        except OSError as exc:  # a full disk, a folder that cannot be made: this story is not imported
            self.report.rejected.append(SourceError(source, f"cannot write {article}: {exc.strerror or exc}"))
            return
        slugs.add(slug)
        self.existing.get().by_source[source_sha] = article
        self.pending.append(_Written(source, digest, date, draft, base_slug, attempt, article, text, done, story,
                                     imported or {}))

    def is_pending(self, guid: str) -> bool:
        return any(item.story is not None and item.story.guid == guid for item in self.pending)

    def settle(self, *, force: bool = False) -> None:
        """Wait for the pending articles, record them, write the manifest if it changed (or with FORCE),
        and end the writer's threads (workers are forked only while none run)."""
        while self.pending:
            pending, self.pending = self.pending, []
            for item in pending:
                try:
                    free = item.done.result()
                except OSError as exc:
                    self.report.rejected.append(SourceError(item.source, f"cannot write {item.article}: "
                                                                         f"{exc.strerror or exc}"))
                    continue
                if free:
                    self.record(item.source, item.digest, item.article, item.text)
                    self.report.written.append(Imported(item.source, item.article))
                    where = item.article.relative_to(self.site_dir)
                    self.report.notes.extend(f"{where}: {note}" for note in item.draft.notes)
                    if item.story is not None:
                        self._agency_written(item, item.story)
                else:  # a file we did not know about holds this name: the next suffix
                    self.write(item.source, item.digest, item.date, item.draft, item.base_slug, item.attempt + 1,
                               story=item.story, imported=item.imported)
        if self.recorded or force:
            save_manifest(self.site_dir, self.manifest)
            self.recorded = 0
        if self.writer is not None:
            self.writer.close()
            self.writer = None


    def _agency_written(self, item: _Written, story: Story) -> None:
        embargo = item.draft.fields.get("embargo")
        self.agency.written(story, item.article, item.article.relative_to(self.site_dir).as_posix(), embargo)
        if embargo is not None:
            self.report.embargoed.append(Imported(item.source, item.article))
        if story.guid in self.agency.killed:  # the agency killed it before it arrived: imported, but as a draft
            self.report.withdrawn.append(Imported(item.source, item.article))


def _sources(paths: Sequence[Path], report: ImportReport) -> list[Path]:
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*")
                                if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)))
        elif path.is_file():
            found.append(path)
        else:
            report.rejected.append(SourceError(path, "no such file or folder"))
    return found


def _import_one(source: Path, story: _Prepared, config: SiteConfig, batch: _Batch, learned: LearnedTagger) -> None:
    report, site_dir, digest = batch.report, batch.site_dir, story.digest
    entries = _entries_of(digest, batch.manifest) if digest else []  # one per story of a file of several
    if entries:
        for entry in entries:
            article = site_dir / entry.article
            if article.is_file() and sha256(article.read_bytes()) != entry.written_sha256:
                report.kept_edited.append(Imported(source, article))
            else:  # untouched, or deleted by an editor on purpose: either way not written again
                report.unchanged.append(Imported(source, article))
        return
    if story.error is not None or digest is None:
        report.rejected.append(story.error or SourceError(source, "cannot read the file"))
        return
    articles = batch.existing.get()
    if digest in articles.by_source:  # imported, but the manifest was lost, the import interrupted, or
        article = articles.by_source[digest]  # the same story came twice in this batch
        if not any(item.digest.partition("#")[0] == digest for item in batch.pending):
            batch.record(source, digest, article, article.read_bytes())
        report.unchanged.append(Imported(source, article))
        return
    if len(story.stories) == 1 and story.stories[0].story.format == "text":
        (text,) = story.stories
        draft = learned.add_to(text.draft, text.learned)
        batch.write(source, digest, text.story.copy.date.isoformat(), draft, slug_of(draft.title))
        return
    for index, enriched in enumerate(story.stories, start=1):
        key, item = (digest, None) if len(story.stories) == 1 else (f"{digest}#{index}", index)
        _import_agency_story(source, key, item, enriched, config, batch, learned)


def _entries_of(digest: str, manifest: dict[str, ManifestEntry]) -> list[ManifestEntry]:
    if digest in manifest:
        return [manifest[digest]]
    entries = []
    while f"{digest}#{len(entries) + 1}" in manifest:
        entries.append(manifest[f"{digest}#{len(entries) + 1}"])
    return entries


def _import_agency_story(source: Path, key: str, item: int | None, enriched: _Enriched, config: SiteConfig,
                         batch: _Batch, learned: LearnedTagger) -> None:
    """A newer version of a story imported before, a kill, or a new article."""
    site_dir, agency, story = batch.site_dir, batch.agency, enriched.story
    if story.guid:
        if batch.is_pending(story.guid):
            batch.settle()  # its earlier version must be on disk before this one is weighed against it
        if versions.apply_version(story, key, source, site_dir, batch.manifest, batch.report, agency,
                                  _rewrite(enriched, source, key.partition("#")[0], config, batch, learned)):
            batch.recorded += 1
            return
    agency_draft = _agency_draft(enriched, source, config, batch, learned)
    batch.write(source, key, story.copy.date.isoformat(), agency_draft, slug_of(agency_draft.title), story=story,
                imported=import_record(story, item))


def _agency_draft(enriched: _Enriched, source: Path, config: SiteConfig, batch: _Batch, learned: LearnedTagger, *,
                  first_date: object = None) -> Draft:
    """The enrichment's draft with the agency's own facts and Markdown body, then the learned tags in the slots
    the agency's subjects and the keyword rules leave. FIRST_DATE: the date of the article an earlier version
    became (a newer version keeps it)."""
    story, agency = enriched.story, batch.agency
    picture = local_image(story.images[0], source, batch.site_dir) if story.images else None
    fields = agency_fields(enriched.draft.fields, story, config, now=agency.now, picture=picture,
                           first_date=first_date, killed=bool(story.guid) and story.guid in agency.killed)
    _, body = agency_text(story, enriched.draft)
    return learned.add_to(Draft(fields, body, enriched.draft.notes), enriched.learned)


def _rewrite(enriched: _Enriched, source: Path, digest: str, config: SiteConfig, batch: _Batch,
             learned: LearnedTagger) -> versions.Rewrite:
    """How a newer version of a story rewrites the article an earlier one became: same slug, same first date,
    everything else (learned tags included) as the newer version's own article."""
    story = enriched.story

    def rewrite(kept: dict) -> tuple[dict, bytes]:
        newer = _agency_draft(enriched, source, config, batch, learned, first_date=kept.get("date"))
        fields = {**newer.fields, "slug": kept["slug"],
                  "imported_from": {"file": source.name, "sha256": digest, **import_record(story, kept.get("item"))}}
        return fields, render_article(fields, newer.body).encode("utf-8")
    return rewrite
