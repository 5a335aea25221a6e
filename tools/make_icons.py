#!/usr/bin/env python3
"""Write the default theme's bitmap icons from static/favicon.svg: favicon.ico (16 and 32 pixels) and
apple-touch-icon.png (180 pixels), for browsers and apps that do not take an SVG icon.

Run by a developer after changing the SVG, never at build time (Debian's chromium draws the SVG through
Playwright, both already needed by the tests):

    .venv/bin/python tools/make_icons.py

The ICO holds PNG images, which every current browser reads; written with the
standard library.
"""

from __future__ import annotations

import base64
import struct
import sys
from pathlib import Path

STATIC = Path(__file__).resolve().parent.parent / "static"
CHROMIUM = "/usr/bin/chromium"


def render(svg: str, sizes: list[int]) -> dict[int, bytes]:
    """SVG drawn as a PNG at each of SIZES pixels square, in light mode (the ICO has one look)."""
    from playwright.sync_api import sync_playwright

    images = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        try:
            for size in sizes:
                page = browser.new_page(viewport={"width": size, "height": size}, color_scheme="light")
                source = base64.b64encode(svg.encode()).decode()
                page.set_content(f'<html><body style="margin:0;background:transparent">'
                                 f'<img src="data:image/svg+xml;base64,{source}" '
                                 f'width="{size}" height="{size}" style="display:block"></body></html>')
                page.wait_for_function("document.images[0].complete")
                images[size] = page.screenshot(omit_background=True, type="png")
                page.close()
        finally:
            browser.close()
    return images


def ico(pngs: dict[int, bytes]) -> bytes:
    """An ICO file holding PNG images: a header, one directory entry per image, then the images."""
    header = struct.pack("<HHH", 0, 1, len(pngs))
    offset = len(header) + 16 * len(pngs)
    entries, data = b"", b""
    for size, png in sorted(pngs.items()):
        entries += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(png), offset + len(data))
        data += png
    return header + entries + data


def main() -> int:
    svg = (STATIC / "favicon.svg").read_text(encoding="utf-8")
    images = render(svg, [16, 32, 180])
    (STATIC / "favicon.ico").write_bytes(ico({16: images[16], 32: images[32]}))
    (STATIC / "apple-touch-icon.png").write_bytes(images[180])
    print(f"wrote {STATIC / 'favicon.ico'} and {STATIC / 'apple-touch-icon.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
