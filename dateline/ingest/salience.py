"""Which of the countries a story names it is about: a logistic regression over where and how they are named.

Most countries named once in passing (a G-7 list, "the U.S." in a market report) are not what a story
is about, and a rule on position and count ("dateline, first sentence, or three mentions") leaves
some F1 on the table. The weights in data/country_salience.json were fitted on the Reuters-21578
training split by tools/train_country_salience.py (measured on the test split in bench/README.md);
every country the copy names that scores below the threshold goes to `mentioned_countries`.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).parent / "data" / "country_salience.json"
FEATURES = ("bias", "dateline", "dateline_named", "first_sentence", "lead_paragraph", "log_count", "twice",
            "three_times", "first_position", "share", "most_named", "log_candidates", "demonyms_only",
            "places_only", "in_list", "list_share")
_LIST_GAP = re.compile(r"^(?:,\s*|\s+and\s+|\s*,\s*and\s+|\s+or\s+|\s*/\s*)$")


@dataclass(frozen=True)
class Named:
    """How a story names a country: the facts the model weighs."""

    code: str
    starts: tuple[int, ...]  # where each mention starts
    ends: tuple[int, ...]
    kinds: tuple[str, ...]  # "country", "demonym" or "place" per mention


@dataclass(frozen=True)
class Model:
    weights: tuple[float, ...]
    threshold: float


@cache
def model() -> Model:
    data = json.loads(DATA.read_text(encoding="utf-8"))
    if tuple(data["features"]) != FEATURES:
        raise ValueError(f"{DATA}: fitted for features {data['features']}, this code computes {list(FEATURES)}")
    return Model(tuple(float(w) for w in data["weights"]), float(data["threshold"]))


def features(named: Sequence[Named], home: str | None, text: str, first_sentence: int,
             lead_paragraph: int) -> dict[str, list[float]]:
    """The feature vector of each candidate country (every country named, and the dateline's)."""
    codes = [n.code for n in named]
    if home and home not in codes:
        named = [*named, Named(home, (), (), ())]
    total = sum(len(n.starts) for n in named) or 1
    most = max((len(n.starts) for n in named), default=0)
    spans = sorted((start, end, n.code) for n in named for start, end in zip(n.starts, n.ends, strict=True))
    in_list = _in_lists(spans, text)
    length = max(len(text), 1)
    vectors: dict[str, list[float]] = {}
    for n in named:
        count = len(n.starts)
        listed = sum(1 for start in n.starts if start in in_list)
        vectors[n.code] = [
            1.0,
            float(n.code == home),
            float(n.code == home and count > 0),
            float(any(s < first_sentence for s in n.starts)),
            float(any(s < lead_paragraph for s in n.starts)),
            math.log1p(count),
            float(count >= 2),
            float(count >= 3),
            min(n.starts) / length if n.starts else 1.0,
            count / total,
            float(count == most and count > 0),
            math.log1p(len(named)),
            float(count > 0 and all(k == "demonym" for k in n.kinds)),
            float(count > 0 and all(k == "place" for k in n.kinds)),
            float(bool(n.starts) and min(n.starts) in in_list),
            listed / count if count else 0.0,
        ]
    return vectors


def _in_lists(spans: list[tuple[int, int, str]], text: str) -> set[int]:
    """Starts of mentions that sit in a list of three or more countries ("Britain, France and Italy")."""
    listed: set[int] = set()
    run = [spans[0]] if spans else []
    for span in spans[1:]:
        if _LIST_GAP.match(text[run[-1][1]:span[0]]) and span[2] != run[-1][2]:
            run.append(span)
            continue
        if len(run) >= 3:
            listed.update(start for start, _, _ in run)
        run = [span]
    if len(run) >= 3:
        listed.update(start for start, _, _ in run)
    return listed


def score(vector: Sequence[float]) -> float:
    weights = model().weights
    z = sum(w * x for w, x in zip(weights, vector, strict=True))
    return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


def is_about(vector: Sequence[float]) -> bool:
    return score(vector) >= model().threshold
