"""Bad input, the cases test_errors.py leaves out: each gives `file:line: message` and exit 1, all in one build."""

from __future__ import annotations

import hashlib
import re
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from dateline.build import build_site
from dateline.errors import DatelineError

from conftest import FIXTURES, REPO, parse_page, run_cli, write_article

PWNED = Path("/tmp/dateline-hardening-pwned")  # a YAML tag that ran code would create it

# file name -> (content, expected line or None, words expected in the message)
BAD_ARTICLES: dict[str, tuple[str | bytes, int | None, str]] = {
    "tab-indent.md": ("---\ntitle: Tabs\ndate: 2025-01-01\ntags:\n\t- economy\n---\n", 5,
                      "a tab character is not allowed here (YAML indents with spaces"),
    "tab-before-key.md": ("---\ntitle: Tabs\n\tdate: 2025-01-01\n---\n", 3, "a tab character is not allowed here"),
    "tab-in-block.md": ("---\ntitle: Tabs\ndate: 2025-01-01\nsummary: |\n  One\n\ttwo\n---\n", 6,
                        "a tab character is not allowed here"),
    "c1-control.md": ("---\ntitle: Broken\u0080copy\ndate: 2025-01-01\n---\n", 2,
                      "the character U+0080 is not allowed (a control character)"),
    "offset-too-big.md": ("---\ntitle: Offset\ndate: 2025-09-11T14:05:00+25:00\n---\n", 3,
                          "invalid date '2025-09-11T14:05:00+25:00'"),
    "zone-name.md": ("---\ntitle: Zone\ndate: 2025-09-11T14:05:00 Europe/Vilnius\n---\n", 3,
                     "write it as 2025-09-11 or 2025-09-11T14:05:00+03:00"),
    "before-year-one.md": ("---\ntitle: Early\ndate: 0001-01-01T00:00:00+14:00\n---\n", 3,
                           "date '0001-01-01T00:00:00+14:00' is out of range"),
    "year-zero.md": ("---\ntitle: Early\ndate: 0000-01-01\n---\n", 3, "invalid date '0000-01-01'"),
    "updated-impossible.md": ("---\ntitle: Update\ndate: 2025-01-01\nupdated: 2025-02-29\n---\n", 4,
                              "invalid date '2025-02-29'"),
    "date-number.md": ("---\ntitle: Number\ndate: 20250911\n---\n", 3, "date 20250911 is not a date"),
    "slug-nul.md": ('---\ntitle: Nul\ndate: 2025-01-01\nslug: "a\\0b"\n---\n', 4,
                    "slug 'a\\x00b' may only contain letters, digits and hyphens"),
    "slug-dots.md": ("---\ntitle: Dots\ndate: 2025-01-01\nslug: ..\n---\n", 4, "may only contain letters, digits"),
    "slug-backslash.md": ("---\ntitle: Back\ndate: 2025-01-01\nslug: a\\..\\b\n---\n", 4,
                          "may only contain letters, digits"),
    "slug-absolute.md": ("---\ntitle: Abs\ndate: 2025-01-01\nslug: C:/Windows\n---\n", 4,
                         "may only contain letters, digits"),
    "countries-mapping.md": ("---\ntitle: Countries\ndate: 2025-01-01\ncountries: {LT: 1}\n---\n", 4,
                             "'countries' must be a text or a list of texts"),
    "tag-mapping.md": ("---\ntitle: Tag\ndate: 2025-01-01\ntags: [{a: 1}]\n---\n", 4, "must be text"),
    "title-mapping.md": ("---\ntitle: {a: 1}\ndate: 2025-01-01\n---\n", 2, "'title' must be text"),
    "draft-maybe.md": ("---\ntitle: Draft\ndate: 2025-01-01\ndraft: maybe\n---\n", 4,
                       "'draft' must be true or false"),
    "key-is-list.md": ("---\n? [a, b]\n: value\ntitle: T\ndate: 2025-01-01\n---\n", 2,
                       "a key must be plain text"),
    "python-tag.md": (f"---\ntitle: !!python/object/apply:os.system ['touch {PWNED}']\ndate: 2025-01-01\n---\n", 2,
                      "invalid front matter"),
    "nested-duplicate.md": ("---\ntitle: Dup\ndate: 2025-01-01\nextra:\n  a: 1\n  a: 2\n---\n", 6,
                            "duplicate key 'a' (first given on line 5)"),
    "huge.md": (b"---\ntitle: Huge\ndate: 2025-01-01\n---\n" + b"All work and no play. " * (50 * 1024 * 1024 // 22),
                None, "the file is 50.0 MB; an article may be at most 5 MB"),
}


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory):
    """A good build, then one build of the same site with every bad article added: (site, result, before)."""
    PWNED.unlink(missing_ok=True)
    site = tmp_path_factory.mktemp("bad") / "site"
    shutil.copytree(FIXTURES / "minimal", site)
    assert run_cli("build", "--site", str(site)).returncode == 0
    before = _hashes(site / "output")
    for name, (content, _, _) in BAD_ARTICLES.items():
        path = site / "content" / "articles" / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return site, run_cli("build", "--site", str(site)), before


