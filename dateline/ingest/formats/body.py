"""A story's body, from agency markup (XHTML, NITF, HTML) or agency text, to Markdown and plain paragraphs.

Bodies pass through one intermediate form, a list of blocks of styled runs, so that the dateline at the
start ("STOCKHOLM, Aug 29, 2014 (AFP) -") and agency boilerplate ("(END)", "jm/ach", copyright lines)
are removed once, whatever the format, before the Markdown is written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element

from dateline.ingest.article import escape_markdown
from dateline.ingest.formats.story import Image
from dateline.ingest.formats.values import MONTH_NUMBERS, clean, strip_controls
from dateline.ingest.formats.xmlsafe import attribute, local, text

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
            return " ".join(" | ".join(_plain(cell) for cell in row) for row in self.rows)
        if self.kind == "pre":
            return " ".join(" ".join(self.lines).split())
        return _plain(self.runs)


@dataclass(frozen=True)
class Body:
    markdown: str
    paragraphs: tuple[str, ...]  # plain text, one per block: what enrichment and summaries read
    images: tuple[Image, ...] = ()
    dateline: str | None = None  # the place of a dateline found at the start, as written
    credit: str | None = None  # the agency named in that dateline


def _plain(runs: list[Run]) -> str:
    return " ".join("".join(t if s != "br" else " " for t, s in runs).split())


# --- markup -> blocks ---------------------------------------------------------------------------------

_SKIP = {"head", "title", "script", "style", "note", "object", "embed", "iframe", "video", "audio", "noscript",
         "template", "svg", "math", "form", "button", "nav", "aside", "footer", "media-caption", "figcaption",
         "media-producer", "media-metadata", "byline", "dateline", "distributor", "tagline", "bibliography"}
_HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6", "hl1", "hl2"}
_CONTAINERS = {"body", "body.content", "div", "section", "article", "block", "main", "header", "html", "center",
               "thead", "tbody", "body.end", "dl", "fn"}
_STYLES = {"em": "em", "i": "em", "cite": "em", "strong": "strong", "b": "strong"}


def blocks_from_markup(element: Element) -> tuple[list[Block], list[Image]]:
    """Blocks and pictures from a body element (XHTML body, NITF body.content, parsed HTML)."""
    blocks: list[Block] = []
    images: list[Image] = []
    _container(element, blocks, images, level=0)
    return blocks, images


def _container(element: Element, blocks: list[Block], images: list[Image], *, level: int) -> None:
    loose: list[Run] = []  # text outside any paragraph: it becomes one

    def flush() -> None:
        if _plain(loose):
            blocks.append(Block("p", list(loose)))
        loose.clear()

    _add_text(loose, element.text, "")
    for node in element:
        name = local(node.tag).lower()
        if name in _SKIP or not name:
            pass
        elif name in ("img", "media", "figure", "picture"):
            images.extend(_images(node))
        elif name in ("p", "dd", "dt", "caption", "pre-formatted") or name in _HEADINGS or \
                name in ("blockquote", "bq", "pre"):
            flush()
            _paragraph(node, name, blocks, images, level)
        elif name in ("ul", "ol", "dir", "menu"):
            flush()
            _list(node, "ol" if name == "ol" else "ul", blocks, images, level)
        elif name == "table":
            flush()
            table = _table(node)
            if table.rows:
                blocks.append(table)
        elif name in _CONTAINERS or name == "li":
            flush()
            _container(node, blocks, images, level=level)
        elif name in ("br", "hr"):
            flush()
        else:
            loose.extend(_runs(node, ""))
        _add_text(loose, node.tail, "")
    flush()


def _paragraph(node: Element, name: str, blocks: list[Block], images: list[Image], level: int) -> None:
    if name == "pre":
        lines = [line.rstrip() for line in strip_controls("".join(node.itertext())).split("\n")]
        while lines and not lines[0].strip():
            lines.pop(0)
        while lines and not lines[-1].strip():
            lines.pop()
        if lines:
            blocks.append(Block("pre", lines=lines))
        return
    if any(local(c.tag).lower() in ("p", "ul", "ol", "table", "div", "block") for c in node):
        start = len(blocks)
        _container(node, blocks, images, level=level)  # a blockquote of paragraphs, a <p> holding a list
        if name in ("blockquote", "bq"):
            for block in blocks[start:]:
                if block.kind == "p":
                    block.kind = "quote"
        return
    images.extend(image for c in node if local(c.tag).lower() in ("img", "media") for image in _images(c))
    runs = _runs(node, "")
    if _plain(runs):
        kind = "h" if name in _HEADINGS else "quote" if name in ("blockquote", "bq") else "p"
        blocks.append(Block(kind, runs))


def _list(node: Element, kind: str, blocks: list[Block], images: list[Image], level: int) -> None:
    for item in node:
        if local(item.tag).lower() != "li":
            continue
        nested = [c for c in item if local(c.tag).lower() in ("ul", "ol")]
        runs: list[Run] = []
        _add_text(runs, item.text, "")
        for c in item:
            if c in nested:
                break
            runs.extend(_runs(c, ""))
            if local(c.tag).lower() in ("p", "div"):
                runs.append((" ", ""))  # paragraphs inside an item: one line, a space apart
            _add_text(runs, c.tail, "")
        if _plain(runs):
            blocks.append(Block(kind, runs, level=level))
        for sub in nested:
            _list(sub, "ol" if local(sub.tag).lower() == "ol" else "ul", blocks, images, level + 1)


def _table(node: Element) -> Block:
    rows: list[list[list[Run]]] = []
    header = False
    for row in node.iter():
        if local(row.tag).lower() != "tr":
            continue
        cells = [c for c in row if local(c.tag).lower() in ("td", "th")]
        if not cells:
            continue
        if not rows:
            header = all(local(c.tag).lower() == "th" for c in cells)
        rows.append([_runs(c, "") for c in cells])
    return Block("table", rows=rows, header=header)


def _runs(node: Element, style: str) -> list[Run]:
    """The inline text of NODE with its emphasis and links; any nested blocks read as text."""
    name = local(node.tag).lower()
    if name in _SKIP or not name:
        return []
    if name in ("img", "media"):
        return []
    if name == "br":
        return [("", "br")]
    style = _STYLES.get(name, style)
    href = attribute(node, "href") if name == "a" else None
    if href and re.match(r"(?:https?:|mailto:)", href, re.IGNORECASE) and not style:
        style = f"a {href}"
    runs: list[Run] = []
    _add_text(runs, node.text, style)
    for c in node:
        runs.extend(_runs(c, style))
        _add_text(runs, c.tail, style)
    return runs


def _add_text(runs: list[Run], value: str | None, style: str) -> None:
    if value:
        cleaned = strip_controls(value)
        if cleaned:
            runs.append((re.sub(r"\s+", " ", cleaned), style))


def _images(node: Element) -> list[Image]:
    """<img src alt>, NITF <media> (media-reference, media-caption, media-producer), <figure>."""
    name = local(node.tag).lower()
    found: list[Image] = []
    if name == "img":
        src = attribute(node, "src")
        if src:
            found.append(Image(src, alt=clean(attribute(node, "alt")), caption=clean(attribute(node, "title"))))
        return found
    caption = credit = None
    for c in node.iter():
        child_name = local(c.tag).lower()
        if child_name in ("media-caption", "figcaption"):
            caption = text(c)
        elif child_name == "media-producer":
            credit = text(c)
    for c in node.iter():
        child_name = local(c.tag).lower()
        source = attribute(c, "source") if child_name == "media-reference" else \
            attribute(c, "src") if child_name == "img" else None
        if source:
            alt = attribute(c, "alternate-text") or attribute(c, "alt")
            found.append(Image(source, alt=clean(alt), credit=clean(credit), caption=clean(caption)))
            break
    return found


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


# --- datelines and boilerplate ------------------------------------------------------------------------

# month names and abbreviations of the datelines' languages, beyond English and German
_MONTHS = {*MONTH_NUMBERS, "sept", "ene", "abr", "ago", "dic", "janv", "févr", "avr", "juil", "déc", "mei", "maj",
           "gen", "giu", "lug", "set", "ott"}
_KNOWN_AGENCIES = (r"AAP|AFP|AP|ANSA|APA|CP|dpa|DPA|EFE|Kyodo|PA|Reuters|SDA|TASS|Xinhua|Yonhap|Bernama|NTB|TT|STT|"
                   r"Anadolu|Belga|LETA|BNS|ELTA|PAP|CTK|MTI|BTA|KNA|epd|Ritzau|Lusa|Jiji|PTI|Antara|UPI|BBC")
_DATELINE = re.compile(
    r"(?P<head>[^\W\d_][^()\n]{0,80}?)[ ,]*(?:\((?P<agency>[^\W\d_][\w&./' -]{0,30}?)\)|"
    r"(?<=[\d ])(?P<bare>" + _KNOWN_AGENCIES + r"))[ \t]*(?:[-–—_]+|\.-|:)[ \t]*")


def split_dateline(first: str) -> tuple[str, str | None, int] | None:
    """('STOCKHOLM', 'AFP', length of the prefix) for 'STOCKHOLM, Aug 29, 2014 (AFP) - Sweden...'."""
    match = _DATELINE.match(first)
    if not match:
        return None
    place: list[str] = []
    for part in match.group("head").split(","):
        words = part.strip()
        if not words:
            continue
        if re.search(r"\d", words) or words.split()[0].lower().rstrip(".") in _MONTHS:
            break  # "Aug 29", "2014", "29 ago": the date part of the dateline, and what follows it
        place.append(words)
    agency = match.group("agency") or match.group("bare")
    if not re.fullmatch(_KNOWN_AGENCIES, agency, re.IGNORECASE) and not (
            len(agency) <= 20 and all(word[:1].isupper() for word in agency.split())
            and sum(c.isupper() for c in agency) * 2 >= sum(c.isalpha() for c in agency)):
        return None  # "(pictured)", "(preliminary)": a parenthesis in the lead, not an agency's credit
    city = ", ".join(place)
    if not city or len(city.split()) > 6 or not city[0].isupper() or city.endswith((".", "!", "?")) and \
            len(city.split()[-1]) > 5:
        return None
    return city, agency, match.end()


_BOILERPLATE = [re.compile(p, re.IGNORECASE) for p in (
    r"\(?(?:end|ende|fin|more|mehr|más|mas|suite|ends|endit|eds)\)?\.?",  # end-of-copy markers
    r"(?:#{3,}|x{3,}|-+0-+|=+|\*{3,})",
    r"(?:copyright|©|\(c\)).{0,120}(?:all rights reserved|rights reserved|tous droits réservés|"
    r"alle rechte vorbehalten)\.?",
    r".{0,80}may not be (?:published|reproduced), broadcast, rewritten,? or redistributed.{0,80}",
    r"(?:AAP\s+|AFP\s+)?[a-z]{2,4}(?:[-/][a-z]{2,4}){1,4}",  # sign-off initials: "jm/ach", "bur-gd/sst", "AAP mt/jlp"
    r"dpa\s+[a-z]{2,3}(?:\s+[a-z0-9]{1,4}){0,4}",  # dpa's desk codes: "dpa bb yyzz n1 ab"
    r"(?:AP|AFP|UPI)-[A-Z]{2}-\d{2}-\d{2}-\d{2}\s+\d{4}\s*(?:GMT|EDT|EST|ET|UTC)",  # transmission stamps
)]


def is_boilerplate(paragraph: str) -> bool:
    return any(pattern.fullmatch(paragraph.strip()) for pattern in _BOILERPLATE)


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
    return Body(markdown=_markdown(blocks), paragraphs=tuple(b.plain for b in blocks if b.plain),
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


# --- blocks -> Markdown -------------------------------------------------------------------------------


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


def _markdown(blocks: list[Block]) -> str:
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
