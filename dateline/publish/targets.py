"""Where a built site goes: a local folder, rsync, a git branch or an S3-compatible bucket.

Each target compares the built files with what the host has (plan) and then sends only the difference
(apply), so a dry run and a real publish see the same list.
"""

from __future__ import annotations

import hashlib
import mimetypes
import os
import re
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from dateline.errors import DatelineError, SourceError
from dateline.fingerprint import digest
from dateline.incremental.tree_writes import exchange


@dataclass(frozen=True)
class Changes:
    upload: list[str] = field(default_factory=list)  # site paths that are new or changed
    delete: list[str] = field(default_factory=list)  # site paths the host has and the site no longer does

    def lines(self) -> list[str]:
        return [f"upload {p}" for p in self.upload] + [f"delete {p}" for p in self.delete]

    def __bool__(self) -> bool:
        return bool(self.upload or self.delete)


class Target(Protocol):
    description: str

    def plan(self, output: Path) -> Changes: ...

    def apply(self, output: Path, changes: Changes) -> None: ...


SUPPORTED = ("a folder (/var/www/html), rsync://host/module/path or [user@]host:path, git+REPO[#BRANCH] "
             "(default branch gh-pages), or s3://BUCKET[/PREFIX]")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def parse_target(spec: str, work_dir: Path) -> Target:
    """--to SPEC: s3://bucket/prefix, git+REPO[#branch], rsync://... or [user@]host:path, else a local folder.

    Any other scheme:// is refused (it would otherwise be a folder named "ftp:"). WORK_DIR keeps what a
    target needs between publishes (the git target's clone).
    """
    scheme = _SCHEME.match(spec)
    if scheme and scheme.group(1).lower() not in ("s3", "rsync", "file") and not spec.startswith("git+"):
        raise _error(spec, f"Dateline cannot publish to {scheme.group(1)}:// addresses; --to takes {SUPPORTED}")
    if spec.startswith("s3://"):
        bucket, _, prefix = spec[len("s3://"):].partition("/")
        if not bucket:
            raise _error(spec, "an S3 target needs a bucket: s3://BUCKET[/PREFIX]")
        _require_boto3(spec)
        return S3Target(bucket, prefix.strip("/"))
    if spec.startswith("git+"):
        repository, _, branch = spec[len("git+"):].partition("#")
        if not repository:
            raise _error(spec, "a git target needs a repository: git+URL-OR-PATH[#BRANCH]")
        return GitTarget(repository, branch or "gh-pages", work_dir / "git")
    if spec.startswith("rsync://") or re.match(r"^(?:[\w.+-]+@)?[\w.-]+:(?!//)", spec) and not re.match(
            r"^[A-Za-z]:[\\/]", spec):
        return RsyncTarget(spec)
    path = Path(spec.removeprefix("file://")).expanduser()
    return FolderTarget(path)


def local_files(output: Path) -> list[str]:
    """Every file of the built site, as sorted site paths (hidden files too: .nojekyll, .well-known/)."""
    return sorted(p.relative_to(output).as_posix() for p in output.rglob("*") if p.is_file())


def _error(spec: str, message: str) -> DatelineError:
    # "--to SPEC: ...": SPEC as typed (as a Path, "s3://b" would print as "s3:/b")
    return DatelineError(SourceError(Path("--to"), f"{spec}: {message}"))


def _upload_order(paths: Iterable[str]) -> list[str]:
    """Assets and feeds before pages, so a page that goes live finds what it links to already there."""
    return sorted(paths, key=lambda p: (p.endswith(".html"), p))


# -- a local folder -------------------------------------------------------------------------------------


class FolderTarget:
    """A folder such as a web server's root, replaced in one atomic swap with a complete new copy.

    The copy is made beside it: unchanged files are hard links to the live ones (same inode, nothing
    moves), changed files are copied in; then the two folders trade places (renameat2 on Linux).
    """

    def __init__(self, path: Path) -> None:
        self.path = path.absolute()
        self.description = f"folder {self.path}"

    def plan(self, output: Path) -> Changes:
        built = local_files(output)
        live = set(local_files(self.path)) if self.path.is_dir() else set()
        upload = [p for p in built if p not in live or not _same_file(output / p, self.path / p)]
        return Changes(upload=_upload_order(upload), delete=sorted(live - set(built)))

    def apply(self, output: Path, changes: Changes) -> None:
        if not self.path.parent.is_dir():
            raise _error(str(self.path), f"the folder {self.path.parent} does not exist")
        staging = self.path.with_name(f".{self.path.name}.publishing")
        shutil.rmtree(staging, ignore_errors=True)
        changed = set(changes.upload)
        for site_path in local_files(output):
            target = staging / site_path
            target.parent.mkdir(parents=True, exist_ok=True)
            if site_path not in changed:
                try:
                    os.link(self.path / site_path, target)
                    continue
                except OSError:
                    pass
            shutil.copy2(output / site_path, target)
        os.chmod(staging, 0o755)
        if self.path.exists():
            exchange(staging, self.path)
            shutil.rmtree(staging)  # the previous site, now out of service
        else:
            os.rename(staging, self.path)


