"""Every input an editor can type wrong ends in a message saying what to do, exit status 1, and no traceback.

Each case runs the real command (`python build.py ...`) in a subprocess, as an editor would.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, run_cli, serve_once

SITE_COMMANDS = [["build"], ["serve"], ["import", "story.txt"], ["tags"], ["check"], ["publish", "--to", "out"]]
WIRE = " date 2025-09-11 VILNIUS: Lithuania reopened a border crossing on Thursday.\n\nTrucks waited. – AFP\n"


def refused(result: subprocess.CompletedProcess, *expected: str) -> None:
    """Exit status 1, each EXPECTED text in the error output, and no Python traceback anywhere."""
    assert result.returncode == 1, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    assert run_cli("new", str(site)).returncode == 0
    return site


@pytest.mark.parametrize("command", SITE_COMMANDS, ids=lambda c: c[0])
def test_site_that_is_a_file_missing_or_not_a_site(tmp_path, command):
    (tmp_path / "notes.txt").write_text("not a site\n")
    refused(run_cli(*command, "--site", str(tmp_path / "notes.txt"), cwd=tmp_path),
            "notes.txt: this is a file, not a folder: pass --site the folder that holds your site.yaml")
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "site.yaml").write_text("title: T\nbase_url: https://e.org/\n")
    refused(run_cli(*command, "--site", "mine/site.yaml", cwd=tmp_path), "pass --site mine")
    refused(run_cli(*command, "--site", "nowhere", cwd=tmp_path),
            "nowhere: no such folder. Create a site there with `", " new nowhere`")
    (tmp_path / "empty").mkdir()
    refused(run_cli(*command, "--site", "empty", cwd=tmp_path), "no site.yaml here: run `", " new DIR` to start")
    assert not (tmp_path / "nowhere").exists() and list((tmp_path / "empty").iterdir()) == []


@pytest.mark.parametrize("target", ["ftp://example.org/www", "https://example.org/news/", "http://localhost/",
                                    "sftp://host/var/www", "FTP://x"])
def test_publish_refuses_an_address_it_cannot_publish_to_and_writes_nothing(site, target):
    (site / "content" / "inbox" / "story.txt").write_text(WIRE, encoding="utf-8")
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    result = run_cli("publish", "--site", str(site), "--to", target, cwd=site)
    refused(result, f"cannot publish to {target.split('://')[0]}:// addresses",
            "--to takes a folder (/var/www/html), rsync://host/module/path or [user@]host:path, git+REPO[#BRANCH]",
            "s3://BUCKET[/PREFIX]")
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before  # not even the inbox was imported


def test_publish_to_s3_without_boto3_says_how_to_install_it(site):
    """boto3 is an optional extra: hidden from a real run of the command (tests/test_wheel.py also runs it in a
    venv that never had it)."""
    hide = ("import sys; sys.modules['boto3'] = sys.modules['botocore'] = None; "
            f"sys.argv = ['build.py', 'publish', '--site', {str(site)!r}, '--to', 's3://bucket/news']; "
            "from dateline.cli import run; run()")
    result = subprocess.run([sys.executable, "-c", hide], cwd=REPO, capture_output=True, text=True, timeout=120)
    refused(result, "--to: s3://bucket/news: publishing to S3 needs boto3", "pip install 'dateline[s3]'")
    assert not (site / "output").exists()


@pytest.mark.parametrize(("typed", "meant"), [("biuld", "build"), ("serv", "serve"), ("publsh", "publish"),
                                              ("imprt", "import"), ("chek", "check"), ("tgas", "tags")])
def test_a_mistyped_command_names_the_commands(typed, meant):
    result = run_cli(typed, "--site", "somewhere")
    refused(result, f"unknown command '{typed}'", "Did you mean `", f" {meant}`?",
            "The commands are: build, new, import, tags, serve, publish, check")


def test_options_argparse_cannot_read_exit_1_and_point_at_help(site):
    refused(run_cli("serve", "--site", str(site), "--port", "99999"), "'99999' is not a port number",
            "serve --help` for what it takes")
    refused(run_cli("serve", "--site", str(site), "--port", "eighty"), "'eighty' is not a port number")
    refused(run_cli("publish", "--site", str(site)), "the following arguments are required: --to")
    refused(run_cli("build", "--no-such-option"), "unrecognized arguments: --no-such-option")
    refused(run_cli("import", "--site", str(site)), "the following arguments are required: PATH")
    refused(run_cli("check", "--site", str(site), "--now", "yesterday"), "'yesterday' is not an ISO 8601 date")
    refused(run_cli("build", "--site", str(site), "--base-url", "example.org"),
            "base_url must be an absolute http(s) URL")


def test_new_refuses_a_file_and_a_folder_of_other_things(tmp_path):
    (tmp_path / "notes.txt").write_text("x")
    refused(run_cli("new", str(tmp_path / "notes.txt")), "this is a file: give `new` the name of a folder to create")
    (tmp_path / "papers").mkdir()
    (tmp_path / "papers" / "thesis.odt").write_text("x")
    refused(run_cli("new", str(tmp_path / "papers")), "this folder is not empty (thesis.odt) and holds no site.yaml",
            "nothing was changed")
    assert [p.name for p in (tmp_path / "papers").iterdir()] == ["thesis.odt"]
    (tmp_path / "repo" / ".git").mkdir(parents=True)  # a fresh git repository is an empty folder to `new`
    assert run_cli("new", str(tmp_path / "repo")).returncode == 0


def test_output_that_would_replace_something_else_is_refused(site, tmp_path):
    site_yaml = (site / "site.yaml").read_bytes()
    refused(run_cli("build", "--site", str(site), "--output", str(site / "site.yaml")),
            "--output must be a folder (each build replaces it whole), and this is a file")
    refused(run_cli("build", "--site", str(site), "--output", str(site)), "must not be the site's folder")
    refused(run_cli("check", "--site", str(site), "--output", str(tmp_path)), "must not be the site's folder")
    refused(run_cli("build", "--site", str(site), "--output", str(site / "content")),
            "must not be inside the site's content/ folder")
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "letter.txt").write_text("keep me")
    refused(run_cli("build", "--site", str(site), "--output", str(documents)),
            "holds files that are not a Dateline site", "pass a new or empty folder")
    assert (site / "site.yaml").read_bytes() == site_yaml and (site / "content" / "articles" / "welcome.md").exists()
    assert [p.name for p in documents.iterdir()] == ["letter.txt"]
    out = tmp_path / "public"
    assert run_cli("build", "--site", str(site), "--output", str(out)).returncode == 0
    assert run_cli("build", "--site", str(site), "--output", str(out)).returncode == 0  # its own output again


def test_inbox_files_that_are_not_wire_copy_are_warned_about_once_and_left(site):
    inbox = site / "content" / "inbox"
    (inbox / "report.pdf").write_bytes(b"%PDF-1.7\x00\x01binary")
    (inbox / "notes.txt").write_text("call the desk\n")
    (inbox / "story.txt").write_text(WIRE, encoding="utf-8")
    first = run_cli("build", "--site", str(site))
    assert first.returncode == 0 and "Traceback" not in first.stderr, first.stderr
    assert f"{inbox / 'report.pdf'}: warning: not imported: binary data" in first.stderr
    assert f"{inbox / 'notes.txt'}:1: warning: not imported: not wire copy" in first.stderr
    assert "the file was left in the inbox" in first.stderr and "wrote " in first.stdout
    assert (inbox / "report.pdf").exists() and (inbox / "notes.txt").exists()
    second = run_cli("build", "--site", str(site))
    assert second.returncode == 0 and "warning" not in second.stderr, second.stderr
    (inbox / "notes.txt").write_text("call the desk again\n")  # changed: worth a warning again
    third = run_cli("build", "--site", str(site))
    assert "notes.txt:1: warning: not imported" in third.stderr and "report.pdf" not in third.stderr
    # `import` was asked to import these files: it says it could not, and exits 1
    refused_import = run_cli("import", str(inbox / "report.pdf"), "--site", str(site))
    assert refused_import.returncode == 1 and "rejected" in refused_import.stdout
    assert "Traceback" not in refused_import.stdout + refused_import.stderr


def test_import_of_a_path_that_does_not_exist(site):
    result = run_cli("import", str(site / "wire" / "missing.txt"), "--site", str(site))
    assert result.returncode == 1 and "missing.txt: no such file or folder" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_a_yaml_word_in_site_yaml_is_an_error_with_its_line(site):
    (site / "site.yaml").write_text("title: T\nbase_url: https://example.org/\ntrust_html: yes\n")
    refused(run_cli("build", "--site", str(site)), "site.yaml:3: 'trust_html' must be true or false, not text ('yes')")


def test_an_unknown_language_is_an_error_with_its_line(site, tmp_path):
    (site / "site.yaml").write_text("title: T\nbase_url: https://example.org/\nlanguage: francais\n")
    refused(run_cli("build", "--site", str(site)), "site.yaml:3: unknown language 'francais': use a language code "
                                                   "such as en, fr, es, de, pt, ar or pt-BR")
    refused(run_cli("new", str(tmp_path / "fr"), "--language", "french"), "unknown language 'french'",
            "nothing was created")
    assert not (tmp_path / "fr").exists()
    (site / "site.yaml").write_text("title: T\nbase_url: https://example.org/\nstrings:\n  Latest: [1, 2]\n")
    refused(run_cli("build", "--site", str(site)), "site.yaml:4: 'strings.Latest' must be the text to show")
    (site / "site.yaml").write_text("title: T\nbase_url: https://example.org/\nlanguage: fr\n")
    (site / "locales").mkdir()
    (site / "locales" / "fr.po").write_text('msgid "Latest"\nmsgstr "À la une\n', encoding="utf-8")
    refused(run_cli("build", "--site", str(site)), "fr.po:2: not a valid gettext catalog line")


def test_serve_with_a_site_broken_at_start_still_says_where_it_serves(site):
    """The preview serves a page with the error until site.yaml is fixed; the command must print its address."""
    (site / "site.yaml").write_text("title: [unclosed\n")
    served = serve_once([sys.executable, str(REPO / "build.py"), "serve", "--site", str(site), "--port", "0"])
    assert served.status == 503 and served.returncode == 0, served.stderr
    assert "site.yaml:1: invalid YAML" in served.stderr and "Traceback" not in served.stderr


HEAD = "title: T\nbase_url: https://example.org/\nlanguage: en\n"


@pytest.mark.parametrize(("languages", "expected"), [
    ("languages:\n  en: {}\n  xx-zz: {}\n", "site.yaml:6: 'languages': unknown language 'xx-zz': use a language code"),
    ("languages:\n  en: {}\n  fr: {path: news}\n  de: {path: news}\n",
     "site.yaml:7: languages fr and de would both be published under news/; give each its own 'path'"),
    ("languages:\n  en: {}\n  fr: {path: tags}\n",
     "site.yaml:6: 'languages.fr' would be published under tags/, which the site already uses"),
    ("languages:\n  en: {path: english}\n  fr: {}\n",
     "site.yaml:5: 'languages.en.path': en is the site's language (language: en), whose pages are at the site's "
     "root; remove 'path'"),
    ("languages:\n  en: {}\n  fr: {path: f/r}\n", "site.yaml:6: 'languages.fr.path' must be one URL folder"),
    ("languages: [en, fr]\n", "site.yaml:4: 'languages' must be a mapping of language codes to settings"),
    ("languages:\n  en: {}\n  fr: {titel: Fil}\n", "site.yaml:6: unknown key 'languages.fr.titel'"),
], ids=["unknown code", "one path twice", "a taxonomy's folder", "the site's language in a folder", "two folders",
        "a list", "a misspelt setting"])
def test_bad_languages_in_site_yaml_name_the_line(site, languages, expected):
    (site / "site.yaml").write_text(HEAD + languages, encoding="utf-8")
    refused(run_cli("build", "--site", str(site)), expected)


def test_an_article_in_an_undeclared_language_or_sharing_a_translation_key(site):
    (site / "site.yaml").write_text(HEAD + "languages:\n  en: {}\n  fr: {}\n", encoding="utf-8")
    articles = site / "content" / "articles"
    for path in articles.rglob("*.md"):
        path.unlink()
    story = "---\ntitle: {title}\ndate: 2025-09-11\nlanguage: {language}\ntranslation_key: riga\n---\n\nText.\n"
    (articles / "a.md").write_text(story.format(title="Un", language="de"), encoding="utf-8")
    refused(run_cli("build", "--site", str(site)), "a.md:4: language 'de' is not one of the site's languages (en, fr)",
            "add de under 'languages:' in site.yaml")
    (articles / "a.md").write_text(story.format(title="Un", language="fr"), encoding="utf-8")
    (articles / "b.md").write_text(story.format(title="Deux", language="fr"), encoding="utf-8")
    refused(run_cli("build", "--site", str(site)),
            "b.md:5: translation_key 'riga' is also the key of content/articles/a.md, in the same language (fr)")


@pytest.mark.parametrize(("address", "expected"), [
    ("foo", "'foo' is not a scheduler's address: write it as tcp://HOST:PORT"),
    ("http://x", "'http://x' is a web address (the scheduler's dashboard?), not the scheduler's"),
    ("tcp://scheduler", "'tcp://scheduler' is not a scheduler's address: write it as tcp://HOST:PORT"),
    ("udp://scheduler:8786", "'udp://scheduler:8786': dask schedulers speak tcp:// (or tls://), not udp://"),
])
def test_a_scheduler_address_that_is_not_one(site, address, expected):
    for command in (["build"], ["check"], ["publish", "--to", "out"]) if address == "foo" else (["build"],):
        refused(run_cli(*command, "--site", str(site), "--scheduler", address, cwd=site),
                f"argument --scheduler: {expected}", "the address `dask scheduler` prints", "--help")
    assert not (site / "output").exists()


def test_a_scheduler_that_does_not_answer_stops_the_build_before_it_starts(site):
    """Nothing listens on the port (it was bound and closed): refused at once, the inbox untouched and the
    previous output left as it was."""
    assert run_cli("build", "--site", str(site), cwd=site).returncode == 0
    before = {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()}
    (site / "content" / "inbox" / "story.txt").write_text(WIRE, encoding="utf-8")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        address = f"tcp://127.0.0.1:{probe.getsockname()[1]}"
    for command in (["build"], ["check"], ["publish", "--to", "out"]):
        refused(run_cli(*command, "--site", str(site), "--scheduler", address, cwd=site),
                f"--scheduler: {address}: no dask scheduler answered there (Connection refused). "
                "Start a scheduler with `dask scheduler` (it prints its address) and workers with `dask worker "
                "ADDRESS`, or build without --scheduler")
    assert {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()} == before
    assert (site / "content" / "inbox" / "story.txt").exists()


def test_scheduler_without_dask_installed_says_how_to_install_it(site):
    """dask.distributed is an optional extra (dateline[cluster]): hidden from a real run of the command."""
    hide = ("import sys; sys.modules['distributed'] = None; "
            f"sys.argv = ['build.py', 'build', '--site', {str(site)!r}, '--scheduler', 'tcp://127.0.0.1:8786']; "
            "from dateline.cli import run; run()")
    result = subprocess.run([sys.executable, "-c", hide], cwd=REPO, capture_output=True, text=True, timeout=120)
    refused(result, "--scheduler: tcp://127.0.0.1:8786: building on a cluster needs dask.distributed, which is "
                    "not installed here: pip install 'dateline[cluster]'")
    assert not (site / "output").exists()
