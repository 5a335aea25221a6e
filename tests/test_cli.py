"""The commands as an editor runs them: new, the default build, --help, exit codes."""

from __future__ import annotations

import io
import os
import shutil
import sys
from pathlib import Path

from conftest import REPO, parse_page, run_cli


def test_new_site_builds_at_once_with_the_default_theme(tmp_path):
    site = tmp_path / "my-digest"
    created = run_cli("new", str(site))
    assert created.returncode == 0, created.stderr
    assert (site / "site.yaml").exists() and (site / "content" / "inbox").is_dir()
    built = run_cli(cwd=site)  # `python build.py` alone, inside the site
    assert built.returncode == 0, built.stderr
    assert "Built 1 article into" in built.stdout
    home = parse_page(site / "output" / "index.html")
    assert "My Digest" in home.text and "Welcome to your news digest" in home.text
    assert (site / "output" / "countries" / "lithuania" / "index.html").exists()


def test_new_refuses_to_overwrite_a_site(tmp_path):
    assert run_cli("new", str(tmp_path)).returncode == 0
    (tmp_path / "site.yaml").write_text("title: Mine\nbase_url: https://e.org/\n")
    again = run_cli("new", str(tmp_path))
    assert again.returncode == 1
    assert "a site already exists here" in again.stderr
    assert (tmp_path / "site.yaml").read_text() == "title: Mine\nbase_url: https://e.org/\n"


def test_every_command_has_help():
    for command in ("build", "new", "import", "tags", "serve", "check", "publish"):
        result = run_cli(command, "--help")
        assert result.returncode == 0 and f"python build.py {command} [-h]" in result.stdout


def test_help_explains_every_argument():
    """Positional arguments and --port say what they are; import's help mentions the inbox."""
    new = " ".join(run_cli("new", "--help").stdout.split())  # argparse wraps at the terminal's width
    assert "DIR" in new and "or an empty one" in new and "--language CODE the language its pages are written" in new
    importing = run_cli("import", "--help").stdout
    assert "content/inbox/" in importing and "a raw wire file, or a folder of them" in importing
    assert "port to serve on (default 8000; 0: any free port)" in " ".join(run_cli("serve", "--help").stdout.split())


def test_messages_name_the_command_that_was_run(tmp_path):
    """From a checkout, the interpreter that ran build.py (the venv's, which has the dependencies): here
    the tests' own, shown relative to the folder the command ran in."""
    shown = os.path.relpath(sys.executable, REPO) if Path(sys.executable).is_relative_to(REPO) else sys.executable
    if shutil.which("python") and os.path.abspath(shutil.which("python")) == os.path.abspath(sys.executable):
        shown = "python"
    usage = run_cli("--help").stdout
    assert usage.startswith(f"usage: {shown} build.py "), usage
    created = run_cli("new", str(tmp_path / "site"))
    assert f"Build it with:    {shown} build.py build --site {tmp_path / 'site'}" in created.stdout
    welcome = (tmp_path / "site" / "content" / "articles" / "welcome.md").read_text()
    assert f"`{shown} build.py build --site {tmp_path / 'site'}`" in welcome and "python build.py`" not in welcome


def test_quiet_build_prints_nothing(site_copy):
    site = site_copy("minimal")
    result = run_cli("build", "--site", str(site), "--quiet")
    assert result.returncode == 0 and result.stdout == "" and result.stderr == ""


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_draws_on_a_terminal_only_after_its_delay():
    from dateline.progress import ProgressBar

    terminal = _Terminal()
    bar = ProgressBar(terminal, delay=0)
    bar("Rendering pages", 5, 10)
    bar("Rendering pages", 10, 10)
    bar.close()
    assert "Rendering pages   [###############...............] 5/10" in terminal.getvalue()
    assert terminal.getvalue().endswith("\r\033[K")
    slow = _Terminal()
    ProgressBar(slow, delay=60)("Reading articles", 1, 2)  # a build this quick never shows a bar
    piped = io.StringIO()
    ProgressBar(piped, delay=0)("Reading articles", 1, 2)  # nor does output to a file or pipe
    assert slow.getvalue() == piped.getvalue() == ""