def _same_file(built: Path, live: Path) -> bool:
    try:
        a, b = built.stat(), live.stat()
    except OSError:
        return False
    if a.st_size != b.st_size:
        return False
    if a.st_mtime_ns == b.st_mtime_ns or a.st_ino == b.st_ino:  # the build keeps unchanged files' mtimes
        return True
    return built.read_bytes() == live.read_bytes()


# -- rsync ----------------------------------------------------------------------------------------------


class RsyncTarget:
    """rsync://host/module/path or [user@]host:path through the system's rsync (over ssh for host:path).

    --checksum sends only files whose content differs; --delay-updates puts them all in place at the end.
    """

    def __init__(self, destination: str) -> None:
        self.destination = destination if destination.endswith("/") else destination + "/"
        self.description = f"rsync {self.destination}"

    def _run(self, output: Path, dry_run: bool) -> list[str]:
        if shutil.which("rsync") is None:
            raise _error(self.destination, "rsync is not installed (Debian: apt-get install rsync)")
        command = ["rsync", "--recursive", "--links", "--times", "--checksum", "--delete-after", "--delay-updates",
                   "--chmod=D755,F644", "--itemize-changes", "--out-format=%i %n", *(["--dry-run"] if dry_run else []),
                   f"{output}/", self.destination]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise _error(self.destination, f"rsync failed (exit {result.returncode}): {result.stderr.strip()}")
        return result.stdout.splitlines()

    def plan(self, output: Path) -> Changes:
        upload, delete = [], []
        for line in self._run(output, dry_run=True):
            flags, _, name = line.partition(" ")
            if flags == "*deleting":
                delete.append(name.strip().rstrip("/"))
            elif flags[:2] in (">f", "<f"):
                upload.append(name)
        return Changes(upload=_upload_order(upload), delete=sorted(delete))

    def apply(self, output: Path, changes: Changes) -> None:
        self._run(output, dry_run=False)


# -- a git branch ---------------------------------------------------------------------------------------


class GitTarget:
    """A branch of a git repository, GitHub Pages style: one commit per publish holding the whole site,
    with .nojekyll (so folders starting with _ are served) and the branch's CNAME kept."""

    def __init__(self, repository: str, branch: str, work_dir: Path) -> None:
        path = Path(repository).expanduser()
        self.repository = str(path.absolute()) if path.exists() else repository
        self.branch = branch
        self.clone = work_dir / f"{digest(self.repository)}.git"  # a private bare clone: objects and an index
        self.description = f"git branch {branch} of {self.repository}"
        self._tree: str | None = None
        self._parent: str | None = None

    def _git(self, *args: str, output: Path | None = None, stdin: str | None = None) -> str:
        env = {**os.environ, "GIT_INDEX_FILE": str(self.clone / "dateline-index")}
        for name, value in (("NAME", "Dateline"), ("EMAIL", "dateline@localhost")):
            env.setdefault(f"GIT_AUTHOR_{name}", value)
            env.setdefault(f"GIT_COMMITTER_{name}", value)
        command = ["git", f"--git-dir={self.clone}", *([f"--work-tree={output}"] if output else []), *args]
        result = subprocess.run(command, capture_output=True, text=True, env=env, input=stdin, check=False,
                                cwd=output)
        if result.returncode != 0:
            raise _error(self.repository, f"git {args[0]} failed: {result.stderr.strip()}")
        return result.stdout.strip()

    def plan(self, output: Path) -> Changes:
        if not (self.clone / "HEAD").exists():
            self.clone.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(["git", "init", "--quiet", "--bare", str(self.clone)], check=True, capture_output=True)
        heads = self._git("ls-remote", "--heads", self.repository, f"refs/heads/{self.branch}")
        self._parent = heads.split()[0] if heads else None
        if self._parent:
            self._git("fetch", "--quiet", "--no-tags", self.repository,
                      f"+refs/heads/{self.branch}:refs/dateline/published")
        self._git("read-tree", "--empty")
        self._git("add", "--all", "--force", ".", output=output)
        empty = self._git("hash-object", "-w", "--stdin", stdin="")
        self._git("update-index", "--add", "--cacheinfo", f"100644,{empty},.nojekyll")
        if self._parent and not (output / "CNAME").exists():
            cname = self._git("ls-tree", self._parent, "CNAME")
            if cname:
                mode, _, rest = cname.partition(" ")
                self._git("update-index", "--add", "--cacheinfo", f"{mode},{rest.split()[1]},CNAME")
        self._tree = self._git("write-tree")
        if not self._parent:
            return Changes(upload=_upload_order(self._git("ls-tree", "-r", "--name-only", self._tree).splitlines()))
        upload, delete = [], []
        diff = self._git("diff-tree", "-r", "--no-renames", "--name-status", self._parent, self._tree)
        for line in diff.splitlines():
            status, _, name = line.partition("\t")
            (delete if status == "D" else upload).append(name)
        return Changes(upload=_upload_order(upload), delete=sorted(delete))

    def apply(self, output: Path, changes: Changes) -> None:
        assert self._tree is not None, "plan() first"
        parent = ["-p", self._parent] if self._parent else []
        message = f"Publish: {len(changes.upload)} files changed, {len(changes.delete)} deleted"
        commit = self._git("commit-tree", self._tree, *parent, "-m", message)
        # not forced: if someone else pushed to the branch meanwhile, git refuses and nothing is lost
        self._git("push", "--quiet", self.repository, f"{commit}:refs/heads/{self.branch}")


