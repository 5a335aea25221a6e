"""publish: to a folder, a git branch, an S3-compatible server, an rsync daemon and rsync over ssh (to an
sshd of the test's own), all on this machine; a second publish after one edit sends exactly the files whose
bytes changed."""

from __future__ import annotations

import getpass
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from test_links import crawl

from dateline.errors import DatelineError
from dateline.publish import publish

from conftest import run_cli

NOW = datetime(2025, 9, 12, 12, 0, tzinfo=timezone(timedelta(hours=3)))
A1 = "content/articles/a1.md"


def snapshot(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def edit_one_article(site: Path) -> None:
    path = site / A1
    path.write_text(path.read_text().replace("Second paragraph", "A corrected second paragraph"))


def changed_files(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {p for p in after if before.get(p) != after[p]}


def gone(before: dict[str, str], after: dict[str, str]) -> set[str]:
    """Files of the previous build the new one does not have (Pagefind names its files by content)."""
    return set(before) - set(after)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, deadline: float = 30) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        assert process.poll() is None, "the server exited"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port}")


@contextmanager
def listening(argv: list[str], port: int, **popen: Any) -> Iterator[subprocess.Popen]:
    """A server started with ARGV, once it listens on 127.0.0.1:PORT; stopped at the end."""
    server = subprocess.Popen(argv, **popen)
    try:
        wait_for_port(port, server)
        yield server
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture
def site(site_copy):
    return site_copy("full")


def test_folder_target_swaps_in_a_complete_site_and_moves_only_changed_files(site, tmp_path, http_server):
    root = tmp_path / "www" / "html"
    root.parent.mkdir()
    dry = publish(site, str(root), now=NOW, dry_run=True)
    assert dry.changes.upload and not root.exists()
    first = publish(site, str(root), now=NOW)
    out = first.checked.build.output
    assert snapshot(root) == snapshot(out)
    assert (root / "pagefind" / "pagefind-ui.js").exists()
    assert not (root / "2025/09/12").exists()  # the draft of 12 September stays out
    (root / "stale.html").write_text("left over from an older site")
    inodes = {p: (root / p).stat().st_ino for p in snapshot(root)}
    before = snapshot(out)

    edit_one_article(site)
    second = publish(site, str(root), now=NOW)
    after = snapshot(out)
    expected = changed_files(before, after)
    assert "2025/09/11/belarus-frees-prisoners/index.html" in expected
    assert set(second.changes.upload) == expected
    assert set(second.changes.delete) == gone(before, after) | {"stale.html"}
    assert snapshot(root) == after
    moved = {p for p in after if p in inodes and (root / p).stat().st_ino != inodes[p]}
    assert moved == expected & set(inodes)  # unchanged files keep their inode: nothing else was touched
    assert not list(tmp_path.joinpath("www").glob(".html.*"))  # no staging folder left behind
    assert publish(site, str(root), now=NOW).changes.upload == []

    # the published folder, served under a subpath by a real web server: every page reachable, no 404
    seen, broken = crawl(http_server(root, "/news/"))
    assert broken == []
    pages = {p for p in after if p.endswith(".html")} - {"404.html"}
    reached = {urlparse(u).path.removeprefix("/news/") for u in seen}
    assert {p.removesuffix("index.html") for p in pages} <= reached


def test_a_failing_check_stops_the_publish_before_anything_is_sent(site, tmp_path):
    (site / "templates").mkdir()
    (site / "templates" / "day.html").write_text(
        '{% extends "default/day.html" %}{% block content %}{{ super() }}<a href="{{ url("nowhere/") }}">x</a>'
        '{% endblock %}')
    root = tmp_path / "html"
    with pytest.raises(DatelineError) as raised:
        publish(site, str(root), now=NOW)
    messages = [str(e) for e in raised.value.errors]
    assert any(m.startswith("2025/09/11/index.html: line ") and "broken link ../../../nowhere/" in m
               for m in messages), messages
    assert not root.exists()
    result = run_cli("publish", "--site", str(site), "--to", str(root), "--now", NOW.isoformat())
    assert result.returncode == 1 and "nothing was published" in result.stderr and not root.exists()


