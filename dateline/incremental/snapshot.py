"""What the last build was made of, kept so that an edited article is rebuilt without reading the rest.

A full build stores, in one SQLite file per output folder: the signature of every article file and the
digest of its placement (pages.Placement: what the page kinds declare they read of it, such as its URL,
dates and terms; and whether it is published), each article's view, and each page's data with articles
replaced by references. When only articles' text changed and no placement did, the site's structure is the
same: the pages showing those articles are exactly the pages that referenced them, and their data is the
stored data with the new views put in. Such a build reads and renders a few dozen pages whatever the size.
"""

from __future__ import annotations

import io
import os
import pickle
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any

from markupsafe import Markup

from dateline.fingerprint import digest
from dateline.model import ArticleFields
from dateline.pages import Placement
from dateline.views import ArticleView

FORMAT = 3
FileSignature = tuple[int, int, int]  # mtime_ns, size, inode


@dataclass(frozen=True)
class StoredPage:
    path: str
    template: str
    source: str
    root_relative_links: bool
    data: bytes  # the context, pickled with every article (its Placement) replaced by a reference to its URL
    refs: tuple[str, ...]  # URLs of the articles the context shows, in pickling order
    fingerprint: str = ""  # as the full build that wrote the snapshot computed it


def _view_reference(url: str) -> ArticleView:  # pragma: no cover - replaced on loading, see _ContextLoader
    raise RuntimeError(f"article {url} was not supplied")


class ArticleContentInPage(TypeError):
    """A page's data holds what an article says other than through the article's Placement: a page that would
    not change with the article (a developer's mistake, met by the first build that packs such a page)."""


# What carries an article's words: a page holding one would keep showing them after an edit.
_CONTENT = (ArticleView, ArticleFields, Markup)


class _ContextPickler(pickle.Pickler):
    """Pickles a page's context with each article as a reference (its view is stored once, by URL)."""

    def __init__(self, stream: io.BytesIO) -> None:
        super().__init__(stream, protocol=pickle.HIGHEST_PROTOCOL)
        self.refs: list[str] = []

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is Placement:
            self.refs.append(obj.url)
            return _view_reference, (obj.url,)
        if isinstance(obj, _CONTENT):
            raise ArticleContentInPage(f"a page's data holds {type(obj).__name__} {str(obj)[:60]!r}: pages show an "
                                       "article through its Placement only (see dateline/pages.py)")
        return NotImplemented


class _ContextLoader(pickle.Unpickler):
    def __init__(self, data: bytes, views: dict[str, ArticleView]) -> None:
        super().__init__(io.BytesIO(data))
        self._views = views

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__ and name == "_view_reference":
            return self._views.__getitem__
        return super().find_class(module, name)


def pack_context(context: dict[str, Any]) -> tuple[bytes, tuple[str, ...]]:
    """CONTEXT as bytes with its articles by reference, and the referenced URLs; raise ArticleContentInPage
    if it holds an article's words any other way."""
    stream = io.BytesIO()
    pickler = _ContextPickler(stream)
    pickler.dump(context)
    return stream.getvalue(), tuple(pickler.refs)


def unpack_context(data: bytes, views: dict[str, ArticleView]) -> dict[str, Any]:
    """Packed data with each article's view where its reference was."""
    return _ContextLoader(data, views).load()


_PLACEMENT_FIELDS = tuple(f.name for f in fields(Placement))


def placement_digest(placement: Placement | None, slug: str) -> str:
    """What decides which pages show an article and how lists are grouped and counted: its Placement (whose
    fields are what the page kinds read, pages.PAGE_KINDS), or None when it is not published; and the slug its
    file asks for, which the URL follows. An edit that changes this moves the article."""
    if placement is None:
        return digest(None)
    # dates as ISO text: every date is in the site's zone, and a datetime's repr costs several times as much
    return digest(slug, [value.isoformat() if isinstance(value, datetime) else value
                         for value in (getattr(placement, name) for name in _PLACEMENT_FIELDS)])


