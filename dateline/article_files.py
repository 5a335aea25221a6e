"""The article files: every Markdown file under content/articles/, and one file's bytes -> its front matter and
body as text (SourceText), or the error saying why the file is not an article (too big, binary, not UTF-8, no
front matter).

Apart from content.py and front_matter.py, which load and check articles, because the importer and the learned
tags read the files too: this needs neither YAML nor Markdown, so the importer loads neither for it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from dateline.errors import SourceError
from dateline.layout import ARTICLES_DIR
from dateline.text import NOT_XML

# The longest real news articles are a few hundred KB; a bigger file is a mistake (a data dump, a pasted
# log) whose rendering would take minutes and whose page nobody could read.
MAX_ARTICLE_BYTES = 5 * 1024 * 1024
_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$")


ScannedFile = tuple[str, str, os.stat_result]  # path, path relative to content/articles, stat


def scan_article_files(site_dir: Path) -> list[ScannedFile]:
    """(path, path relative to content/articles, stat) of every article file, sorted by relative path.

    Hidden files and folders (editor backups, .git) are ignored."""
    root = site_dir / ARTICLES_DIR
    found: list[ScannedFile] = []
    pending = [(str(root), "")]
    while pending:
        folder, prefix = pending.pop()
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_dir(follow_symlinks=False):
                pending.append((entry.path, f"{prefix}{entry.name}/"))
            elif entry.name.endswith(".md") and entry.is_file():
                found.append((entry.path, prefix + entry.name, entry.stat()))  # Path() only when needed
    found.sort(key=lambda item: item[1])
    return found



@dataclass(frozen=True)
class SourceText:
    """An article file split into its front matter and Markdown body."""

    path: Path
    front_matter: str
    body: str


def split_front_matter(path: Path, raw: bytes) -> SourceText:
    """Split '---' front matter from the body; raise SourceError if the file is not an article."""
    if len(raw) > MAX_ARTICLE_BYTES:
        raise SourceError(path, f"the file is {len(raw) / 1024 / 1024:.1f} MB; an article may be at most "
                                f"{MAX_ARTICLE_BYTES // 1024 // 1024} MB: is this really an article?", None)
    if b"\x00" in raw:
        raise SourceError(path, "this is a binary file, not a Markdown article", None)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SourceError(path, f"not valid UTF-8 text (byte {exc.start}); save the file as UTF-8", line) from None
    text = NOT_XML.sub("", text)
    lines = text.splitlines(keepends=True)
    if not text.strip():
        raise SourceError(path, "the file is empty; an article needs front matter with a title and a date", 1)
    if not lines or lines[0].strip() != "---":
        raise SourceError(path, "an article must start with a '---' line, then its front matter "
                                "(title, date...), then another '---' line", 1)
    for index in range(1, len(lines)):
        if _FENCE.match(lines[index].rstrip("\r\n")):
            return SourceText(path, "".join(lines[1:index]), "".join(lines[index + 1:]))
    raise SourceError(path, "the front matter is never closed: add a '---' line after it", 1)