def git(*args: str, cwd: Path | None = None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


def test_git_branch_target_commits_the_site_with_nojekyll(site, tmp_path):
    remote = tmp_path / "site.git"
    git("init", "--quiet", "--bare", str(remote))
    target = f"git+{remote}#gh-pages"
    dry = run_cli("publish", "--site", str(site), "--to", target, "--now", NOW.isoformat(), "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "would upload .nojekyll" in dry.stdout and git("branch", "--list", cwd=remote) == ""
    first = publish(site, target, now=NOW)
    out = first.checked.build.output
    files = set(git("ls-tree", "-r", "--name-only", "gh-pages", cwd=remote).splitlines())
    assert files == set(snapshot(out)) | {".nojekyll"}
    before = snapshot(out)
    tip = git("rev-parse", "gh-pages", cwd=remote)

    edit_one_article(site)
    second = publish(site, target, now=NOW)
    after = snapshot(out)
    expected = changed_files(before, after)
    assert set(second.changes.upload) == expected and set(second.changes.delete) == gone(before, after)
    # --no-renames: Pagefind names its files by content, and git would report an old index file whose
    # successor looks similar as renamed, listing only the new name
    pushed = git("diff", "--no-renames", "--name-only", tip, "gh-pages", cwd=remote).splitlines()
    assert set(pushed) == expected | gone(before, after)
    assert git("rev-parse", "gh-pages^", cwd=remote) == tip  # one commit on top of the last publish
    assert not publish(site, target, now=NOW).changes


@pytest.fixture
def s3_server(tmp_path, monkeypatch):
    """moto's S3-compatible server as its own process on 127.0.0.1, reached through the normal AWS settings."""
    port = free_port()
    with listening([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], port,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL):
        for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing"),
                            ("AWS_DEFAULT_REGION", "us-east-1"), ("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")):
            monkeypatch.setenv(name, value)
        monkeypatch.delenv("AWS_PROFILE", raising=False)
        monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-aws-config"))
        monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-aws-credentials"))
        import boto3

        client = boto3.client("s3")
        client.create_bucket(Bucket="newsroom")
        yield client


def bucket_files(client, prefix: str) -> dict[str, str]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket="newsroom", Prefix=prefix)
    return {o["Key"][len(prefix):]: o["ETag"].strip('"') for page in pages for o in page.get("Contents", [])}


def test_s3_target_uploads_only_changed_files_with_content_types(site, s3_server):
    target = "s3://newsroom/digest"
    first = publish(site, target, now=NOW)
    out = first.checked.build.output
    md5 = {p: hashlib.md5((out / p).read_bytes(), usedforsecurity=False).hexdigest() for p in snapshot(out)}
    assert bucket_files(s3_server, "digest/") == md5
    head = s3_server.head_object(Bucket="newsroom", Key="digest/index.html")
    assert head["ContentType"] == "text/html; charset=utf-8"
    assert s3_server.head_object(Bucket="newsroom", Key="digest/feed.json")["ContentType"] == "application/feed+json"
    s3_server.put_object(Bucket="newsroom", Key="digest/old/stale.html", Body=b"old")
    before = snapshot(out)

    edit_one_article(site)
    dry = publish(site, target, now=NOW, dry_run=True)
    assert bucket_files(s3_server, "digest/")["old/stale.html"]  # a dry run changes nothing
    second = publish(site, target, now=NOW)
    assert second.changes == dry.changes
    after = snapshot(out)
    assert set(second.changes.upload) == changed_files(before, after)
    assert set(second.changes.delete) == gone(before, after) | {"old/stale.html"}
    assert set(bucket_files(s3_server, "digest/")) == set(snapshot(out))
    assert not publish(site, target, now=NOW).changes


def require_rsync() -> None:
    if shutil.which("rsync") is None:
        if os.environ.get("CI"):
            pytest.fail("rsync is required in CI (Debian: apt-get install rsync)")
        pytest.skip("rsync is not installed here (Debian: apt-get install rsync); CI runs this test")


@pytest.fixture
def rsync_daemon(tmp_path):
    require_rsync()
    destination = tmp_path / "rsync-root"
    destination.mkdir()
    port = free_port()
    config = tmp_path / "rsyncd.conf"
    config.write_text(f"use chroot = false\nuid = {os.getuid()}\ngid = {os.getgid()}\n"
                      f"pid file = {tmp_path}/rsyncd.pid\n[site]\npath = {destination}\nread only = false\n")
    with listening(["rsync", "--daemon", "--no-detach", f"--config={config}", "--address=127.0.0.1",
                    f"--port={port}", f"--log-file={tmp_path}/rsyncd.log"], port):
        yield f"rsync://127.0.0.1:{port}/site/", destination


