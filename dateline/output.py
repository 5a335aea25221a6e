"""Writing the site: a staging folder swapped in only when the whole build succeeded."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from dateline.errors import DatelineError, SourceError
from dateline.urls import UnsafePath, inside


class Staging:
    """A fresh folder beside OUTPUT that becomes OUTPUT on commit(); removed if the build fails.

    Beside, not inside /tmp, so the final rename stays on one file system and is atomic.
    """

    def __init__(self, output: Path) -> None:
        self.output = output.resolve()
        self.output.parent.mkdir(parents=True, exist_ok=True)
        self.root = self.output.parent / f".{self.output.name}.staging-{os.getpid()}"
        if self.root.exists():
            shutil.rmtree(self.root)
        self.root.mkdir()
        self._written: dict[str, str] = {}  # path -> what wrote it, to catch two outputs on one path

    def write(self, site_path: str, data: bytes, source: str) -> None:
        if site_path in self._written:
            first = self._written[site_path]
            raise DatelineError(SourceError(Path(source), f"{site_path} would be written twice: by {source} and by "
                                                          f"{first}; change a slug or the permalink"))
        try:
            target = inside(self.root, site_path)
        except UnsafePath as exc:
            raise DatelineError(SourceError(Path(source), f"refusing to write {exc}")) from None
        self._written[site_path] = source
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def copy_tree(self, source_dir: Path, prefix: str) -> None:
        """Copy a static folder in; later folders win over earlier ones (a site's static/ over the theme's)."""
        for path in sorted(source_dir.rglob("*")):
            if path.is_file() and not path.is_symlink() and not path.name.startswith("."):
                site_path = f"{prefix}{path.relative_to(source_dir).as_posix()}"
                self._written.pop(site_path, None)
                self.write(site_path, path.read_bytes(), str(path))

    def commit(self) -> None:
        """Swap the staging folder in place of OUTPUT; the previous output is removed only afterwards."""
        previous = self.output.parent / f".{self.output.name}.previous-{os.getpid()}"
        if self.output.exists():
            os.rename(self.output, previous)
        os.rename(self.root, self.output)
        if previous.exists():
            shutil.rmtree(previous)

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def written(self) -> Iterable[str]:
        return self._written.keys()
