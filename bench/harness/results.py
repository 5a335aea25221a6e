"""The benchmark's results: a Run per build, results.json, and the Markdown tables made from them."""

from __future__ import annotations

import json
import os
import platform
import statistics
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from .places import DATELINE_TOOLS, parse_sizes, size_label

Failures = dict[tuple[str, str], str]  # (tool, size label) -> why its row failed


@dataclass
class Run:
    """One build: a row of results.json's "runs" (its fields are the JSON's keys)."""

    tool: str
    size: str
    articles: int
    kind: str  # cold | nochange | edit | title
    repetition: int
    seconds: float
    peak_rss_mib: float  # largest single process (wait4 ru_maxrss)
    tree_rss_mib: float  # summed RSS of the process tree, sampled
    cpu_seconds: float
    returncode: int
    pages: int | None = None
    load: float | None = None  # 1-minute load average when the run started: how busy the machine was
    revision: str = ""  # Dateline's git revision for its runs (the checkout may move during a long run)
    tree_pss_mib: float | None = None  # summed PSS of the process tree, sampled (not in older results)
    cache_mib: float | None = None  # the tool's caches on disk after the run (Dateline's .dateline-cache)


def save_results(path: Path, runs: list[Run], tools: list[str], sizes: list[int | None], failed: Failures,
                 versions: dict[str, str], repeat: int) -> None:
    path.write_text(json.dumps(
        {"versions": versions, "repeat": repeat, "tools": tools,
         "sizes": [size_label(s) for s in sizes],
         "failed": [[tool, label, why] for (tool, label), why in failed.items()],
         "runs": [r.__dict__ for r in runs]}, indent=1))


def report_again(saved: Path, results: Path) -> int:
    """Write RESULTS' table again from SAVED, a results.json of an earlier run, and print it."""
    data = json.loads(saved.read_text(encoding="utf-8"))
    runs = [Run(**r) for r in data["runs"]]
    labels = data.get("sizes") or list(dict.fromkeys(r.size for r in runs))
    tools = data.get("tools") or list(dict.fromkeys(r.tool for r in runs))
    failed = {(tool, label): why for tool, label, why in data.get("failed", [])}
    table = report(runs, tools, parse_sizes(",".join(labels)), failed, data["versions"], data["repeat"])
    results.write_text(table, encoding="utf-8")
    print(table)
    return 0


def median_of(runs: list[Run], kind: str, measure: str = "seconds") -> float | None:
    values = [getattr(r, measure) for r in runs if r.kind == kind and r.returncode == 0]
    return statistics.median(values) if values else None


def fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def rows_by_size(runs: list[Run], sizes: list[int | None], cells_of: Callable[[str], list[str]]) -> list[str]:
    """A table row per size: its article count, then CELLS_OF(its label)."""
    rows = []
    for size in sizes:
        label = size_label(size)
        articles = next((r.articles for r in runs if r.size == label), label)
        rows.append(f"| {articles} | {' | '.join(cells_of(label))} |")
    return rows


