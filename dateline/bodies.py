"""Article bodies and teasers kept out of a full build's memory: in a file, read back when a page shows one.

A full build holds every article's view until its pages are rendered; the bodies are most of what the
views say (about 1 KB an article). In memory they cost three times over: in the build's process, and again
in each process forked from it that reads them (the snapshot's saver reads all of them, a render worker those
of its pages), since reading a Python object writes its reference count and so copies the memory page that
holds it. Parked here, a body is bytes in a file (the kernel's page cache, which no process holds) until an
article page or a feed shows it: a read of a few microseconds. The {% cached %} fragments (teasers, about 1 KB
each, two per article) go into the same file as the build's first round of rendering records them (render.py's
park_fragments), where they were a buffer in the parent of 190 MB at 100,000 articles. See docs/internals.md,
"A cold build's memory".
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from markupsafe import Markup

_FLUSH_AT = 1 << 20  # bytes gathered before they are written: one system call per megabyte, not per body

_process = [os.getpid()]  # this process's id, kept by fork (store() asks once per teaser recorded)
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=lambda: _process.__setitem__(0, os.getpid()))


class BodyFile:
    """An unnamed temporary file (nothing is left of it however the build ends) holding bodies one after the
    other. Bodies are written by the process that made the views, before any process reads one back; processes
    forked from it read them through the same file descriptor (os.pread, which moves no shared offset)."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self._file = tempfile.TemporaryFile(dir=folder, prefix=".bodies-")  # beside the caches, on their disk
        self._pending = bytearray()
        self._written = 0
        self._owner = _process[0]  # the one process that writes to it (see store)

    def __enter__(self) -> BodyFile:
        return self

    def __exit__(self, *_: object) -> None:
        self._file.close()

    def park(self, views: Iterable[Any]) -> None:
        """Move the body of each of VIEWS (views.ArticleView) into this file; the views read it from here."""
        from dateline.views import held_body, hold_body

        for view in views:
            held = held_body(view)
            if type(held) is Markup:
                hold_body(view, self.keep(held))
        self.flush()

    def park_articles(self, articles: Iterable[Any], files: Iterable[Any]) -> None:
        """Move the body of each of ARTICLES (model.Article) and FILES (the model.ArticleFields that the article
        cache saves) into this file, before a process is forked to save that cache: it then reads each body back
        rather than copying it (and every Markup the parent holds) out of the parent's memory. The views made
        from the articles hold where their bodies are (see park)."""
        parked: dict[int, tuple[Markup, StoredBody]] = {}  # by the body's id (kept alive here meanwhile)
        for held_by in (files, articles):
            for fields in held_by:
                held = fields.__dict__["body_html"]  # frozen dataclasses: replaced without their __setattr__
                if type(held) is Markup:
                    found = parked.get(id(held))
                    if found is None:
                        found = parked[id(held)] = held, self.keep(held)
                    fields.__dict__["body_html"] = found[1]
        self.flush()

    def keep(self, body: Markup) -> StoredBody:
        return StoredBody(self, self.store(body.encode()))  # type: ignore[arg-type]  # (the owner's: an int)

    def store(self, data: bytes) -> int | bytes:
        """Where DATA is kept in this file from now on (its start << 32 | its length), for read_bytes(); DATA itself
        in a process forked after the file was made, which keeps what it adds in its own memory: processes share
        the file's offset, so only its maker appends to it."""
        if _process[0] != self._owner:
            return data
        start = self._written + len(self._pending)
        self._pending += data
        if len(self._pending) >= _FLUSH_AT:
            self.flush()
        return start << 32 | len(data)

    def flush(self) -> None:
        view = memoryview(self._pending)
        while view:
            view = view[os.write(self._file.fileno(), view):]
        view.release()
        self._written += len(self._pending)
        self._pending.clear()

    def read(self, place: int) -> Markup:
        return Markup(self.read_bytes(place).decode())

    def read_bytes(self, place: int) -> bytes:
        """What store() kept at PLACE: from the file, or from the part not written yet (a teaser shown again
        soon after it was recorded; in a forked process, the part its parent had not written when it forked)."""
        start, length = place >> 32, place & 0xFFFFFFFF
        if start >= self._written:
            start -= self._written
            return bytes(self._pending[start:start + length])
        data = os.pread(self._file.fileno(), length, start)
        if len(data) != length:  # the file was cut short
            raise OSError(f"text is missing from the build's body file {self._file.name}")
        return data


class StoredBody:
    """Where an article's body is in a BodyFile (its start << 32 | its length in bytes). Pickled, it is the body
    itself, as the Markup would be: the snapshot and a cluster's workers get the text."""

    __slots__ = ("file", "place")

    def __init__(self, file: BodyFile, place: int) -> None:
        self.file = file
        self.place = place

    def read(self) -> Markup:
        return self.file.read(self.place)

    def __reduce__(self) -> tuple[Any, ...]:
        return Markup, (str(self.read()),)
