"""Hostile content in article bodies, every front matter field and site.yaml never reaches the output as active content.

Every built file is checked with a parser (HTML, XML, JSON), not with string searches: what a browser or
a feed reader would run or load is what counts.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from dateline.build import build_site
from dateline.errors import DatelineError

from conftest import FIXTURES, write_article

ATOM = "{http://www.w3.org/2005/Atom}"
# One string that tries every trick a front matter field can carry: markup, attribute break-outs,
# URL schemes, entities that decode to markup, template syntax, CDATA and comment ends, a control character.
PAYLOAD = ("<script>alert('t')</script><img src=x onerror=alert(1)>\"' onmouseover=\"alert(2)\"><svg onload=alert(3)>"
           " javascript:alert(4) &lt;b&gt; &#x3C;script&#x3E; {{ 7*7 }} {% if 1 %}x{% endif %} ]]> <!-- --> \u0007"
           " </script><script>alert(5)</script>")
VISIBLE = " ".join(PAYLOAD.replace("\u0007", "").split())  # control characters dropped, whitespace collapsed
SITE_PAYLOAD = PAYLOAD.replace("\u0007", "")  # site.yaml is checked strictly: a control character is an error there
BODY = """<script>alert('body')</script>
<a href="javascript:alert(9)">click</a> <a href="JaVaScRiPt&#58;alert(10)">entity</a>
<a href="&#106;avascript:alert(16)">decimal entity</a> <a href="java&#x09;script:alert(23)">tab</a>
<a href=" javascript:alert(24)">space</a> <a href="vbscript:msgbox(1)">vb</a>
<a href="https://evil.example/path">an external link</a> <a href="https://x.example" target="_blank">blank</a>
<iframe src="https://evil.example/"></iframe> <frameset><frame src="https://evil.example/"></frameset>
<svg><script>alert(11)</script></svg> <svg onload="alert(12)"><circle/></svg>
<svg><a xlink:href="javascript:alert(25)"><text>svg link</text></a></svg>
<math><mtext><table><mglyph><style><img src=x onerror=alert(18)></style></mglyph></table></mtext></math>
<p style="background:url(javascript:alert(13)); width: expression(alert(14))">css expressions</p>
<style>body { background: url("javascript:alert(26)") }</style> <link rel="stylesheet" href="https://evil/x.css">
<img src="x" onerror="alert(15)"> <img src="data:image/svg+xml,<svg onload=alert(27)>">
<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxNyk8L3NjcmlwdD4=">data</a>
<object data="evil.swf"></object><embed src="evil.swf"> <applet code="x"></applet>
<form action="https://evil.example/"><input name="x"><button formaction="javascript:alert(28)">go</button></form>
<base href="https://evil.example/"><meta http-equiv="refresh" content="0;url=https://evil.example/">
<div onclick="alert(29)" onfocus="alert(30)" tabindex="0">handlers</div>
<a href="#" title="&quot; onclick=&quot;alert(31)">quoted title</a>
<noscript><p title="</noscript><img src=x onerror=alert(32)>"></p></noscript>
<!-- <script>alert(33)</script> -->

[markdown javascript](javascript:alert(19)) ![markdown image](javascript:alert(20)) <javascript:alert(21)>
[tab in markdown](java\tscript:alert(22)) [reference][r]

[r]: javascript:alert(34)

