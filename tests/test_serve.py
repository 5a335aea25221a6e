"""`serve`: a real preview server on a free port, real files, real HTTP; edits show up, errors show and clear."""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.utils import formatdate
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from dateline.build import build_site
from dateline.serve import PREVIEW_DIR, Preview, serve
from dateline.serve.handler import _clean
from dateline.serve.script import inject
from dateline.serve.state import Snapshot
from dateline.serve.watch import is_source_change, source_roots

REPO = Path(__file__).resolve().parent.parent
DEADLINE = 30.0  # seconds any awaited change may take before a test fails
SECRET = "SECRET-6f1c: never served"

ARTICLES = {
    "belarus.md": """---
title: Belarus releases political prisoners
slug: belarus-prisoners
date: 2025-09-11T10:00:00+03:00
countries: [BY, LT]
tags: [human rights]
---

Minsk freed 52 prisoners who crossed into Lithuania.
""",
    "japan.md": """---
title: Japan's exports rise for a third month
slug: japan-exports
date: 2025-09-10T08:50:00+00:00
countries: [JP]
tags: [economy]
---

Exports rose in August, led by cars.
""",
    "kenya.md": """---
title: Kenya's election commission sets a date
slug: kenya-election
date: 2025-09-09
countries: [KE]
tags: [elections]
---

The commission named a date for the vote.
""",
}
BELARUS_PAGE = "2025/09/11/belarus-prisoners/"


