#!/usr/bin/env python3
"""Measure the importer against the Reuters-21578 editors' labels, and how fast it imports.

    .venv/bin/python bench/importer.py                       # quality on the test and train splits
    .venv/bin/python bench/importer.py --speed               # also: import speed, 5,458 and 19,043 files
    .venv/bin/python bench/importer.py --split train --show-titles 20

Runs ../shared/tools/reuters_to_wire.py to write the collection as raw wire files under the
git-ignored bench/work/ (the corpus is for research only and must never be committed), runs the
importer's parse and enrichment on each file exactly as `build.py import` does, and prints:

- countries: micro P/R/F1 of `countries` alone, and of `countries` + `mentioned_countries`;
- headlines: ROUGE-1 and ROUGE-L F against the editors' headlines, on prose leads and on tabular
  copy apart; the share ending on a function word; title words not in the copy, and of those the
  ones that are not an inflection of a word of the copy (invented words), by LemmInflect's lexicon;
- people and organisations: recall of the editors' PEOPLE and ORGS labels; precision on the
  hand-labelled sample in bench/entity_labels.tsv (article ids and verdicts only, never the copy);
  distinct names and how many are used once;
- with --speed: `build.py import` of the test split and of the whole collection into new sites,
  the two sizes taking turns (--repeat times), median wall time, files per second, the CPU time of
  the import and its workers, and the load average before each run (the machine is shared: quote
  the load, and the CPU time, which moves less with it).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from harness.corpus import reuters_wire  # noqa: E402

from dateline.config import load_config  # noqa: E402
from dateline.ingest.article import enrich  # noqa: E402
from dateline.ingest.parse import NotWireCopy, parse_wire  # noqa: E402
from dateline.ingest.title import FUNCTION_WORDS  # noqa: E402
from dateline.scaffold import create_site  # noqa: E402

WORK = ROOT / "bench" / "work"
LABELS = ROOT / "bench" / "entity_labels.tsv"
# Reuters ORGS codes -> the names the importer writes (data/organisations.yaml's canonical names).
ORG_NAMES = {
    "ec": "European Community", "imf": "International Monetary Fund", "opec": "OPEC",
    "gatt": "General Agreement on Tariffs and Trade",
    "oecd": "Organisation for Economic Co-operation and Development", "worldbank": "World Bank",
    "ico-coffee": "International Coffee Organization", "icco": "International Cocoa Organization",
    "itc": "International Tin Council", "un": "United Nations", "eib": "European Investment Bank",
    "adb-africa": "African Development Bank", "adb-asia": "Asian Development Bank",
    "fao": "Food and Agriculture Organization", "ida": "International Development Association",
    "inro": "International Natural Rubber Organization", "atpc": "Association of Tin Producing Countries",
    "bis": "Bank for International Settlements", "iea": "International Energy Agency",
    "iwc": "International Wheat Council", "isa": "International Sugar Organization",
    "ec-commission": "European Commission", "nato": "NATO", "who": "World Health Organization",
}


@dataclass
class Scores:
    articles: int = 0
    country_tp: int = 0
    country_predicted: int = 0
    both_tp: int = 0
    both_predicted: int = 0
    country_actual: int = 0
    rouge: dict[str, list[tuple[float, float]]] = field(default_factory=lambda: {"prose": [], "tabular": []})
    title_words: int = 0
    function_endings: int = 0
    titles: int = 0
    not_in_copy: int = 0
    invented: Counter[str] = field(default_factory=Counter)
    needs_title: int = 0
    people_labels: int = 0
    people_found: int = 0
    org_labels: int = 0
    org_found: int = 0
    people: Counter[str] = field(default_factory=Counter)
    organisations: Counter[str] = field(default_factory=Counter)


def tokens(text: str) -> list[str]:
    """ROUGE's tokens: lower case, runs of letters and digits (as the rouge-score package splits them)."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).split()


