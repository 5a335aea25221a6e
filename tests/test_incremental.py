"""Rebuilds: only what changed is written, the result always equals a clean build, output/ swaps atomically."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from dateline.build import build_site

from conftest import parse_page, run_cli, write_article

ARTICLE = "2025/09/11/belarus-frees-prisoners/index.html"


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """path -> (inode, content hash): an unchanged inode means the file was not rewritten."""
    return {p.relative_to(folder).as_posix(): (p.stat().st_ino, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def contents(folder: Path) -> dict[str, str]:
    return {path: content for path, (_, content) in snapshot(folder).items()}


def touch_later(path: Path, text: str) -> None:
    """Write TEXT so that the mtime differs even on file systems with coarse timestamps."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    if path.stat().st_mtime_ns == before:
        os.utime(path, ns=(before + 1_000_000, before + 1_000_000))


def clean_build(site: Path, tmp_path: Path) -> dict[str, str]:
    """What a from-scratch build of SITE gives (own cache, own output)."""
    fresh = tmp_path / f"fresh-{time.monotonic_ns()}"
    shutil.copytree(site, fresh, ignore=shutil.ignore_patterns(".dateline-cache", "output"))
    build_site(fresh, fresh / "output")
    return contents(fresh / "output")


def test_rebuild_with_nothing_changed_writes_nothing(built):
    site, out = built
    before = snapshot(out)
    result = build_site(site, out)
    assert result.written == 0
    assert snapshot(out) == before
    assert result.articles == 5 and result.files == len(before)


def test_editing_one_article_rewrites_only_the_pages_that_show_it(built, tmp_path):
    site, out = built
    before = snapshot(out)
    a3 = site / "content" / "articles" / "a3.md"
    touch_later(a3, a3.read_text().replace("Shares rose in São Paulo.", "Shares rose sharply in São Paulo."))
    result = build_site(site, out)
    after = snapshot(out)
    changed = {path for path in after if after[path] != before.get(path)}
    assert "2025/09/10/sao-paulo-stocks-rally/index.html" in changed
    assert "tags/economy/feed.xml" in changed  # full content in feeds
    assert ARTICLE in changed  # a1 lists a3 as related, with its summary (a3's first paragraph)
    # a3 is not among the site feed's 3 newest; a2 and Kenya's country page never show a3
    assert "feed.xml" not in changed
    assert "2025/09/11/lithuania-thanks-washington/index.html" not in changed
    assert "countries/kenya/index.html" not in changed
    # Kenya's article names a3 as its newer neighbour (title only): re-rendered, same bytes, kept as it was
    assert "2025/09/08/kenya-elections/index.html" not in changed
    assert 0 < result.written == len(changed) < len(after) / 3
    assert "Shares rose sharply" in (out / "2025/09/10/sao-paulo-stocks-rally/index.html").read_text()
    assert contents(out) == clean_build(site, tmp_path)


def test_a_new_title_reaches_every_list_neighbour_and_related_page(built, tmp_path):
    site, out = built
    a2 = site / "content" / "articles" / "a2.md"
    touch_later(a2, a2.read_text().replace("title: Lithuania thanks Washington", "title: Vilnius thanks Washington"))
    build_site(site, out)
    assert "Vilnius thanks Washington" in parse_page(out / ARTICLE).text  # neighbour and related
    assert "Vilnius thanks Washington" in parse_page(out / "tags" / "diplomacy" / "index.html").text
    assert "Lithuania thanks Washington" not in (out / "index.html").read_text()
    assert not (out / "2025/09/11/lithuania-thanks-washington").exists()  # the old URL is gone
    assert contents(out) == clean_build(site, tmp_path)


def test_deleting_an_article_removes_its_pages_and_empty_terms(built, tmp_path):
    site, out = built
    (site / "content" / "articles" / "a6.md").unlink()
    build_site(site, out)
    assert not (out / "2025/09/08/kenya-elections/index.html").exists()
    assert not (out / "countries" / "kenya" / "index.html").exists()
    assert "Kenya" not in parse_page(out / "countries" / "index.html").text
    assert contents(out) == clean_build(site, tmp_path)


