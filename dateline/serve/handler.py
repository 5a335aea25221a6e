"""The preview's HTTP side: site files only, the live-reload script added to HTML, build events for the browser."""

from __future__ import annotations

import hashlib
import ipaddress
import socket
import socketserver
import threading
import time
import traceback
from dataclasses import dataclass, field
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from dateline import __version__
from dateline.serve.script import EVENTS_PATH, STATE_PATH, inject, state_json
from dateline.serve.state import BuildState, Snapshot, relative_to_site

SETTLED = 2.0  # seconds after its last change before a file gets a Last-Modified date (see _file)
KEEPALIVE = 15.0  # seconds between comments on an idle event stream, so dead connections are noticed
# Our own table first: mimetypes reads /etc/mime.types, which differs from machine to machine.
MIME_TYPES = {
    ".html": "text/html; charset=utf-8", ".htm": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".mjs": "text/javascript; charset=utf-8",
    ".json": "application/json", ".xml": "application/xml; charset=utf-8", ".txt": "text/plain; charset=utf-8",
    ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
    ".webp": "image/webp", ".avif": "image/avif", ".ico": "image/x-icon", ".woff": "font/woff",
    ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf", ".pdf": "application/pdf",
    ".webmanifest": "application/manifest+json", ".map": "application/json",
}
_PLACEHOLDER = (b"<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Building...</title></head>"
                b"<body><p>The site has not been built yet. This page reloads by itself when it is.</p></body></html>")


@dataclass
class Reply:
    status: HTTPStatus
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


