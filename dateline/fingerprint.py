"""Short hashes of values and texts: what caches and fingerprints compare (see dateline/incremental/)."""

from __future__ import annotations

import hashlib
from typing import Any


def digest(*parts: Any) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).hexdigest()


def text_digest(*texts: str) -> str:
    """A digest of TEXTS, each hashed as it is: repr() would first copy and escape all of an article's text."""
    hasher = hashlib.blake2b(digest_size=16)
    for text in texts:
        data = text.encode("utf-8", "surrogatepass")
        hasher.update(len(data).to_bytes(8, "little"))  # so ("ab", "c") and ("a", "bc") differ
        hasher.update(data)
    return hasher.hexdigest()