def test_adding_an_article_shifts_pagination_everywhere(built, tmp_path):
    site, out = built
    write_article(site, "new.md", "---\ntitle: Breaking news\ndate: 2025-09-12T08:00:00+03:00\n"
                                  "countries: [LT]\ntags: [diplomacy]\n---\nNewest.\n")
    build_site(site, out)
    assert "Breaking news" in parse_page(out / "index.html").text
    assert contents(out) == clean_build(site, tmp_path)


def test_template_edit_rerenders_the_pages_that_use_it_only(built):
    site, out = built
    before = snapshot(out)
    (site / "templates").mkdir()
    (site / "templates" / "day.html").write_text(
        "{% extends 'default/day.html' %}{% block title %}Day {{ day | long_date }}{% endblock %}")
    build_site(site, out)
    after = snapshot(out)
    changed = {path for path in after if after[path] != before.get(path)}
    assert changed == {p for p in after if p.startswith("2025/09/") and p.count("/") == 3}
    assert "<title>Day 10 September 2025</title>" in (out / "2025/09/10/index.html").read_text()


def test_config_change_rerenders_every_page(built):
    site, out = built
    before = snapshot(out)
    touch_later(site / "site.yaml", (site / "site.yaml").read_text().replace("Full Digest", "Renamed Digest"))
    result = build_site(site, out)
    after = snapshot(out)
    changed = {path for path in after if after[path] != before.get(path)}
    # every page, feed and the news sitemap show the site's title; robots.txt, the sitemap and the stylesheet do not
    assert changed == {p for p in after if p.endswith((".html", "feed.xml", "feed.json", "news-sitemap.xml"))}
    assert result.written == len(changed)
    assert "Renamed Digest" in (out / "tags" / "index.html").read_text()


def test_lost_cache_and_deleted_output_still_build_correctly(built, tmp_path):
    site, out = built
    shutil.rmtree(site / ".dateline-cache")
    result = build_site(site, out)
    assert contents(out) == clean_build(site, tmp_path)
    shutil.rmtree(out)
    result = build_site(site, out)
    assert result.written == 0  # the twin, made output/ again by the build before, is swapped in
    assert contents(out) == clean_build(site, tmp_path)
    shutil.rmtree(out)  # and now no twin either (it became output/)
    result = build_site(site, out)
    assert result.written == result.files
    assert contents(out) == clean_build(site, tmp_path)


@pytest.mark.parametrize("damage", ["index.html", "tags", "feed.xml"])
def test_what_is_deleted_by_hand_at_the_top_of_output_comes_back(built, tmp_path, damage):
    site, out = built
    target = out / damage
    shutil.rmtree(target) if target.is_dir() else target.unlink()  # output/'s own folder changed
    build_site(site, out)
    assert contents(out) == clean_build(site, tmp_path)


def test_a_file_added_by_hand_at_the_top_of_output_is_checked_once_then_trusted(built, tmp_path):
    """output/'s own folder changed and every file it had is still there: nothing to make, and the new stamp is
    recorded, so the next build trusts it again (a file the build never wrote is left alone)."""
    site, out = built
    (out / "notes.txt").write_text("an editor's file\n")
    assert build_site(site, out).written == 0
    assert build_site(site, out).written == 0
    assert (out / "notes.txt").read_text() == "an editor's file\n"
    (out / "notes.txt").unlink()
    assert contents(out) == clean_build(site, tmp_path)


def test_a_page_deleted_deeper_comes_back_with_verify(built, tmp_path):
    site, out = built
    (out / ARTICLE).unlink()
    assert build_site(site, out).written == 0  # the files the last build wrote are trusted (docs/internals.md)
    assert not (out / ARTICLE).exists()
    result = run_cli("build", "--site", str(site), "--output", str(out), "--verify")
    assert result.returncode == 0, result.stderr
    assert contents(out) == clean_build(site, tmp_path)
    (out / "tags/diplomacy/index.html").write_bytes(b"cut")  # truncated by hand
    build_site(site, out, verify_output=True)
    assert contents(out) == clean_build(site, tmp_path)


