#!/usr/bin/env python3
"""Measure learned topic tags against the Reuters-21578 editors' TOPICS labels.

    .venv/bin/python bench/learned_tags.py [--work bench/work/learned] [--curve 200,1000,5000] [--limit N] [--agency]

Makes a site whose archive is the train split as Markdown articles (the editors' headline as title,
their topics as tags: hand-written articles, so all of them teach), then imports the test split's
wire files into copies of it three ways: keyword rules alone (a hand-written `topics:` list for the ten
most frequent topics), learned tags alone (no keyword list), and both. Prints precision, recall and F1
per topic and micro/macro F1 over the test articles that carry one of the ten topics, the training
time, the model's size on disk, the import speed with and without the learned tagger, and the
learning curve (learned tags alone, trained on the N most recent tagged articles). With --agency, the
test files are also imported wrapped as ninjs JSON (an agency's format: the same words, no headline),
learned tags alone, to check that an agency story gets the tags its plain-text copy gets.

Everything is written under the git-ignored bench/work/: the corpus is for research only and must
never be committed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml  # noqa: E402
from harness.corpus import reuters_wire  # noqa: E402

from dateline.config import load_config  # noqa: E402
from dateline.ingest import import_paths  # noqa: E402
from dateline.ingest.article import enrich, escape_markdown, render_article  # noqa: E402
from dateline.ingest.learned_tags import current_model, model_path, training_set  # noqa: E402
from dateline.ingest.parse import parse_wire  # noqa: E402
from dateline.ingest.tag_model import article_text  # noqa: E402

TEN = ("earn", "acq", "money-fx", "grain", "crude", "trade", "interest", "ship", "wheat", "corn")
# Written from general knowledge of the topics, before looking at any article: what a newsroom would type.
KEYWORDS = {
    "earn": ["earnings", "profit", "net income", "quarterly results", "dividend", "per share", "revenue"],
    "acq": ["acquisition", "acquire", "merger", "takeover", "buyout", "stake", "tender offer"],
    "money-fx": ["currency", "exchange rate", "dollar", "yen", "foreign exchange", "central bank intervention",
                 "devaluation"],
    "grain": ["grain", "cereal", "harvest", "wheat", "corn", "barley", "rice", "sorghum"],
    "crude": ["crude oil", "oil price", "opec", "barrel", "petroleum", "oil output"],
    "trade": ["trade deficit", "trade surplus", "tariff", "imports", "exports", "protectionism", "trade talks"],
    "interest": ["interest rate", "prime rate", "discount rate", "rate cut", "basis points", "lending rate"],
    "ship": ["shipping", "vessel", "tanker", "port", "freight", "cargo", "strike at the port"],
    "wheat": ["wheat", "durum", "flour"],
    "corn": ["corn", "maize"],
}
SITE_YAML = """\
title: Reuters archive
base_url: https://example.org/
import:
  name_tags: false
  learned_tags:
    enabled: {learned}
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, default=ROOT / "bench" / "work" / "learned")
    parser.add_argument("--curve", default="200,1000,5000", help="archive sizes for the learning curve ('' for none)")
    parser.add_argument("--limit", type=int, default=0, help="import only the first N test files (0: all)")
    parser.add_argument("--speed", type=int, default=1000,
                        help="time importing the first N test files with and without learned tags (0: skip)")
    parser.add_argument("--repeat", type=int, default=3, help="turns of the speed measurement")
    parser.add_argument("--agency", action="store_true",
                        help="also import the test files wrapped as ninjs (learned tags alone) and compare")
    args = parser.parse_args()
    work = args.work.resolve()
    if work.is_relative_to(ROOT) and not work.is_relative_to(ROOT / "bench" / "work"):
        parser.error(f"{work}: write the corpus outside the repository or under bench/work/ (git-ignored)")
    wire = {split: reuters_wire(work / f"wire-{split}", split, quiet=True) for split in ("train", "test")}
    train = [json.loads(line) for line in (wire["train"] / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    test = [json.loads(line) for line in (wire["test"] / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    if args.limit:
        test = test[:args.limit]
    tagged = [t for t in train if t["topics"]]
    print(f"archive: {len(train)} train-split articles, {len(tagged)} tagged; "
          f"{len(test)} test-split wire files, {sum(1 for t in test if set(t['topics']) & set(TEN))} "
          f"carrying one of the ten topics; load average {os.getloadavg()[0]:.2f}")

    archive = work / "archive"
    make_archive(archive, train, wire["train"])
    seconds, state = train_afresh(archive)
    print(f"training: {seconds:.1f} s on {state.model.articles} tagged articles, scikit-learn's import and reading "
          f"the archive included ({sum(s.used for s in state.model.stats)} of {len(state.model.stats)} tags used); "
          f"model {model_path(archive).stat().st_size / 1024 / 1024:.1f} MiB on disk; "
          f"load average {os.getloadavg()[0]:.2f}")

    runs = {}
    for name, keywords, learned in (("keywords", KEYWORDS, False), ("learned", {}, True), ("both", KEYWORDS, True)):
        runs[name] = run_import(archive, work / f"site-{name}", wire["test"], test, keywords, learned)
        print(f"imported ({name}): {runs[name]['seconds']:.1f} s, {len(test) / runs[name]['seconds']:.0f} "
              f"articles/s; load average {os.getloadavg()[0]:.2f}")
    print()
    print_table(runs, test)
    if args.agency:
        print()
        compare_agency(archive, work, wire["test"], test, runs["learned"])
    if args.speed:
        print()
        measure_tagger(archive, wire["test"], test[:args.speed], args.repeat)
        measure_speed(archive, wire["test"], test[:args.speed], args.repeat)
    if args.curve:
        print()
        print("Learning curve (learned tags alone; archive = the N most recent tagged articles):")
        print()
        print("| archive articles | training s | tags used | micro-F1 | macro-F1 |")
        print("|---:|---:|---:|---:|---:|")
        by_date = sorted(tagged, key=lambda t: (t["date"], t["newid"]))
        for size in [int(n) for n in args.curve.split(",") if n]:
            smaller = work / f"archive-{size}"
            make_archive(smaller, by_date[-size:], wire["train"])
            seconds, state = train_afresh(smaller)
            result = run_import(smaller, work / f"site-{size}", wire["test"], test, {}, True)
            micro, macro = scores(result["tags"], test)[-1]
            used = sum(s.used for s in state.model.stats) if state.model else 0
            print(f"| {size:,} | {seconds:.1f} | {used} | {micro:.3f} | {macro:.3f} |")
    return 0


def as_ninjs(copy, name: str) -> dict:
    """Wire copy as an agency would send it in ninjs: the same words in body_text, its place, source and day; no
    headline (the wire files have none: both paths take the title from the lead)."""
    return {"uri": f"urn:bench:reuters:{name}", "type": "text",
            "versioncreated": f"{copy.date.isoformat()}T12:00:00+00:00", "located": copy.dateline,
            "copyrightholder": copy.source, "body_text": "\n\n".join(copy.paragraphs)}


def compare_agency(archive: Path, work: Path, wire: Path, test: list[dict], text_run: dict) -> None:
    """Import TEST wrapped as ninjs into a copy of ARCHIVE, learned tags alone, and compare with the plain-text
    import (TEXT_RUN): F1, and the files whose tags differ."""
    folder = work / "ninjs-test"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for truth in test:
        copy = parse_wire((wire / truth["file"]).read_bytes())
        item = as_ninjs(copy, truth["file"])
        (folder / truth["file"]).write_text(json.dumps(item, ensure_ascii=False), encoding="utf-8")
    run = run_import(archive, work / "site-ninjs", folder, test, {}, True)
    print(f"imported (learned, ninjs): {run['seconds']:.1f} s, {len(test) / run['seconds']:.0f} articles/s; "
          f"load average {os.getloadavg()[0]:.2f}")
    print()
    print("| learned tags alone | micro-F1 | macro-F1 | files | tags differ from plain text |")
    print("|---|---:|---:|---:|---:|")
    for name, tags in (("plain text", text_run["tags"]), ("ninjs", run["tags"])):
        micro, macro = scores(tags, test)[-1]
        differ = sum(1 for t in test if tags.get(t["file"]) != text_run["tags"].get(t["file"]))
        print(f"| {name} | {micro:.3f} | {macro:.3f} | {len(tags):,} | {differ:,} |")


def make_archive(site: Path, articles: list[dict], wire: Path) -> None:
    """A site whose articles are ARTICLES as an editor would have written them (written once, then kept)."""
    stamp = site / ".archive-complete"
    if stamp.is_file() and stamp.read_text() == str(len(articles)):
        return
    shutil.rmtree(site, ignore_errors=True)
    (site / "content" / "articles").mkdir(parents=True)
    (site / "site.yaml").write_text(SITE_YAML.format(learned="true"), encoding="utf-8")
    for truth in articles:
        copy = parse_wire((wire / truth["file"]).read_bytes())
        fields = {"title": truth["title"] or copy.lead[:60], "date": copy.date, "source": "Reuters",
                  "tags": truth["topics"]}
        path = site / "content" / "articles" / f"{copy.date:%Y/%m}" / f"{truth['newid']:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        body = "\n\n".join(escape_markdown(paragraph) for paragraph in copy.paragraphs)
        path.write_text(render_article(fields, body), encoding="utf-8")
    stamp.write_text(str(len(articles)))


def train_afresh(site: Path):
    """Seconds to train SITE's model from nothing (no model, no scan cache), and the outcome."""
    for cached in (site / ".dateline-cache").glob("learned-tags*"):
        cached.unlink()
    started = time.monotonic()
    state = current_model(site, load_config(site).import_.learned_tags)
    assert state.model is not None and state.trained, state.warnings
    return time.monotonic() - started, state


def measure_tagger(archive: Path, wire: Path, test: list[dict], repeat: int) -> None:
    """The learned tagger's own cost in an import: once per batch (the archive checked against the model's
    digest, the model read) and per story (scoring it), medians of REPEAT runs."""
    config = load_config(archive)
    settings = config.import_.learned_tags
    batch = []
    for _ in range(repeat):
        started = time.perf_counter()
        state = current_model(archive, settings)
        batch.append(time.perf_counter() - started)
    assert state.model is not None and not state.trained
    texts = []
    for truth in test:
        copy = parse_wire((wire / truth["file"]).read_bytes())
        draft = enrich(copy, config)
        texts.append(article_text(draft.title, draft.body))
    per_story = []
    for _ in range(repeat):
        started = time.perf_counter()
        for text in texts:
            state.model.predict(text)
        per_story.append((time.perf_counter() - started) / len(texts))
    print(f"The learned tagger's cost in an import ({len(state.training.articles):,} teaching articles, median of "
          f"{repeat}; load average {os.getloadavg()[0]:.2f}): {statistics.median(batch):.2f} s once per batch "
          f"(archive checked, model read), {statistics.median(per_story) * 1000:.2f} ms per story.")
    print()


def measure_speed(archive: Path, wire: Path, test: list[dict], repeat: int) -> None:
    """Import TEST into fresh copies of ARCHIVE (model trained, scan cache warm), learned tags off and on in
    turns (the order swapped every turn); keyword topics in both. The copies are all made, and the disk
    synced, before the first import: writing back 12,865 copied files would slow whichever import came next."""
    sites = {}
    for turn in range(repeat):
        for learned in (False, True):
            site = archive.parent / f"site-speed-{turn}-{'on' if learned else 'off'}"
            shutil.rmtree(site, ignore_errors=True)
            shutil.copytree(archive, site)
            config = SITE_YAML.format(learned="true" if learned else "false")
            (site / "site.yaml").write_text(config + yaml.safe_dump({"topics": KEYWORDS}), encoding="utf-8")
            training_set(site)  # the copy's files have new inodes: read them once, as the first import would
            sites[turn, learned] = site
    os.sync()
    seconds: dict[bool, list[float]] = {False: [], True: []}
    for turn in range(repeat):
        for learned in (False, True) if turn % 2 == 0 else (True, False):
            site = sites[turn, learned]
            started = time.monotonic()
            report = import_paths([wire / t["file"] for t in test], site, load_config(site))
            seconds[learned].append(time.monotonic() - started)
            assert len(report.written) + len(report.unchanged) == len(test) and not report.notes
            os.sync()
    for site in sites.values():
        shutil.rmtree(site)
    off, on = (statistics.median(seconds[learned]) for learned in (False, True))
    print(f"Import speed, {len(test)} files into the {archive.name} site, median of {repeat} alternating turns "
          f"(load average {os.getloadavg()[0]:.2f}):")
    print()
    print("| learned tags | seconds | articles/s |")
    print("|---|---:|---:|")
    print(f"| off | {off:.2f} | {len(test) / off:.0f} |")
    print(f"| on | {on:.2f} | {len(test) / on:.0f} |")
    print(f"| on / off | {on / off:.2f}x | |")


def run_import(archive: Path, site: Path, wire: Path, test: list[dict], keywords: dict, learned: bool) -> dict:
    """Import the test files into a copy of ARCHIVE (with its trained model); the tags each file got."""
    shutil.rmtree(site, ignore_errors=True)
    shutil.copytree(archive, site)
    config = SITE_YAML.format(learned="true" if learned else "false")
    if keywords:
        config += yaml.safe_dump({"topics": keywords}, sort_keys=False)
    (site / "site.yaml").write_text(config, encoding="utf-8")
    started = time.monotonic()
    report = import_paths([wire / t["file"] for t in test], site, load_config(site))
    seconds = time.monotonic() - started
    assert not report.rejected, report.rejected[:3]
    tags = {}
    for imported in report.written + report.unchanged:  # a file whose bytes another one has is imported once
        text = imported.article.read_text(encoding="utf-8")
        fields = yaml.safe_load(text.split("---\n", 2)[1])
        tags[imported.source.name] = set(fields.get("tags", []))
    return {"seconds": seconds, "tags": tags}


def scores(tags: dict[str, set[str]], test: list[dict]) -> list[tuple]:
    """Per topic (topic, precision, recall, F1), then (micro-F1, macro-F1), over the test articles with a topic."""
    rows, totals, f1s = [], [0, 0, 0], []
    chosen = [t for t in test if set(t["topics"]) & set(TEN)]
    for topic in TEN:
        found = sum(1 for t in chosen if topic in tags.get(t["file"], ()) and topic in t["topics"])
        given = sum(1 for t in chosen if topic in tags.get(t["file"], ()))
        actual = sum(1 for t in chosen if topic in t["topics"])
        precision, recall = found / given if given else 0.0, found / actual if actual else 0.0
        f1 = 2 * found / (given + actual) if given + actual else 0.0
        rows.append((topic, precision, recall, f1))
        totals = [totals[0] + found, totals[1] + given, totals[2] + actual]
        f1s.append(f1)
    micro = 2 * totals[0] / (totals[1] + totals[2]) if totals[1] + totals[2] else 0.0
    return [*rows, (micro, sum(f1s) / len(f1s))]


def print_table(runs: dict, test: list[dict]) -> None:
    results = {name: scores(run["tags"], test) for name, run in runs.items()}
    print("| topic | " + " | ".join(f"{name} P / R / F1" for name in runs) + " |")
    print("|---|" + "---:|" * len(runs))
    for number, topic in enumerate(TEN):
        cells = [f"{p:.2f} / {r:.2f} / **{f:.3f}**" for _, p, r, f in (results[name][number] for name in runs)]
        print(f"| {topic} | " + " | ".join(cells) + " |")
    print("| **micro-F1** | " + " | ".join(f"**{results[name][-1][0]:.3f}**" for name in runs) + " |")
    print("| **macro-F1** | " + " | ".join(f"**{results[name][-1][1]:.3f}**" for name in runs) + " |")


if __name__ == "__main__":
    sys.exit(main())
