"""What an import did, file by file: the report the CLI prints and the tests read."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dateline.errors import SourceError


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
                + self.notes
                + [f"warning: {warning}" for warning in self.warnings])
