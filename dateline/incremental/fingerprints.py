"""Fingerprints: a short hash of everything a page shows, so unchanged pages are neither rendered nor written;
and the key of every cache, which changes with anything besides the site that shapes the output."""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from dateline.cache import load_keyed, save_keyed
from dateline.fingerprint import digest

if TYPE_CHECKING:  # Jinja is imported when templates are asked about: a build with nothing to do never is
    import jinja2

    from dateline.views import ArticleView

PACKAGE_DIR = Path(__file__).resolve().parent.parent


@cache
def code_version() -> str:
    """What shapes a build's output besides the site: Dateline's own code and data, the distributions it runs
    on (its dependencies and theirs: Jinja, python-markdown, nh3...) and Python. Every cache is keyed by it, so
    an upgrade of any of them re-renders everything once and "incremental equals clean" still holds."""
    sources = sorted(p for p in PACKAGE_DIR.rglob("*") if p.suffix in {".py", ".yaml", ".json", ".po"} and p.is_file())
    hasher = hashlib.blake2b(digest_size=16)
    for path in sources:
        hasher.update(path.relative_to(PACKAGE_DIR).as_posix().encode())
        hasher.update(path.read_bytes())
    hasher.update(repr((installed_distributions(), sys.version, sys.implementation.cache_tag)).encode())
    return hasher.hexdigest()


def installed_distributions() -> list[str]:
    """Every distribution installed where Python finds modules, with its version: the names of their
    `name-version.dist-info` (or .egg-info) folders. A listing costs a quarter of a millisecond, where asking
    importlib.metadata for Dateline's dependencies and theirs took 15; it is a superset of them, so installing
    anything re-renders once, and upgrading a dependency always does."""
    found: set[str] = set()
    for folder in dict.fromkeys(sys.path):
        try:
            names = os.listdir(folder or ".")
        except OSError:
            continue
        found.update(name for name in names if name.endswith((".dist-info", ".egg-info")))
    return sorted(found)


def page_fingerprint(version: str, data: bytes, refs: Iterable[str], views: dict[str, ArticleView]) -> str:
    """What a page shows: VERSION (site, template, path), its data and the articles it references."""
    hasher = hashlib.blake2b(version.encode(), digest_size=16)
    hasher.update(data)
    for url in refs:
        hasher.update(views[url].digest.encode())
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
        import jinja2

        try:
            return self._env.loader.get_source(self._env, name)[0]  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            return ""

    def _closure(self, name: str) -> set[str]:
        import jinja2.meta

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