class PreviewServer(ThreadingHTTPServer):
    """A threading HTTP server whose close() ends every connection and joins every request thread."""

    daemon_threads = False  # server_close() joins them: nothing is left running
    request_queue_size = 1024  # the default listen backlog of 5 left a burst of connections waiting a minute

    def __init__(self, address: tuple[str, int], state: BuildState, site_dir: Path) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.state = state
        self.preview_dir = site_dir / ".preview" / "site"  # the folder served; set by Preview
        self.site_dir = site_dir
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, PreviewHandler)
        self.loopback_only = is_loopback(address[0])

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up in DNS; we never need it.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def process_request(self, request, client_address) -> None:  # type: ignore[no-untyped-def]
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:  # type: ignore[no-untyped-def]
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Wake request threads blocked on idle or streaming connections, so they end."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the other side


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = f"DatelinePreview/{__version__}"
    timeout = 120  # an idle connection is closed after this many seconds

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        self._handle(send_body=True)

    def do_HEAD(self) -> None:  # noqa: N802
        self._handle(send_body=False)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: the terminal shows builds and errors, not every request."""

    def _handle(self, *, send_body: bool) -> None:
        try:
            if not self._host_allowed():
                self._send(Reply(HTTPStatus.MISDIRECTED_REQUEST, b"This preview only answers to localhost\n", _text()),
                           send_body=send_body)
                return
            path = urlsplit(self.path).path
            if path == EVENTS_PATH:
                self._stream_events(send_body=send_body)
                return
            self._send(self._reply(path), send_body=send_body)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, TimeoutError):
            self.close_connection = True  # the browser went away: nothing to report
        except Exception:
            traceback.print_exc()
            self.close_connection = True

    def _host_allowed(self) -> bool:
        """On a loopback address, answer only requests for localhost: a web page that points its own host name
        at 127.0.0.1 (DNS rebinding) must not read the preview, drafts included."""
        if not self.server.loopback_only:
            return True
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name in ("", "localhost", "127.0.0.1", "[::1]") or name.startswith("127.")

    def _reply(self, path: str) -> Reply:
        state = self.server.state
        if path == STATE_PATH:
            snapshot = state.snapshot()
            body = state_json(snapshot, self._errors(snapshot)).encode("utf-8")
            return Reply(HTTPStatus.OK, body, {"Content-Type": "application/json", "Cache-Control": "no-store"})
        base = state.base_path
        if not path.startswith(base):
            if base.startswith(path.rstrip("/") + "/"):  # "/" or "/news" while the site lives under /news/
                return self._redirect(base)
            with state.reading() as snapshot:
                return self._not_found(snapshot)
        try:
            site_path = unquote(path[len(base):], errors="strict")
        except UnicodeDecodeError:
            return Reply(HTTPStatus.BAD_REQUEST, b"Bad request: the path is not UTF-8\n", _text())
        if not _clean(site_path):
            return Reply(HTTPStatus.FORBIDDEN, b"Forbidden: the path leaves the site\n", _text())
        with state.reading() as snapshot:
            return self._file(site_path, path, snapshot)

    def _file(self, site_path: str, url_path: str, snapshot: Snapshot) -> Reply:
        root = self.server.preview_dir
        if not root.is_dir():  # no build has succeeded yet
            return Reply(HTTPStatus.SERVICE_UNAVAILABLE, inject(_PLACEHOLDER, snapshot),
                         {"Content-Type": MIME_TYPES[".html"], "Cache-Control": "no-store"})
        root = root.resolve()
        if site_path == "" or site_path.endswith("/"):
            site_path += "index.html"
        target = (root / site_path).resolve()
        if not target.is_relative_to(root):  # a symlink out of the preview
            return Reply(HTTPStatus.FORBIDDEN, b"Forbidden: the path leaves the site\n", _text())
        if target.is_dir():
            query = urlsplit(self.path).query
            return self._redirect(url_path + "/" + (f"?{query}" if query else ""))
        try:
            body = target.read_bytes()
            modified = target.stat().st_mtime
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return self._not_found(snapshot)
        content_type = MIME_TYPES.get(target.suffix.lower(), "application/octet-stream")
        if content_type.startswith("text/html"):
            body = inject(body, snapshot)
            modified = max(modified, snapshot.built_at)  # the script inside changes with every build
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
        headers = {"Content-Type": content_type, "ETag": etag, "Cache-Control": "no-cache"}
        # HTTP dates count whole seconds, and browsers revalidate with If-Modified-Since alone: a page rebuilt
        # twice in one second would get a 304 for the older copy (which then reloads itself forever). So a
        # file is dated only once its second is over, and anything changed since is a second later.
        settled = time.time() - modified >= SETTLED
        if settled:
            headers["Last-Modified"] = formatdate(modified, usegmt=True)
        if self._not_modified(etag, modified if settled else None):
            return Reply(HTTPStatus.NOT_MODIFIED, b"", headers)
        return Reply(HTTPStatus.OK, body, headers)

    def _not_found(self, snapshot: Snapshot) -> Reply:
        page = self.server.preview_dir / "404.html"
        try:
            body = inject(page.read_bytes(), snapshot)
        except OSError:
            return Reply(HTTPStatus.NOT_FOUND, b"Not found\n", _text())
        return Reply(HTTPStatus.NOT_FOUND, body, {"Content-Type": MIME_TYPES[".html"], "Cache-Control": "no-store"})

    def _redirect(self, location: str) -> Reply:
        return Reply(HTTPStatus.FOUND, b"", {"Location": location, "Cache-Control": "no-store"})

    def _not_modified(self, etag: str, modified: float | None) -> bool:
        if_none_match = self.headers.get("If-None-Match")
        if if_none_match is not None:  # takes precedence over If-Modified-Since (RFC 9110, 13.1.3)
            tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
            return "*" in tags or etag in tags
        if_modified_since = self.headers.get("If-Modified-Since")
        if not if_modified_since or modified is None:
            return False
        try:
            since = parsedate_to_datetime(if_modified_since).timestamp()
        except (TypeError, ValueError, IndexError):
            return False
        return int(modified) <= since

    def _send(self, reply: Reply, *, send_body: bool) -> None:
        self.send_response(reply.status)
        headers = {"X-Content-Type-Options": "nosniff", **reply.headers}
        if reply.status != HTTPStatus.NOT_MODIFIED:
            headers["Content-Length"] = str(len(reply.body))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if send_body and reply.body and reply.status != HTTPStatus.NOT_MODIFIED:
            self.wfile.write(reply.body)

    def _stream_events(self, *, send_body: bool) -> None:
        """Server-sent events: the build state now, then again on every change, until the server stops."""
        self.close_connection = True
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not send_body:
            return
        state = self.server.state
        self.wfile.write(b"retry: 1000\n\n")
        version = None
        while True:
            snapshot = state.wait_change(version, KEEPALIVE)
            if state.stopping:
                return
            if snapshot.version != version:
                version = snapshot.version
                self.wfile.write(f"data: {state_json(snapshot, self._errors(snapshot))}\n\n".encode())
            else:
                self.wfile.write(b": keepalive\n\n")

    def _errors(self, snapshot: Snapshot) -> list[dict]:
        return [{"path": relative_to_site(e.path, self.server.site_dir), "line": e.line, "message": e.message}
                for e in snapshot.errors]


def _clean(site_path: str) -> bool:
    """A decoded site path that stays inside the site: no '..', '.', empty parts, backslashes or NUL."""
    if "\x00" in site_path or "\\" in site_path or site_path.startswith("/"):
        return False
    parts = site_path.split("/")
    return not any(part in (".", "..") for part in parts) and "" not in parts[:-1]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _text() -> dict[str, str]:
    return {"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store"}
