"""Shared helpers: fixture sites copied to temp dirs, builds, an HTML link parser, a real HTTP server."""

from __future__ import annotations

import functools
import http.client
import http.server
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")  # Debian's package, installed by `make test`; never a downloaded build
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sites"


@pytest.fixture
def site_copy(tmp_path: Path):
    """Copy a fixture site (by name) into a temp dir and return its path."""

    def copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(FIXTURES / name, target)
        return target

    return copy


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """One headless Chromium for the whole run. Missing, it skips the browser tests, except in CI."""
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail("Debian's chromium is missing: `make test` installs it (apt-get install chromium)")
        pytest.skip("Debian's chromium is not installed (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def built(site_copy, tmp_path):
    """The full fixture site, built into tmp_path/out: (site folder, output folder)."""
    from dateline.build import build_site

    site = site_copy("full")
    out = tmp_path / "out"
    build_site(site, out)
    return site, out


def write_article(site: Path, name: str, text: str) -> Path:
    path = site / "content" / "articles" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `python build.py ARGS` as an editor would."""
    return subprocess.run([sys.executable, str(REPO / "build.py"), *args], cwd=cwd or REPO,
                          capture_output=True, text=True, timeout=120)


def read_preview_url(process: subprocess.Popen, timeout: float = 120) -> str:
    """Read a running `serve` command's output up to "Serving the preview on URL" and return URL; fail with its
    error output if it ends (or stays silent for TIMEOUT seconds) first."""
    found: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if "Serving the preview on " in line:
                found.put(line.split("Serving the preview on ")[1].split()[0])
                return
        found.put(None)

    threading.Thread(target=read, daemon=True).start()
    try:
        url = found.get(timeout=timeout)
    except queue.Empty:
        url = None
    if url is None:
        process.kill()
        _, err = process.communicate()
        raise AssertionError(f"the preview did not start: {err}")
    return url


@dataclass(frozen=True)
class ServedOnce:
    status: int  # of the one request
    page: str
    returncode: int  # of the command, after Ctrl-C
    stdout: str
    stderr: str


def serve_once(command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> ServedOnce:
    """Run a `serve` COMMAND in a session of its own, GET the address it prints, then press Ctrl-C as a terminal
    does (SIGINT to the whole process group): what it answered and how it ended."""
    process = subprocess.Popen(command, cwd=cwd, env={**(env or os.environ), "PYTHONUNBUFFERED": "1"},
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        url = urlsplit(read_preview_url(process))
        connection = http.client.HTTPConnection(url.netloc, timeout=60)
        try:
            connection.request("GET", url.path)
            response = connection.getresponse()
            status, page = response.status, response.read().decode("utf-8")
        finally:
            connection.close()
        os.killpg(process.pid, signal.SIGINT)
        out, err = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
    return ServedOnce(status, page, process.returncode, out, err)


EXECUTABLE_SCRIPT_TYPES = {"text/javascript", "module", "application/javascript", ""}


class PageParser(HTMLParser):
    """Collects what the tests look at: links, asset references, scripts, the lang attribute, visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.assets: list[str] = []
        self.scripts = 0
        self.lang: str | None = None
        self.text_parts: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag == "a" and attributes.get("href"):
            self.links.append(attributes["href"] or "")
        if tag == "link" and attributes.get("href"):
            # canonical/alternate links name URLs, they don't load them; stylesheets and icons do
            rel = set((attributes.get("rel") or "").split())
            (self.links if rel & {"canonical", "alternate"} else self.assets).append(attributes["href"] or "")
        if tag in ("img", "script") and attributes.get("src"):
            self.assets.append(attributes["src"] or "")
        if tag == "script" and (attributes.get("type") or "text/javascript") in EXECUTABLE_SCRIPT_TYPES:
            self.scripts += 1  # JSON-LD (application/ld+json) is data, not code

    def handle_data(self, data: str) -> None:
        self.text_parts.append(data)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.text_parts).split())


def parse_page(path: Path) -> PageParser:
    parser = PageParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


class _PrefixHandler(http.server.SimpleHTTPRequestHandler):
    """Serves DIRECTORY under URL PREFIX (e.g. /news/), like a host that publishes output/ at a subpath."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        if not path.startswith(self.prefix):
            return str(Path(self.directory) / "__outside_prefix__")
        return super().translate_path("/" + path[len(self.prefix):])

    def log_message(self, *args) -> None:  # keep test output quiet
        pass


@pytest.fixture
def http_server() -> Iterator:
    """Start real HTTP servers on 127.0.0.1 serving a folder under a prefix; yields a starter."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def start(directory: Path, prefix: str = "/") -> str:
        handler = type("Handler", (_PrefixHandler,), {"prefix": prefix})
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                 functools.partial(handler, directory=str(directory)))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}{prefix}"

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()