def make_site(root: Path, *, base_url: str = "https://example.org/") -> Path:
    """A small site: site.yaml, three articles, a static folder with a few file types; a secret beside it."""
    site = root / "site"
    (site / "content" / "articles").mkdir(parents=True)
    (site / "content" / "inbox").mkdir()
    (site / "site.yaml").write_text(f"# {SECRET}\ntitle: Preview Digest\nbase_url: {base_url}\n", encoding="utf-8")
    for name, text in ARTICLES.items():
        (site / "content" / "articles" / name).write_text(text, encoding="utf-8")
    static = site / "static"
    (static / "img").mkdir(parents=True)
    (static / "img" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    (static / "data.json").write_text('{"ok": true}', encoding="utf-8")
    (static / "font.woff2").write_bytes(b"wOF2\x00")
    (root / "secret.txt").write_text(SECRET, encoding="utf-8")
    return site


def edit_article(site: Path, name: str, old: str, new: str) -> None:
    path = site / "content" / "articles" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@contextmanager
def running_preview(site: Path, **options: Any) -> Iterator[Preview]:
    """A started preview on a free port whose first build has finished; closed afterwards."""
    logs: list[str] = []
    with Preview(site, port=0, log=logs.append, **options) as preview:
        preview.logs = logs  # type: ignore[attr-defined]
        preview.start()
        preview.state.wait_epoch(0, timeout=DEADLINE)
        yield preview


def fetch(preview: Preview, path: str, method: str = "GET",
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    """One request with PATH sent exactly as given (no client-side normalisation)."""
    connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=DEADLINE)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


def text_of(preview: Preview, path: str) -> str:
    status, _, body = fetch(preview, path)
    return body.decode("utf-8") if status == 200 else f"<status {status}>"


def eventually(check: Callable[[], Any], what: str, timeout: float = DEADLINE) -> Any:
    """Poll CHECK until it returns something true; fail with WHAT after TIMEOUT."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def state(preview: Preview) -> dict:
    return json.loads(fetch(preview, "/__dateline__/state")[2])


class EventStream:
    """A live connection to the server-sent events endpoint, read message by message."""

    def __init__(self, preview: Preview) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", preview.port, timeout=DEADLINE)
        self.connection.request("GET", "/__dateline__/events")
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        assert self.response.getheader("Content-Type") == "text/event-stream"

    def next_message(self) -> dict:
        """The next `data:` message (keepalive comments skipped)."""
        while True:
            line = self.response.readline()
            if not line:
                raise AssertionError("the event stream ended")
            if line.startswith(b"data: "):
                return json.loads(line[len(b"data: "):])

    def close(self) -> None:
        self.response.close()
        self.connection.close()


def tree_digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha1(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# Serving and keeping current


def test_serves_the_site_and_an_edit_shows_up(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    with running_preview(site) as preview:
        page = text_of(preview, "/" + BELARUS_PAGE)
        assert "Minsk freed 52 prisoners" in page
        edit_article(site, "belarus.md", "Minsk freed 52 prisoners", "Minsk freed 53 prisoners")
        eventually(lambda: "Minsk freed 53 prisoners" in text_of(preview, "/" + BELARUS_PAGE), "the edit")
        assert "Minsk freed 52 prisoners" not in text_of(preview, "/" + BELARUS_PAGE)
        assert any("Rebuilt" in line and "content/articles/belarus.md" in line for line in preview.logs)


def test_lists_are_never_stale(tmp_path: Path) -> None:
    """A new title shows on the front page, tag and country pages at once; a new article joins every list."""
    site = make_site(tmp_path)
    with running_preview(site) as preview:
        edit_article(site, "japan.md", "Japan's exports rise for a third month", "Japanese exports climb again")
        (site / "content" / "articles" / "chile.md").write_text(
            "---\ntitle: Chile passes a pension reform\nslug: chile-pensions\ndate: 2025-09-12\n"
            "countries: [CL]\ntags: [economy]\n---\n\nThe senate voted for it.\n", encoding="utf-8")
        for path in ("/", "/tags/economy/", "/countries/japan/"):
            eventually(lambda path=path: "Japanese exports climb again" in text_of(preview, path), f"{path} updated")
        for path in ("/", "/tags/economy/", "/countries/chile/"):
            assert "Chile passes a pension reform" in text_of(preview, path)
        assert "Japan&#39;s exports rise" not in text_of(preview, "/tags/economy/")
        (site / "content" / "articles" / "kenya.md").unlink()
        eventually(lambda: fetch(preview, "/2025/09/09/kenya-election/")[0] == 404, "the deleted article's 404")
        assert "Kenya" not in text_of(preview, "/")


def test_requests_wait_for_the_running_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path)
    with running_preview(site) as preview:
        building, release = threading.Event(), threading.Event()
        real_rebuild = preview.rebuilder.rebuild

        def slow_rebuild(*args: Any) -> Any:
            building.set()
            assert release.wait(DEADLINE)
            return real_rebuild(*args)

        monkeypatch.setattr(preview.rebuilder, "rebuild", slow_rebuild)
        edit_article(site, "belarus.md", "Minsk freed 52", "Minsk freed 60")
        assert building.wait(DEADLINE)
        replies: list[str] = []
        request = threading.Thread(target=lambda: replies.append(text_of(preview, "/" + BELARUS_PAGE)))
        request.start()
        eventually(lambda: preview.server._connections, "the request to arrive")
        assert replies == []  # it waits: the build has not finished
        release.set()
        request.join(DEADLINE)
        assert "Minsk freed 60" in replies[0]


def test_a_burst_of_saves_is_built_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path)
    with running_preview(site) as preview:
        start_epoch = state(preview)["epoch"]
        release = threading.Event()
        real_rebuild = preview.rebuilder.rebuild

        def held_rebuild(*args: Any) -> Any:
            assert release.wait(DEADLINE)
            return real_rebuild(*args)

        monkeypatch.setattr(preview.rebuilder, "rebuild", held_rebuild)
        edit_article(site, "kenya.md", "named a date", "named the 1st")
        eventually(lambda: preview.state._building, "the first build to start")
        paths = []
        for number in range(10):
            paths.append(site / "content" / "articles" / f"burst-{number}.md")
            paths[-1].write_text(f"---\ntitle: Burst number {number}\ndate: 2025-09-0{1 + number % 9}\n---\n\nText.\n",
                                 encoding="utf-8")
        eventually(lambda: set(paths) <= preview.rebuilder._changes, "all ten saves to be noticed")
        release.set()
        eventually(lambda: state(preview)["epoch"] == start_epoch + 2, "the burst to be built")
        front_page = text_of(preview, "/")
        assert all(f"Burst number {number}" in front_page for number in range(10))
        assert state(preview)["epoch"] == start_epoch + 2  # one build for the edit, one for all ten saves


def test_polling_watcher_sees_edits(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    with running_preview(site, poll=True) as preview:
        edit_article(site, "japan.md", "led by cars", "led by chips")
        eventually(lambda: "led by chips" in text_of(preview, "/2025/09/10/japan-exports/"), "the polled edit")


def test_changes_to_templates_and_site_yaml_rebuild(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    with running_preview(site) as preview:
        (site / "templates").mkdir()  # created after the preview started: watched from then on
        (site / "templates" / "404.html").write_text(
            '{% extends "default/404.html" %}{% block content %}<h1>Nothing here, editor</h1>{% endblock %}',
            encoding="utf-8")
        eventually(lambda: b"Nothing here, editor" in fetch(preview, "/missing/")[2], "the new 404 template")
        config = site / "site.yaml"
        config.write_text(config.read_text(encoding="utf-8").replace("Preview Digest", "Renamed Digest"),
                          encoding="utf-8")
        eventually(lambda: "Renamed Digest" in text_of(preview, "/"), "the new title")


# The preview stays apart from the site's files


def test_script_is_only_in_served_html_and_output_is_untouched(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    build_site(site)
    output_before = tree_digest(site / "output")
    with running_preview(site) as preview:
        assert b"data-dateline-live-reload" in fetch(preview, "/")[2]
        assert b"data-dateline-live-reload" in fetch(preview, "/" + BELARUS_PAGE)[2]
        assert b"data-dateline-live-reload" not in fetch(preview, "/static/css/style.css")[2]
        assert b"data-dateline-live-reload" not in fetch(preview, "/feed.xml")[2]
        edit_article(site, "belarus.md", "52 prisoners", "54 prisoners")
        eventually(lambda: "54 prisoners" in text_of(preview, "/" + BELARUS_PAGE), "the edit")
        preview_files = list((site / PREVIEW_DIR).rglob("*.html"))
        assert preview_files
        assert not [p for p in preview_files if b"data-dateline-live-reload" in p.read_bytes()]
    assert tree_digest(site / "output") == output_before
    assert not [p for p in (site / "output").rglob("*.html") if b"dateline-live-reload" in p.read_bytes()]
    kept = list((site / PREVIEW_DIR / "site").rglob("*.html"))  # kept for a fast next start, script-free
    assert kept and not [p for p in kept if b"dateline-live-reload" in p.read_bytes()]


def test_two_previews_of_one_site_build_apart(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    with running_preview(site) as first:
        with running_preview(site) as second:
            assert second.server.preview_dir != first.server.preview_dir
            edit_article(site, "belarus.md", "52 prisoners", "57 prisoners")
            for preview in (first, second):
                eventually(lambda p=preview: "57 prisoners" in text_of(p, "/" + BELARUS_PAGE), "both to update")
        assert not list((site / PREVIEW_DIR).glob("serve-*"))  # the second one's folder is gone
        assert "57 prisoners" in text_of(first, "/" + BELARUS_PAGE)


def test_no_output_folder_is_created(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    with running_preview(site) as preview:
        assert fetch(preview, "/")[0] == 200
    assert not (site / "output").exists()
    assert sorted(p.name for p in site.iterdir() if not p.name.startswith(".")) == ["content", "site.yaml", "static"]


# Serving files safely and correctly


@pytest.fixture(scope="module")
def read_only_preview(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Preview]:
    """One preview shared by tests that only read."""
    with running_preview(make_site(tmp_path_factory.mktemp("shared"))) as preview:
        yield preview


@pytest.mark.parametrize("path", [
    "/../site.yaml", "/../secret.txt", "/%2e%2e/site.yaml", "/%2E%2E/%2E%2E/secret.txt", "/..%2fsite.yaml",
    "/..%2F..%2Fsecret.txt", "/static/../../site.yaml", "/static/%2e%2e/%2e%2e/site.yaml", "/%252e%252e/site.yaml",
    "/..%5csite.yaml", "/%5c..%5csite.yaml", "/.%2e/site.yaml", "//site.yaml", "/static//../../site.yaml",
    "/%00../site.yaml", "/..%c0%afsite.yaml", "/static/%2e%2e%2f%2e%2e%2fsite.yaml",
])
def test_path_traversal_is_refused(read_only_preview: Preview, path: str) -> None:
    status, _, body = fetch(read_only_preview, path)
    assert status in (400, 403, 404)
    assert SECRET.encode() not in body


def test_only_localhost_names_are_answered(read_only_preview: Preview) -> None:
    """DNS rebinding: a page on evil.example whose name now points at 127.0.0.1 gets nothing."""
    status, _, body = fetch(read_only_preview, "/", headers={"Host": f"evil.example:{read_only_preview.port}"})
    assert status == 421 and b"Preview Digest" not in body
    for host in ("localhost", "127.0.0.1", "[::1]"):
        assert fetch(read_only_preview, "/", headers={"Host": f"{host}:{read_only_preview.port}"})[0] == 200


def test_symlinks_out_of_the_preview_are_refused(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    with running_preview(site) as preview:
        root = preview.server.preview_dir
        (root / "leak.txt").symlink_to(tmp_path / "secret.txt")
        (root / "leakdir").symlink_to(tmp_path, target_is_directory=True)
        for path in ("/leak.txt", "/leakdir/secret.txt", "/leakdir/site/site.yaml"):
            status, _, body = fetch(preview, path)
            assert status in (403, 404), path
            assert SECRET.encode() not in body


def test_mime_types(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    with running_preview(site) as preview:
        expected = {
            "/": "text/html; charset=utf-8",
            "/static/css/style.css": "text/css; charset=utf-8",
            "/feed.xml": "application/xml; charset=utf-8",
            "/robots.txt": "text/plain; charset=utf-8",
            "/static/img/logo.svg": "image/svg+xml",
            "/static/data.json": "application/json",
            "/static/font.woff2": "font/woff2",
        }
        for path, content_type in expected.items():
            status, headers, _ = fetch(preview, path)
            assert (status, headers["content-type"]) == (200, content_type), path
            assert headers["x-content-type-options"] == "nosniff"


def test_missing_pages_get_the_404_page_with_status_404(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    with running_preview(site) as preview:
        status, headers, body = fetch(preview, "/2031/no-such-story/")
        assert status == 404
        assert headers["content-type"] == "text/html; charset=utf-8"
        assert b"Page not found" in body
        assert b"data-dateline-live-reload" in body  # it reloads too, e.g. once the page is written
        assert fetch(preview, "/__dateline__/nothing")[0] == 404


def test_folders_redirect_to_their_slash(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    with running_preview(site) as preview:
        status, headers, _ = fetch(preview, "/" + BELARUS_PAGE.rstrip("/") + "?from=feed")
        assert status == 302
        assert headers["location"] == "/" + BELARUS_PAGE + "?from=feed"


def test_head_and_conditional_requests(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    with running_preview(site) as preview:
        for path in ("/", "/static/css/style.css"):
            # dated only once the second it was built in is over (whole-second dates would hide a quick rebuild)
            status, headers, body = eventually(
                lambda path=path: "last-modified" in (got := fetch(preview, path))[1] and got, "a Last-Modified date")
            head_status, head_headers, head_body = fetch(preview, path, "HEAD")
            assert (head_status, head_body) == (200, b"")
            assert head_headers["content-length"] == str(len(body)) == headers["content-length"]
            assert head_headers["content-type"] == headers["content-type"]
            assert fetch(preview, path, headers={"If-Modified-Since": headers["last-modified"]})[0] == 304
            assert fetch(preview, path, headers={"If-Modified-Since": formatdate(0, usegmt=True)})[0] == 200
            assert fetch(preview, path, headers={"If-Modified-Since": "not a date"})[0] == 200
            assert fetch(preview, path, headers={"If-None-Match": headers["etag"]})[0] == 304
            assert fetch(preview, path, headers={"If-None-Match": '"other"'})[0] == 200
        _, headers, _ = fetch(preview, "/" + BELARUS_PAGE)
        edit_article(site, "belarus.md", "52 prisoners", "55 prisoners")
        eventually(lambda: "55 prisoners" in text_of(preview, "/" + BELARUS_PAGE), "the edit")
        status, _, body = fetch(preview, "/" + BELARUS_PAGE, headers={"If-None-Match": headers["etag"],
                                                                      "If-Modified-Since": headers["last-modified"]})
        assert status == 200 and b"55 prisoners" in body


def test_site_is_served_under_base_url_path(tmp_path: Path) -> None:
    site = make_site(tmp_path, base_url="https://example.org/news/")
    with running_preview(site) as preview:
        assert preview.url.endswith("/news/")
        assert "Minsk freed 52" in text_of(preview, "/news/" + BELARUS_PAGE)
        assert fetch(preview, "/news/static/css/style.css")[0] == 200
        for path in ("/", "/news"):
            status, headers, _ = fetch(preview, path)
            assert (status, headers["location"]) == (302, "/news/")
        status, _, body = fetch(preview, "/" + BELARUS_PAGE)  # outside /news/
        assert status == 404 and b'href="/news/' in body  # the 404 page's links start at the base path
        assert fetch(preview, "/news/../site.yaml")[0] == 403
        assert fetch(preview, "/newsroom/")[0] == 404


# Build errors


def test_bad_yaml_is_reported_and_clears(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    with running_preview(site) as preview:
        events = EventStream(preview)
        try:
            first = events.next_message()
            assert first["errors"] == [] and first["epoch"] == 1
            config = site / "site.yaml"
            good = config.read_text(encoding="utf-8")
            config.write_text(good + "description: [unclosed\n", encoding="utf-8")
            broken = events.next_message()
            assert broken["epoch"] == 1  # the last good build is still the one served
            [error] = broken["errors"]
            assert error["path"] == "site.yaml" and error["line"] and "YAML" in error["message"]
            assert "Minsk freed 52" in text_of(preview, "/" + BELARUS_PAGE)  # still serving, never died
            config.write_text(good, encoding="utf-8")
            fixed = events.next_message()
            assert fixed["errors"] == [] and fixed["epoch"] == 2 and fixed["full_epoch"] == 2
        finally:
            events.close()


def test_template_error_names_file_and_line(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    with running_preview(site) as preview:
        template = site / "templates" / "article.html"
        template.parent.mkdir()
        template.write_text('{% extends "default/article.html" %}\n\n{% block content %}\n{% if %}\n{% endblock %}\n',
                            encoding="utf-8")
        errors = eventually(lambda: state(preview)["errors"], "the template error")
        assert errors[0]["path"] == "templates/article.html"
        assert errors[0]["line"] == 4
        template.unlink()
        eventually(lambda: not state(preview)["errors"], "the error to clear")


def test_article_error_and_internal_error_keep_the_server_up(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    site = make_site(tmp_path)
    with running_preview(site) as preview:
        edit_article(site, "kenya.md", "date: 2025-09-09", "date: 2025-13-45")
        errors = eventually(lambda: state(preview)["errors"], "the date error")
        assert errors[0]["path"] == "content/articles/kenya.md" and errors[0]["line"] == 4

        def broken(*args: Any) -> Any:
            raise RuntimeError("disk on fire")

        monkeypatch.setattr(preview.rebuilder, "rebuild", broken)
        edit_article(site, "kenya.md", "date: 2025-13-45", "date: 2025-09-09")
        eventually(lambda: "disk on fire" in json.dumps(state(preview)["errors"]), "the internal error")
        assert fetch(preview, "/")[0] == 200
        monkeypatch.undo()
        edit_article(site, "japan.md", "led by cars", "led by ships")
        eventually(lambda: "led by ships" in text_of(preview, "/2025/09/10/japan-exports/"), "recovery")
        assert state(preview)["errors"] == []


def test_broken_site_at_start_serves_a_placeholder_then_the_site(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    config = site / "site.yaml"
    good = config.read_text(encoding="utf-8")
    config.write_text("title: [\n", encoding="utf-8")
    with running_preview(site) as preview:
        status, _, body = fetch(preview, "/")
        assert status == 503 and b"data-dateline-live-reload" in body
        assert state(preview)["errors"][0]["path"] == "site.yaml"
        config.write_text(good, encoding="utf-8")
        eventually(lambda: "Minsk freed 52" in text_of(preview, "/" + BELARUS_PAGE), "the first good build")


def test_css_only_change_needs_no_full_reload(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    (site / "static" / "css").mkdir()
    (site / "static" / "css" / "extra.css").write_text("body { color: black }\n", encoding="utf-8")
    with running_preview(site) as preview:
        before = state(preview)
        (site / "static" / "css" / "extra.css").write_text("body { color: navy }\n", encoding="utf-8")
        after = eventually(lambda: (s := state(preview))["epoch"] > before["epoch"] and s, "the CSS build")
        assert after["full_epoch"] == before["full_epoch"]
        assert b"navy" in fetch(preview, "/static/css/extra.css")[2]
        edit_article(site, "japan.md", "led by cars", "led by vans")
        after_article = eventually(lambda: (s := state(preview))["epoch"] > after["epoch"] and s, "the next build")
        assert after_article["full_epoch"] == after_article["epoch"]


# The inbox: imported files appear, and the importer's own writes never start another build


def _fake_importer(calls: list[Path]) -> ModuleType:
    """Stands in for dateline.ingest: each inbox .txt becomes an article; a manifest records what was done."""
    module = ModuleType("dateline.ingest")

    class Report:
        def __init__(self, imported: list[str]) -> None:
            self.imported = imported
            self.rejected: list = []

        def lines(self, *, site_dir: Path | None = None, skipped: bool = True) -> list[str]:
            return [f"imported {name}" for name in self.imported]

    def import_inbox(site_dir: Path, config: Any) -> Report:
        manifest = site_dir / "content" / ".imported.json"
        done = json.loads(manifest.read_text()) if manifest.exists() else []
        imported = []
        for raw in sorted((site_dir / "content" / "inbox").glob("*.txt")):
            if raw.name in done:
                continue
            title, _, body = raw.read_text(encoding="utf-8").partition("\n")
            target = site_dir / "content" / "articles" / f"{raw.stem}.md"
            target.write_text(f"---\ntitle: {title}\nslug: {raw.stem}\ndate: 2025-09-12\n---\n\n{body}\n",
                              encoding="utf-8")
            done.append(raw.name)
            imported.append(raw.name)
            calls.append(raw)
        manifest.write_text(json.dumps(done))
        return Report(imported)

    module.import_inbox = import_inbox  # type: ignore[attr-defined]
    return module


def test_dropped_inbox_file_appears_without_a_rebuild_loop(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Path] = []
    monkeypatch.setitem(sys.modules, "dateline.ingest", _fake_importer(calls))
    site = make_site(tmp_path)
    with running_preview(site) as preview:
        (site / "content" / "inbox" / "wire-1.txt").write_text("Storm hits the Baltic coast\nWaves rose.",
                                                               encoding="utf-8")
        eventually(lambda: "Storm hits the Baltic coast" in text_of(preview, "/"), "the imported article")
        assert "imported wire-1.txt" in preview.logs
        # A later edit is a barrier: the importer's file events came before it, so any build they caused is logged.
        edit_article(site, "japan.md", "led by cars", "led by trains")
        eventually(lambda: "led by trains" in text_of(preview, "/2025/09/10/japan-exports/"), "the later edit")
        rebuilds = [line for line in preview.logs if line.startswith("Rebuilt")]
        assert not [line for line in rebuilds if "content/articles/wire-1.md" in line]
        assert len(calls) == 1


def test_real_importer_turns_inbox_copy_into_an_article(tmp_path: Path) -> None:
    ingest = pytest.importorskip("dateline.ingest", reason="dateline.ingest (the importer) is not in this checkout")
    if not hasattr(ingest, "import_inbox"):
        pytest.skip("dateline.ingest has no import_inbox yet")
    site = make_site(tmp_path)
    with running_preview(site) as preview:
        wire = REPO / "tests" / "fixtures" / "wire" / "new_delhi_em_dash.txt"
        (site / "content" / "inbox" / wire.name).write_bytes(wire.read_bytes())
        eventually(lambda: "railway" in text_of(preview, "/").lower(), "the imported article on the front page")
        assert state(preview)["errors"] == []
        [article] = set((site / "content" / "articles").rglob("*.md")) - {site / "content" / "articles" / name
                                                                         for name in ARTICLES}
        edit_article(site, "japan.md", "led by cars", "led by buses")  # a barrier, as above
        eventually(lambda: "led by buses" in text_of(preview, "/2025/09/10/japan-exports/"), "the later edit")
        written = article.relative_to(site).as_posix()
        assert not [line for line in preview.logs if line.startswith("Rebuilt") and written in line]


# Units: what the watcher ignores, path checks, injection


def test_watcher_ignores_output_previews_hidden_and_editor_files(tmp_path: Path) -> None:
    site = make_site(tmp_path).resolve()
    roots = source_roots(site)
    yes = ["site.yaml", "content/articles/a.md", "content/inbox/wire.txt", "templates/base.html",
           "static/css/style.css", "content"]
    no = ["output/index.html", "output", ".preview/serve-1-x/site/index.html", ".dateline-cache/x",
          "content/.imported.json", "content/articles/.a.md.swp", "content/articles/a.md~", "content/articles/4913",
          "content/articles/#a.md#", "content/articles/.#a.md", "templates/base.html___jb_tmp___", "README.md",
          ".git/index", "content/articles/.hidden/a.md", "site.yaml.tmp"]
    for relative in yes:
        assert is_source_change(site / relative, site, roots), relative
    for relative in no:
        assert not is_source_change(site / relative, site, roots), relative


def test_clean_site_paths() -> None:
    assert _clean("") and _clean("a/b/") and _clean("static/css/style.css") and _clean(".well-known/x")
    for bad in ("..", "../a", "a/../b", "a/./b", "./a", "a//b", "/a", "a\\..\\b", "a\x00b"):
        assert not _clean(bad), bad


def test_inject_before_the_last_body_end() -> None:
    snapshot = Snapshot(run="r1", version=3, epoch=2, full_epoch=2, built_at=0.0, errors=())
    html = b"<html><body><p>x</p><code></body></code></BODY ></html>"
    result = inject(html, snapshot)
    assert result.index(b"data-dateline-live-reload") > result.index(b"</code>")
    assert result.endswith(b"</BODY ></html>")
    assert inject(b"<p>fragment</p>", snapshot).startswith(b"<p>fragment</p><script")


# The command


def test_serve_refuses_a_busy_port(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = make_site(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        args = argparse.Namespace(site=site, host="127.0.0.1", port=busy.getsockname()[1], open=False, poll=False,
                                  drafts=False)
        assert serve(args) == 1
    assert "Cannot serve" in capsys.readouterr().err
    assert not (site / PREVIEW_DIR).exists()


def test_serve_command_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--site", str(site), "--port", "0"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line)
            if "Serving the preview on" in line:
                break
        url = lines[-1].split("Serving the preview on ")[1].split()[0]
        host_port = url.split("/")[2]
        connection = http.client.HTTPConnection(host_port, timeout=DEADLINE)
        connection.request("GET", "/")
        assert connection.getresponse().status == 200
        connection.close()
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=DEADLINE)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Stopping the preview" in out
    assert (site / PREVIEW_DIR / "site" / "index.html").is_file()
    assert not list((site / PREVIEW_DIR).glob("serve-*"))


def test_the_first_build_runs_alone_and_a_save_during_it_is_built_after(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """The first build runs before the preview starts any thread, so its workers may fork on every core; an
    article saved while it runs is not lost although nothing watched yet."""
    site = make_site(tmp_path)
    logs: list[str] = []
    with Preview(site, port=0, log=logs.append) as preview:
        real_rebuild = preview.rebuilder.rebuild
        threads_before = {thread.ident for thread in threading.enumerate()}  # this test process's own
        new_threads: list[set] = []

        def rebuild_while_an_editor_saves(*args: Any) -> Any:
            if not new_threads:
                new_threads.append({thread.ident for thread in threading.enumerate()} - threads_before)
                edit_article(site, "belarus.md", "Minsk freed 52", "Minsk freed 61")
            return real_rebuild(*args)

        monkeypatch.setattr(preview.rebuilder, "rebuild", rebuild_while_an_editor_saves)
        preview.start()
        preview.state.wait_epoch(0, timeout=DEADLINE)
        assert new_threads == [set()]  # the preview had started no thread yet
        eventually(lambda: "Minsk freed 61" in text_of(preview, "/" + BELARUS_PAGE), "the save made during the "
                                                                                     "first build")


def threads_of(pid: int) -> int:
    status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    return int(next(line.split()[1] for line in status.splitlines() if line.startswith("Threads:")))


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="reads thread counts from /proc")
def test_rebuilds_run_in_a_process_without_threads_which_is_replaced_if_killed(tmp_path: Path) -> None:
    """The preview's threads make forking unsafe in its own process, so its rebuilds run in a process of
    their own, with one thread, where a full rebuild may fork workers on every core. A template edit is
    built there; a killed build process is reported like an internal error, and the next change is built
    by a new one; stopping the preview ends it."""
    site = make_site(tmp_path)
    with running_preview(site) as preview:
        first = preview.rebuilder._builds._process
        assert first.pid != os.getpid() and threads_of(os.getpid()) > 1 and threads_of(first.pid) == 1
        (site / "templates").mkdir()
        (site / "templates" / "article.html").write_text(
            '{% extends "default/article.html" %}{% block head %}<meta name="edition" content="evening">'
            '{% endblock %}', encoding="utf-8")
        eventually(lambda: b'content="evening"' in fetch(preview, "/" + BELARUS_PAGE)[2], "the template edit")
        first.kill()
        first.wait()
        edit_article(site, "japan.md", "led by cars", "led by ships")
        errors = eventually(lambda: state(preview)["errors"], "the lost build process")
        assert "build process ended" in errors[0]["message"] and fetch(preview, "/")[0] == 200
        edit_article(site, "japan.md", "led by ships", "led by trains")
        eventually(lambda: "led by trains" in text_of(preview, "/2025/09/10/japan-exports/"), "a new build process")
        assert state(preview)["errors"] == []
        second = preview.rebuilder._builds._process
        assert second.pid != first.pid and second.poll() is None
    assert second.poll() is not None  # ended with the preview


# Rebuilds told what changed


def clean_preview_build(site: Path, preview: Preview, tmp_path: Path) -> dict[str, str]:
    """What a from-scratch build of SITE for this preview gives (its own cache and output)."""
    fresh = tmp_path / f"fresh-{time.monotonic_ns()}"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(".dateline-cache", PREVIEW_DIR))
    build_site(fresh, fresh / "output", base_url=preview.origin + "/")
    return tree_digest(fresh / "output")


def test_each_kind_of_edit_rebuilt_from_the_watchers_paths_equals_a_clean_build(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    articles = site / "content" / "articles"
    edits: list[tuple[str, Callable[[], None]]] = [
        ("body", lambda: edit_article(site, "belarus.md", "Minsk freed 52", "Minsk freed 54")),
        ("title", lambda: edit_article(site, "japan.md", "title: Japan's exports rise for a third month",
                                       "title: Japanese exports climb again")),
        ("add", lambda: (articles / "2025").mkdir() or (articles / "2025" / "chile.md").write_text(
            "---\ntitle: Chile passes a pension reform\nslug: chile-pensions\ndate: 2025-09-12\n"
            "countries: [CL]\ntags: [economy]\n---\n\nThe senate voted for it.\n", encoding="utf-8")),
        ("rename", lambda: os.replace(articles / "kenya.md", articles / "2025" / "kenya.md")),
        ("delete", lambda: (articles / "2025" / "chile.md").unlink()),
        ("template", lambda: (site / "templates").mkdir() or (site / "templates" / "404.html").write_text(
            '{% extends "default/404.html" %}{% block content %}<h1>Lost?</h1>{% endblock %}', encoding="utf-8")),
        ("site.yaml", lambda: (site / "site.yaml").write_text(
            (site / "site.yaml").read_text(encoding="utf-8").replace("Preview Digest", "Renamed Digest"),
            encoding="utf-8")),
        ("body again", lambda: edit_article(site, "belarus.md", "Minsk freed 54", "Minsk freed 55")),
    ]
    with running_preview(site) as preview:
        for kind, edit in edits:
            epoch = state(preview)["epoch"]
            edit()
            eventually(lambda epoch=epoch: state(preview)["epoch"] > epoch and not preview.state._building
                       and not preview.rebuilder._changes, f"the {kind} edit's rebuild")
            assert tree_digest(preview.server.preview_dir) == clean_preview_build(site, preview, tmp_path), kind
        assert preview.rebuilder._since_success == set()  # every rebuild was told what changed


def test_events_the_watcher_lost_are_looked_for(tmp_path: Path) -> None:
    """When the kernel's event queue overflows, watchdog says so in its log: the next rebuild scans every file."""
    site = make_site(tmp_path)
    with running_preview(site) as preview:
        edit_article(site, "japan.md", "led by cars", "led by ships")
        eventually(lambda: "led by ships" in text_of(preview, "/2025/09/10/japan-exports/"), "the first edit")
        preview.watcher.stop()  # events of the edit below are lost
        edit_article(site, "belarus.md", "Minsk freed 52 prisoners", "Minsk freed 56 prisoners")
        time.sleep(0.3)
        preview.watcher.start()
        assert "Minsk freed 52 prisoners" in text_of(preview, "/" + BELARUS_PAGE)
        logging.getLogger("watchdog.observers.inotify_c").warning(
            "Inotify queue overflowed; filesystem events were lost")  # what watchdog logs then
        eventually(lambda: "Minsk freed 56 prisoners" in text_of(preview, "/" + BELARUS_PAGE), "the lost edit")
        assert tree_digest(preview.server.preview_dir) == clean_preview_build(site, preview, tmp_path)