Plain text with a control character \u0007 and a form feed \u000c in it.
"""
ACTIVE_TAGS = {"script", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "form", "input", "button",
               "svg", "math", "style", "textarea", "select", "meta-refresh"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "srcset",
                  "lowsrc", "ping", "cite", "longdesc", "usemap", "manifest", "codebase"}
BAD_SCHEMES = ("javascript:", "vbscript:", "data:", "livescript:")
# the search page's own form (templates/search.html), which search.js runs: (tag, id)
SEARCH_CONTROLS = {("form", "search-form"), ("input", "search-query"), ("button", "search-submit"),
                   ("select", "search-sort"), ("button", "search-more")}


class ActiveContent(HTMLParser):
    """Finds what a browser would run or load from a page, apart from the theme's own files."""

    def __init__(self, theme_scripts: set[str], theme_controls: set[tuple[str, str]] = frozenset()) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.theme_scripts = theme_scripts
        self.theme_controls = theme_controls
        self.in_json_script = False
        self.json_blocks: list[str] = []
        self.external_links: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "script":
            if attributes.get("type") == "application/ld+json":
                self.in_json_script = True
                self.json_blocks.append("")
                return
            if attributes.get("src") in self.theme_scripts and len(attributes) == 1:
                return
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            tag = "meta-refresh"
        if tag in ACTIVE_TAGS and (tag, attributes.get("id")) not in self.theme_controls:
            self.problems.append(f"<{tag} {attributes}>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in URL_ATTRIBUTES and value is not None:
                # what a browser's URL parser sees: ends trimmed of controls and spaces, tabs and newlines removed
                squeezed = value.strip("".join(map(chr, range(33)))).replace("\t", "").replace("\n", "")
                squeezed = squeezed.replace("\r", "").lower()
                if squeezed.startswith(BAD_SCHEMES):
                    self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "a" and urlsplit(attributes.get("href") or "").scheme in ("http", "https"):
            self.external_links.append(attributes)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self.in_json_script = False

    def handle_data(self, data: str) -> None:
        if self.in_json_script:
            self.json_blocks[-1] += data


def check_html(html: str, where: str, theme_scripts: set[str],
               theme_controls: set[tuple[str, str]] = frozenset()) -> ActiveContent:
    parser = ActiveContent(theme_scripts, theme_controls)
    parser.feed(html)
    parser.close()
    assert parser.problems == [], f"{where}: active content {parser.problems}"
    for block in parser.json_blocks:
        json.loads(block)  # still valid JSON: the payload did not break out of the block
        assert "</" not in block and "<!--" not in block, where
    return parser


class Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.by_tag: list[tuple[str, str]] = []
        self.stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self.stack:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.by_tag.append((self.stack[-1] if self.stack else "", data))


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory) -> tuple[Path, Path]:
    site = tmp_path_factory.mktemp("hostile") / "site"
    shutil.copytree(FIXTURES / "minimal", site)
    quoted = json.dumps(PAYLOAD)  # a YAML double-quoted string: JSON's escapes are YAML's
    site_quoted = json.dumps(SITE_PAYLOAD)
    (site / "site.yaml").write_text(f"title: {site_quoted}\ndescription: {site_quoted}\n"
                                    f"base_url: https://example.org/news/\nparams:\n  note: {quoted}\n",
                                    encoding="utf-8")
    write_article(site, "hostile.md", f"---\ntitle: {quoted}\nslug: hostile\ndate: 2025-09-11T10:00:00Z\n"
                                      f"dateline: {quoted}\nsource: {quoted}\nsummary: {quoted}\n"
                                      f"correction: {quoted}\ncountries: [LT]\ntags: [{quoted}, economy]\n"
                                      f"editor: {quoted}\n---\n\n{BODY}")
    write_article(site, "hostile-body-summary.md", f"---\ntitle: Default summary\ndate: 2025-09-10\n---\n\n{BODY}")
    output = site / "output"
    build_site(site, output)
    return site, output


def theme_scripts_of(output: Path, page: Path) -> set[str]:
    """The theme's own script files, as a page links them."""
    depth = len(page.relative_to(output).parts) - 1
    return {"../" * depth + p.relative_to(output).as_posix() for p in (output / "static").rglob("*.js")}


