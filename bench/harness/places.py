"""Where the build benchmark finds the checkout, the peers and the corpus, and where a run's generated files go."""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent
ROOT = BENCH.parent
PEERS = BENCH / "peers"
VENV = BENCH / ".venv"
REQUIREMENTS = BENCH / "requirements-peers.txt"
DATELINE_PYTHON = ROOT / ".venv" / "bin" / "python"
TOOLS = ("dateline", "dateline-lean", "hugo", "pelican", "baseline")
# Dateline twice: with its default theme (the product), and with templates that render what the peers'
# templates render (bench/peers/dateline-lean/), to tell the engine's cost from the theme's.
DATELINE_TOOLS = ("dateline", "dateline-lean", "baseline")
# "baseline": another checkout of Dateline (--baseline DIR, e.g. a worktree of main) on a site of its own that
# is the same as "dateline"'s, run in turns with it: how a change moves Dateline's own times.


def size_label(size: int | None) -> str:
    return "all" if size is None else str(size)


def parse_sizes(text: str) -> list[int | None]:
    """'1000,all' -> [1000, None]: None is the whole collection."""
    sizes: list[int | None] = []
    for part in text.split(","):
        part = part.strip().lower()
        if part == "all":
            sizes.append(None)
        elif part.isdigit() and int(part) > 0:
            sizes.append(int(part))
        else:
            raise argparse.ArgumentTypeError(f"not a size: {part!r} (use numbers or 'all')")
    return sizes


@dataclass(frozen=True)
class Workspace:
    """A run's places: FOLDER holds everything it generates (--work, bench/work by default: wire files, sites,
    outputs, caches, logs, results.json); BASELINE is the other checkout of Dateline (--baseline), if any."""

    folder: Path = BENCH / "work"
    baseline: Path | None = None

    @property
    def wire(self) -> Path:
        return self.folder / "wire"

    @property
    def trash(self) -> Path:
        return self.folder / "trash"

    def site_dir(self, size: int | None, tool: str) -> Path:
        return self.folder / "sites" / size_label(size) / tool

    def out_dir(self, size: int | None, tool: str) -> Path:
        # One folder per tool around the output, so whatever a tool keeps beside its output folder
        # (Dateline's hidden twin tree ".public.next") goes when the folder is deleted for a cold build.
        return self.folder / "out" / size_label(size) / tool / "public"

    def hugo_cache(self, size: int | None) -> Path:
        return self.folder / "cache" / size_label(size) / "hugo"

    def log_stem(self, size: int | None, tool: str, repetition: int, kind: str) -> Path:
        return self.folder / "logs" / size_label(size) / f"{tool}-{repetition}-{kind}"

    def checkout(self, tool: str) -> Path:
        """The Dateline checkout a Dateline tool builds with."""
        return self.baseline if tool == "baseline" and self.baseline else ROOT

    def checkouts(self) -> tuple[Path, ...]:
        return (ROOT, self.baseline) if self.baseline else (ROOT,)
