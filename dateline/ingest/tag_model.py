"""The learned tagger's model: an article's words, the model file (no pickle), scoring copy in plain Python.

The model is linear: one weight per word or two-word phrase per tag, over TF-IDF features of the title
and body (sublinear term counts, smoothed inverse document frequency, unit length). Scoring new copy
needs no numpy or scikit-learn, so an import with a trained model stays light; only training
(tag_training.py, run in a process of its own) imports them.

The file in SITE/.dateline-cache/ holds plain data: a header line of JSON and arrays of little-endian
numbers, with a checksum of the whole. Reading it never runs code, and a file that is truncated,
damaged or of another format is reported as unreadable (then trained again), never half-used.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import sys
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

FORMAT = 1
LEARNED_KEY = "tags_learned"  # front matter: the tags of `tags` that the learned tagger gave
_MAGIC = b"dateline learned tags\n"
# Words of two or more letters or digits: "shr", "cts", "1987", "opec". Markdown's marks, punctuation
# and one-letter words ("a", "s" of "Japan's") carry no topic.
_TOKEN = re.compile(r"[^\W_]{2,}")
_LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")
_HTML = re.compile(r"<[^>\n]*>|&#?\w+;")


def article_text(title: str, body: str | Iterable[str]) -> str:
    """What the model reads of an article: its title and body (Markdown link targets and HTML left out)."""
    text = body if isinstance(body, str) else "\n\n".join(body)
    return title + "\n\n" + _HTML.sub(" ", _LINK_TARGET.sub("]", text))


def terms(text: str) -> Counter[str]:
    """Each word and each pair of adjacent words in TEXT, lower case, with its count."""
    words = _TOKEN.findall(text.lower())
    counts = Counter(words)
    counts.update(map(" ".join, zip(words, words[1:], strict=False)))
    return counts


def idf_of(documents: int, frequency: int) -> float:
    """Smoothed inverse document frequency: as if one more article held every word once."""
    return math.log((1 + documents) / (1 + frequency)) + 1.0


def tf_of(count: int) -> float:
    return 1.0 + math.log(count)


@dataclass(frozen=True)
class TagStats:
    """What the archive says about one tag, and how well the learned tagger predicts it."""

    name: str  # as editors spell it most often
    examples: int  # tagged articles in the training set that carry it
    precision: float | None = None  # cross-validated, at the threshold; None when not trained
    recall: float | None = None
    used: bool = False
    reason: str = ""  # why it is not used


@dataclass(frozen=True)
class TagWeights:
    name: str
    bias: float  # intercept minus the tag's threshold: a positive score means the tag is given
    weights: dict[int, float]  # term index -> weight (the strongest ones; the rest are zero)


class ModelUnreadable(Exception):
    """The model file is missing, damaged, or of another format: train again."""


@dataclass(frozen=True)
class TagModel:
    digest: str  # of the training set and the settings it was trained with
    articles: int  # articles it was trained on
    seconds: float  # training time
    stats: tuple[TagStats, ...]  # every tag with enough examples to be tried, by name
    vocabulary: tuple[str, ...]  # terms, sorted
    idf: array  # float, one per term
    tags: tuple[TagWeights, ...]  # the used tags

    def __post_init__(self) -> None:
        by_term: dict[int, list[tuple[int, float]]] = {}
        for number, tag in enumerate(self.tags):
            for index, weight in tag.weights.items():
                by_term.setdefault(index, []).append((number, weight))
        object.__setattr__(self, "_index", {term: i for i, term in enumerate(self.vocabulary)})
        object.__setattr__(self, "_by_term", by_term)

    def features(self, text: str) -> list[tuple[int, float]]:
        """TEXT's TF-IDF vector, of unit length: (term index, value) for each term the model knows."""
        index: dict[str, int] = self._index  # type: ignore[attr-defined]
        idf, log = self.idf, math.log
        counts = terms(text)
        # tf_of inlined, and the lookups mapped: the importer scores every story, so this loop is its cost
        vector = [(i, (1.0 + log(count)) * idf[i])
                  for i, count in zip(map(index.get, counts), counts.values(), strict=True) if i is not None]
        norm = math.sqrt(sum(value * value for _, value in vector)) or 1.0
        return [(i, value / norm) for i, value in vector]

    def scores(self, text: str) -> list[tuple[str, float]]:
        """Each used tag's score for TEXT (above 0: given), highest first, then by name."""
        totals = [tag.bias for tag in self.tags]
        weights_of = self._by_term.get  # type: ignore[attr-defined]
        for i, value in self.features(text):
            for number, weight in weights_of(i, ()):
                totals[number] += weight * value
        return sorted(((tag.name, total) for tag, total in zip(self.tags, totals, strict=True)),
                      key=lambda item: (-item[1], item[0]))

    def predict(self, text: str) -> list[str]:
        """The tags the model gives TEXT, most certain first."""
        return [name for name, score in self.scores(text) if score > 0]

    def reasons(self, text: str, tag_name: str, count: int = 6) -> list[tuple[str, float]]:
        """The terms of TEXT that weighed most for or against TAG_NAME, with their part of its score."""
        tag = next(t for t in self.tags if t.name == tag_name)
        parts = [(self.vocabulary[i], tag.weights[i] * value) for i, value in self.features(text)
                 if i in tag.weights]
        return sorted(parts, key=lambda item: (-abs(item[1]), item[0]))[:count]


