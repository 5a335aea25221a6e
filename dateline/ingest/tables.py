"""Tabular wire copy: results tables ("Shr 59 cts vs 52 cts") and price lists, told apart from prose.

A story is a run of blocks: prose paragraphs, and tables (consecutive table lines, with the short
headings between them such as "Nine mths"). Tables are kept line by line, as a preformatted block,
instead of becoming one paragraph per figure; a story that opens with a table gets a title from
its own words and is marked for an editor to retitle.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

MAX_ROW_WORDS = 16  # a table line is short; a sentence with two figures in it is prose
MAX_HEADING_WORDS = 7
_NUMBER = re.compile(r"^[-+(]?(?:\d[\d,.]*|\.\d+)(?:[-/]\d+)?[%p)]?$|^\d+(?:st|nd|rd|th)$", re.IGNORECASE)
_VERSUS = re.compile(r"\svs\.?\s", re.IGNORECASE)
_COLUMNS = re.compile(r"\S(?: {2,}|\t)\S")  # aligned columns, in a block whose line breaks were kept
_SENTENCE_END = re.compile(r"[.!?][\"'”’)]*$")
_ABBREVIATED_END = re.compile(r"(?:\b[A-Z][a-z]{0,3}|\d|\bct|\bcts|\bpct|\bmln|\bdlrs?|\bstg|\bvs)\.$")


@dataclass(frozen=True)
class Block:
    lines: tuple[str, ...]  # one paragraph, or the lines of a table
    is_table: bool

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def is_table_line(line: str) -> bool:
    """A row of figures: "Shr 27.7p vs 20.7p", "Net 217,572 vs 153,454", "WHEAT  120.5  121.0"."""
    words = line.split()
    if not words or len(words) > MAX_ROW_WORDS:
        return False
    numbers = sum(1 for w in words if _NUMBER.match(w.strip(",;:")))
    if _VERSUS.search(f" {line} ") and numbers:
        return True
    if _COLUMNS.search(line) and numbers:
        return True
    return numbers >= 2 and numbers * 2 >= len(words) and not _ends_sentence(line)


def is_heading_line(line: str) -> bool:
    """A short label between rows: "Nine mths", "1st half", "Trading profit includes -", "Qtr ended Jan 31"."""
    words = line.split()
    return 0 < len(words) <= MAX_HEADING_WORDS and not _ends_sentence(line)


def _ends_sentence(line: str) -> bool:
    line = line.rstrip()
    return bool(_SENTENCE_END.search(line)) and not _ABBREVIATED_END.search(line)


def split_blocks(paragraphs: Sequence[str]) -> list[Block]:
    """Paragraphs as prose and table blocks. A paragraph may hold several lines (a table whose line
    breaks the parser kept); a heading belongs to a table when a table line is next to it."""
    lines: list[tuple[str, bool]] = []  # (line, is a table row); a paragraph with line breaks gives several
    for paragraph in paragraphs:
        parts = paragraph.split("\n") if "\n" in paragraph else [paragraph]
        lines.extend((part, is_table_line(part)) for part in parts if part.strip())
    in_table = [row for _, row in lines]
    for index, (line, row) in enumerate(lines):
        if not row and is_heading_line(line):
            before = index > 0 and in_table[index - 1]
            after = _next_row_follows(lines, index)
            in_table[index] = before or after
    blocks: list[Block] = []
    for (line, _), table in zip(lines, in_table, strict=True):
        if table and blocks and blocks[-1].is_table:
            blocks[-1] = Block((*blocks[-1].lines, line), True)
        else:
            blocks.append(Block((line,), table))
    # A lone table line among prose reads best as a paragraph.
    return [Block(b.lines, False) if b.is_table and not any(is_table_line(x) for x in b.lines) else b
            for b in blocks]


def _next_row_follows(lines: list[tuple[str, bool]], index: int) -> bool:
    """Whether a table row comes after LINE, past at most two more headings ("Year", "Shr ...")."""
    for line, row in lines[index + 1:index + 3]:
        if row:
            return True
        if not is_heading_line(line):
            return False
    return False


def is_tabular(blocks: Sequence[Block]) -> bool:
    """Copy that opens with a table (an earnings report, a price list): it has no lead to take a title from."""
    return bool(blocks) and blocks[0].is_table


def table_title(blocks: Sequence[Block], company: str | None) -> str:
    """A title from a table's own words: what it is about, then its first row.

    "Bowater Industries Plc: Shr 27.7p vs 20.7p", "Six months to December 31: Shr 8.8 cts vs 0.5 ct".
    """
    first = blocks[0].lines
    row = next((line for line in first if is_table_line(line)), first[0])
    heading = next((line for line in first[:first.index(row)] if is_heading_line(line)), None) \
        if row in first else None
    label = company or heading
    row = " ".join(row.split())
    return f"{label.rstrip(' :-')}: {row}" if label else row
