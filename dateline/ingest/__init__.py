"""Raw wire copy -> Markdown articles in content/articles/: parse, enrich, write once, never overwrite edits.

    import_paths([Path("wire/")], site_dir, config)   # files, or folders of files
    import_inbox(site_dir, config)                     # everything new in content/inbox/

Originals are only read. Each source is imported once (keyed by the sha256 of its bytes); an
article an editor changed since import is kept as it is and reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

from dateline.config import SiteConfig
from dateline.content import MAX_ARTICLE_BYTES
from dateline.errors import SourceError
from dateline.ingest import versions
from dateline.ingest.agency import agency_fields, import_record, local_image
from dateline.ingest.article import SLUG_LENGTH, front_matter, render_article, title_and_slug
from dateline.ingest.formats import Story, parse_stories
from dateline.ingest.parse import NotWireCopy
from dateline.ingest.report import Imported, ImportReport
from dateline.ingest.write import (
    INBOX,
    ExistingArticles,
    ManifestEntry,
    article_path,
    atomic_write,
    load_manifest,
    save_manifest,
    scan_articles,
    sha256,
)
from dateline.text import slugify

__all__ = ["Imported", "ImportReport", "import_inbox", "import_paths"]


def import_inbox(site_dir: Path, config: SiteConfig, *, now: dt.datetime | None = None) -> ImportReport:
    """Import every file in SITE/content/inbox/ not imported before (hidden files are ignored)."""
    inbox = site_dir / INBOX
    return import_paths([inbox] if inbox.is_dir() else [], site_dir, config, now=now)


def import_paths(paths: Sequence[Path], site_dir: Path, config: SiteConfig, *,
                 now: dt.datetime | None = None) -> ImportReport:
    """Import each raw file, or each file in each folder; a rejected file never stops the rest.

    NOW (default: the clock) decides which embargoes are over."""
    report = ImportReport()
    manifest, warning = load_manifest(site_dir)
    if warning:
        report.warnings.append(warning)
    existing = scan_articles(site_dir)
    agency = versions.AgencyState(site_dir, now or dt.datetime.now(dt.UTC))
    for source in _sources(paths, report):
        _import_one(source, site_dir, config, manifest, existing, report, agency)
    if versions.lift_embargoes(site_dir, manifest, agency, report):
        save_manifest(site_dir, manifest)
    agency.save(site_dir)
    return report


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


def _import_one(source: Path, site_dir: Path, config: SiteConfig, manifest: dict[str, ManifestEntry],
                existing: ExistingArticles, report: ImportReport, agency: versions.AgencyState) -> None:
    try:
        data = source.read_bytes()
    except OSError as exc:
        report.rejected.append(SourceError(source, f"cannot read the file: {exc.strerror or exc}"))
        return
    if len(data) > MAX_ARTICLE_BYTES:  # the build would refuse the article: refuse the copy now, saying why
        report.rejected.append(SourceError(source, f"the file is {len(data) / 1024 / 1024:.1f} MB; wire copy may be at "
                                                   f"most {MAX_ARTICLE_BYTES // 1024 // 1024} MB"))
        return
    digest = sha256(data)

    entries = _entries_of(digest, manifest)  # one, or one per story of a file that held several
    if entries:
        for entry in entries:
            article = site_dir / entry.article
            if article.is_file() and sha256(article.read_bytes()) != entry.written_sha256:
                report.kept_edited.append(Imported(source, article))
            else:  # untouched, or deleted by an editor on purpose: either way not written again
                report.unchanged.append(Imported(source, article))
        return
    if digest in existing.by_source:  # imported, but the manifest was lost or the import interrupted
        article = existing.by_source[digest]
        manifest[digest] = ManifestEntry(source.name, article.relative_to(site_dir).as_posix(),
                                         sha256(article.read_bytes()))
        save_manifest(site_dir, manifest)
        report.unchanged.append(Imported(source, article))
        return

    try:
        stories = parse_stories(data)
    except NotWireCopy as exc:
        report.rejected.append(SourceError(source, exc.message, exc.line))
        return
    for index, story in enumerate(stories, start=1):
        key = digest if len(stories) == 1 else f"{digest}#{index}"
        if story.guid and versions.apply_version(story, key, source, site_dir, manifest, report, agency,
                                                 _rewrite(story, source, digest, site_dir, config, agency)):
            continue
        _write_new(story, key, None if len(stories) == 1 else index, source, data_sha=digest, site_dir=site_dir,
                   config=config, manifest=manifest, existing=existing, report=report, agency=agency)


def _entries_of(digest: str, manifest: dict[str, ManifestEntry]) -> list[ManifestEntry]:
    if digest in manifest:
        return [manifest[digest]]
    entries = []
    while f"{digest}#{len(entries) + 1}" in manifest:
        entries.append(manifest[f"{digest}#{len(entries) + 1}"])
    return entries


def _write_new(story: Story, key: str, index: int | None, source: Path, *, data_sha: str, site_dir: Path,
               config: SiteConfig, manifest: dict[str, ManifestEntry], existing: ExistingArticles,
               report: ImportReport, agency: versions.AgencyState) -> None:
    copy = story.copy
    title, base_slug = (story.headline, slugify(story.headline, max_length=SLUG_LENGTH)) if story.headline \
        else title_and_slug(copy)
    for attempt in range(1, 10_000):
        slug = base_slug if attempt == 1 else f"{base_slug}-{attempt}"
        if slug in existing.slugs:
            continue
        fields, text = _article(story, index, source, data_sha, site_dir, config, agency, slug=slug, title=title)
        article = article_path(site_dir, copy.date.isoformat(), slug)
        if atomic_write(article, text, exclusive=True):
            break
        existing.slugs.add(slug)  # a file we did not know about holds this name: try the next suffix
    else:
        report.rejected.append(SourceError(source, f"no free file name for slug {base_slug!r}"))
        return
    existing.slugs.add(slug)
    existing.by_source[key] = article
    manifest[key] = ManifestEntry(source.name, article.relative_to(site_dir).as_posix(), sha256(text))
    save_manifest(site_dir, manifest)
    report.written.append(Imported(source, article))
    agency.written(story, article, article.relative_to(site_dir).as_posix(), fields.get("embargo"))
    if fields.get("embargo") is not None:
        report.embargoed.append(Imported(source, article))
    if story.guid in agency.killed:  # the agency killed it before it arrived: imported, but as a draft
        report.withdrawn.append(Imported(source, article))


def _article(story: Story, index: int | None, source: Path, data_sha: str, site_dir: Path, config: SiteConfig,
             agency: versions.AgencyState, *, slug: str, title: str, first_date: object = None) -> tuple[dict, bytes]:
    """The front matter and the bytes of the article STORY becomes; plain copy exactly as it always was.
    FIRST_DATE: the date of the article an earlier version became (a newer version keeps it)."""
    fields = front_matter(story.copy, file_name=source.name, sha256=data_sha, slug=slug, title=title, config=config)
    if story.format == "text":
        return fields, render_article(fields, story.copy.paragraphs).encode("utf-8")
    picture = local_image(story.images[0], source, site_dir) if story.images else None
    fields = agency_fields(fields, story, config, now=agency.now, picture=picture, first_date=first_date,
                           killed=bool(story.guid) and story.guid in agency.killed)
    fields["imported_from"] = {**fields["imported_from"], **import_record(story, index)}
    head = render_article(fields, []).rstrip("\n")
    return fields, f"{head}\n\n{story.body or ''}\n".encode()


def _rewrite(story: Story, source: Path, data_sha: str, site_dir: Path, config: SiteConfig,
             agency: versions.AgencyState) -> versions.Rewrite:
    """How a newer version of STORY rewrites the article an earlier one became: same slug, same first date."""
    def rewrite(kept: dict) -> tuple[dict, bytes]:
        title = story.headline or title_and_slug(story.copy)[0]
        return _article(story, kept.get("item"), source, data_sha, site_dir, config, agency, slug=kept["slug"],
                        title=title, first_date=kept.get("date"))
    return rewrite