def model_bytes(model: TagModel) -> bytes:
    """The model as the bytes of its file (the caller writes them atomically)."""
    sections = [("\n".join(model.vocabulary)).encode("utf-8"), _pack("f", model.idf)]
    tags = []
    for tag in model.tags:
        indices = sorted(tag.weights)
        sections.append(_pack("I", indices))
        sections.append(_pack("f", [tag.weights[i] for i in indices]))
        tags.append({"name": tag.name, "bias": tag.bias, "weights": len(indices)})
    payload = b"".join(sections)
    header = {
        "format": FORMAT, "digest": model.digest, "articles": model.articles, "seconds": round(model.seconds, 2),
        "terms": len(model.vocabulary), "terms_bytes": len(sections[0]), "tags": tags,
        "stats": [vars(s) for s in model.stats], "checksum": hashlib.blake2b(payload, digest_size=16).hexdigest(),
    }
    return _MAGIC + json.dumps(header, sort_keys=True, ensure_ascii=True).encode("ascii") + b"\n" + payload


def load_model(path: Path) -> TagModel:
    """The model saved at PATH; raise ModelUnreadable when there is none or it cannot be trusted."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelUnreadable("no model yet") from None
    except OSError as exc:
        raise ModelUnreadable(f"cannot read it ({exc.strerror or exc})") from None
    if not data.startswith(_MAGIC):
        raise ModelUnreadable("not a learned-tags model")
    header_end = data.find(b"\n", len(_MAGIC))
    payload = memoryview(data)[header_end + 1:] if header_end > 0 else memoryview(b"")
    try:
        header = json.loads(data[len(_MAGIC):header_end])
        if header["format"] != FORMAT:
            raise ModelUnreadable(f"made by another version (format {header['format']})")
        if header["checksum"] != hashlib.blake2b(payload, digest_size=16).hexdigest():
            raise ModelUnreadable("damaged (checksum mismatch)")
        return _decode(header, payload)
    except ModelUnreadable:
        raise
    except (ValueError, KeyError, TypeError, IndexError, OverflowError, UnicodeDecodeError) as exc:
        raise ModelUnreadable(f"damaged ({type(exc).__name__}: {exc})") from None


def _decode(header: dict, payload: memoryview) -> TagModel:
    size, text_bytes = int(header["terms"]), int(header["terms_bytes"])
    vocabulary = tuple(bytes(payload[:text_bytes]).decode("utf-8").split("\n")) if size else ()
    if len(vocabulary) != size:
        raise ValueError("term count")
    at = text_bytes
    idf, at = _read(payload, at, "f", size)
    tags = []
    for entry in header["tags"]:
        count = int(entry["weights"])
        indices, at = _read(payload, at, "I", count)
        weights, at = _read(payload, at, "f", count)
        if any(i >= size for i in indices) or not all(map(math.isfinite, weights)):
            raise ValueError(f"weights of {entry['name']!r}")
        tags.append(TagWeights(str(entry["name"]), float(entry["bias"]), dict(zip(indices, weights, strict=True))))
    if at != len(payload) or not all(map(math.isfinite, idf)):
        raise ValueError("payload size")
    stats = tuple(TagStats(**entry) for entry in header["stats"])
    return TagModel(str(header["digest"]), int(header["articles"]), float(header["seconds"]), stats, vocabulary,
                    idf, tuple(tags))


def _read(payload: memoryview, at: int, code: str, count: int) -> tuple[array, int]:
    values = array(code)
    end = at + 4 * count
    if count < 0 or end > len(payload):
        raise ValueError("truncated")
    values.frombytes(payload[at:end])
    if sys.byteorder != "little":
        values.byteswap()
    return values, end


def _pack(code: str, values: Sequence[float] | array) -> bytes:
    """VALUES as little-endian numbers ("f": 32-bit floats, "I": 32-bit unsigned), whatever the machine."""
    packed = array(code, values)
    if packed.itemsize != 4:
        raise RuntimeError(f"array({code!r}) is not 4 bytes on this machine")
    if sys.byteorder != "little":
        packed.byteswap()
    return packed.tobytes()
