"""Commands: build, new, import, tags, serve, check, publish. Argument parsing and printing only; the work is
elsewhere."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from dateline import __version__
from dateline.command import program
from dateline.errors import DatelineError, SourceError

if TYPE_CHECKING:
    from dateline.publish import CheckedBuild


def run() -> None:
    """The process's entry point (build.py, the `dateline` script): main(), then a fast exit after a build.

    A build leaves hundreds of thousands of objects behind (articles, views, pages, fragments), and the
    interpreter's exit frees them one by one: 0.1 s at 10,000 articles, after the work is done. By then
    everything a build writes is closed and its processes are joined; only the standard streams need
    flushing. Other commands (the preview's threads, publishing's clients) exit the usual way.
    """
    try:
        code, command = _main(sys.argv[1:], _parser())
    except KeyboardInterrupt:  # Ctrl-C before main() took over: still no traceback
        raise SystemExit(130) from None
    if command == "build":
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    raise SystemExit(code)


def main(argv: list[str] | None = None, parser: argparse.ArgumentParser | None = None) -> int:
    """Run the command line ARGV (default: the process's); return the exit status."""
    return _main(list(sys.argv[1:] if argv is None else argv), parser or _parser())[0]


def _main(argv: list[str], parser: argparse.ArgumentParser) -> tuple[int, str | None]:
    """The exit status, and the command that ran (None when the command line was not understood)."""
    try:
        args = parser.parse_args(_command_line(parser, argv))
    except _UsageError as exc:
        print(exc, file=sys.stderr)
        return 1, None
    try:
        _check_folders(args)
        return args.run(args), args.command
    except DatelineError as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        count = len(exc.errors)
        consequence = "; the output folder was left as it was" if args.command == "build" else ""
        print(f"{count} error{'s' if count > 1 else ''}{consequence}.", file=sys.stderr)
        return 1, args.command
    except KeyboardInterrupt:
        return 130, args.command


class _UsageError(Exception):
    """A command line argparse cannot read: printed with what to type instead, exit status 1."""


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors raised (exit status 1 like every other error, and a pointer to --help)."""

    def error(self, message: str):  # type: ignore[override]
        raise _UsageError(f"{self.format_usage()}{self.prog}: error: {message}\n"
                          f"Run `{self.prog} --help` for what it takes.")


def _command_line(parser: argparse.ArgumentParser, argv: list[str]) -> list[str]:
    """ARGV with its command first: `python build.py [build options]` builds the site in the current folder."""
    commands = parser.command_names  # type: ignore[attr-defined]
    if argv and not argv[0].startswith("-") and argv[0] not in commands:  # build takes no positional argument
        import difflib

        guess = difflib.get_close_matches(argv[0], sorted(commands), n=1)
        hint = f" Did you mean `{parser.prog} {guess[0]}`?" if guess else ""
        raise _UsageError(f"{parser.prog}: unknown command {argv[0]!r}.{hint} The commands are: "
                          f"{', '.join(commands)} (`{parser.prog} --help` says what each does).")
    if not argv or (argv[0] not in commands and argv[0] not in ("-h", "--help", "--version")):
        return ["build", *argv]
    return argv


def _parser() -> argparse.ArgumentParser:
    prog = program()
    parser = _Parser(prog=prog, description="Dateline: build a static news digest.",
                     epilog=f"Run `{prog} COMMAND --help` for a command's options.")
    parser.add_argument("--version", action="version", version=f"Dateline {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    build = commands.add_parser("build", help="import the inbox, then build the site into output/ (the default)",
                                description="Import new files from content/inbox/, then build the site.")
    _site_options(build)
    build.add_argument("--output", type=Path, help="output folder (default: SITE/output)")
    build.add_argument("--base-url", help="override site.yaml's base_url, e.g. https://example.org/news/")
    build.add_argument("--drafts", action="store_true", help="include articles marked draft: true")
    build.add_argument("--quiet", "-q", action="store_true", help="print only warnings and errors")
    build.add_argument("--verify", action="store_true",
                       help="check that every file of the output folder is still there and make again any deleted "
                            "or truncated by hand (other builds trust the files the last build wrote)")
    _cluster_option(build)
    build.set_defaults(run=_build)

    new = commands.add_parser("new", help="create a new site that builds at once",
                              description="Scaffold a site: site.yaml, content/articles, content/inbox, an example.")
    new.add_argument("directory", type=Path, metavar="DIR",
                     help="the folder to create the site in: a new folder, or an empty one")
    new.add_argument("--language", default="en", metavar="CODE",
                     help="the language its pages are written in: en (the default), fr, es, de, pt, ar, or another "
                          "language code such as pt-BR (docs/languages.md)")
    new.set_defaults(run=_new)

    importer = commands.add_parser("import", help="turn raw wire copy into articles",
                                   description="Import raw wire files (or folders of them) into content/articles/. "
                                               "Files dropped into the site's content/inbox/ need no command: "
                                               "every build and the preview import them first.")
    importer.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                          help="a raw wire file, or a folder of them (several may be given)")
    _site_options(importer)
    importer.set_defaults(run=_import)

    tags = commands.add_parser("tags", help="what the importer learned from the site's tagged articles",
                               description="Per tag: tagged articles in the archive, the learned tagger's "
                                           "cross-validated precision and recall, and whether imports use it.")
    _site_options(tags)
    tags.add_argument("--explain", type=Path, metavar="FILE",
                      help="show the tags a wire or agency file would get, and the words that weighed most")
    tags.set_defaults(run=_tags)

    serve = commands.add_parser("serve", help="preview the site with live reload",
                                description="Build the site, serve it on 127.0.0.1 and rebuild on every change.")
    _site_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=_port, default=8000, help="port to serve on (default 8000; 0: any free port)")
    serve.add_argument("--open", action="store_true", help="open the preview in a web browser")
    serve.add_argument("--poll", action="store_true", help="poll for changes (for network drives)")
    serve.add_argument("--drafts", action="store_true", help="include articles marked draft: true")
    serve.set_defaults(run=_serve)

    publish = commands.add_parser("publish", help="production build, checks, then upload the changes to a host",
                                  description="Build for production (no drafts, nothing dated in the future), check "
                                              "every page, then send only the changed files to --to.")
    _production_options(publish)
    publish.add_argument("--to", required=True, metavar="TARGET",
                         help="a folder (/var/www/html), rsync://host/module/path or [user@]host:path, "
                              "git+REPO[#BRANCH] (default branch gh-pages), or s3://BUCKET[/PREFIX]")
    publish.add_argument("--dry-run", action="store_true", help="list what would change; send nothing")
    publish.set_defaults(run=_publish)

    check = commands.add_parser("check", help="production build and every publish check, without publishing",
                                description="Build for production and check links, assets, HTML and feeds "
                                            "(exit status 1 on any problem: usable in CI).")
    _production_options(check)
    check.set_defaults(run=_check)
    parser.command_names = list(commands.choices)  # type: ignore[attr-defined]
    return parser


def _cluster_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--scheduler", type=_scheduler, metavar="tcp://HOST:PORT",
                        help="render the pages on the dask cluster of this scheduler (pip install 'dateline[cluster]';"
                             " see docs/scaling.md)")


def _scheduler(text: str) -> str:
    from dateline.cluster import scheduler_address  # imports no dask

    try:
        return scheduler_address(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _check_cluster(scheduler: str | None) -> None:
    """A --scheduler that cannot work stops the command before it imports or builds anything."""
    if scheduler is not None:
        from dateline.cluster import check_cluster

        check_cluster(scheduler)


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return int(text)


def _production_options(parser: argparse.ArgumentParser) -> None:
    _site_options(parser)
    parser.add_argument("--output", type=Path, help="output folder (default: SITE/output)")
    parser.add_argument("--base-url", help="override site.yaml's base_url, e.g. https://example.org/news/")
    parser.add_argument("--now", metavar="ISO-TIME", help="the site's clock (default: SOURCE_DATE_EPOCH or now): "
                                                          "articles dated later are left out")
    parser.add_argument("--quiet", "-q", action="store_true", help="print only warnings and problems")
    _cluster_option(parser)


def _site_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", type=Path, default=Path("."), help="the site's folder (default: current folder)")


def _check_folders(args: argparse.Namespace) -> None:
    """Refuse a --site or --output an editor mistyped, before anything is read or written."""
    site: Path | None = getattr(args, "site", None)
    if site is None:
        return
    from dateline.layout import check_site_folder

    check_site_folder(site)
    output: Path | None = getattr(args, "output", None)
    if output is not None:
        _check_output(site, output)


def _check_output(site: Path, output: Path) -> None:
    """Each build replaces the whole --output folder (see output.py): never let that be a file, the site's own
    folders, or a folder of someone else's files."""
    def refuse(message: str) -> DatelineError:
        return DatelineError(SourceError(output, f"{message}; nothing was changed"))

    if output.exists() and not output.is_dir():
        raise refuse("--output must be a folder (each build replaces it whole), and this is a file")
    target, site = output.resolve(), site.resolve()
    if target == site or target in site.parents:
        raise refuse("--output must not be the site's folder or a folder around it: each build replaces it "
                     "whole. Use a folder of its own, such as output/")
    for name in ("content", "templates", "static", "locales", ".dateline-cache", ".preview"):
        if target.is_relative_to(site / name):
            raise refuse(f"--output must not be inside the site's {name}/ folder: use a folder of its own, "
                         "such as output/")
    if target.is_dir() and not _looks_built(target) and any(target.iterdir()):
        raise refuse("this folder holds files that are not a Dateline site, and each build replaces the "
                     "folder whole: pass a new or empty folder (or empty this one first)")


def _looks_built(folder: Path) -> bool:
    """Whether FOLDER holds a site Dateline built: every build writes these three."""
    return all((folder / name).is_file() for name in ("404.html", "robots.txt", "sitemap.xml"))


def _print_warnings(warnings: list[SourceError]) -> None:
    for warning in warnings:
        print(f"{warning.path}{':' + str(warning.line) if warning.line else ''}: warning: {warning.message}",
              file=sys.stderr)


def _build(args: argparse.Namespace) -> int:
    from dateline.build import build_site
    from dateline.progress import ProgressBar

    _check_cluster(args.scheduler)
    _import_inbox(args.site, args.base_url, quiet=args.quiet)
    bar = ProgressBar() if not args.quiet else None
    try:
        result = build_site(args.site, args.output, drafts=args.drafts, base_url=args.base_url, progress=bar,
                            scheduler=args.scheduler, verify_output=args.verify)
    finally:
        if bar:
            bar.close()
    _print_warnings(result.warnings)
    if not args.quiet:
        seconds = sum(result.timings.values())
        noun = "article" if result.articles == 1 else "articles"
        print(f"Built {result.articles} {noun} into {result.output} ({result.files} files) in {seconds:.2f} s")
    return 0


def _import_inbox(site: Path, base_url: str | None, *, quiet: bool) -> None:
    """Import new raw files from content/inbox/ first; a file that is not wire copy is warned about (once) and
    left where it is, and the build goes on."""
    from dateline.inbox import import_inbox_for_build, needs_import

    if not needs_import(site):
        return
    from dateline.config import load_config

    imported = import_inbox_for_build(site, load_config(site, base_url=base_url))
    for line in imported.lines():
        problem = line.startswith("warning")
        if problem or not quiet:
            print(line, file=sys.stderr if problem else sys.stdout)
    _print_warnings(imported.warnings)


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
    _check_cluster(args.scheduler)
    _import_inbox(args.site, args.base_url, quiet=args.quiet)
    checked = checked_build(args.site, args.output, base_url=args.base_url, now=now, scheduler=args.scheduler)
    _print_warnings(checked.build.warnings)
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
    _check_cluster(args.scheduler)
    _import_inbox(args.site, args.base_url, quiet=args.quiet)
    try:
        report = publish(args.site, target, output=args.output, base_url=args.base_url, now=now,
                         dry_run=args.dry_run, scheduler=args.scheduler)
    except DatelineError as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        print(f"{len(exc.errors)} problem(s): nothing was published.", file=sys.stderr)
        return 1
    _print_warnings(report.checked.build.warnings)
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
