"""Site paths: permalinks, links relative to the page that holds them, and paths that stay inside the site."""

from __future__ import annotations

from datetime import datetime


class UnsafePath(ValueError):
    """A computed output path that would leave the output folder."""


def permalink(pattern: str, slug: str, published: datetime) -> str:
    """The site path of an article, e.g. "2025/09/11/belarus-releases-prisoners/"."""
    path = pattern.format(year=f"{published.year:04d}", month=f"{published.month:02d}",
                          day=f"{published.day:02d}", slug=slug)
    return check_site_path(path)


_DOT_PARTS = frozenset((".", ".."))


def check_site_path(path: str) -> str:
    """Return PATH if it is a clean relative path inside the site; raise UnsafePath otherwise."""
    parts = path.split("/")
    if (not path or path.startswith("/") or "\\" in path or "\x00" in path
            or not _DOT_PARTS.isdisjoint(parts) or "" in parts[:-1]):
        raise UnsafePath(f"{path!r} is not a clean relative path inside the site")
    return path


def output_file(site_path: str) -> str:
    """The file that serves a site path: "tags/x/" -> "tags/x/index.html"."""
    return site_path + "index.html" if site_path == "" or site_path.endswith("/") else site_path


def link_prefix(page_file: str) -> str:
    """How links on the page stored at PAGE_FILE start: "../" per folder, up to the site's root."""
    return "../" * page_file.count("/")


def relative_url(target: str, page_file: str) -> str:
    """A link from the page stored at PAGE_FILE to the site path TARGET: up to the site's root, then down.

    Relative links work whether output/ is served at a host's root or under any subpath. Every link
    climbs the page's whole depth, as Hugo's relativeURLs does (from tags/a/index.html, "../../tags/b/"),
    so a piece of HTML with links is the same on every page at one depth, which is what lets
    {% cached %} reuse it. Pure string work: a large site makes hundreds of thousands of links.
    """
    return link_prefix(page_file) + target or "./"


def is_remote(reference: str) -> bool:
    return reference.startswith(("https://", "http://"))


def media_reference(text: str) -> str:
    """An image as an article or site.yaml names it: an http(s) URL as it is, or a file of the site's static/
    folder ("static/photos/riga.jpg"; a leading "/" is the site's root, wherever the site is published), the
    only place a site's own files are published from. Raise ValueError saying what is allowed."""
    if not text or is_remote(text) and not any(c.isspace() for c in text):
        return text
    path = text.removeprefix("/")
    try:
        if not path.startswith("static/"):
            raise UnsafePath(text)
        return check_site_path(path)
    except UnsafePath:
        raise ValueError(f"must be an http(s) URL or a file of the site's static/ folder such as "
                         f"static/photos/riga.jpg, not {text!r}") from None
