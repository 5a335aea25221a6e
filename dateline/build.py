"""The build, start to end: config -> articles -> taxonomies -> pages -> output; every command calls it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dateline.config import load_config
from dateline.content import load_articles
from dateline.errors import SourceError
from dateline.model import Site
from dateline.output import Staging
from dateline.pages import site_pages, sitemap_page
from dateline.render import THEME_DIR, make_environment, render_pages
from dateline.taxonomy import build_taxonomies


@dataclass(frozen=True)
class BuildResult:
    output: Path
    articles: int
    files: int
    warnings: list[SourceError]
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage


def build_site(site_dir: Path, output: Path | None = None, *, drafts: bool = False, base_url: str | None = None,
               on_stage: Callable[[str, float], None] | None = None) -> BuildResult:
    """Build SITE_DIR into OUTPUT (default SITE_DIR/output); raise DatelineError listing every problem.

    The previous output stays untouched unless the whole build succeeds.
    """
    site_dir = site_dir.resolve()
    output = (output or site_dir / "output").resolve()
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    def stage_done(name: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[name] = now - clock
        clock = now
        if on_stage:
            on_stage(name, timings[name])

    config = load_config(site_dir, base_url=base_url)
    articles, warnings = load_articles(site_dir, config, drafts=drafts)
    stage_done("load")
    site = Site(config=config, site_dir=site_dir, articles=tuple(articles), taxonomies=build_taxonomies(articles))
    stage_done("taxonomies")

    env = make_environment(site_dir, config)
    staging = Staging(output)
    try:
        html_files = []
        for page, data in render_pages(env, site_pages(site)):
            staging.write(page.path, data, page.source)
            if page.path.endswith(".html"):
                html_files.append(page.path)
        for page, data in render_pages(env, [sitemap_page(site, html_files)]):
            staging.write(page.path, data, page.source)
        stage_done("render")
        for static_dir in _static_dirs(site_dir):
            staging.copy_tree(static_dir, "static/")
        files = len(list(staging.written()))
        staging.commit()
    except BaseException:
        staging.discard()
        raise
    stage_done("write")
    return BuildResult(output=output, articles=len(articles), files=files, warnings=warnings, timings=timings)


def _static_dirs(site_dir: Path) -> list[Path]:
    dirs = [THEME_DIR / "static", site_dir / "static"]
    return [d for i, d in enumerate(dirs) if d.is_dir() and d.resolve() not in [e.resolve() for e in dirs[:i]]]
