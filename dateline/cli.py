"""Commands: build, new, import, tags, serve, check, publish. Argument parsing and printing only; the work is
elsewhere.

This module parses every command line and runs build, the default command; the other commands are
cli_commands.py's, imported only when one of them runs, so that a build (above all one with nothing to do)
starts with as little as it can.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from dateline import __version__, interrupt
from dateline.command import program
from dateline.errors import DatelineError, SourceError


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
    except Exception as exc:
        if interrupt.from_ctrl_c(exc):  # one Python wrapped in another exception, such as a RuntimeError
            raise SystemExit(130) from None
        raise
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
        if interrupt.requested.is_set():  # errors that may come of the Ctrl-C itself (see interrupt.py)
            return 130, args.command
        for error in exc.errors:
            print(error, file=sys.stderr)
        count = len(exc.errors)
        consequence = "; the output folder was left as it was" if args.command == "build" else ""
        print(f"{count} error{'s' if count > 1 else ''}{consequence}.", file=sys.stderr)
        return 1, args.command
    except KeyboardInterrupt:
        return 130, args.command
    except Exception as exc:
        if interrupt.from_ctrl_c(exc):  # one Python wrapped in another exception (see interrupt.py)
            return 130, args.command
        raise


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
    new.set_defaults(run=_elsewhere)

    importer = commands.add_parser("import", help="turn raw wire copy into articles",
                                   description="Import raw wire files (or folders of them) into content/articles/. "
                                               "Files dropped into the site's content/inbox/ need no command: "
                                               "every build and the preview import them first.")
    importer.add_argument("paths", nargs="+", type=Path, metavar="PATH",
                          help="a raw wire file, or a folder of them (several may be given)")
    _site_options(importer)
    importer.set_defaults(run=_elsewhere)

    tags = commands.add_parser("tags", help="what the importer learned from the site's tagged articles",
                               description="Per tag: tagged articles in the archive, the learned tagger's "
                                           "cross-validated precision and recall, and whether imports use it.")
    _site_options(tags)
    tags.add_argument("--explain", type=Path, metavar="FILE",
                      help="show the tags a wire or agency file would get, and the words that weighed most")
    tags.set_defaults(run=_elsewhere)

    serve = commands.add_parser("serve", help="preview the site with live reload",
                                description="Build the site, serve it on 127.0.0.1 and rebuild on every change.")
    _site_options(serve)
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=_port, default=8000, help="port to serve on (default 8000; 0: any free port)")
    serve.add_argument("--open", action="store_true", help="open the preview in a web browser")
    serve.add_argument("--poll", action="store_true", help="poll for changes (for network drives)")
    serve.add_argument("--drafts", action="store_true", help="include articles marked draft: true")
    serve.set_defaults(run=_elsewhere)

    publish = commands.add_parser("publish", help="production build, checks, then upload the changes to a host",
                                  description="Build for production (no drafts, nothing dated in the future), check "
                                              "every page, then send only the changed files to --to.")
    _production_options(publish)
    publish.add_argument("--to", required=True, metavar="TARGET",
                         help="a folder (/var/www/html), rsync://host/module/path or [user@]host:path, "
                              "git+REPO[#BRANCH] (default branch gh-pages), or s3://BUCKET[/PREFIX]")
    publish.add_argument("--dry-run", action="store_true", help="list what would change; send nothing")
    publish.set_defaults(run=_elsewhere)

    check = commands.add_parser("check", help="production build and every publish check, without publishing",
                                description="Build for production and check links, assets, HTML and feeds "
                                            "(exit status 1 on any problem: usable in CI).")
    _production_options(check)
    check.set_defaults(run=_elsewhere)
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


def check_scheduler(scheduler: str | None) -> None:
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
    from dateline.layout import check_output_folder, check_site_folder

    check_site_folder(site)
    output: Path | None = getattr(args, "output", None)
    if output is not None:
        check_output_folder(site, output)


def print_warnings(warnings: list[SourceError]) -> None:
    for warning in warnings:
        print(f"{warning.path}{':' + str(warning.line) if warning.line else ''}: warning: {warning.message}",
              file=sys.stderr)


def _build(args: argparse.Namespace) -> int:
    from dateline.build import build_site
    from dateline.progress import ProgressBar

    check_scheduler(args.scheduler)
    import_inbox(args.site, args.base_url, quiet=args.quiet)
    bar = ProgressBar() if not args.quiet else None
    try:
        result = build_site(args.site, args.output, drafts=args.drafts, base_url=args.base_url, progress=bar,
                            scheduler=args.scheduler, verify_output=args.verify)
    finally:
        if bar:
            bar.close()
    print_warnings(result.warnings)
    if not args.quiet:
        seconds = sum(result.timings.values())
        noun = "article" if result.articles == 1 else "articles"
        print(f"Built {result.articles} {noun} into {result.output} ({result.files} files) in {seconds:.2f} s")
    return 0


def import_inbox(site: Path, base_url: str | None, *, quiet: bool) -> None:
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
    print_warnings(imported.warnings)


def _elsewhere(args: argparse.Namespace) -> int:
    """Run a command other than build: cli_commands.py's, imported only now."""
    from dateline.cli_commands import COMMANDS

    return COMMANDS[args.command](args)