class StaleSnapshot(Exception):
    """The snapshot lacks what it should hold (or cannot be read): a full build is needed."""


@dataclass
class FileRecord:
    signature: FileSignature
    placement: str
    url: str  # "" when the article is not published (a draft, an embargoed story)


class BuildSnapshot:
    """The SQLite file describing one output folder: written whole by a full build (beside it, then renamed
    over it), updated in place by an edit's rebuild."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def for_output(cls, cache_root: Path, output: Path) -> BuildSnapshot:
        return cls(cache_root / f"snapshot-{digest(str(output))}.sqlite")

    def _connect(self) -> sqlite3.Connection | None:
        if not self.path.is_file():
            return None
        try:
            connection = sqlite3.connect(f"file:{self.path}?mode=rw", uri=True)
            (found,) = connection.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        except (sqlite3.Error, TypeError):
            return None
        if found != FORMAT:
            connection.close()
            return None
        return connection

    def read(self) -> SnapshotReader | None:
        connection = self._connect()
        return SnapshotReader(connection) if connection is not None else None

    @property
    def _pending(self) -> Path:
        return self.path.with_name(f".{self.path.name}.pending")

    def write_pending(self, *, signature: str, environment: str, files: dict[str, FileRecord],
                      views: dict[str, ArticleView], pages: Iterable[StoredPage]) -> None:
        """Write a full build's snapshot beside the current one; install() makes it the snapshot once
        output/ holds that build (one build at a time: the build lock). PAGES come in the order of their
        paths, and may be made as they are written: they are never all in memory."""
        temporary = self._pending
        temporary.unlink(missing_ok=True)
        shows: dict[str, list[str]] = defaultdict(list)

        def pages_showing() -> Iterator[StoredPage]:  # noting which page shows which article on the way
            for page in pages:
                for url in dict.fromkeys(page.refs):
                    shows[url].append(page.path)
                yield page
        connection = sqlite3.connect(temporary)
        try:
            connection.execute("PRAGMA journal_mode = OFF")  # a half-written temporary file is never used
            connection.execute("PRAGMA synchronous = OFF")
            connection.executescript(_SCHEMA)
            connection.executemany("INSERT INTO meta VALUES (?, ?)", [
                ("format", FORMAT), ("signature", signature), ("environment", environment)])
            # Rows are made one at a time as SQLite takes them (a large site's snapshot is never in memory
            # twice), in key order: appending to an index costs half as much as inserting all over it.
            connection.executemany("INSERT INTO files VALUES (?, ?, ?, ?, ?, ?)", (
                (key, *files[key].signature, files[key].placement, files[key].url) for key in sorted(files)))
            connection.executemany("INSERT INTO pages VALUES (?, ?, ?, ?, ?, ?, ?)", (
                (p.path, p.template, p.source, p.root_relative_links, p.data, "\n".join(p.refs), p.fingerprint)
                for p in pages_showing()))
            connection.executemany("INSERT INTO views VALUES (?, ?, ?)", (
                (url, pickle.dumps(views[url], protocol=pickle.HIGHEST_PROTOCOL), "\n".join(shows.get(url, ())))
                for url in sorted(views)))
            connection.commit()
        finally:
            connection.close()

    def pending_fingerprints(self) -> dict[str, str]:
        """Each page's fingerprint, from the snapshot written but not installed yet."""
        connection = sqlite3.connect(f"file:{self._pending}?mode=ro", uri=True)
        try:
            return dict(connection.execute("SELECT path, fingerprint FROM pages"))
        finally:
            connection.close()

    def install(self) -> None:
        os.replace(self._pending, self.path)

    def forget(self) -> None:
        """Drop the snapshot (output/ is about to change) and any pending one."""
        self.path.unlink(missing_ok=True)
        self._pending.unlink(missing_ok=True)


_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value);
CREATE TABLE files (key TEXT PRIMARY KEY, mtime INTEGER, size INTEGER, inode INTEGER, placement TEXT, url TEXT);
CREATE TABLE views (url TEXT PRIMARY KEY, view BLOB, pages TEXT);
CREATE TABLE pages (path TEXT PRIMARY KEY, template TEXT, source TEXT, root_relative INTEGER, data BLOB, refs TEXT,
                    fingerprint TEXT);