SSHD = Path("/usr/sbin/sshd")


@pytest.fixture
def ssh_server(tmp_path, monkeypatch):
    """An sshd of this test's own on 127.0.0.1 (its own host key, one authorized client key), and rsync's
    ssh pointed at it through RSYNC_RSH, as a user would through ~/.ssh/config: the target is user@host:path."""
    require_rsync()
    if not SSHD.exists() or shutil.which("ssh-keygen") is None:
        if os.environ.get("CI"):
            pytest.fail("sshd is required in CI (Debian: apt-get install openssh-server)")
        pytest.skip("sshd is not installed here (Debian: apt-get install openssh-server); CI runs this test")
    keys = tmp_path / "ssh"
    keys.mkdir()
    for name in ("host", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(keys / name)], check=True)
    (keys / "authorized_keys").write_bytes((keys / "client.pub").read_bytes())
    port = free_port()
    config = keys / "sshd_config"
    config.write_text(f"ListenAddress 127.0.0.1\nPort {port}\nHostKey {keys / 'host'}\n"
                      f"AuthorizedKeysFile {keys / 'authorized_keys'}\nPidFile {keys / 'sshd.pid'}\n"
                      "StrictModes no\nUsePAM no\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                      "PermitRootLogin prohibit-password\nLogLevel ERROR\n")
    monkeypatch.setenv("RSYNC_RSH", f"ssh -p {port} -i {keys / 'client'} -o IdentitiesOnly=yes -o BatchMode=yes "
                                    f"-o StrictHostKeyChecking=no -o UserKnownHostsFile={keys / 'known_hosts'} "
                                    "-o LogLevel=ERROR")
    destination = tmp_path / "web root"  # a space: the path goes through the remote shell
    destination.mkdir()
    # sshd started as root wants its privilege separation folder, which the service manager makes at boot
    separation = Path("/run/sshd")
    made_separation = os.getuid() == 0 and not separation.exists()
    if made_separation:
        separation.mkdir(mode=0o755, parents=True)
    try:
        with open(keys / "sshd.log", "wb") as log, listening([str(SSHD), "-D", "-e", "-f", str(config)], port,
                                                             stderr=log):
            yield f"{getpass.getuser()}@127.0.0.1:{destination}/", destination
    finally:
        if made_separation:
            separation.rmdir()


@pytest.mark.parametrize("server", ["rsync_daemon", "ssh_server"])
def test_rsync_target_sends_only_changed_files_and_deletes_stale_ones(site, server, request):
    url, destination = request.getfixturevalue(server)
    first = publish(site, url, now=NOW)
    out = first.checked.build.output
    assert snapshot(destination) == snapshot(out)
    (destination / "stale.txt").write_text("old")
    before = snapshot(out)
    edit_one_article(site)
    dry = publish(site, url, now=NOW, dry_run=True)
    assert (destination / "stale.txt").exists()
    second = publish(site, url, now=NOW)
    assert second.changes == dry.changes
    after = snapshot(out)
    assert set(second.changes.upload) == changed_files(before, after)
    assert set(second.changes.delete) == gone(before, after) | {"stale.txt"}
    assert snapshot(destination) == snapshot(out)


def test_target_syntax():
    from dateline.publish.targets import FolderTarget, GitTarget, RsyncTarget, S3Target, parse_target

    work = Path("/tmp/unused")
    assert isinstance(parse_target("s3://bucket/a/b", work), S3Target)
    assert isinstance(parse_target("git+https://github.com/me/site.git", work), GitTarget)
    assert parse_target("git+/srv/site.git#main", work).branch == "main"
    assert isinstance(parse_target("deploy@web1:/var/www/html", work), RsyncTarget)
    assert isinstance(parse_target("rsync://web1/site/", work), RsyncTarget)
    assert isinstance(parse_target("/var/www/html", work), FolderTarget)
    assert isinstance(parse_target("./public", work), FolderTarget)