def test_failed_rebuild_leaves_output_and_next_rebuild_is_right(built, tmp_path):
    site, out = built
    before = snapshot(out)
    write_article(site, "broken.md", "---\ntitle: Broken\ndate: soon\n---\n")
    assert run_cli("build", "--site", str(site), "--output", str(out)).returncode == 1
    assert snapshot(out) == before
    (site / "content" / "articles" / "broken.md").unlink()
    a1 = site / "content" / "articles" / "a1.md"
    touch_later(a1, a1.read_text() + "\nA late paragraph.\n")
    build_site(site, out)
    assert "A late paragraph." in (out / ARTICLE).read_text()
    assert contents(out) == clean_build(site, tmp_path)


def test_fixing_a_typo_that_stopped_a_build_is_an_edit_not_a_full_build(built, tmp_path):
    site, out = built
    before = snapshot(out)
    a1 = site / "content" / "articles" / "a1.md"
    good = a1.read_text()
    touch_later(a1, good.replace("---\n", "---\ndate: [unclosed\n", 1))
    assert run_cli("build", "--site", str(site), "--output", str(out)).returncode == 1
    assert snapshot(out) == before
    touch_later(a1, good + "\nA paragraph after the fix.\n")
    result = build_site(site, out)
    assert result.edited_only  # the failed build kept the snapshot: no full build after a typo
    assert "A paragraph after the fix." in (out / ARTICLE).read_text()
    assert contents(out) == clean_build(site, tmp_path)


def test_template_error_after_a_good_build_leaves_output_intact(built):
    site, out = built
    before = snapshot(out)
    (site / "templates").mkdir()
    (site / "templates" / "tag.html").write_text("{% extends 'term.html' %}{% block heading %}{{ term.nope() }}"
                                                 "{% endblock %}")
    result = run_cli("build", "--site", str(site), "--output", str(out))
    assert result.returncode == 1 and "tag.html:1: template error" in result.stderr
    assert result.stderr.count("template error") == 1  # one message per broken template, not one per page
    assert snapshot(out) == before


def test_warnings_are_repeated_when_nothing_changed(site_copy):
    site = site_copy("minimal")
    write_article(site, "twin.md", "---\ntitle: Hello world\ndate: 2024-03-01\n---\nTwin.\n")
    first = run_cli("build", "--site", str(site))
    second = run_cli("build", "--site", str(site))
    assert "warning: the URL 2024/03/01/hello-world/ is already used" in first.stderr
    assert second.stderr == first.stderr


def test_temporaries_of_a_killed_build_are_never_published(built):
    site, out = built
    scratch = out.with_name(f".{out.name}.next.tmp")
    scratch.mkdir(exist_ok=True)
    (scratch / "12345-0").write_text("half a page")  # as a build killed between write and rename leaves it
    a1 = site / "content" / "articles" / "a1.md"
    touch_later(a1, a1.read_text() + "\nOne more line.\n")
    build_site(site, out)
    assert "One more line." in (out / ARTICLE).read_text()
    assert not any("half a page" in p.read_text(errors="replace") for p in out.rglob("*") if p.is_file())
    assert not scratch.exists() or list(scratch.iterdir()) == []


def test_a_new_dateline_version_never_runs_templates_compiled_by_the_old_one(site_copy, tmp_path):
    """Compiled templates are cached between builds, but what they compile to depends on Dateline's own
    extensions: after an upgrade in place whose {% cached %} compiles differently, the old code never runs."""
    site = site_copy("full")
    repo = Path(__file__).resolve().parent.parent
    installed = tmp_path / "dateline"  # an installation that is upgraded where it is, as by a git pull
    shutil.copytree(repo / "dateline", installed / "dateline", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("templates", "static"):
        shutil.copytree(repo / name, installed / name)
    shutil.copy(repo / "build.py", installed / "build.py")

    def build() -> None:
        result = subprocess.run([sys.executable, str(installed / "build.py"), "build", "--site", str(site)],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr

    build()
    compiled = site / ".dateline-cache" / "templates"
    before = {p.name for p in compiled.iterdir()}
    extension = installed / "dateline" / "fragment_cache.py"
    source = extension.read_text(encoding="utf-8")
    assert source.count('"_cached"') == 1 and source.count("def _cached(") == 1
    extension.write_text(source.replace('"_cached"', '"_cached_v2"').replace("def _cached(", "def _cached_v2("),
                         encoding="utf-8")
    build()
    assert {p.name for p in compiled.iterdir()}.isdisjoint(before)  # the old version's compiled templates are gone
    assert contents(site / "output") == clean_build(site, tmp_path)
