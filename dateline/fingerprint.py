"""Fingerprints: a short hash of everything a page shows, so unchanged pages are neither rendered nor written."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from dateline.cache import load_keyed, save_keyed

PACKAGE_DIR = Path(__file__).resolve().parent


def digest(*parts: Any) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).hexdigest()


def text_digest(*texts: str) -> str:
    """A digest of TEXTS, each hashed as it is: repr() would first copy and escape all of an article's text."""
    hasher = hashlib.blake2b(digest_size=16)
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        hasher.update(len(data).to_bytes(8, "little"))  # so ("ab", "c") and ("a", "bc") differ
        hasher.update(data)
    return hasher.hexdigest()


@cache
def code_version() -> str:
    """A hash of Dateline's own code and data: a new version re-renders everything once."""
    sources = sorted(p for p in PACKAGE_DIR.rglob("*") if p.suffix in {".py", ".yaml", ".json"} and p.is_file())
    hasher = hashlib.blake2b(digest_size=16)
    for path in sources:
        hasher.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        hasher.update(path.read_bytes())
    hasher.update(f"{jinja2.__version__}".encode())
    return hasher.hexdigest()


class TemplateVersions:
    """The hash of a template together with every template it extends, includes or imports.

    Finding those means parsing every template; with a STORE file the answers are kept from one build
    to the next for as long as no template changes.
    """

    def __init__(self, env: jinja2.Environment, store: Path | None = None) -> None:
        self._env = env
        self._versions: dict[str, str] = {}
        self._store = store
        self._all_sources = ""
        if store is not None:
            self._all_sources = digest(sorted((name, self._source(name)) for name in env.list_templates()))
            self._versions = load_keyed(store, self._all_sources) or {}
        self._stored = len(self._versions)

    def save(self) -> None:
        if self._store is not None and len(self._versions) != self._stored:
            save_keyed(self._store, self._all_sources, self._versions)
            self._stored = len(self._versions)

    def __call__(self, name: str) -> str:
        if name not in self._versions:
            self._versions[name] = digest(*(self._source(n) for n in sorted(self._closure(name))))
        return self._versions[name]

    def _source(self, name: str) -> str:
        try:
            return self._env.loader.get_source(self._env, name)[0]  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            return ""

    def _closure(self, name: str) -> set[str]:
        seen: set[str] = set()
        pending = [name]
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            source = self._source(current)
            try:
                references = list(jinja2.meta.find_referenced_templates(self._env.parse(source)))
            except jinja2.TemplateSyntaxError:
                continue  # reported when the page is rendered
            if None in references:  # a computed template name: depend on every template
                return set(self._env.list_templates())
            pending.extend(r for r in references if r)
        return seen
