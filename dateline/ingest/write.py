"""The importer's disk edge: atomic writes, the import manifest, and what content/articles already holds."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

ARTICLES = Path("content") / "articles"
INBOX = Path("content") / "inbox"
MANIFEST = Path("content") / ".imported.json"
AGENCY_STATE = Path("content") / ".agency.json"  # agency stories' pending embargoes and early kills (versions.py)
_SLUG_LINE = re.compile(r"^slug:[ \t]*['\"]?([\w-]+)['\"]?[ \t]*$", re.MULTILINE)
# `imported_from: {file: x.txt, sha256: <hex>}` as the importer writes it, or as a block an editor reflowed
_SOURCE_HASH = re.compile(r"^(?:imported_from:.*|[ \t]+)\bsha256:[ \t]*['\"]?([0-9a-f]{64})\b", re.MULTILINE)
_FRONT_MATTER = re.compile(r"\A(?:\ufeff)?---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.DOTALL)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def atomic_write(path: Path, data: bytes, *, exclusive: bool = False) -> bool:
    """Write PATH through a temporary file in the same folder, so readers never see half a file.

    With EXCLUSIVE, never replace an existing file: return False if PATH appeared meanwhile.
    """
    return commit(write_temporary(path, data), path, exclusive=exclusive)


def write_temporary(path: Path, data: bytes, *, folder_exists: bool = False) -> str:
    """DATA in a hidden temporary file beside PATH (builds and scans ignore hidden files); its path."""
    if not folder_exists:
        path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
    except BaseException:
        os.unlink(temporary)
        raise
    return temporary


def commit(temporary: str, path: Path, *, exclusive: bool) -> bool:
    """Flush TEMPORARY to disk, then give it PATH's name (with EXCLUSIVE, only if PATH does not exist).

    The file is on disk before it has its name, so even a power cut never leaves half an article.
    """
    try:
        handle = os.open(temporary, os.O_RDONLY)
        try:
            os.fsync(handle)
        finally:
            os.close(handle)
        if exclusive:
            try:
                os.link(temporary, path)  # fails if PATH exists: two imports can never clobber each other
            except FileExistsError:
                return False
            except OSError:  # file systems without hard links
                if path.exists():
                    return False
                os.replace(temporary, path)
        else:
            os.replace(temporary, path)
        return True
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


class ArticleWriter:
    """Commits articles on a few threads while the importer goes on with the next stories.

    Waiting for the disk (fsync) was most of an import's wall time; the waits of several files
    overlap each other and the next articles' enrichment (fsync releases the GIL).
    """

    def __init__(self, threads: int = 8) -> None:
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="dateline-import")
        self._folders: set[Path] = set()

    def write(self, path: Path, data: bytes) -> Future[bool]:
        """Start writing DATA as a new file PATH; the future says whether PATH was free (exclusive)."""
        if path.parent not in self._folders:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._folders.add(path.parent)
        temporary = write_temporary(path, data, folder_exists=True)
        return self._pool.submit(commit, temporary, path, exclusive=True)

    def close(self) -> None:
        self._pool.shutdown(wait=True)


@dataclass(frozen=True)
class ManifestEntry:
    file: str  # the original's file name
    article: str  # the written article, relative to the site folder
    written_sha256: str  # hash of the bytes we wrote: a different hash now means an editor changed it


def load_manifest(site_dir: Path) -> tuple[dict[str, ManifestEntry], str | None]:
    """Source sha256 -> entry, and a warning when the manifest could not be read (it is then rebuilt)."""
    path = site_dir / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {sha: ManifestEntry(**entry) for sha, entry in data["imported"].items()}, None
    except FileNotFoundError:
        return {}, None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        # The articles' own imported_from fields still prevent duplicates; only edit detection
        # for articles imported before is lost, and those are then never overwritten either.
        return {}, f"{path}: unreadable import manifest ({exc}); rebuilt from the articles' imported_from fields"


def save_manifest(site_dir: Path, manifest: dict[str, ManifestEntry]) -> None:
    """Write the manifest atomically: one source per line (json's indent= runs its encoder in Python,
    ten times slower than one C-encoded line per entry)."""
    entries = ",\n".join(f"  {json.dumps(sha)}: {json.dumps(vars(entry), ensure_ascii=False)}"
                         for sha, entry in sorted(manifest.items()))
    text = '{"version": 1, "imported": {\n' + entries + "\n}}\n"
    atomic_write(site_dir / MANIFEST, text.encode("utf-8"))


@dataclass(frozen=True)
class ExistingArticles:
    slugs: set[str]  # every slug in use, so a new article never shares a URL with an old one
    by_source: dict[str, Path]  # imported_from.sha256 -> article file


def scan_articles(site_dir: Path) -> ExistingArticles:
    """Slugs and import hashes of the articles already in content/articles (front matter only).

    Read with two line patterns rather than a YAML parser: this runs over every article of a site
    before an import writes anything, and the importer writes both keys on lines of their own.
    """
    slugs: set[str] = set()
    by_source: dict[str, Path] = {}
    root = site_dir / ARTICLES
    for path in sorted(root.rglob("*.md")) if root.is_dir() else []:
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue  # a temporary of an interrupted write, or an editor's backup
        slugs.add(re.sub(r"^\d{4}-\d{2}-\d{2}-", "", path.stem))
        try:
            head = _FRONT_MATTER.match(path.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            continue  # unreadable: the build reports it; its file name still reserves its slug
        if head is None:
            continue
        slug = _SLUG_LINE.search(head.group(1))
        if slug:
            slugs.add(slug.group(1))
        source = _SOURCE_HASH.search(head.group(1))
        if source:
            by_source.setdefault(source.group(1), path)
    return ExistingArticles(slugs, by_source)


class LazyExisting:
    """What content/articles holds, scanned when first needed: an import of copy that is all in the
    manifest already (the inbox on every build) never reads the articles."""

    def __init__(self, site_dir: Path) -> None:
        self._site_dir = site_dir
        self._scanned: ExistingArticles | None = None

    def get(self) -> ExistingArticles:
        if self._scanned is None:
            self._scanned = scan_articles(self._site_dir)
        return self._scanned


def article_path(site_dir: Path, date_text: str, slug: str) -> Path:
    """content/articles/2025/09/2025-09-11-<slug>.md"""
    year, month, _ = date_text.split("-")
    return site_dir / ARTICLES / year / month / f"{date_text}-{slug}.md"
