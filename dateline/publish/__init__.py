"""Publishing: a production build, the checks, then only the changed files to a static host."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from dateline.article_files import scan_article_files
from dateline.build import BuildResult, build_site
from dateline.cache import cache_dir
from dateline.check import Problem, check_output
from dateline.config import load_config
from dateline.content import left_out
from dateline.errors import DatelineError, SourceError
from dateline.publish.targets import Changes, Target, parse_target
from dateline.search import SearchIndexer, ensure_index


@dataclass(frozen=True)
class CheckedBuild:
    build: BuildResult
    base_url: str
    problems: list[Problem]
    search_problem: str | None  # why the site has no search index, when it has none
    drafts: list[str] = field(default_factory=list)  # articles left out, by path relative to content/articles/
    embargoed: list[str] = field(default_factory=list)  # ...and those dated after the production clock


@dataclass(frozen=True)
class PublishReport:
    checked: CheckedBuild
    target: str  # what the site went to, in words
    changes: Changes
    dry_run: bool


def site_clock(now: str | None = None) -> datetime:
    """The production build's "now": --now (ISO 8601), else SOURCE_DATE_EPOCH (reproducible builds), else
    the computer's clock. Articles dated later are left out; the news sitemap counts back from it."""
    if now:
        try:
            moment = datetime.fromisoformat(now.replace("Z", "+00:00"))
        except ValueError:
            raise DatelineError(SourceError(Path("--now"), f"{now!r} is not an ISO 8601 date and time, "
                                                           "e.g. 2025-09-12T08:00:00+03:00")) from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except ValueError:
            raise DatelineError(SourceError(Path("SOURCE_DATE_EPOCH"), f"{epoch!r} is not a whole number of "
                                                                       "seconds")) from None
    return datetime.now(UTC)


def checked_build(site_dir: Path, output: Path | None = None, *, base_url: str | None = None,
                  now: datetime, scheduler: str | None = None) -> CheckedBuild:
    """The production build (no drafts, nothing dated after NOW, absolute URLs from base_url), its search
    index, and every problem the checks find in it. SCHEDULER: see build_site."""
    stamps = cache_dir(site_dir.resolve())
    indexer = SearchIndexer(stamps)
    # strict: a template's use of an undefined variable is an error here, not an empty string on the live site
    result = build_site(site_dir, output, base_url=base_url, published_before=now, after_render=indexer,
                        strict=True, scheduler=scheduler)
    search_problem = indexer.problem
    if not indexer.ran:  # nothing changed since the last build, which may have been a plain `build`
        search_problem = ensure_index(result.output, stamps)
    config = load_config(site_dir, base_url=base_url)
    # which articles were left out, read only when some were (a build with an error would have stopped)
    some_left_out = len(scan_article_files(site_dir)) != result.articles
    drafts, embargoed = left_out(site_dir, config, published_before=now) if some_left_out else ([], [])
    return CheckedBuild(result, config.base_url, check_output(result.output, config.base_url), search_problem,
                        drafts, embargoed)


def publish_target(site_dir: Path, to: str) -> Target:
    """The target --to TO names; raise DatelineError, before anything is built, if Dateline cannot publish there."""
    return parse_target(to, cache_dir(site_dir.resolve()) / "publish")


def publish(site_dir: Path, to: str | Target, *, output: Path | None = None, base_url: str | None = None,
            now: datetime, dry_run: bool = False, scheduler: str | None = None) -> PublishReport:
    """Build, check, and send the changes to TO; raise DatelineError (page: problem) if any check fails,
    before anything is sent."""
    target = publish_target(site_dir, to) if isinstance(to, str) else to
    checked = checked_build(site_dir, output, base_url=base_url, now=now, scheduler=scheduler)
    if checked.problems:
        raise DatelineError([SourceError(Path(p.page), p.message) for p in checked.problems])
    changes = target.plan(checked.build.output)
    if changes and not dry_run:
        target.apply(checked.build.output, changes)
    return PublishReport(checked, target.description, changes, dry_run)