def rouge_1(candidate: list[str], reference: list[str]) -> float:
    overlap = sum((Counter(candidate) & Counter(reference)).values())
    if not overlap:
        return 0.0
    precision, recall = overlap / len(candidate), overlap / len(reference)
    return 2 * precision * recall / (precision + recall)


def rouge_l(candidate: list[str], reference: list[str]) -> float:
    if not candidate or not reference:
        return 0.0
    previous = [0] * (len(reference) + 1)
    for word in candidate:
        current = [0]
        for j, other in enumerate(reference):
            current.append(previous[j] + 1 if word == other else max(previous[j + 1], current[j]))
        previous = current
    lcs = previous[-1]
    if not lcs:
        return 0.0
    precision, recall = lcs / len(candidate), lcs / len(reference)
    return 2 * precision * recall / (precision + recall)


def is_prose(lead: str) -> bool:
    """A lead an editor would call prose: a sentence of eight words or more. The rest is tables and lists."""
    return len(lead.split()) >= 8 and lead.rstrip().endswith((".", '"', "”", "'"))


class Inflections:
    """LemmInflect's lexicon (a test/bench dependency): is a word a form of a word of the copy?"""

    def __init__(self) -> None:
        from lemminflect import getAllLemmas

        self._lemmas = getAllLemmas
        self._known: dict[str, frozenset[str]] = {}

    def lemmas(self, word: str) -> frozenset[str]:
        if word not in self._known:
            self._known[word] = frozenset({lemma for group in self._lemmas(word).values() for lemma in group} | {word})
        return self._known[word]

    def related(self, word: str, copy_words: set[str]) -> bool:
        """Whether WORD shares a lemma with a word of the copy ("rises" and "rose": rise)."""
        mine = self.lemmas(word)
        return any(mine & self.lemmas(other) for other in copy_words)


