"""The preview server under load and attack: 1,000 concurrent requests, raw traversal attempts, where it listens.

Complements test_serve.py (which owns the server's behaviour); only the public API is used here:
Preview(site_dir, host=..., port=...) as a context manager, start(), state, port.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
from collections import Counter

import pytest

from dateline.serve import Preview

from conftest import FIXTURES, REPO

CONNECTIONS = 1_000
DEADLINE = 120.0  # seconds for the whole load test: it stops by itself
SECRET = b"SECRET-hardening-7d2e"


@pytest.fixture(scope="module")
def preview(tmp_path_factory):
    root = tmp_path_factory.mktemp("serve")
    site = root / "site"
    shutil.copytree(FIXTURES / "full", site)
    (root / "secret.txt").write_bytes(SECRET)
    (site / "secret.txt").write_bytes(SECRET)  # in the site folder, but not part of the site
    with Preview(site, port=0, log=lambda *_: None) as running:
        running.start()
        running.state.wait_epoch(0, timeout=60)
        os.symlink(root / "secret.txt", running.server.preview_dir / "link-out.txt")
        yield running


async def _get(port: int, path: str, semaphore: asyncio.Semaphore | None = None) -> tuple[int, bytes]:
    """One raw HTTP/1.1 request, PATH sent byte for byte; (status, body)."""
    async def go() -> tuple[int, bytes]:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
            await writer.drain()
            response = await reader.read()
        finally:
            writer.close()
            await writer.wait_closed()
        head, _, body = response.partition(b"\r\n\r\n")
        return int(head.split(b" ", 2)[1]), body

    if semaphore is None:
        return await go()
    async with semaphore:
        return await go()


def test_a_thousand_concurrent_requests_are_all_answered(preview):
    paths = ["/news/", "/news/tags/", "/news/countries/", "/news/feed.xml", "/news/static/css/style.css",
             "/news/archive/", "/news/no-such-page/"]
    expected = {"/news/no-such-page/": 404}

    async def load() -> list[tuple[int, bytes] | BaseException]:
        # all connections opened at once; the accept queue, not the client, decides how many wait
        requests = [_get(preview.port, paths[n % len(paths)]) for n in range(CONNECTIONS)]
        return await asyncio.wait_for(asyncio.gather(*requests, return_exceptions=True), DEADLINE)

    results = asyncio.run(load())
    failures = Counter(type(r).__name__ for r in results if isinstance(r, BaseException))
    assert not failures, f"{sum(failures.values())} of {CONNECTIONS} requests failed: {dict(failures)}"
    for n, (status, body) in enumerate(results):  # type: ignore[misc]
        path = paths[n % len(paths)]
        assert status == expected.get(path, 200), (path, status)
        assert body
    # and it still answers afterwards
    assert asyncio.run(_get(preview.port, "/news/"))[0] == 200


TRAVERSALS = [
    "/news/../secret.txt", "/news/../../secret.txt", "/news/%2e%2e/secret.txt", "/news/%2E%2E/%2e%2e/secret.txt",
    "/news/%252e%252e/secret.txt", "/news/%25252e%25252e/secret.txt", "/news/..%2fsecret.txt",
    "/news/..%5csecret.txt", "/news/..\\secret.txt", "/news/\\..\\secret.txt", "/news/%5c%2e%2e%5csecret.txt",
    "/news/.%2e/secret.txt", "/news/%2e./secret.txt", "/news/%c0%ae%c0%ae/secret.txt", "/news/%e0%80%ae./secret.txt",
    "/news/%u002e%u002e/secret.txt", "/news/..%00/secret.txt", "/news/%00/../secret.txt", "/news//../secret.txt",
    "/news/static/../../secret.txt", "/news/static/%2e%2e/%2e%2e/secret.txt", "/news/./../secret.txt",
    "/news/%2fetc%2fpasswd", "/news//etc/passwd", "/news/..;/secret.txt", "../secret.txt", "secret.txt",
    "http://127.0.0.1/news/../secret.txt", "/news/link-out.txt", "/news/link-out.txt/", "/news/LINK-OUT.TXT",
    "/secret.txt", "/news/../site/secret.txt", "/news/%2e%2e%2fsite.yaml", "/news/....//secret.txt",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_never_serves_a_file_outside_the_site(preview, path):
    status, body = asyncio.run(_get(preview.port, path))
    assert status in (301, 302, 400, 403, 404), (path, status)
    assert SECRET not in body
    assert b"root:" not in body  # /etc/passwd


def test_traversal_attempts_do_not_stop_the_server(preview):
    async def all_at_once() -> list:
        semaphore = asyncio.Semaphore(50)
        return await asyncio.wait_for(asyncio.gather(*(_get(preview.port, p, semaphore) for p in TRAVERSALS * 5),
                                                     return_exceptions=True), DEADLINE)

    results = asyncio.run(all_at_once())
    assert not [r for r in results if isinstance(r, BaseException)]
    assert asyncio.run(_get(preview.port, "/news/"))[0] == 200


def test_listens_on_127_0_0_1_unless_told_otherwise(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "minimal", site)
    with Preview(site, port=0, log=lambda *_: None) as running:
        assert running.server.server_address[0] == "127.0.0.1"
        assert running.url.startswith("http://127.0.0.1:")
        other = _first_non_loopback_address()
        if other is not None:  # from another interface of this machine, nothing answers
            with pytest.raises(OSError):
                socket.create_connection((other, running.port), timeout=5).close()


def _first_non_loopback_address() -> str | None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: no packet is sent for a UDP connect
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_serving_on_all_interfaces_warns(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "minimal", site)
    process = subprocess.Popen([sys.executable, str(REPO / "build.py"), "serve", "--site", str(site), "--port", "0",
                                "--host", "0.0.0.0"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        assert process.stdout is not None
        for line in process.stdout:
            if "Serving the preview on" in line:
                break
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert "warning: serving on 0.0.0.0: other machines can see this preview" in err
