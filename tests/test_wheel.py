"""`pip install` gives a working `dateline` command with the default theme, away from this repository.

The wheel is built from a copy of the files a clone has (tracked and new, not ignored), installed into a
fresh venv (no system site-packages, no PYTHONPATH) with its declared dependencies from the package index,
held to the versions of requirements.txt; every command runs from a temporary folder, so nothing of the
checkout can be imported or found. boto3 is an optional extra, so this venv is also a Dateline without it.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from learned_archive import write_archive

from conftest import REPO, parse_page, serve_once

SAMPLE_WIRE = REPO.parent / "shared" / "samples" / "wire"
TIMEOUT = 600  # seconds for building and installing: pip may download the dependencies


def _clone_files(target: Path) -> None:
    """Copy what a clone of this repository would hold, with uncommitted changes, into TARGET."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=REPO,
                            capture_output=True, check=True).stdout.decode().split("\0")
    for name in filter(None, listed):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The bin/ folder of a fresh venv with the wheel installed, and the environment to run it in."""
    root = tmp_path_factory.mktemp("wheel")
    source, dist, venv = root / "source", root / "dist", root / "venv"
    _clone_files(source)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dist),
                    str(source)], check=True, env=env, cwd=root, timeout=TIMEOUT)
    (wheel,) = dist.glob("dateline-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, env=env, timeout=TIMEOUT)
    # requirements.txt pins the tested versions; as constraints (without extras) they install nothing themselves
    constraints = root / "constraints.txt"
    constraints.write_text(re.sub(r"\[[^\]]*\]", "", (REPO / "requirements.txt").read_text()), encoding="utf-8")
    subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel), "-c",
                    str(constraints)], check=True, env=env, cwd=root, timeout=TIMEOUT)
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    return venv / "bin", env


def dateline(installed: tuple[Path, dict[str, str]], cwd: Path, *args: str) -> subprocess.CompletedProcess:
    bin_dir, env = installed
    return subprocess.run(["dateline", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)


def test_the_installed_package_is_not_the_checkout(installed, tmp_path):
    bin_dir, env = installed
    where = subprocess.run([str(bin_dir / "python"), "-c", "import dateline, sys; print(dateline.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert "site-packages" in where and not Path(where).is_relative_to(REPO)
    theme = Path(where).parent / "data" / "theme"
    assert {p.name for p in (theme / "templates").iterdir()} == {p.name for p in (REPO / "templates").iterdir()}
    assert (theme / "static" / "css" / "style.css").read_bytes() == (REPO / "static" / "css" / "style.css").read_bytes()


def test_new_build_import_and_serve_with_the_installed_command(installed, tmp_path):
    created = dateline(installed, tmp_path, "new", "mysite")
    assert created.returncode == 0, created.stderr
    assert "Build it with:    dateline build --site mysite" in created.stdout
    assert "`dateline build --site mysite`" in (tmp_path / "mysite/content/articles/welcome.md").read_text()
    assert "usage: dateline " in dateline(installed, tmp_path, "--help").stdout

    built = dateline(installed, tmp_path, "build", "--site", "mysite")
    assert built.returncode == 0 and "Traceback" not in built.stderr, built.stderr
    output = tmp_path / "mysite" / "output"
    home = parse_page(output / "index.html")
    assert "Welcome to your news digest" in home.text
    assert (output / "static" / "css" / "style.css").read_bytes() == (REPO / "static/css/style.css").read_bytes()

    imported = dateline(installed, tmp_path, "import", str(SAMPLE_WIRE), "--site", "mysite")
    assert imported.returncode == 0, imported.stderr
    assert re.search(r"^wrote mysite/content/articles/2025/09/2025-09-11-[\w-]+\.md", imported.stdout, re.M)
    rebuilt = dateline(installed, tmp_path, "build", "--site", "mysite")
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "Belarus" in parse_page(output / "index.html").text

    served = serve_once(["dateline", "serve", "--site", "mysite", "--port", "0"], cwd=tmp_path, env=installed[1])
    assert served.status == 200 and "Belarus" in served.page and "style.css" in served.page
    assert served.returncode == 0 and "Traceback" not in served.stderr, served.stderr


def test_a_french_site_from_the_installed_package_reads_in_french(installed, tmp_path):
    """The catalogs ship in the wheel: the theme's strings, dates and country names come out in French."""
    created = dateline(installed, tmp_path, "new", "fil", "--language", "fr")
    assert created.returncode == 0, created.stderr
    assert "language: fr" in (tmp_path / "fil" / "site.yaml").read_text(encoding="utf-8")
    built = dateline(installed, tmp_path, "build", "--site", "fil")
    assert built.returncode == 0 and "Traceback" not in built.stderr, built.stderr
    home = parse_page(tmp_path / "fil" / "output" / "index.html").text
    assert "Actualités" in home and "Archives" in home and "Les dernières actualités, jour par jour" in home
    assert "mercredi 1 janvier 2025" in home and "Latest" not in home
    assert "Bienvenue dans votre revue d’actualité" in home and "Welcome" not in home  # the example article
    article = parse_page(next((tmp_path / "fil" / "output" / "2025").glob("*/*/*/index.html"))).text
    assert "Lituanie" in article and "Lithuania" not in article


def test_publishing_to_s3_without_boto3_says_how_to_install_it(installed, tmp_path):
    assert dateline(installed, tmp_path, "new", "site").returncode == 0
    result = dateline(installed, tmp_path, "publish", "--site", "site", "--to", "s3://bucket/news")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "publishing to S3 needs boto3" in result.stderr and "pip install 'dateline[s3]'" in result.stderr
    assert not (tmp_path / "site" / "output").exists()  # refused before anything was built


def test_learned_tags_train_with_the_installed_package(installed, tmp_path):
    """The trainer runs in a process of its own: it must find the installed package and scikit-learn."""
    assert dateline(installed, tmp_path, "new", "mysite").returncode == 0
    write_archive(tmp_path / "mysite")
    result = dateline(installed, tmp_path, "tags", "--site", "mysite")
    assert result.returncode == 0, result.stderr
    assert "learned tags: trained on 37 tagged articles" in result.stdout
    assert any(line.split()[:1] == ["harbour"] and line.endswith("yes") for line in result.stdout.splitlines())
