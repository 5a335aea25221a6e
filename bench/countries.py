#!/usr/bin/env python3
"""Measure the importer's country detection against the Reuters-21578 editors' PLACES labels.

    .venv/bin/python bench/countries.py [--split test] [--out bench/work/reuters-test] [--errors N]

Runs ../shared/tools/reuters_to_wire.py to write the collection as raw wire files (outside the
repository or under the git-ignored bench/work/: the corpus is for research only and must never be
committed), parses each file as the importer does, and prints micro precision, recall and F1.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dateline.ingest.countries import detect_countries  # noqa: E402
from dateline.ingest.parse import NotWireCopy, parse_wire  # noqa: E402

TOOL = ROOT.parent / "shared" / "tools" / "reuters_to_wire.py"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["train", "test", "all"], default="test")
    parser.add_argument("--out", type=Path, help="where to write the wire files (default bench/work/reuters-SPLIT)")
    parser.add_argument("--limit", type=int, default=0, help="only the first N articles (0: all)")
    parser.add_argument("--errors", type=int, default=0, help="print the N most frequent wrong codes")
    args = parser.parse_args()
    out = (args.out or ROOT / "bench" / "work" / f"reuters-{args.split}").resolve()
    if out.is_relative_to(ROOT) and not out.is_relative_to(ROOT / "bench" / "work"):
        parser.error(f"{out}: write the corpus outside the repository or under bench/work/ (git-ignored)")
    subprocess.run([sys.executable, str(TOOL), str(out), "--split", args.split, "--limit", str(args.limit)],
                   check=True, stderr=subprocess.DEVNULL)

    true_positives = predicted = actual = articles = 0
    false_positives: Counter[str] = Counter()
    misses: Counter[str] = Counter()
    for line in (out / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        truth = json.loads(line)
        try:
            copy = parse_wire((out / truth["file"]).read_bytes())
        except NotWireCopy as exc:
            print(f"{truth['file']}: {exc}", file=sys.stderr)
            continue
        found = set(detect_countries(copy.paragraphs, copy.dateline))
        expected = set(truth["countries"])
        articles += 1
        true_positives += len(found & expected)
        predicted += len(found)
        actual += len(expected)
        false_positives.update(found - expected)
        misses.update(expected - found)
    precision = true_positives / predicted if predicted else 0.0
    recall = true_positives / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"{articles} articles ({args.split} split): precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}")
    if args.errors:
        for label, counter in (("false positives", false_positives), ("misses", misses)):
            print(f"most frequent {label}:", ", ".join(f"{c} {n}" for c, n in counter.most_common(args.errors)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
