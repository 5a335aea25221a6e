"""Save -> reloaded page: how long an editor waits for the preview, on 1,000- and 10,000-article sites.

    .venv/bin/python bench/reload.py                 # 1,000 and 10,000 articles, 5 saves each
    .venv/bin/python bench/reload.py --sizes 1000 --saves 10
    .venv/bin/python bench/reload.py --site ../archive-copy   # an existing site (its preview and cache kept)

Builds a synthetic site per size in bench/work/reload-N/ (varied countries, tags and days), starts the
preview server in this process on a free port, opens an article in headless Chromium (Debian's
/usr/bin/chromium), then repeatedly edits that article on disk and times until the page has reloaded
by itself and shows the new text. A benchmark, not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from dateline.serve import Preview  # noqa: E402

WORK = REPO / "bench" / "work"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
COUNTRIES = ["LT", "LV", "EE", "PL", "BY", "UA", "DE", "FR", "GB", "US", "CA", "MX", "BR", "AR", "CL", "JP", "CN",
             "IN", "KE", "NG", "ZA", "EG", "TR", "IL", "AU", "NZ", "ID", "VN", "KR", "SE"]
TAGS = ["economy", "elections", "diplomacy", "energy", "climate", "health", "human rights", "technology", "sport",
        "culture", "security", "trade", "transport", "agriculture", "science", "courts", "migration", "media"]
WORDS = ("officials said the government would review the plan after talks with regional partners on "
         "prices wages exports and the budget while opposition leaders called for a vote").split()


def make_site(articles: int) -> Path:
    """A site with ARTICLES synthetic articles (reused if already generated)."""
    site = WORK / f"reload-{articles}"
    marker = site / ".complete"
    if marker.exists():
        return site
    shutil.rmtree(site, ignore_errors=True)
    folder = site / "content" / "articles"
    folder.mkdir(parents=True)
    (site / "content" / "inbox").mkdir()
    (site / "site.yaml").write_text("title: Reload Benchmark\nbase_url: https://example.org/news/\n"
                                    "timezone: Europe/Vilnius\narticles_per_page: 20\n", encoding="utf-8")
    rng = random.Random(articles)
    start = date(2024, 1, 1)
    for number in range(articles):
        day = start + timedelta(days=number * 730 // articles)
        countries = rng.sample(COUNTRIES, rng.randint(1, 3))
        tags = rng.sample(TAGS, rng.randint(1, 3))
        body = "\n\n".join(" ".join(rng.choice(WORDS) for _ in range(60)).capitalize() + "." for _ in range(4))
        (folder / f"{day.year}" / f"{number:05d}.md").parent.mkdir(exist_ok=True)
        (folder / f"{day.year}" / f"{number:05d}.md").write_text(
            f"---\ntitle: Report number {number} from {countries[0]}\nslug: report-{number}\n"
            f"date: {day.isoformat()}T{rng.randint(6, 22):02d}:{rng.randint(0, 59):02d}:00+00:00\n"
            f"countries: [{', '.join(countries)}]\ntags: [{', '.join(tags)}]\n---\n\n{body}\n", encoding="utf-8")
    marker.touch()
    return site


def measure(articles: int, saves: int, site: Path | None = None, port: int = 0) -> dict:
    from playwright.sync_api import sync_playwright

    if site is None:
        site = make_site(articles)
        shutil.rmtree(site / ".preview", ignore_errors=True)  # a cold first build, then warm rebuilds
        shutil.rmtree(site / ".dateline-cache", ignore_errors=True)
        target = next((site / "content" / "articles").rglob(f"{articles // 2:05d}.md"))
    else:  # the middle article of a site given: a copy, whose preview and cache are kept between runs
        files = sorted((site / "content" / "articles").rglob("*.md"))
        articles, target = len(files), files[len(files) // 2]
    logs: list[str] = []
    original = target.read_text(encoding="utf-8")
    started = time.perf_counter()
    with Preview(site, port=port, log=logs.append) as preview:
        preview.start()
        snapshot = preview.state.wait_epoch(0, timeout=3600)
        first_build = time.perf_counter() - started
        if snapshot.errors:
            raise SystemExit(f"the first build failed: {snapshot.errors}")
        page_path = _page_of(target, preview)
        latencies, builds = [], []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            try:
                page = browser.new_page()
                page.set_default_timeout(600_000)
                page.goto(preview.url + page_path)
                for attempt in range(saves):
                    page.wait_for_function("() => window.__datelineState !== undefined")
                    new_text = f"Benchmark edit {attempt} {time.time_ns()}"
                    logged = len(logs)
                    saved = time.perf_counter()
                    target.write_text(original.replace("\n\n", f"\n\n{new_text}\n\n", 1), encoding="utf-8")
                    page.wait_for_function(f"() => document.body && document.body.innerText.includes({new_text!r})",
                                           polling="raf")
                    latencies.append(time.perf_counter() - saved)
                    builds.extend(float(m.group(1)) for line in logs[logged:]
                                  if (m := re.search(r" in ([0-9.]+) s", line)))
            finally:
                browser.close()
        target.write_text(original, encoding="utf-8")
    return {"articles": articles, "first_build": first_build, "latencies": latencies, "builds": builds}


def _page_of(article: Path, preview: Preview) -> str:
    """The article's page path, read from the preview the server built."""
    slug = re.search(r"^slug: (.+)$", article.read_text(encoding="utf-8"), re.MULTILINE).group(1)
    found = next(preview.server.preview_dir.glob(f"*/*/*/{slug}/index.html"))
    return found.parent.relative_to(preview.server.preview_dir).as_posix() + "/"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--saves", type=int, default=5)
    parser.add_argument("--site", type=Path, help="measure this site (a copy: its middle article is edited) "
                                                   "instead of generating one per size")
    parser.add_argument("--port", type=int, default=0, help="the preview's port (default: any free one); with "
                        "--site give one, as the preview's pages link to it: another port rebuilds them all")
    args = parser.parse_args()
    commit = subprocess.run(["git", "-C", str(REPO), "describe", "--always", "--dirty"], capture_output=True,
                            text=True).stdout.strip()
    results = [measure(0, args.saves, args.site.resolve(), args.port)] if args.site else \
        [measure(size, args.saves) for size in args.sizes]
    print(f"\nSave -> reloaded page (Dateline {commit}, {args.saves} saves per site, headless Chromium)\n")
    print("| articles | first build (s) | save -> reload median (s) | min (s) | max (s) | rebuild median (s) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for r in results:
        latencies, builds = r["latencies"], r["builds"]
        print(f"| {r['articles']:,} | {r['first_build']:.2f} | {statistics.median(latencies):.2f} | "
              f"{min(latencies):.2f} | {max(latencies):.2f} | "
              f"{statistics.median(builds) if builds else float('nan'):.2f} |")


if __name__ == "__main__":
    main()
