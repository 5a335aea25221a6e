"""A file written whole (the base) and a log of records appended after it: how the scan journal and the output
trees' manifests are saved.

Both are large (7.7 MB and 30 MB at 100,000 articles) and an edit's build changes a few entries of them, so it
appends those to a log rather than writing the whole again. Kept apart from either so that the rules that make
a log safe to read after a crash are written once: each record names the base it follows (a fresh id per base);
a record of another base (a build killed between writing a new base and emptying the log) is skipped, and a
record cut short (a build killed while appending) ends the log, as does one that is not a record at all.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO


def new_base_id() -> str:
    """The id a new base is written with, which its log's records then name."""
    return os.urandom(8).hex()


def append_record(log: Path, record: tuple) -> int:
    """Append RECORD (its first item the id of the base it follows) to LOG; the bytes written."""
    data = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
    with open(log, "ab") as stream:
        stream.write(data)
    return len(data)


def read_records(stream: BinaryIO, base_id: str, size: int) -> Iterator[tuple]:
    """The records of STREAM (a log) that follow the base BASE_ID, in order, each a tuple of SIZE items (the
    base's id first). A record cut short or garbled ends the log: see the module's docstring."""
    while True:
        try:
            record = pickle.load(stream)
        except EOFError:
            return
        except (pickle.UnpicklingError, AttributeError, TypeError, ValueError):
            return  # cut short
        if not isinstance(record, tuple) or len(record) != size:
            return
        if record[0] == base_id:
            yield record
