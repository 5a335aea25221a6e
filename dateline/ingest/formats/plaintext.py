"""Dateline's own plain wire copy (' date 2025-09-11 VILNIUS: ... – AFP') as a story: parse.py's record, unchanged."""

from __future__ import annotations

from dateline.ingest.formats.story import Story
from dateline.ingest.parse import parse_wire


def parse_plaintext(data: bytes) -> list[Story]:
    return [Story(copy=parse_wire(data), format="text")]
