"""Bad input fails the build with `path:line: message`, all errors together, and the previous output intact."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from conftest import run_cli, write_article

BAD_ARTICLES = [
    # (file content, expected line, expected words in the message)
    ("---\ntitle: 'unclosed\ndate: 2025-01-01\n---\nBody\n", 2, "invalid front matter"),
    ("---\ntitle: A\ntitle: B\ndate: 2025-01-01\n---\n", 3, "duplicate key 'title'"),
    ("---\ndate: 2025-01-01\n---\nNo title.\n", 2, "missing 'title'"),
    ("---\ntitle: No date\n---\nBody\n", 2, "missing 'date'"),
    ("---\ntitle: Bad date\nsource: AFP\ndate: 2025-02-30\n---\n", 4, "invalid date '2025-02-30'"),
    ("---\ntitle: Bad date\ndate: next tuesday\n---\n", 3, "invalid date 'next tuesday'"),
    ("---\ntitle: Bad country\ndate: 2025-01-01\ncountries: [LT, XX]\n---\n", 4, "unknown country 'XX'"),
    ("---\ntitle: Bad country\ndate: 2025-01-01\ncountries: [Narnia]\n---\n", 4, "unknown country 'Narnia'"),
    ("---\ntitle: Tags\ndate: 2025-01-01\ntags: {economy: 1}\n---\n", 4, "'tags' must be a text or a list"),
    ("---\ntitle: Slug\ndate: 2025-01-01\nslug: ../../etc/evil\n---\n", 4, "may only contain letters, digits"),
    ("---\ntitle: Slug\ndate: 2025-01-01\nslug: /abs\n---\n", 4, "may only contain letters, digits"),
    ("---\n- a list\n- not a mapping\n---\n", 2, "must be 'key: value' lines"),
    ("---\ntitle: Lead\ndate: 2025-01-01\nlead: perhaps\n---\n", 4, "'lead' must be true or false"),
    ("---\ntitle: Urgent\ndate: 2025-01-01\npriority: 0\n---\n", 4, "'priority' must be a whole number from 1"),
    ("---\ntitle: Urgent\ndate: 2025-01-01\npriority: high\n---\n", 4, "'priority' must be a whole number"),
    ("---\ntitle: Urgent\ndate: 2025-01-01\nurgency: 10\n---\n", 4, "'urgency' must be a whole number"),
    ("---\ntitle: Picture\ndate: 2025-01-01\nimage: javascript:alert(1)\n---\n", 4, "'image' must be an http(s) URL"),
    ("---\ntitle: Picture\ndate: 2025-01-01\nimage: ../../secret.jpg\n---\n", 4, "'image' must be an http(s) URL"),
    ("---\ntitle: Never closed\ndate: 2025-01-01\n", 1, "never closed"),
    ("No front matter at all.\n", 1, "must start with a '---' line"),
    ("", 1, "the file is empty"),
]


@pytest.mark.parametrize(("content", "line", "words"), BAD_ARTICLES, ids=[b[2] for b in BAD_ARTICLES])
def test_bad_article_is_reported_with_file_and_line(site_copy, content, line, words):
    site = site_copy("minimal")
    bad = write_article(site, "bad.md", content)
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 1
    assert f"{bad.resolve()}:{line}: " in result.stderr or f"{bad}:{line}: " in result.stderr, result.stderr
    assert words in result.stderr


def test_binary_and_invalid_utf8_files_are_rejected(site_copy):
    site = site_copy("minimal")
    (site / "content" / "articles" / "image.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00binary")
    (site / "content" / "articles" / "latin1.md").write_bytes(b"---\ntitle: Caf\xe9\ndate: 2025-01-01\n---\n")
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 1
    assert "image.md: this is a binary file" in result.stderr
    assert "latin1.md:2: not valid UTF-8" in result.stderr


def test_all_errors_are_reported_together_and_previous_output_survives(site_copy):
    site = site_copy("minimal")
    assert run_cli("build", "--site", str(site)).returncode == 0
    out = site / "output"
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.rglob("*") if p.is_file()}
    write_article(site, "one.md", "---\ntitle: One\n---\n")
    write_article(site, "two.md", "---\ntitle: Two\ndate: 2025-13-01\n---\n")
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 1
    assert "one.md:2: missing 'date'" in result.stderr
    assert "two.md:3: invalid date" in result.stderr
    assert "2 errors" in result.stderr
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert not [p for p in site.iterdir() if "staging" in p.name or "previous" in p.name]


def test_template_syntax_error_names_template_file_and_line(site_copy):
    site = site_copy("minimal")
    (site / "templates").mkdir()
    (site / "templates" / "article.html").write_text("{% extends 'base.html' %}\n{% block content %}\n"
                                                     "{{ article.title \n{% endblock %}\n")
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 1
    assert f"{site / 'templates' / 'article.html'}:" in result.stderr
    assert "template error" in result.stderr


def test_template_runtime_error_names_template_file_and_line(site_copy):
    site = site_copy("minimal")
    (site / "templates").mkdir()
    (site / "templates" / "home.html").write_text("{% extends 'base.html' %}\n{% block content %}\n\n"
                                                  "{{ days[0].articles[0].title.nope() }}\n{% endblock %}\n")
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 1
    assert f"{site / 'templates' / 'home.html'}:4: template error while rendering index.html" in result.stderr


@pytest.mark.parametrize(("yaml_text", "expected"), [
    ("title: T\n", "site.yaml:1: missing required key 'base_url'"),
    ("title: T\nbase_url: https://e.org/\nbogus: 1\n", "site.yaml:3: unknown key 'bogus'"),
    ("title: T\nbase_url: https://e.org/\narticles_per_page: many\n",
     "site.yaml:3: 'articles_per_page' must be a whole number"),
    ("title: T\nbase_url: https://e.org/\nfeed:\n  limit: 5\n  full: yes\n", "site.yaml:5: unknown key 'feed.full'"),
    ("title: T\nbase_url: example.org\n", "site.yaml:2: base_url must be an absolute http(s) URL"),
    ("title: T\nbase_url: https://e.org/\ntimezone: Mars/Olympus\n", "site.yaml:3: unknown time zone"),
    ("title: T\nbase_url: https://e.org/\npermalink: '../{slug}/'\n", "site.yaml:3: permalink must be a relative"),
    ("title: T\nbase_url: https://e.org/\npermalink: '{year}/{hour}/'\n", "site.yaml:3: permalink must contain {slug}"),
    ("title: [unclosed\n", "site.yaml:1: invalid YAML"),
    ("title: T\nbase_url: https://e.org/\nimage: data:image/png;base64,AAAA\n", "site.yaml:3: 'image' must be an"),
    ("title: T\nbase_url: https://e.org/\nimage_alt: [a map]\n", "site.yaml:3: 'image_alt' must be text"),
    ("title: T\nbase_url: https://e.org/\nimport:\n  learned_tags:\n    min_precision: 1.5\n",
     "site.yaml:5: 'import.learned_tags.min_precision' must be between 0 and 1"),
    ("title: T\nbase_url: https://e.org/\nimport:\n  learned_tags:\n    min_precision: high\n",
     "site.yaml:5: 'import.learned_tags.min_precision' must be a number, not text ('high')"),
    ("title: T\nbase_url: https://e.org/\nimport:\n  learned_tags:\n    enabled: true\n    min_examples: 2\n",
     "site.yaml:6: 'import.learned_tags.min_examples' must be at least 3"),
    ("title: T\nbase_url: https://e.org/\nimport:\n  learned_tags: yes\n",
     "site.yaml:4: 'import.learned_tags' must be a mapping"),
    ("title: T\nbase_url: https://e.org/\nimport:\n  learned_tags:\n    min_recall: 0.5\n",
     "site.yaml:5: unknown key 'import.learned_tags.min_recall'"),
])
def test_site_yaml_errors_name_the_line(site_copy, yaml_text, expected):
    site = site_copy("minimal")
    (site / "site.yaml").write_text(yaml_text)
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 1
    assert expected in result.stderr.replace(str(site) + "/", "")


def test_site_yaml_reports_several_errors_at_once(site_copy):
    site = site_copy("minimal")
    (site / "site.yaml").write_text("title: 3.5\nbase_url: https://e.org/\nlanguage: [en]\nextra_key: 1\n")
    result = run_cli("build", "--site", str(site))
    assert "site.yaml:1: 'title' must be text" in result.stderr
    assert "site.yaml:3: 'language' must be text" in result.stderr
    assert "site.yaml:4: unknown key 'extra_key'" in result.stderr


def test_missing_site_yaml_says_what_to_do(tmp_path):
    result = run_cli("build", "--site", str(tmp_path))
    assert result.returncode == 1
    assert "no site.yaml here" in result.stderr and "build.py new" in result.stderr


def test_output_path_collision_is_an_error(site_copy):
    site = site_copy("minimal")
    (site / "site.yaml").write_text("title: T\nbase_url: https://e.org/\npermalink: '{slug}/'\n")
    write_article(site, "tags.md", "---\ntitle: Tags\ndate: 2025-01-01\n---\nAn article whose URL is tags/.\n")
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 1
    assert "tags/index.html would be written twice" in result.stderr
    assert "tags.md" in result.stderr


EVIL_PATHS = ("../escape.html", "/etc/passwd", "a/../../b.html", "a\x00b", "a\\..\\b", "")


def test_output_is_never_written_outside_the_output_folder(tmp_path):
    from dateline.errors import DatelineError
    from dateline.incremental.tree_writes import write_file
    from dateline.incremental.trees import OutputTrees

    trees = OutputTrees(tmp_path / "site" / "out", tmp_path / "cache")
    for evil in EVIL_PATHS:
        with pytest.raises(DatelineError, match="refusing to write"):
            trees.add(evil, "fingerprint", "test")
        with pytest.raises(ValueError):
            write_file(tmp_path / "site" / "out", evil, b"x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert list((tmp_path / "site").iterdir()) == []


def test_symlinked_folder_inside_output_cannot_redirect_writes(tmp_path):
    from dateline.incremental.tree_writes import write_file

    outside = tmp_path / "outside"
    outside.mkdir()
    root = tmp_path / "out"
    root.mkdir()
    (root / "tags").symlink_to(outside)
    with pytest.raises(ValueError, match="outside the output folder"):
        write_file(root, "tags/x/index.html", b"x")
    assert list(outside.iterdir()) == []


def test_a_symlink_planted_at_a_file_name_is_replaced_not_written_through(tmp_path):
    from dateline.incremental.tree_writes import write_file

    outside = tmp_path / "outside.html"
    outside.write_text("keep me")
    root = tmp_path / "out"
    (root / "tags" / "x").mkdir(parents=True)
    (root / "tags" / "x" / "index.html").symlink_to(outside)
    write_file(root, "tags/x/index.html", b"page")
    assert outside.read_text() == "keep me"
    assert not (root / "tags" / "x" / "index.html").is_symlink()
    assert (root / "tags" / "x" / "index.html").read_bytes() == b"page"


def test_warnings_do_not_fail_the_build(site_copy):
    site = site_copy("minimal")
    write_article(site, "again.md", "---\ntitle: Hello world\ndate: 2024-03-01\n---\nTwin.\n")
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0
    # same date: the file names decide, the same way on every machine
    assert "hello.md: warning: the URL 2024/03/01/hello-world/ is already used by" in result.stderr


def test_outputs_are_the_same_with_and_without_drafts_flag_when_no_drafts(site_copy, tmp_path):
    site = site_copy("minimal")
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_cli("build", "--site", str(site), "--output", str(a)).returncode == 0
    assert run_cli("build", "--site", str(site), "--output", str(b), "--drafts").returncode == 0
    assert sorted(p.relative_to(a) for p in a.rglob("*")) == sorted(p.relative_to(b) for p in b.rglob("*"))


def _files(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*"))
