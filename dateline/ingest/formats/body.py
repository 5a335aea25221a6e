"""A story's body, from agency markup (XHTML, NITF, HTML) or agency text, to Markdown and plain paragraphs.

Bodies pass through one intermediate form, a list of blocks of styled runs, so that the dateline at the
start ("STOCKHOLM, Aug 29, 2014 (AFP) -") and agency boilerplate ("(END)", "jm/ach", copyright lines)
are removed once, whatever the format, before the Markdown is written. This module is the way through:
agency text read into blocks, and finish(), which takes off the dateline and boilerplate (datelines.py) and
writes the Markdown (body_markdown.py); markup is read into blocks by markup_blocks.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from dateline.ingest.formats.body_blocks import Block, Run
from dateline.ingest.formats.body_markdown import body_markdown
from dateline.ingest.formats.datelines import is_boilerplate, split_dateline
from dateline.ingest.formats.story import Image
from dateline.ingest.formats.values import strip_controls


@dataclass(frozen=True)
class Body:
    markdown: str
    paragraphs: tuple[str, ...]  # plain text, one per block: what enrichment and summaries read
    images: tuple[Image, ...] = ()
    dateline: str | None = None  # the place of a dateline found at the start, as written
    credit: str | None = None  # the agency named in that dateline


# --- text -> blocks -----------------------------------------------------------------------------------

_INDENT = re.compile(r"^(?:\t| {2,})")


def blocks_from_text(value: str) -> list[Block]:
    """Paragraphs of agency text: a blank line or an indented line starts one; wrapped lines are joined.
    Runs of lines with tab-separated columns (agate, results) are kept as preformatted text."""
    blocks: list[Block] = []
    current: list[str] = []

    def flush() -> None:
        if not current:
            return
        if len(current) >= 2 and sum("\t" in line.strip() or "  " in line.strip() for line in current) >= 2:
            blocks.append(Block("pre", lines=[line.rstrip() for line in current]))
        else:
            joined = " ".join(" ".join(current).split())
            if joined:
                blocks.append(Block("p", [(joined, "")]))
        current.clear()

    for line in strip_controls(value).split("\n"):
        if not line.strip() or is_boilerplate(line):  # "(Ende)" on a line of its own ends the text
            flush()
            continue
        if _INDENT.match(line) and current and "\t" not in current[-1].strip():
            flush()
        current.append(line)
    flush()
    return blocks


# --- blocks -> Body -----------------------------------------------------------------------------------

def finish(blocks: list[Block], images: list[Image] | tuple[Image, ...] = ()) -> Body:
    """Boilerplate dropped, a leading dateline split off, the rest written as Markdown."""
    blocks = [b for b in blocks if b.kind in ("table", "pre") or not is_boilerplate(b.plain)]
    dateline = credit = None
    first = next((b for b in blocks if b.kind == "p"), None)
    if first is not None and first is blocks[0]:
        found = split_dateline("".join(t for t, _ in first.runs).lstrip())
        if found:
            dateline, credit, length = found
            _drop_prefix(first, length)
            if not first.plain:
                blocks.remove(first)
    return Body(markdown=body_markdown(blocks), paragraphs=tuple(b.plain for b in blocks if b.plain),
                images=tuple(images), dateline=dateline, credit=credit)


def _drop_prefix(block: Block, length: int) -> None:
    runs = list(block.runs)
    while runs and not runs[0][0].strip() and runs[0][1] != "br":
        runs.pop(0)
    if runs:
        runs[0] = (runs[0][0].lstrip(), runs[0][1])
    kept: list[Run] = []
    for value, style in runs:
        if length >= len(value):
            length -= len(value)
            continue
        kept.append((value[length:], style))
        length = 0
    block.runs = kept