def test_no_page_carries_active_content(hostile_site):
    _, output = hostile_site
    pages = sorted(output.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        controls = SEARCH_CONTROLS if page == output / "search" / "index.html" else frozenset()
        parser = check_html(page.read_text(encoding="utf-8"), str(page), theme_scripts_of(output, page), controls)
        for link in parser.external_links:  # links to other sites never get a handle on this page
            if urlsplit(link.get("href") or "").hostname != "example.org":
                assert "noopener" in (link.get("rel") or "").split(), (page, link)


def test_front_matter_fields_show_as_the_text_written(hostile_site):
    _, output = hostile_site
    html = (output / "2025/09/11/hostile/index.html").read_text(encoding="utf-8")
    text = Text()
    text.feed(html)
    shown = [data for _, data in text.by_tag]
    assert VISIBLE in shown  # the heading: every character escaped, none dropped or run
    assert "49" not in html  # {{ 7*7 }} is text, never template code
    title = next(data for tag, data in text.by_tag if tag == "title")
    assert title.startswith(VISIBLE)
    # the dateline, the source, the correction and the tag each appear as text
    assert sum(VISIBLE in data for data in shown) >= 5
    assert "\u0007" not in html


def test_external_links_in_bodies_get_noopener(hostile_site):
    _, output = hostile_site
    parser = check_html((output / "2025/09/11/hostile/index.html").read_text(encoding="utf-8"), "article",
                        theme_scripts_of(output, output / "2025/09/11/hostile/index.html"))
    evil = [link for link in parser.external_links if "evil.example" in (link.get("href") or "")
            or "x.example" in (link.get("href") or "")]
    assert len(evil) == 2
    for link in evil:
        assert {"noopener", "noreferrer"} <= set((link.get("rel") or "").split())
        assert "target" not in link


def test_atom_feeds_are_well_formed_and_their_html_is_inert(hostile_site):
    _, output = hostile_site
    feeds = sorted(output.rglob("*.xml"))
    assert any(p.name == "feed.xml" for p in feeds)
    for path in feeds:
        root = ET.parse(path).getroot()  # raises on ill-formed XML (a control character, a broken escape)
        for content in root.iter(f"{ATOM}content"):
            assert content.get("type") == "html"
            check_html(content.text or "", f"{path} <content>", set())
        if path.name == "feed.xml" and path.parent == output:
            assert root.findtext(f"{ATOM}title") == SITE_PAYLOAD
            titles = [entry.findtext(f"{ATOM}title") for entry in root.iter(f"{ATOM}entry")]
            assert VISIBLE in titles
            entry = next(e for e in root.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}title") == VISIBLE)
            assert entry.findtext(f"{ATOM}summary") == VISIBLE
            assert entry.findtext(f"{ATOM}author/{ATOM}name") == VISIBLE
            assert VISIBLE in [c.get("term") for c in entry.iter(f"{ATOM}category")]


def test_json_feeds_and_other_data_files_are_valid_and_inert(hostile_site):
    _, output = hostile_site
    for path in sorted(output.rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))

        def walk(value, where: str) -> None:
            if isinstance(value, dict):
                for key, item in value.items():
                    if key == "content_html":
                        check_html(item, f"{where}.content_html", set())
                    walk(item, f"{where}.{key}")
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    walk(item, f"{where}[{index}]")
            elif isinstance(value, str):
                assert "\u0007" not in value, where

        walk(data, str(path))
        if path.name == "feed.json":
            titles = [item["title"] for item in data["items"]]
            assert VISIBLE in titles
    for path in output.rglob("*"):  # the rest (robots.txt, host files): never the payload's markup
        if path.is_file() and path.suffix not in (".html", ".xml", ".json", ".js", ".css"):
            assert "<script" not in path.read_text(encoding="utf-8", errors="replace"), path


def test_trusted_html_is_kept_only_when_the_site_says_so(hostile_site, tmp_path):
    site, _ = hostile_site
    trusted = tmp_path / "trusted"
    shutil.copytree(site, trusted, ignore=shutil.ignore_patterns("output", ".output.next", ".dateline-cache"))
    (trusted / "site.yaml").write_text("title: Trusted\nbase_url: https://example.org/\ntrust_html: true\n")
    build_site(trusted, trusted / "output")
    html = (trusted / "output/2025/09/11/hostile/index.html").read_text(encoding="utf-8")
    assert "<script>alert('body')</script>" in html  # the documented opt-out really is one
    text = Text()
    text.feed(html)
    assert VISIBLE in [data for _, data in text.by_tag]  # front matter stays text even then


def test_control_character_in_site_yaml_is_an_error_not_a_broken_feed(site_copy):
    site = site_copy("minimal")
    (site / "site.yaml").write_text('title: "Daily\\u0007"\nbase_url: https://example.org/\n', encoding="utf-8")
    with pytest.raises(DatelineError) as caught:
        build_site(site)
    assert str(caught.value).endswith("site.yaml:1: 'title' contains the control character U+0007; remove it "
                                      "(feeds cannot carry it)")
