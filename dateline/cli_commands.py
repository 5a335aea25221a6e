"""The commands besides build: new, import, tags, serve, check and publish, run with their parsed arguments.

What each calls and what it prints. Apart from cli.py, which imports this module only when one of these
commands runs, so that build (the default command, whose no-change run is the quickest) loads none of it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from dateline.cli import check_scheduler, import_inbox, print_warnings
from dateline.command import program
from dateline.errors import DatelineError, SourceError

if TYPE_CHECKING:
    from dateline.publish import CheckedBuild


def _new(args: argparse.Namespace) -> int:
    import shlex

    from dateline.scaffold import create_site

    prog, where = program(), shlex.quote(str(args.directory))
    created = create_site(args.directory, build_command=f"{prog} build --site {where}", language=args.language)
    print(f"Created a new site in {created}.\nPreview it with:  {prog} serve --site {where}\n"
          f"Build it with:    {prog} build --site {where}")
    return 0


def _import(args: argparse.Namespace) -> int:
    from dateline.config import load_config
    from dateline.ingest import import_paths

    report = import_paths(args.paths, args.site, load_config(args.site))
    for line in report.lines():
        print(line)
    return 1 if report.rejected else 0


def _tags(args: argparse.Namespace) -> int:
    from dateline.config import load_config
    from dateline.ingest.learned_tags import current_model
    from dateline.ingest.parse import NotWireCopy
    from dateline.ingest.tag_report import describe, explain

    config = load_config(args.site)
    settings = config.import_.learned_tags
    data = b""
    if args.explain is not None:
        try:
            data = args.explain.read_bytes()
        except OSError as exc:
            raise DatelineError(SourceError(args.explain, f"cannot read the file: {exc.strerror or exc}")) from None
    if not settings.enabled:
        print("Learned tags are off (site.yaml: import.learned_tags.enabled: false); imports use topics alone.")
        return 0
    state = current_model(args.site, settings)
    for line in state.notes:
        print(line)
    for warning in state.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if args.explain is None:
        lines = describe(args.site, state, config)
    else:
        try:
            lines = explain(state, config, args.explain, data)
        except NotWireCopy as exc:
            raise DatelineError(SourceError(args.explain, exc.message, exc.line)) from None
    for line in lines:
        print(line)
    return 0


def _serve(args: argparse.Namespace) -> int:
    from dateline.serve import serve

    return serve(args)


def _checked_build(args: argparse.Namespace) -> CheckedBuild:
    from dateline.publish import checked_build, site_clock

    now = site_clock(args.now)
    check_scheduler(args.scheduler)
    import_inbox(args.site, args.base_url, quiet=args.quiet)
    checked = checked_build(args.site, args.output, base_url=args.base_url, now=now, scheduler=args.scheduler)
    print_warnings(checked.build.warnings)
    if checked.search_problem:
        print(checked.search_problem, file=sys.stderr)
    return checked


def _check(args: argparse.Namespace) -> int:
    checked = _checked_build(args)
    for problem in checked.problems:
        print(problem, file=sys.stderr)
    if checked.problems:
        count = len(checked.problems)
        print(f"{count} problem{'s' if count > 1 else ''} in {checked.build.output}.", file=sys.stderr)
        return 1
    if not args.quiet:
        print(f"Checked {checked.build.files} files in {checked.build.output}: no problems.")
        for line in _check_summary(checked):
            print(f"  {line}")
    return 0


def _check_summary(checked: CheckedBuild) -> list[str]:
    """What the production build holds and what it left out, below check's verdict."""
    pages = sum(1 for _ in checked.build.output.rglob("*.html"))
    search = "none (see above)" if checked.search_problem else "made (pagefind/)"
    lines = [f"{_count(checked.build.articles, 'article')} on {_count(pages, 'page')}; search index: {search}"]
    for names, why in ((checked.drafts, "draft"), (checked.embargoed, "dated after the production clock (--now)")):
        if names:
            shown = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
            lines.append(f"left out, {why}: {shown}")
    return lines


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"


def _publish(args: argparse.Namespace) -> int:
    from dateline.publish import publish, publish_target, site_clock

    now = site_clock(args.now)
    target = publish_target(args.site, args.to)  # an address Dateline cannot publish to stops it before any import
    check_scheduler(args.scheduler)
    import_inbox(args.site, args.base_url, quiet=args.quiet)
    try:
        report = publish(args.site, target, output=args.output, base_url=args.base_url, now=now,
                         dry_run=args.dry_run, scheduler=args.scheduler)
    except DatelineError as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        print(f"{len(exc.errors)} problem(s): nothing was published.", file=sys.stderr)
        return 1
    print_warnings(report.checked.build.warnings)
    if report.checked.search_problem:
        print(report.checked.search_problem, file=sys.stderr)
    for line in report.changes.lines():
        if args.dry_run or not args.quiet:
            print(("would " if args.dry_run else "") + line)
    if not args.quiet or args.dry_run:
        summary = f"{len(report.changes.upload)} to upload, {len(report.changes.delete)} to delete"
        verb = "Would publish" if args.dry_run else "Published"
        print(f"{verb} to {report.target}: {summary}" if report.changes else f"{report.target} is up to date.")
    return 0


# cli.py's parser names the command; this table runs it.
COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "new": _new, "import": _import, "tags": _tags, "serve": _serve, "check": _check, "publish": _publish}
