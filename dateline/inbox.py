"""The inbox before a build: new wire copy is imported, and a file that is not wire copy is warned about once.

`import` exits 1 on such a file (it was asked to import it); a build only meets it in the inbox, so it warns
(`path:line: warning: ...`) and goes on, leaving the file where it is. The warning is given by the first build
that meets the file, not on every build after it: which files were warned about, by path, size and
modification time, is kept in the cache folder, so a changed file is warned about again.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from dateline.cache import cache_dir, write_atomically
from dateline.errors import SourceError

if TYPE_CHECKING:
    from dateline.config import SiteConfig
    from dateline.ingest import ImportReport

WARNED = "inbox-warned.json"
# dateline.ingest.write's names for them, spelled here so a build with nothing to import never loads the importer
INBOX = Path("content") / "inbox"
AGENCY_STATE = Path("content") / ".agency.json"


@dataclass(frozen=True)
class InboxImport:
    report: ImportReport
    warnings: list[SourceError] = field(default_factory=list)  # rejected files not warned about before

    def lines(self, *, site_dir: Path | None = None) -> list[str]:
        """The report's lines for what was imported or kept, without the sources imported before (the inbox
        keeps its originals) and without the rejected files (see warnings)."""
        return [line for line in self.report.lines(site_dir=site_dir, skipped=False)
                if not line.startswith("rejected ")]


def needs_import(site_dir: Path) -> bool:
    """Whether a build's inbox step has work: files in content/inbox/, or embargoed agency stories waiting
    for their time (the first import after it publishes them, even with an empty inbox)."""
    inbox = site_dir / INBOX
    if inbox.is_dir() and any(not p.name.startswith(".") and p.is_file() for p in inbox.rglob("*")):
        return True
    try:
        state = json.loads((site_dir / AGENCY_STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(state, dict) and bool(state.get("embargoes"))


def import_inbox_for_build(site_dir: Path, config: SiteConfig) -> InboxImport:
    from dateline.ingest import import_inbox  # the importer's word lists load only when the inbox has files

    report = import_inbox(site_dir, config)
    record = cache_dir(site_dir) / WARNED
    try:
        warned_before = set(json.loads(record.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        warned_before = set()
    rejected = {_key(error.path): error for error in report.rejected}
    warnings = [SourceError(error.path, f"not imported: {error.message}; the file was left in the inbox",
                            error.line) for key, error in rejected.items() if key not in warned_before]
    if set(rejected) != warned_before:
        write_atomically(record, json.dumps(sorted(rejected)).encode("utf-8"))
    return InboxImport(report, warnings)


def _key(path: Path) -> str:
    path = path.resolve()
    try:
        stat = os.stat(path)
    except OSError:
        return str(path)
    return f"{path}|{stat.st_size}|{stat.st_mtime_ns}"