"""


class SnapshotReader:
    """Reads what an edit needs, and records the edit's build (one transaction, after output/ changed)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    def close(self) -> None:
        self._db.close()

    def _rows(self, sql: str, *parameters: Any) -> list[tuple]:
        try:
            return self._db.execute(sql, parameters).fetchall()
        except sqlite3.Error as exc:
            raise StaleSnapshot(str(exc)) from None

    def meta(self, key: str) -> Any:
        rows = self._rows("SELECT value FROM meta WHERE key = ?", key)
        return rows[0][0] if rows else None

    def files(self) -> dict[str, FileRecord]:
        return {key: FileRecord((mtime, size, inode), place, url)
                for key, mtime, size, inode, place, url in self._rows("SELECT * FROM files")}

    def file_records(self, keys: Iterable[str]) -> dict[str, FileRecord]:
        """The records of the files at KEYS; raise StaleSnapshot if one is missing."""
        found = {}
        for key in keys:
            rows = self._rows("SELECT * FROM files WHERE key = ?", key)
            if not rows:
                raise StaleSnapshot(f"no file {key}")
            _, mtime, size, inode, place, url = rows[0]
            found[key] = FileRecord((mtime, size, inode), place, url)
        return found

    def pages_showing(self, urls: Iterable[str]) -> list[str]:
        paths: dict[str, None] = {}
        for url in urls:
            for (shown_on,) in self._rows("SELECT pages FROM views WHERE url = ?", url):
                paths.update(dict.fromkeys(shown_on.split("\n") if shown_on else ()))
        return list(paths)

    def pages(self, paths: Iterable[str]) -> list[StoredPage]:
        found = []
        for path in paths:
            rows = self._rows("SELECT * FROM pages WHERE path = ?", path)
            if not rows:
                raise StaleSnapshot(f"no page {path}")
            row = rows[0]
            found.append(StoredPage(row[0], row[1], row[2], bool(row[3]), row[4],
                                    tuple(row[5].split("\n")) if row[5] else (), row[6]))
        return found

    def views(self, urls: Iterable[str]) -> dict[str, ArticleView]:
        views = {}
        for url in dict.fromkeys(urls):
            rows = self._rows("SELECT view FROM views WHERE url = ?", url)
            if not rows:
                raise StaleSnapshot(f"no article {url}")
            try:
                views[url] = pickle.loads(rows[0][0])
            except (pickle.UnpicklingError, EOFError, AttributeError, TypeError, ValueError) as exc:
                raise StaleSnapshot(f"article {url}: {exc}") from None
        return views

    def record_edit(self, *, signature: str, files: dict[str, FileRecord], views: dict[str, ArticleView]) -> None:
        try:
            self._record_edit(signature, files, views)
        except sqlite3.Error as exc:  # the snapshot no longer matches output/'s signature: never used again
            raise StaleSnapshot(str(exc)) from None

    def _record_edit(self, signature: str, files: dict[str, FileRecord], views: dict[str, ArticleView]) -> None:
        # Not synced to the disk (two fsyncs, 1-15 ms of an edit's build on a busy disk): like every cache and the
        # output itself, written for the next build of this machine, not to outlive a power cut; a process killed
        # mid-way still leaves SQLite's journal to roll the transaction back.
        self._db.execute("PRAGMA synchronous = OFF")
        with self._db:
            self._db.execute("UPDATE meta SET value = ? WHERE key = 'signature'", (signature,))
            self._db.executemany("UPDATE files SET mtime = ?, size = ?, inode = ? WHERE key = ?",
                                 [(*record.signature, key) for key, record in files.items()])
            self._db.executemany("UPDATE views SET view = ? WHERE url = ?",
                                 [(pickle.dumps(view, protocol=pickle.HIGHEST_PROTOCOL), url)
                                  for url, view in views.items()])
