"""The form every agency body passes through between its format and Markdown: blocks of styled runs.

Markup (markup_blocks.py) and agency text (body.py) are read into blocks, the dateline and boilerplate are
taken off them, and body_markdown.py writes them out: apart so that each side needs only this form.
"""

from __future__ import annotations

from dataclasses import dataclass, field

Run = tuple[str, str]  # (text, style): style "", "em", "strong", "br" or "a <href>"


@dataclass
class Block:
    kind: str  # "p", "h", "quote", "ul", "ol" (one list item), "pre", "table"
    runs: list[Run] = field(default_factory=list)
    level: int = 0  # list nesting
    rows: list[list[list[Run]]] = field(default_factory=list)  # table: rows of cells of runs
    header: bool = False  # table: the first row is a header row
    lines: list[str] = field(default_factory=list)  # pre

    @property
    def plain(self) -> str:
        if self.kind == "table":
            return " ".join(" | ".join(plain_text(cell) for cell in row) for row in self.rows)
        if self.kind == "pre":
            return " ".join(" ".join(self.lines).split())
        return plain_text(self.runs)


def plain_text(runs: list[Run]) -> str:
    return " ".join("".join(t if s != "br" else " " for t, s in runs).split())
