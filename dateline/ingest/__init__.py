"""Raw wire copy -> Markdown articles in content/articles/: parse, enrich, write once, never overwrite edits.

    import_paths([Path("wire/")], site_dir, config)   # files, or folders of files
    import_inbox(site_dir, config)                     # everything new in content/inbox/

Originals are only read. Each source is imported once (keyed by the sha256 of its bytes); an
article an editor changed since import is kept as it is and reported.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dateline.config import SiteConfig
from dateline.content import MAX_ARTICLE_BYTES
from dateline.errors import SourceError
from dateline.ingest.article import front_matter, render_article, title_and_slug
from dateline.ingest.learned_tags import LearnedTagger
from dateline.ingest.parse import NotWireCopy, parse_wire
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

__all__ = ["Imported", "ImportReport", "import_inbox", "import_paths"]


@dataclass(frozen=True)
class Imported:
    source: Path  # the raw file
    article: Path  # the Markdown article it became


@dataclass(frozen=True)
class ImportReport:
    written: list[Imported] = field(default_factory=list)
    unchanged: list[Imported] = field(default_factory=list)  # imported before; nothing to do
    kept_edited: list[Imported] = field(default_factory=list)  # imported before, edited by hand since: kept
    rejected: list[SourceError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what else happened, such as the learned tagger trained

    @property
    def skipped(self) -> list[Imported]:
        return self.unchanged

    def lines(self, *, site_dir: Path | None = None, skipped: bool = True) -> list[str]:
        """One printable line per source, in the order: written, skipped, kept, rejected, warnings.

        SKIPPED=False leaves out the sources imported before: the inbox keeps its originals, so a
        build or the preview would otherwise list every one of them every time.
        """
        def show(path: Path) -> str:
            if site_dir is not None and path.is_relative_to(site_dir):
                return str(path.relative_to(site_dir))
            return str(path)

        return ([f"wrote {show(i.article)} (from {show(i.source)})" for i in self.written]
                + [f"skipped {show(i.source)} (already imported as {show(i.article)})"
                   for i in (self.unchanged if skipped else [])]
                + [f"kept {show(i.article)} (edited by hand since import; {show(i.source)} not re-imported)"
                   for i in self.kept_edited]
                + [f"rejected {error}" for error in self.rejected]
                + self.notes
                + [f"warning: {warning}" for warning in self.warnings])


def import_inbox(site_dir: Path, config: SiteConfig) -> ImportReport:
    """Import every file in SITE/content/inbox/ not imported before (hidden files are ignored)."""
    inbox = site_dir / INBOX
    return import_paths([inbox] if inbox.is_dir() else [], site_dir, config)


def import_paths(paths: Sequence[Path], site_dir: Path, config: SiteConfig) -> ImportReport:
    """Import each raw file, or each file in each folder; a rejected file never stops the rest."""
    report = ImportReport()
    manifest, warning = load_manifest(site_dir)
    if warning:
        report.warnings.append(warning)
    existing = scan_articles(site_dir)
    learned = LearnedTagger(site_dir, config)  # trains or loads the model when the first new story needs it
    for source in _sources(paths, report):
        _import_one(source, site_dir, config, manifest, existing, report, learned)
    report.notes.extend(learned.notes)
    report.warnings.extend(learned.warnings)
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
                existing: ExistingArticles, report: ImportReport, learned: LearnedTagger) -> None:
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

    entry = manifest.get(digest)
    if entry is not None:
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
        copy = parse_wire(data)
    except NotWireCopy as exc:
        report.rejected.append(SourceError(source, exc.message, exc.line))
        return
    title, base_slug = title_and_slug(copy)
    learned_tags = learned.tags_for(title, copy.paragraphs)
    for attempt in range(1, 10_000):
        slug = base_slug if attempt == 1 else f"{base_slug}-{attempt}"
        if slug in existing.slugs:
            continue
        fields = front_matter(copy, file_name=source.name, sha256=digest, slug=slug, title=title, config=config,
                              learned_tags=learned_tags)
        text = render_article(fields, copy.paragraphs).encode("utf-8")
        article = article_path(site_dir, copy.date.isoformat(), slug)
        if atomic_write(article, text, exclusive=True):
            break
        existing.slugs.add(slug)  # a file we did not know about holds this name: try the next suffix
    else:
        report.rejected.append(SourceError(source, f"no free file name for slug {base_slug!r}"))
        return
    existing.slugs.add(slug)
    existing.by_source[digest] = article
    manifest[digest] = ManifestEntry(source.name, article.relative_to(site_dir).as_posix(), sha256(text))
    save_manifest(site_dir, manifest)
    report.written.append(Imported(source, article))