def report(runs: list[Run], tools: list[str], sizes: list[int | None], failed: Failures,
           versions: dict[str, str], repeat: int) -> str:
    loads = [r.load for r in runs if r.load is not None]
    revisions = sorted({r.revision for r in runs if r.revision})
    lines = [f"# Dateline vs Pelican vs Hugo — {versions.get('finished', f'{datetime.now(UTC):%Y-%m-%d %H:%M} UTC')}",
             "",
             f"Machine: {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}. "
             f"Repetitions: {repeat} (tools alternate). Dateline at {versions['dateline']}; "
             f"Pelican {versions['pelican']}; Hugo {versions['hugo']}"
             + (f"; baseline Dateline at {versions['baseline']}." if "baseline" in versions else ".")]
    if loads:
        busy = os.cpu_count() or 1
        lines.append(f"Load average at the start of each run: median {statistics.median(loads):.1f}, "
                     f"max {max(loads):.1f}" + (f" — above {busy} the machine was busy with other work and "
                                                 "times are inflated; compare ratios" if max(loads) > busy else "")
                     + ".")
    if len(revisions) > 1:
        lines.append(f"Dateline changed during the run: {', '.join(revisions)} (see results.json per run).")
    lines += ["",
              "| tool | articles | cold build median s | no-change rebuild s | one-edit rebuild s | "
              "title-edit rebuild s | peak RSS MiB | tree RSS MiB | tree PSS MiB | cache MiB | pages written | "
              "cold CPU s |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    medians: dict[tuple[str, str], dict[str, float | None]] = {}
    for size in sizes:
        label = size_label(size)
        for tool in tools:
            mine = [r for r in runs if r.tool == tool and r.size == label]
            if not mine and (tool, label) not in failed:
                continue
            articles = mine[0].articles if mine else "?"
            ok = [r for r in mine if r.returncode == 0]
            cells = {kind: median_of(mine, kind) for kind in ("cold", "nochange", "edit", "title")}
            cells["cold_cpu"] = median_of(mine, "cold", "cpu_seconds")
            medians[(tool, label)] = cells
            peak = max((r.peak_rss_mib for r in ok), default=None)
            tree = max((r.tree_rss_mib for r in ok), default=None)
            pss = max((r.tree_pss_mib for r in ok if r.tree_pss_mib is not None), default=None)
            pages = next((r.pages for r in reversed(ok) if r.pages is not None), None)
            cache = max((r.cache_mib for r in ok if r.cache_mib is not None), default=None)
            name = tool if (tool, label) not in failed else f"{tool} (FAILED: {failed[(tool, label)]})"
            lines.append(f"| {name} | {articles} | {fmt(cells['cold'])} | {fmt(cells['nochange'])} | "
                         f"{fmt(cells['edit'])} | {fmt(cells['title'])} | {fmt(peak, 0)} | {fmt(tree, 0)} | "
                         f"{fmt(pss, 0)} | {fmt(cache, 0)} | {'—' if pages is None else pages} | "
                         f"{fmt(cells['cold_cpu'])} |")

    def ratio(mine_tool: str, label: str, peer: str, kind: str) -> str:
        mine = medians.get((mine_tool, label), {}).get(kind)
        theirs = medians.get((peer, label), {}).get(kind)
        return "—" if not mine or not theirs else f"{mine / theirs:.2f}"

    kinds = ("cold", "nochange", "edit", "cold_cpu")
    peers_measured = bool(set(tools) - set(DATELINE_TOOLS))
    for mine_tool in [t for t in tools if t in DATELINE_TOOLS and t != "baseline" and peers_measured]:
        theme = "its default theme" if mine_tool == "dateline" else "the peers' templates, bench/peers/dateline-lean/"
        lines += ["", f"Ratios for {mine_tool}: Dateline with {theme} (Dateline time / peer time; below 1 means "
                  "Dateline is faster):", "",
                  "| articles | cold Dateline/Hugo | cold Dateline/Pelican | no-change D/H | no-change D/P | "
                  "one-edit D/H | one-edit D/P | cold CPU D/H | cold CPU D/P |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        lines += rows_by_size(runs, sizes, lambda label, mine_tool=mine_tool: [
            ratio(mine_tool, label, peer, kind) for kind in kinds for peer in ("hugo", "pelican")])
    if "baseline" in tools and "dateline" in tools:
        lines += ["", "Dateline (this checkout) against its baseline (another checkout, --baseline), same site, in "
                  "turns (this / baseline; below 1 means this checkout is faster):", "",
                  "| articles | cold | no-change | one-edit | cold CPU |", "|---:|---:|---:|---:|---:|"]
        lines += rows_by_size(runs, sizes, lambda label: [ratio("dateline", label, "baseline", kind)
                                                           for kind in kinds])
    lines += ["", "Peak RSS: the largest single process (exact, from wait4), maximum over all runs. "
              "Tree RSS: the whole process tree summed, sampled every 50 ms, the lower of two readings in a row "
              "(shared pages counted per process). "
              "Tree PSS: the same, each shared page divided among the processes sharing it: the memory the whole "
              "build takes. "
              "Pages written: .html files in the output after a cold build; the sites are not page-for-page "
              "identical (see bench/README.md). Cold CPU s: user + system time of the build and its worker "
              "processes (median), less sensitive than wall time to other load on the machine.", ""]
    return "\n".join(lines)
