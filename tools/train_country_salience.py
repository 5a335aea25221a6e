#!/usr/bin/env python3
"""Fit dateline/ingest/data/country_salience.json: which named countries a story is about.

Run by a developer when the importer's country detection or its features change, never at import time:

    .venv/bin/python tools/train_country_salience.py     # numpy comes with requirements-dev.txt

Fits a logistic regression (L2, deterministic: full-batch gradient descent from zero weights) on the
Reuters-21578 *training* split only: every country the importer finds in an article (and the
dateline's) is one example, labelled by whether the editors' PLACES name it. The threshold is the
one that gives the best F1 on the training split. bench/importer.py measures the result on the test
split, which this script never reads. The corpus is research-only: only the fitted weights are kept.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dateline.ingest.countries import dateline_country, find_places  # noqa: E402
from dateline.ingest.parse import parse_wire  # noqa: E402
from dateline.ingest.salience import DATA, FEATURES, Named, features  # noqa: E402
from dateline.ingest.tables import split_blocks  # noqa: E402
from dateline.ingest.words import sentences  # noqa: E402

TRAIN = ROOT / "bench" / "work" / "reuters-train"
TOOL = ROOT.parent / "shared" / "tools" / "reuters_to_wire.py"
L2 = 1e-3
STEPS = 3000
RATE = 0.5


def examples() -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Feature rows, labels, whether each row is a dateline country, and the number of labelled codes."""
    if not (TRAIN / "truth.jsonl").exists():
        subprocess.run([sys.executable, str(TOOL), str(TRAIN), "--split", "train"], check=True)
    rows, labels, homes, actual = [], [], [], 0
    for line in (TRAIN / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        truth = json.loads(line)
        copy = parse_wire((TRAIN / truth["file"]).read_bytes())
        paragraphs = [block.text for block in split_blocks(copy.paragraphs)]
        text = "\n\n".join(paragraphs)
        first = sentences(paragraphs[0])[0] if paragraphs and paragraphs[0].strip() else ""
        by_code: dict[str, list] = {}
        for mention in find_places(text):
            by_code.setdefault(mention.code, []).append(mention)
        named = [Named(code, tuple(m.start for m in found), tuple(m.end for m in found),
                       tuple(m.kind for m in found)) for code, found in by_code.items()]
        home = dateline_country(copy.dateline)
        expected = set(truth["countries"])
        actual += len(expected)
        for code, vector in features(named, home, text, len(first), len(paragraphs[0]) if paragraphs else 0).items():
            rows.append(vector)
            labels.append(code in expected)
            homes.append(code == home)
    return np.array(rows), np.array(labels, dtype=float), np.array(homes), actual


def fit(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    mean, scale = x.mean(axis=0), x.std(axis=0)
    mean[0], scale[0] = 0.0, 1.0
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    w = np.zeros(x.shape[1])
    for _ in range(STEPS):
        p = 1 / (1 + np.exp(-z @ w))
        gradient = z.T @ (p - y) / len(y) + L2 * np.r_[0, w[1:]]
        w -= RATE * gradient
    # back to the raw features' scale, so the importer needs no normalisation
    raw = w / scale
    raw[0] = w[0] - np.sum(w[1:] * mean[1:] / scale[1:])
    return raw


def best_threshold(p: np.ndarray, y: np.ndarray, homes: np.ndarray, actual: int) -> tuple[float, float]:
    best = (0.5, 0.0)
    for threshold in np.arange(0.20, 0.80, 0.01):
        kept = (p >= threshold) | homes
        tp = float(np.sum(kept & (y == 1)))
        precision, recall = tp / max(kept.sum(), 1), tp / actual
        f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
        if f1 > best[1] + 1e-9:
            best = (round(float(threshold), 2), f1)
    return best


def main() -> None:
    x, y, homes, actual = examples()
    w = fit(x, y)
    p = 1 / (1 + np.exp(-x @ w))
    threshold, f1 = best_threshold(p, y, homes, actual)
    DATA.write_text(json.dumps({
        "about": "Logistic regression fitted by tools/train_country_salience.py on the Reuters-21578 training split",
        "features": list(FEATURES),
        "weights": [round(float(v), 6) for v in w],
        "threshold": threshold,
    }, indent=1) + "\n", encoding="utf-8")
    print(f"{len(y)} candidates; threshold {threshold}; training-split F1 {f1:.4f}")
    for name, weight in zip(FEATURES, w, strict=True):
        print(f"  {name:16} {weight:+.3f}")


if __name__ == "__main__":
    main()