def test_a_piped_build_prints_no_progress_bar(site_copy):
    result = run_cli("build", "--site", str(site_copy("full")))
    assert "\r" not in result.stdout + result.stderr


def test_build_options_work_without_naming_the_command(site_copy, tmp_path):
    site = site_copy("minimal")
    result = run_cli("--site", str(site), "--output", str(tmp_path / "out"), "-q")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "index.html").exists()
    assert "python build.py [-h]" in run_cli("--help").stdout


def test_new_site_ignores_everything_dateline_generates(tmp_path):
    site = tmp_path / "site"
    assert run_cli("new", str(site)).returncode == 0
    assert run_cli("build", "--site", str(site), "-q").returncode == 0
    ignored = (site / ".gitignore").read_text().split()
    generated = {f"/{p.name}/" for p in site.iterdir() if p.is_dir() and p.name not in ("content",)}
    assert generated <= set(ignored), generated - set(ignored)


def test_builds_report_new_imports_only_and_import_reports_everything(tmp_path):
    site = tmp_path / "site"
    assert run_cli("new", str(site)).returncode == 0
    wire = " date 2025-09-11 VILNIUS: Lithuania reopened a border crossing on Thursday.\n\nTrucks waited. – AFP\n"
    (site / "content" / "inbox" / "story.txt").write_text(wire, encoding="utf-8")
    first = run_cli("build", "--site", str(site))
    assert "wrote content/articles/2025/09/" in first.stdout or "wrote " in first.stdout
    second = run_cli("build", "--site", str(site))
    assert second.returncode == 0 and "story.txt" not in second.stdout + second.stderr
    again = run_cli("import", str(site / "content" / "inbox"), "--site", str(site))
    assert "skipped" in again.stdout and "story.txt" in again.stdout


def test_a_build_piped_to_a_file_reports_everything_before_its_quick_exit(site_copy, tmp_path):
    """A build ends with os._exit (the interpreter's teardown cost 0.1 s at 10,000 articles): what it printed
    must reach a pipe even when Python buffers it (no PYTHONUNBUFFERED), for a success and for errors."""
    import os
    import subprocess
    import sys

    from conftest import REPO

    env = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}

    def build(site) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--site", str(site)],
                              capture_output=True, text=True, timeout=120, env=env)

    site = site_copy("full")
    built = build(site)
    assert built.returncode == 0 and built.stdout.startswith("Built 5 articles into"), built.stderr
    (site / "site.yaml").write_text("title: [broken\n", encoding="utf-8")
    failed = build(site)
    assert failed.returncode == 1 and "site.yaml" in failed.stderr and failed.stderr.rstrip().endswith(
        "the output folder was left as it was.")


def test_check_says_what_the_production_build_holds_and_left_out(tmp_path):
    site = tmp_path / "site"
    assert run_cli("new", str(site)).returncode == 0
    articles = site / "content" / "articles"
    (articles / "budget.md").write_text("---\ntitle: Budget draft\ndate: 2025-01-02\ndraft: true\n---\n\nx\n")
    (articles / "results.md").write_text("---\ntitle: Results\ndate: 2025-03-01T09:00:00Z\n---\n\nx\n")
    result = run_cli("check", "--site", str(site), "--now", "2025-02-01T00:00:00Z")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Checked ") and lines[0].endswith(": no problems.")
    pages = sum(1 for _ in (site / "output").rglob("*.html"))
    assert lines[1:] == [f"  1 article on {pages} pages; search index: made (pagefind/)",
                         "  left out, draft: budget.md",
                         "  left out, dated after the production clock (--now): results.md"]
    (articles / "budget.md").unlink()
    later = run_cli("check", "--site", str(site), "--now", "2025-06-01T00:00:00Z")
    pages = sum(1 for _ in (site / "output").rglob("*.html"))
    assert later.stdout.splitlines()[1:] == [f"  2 articles on {pages} pages; search index: made (pagefind/)"]
