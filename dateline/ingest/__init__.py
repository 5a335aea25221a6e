"""Raw wire copy -> Markdown articles in content/articles/: parse, enrich, write once, never overwrite edits.

    import_paths([Path("wire/")], site_dir, config)   # files, or folders of files
    import_inbox(site_dir, config)                     # everything new in content/inbox/

Originals are only read. Each source is imported once (keyed by the sha256 of its bytes); an
article an editor changed since import is kept as it is and reported.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from dateline.config import SiteConfig
from dateline.content import MAX_ARTICLE_BYTES
from dateline.errors import SourceError
from dateline.ingest import versions
from dateline.ingest.agency import agency_fields, image_field, import_record
from dateline.ingest.article import SLUG_LENGTH, front_matter, render_article, title_and_slug
from dateline.ingest.formats import FORMAT_NAMES, Image, Story, parse_stories
from dateline.ingest.parse import NotWireCopy
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
    # agency stories over time (versions.py)
    updated: list[Imported] = field(default_factory=list)  # a newer version rewrote the article
    waiting: list[Imported] = field(default_factory=list)  # a newer version, not applied: the article was edited
    older: list[Imported] = field(default_factory=list)  # a version no newer than the article's
    withdrawn: list[Imported] = field(default_factory=list)  # killed or withheld by the agency: now a draft
    embargoed: list[Imported] = field(default_factory=list)  # written as a draft until its embargo
    released: list[Imported] = field(default_factory=list)  # embargo over: published

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

        embargoed = {i.article for i in self.embargoed}
        return ([f"wrote {show(i.article)} (from {show(i.source)})"
                 + (" as a draft until its embargo" if i.article in embargoed else "") for i in self.written]
                + [f"updated {show(i.article)} (a newer version, from {show(i.source)})" for i in self.updated]
                + [f"withdrew {show(i.article)} (killed by the agency in {show(i.source)}; now a draft)"
                   for i in self.withdrawn]
                + [f"published {show(i.article)} (its embargo is over)" for i in self.released]
                + [f"skipped {show(i.source)} (already imported as {show(i.article)})"
                   for i in (self.unchanged if skipped else [])]
                + [f"skipped {show(i.source)} (not newer than {show(i.article)})"
                   for i in (self.older if skipped else [])]
                + [f"kept {show(i.article)} (edited by hand since import; {show(i.source)} not re-imported)"
                   for i in self.kept_edited]
                + [f"kept {show(i.article)} (edited by hand since import; a newer version is waiting in "
                   f"{show(i.source)})" for i in self.waiting]
                + [f"rejected {error}" for error in self.rejected]
                + [f"warning: {warning}" for warning in self.warnings])


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
    agency = _Agency(site_dir, now or dt.datetime.now(dt.UTC))
    for source in _sources(paths, report):
        _import_one(source, site_dir, config, manifest, existing, report, agency)
    if _lift_embargoes(site_dir, manifest, agency, report):
        save_manifest(site_dir, manifest)
    versions.save_embargoes(site_dir, agency.embargoes)
    return report


class _Agency:
    """What importing agency stories needs beyond plain copy: their articles by id, embargoes, the clock."""

    def __init__(self, site_dir: Path, now: dt.datetime) -> None:
        self.articles = versions.AgencyArticles(site_dir)
        self.embargoes = versions.load_embargoes(site_dir)
        self.now = now


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
                existing: ExistingArticles, report: ImportReport, agency: _Agency) -> None:
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
        if story.guid and _apply_version(story, key, source, site_dir, config, manifest, report, agency):
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
               report: ImportReport, agency: _Agency) -> None:
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
    if story.guid:
        agency.articles.record(story.guid, versions.Imported(article, story.version, story.version_created))
    if fields.get("embargo") is not None:
        agency.embargoes[article.relative_to(site_dir).as_posix()] = fields["embargo"].isoformat()
        report.embargoed.append(Imported(source, article))


def _article(story: Story, index: int | None, source: Path, data_sha: str, site_dir: Path, config: SiteConfig,
             agency: _Agency, *, slug: str, title: str, keep: dict | None = None) -> tuple[dict, bytes]:
    """The front matter and the bytes of the article STORY becomes; plain copy exactly as it always was.
    KEEP: fields of an earlier version that a newer one must not change (its first publication)."""
    fields = front_matter(story.copy, file_name=source.name, sha256=data_sha, slug=slug, title=title, config=config)
    if story.format == "text":
        return fields, render_article(fields, story.copy.paragraphs).encode("utf-8")
    fields = agency_fields(fields, story, config, now=agency.now)
    if keep:
        fields.update(keep)
        if story.version_created is not None:
            fields["updated"] = story.version_created
    if "image" in fields:
        fields["image"] = image_field(_local_image(story.images[0], source, site_dir))
    fields["imported_from"] = {**fields["imported_from"], **import_record(story, index)}
    head = render_article(fields, []).rstrip("\n")
    return fields, f"{head}\n\n{story.body or ''}\n".encode()


_PICTURE_SUFFIXES = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif"}
MAX_PICTURE_BYTES = 20 * 1024 * 1024


def _local_image(image: Image, source: Path, site_dir: Path) -> Image:
    """A picture that sits beside the agency file, copied to the site's static/images/ (never over another
    file); a URL, or a picture not delivered with the file, is kept as the agency named it."""
    href = image.href
    if "://" in href or href.startswith(("/", "\\")) or ":" in href.split("/")[0]:
        return image
    picture = (source.parent / href).resolve()
    folder = source.parent.resolve()
    if not picture.is_relative_to(folder) or picture.suffix.lower() not in _PICTURE_SUFFIXES or \
            not picture.is_file() or picture.stat().st_size > MAX_PICTURE_BYTES:
        return image
    data = picture.read_bytes()
    target_dir = site_dir / "static" / "images"
    stem, suffix = slugify(picture.stem, max_length=60) or "picture", picture.suffix.lower()
    for attempt in range(1, 1000):
        target = target_dir / (f"{stem}{suffix}" if attempt == 1 else f"{stem}-{attempt}{suffix}")
        if target.is_file() and target.read_bytes() == data:
            break
        if atomic_write(target, data, exclusive=True):
            break
    else:
        return image
    return Image(target.relative_to(site_dir).as_posix(), image.alt, image.credit, image.caption)


def _apply_version(story: Story, key: str, source: Path, site_dir: Path, config: SiteConfig,
                   manifest: dict[str, ManifestEntry], report: ImportReport, agency: _Agency) -> bool:
    """Handle STORY as a version of an article imported before; False when there is none (a new story)."""
    previous = agency.articles.get(story.guid or "")
    if previous is None or not previous.path.is_file():
        if versions.is_killed(story):
            report.warnings.append(f"{source}: a {FORMAT_NAMES[story.format]} kill of {story.guid}, which was "
                                   "never imported: nothing to withdraw")
            return True
        return False
    article = previous.path
    relative = article.relative_to(site_dir).as_posix()
    edited = versions.edited_since_import(article, manifest, site_dir)
    if versions.is_killed(story):
        agency.embargoes.pop(relative, None)  # a killed story must never be published when its embargo lifts
        data = versions.withdraw(article)
        if data is not None and not edited:
            versions.rewritten(manifest, site_dir, article, data)
        if data is None:
            report.warnings.append(f"{relative}: killed by the agency in {source}, but it has no front matter to "
                                   "mark as a draft: unpublish it by hand")
        else:
            report.withdrawn.append(Imported(source, article))
        # an edited article's hash is never recorded: later versions must still see it as edited
        manifest[key] = ManifestEntry(source.name, relative, "" if edited else sha256(article.read_bytes()))
        save_manifest(site_dir, manifest)
        return True
    if not versions.is_newer(story, previous):
        report.older.append(Imported(source, article))
        return True
    if edited:
        report.waiting.append(Imported(source, article))
        return True
    kept = versions.kept_fields(article.read_text(encoding="utf-8"))
    title = story.headline or title_and_slug(story.copy)[0]
    fields, data = _article(story, kept.get("item"), source, key.partition("#")[0], site_dir, config, agency,
                            slug=kept["slug"], title=title, keep={"date": kept["date"]} if "date" in kept else None)
    atomic_write(article, data)
    versions.rewritten(manifest, site_dir, article, data)
    manifest[key] = ManifestEntry(source.name, relative, sha256(data))
    save_manifest(site_dir, manifest)
    agency.articles.record(story.guid or "", versions.Imported(article, story.version, story.version_created))
    agency.embargoes.pop(relative, None)
    if fields.get("embargo") is not None:
        agency.embargoes[relative] = fields["embargo"].isoformat()
    report.updated.append(Imported(source, article))
    return True


def _lift_embargoes(site_dir: Path, manifest: dict[str, ManifestEntry], agency: _Agency,
                    report: ImportReport) -> bool:
    """Publish the embargoed drafts whose time has come; True when the manifest changed."""
    changed = False
    for relative in versions.due_embargoes(agency.embargoes, agency.now):
        del agency.embargoes[relative]
        article = site_dir / relative
        if not article.is_file():
            continue  # deleted by an editor
        text = article.read_text(encoding="utf-8")
        if not versions.is_draft(text):
            continue  # already published by an editor
        if versions.edited_since_import(article, manifest, site_dir):
            report.warnings.append(f"{relative}: its embargo is over, but it was edited since import and is left "
                                   "as it is; remove 'draft: true' to publish it")
            continue
        data = versions.set_draft(text, False).encode("utf-8")
        atomic_write(article, data)
        versions.rewritten(manifest, site_dir, article, data)
        report.released.append(Imported(article, article))
        changed = True
    return changed
