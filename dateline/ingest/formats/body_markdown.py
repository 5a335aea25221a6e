"""Blocks -> Markdown: paragraphs, headings, quotes, nested lists, indented preformatted text and pipe tables,
the runs' text escaped, with emphasis and links. Apart from body.py: the writing has no say in what a body is."""

from __future__ import annotations

import re

from dateline.ingest.article import escape_markdown
from dateline.ingest.formats.body_blocks import Block, Run


def _inline(runs: list[Run], *, cell: bool = False) -> str:
    out: list[str] = []
    for value, style in runs:
        if style == "br":
            out.append("  \n" if not cell else " ")
            continue
        core = value.strip()
        if not core:
            out.append(" " if value else "")
            continue
        lead = " " if value[0].isspace() else ""
        trail = " " if value[-1].isspace() else ""
        escaped = escape_markdown(core)
        if cell:
            escaped = escaped.replace("|", "\\|")
        if style == "em":
            escaped = f"*{escaped}*"
        elif style == "strong":
            escaped = f"**{escaped}**"
        elif style.startswith("a "):
            href = style[2:].replace("(", "%28").replace(")", "%29").replace(" ", "%20")
            escaped = f"[{escaped}]({href})"
        out.append(lead + escaped + trail)
    joined = "".join(out)
    return re.sub(r"[ ]{2,}(?!\n)", " ", joined).strip(" ").replace(" \n", "  \n") if not cell else \
        " ".join(joined.split())


def body_markdown(blocks: list[Block]) -> str:
    parts: list[str] = []
    previous: Block | None = None
    number = 0
    for block in blocks:
        in_list = block.kind in ("ul", "ol")
        if in_list:
            number = number + 1 if previous is not None and previous.kind == block.kind and \
                previous.level == block.level else 1
            marker = f"{number}." if block.kind == "ol" else "-"
            line = "    " * block.level + f"{marker} {_inline(block.runs)}"
            if previous is not None and previous.kind in ("ul", "ol"):
                parts[-1] += "\n" + line
            else:
                parts.append(line)
        elif block.kind == "h":
            parts.append("### " + _inline(block.runs))
        elif block.kind == "quote":
            parts.append("> " + _inline(block.runs))
        elif block.kind == "pre":
            parts.append("\n".join("    " + line for line in block.lines))
        elif block.kind == "table":
            parts.append(_table_markdown(block))
        else:
            parts.append(_inline(block.runs))
        previous = block
    return "\n\n".join(p for p in parts if p.strip())


def _table_markdown(block: Block) -> str:
    width = max(len(row) for row in block.rows)
    rows = [[_inline(cell, cell=True) for cell in row] + [""] * (width - len(row)) for row in block.rows]
    head, body = (rows[0], rows[1:]) if block.header or len(rows) > 1 else ([""] * width, rows)
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join(" --- " for _ in range(width)) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)