def measure(folder: Path, config, inflections: Inflections, show_titles: int) -> Scores:
    scores = Scores()
    for line in (folder / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        truth = json.loads(line)
        try:
            copy = parse_wire((folder / truth["file"]).read_bytes())
        except NotWireCopy:
            continue
        fields = enrich(copy, config).fields
        scores.articles += 1
        about = set(fields["countries"])
        both = about | set(fields.get("mentioned_countries", []))
        expected = set(truth["countries"])
        scores.country_tp += len(about & expected)
        scores.country_predicted += len(about)
        scores.both_tp += len(both & expected)
        scores.both_predicted += len(both)
        scores.country_actual += len(expected)

        title, reference = fields["title"], tokens(truth["title"])
        kind = "prose" if is_prose(copy.lead) else "tabular"
        if reference:
            scores.rouge[kind].append((rouge_1(tokens(title), reference), rouge_l(tokens(title), reference)))
        if show_titles and kind == "prose" and len(scores.rouge["prose"]) <= show_titles:
            print(f"{truth['newid']:>6}  {title}\n        {truth['title']}")
        words = title.split()
        scores.titles += 1
        scores.title_words += len(words)
        scores.needs_title += bool(fields.get("needs_title"))
        if words and words[-1].lower().strip(",;:") in FUNCTION_WORDS:
            scores.function_endings += 1
        copy_words = set(tokens(" ".join(copy.paragraphs)))
        for word in tokens(re.sub(r"(?<=[\w.])['’]s\b", "", title)):  # a possessive 's is no word of its own
            if word not in copy_words:
                scores.not_in_copy += 1
                if not word.isdigit() and not inflections.related(word, copy_words):
                    scores.invented[word] += 1

        people = fields.get("people", [])
        organisations = fields.get("organisations", [])
        scores.people.update(people)
        scores.organisations.update(organisations)
        surnames = {tokens(name)[-1] for name in people if tokens(name)}
        for label in truth["people"]:
            scores.people_labels += 1
            scores.people_found += label.split("-")[-1] in surnames
        for label in truth["orgs"]:
            if label in ORG_NAMES:
                scores.org_labels += 1
                scores.org_found += ORG_NAMES[label] in organisations
    return scores


def labelled_precision(folders: dict[str, Path], config) -> tuple[dict[tuple[str, str], tuple[int, int]], int]:
    """Precision on the hand-labelled samples: (samples, kind) -> (right, judged); and how many names the
    code writes for those articles have no verdict (a change since they were labelled)."""
    verdicts: dict[tuple[str, str, int, str, str], bool] = {}
    for line in LABELS.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        sample, split, newid, kind, name, verdict = line.split("\t")
        verdicts[(sample, split, int(newid), kind, name)] = verdict == "right"
    articles = {(sample, split, newid) for sample, split, newid, _, _ in verdicts}
    result: dict[tuple[str, str], list[int]] = {}
    unjudged = 0
    for split, folder in folders.items():
        wanted: dict[int, list[str]] = {}  # an article may be in several samples
        for sample, s, newid in sorted(articles):
            if s == split:
                wanted.setdefault(newid, []).append(sample)
        for line in (folder / "truth.jsonl").read_text(encoding="utf-8").splitlines():
            truth = json.loads(line)
            if truth["newid"] not in wanted:
                continue
            fields = enrich(parse_wire((folder / truth["file"]).read_bytes()), config).fields
            for sample in wanted[truth["newid"]]:
                group = "held-out (D)" if sample == "D" else "development (A-C)"
                for kind in ("people", "organisations"):
                    for name in fields.get(kind, []):
                        verdict = verdicts.get((sample, split, truth["newid"], kind, name))
                        if verdict is None:
                            unjudged += 1
                            print(f"no verdict: {sample}\t{split}\t{truth['newid']}\t{kind}\t{name}", file=sys.stderr)
                            continue
                        tally = result.setdefault((group, kind), [0, 0])
                        tally[0] += verdict
                        tally[1] += 1
    return {key: (right, judged) for key, (right, judged) in sorted(result.items(), reverse=True)}, unjudged


def import_speed(folder: Path) -> tuple[int, float, float, float]:
    """(articles written, seconds, CPU seconds of the import and its workers, 1-minute load average before)
    for `build.py import` into a new site."""
    with tempfile.TemporaryDirectory(dir=WORK) as temporary:
        site = create_site(Path(temporary) / "site")
        load = os.getloadavg()[0]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        result = subprocess.run([sys.executable, str(ROOT / "build.py"), "import", str(folder), "--site", str(site)],
                                capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
        written = sum(1 for line in result.stdout.splitlines() if line.startswith("wrote "))
        return written, seconds, cpu, load


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def average(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def table(scores: dict[str, Scores], precision: dict[tuple[str, str], tuple[int, int]] | None) -> list[str]:
    splits = list(scores)
    rows = [f"| measure | {' | '.join(f'{s} split' for s in splits)} |", "|---|" + "---:|" * len(splits)]

    def row(name: str, value) -> None:
        rows.append(f"| {name} | {' | '.join(value(scores[s]) for s in splits)} |")

    row("articles", lambda s: f"{s.articles:,}")
    for label, tp, predicted in (("`countries`", "country_tp", "country_predicted"),
                                 ("`countries` + `mentioned_countries`", "both_tp", "both_predicted")):
        def cell(s: Scores, tp: str = tp, predicted: str = predicted) -> str:
            p = getattr(s, tp) / max(getattr(s, predicted), 1)
            r = getattr(s, tp) / max(s.country_actual, 1)
            return f"P {p:.3f} R {r:.3f} F1 {f1(p, r):.3f}"
        row(f"countries: {label}", cell)
    for kind in ("prose", "tabular"):
        row(f"headline ROUGE-1 / ROUGE-L, {kind} ({'lead of 8+ words' if kind == 'prose' else 'the rest'})",
            lambda s, k=kind: f"{average([a for a, _ in s.rouge[k]]):.3f} / {average([b for _, b in s.rouge[k]]):.3f}"
                              f" ({len(s.rouge[k]):,})")
    row("headline words (mean)", lambda s: f"{s.title_words / max(s.titles, 1):.1f}")
    row("headlines ending on a function word", lambda s: f"{s.function_endings / max(s.titles, 1):.2%}")
    row("title words not in the copy (inflections)", lambda s: f"{s.not_in_copy:,}")
    row("invented words (neither in the copy nor a form of a copy word)",
        lambda s: f"{sum(s.invented.values())}" + (f" ({', '.join(w for w, _ in s.invented.most_common(8))})"
                                                  if s.invented else ""))
    row("marked `needs_title`", lambda s: f"{s.needs_title / max(s.titles, 1):.1%}")
    row("people: recall of PEOPLE labels", lambda s: f"{s.people_found / max(s.people_labels, 1):.3f} "
                                                     f"({s.people_found}/{s.people_labels})")
    row("organisations: recall of ORGS labels", lambda s: f"{s.org_found / max(s.org_labels, 1):.3f} "
                                                          f"({s.org_found}/{s.org_labels})")
    row("distinct people / used once", lambda s: f"{len(s.people):,} / {sum(1 for n in s.people.values() if n == 1):,}")
    row("distinct organisations / used once",
        lambda s: f"{len(s.organisations):,} / {sum(1 for n in s.organisations.values() if n == 1):,}")
    if precision:
        for (group, kind), (right, judged) in precision.items():
            cell = f"{right / max(judged, 1):.3f} ({right}/{judged})"
            rows.append(f"| {kind}: precision, hand-labelled {group} | "
                        + " | ".join(cell if s == "test" else "" for s in splits) + " |")
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["test", "train", "both"], default="both")
    parser.add_argument("--speed", action="store_true", help="also time `build.py import` of 5,458 and 19,043 files")
    parser.add_argument("--speed-only", action="store_true", help="only the import speed")
    parser.add_argument("--repeat", type=int, default=3, help="import speed: runs of each size (default 3)")
    parser.add_argument("--show-titles", type=int, default=0, help="print N prose titles beside the editors'")
    args = parser.parse_args()
    splits = [] if args.speed_only else ["test", "train"] if args.split == "both" else [args.split]
    args.speed = args.speed or args.speed_only
    folders = {}
    for split in [*splits, *(["test", "all"] if args.speed else [])]:
        folders[split] = reuters_wire(WORK / f"reuters-{split}", split, quiet=True)
    with tempfile.TemporaryDirectory() as temporary:
        config = load_config(create_site(Path(temporary) / "site"))
    if splits:
        inflections = Inflections()
        scores = {split: measure(folders[split], config, inflections, args.show_titles) for split in splits}
        precision, unjudged = labelled_precision({s: folders[s] for s in splits}, config) if LABELS.exists() \
            else (None, 0)
        print("\n".join(table(scores, precision)))
        if unjudged:
            print(f"\n{unjudged} names in the labelled sample's articles have no verdict (listed on stderr)")
    if args.speed:
        print(f"\n| import (median of {args.repeat}, turns alternate) | files | articles written | seconds | files/s "
              "| CPU seconds | load average before |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        runs: dict[str, list[tuple[int, float, float, float]]] = {"test": [], "all": []}
        for _ in range(args.repeat):
            for split in runs:
                runs[split].append(import_speed(folders[split]))
        for split, measured in runs.items():
            files = sum(1 for p in folders[split].iterdir() if p.suffix == ".txt")
            written, seconds, cpu, _ = sorted(measured, key=lambda run: run[1])[len(measured) // 2]
            loads = ", ".join(f"{run[3]:.1f}" for run in measured)
            print(f"| {split} | {files:,} | {written:,} | {seconds:.1f} | {files / seconds:.0f} | {cpu:.1f} "
                  f"| {loads} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
