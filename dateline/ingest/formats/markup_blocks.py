"""Agency markup (XHTML body, NITF body.content, parsed HTML) -> blocks and pictures: which elements are
paragraphs, lists, tables, emphasis and links, and which are left out (bylines, captions, scripts).

Apart from body.py because markup has its own walk of the element tree, which text never needs.
"""

from __future__ import annotations

import re
from xml.etree.ElementTree import Element

from dateline.ingest.formats.body_blocks import Block, Run, plain_text
from dateline.ingest.formats.story import Image
from dateline.ingest.formats.values import clean, strip_controls
from dateline.ingest.formats.xmlsafe import attribute, local, text

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
        if plain_text(loose):
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
    if plain_text(runs):
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
        if plain_text(runs):
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