@pytest.mark.parametrize("name", list(BAD_ARTICLES))
def test_bad_article_is_reported_with_file_line_and_message(bad_build, name):
    site, result, _ = bad_build
    _, line, words = BAD_ARTICLES[name]
    path = site.resolve() / "content" / "articles" / name
    where = f"{path}:{line}: " if line else f"{path}: "
    reported = [text for text in result.stderr.splitlines() if text.startswith(where)]
    assert len(reported) == 1, result.stderr
    assert words in reported[0]
    assert "Traceback" not in result.stderr


def test_every_error_of_the_build_is_reported_together_and_output_is_untouched(bad_build):
    site, result, before = bad_build
    assert result.returncode == 1
    assert f"{len(BAD_ARTICLES)} errors; the output folder was left as it was." in result.stderr
    assert _hashes(site / "output") == before
    assert not PWNED.exists()  # YAML tags never construct Python objects


def test_dates_with_and_without_time_zones(site_copy, tmp_path):
    """A date alone or a time without offset is in the site's zone (Europe/Vilnius); offsets are converted."""
    site = site_copy("full")
    for path in (site / "content" / "articles").rglob("*.md"):
        path.unlink()
    dates = {
        "day-only": ("2025-09-11", "2025/09/11/", "2025-09-11", None),  # no invented midnight
        "naive-time": ("2025-09-11T14:05", "2025/09/11/", "2025-09-11T14:05:00+03:00", "14:05"),
        "naive-seconds-space": ("2025-09-11 14:05:30", "2025/09/11/", "2025-09-11T14:05:30+03:00", "14:05"),
        "new-york-evening": ("2025-09-11T23:30:00-04:00", "2025/09/12/", "2025-09-12T06:30:00+03:00", "06:30"),
        "utc-z": ("2025-09-11T21:30:00Z", "2025/09/12/", "2025-09-12T00:30:00+03:00", "00:30"),
        "winter-time": ("2025-01-15T12:00", "2025/01/15/", "2025-01-15T12:00:00+02:00", "12:00"),
        "tokyo-morning": ("2025-09-11T08:00:00+09:00", "2025/09/11/", "2025-09-11T02:00:00+03:00", "02:00"),
    }
    for slug, (when, _, _, _) in dates.items():
        write_article(site, f"{slug}.md", f"---\ntitle: {slug}\nslug: {slug}\ndate: {when}\n---\nText.\n")
    out = tmp_path / "out"
    build_site(site, out)
    for slug, (_, day, iso, shown_time) in dates.items():
        page = out / day / slug / "index.html"
        shown = re.search(rf'<time[^>]* datetime="{re.escape(iso)}"[^>]*>([^<]*)</time>',
                          page.read_text(encoding="utf-8"))
        assert shown, slug
        assert (shown_time in shown.group(1)) if shown_time else ":" not in shown.group(1), (slug, shown.group(1))
        day_pages = [out / day / "index.html", *(out / day / "page").glob("*/index.html")]
        assert any(slug in parse_page(p).text for p in day_pages)  # filed under the day in the site's zone


def test_article_with_only_front_matter_builds_with_an_empty_body(site_copy, tmp_path):
    site = site_copy("minimal")
    write_article(site, "bare.md", "---\ntitle: Only a headline\ndate: 2025-05-05\n---")
    write_article(site, "bare2.md", "---\ntitle: Headline and a blank line\ndate: 2025-05-06\n---\n\n")
    out = tmp_path / "out"
    build_site(site, out)
    for slug in ("2025/05/05/only-a-headline/", "2025/05/06/headline-and-a-blank-line/"):
        page = (out / slug / "index.html").read_text(encoding="utf-8")
        body = page.split('<div class="body">', 1)[1].split("</div>", 1)[0]
        assert body.strip() == ""
    assert "Only a headline" in parse_page(out / "index.html").text


def test_bom_crlf_and_cr_only_files_are_read_as_written(site_copy, tmp_path):
    site = site_copy("minimal")
    articles = site / "content" / "articles"
    (articles / "bom.md").write_bytes("\ufeff---\ntitle: With a BOM\ndate: 2025-05-05\n---\nBody.\n".encode())
    (articles / "crlf.md").write_bytes(b"---\r\ntitle: Windows lines\r\ndate: 2025-05-05\r\n---\r\nBody.\r\n")
    (articles / "cr.md").write_bytes(b"---\rtitle: Old Mac lines\rdate: 2025-05-05\r---\rBody.\r")
    out = tmp_path / "out"
    build_site(site, out)
    for slug in ("with-a-bom", "windows-lines", "old-mac-lines"):
        assert (out / "2025/05/05" / slug / "index.html").is_file(), slug


