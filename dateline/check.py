"""Checks a built site on disk before it goes live: links and assets resolve (also under base_url's path),
pages are well-formed HTML, feeds and sitemaps parse, and no page loads a script from another host."""

from __future__ import annotations

import json
import posixpath
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# HTML lets these end implicitly; a missing end tag for them is not a fault
OPTIONAL_END = {"html", "head", "body", "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead",
                "tbody", "tfoot", "colgroup", "caption", "rt", "rp"}
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SKIPPED_FOLDERS = ("pagefind/",)  # Pagefind's own bundle: its files are checked as link targets only


@dataclass(frozen=True, order=True)
class Problem:
    page: str  # site path of the file with the problem
    message: str

    def __str__(self) -> str:
        return f"{self.page}: {self.message}"


@dataclass
class _Reference:
    url: str
    line: int
    kind: str  # "link", "asset", "script", "feed"


@dataclass
class _Page:
    references: list[_Reference] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)


def check_output(output: Path, base_url: str) -> list[Problem]:
    """Every problem found in the built site OUTPUT (published at BASE_URL), sorted by page."""
    base_url = base_url if base_url.endswith("/") else base_url + "/"
    files = {p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file()}
    problems: list[Problem] = []
    pages: dict[str, _Page] = {}
    for site_path in sorted(files):
        if site_path.startswith(SKIPPED_FOLDERS):
            continue
        path = output / site_path
        if site_path.endswith((".html", ".htm")):
            pages[site_path] = _check_html(site_path, path, problems)
        elif site_path.endswith(".xml"):
            pages[site_path] = _check_xml(site_path, path, problems)
        elif site_path.endswith("feed.json"):
            pages[site_path] = _check_json_feed(site_path, path, problems)
    resolver = _Resolver(files, base_url, {p: page.ids for p, page in pages.items()})
    for site_path, page in pages.items():
        for reference in page.references:
            message = resolver.problem(site_path, reference)
            if message:
                where = f"line {reference.line}: " if reference.line else ""
                problems.append(Problem(site_path, where + message))
    return sorted(set(problems))


class _Resolver:
    """Turns a reference found in a page into a file of the site, as a static host would."""

    def __init__(self, files: set[str], base_url: str, ids: dict[str, set[str]]) -> None:
        self.files = files
        self.base_url = base_url
        split = urlsplit(base_url)
        self.origin = f"{split.scheme}://{split.netloc}"
        self.base_path = split.path or "/"
        self.ids = ids

    def problem(self, page: str, reference: _Reference) -> str | None:
        url = reference.url.strip()
        split = urlsplit(url)
        if split.scheme in ("mailto", "tel", "data") or (not url):
            return None
        if split.scheme == "javascript":
            return f"a javascript: link ({url[:60]})"
        if split.scheme or split.netloc:
            absolute = url if split.scheme else f"{urlsplit(self.base_url).scheme}:{url}"
            if not absolute.startswith(self.origin + "/") and absolute != self.origin:
                if reference.kind == "script":
                    return f"loads a script from another host: {url}"
                return None  # a link to another site: not ours to check, and no network here
            if not absolute.startswith(self.base_url):
                return f"{url} is on this host but outside base_url {self.base_url}"
            site_path = urlsplit(absolute[len(self.base_url):]).path
        elif reference.kind == "feed":
            return f"feeds and sitemaps need absolute URLs, not {url}"
        elif split.path.startswith("/"):
            if not split.path.startswith(self.base_path):
                return f"{url} leaves base_url's path {self.base_path} (it breaks when the site is served there)"
            site_path = split.path[len(self.base_path):]
        elif split.path:
            joined = posixpath.normpath(posixpath.join("/" + posixpath.dirname(page), split.path))
            if _climbs_above_root(posixpath.dirname(page), split.path):
                return f"{url} climbs above the site's root (it breaks under base_url's path)"
            site_path = joined.lstrip("/") + ("/" if split.path.endswith("/") and joined != "/" else "")
        else:  # "#fragment" or "?query": this page
            site_path = page
        return self._missing(unquote(site_path), split.fragment, url)

    def _missing(self, site_path: str, fragment: str, url: str) -> str | None:
        if site_path in ("", "/") or site_path.endswith("/"):
            target = site_path.lstrip("/") + "index.html"
        elif site_path in self.files:
            target = site_path
        elif f"{site_path}/index.html" in self.files:
            target = f"{site_path}/index.html"
        else:
            target = site_path
        if target not in self.files:
            return f"broken link {url} (no {target} in the output)"
        if fragment and target in self.ids and unquote(fragment) not in self.ids[target]:
            return f"broken link {url} (no id {fragment!r} in {target})"
        return None


def _climbs_above_root(folder: str, relative: str) -> bool:
    depth = len([p for p in folder.split("/") if p])
    for part in relative.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part not in ("", "."):
            depth += 1
    return False