# -- an S3-compatible bucket ----------------------------------------------------------------------------


class S3Target:
    """s3://bucket/prefix on AWS or any S3-compatible server (endpoint from AWS_ENDPOINT_URL, credentials
    from the usual AWS environment or files). A file is uploaded when its MD5 differs from the object's
    ETag (we upload in one part, so the ETag is the MD5); objects the site no longer has are deleted last."""

    def __init__(self, bucket: str, prefix: str) -> None:
        self.bucket = bucket
        self.prefix = f"{prefix}/" if prefix else ""
        self.description = f"S3 bucket {bucket}" + (f" under {prefix}/" if prefix else "")
        self._client = None

    def client(self):
        if self._client is None:
            _require_boto3(f"s3://{self.bucket}")
            import boto3

            self._client = boto3.client("s3")
        return self._client

    def _remote(self) -> dict[str, str]:
        from botocore.exceptions import BotoCoreError, ClientError

        objects = {}
        try:
            for page in self.client().get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                                  Prefix=self.prefix):
                for item in page.get("Contents", []):
                    objects[item["Key"][len(self.prefix):]] = item["ETag"].strip('"')
        except (BotoCoreError, ClientError) as exc:
            raise _error(f"s3://{self.bucket}", f"cannot list the bucket: {exc}") from None
        return objects

    def plan(self, output: Path) -> Changes:
        remote = self._remote()
        built = local_files(output)
        upload = [p for p in built if remote.get(p) != hashlib.md5((output / p).read_bytes(),
                                                                     usedforsecurity=False).hexdigest()]
        return Changes(upload=_upload_order(upload), delete=sorted(set(remote) - set(built)))

    def apply(self, output: Path, changes: Changes) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        client = self.client()
        try:
            for site_path in changes.upload:
                client.put_object(Bucket=self.bucket, Key=self.prefix + site_path,
                                  Body=(output / site_path).read_bytes(), ContentType=content_type(site_path))
            for start in range(0, len(changes.delete), 1000):
                batch = changes.delete[start:start + 1000]
                client.delete_objects(Bucket=self.bucket, Delete={
                    "Objects": [{"Key": self.prefix + p} for p in batch], "Quiet": True})
        except (BotoCoreError, ClientError) as exc:
            raise _error(f"s3://{self.bucket}", f"upload failed: {exc}") from None


def _require_boto3(spec: str) -> None:
    """boto3 is an optional dependency (the [s3] extra): say how to install it rather than fail on an import."""
    try:
        import boto3  # noqa: F401
        import botocore.exceptions  # noqa: F401
    except ImportError as exc:
        raise _error(spec, f"publishing to S3 needs boto3, which is not installed here ({exc.name} is missing): "
                           "pip install 'dateline[s3]' (or, in a checkout of Dateline, "
                           ".venv/bin/pip install -r requirements.txt)") from None


def content_type(site_path: str) -> str:
    if site_path.endswith("feed.json"):
        return "application/feed+json"
    kind, _ = mimetypes.guess_type(site_path)
    kind = kind or "application/octet-stream"
    return f"{kind}; charset=utf-8" if kind.startswith("text/") or kind in ("application/xml", "application/json",
                                                                            "text/javascript") else kind