@pytest.mark.parametrize(("permalink", "words"), [
    ("'/news/{slug}/'", "permalink must be a relative path inside the site"),
    ('"{slug}\\0/"', "permalink must be a clean relative path"),
    ("'./{slug}/'", "permalink must be a clean relative path"),
    ("'{year}//{slug}/'", "permalink must be a clean relative path"),
    ("'{slug}/.'", "permalink must be a clean relative path"),
    ("'C:\\{slug}\\'", "permalink must be a relative path inside the site"),
    ("'{slug}}'", "permalink has a stray '{' or '}'"),
    ("'{slug}{year.real}/'", "permalink has a stray '{' or '}'"),
])
def test_unsafe_permalink_is_an_error_at_its_line(site_copy, permalink, words):
    site = site_copy("minimal")
    (site / "site.yaml").write_text(f"title: T\nbase_url: https://e.org/\npermalink: {permalink}\n")
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 1
    assert f"site.yaml:3: {words}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (site / "output").exists()


def test_site_yaml_with_wrong_types_reports_every_one(site_copy):
    site = site_copy("minimal")
    (site / "site.yaml").write_text(
        "title: T\nbase_url: https://e.org/\nfeed: 5\ntrust_html: 'yes'\ntopics: [a, b]\nparams: [x]\n"
        "related_articles: -1\nimport:\n  max_tags: true\ntimezone: 3\n")
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 1
    stderr = result.stderr.replace(str(site) + "/", "")
    for expected in ("site.yaml:3: 'feed' must be a mapping", "site.yaml:4: 'trust_html' must be true or false",
                     "site.yaml:5: 'topics' must be a mapping", "site.yaml:6: 'params' must be a mapping",
                     "site.yaml:9: 'import.max_tags' must be a whole number, not true/false",
                     "site.yaml:10: 'timezone' must be text"):
        assert expected in stderr, stderr
    assert "6 errors" in stderr


def test_tab_in_site_yaml_is_named(site_copy):
    site = site_copy("minimal")
    (site / "site.yaml").write_text("title: T\nbase_url: https://e.org/\nfeed:\n\tlimit: 5\n")
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 1
    assert "site.yaml:4: invalid YAML: a tab character is not allowed here" in result.stderr


# Templates: strict undefined in checks

def _template_using(site: Path, name: str, body: str) -> None:
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates" / name).write_text(body, encoding="utf-8")


def test_undefined_variable_is_an_error_in_a_strict_build_only(site_copy, tmp_path):
    site = site_copy("minimal")
    _template_using(site, "article.html", "{% extends 'default/article.html' %}\n{% block content %}\n"
                                          "{{ super() }}\n<p>Filed by {{ article.extra.editor }}</p>\n{% endblock %}\n")
    lenient = build_site(site, tmp_path / "lenient")
    assert lenient.files > 0
    assert "<p>Filed by </p>" in (tmp_path / "lenient/2024/03/01/hello-world/index.html").read_text()
    with pytest.raises(DatelineError) as caught:
        build_site(site, tmp_path / "strict", strict=True)
    (error,) = caught.value.errors
    assert error.path == site.resolve() / "templates" / "article.html"
    assert error.line == 4
    assert "'dict object' has no attribute 'editor'" in error.message
    assert not (tmp_path / "strict").exists()


def test_strict_build_after_a_lenient_one_still_renders_every_page(site_copy):
    """The unchanged-page shortcut must not let a strict check skip the pages with the problem."""
    site = site_copy("minimal")
    _template_using(site, "home.html", "{% extends 'default/home.html' %}\n{% block title %}"
                                       "{{ site.params.tagline }}{% endblock %}\n")
    build_site(site)
    before = _hashes(site / "output")
    with pytest.raises(DatelineError) as caught:
        build_site(site, strict=True)
    assert caught.value.errors[0].path.name == "home.html" and caught.value.errors[0].line == 2
    assert "'tagline'" in caught.value.errors[0].message
    assert _hashes(site / "output") == before
    (site / "site.yaml").write_text((site / "site.yaml").read_text() + "params:\n  tagline: Daily\n")
    result = build_site(site, strict=True)
    assert "<title>Daily</title>" in (site / "output" / "index.html").read_text()
    assert result.files == len(_hashes(site / "output"))


def test_default_theme_passes_a_strict_build(site_copy, tmp_path):
    build_site(site_copy("full"), tmp_path / "out", strict=True)
    assert (tmp_path / "out" / "index.html").is_file()


# Hostile YAML that is valid

def test_yaml_alias_bomb_neither_hangs_nor_exhausts_memory(site_copy):
    """'Billion laughs' in an extra front matter key: aliases share one object, nothing expands them."""
    site = site_copy("minimal")
    levels = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]  # 9**10 items if expanded
    write_article(site, "bomb.md", "---\ntitle: Laughs\ndate: 2025-01-01\n" + "\n".join(levels) + "\n---\nBody.\n")

    def limit_memory() -> None:  # 2 GiB of address space: an expansion fails fast instead of taking the machine
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    result = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--site", str(site)], cwd=REPO,
                            capture_output=True, text=True, timeout=120, preexec_fn=limit_memory)
    assert result.returncode == 0, result.stderr
    assert (site / "output/2025/01/01/laughs/index.html").is_file()


def _hashes(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}