class _HTMLChecker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = _Page()
        self.errors: list[tuple[int, str]] = []
        self.stack: list[tuple[str, int]] = []
        self.doctype = False
        self.title = False

    def handle_decl(self, decl: str) -> None:
        self.doctype = self.doctype or decl.lower().startswith("doctype html")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, dict(attrs))
        if tag not in VOID:
            self.stack.append((tag, self.getpos()[0]))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._attributes(tag, dict(attrs))
        if tag not in VOID:
            self.errors.append((self.getpos()[0], f"<{tag}/> is not a void element; write <{tag}></{tag}>"))

    def handle_endtag(self, tag: str) -> None:
        line = self.getpos()[0]
        if tag in VOID:
            self.errors.append((line, f"</{tag}>: {tag} has no end tag"))
            return
        if tag not in (t for t, _ in self.stack):
            self.errors.append((line, f"</{tag}> without an open <{tag}>"))
            return
        while self.stack:
            open_tag, opened = self.stack.pop()
            if open_tag == tag:
                break
            if open_tag not in OPTIONAL_END:
                self.errors.append((opened, f"<{open_tag}> is not closed before </{tag}> on line {line}"))

    def _attributes(self, tag: str, attrs: dict[str, str | None]) -> None:
        line = self.getpos()[0]
        for name in ("id",) + (("name",) if tag == "a" else ()):
            value = attrs.get(name)
            if value is None:
                continue
            if name == "id" and value in self.page.ids:
                self.errors.append((line, f"duplicate id {value!r}"))
            self.page.ids.add(value)
        if tag == "title":
            self.title = True
        for attribute, kind in (("href", "link"), ("src", "asset")):
            value = attrs.get(attribute)
            if value is None or tag in ("base",) or (tag == "a" and attribute == "src"):
                continue
            if tag == "link":
                rel = set((attrs.get("rel") or "").lower().split())
                kind = "link" if rel & {"canonical", "alternate"} else "asset"
                if rel & {"modulepreload", "preload"} and attrs.get("as") == "script":
                    kind = "script"
            if tag == "script":
                kind = "script"
            self.page.references.append(_Reference(value, line, kind))
        for candidate in (attrs.get("srcset") or "").split(","):
            if candidate.strip():
                self.page.references.append(_Reference(candidate.split()[0], line, "asset"))


def _check_html(site_path: str, path: Path, problems: list[Problem]) -> _Page:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        problems.append(Problem(site_path, f"not UTF-8 ({exc.reason} at byte {exc.start})"))
        return _Page()
    checker = _HTMLChecker()
    checker.feed(text)
    checker.close()
    for tag, line in checker.stack:
        if tag not in OPTIONAL_END:
            checker.errors.append((line, f"<{tag}> is never closed"))
    if not checker.doctype:
        checker.errors.append((1, "no <!doctype html>"))
    if not checker.title:
        checker.errors.append((1, "no <title>"))
    for line, message in checker.errors:
        problems.append(Problem(site_path, f"line {line}: {message}"))
    return checker.page


def _check_xml(site_path: str, path: Path, problems: list[Problem]) -> _Page:
    page = _Page()
    try:
        root = ET.parse(path).getroot()
    except ET.ParseError as exc:
        problems.append(Problem(site_path, f"not well-formed XML: {exc}"))
        return page
    if root.tag == f"{ATOM}feed":
        _require(site_path, root, ["id", "title", "updated"], ATOM, "the feed", problems)
        for number, entry in enumerate(root.findall(f"{ATOM}entry"), 1):
            _require(site_path, entry, ["id", "title", "updated"], ATOM, f"entry {number}", problems)
            for text in (entry.findtext(f"{ATOM}published"), entry.findtext(f"{ATOM}updated")):
                if text and not _is_datetime(text):
                    problems.append(Problem(site_path, f"entry {number}: {text!r} is not an RFC 3339 date"))
        for link in root.iter(f"{ATOM}link"):
            page.references.append(_Reference(link.get("href", ""), 0, "feed"))
    elif root.tag == f"{SITEMAP}urlset":
        for loc in root.iter(f"{SITEMAP}loc"):
            page.references.append(_Reference(loc.text or "", 0, "feed"))
    return page


def _check_json_feed(site_path: str, path: Path, problems: list[Problem]) -> _Page:
    page = _Page()
    try:
        feed = json.loads(path.read_bytes())
    except ValueError as exc:
        problems.append(Problem(site_path, f"not valid JSON: {exc}"))
        return page
    if not isinstance(feed, dict) or feed.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append(Problem(site_path, "not a JSON Feed 1.1 (version must be https://jsonfeed.org/version/1.1)"))
        return page
    if not feed.get("title") or not isinstance(feed.get("items"), list):
        problems.append(Problem(site_path, "a JSON Feed needs a title and a list of items"))
        return page
    for key in ("home_page_url", "feed_url"):
        if feed.get(key):
            page.references.append(_Reference(feed[key], 0, "feed"))
    for number, item in enumerate(feed["items"], 1):
        if not isinstance(item, dict) or not item.get("id") or not ({"content_html", "content_text"} & item.keys()):
            problems.append(Problem(site_path, f"item {number} needs an id and content_html or content_text"))
            continue
        for key in ("date_published", "date_modified"):
            if key in item and not _is_datetime(str(item[key])):
                problems.append(Problem(site_path, f"item {number}: {key} {item[key]!r} is not an RFC 3339 date"))
        if item.get("url"):
            page.references.append(_Reference(item["url"], 0, "feed"))
    return page


def _require(site_path: str, element: ET.Element, names: list[str], namespace: str, what: str,
             problems: list[Problem]) -> None:
    for name in names:
        if not (element.findtext(f"{namespace}{name}") or "").strip():
            problems.append(Problem(site_path, f"{what} has no <{name}>"))


def _is_datetime(text: str) -> bool:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False
