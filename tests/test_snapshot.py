"""Rebuilding after edits that move no article: only the pages showing them, from the build snapshot.

Every test compares the result with a from-scratch build of the same input, and checks which way the
build went (edited_only), so a test fails both when the result is wrong and when the fast path is not
taken where it should be, or taken where it must not be.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from test_incremental import clean_build, contents, snapshot, touch_later

from dateline.build import build_site
from dateline.cache import CACHE_DIR

from conftest import FIXTURES, parse_page, run_cli, write_article

A2 = "2025/09/11/lithuania-thanks-washington/index.html"


def edit(site: Path, name: str, old: str, new: str) -> None:
    path = site / "content" / "articles" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    touch_later(path, text.replace(old, new))


def test_a_body_edit_rebuilds_only_the_pages_showing_the_article(built, tmp_path):
    site, out = built
    before = snapshot(out)
    edit(site, "a2.md", "thanked the United States.", "thanked the United States warmly.")
    result = build_site(site, out)
    assert result.edited_only
    changed = {path for path in snapshot(out) if snapshot(out)[path] != before.get(path)}
    assert A2 in changed and "feed.json" in changed  # its page, and the site's JSON feed (full content)
    assert "tags/diplomacy/feed.json" in changed
    assert "2025/09/08/kenya-elections/index.html" not in changed  # shows no a2 at all
    assert "thanked the United States warmly." in (out / A2).read_text(encoding="utf-8")
    assert contents(out) == clean_build(site, tmp_path)


def test_a_new_title_with_a_fixed_slug_reaches_every_page_that_shows_it(built, tmp_path):
    site, out = built
    edit(site, "a2.md", "title: Lithuania thanks Washington",
         "title: Vilnius thanks Washington\nslug: lithuania-thanks-washington")
    result = build_site(site, out)
    assert result.edited_only
    for page in ("index.html", "tags/diplomacy/index.html", "countries/lithuania/index.html", "feed.xml",
                 "2025/09/11/index.html", "2025/09/11/belarus-frees-prisoners/index.html"):
        text = (out / page).read_text(encoding="utf-8")
        assert "Vilnius thanks Washington" in text, page
        assert "Lithuania thanks Washington" not in text, page
    assert contents(out) == clean_build(site, tmp_path)


@pytest.mark.parametrize("old, new", [
    ("title: Lithuania thanks Washington", "title: Vilnius thanks Washington"),  # the slug follows the title
    ("tags: [diplomacy]", "tags: [diplomacy, economy]"),
    ("countries: [LT, US]", "countries: [LT]"),
    ("date: 2025-09-11T12:30:00+03:00", "date: 2025-09-07T12:30:00+03:00"),
    ("updated: 2025-09-12T09:00:00+03:00", "updated: 2025-09-13T09:00:00+03:00"),  # the sitemap's lastmod
    ("mood: hopeful", "mood: hopeful\ndraft: true"),
])
def test_an_edit_that_moves_an_article_rebuilds_the_whole_site(built, tmp_path, old, new):
    site, out = built
    edit(site, "a2.md", old, new)
    result = build_site(site, out)
    assert not result.edited_only
    assert contents(out) == clean_build(site, tmp_path)


def test_added_removed_and_template_changes_are_full_builds(built, tmp_path):
    site, out = built
    shutil.copy(site / "content/articles/a2.md", site / "content/articles/a7.md")
    edit(site, "a7.md", "title: Lithuania thanks Washington", "title: A copy")
    assert not build_site(site, out).edited_only
    (site / "content/articles/a7.md").unlink()
    assert not build_site(site, out).edited_only
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates" / "robots.txt").write_text("User-agent: *\nDisallow: /private/\n")
    edit(site, "a2.md", "thanked", "thanked again")
    assert not build_site(site, out).edited_only
    assert "Disallow: /private/" in (out / "robots.txt").read_text()
    assert contents(out) == clean_build(site, tmp_path)


def test_successive_edits_each_equal_a_clean_build(built, tmp_path):
    site, out = built
    for number in range(4):
        edit(site, "a3.md", "Shares rose", f"Shares rose ({number})")
        edit(site, "a2.md", "thanked", f"thanked ({number})")
        assert build_site(site, out).edited_only
        assert contents(out) == clean_build(site, tmp_path)


def test_editing_a_draft_changes_nothing_published(built):
    site, out = built
    draft = site / "content/articles/a8.md"
    draft.write_text("---\ntitle: Not yet\ndate: 2025-09-12\ndraft: true\n---\n\nSecret.\n", encoding="utf-8")
    build_site(site, out)
    before = snapshot(out)
    edit(site, "a8.md", "Secret.", "Still secret.")
    result = build_site(site, out)
    assert result.edited_only and result.written == 0
    assert snapshot(out) == before


def test_an_edit_that_breaks_an_article_is_reported_with_its_line(built):
    site, out = built
    before = contents(out)
    edit(site, "a2.md", "source: Reuters", "source: [unclosed")
    result = run_cli("build", "--site", str(site), "--output", str(out))
    assert result.returncode == 1
    assert "a2.md:5:" in result.stderr
    assert contents(out) == before
    edit(site, "a2.md", "source: [unclosed", "source: AFP")
    assert run_cli("build", "--site", str(site), "--output", str(out), "-q").returncode == 0
    assert "AFP" in parse_page(out / A2).text


def test_a_stale_or_broken_snapshot_means_a_full_build(built, tmp_path):
    """A build killed between swapping output/ and recording its snapshot leaves an older snapshot."""
    site, out = built
    [stored] = (site / CACHE_DIR).glob("snapshot-*.sqlite")
    older = stored.read_bytes()
    edit(site, "a2.md", "thanked", "thanked first")
    assert build_site(site, out).edited_only
    stored.write_bytes(older)  # describes the build before the last one
    edit(site, "a3.md", "Shares rose", "Shares fell")
    assert not build_site(site, out).edited_only
    assert contents(out) == clean_build(site, tmp_path)
    stored.write_bytes(b"not a database")
    edit(site, "a3.md", "Shares fell", "Shares held")
    assert not build_site(site, out).edited_only
    assert contents(out) == clean_build(site, tmp_path)
    edit(site, "a3.md", "Shares held", "Shares rose again")
    assert build_site(site, out).edited_only  # the full build wrote a new snapshot
    assert contents(out) == clean_build(site, tmp_path)


def test_a_page_deleted_from_the_output_by_hand_comes_back(built, tmp_path):
    site, out = built
    (out / "tags/diplomacy/index.html").unlink()
    edit(site, "a3.md", "Shares rose", "Shares fell")
    build_site(site, out)
    assert contents(out) == clean_build(site, tmp_path)


def test_each_output_folder_has_its_own_snapshot(built, tmp_path):
    site, out = built
    other = tmp_path / "other"
    build_site(site, other)
    edit(site, "a2.md", "thanked", "thanked twice")
    assert build_site(site, out).edited_only
    assert build_site(site, other).edited_only
    assert contents(out) == contents(other) == clean_build(site, tmp_path)


def test_a_large_first_build_records_fingerprints_and_snapshot_made_beside_the_rendering(tmp_path):
    """Over 1,000 pages a first build computes fingerprints and the snapshot in another process (on a
    machine with more than one core) while the pages render; the next build must trust both."""
    site = tmp_path / "large"
    articles = site / "content" / "articles"
    articles.mkdir(parents=True)
    (site / "site.yaml").write_text("title: Large\nbase_url: https://example.org/\n", encoding="utf-8")
    for number in range(900):
        (articles / f"story-{number:03d}.md").write_text(
            f"---\ntitle: Story {number}\n"
            f"date: 2025-{1 + number % 12:02d}-{1 + number % 28:02d}T{number % 24:02d}:00:00\n"
            f"tags: [topic {number % 9}]\ncountries: [{['LT', 'LV', 'EE', 'PL'][number % 4]}]\n---\n\n"
            f"Paragraph one of story {number}.\n\nParagraph two.\n", encoding="utf-8")
    out = tmp_path / "out"
    first = build_site(site, out)
    assert first.files > 1000 and not first.edited_only
    assert build_site(site, out).written == 0  # the deferred fingerprints match the pages
    edit(site, "story-123.md", "Paragraph two.", "Paragraph two, edited.")
    result = build_site(site, out)
    assert result.edited_only and 0 < result.written < 20
    assert contents(out) == clean_build(site, tmp_path)


@pytest.mark.parametrize("articles", [5, 900])  # saved in this process; in another one while pages render
def test_a_failed_snapshot_save_costs_time_not_correctness(tmp_path, monkeypatch, articles):
    from dateline.incremental.snapshot import BuildSnapshot

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    site = tmp_path / "site"
    folder = site / "content" / "articles"
    folder.mkdir(parents=True)
    (site / "site.yaml").write_text("title: Site\nbase_url: https://example.org/\n", encoding="utf-8")
    for number in range(articles):
        (folder / f"s{number}.md").write_text(f"---\ntitle: Story {number}\ndate: 2025-03-{1 + number % 28:02d}\n"
                                              f"tags: [t{number % 7}]\n---\n\nText {number}.\n", encoding="utf-8")
    out = tmp_path / "out"
    monkeypatch.setattr(BuildSnapshot, "write_pending", disk_full)
    build_site(site, out)
    monkeypatch.undo()
    assert not list((site / CACHE_DIR).glob("snapshot-*.sqlite"))
    assert build_site(site, out).written == 0  # the fingerprints were recorded all the same
    edit(site, "s3.md", "Text 3.", "Text three.")
    assert not build_site(site, out).edited_only  # no snapshot: a full build, which writes one
    assert contents(out) == clean_build(site, tmp_path)


@pytest.mark.parametrize("damage", [
    "DELETE FROM views WHERE url = '2025/09/11/lithuania-thanks-washington/'",  # the edited article's view
    "DELETE FROM pages WHERE path = 'index.html'",  # a page that shows it
    "DROP TABLE pages",
    "DROP TABLE files",
])
def test_a_snapshot_missing_what_an_edit_needs_means_a_full_build(built, tmp_path, damage):
    import sqlite3

    site, out = built
    [stored] = (site / CACHE_DIR).glob("snapshot-*.sqlite")
    with sqlite3.connect(stored) as connection:
        connection.execute(damage)
    connection.close()
    edit(site, "a2.md", "thanked", "thanked again")
    result = run_cli("build", "--site", str(site), "--output", str(out))
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert contents(out) == clean_build(site, tmp_path)
    edit(site, "a2.md", "thanked again", "thanked once more")
    assert build_site(site, out).edited_only  # the full build wrote a whole snapshot again
    assert contents(out) == clean_build(site, tmp_path)


# A new value for every front matter key the build reads (front_matter.KNOWN_KEYS, and the keys the full site's
# taxonomies file by), as the line that adds it to a2.md: whichever way the build goes (an edit's rebuild or a
# full one), the result must be the clean build's.
EDITS = {
    "title": "title: Lithuania thanks Washington again",
    "date": "date: 2025-09-08",
    "dateline": "dateline: Kaunas",
    "source": "source: AFP",
    "countries": "countries: [LT]",
    "mentioned_countries": "mentioned_countries: [DE]",
    "tags": "tags: [diplomacy, borders]",
    "summary": "summary: A new summary.",
    "slug": "slug: thanks",
    "draft": "draft: true",
    "updated": "updated: 2025-09-13T09:00:00+03:00",
    "correction": "correction: Another correction.",
    "lead": "lead: true",
    "priority": "priority: 1",
    "urgency": "urgency: 2",
    "image": "image: static/photo.jpg",
    "image_alt": "image_alt: A photograph",
    "language": "language: fr",  # a site in one language: where its pages are does not change, but it moves
    "translation_key": "translation_key: thanks",
}


def test_every_front_matter_key_is_listed_here():
    from dateline.config import load_config
    from dateline.front_matter import KNOWN_KEYS

    filed_by = {key for taxonomy in load_config(FIXTURES / "full").taxonomies for key in taxonomy.fields}
    assert set(EDITS) == KNOWN_KEYS | filed_by


@pytest.mark.parametrize("key", sorted(EDITS))
def test_an_edit_of_any_key_equals_a_clean_build(built, tmp_path, key):
    site, out = built
    path = site / "content" / "articles" / "a2.md"
    lines = [line for line in path.read_text(encoding="utf-8").split("\n") if not line.startswith(f"{key}:")]
    lines.insert(1, EDITS[key])
    touch_later(path, "\n".join(lines))
    result = build_site(site, out)
    # what decides where a story is listed, and which leads its day, moves it: a full build
    assert result.edited_only == (key in {"dateline", "source", "summary", "correction", "image", "image_alt"}), key
    assert contents(out) == clean_build(site, tmp_path)


def test_a_renamed_file_moves_its_untimed_story_among_its_days(site_copy, tmp_path):
    site = site_copy("minimal")
    for name in ("2024-03-01-0001-a.md", "2024-03-01-0002-b.md", "2024-03-01-0003-c.md"):
        write_article(site, name, f"---\ntitle: Story {name[16]}\ndate: 2024-03-01\n---\n\nText.\n")
    out = tmp_path / "out"
    build_site(site, out)
    folder = site / "content" / "articles"
    (folder / "2024-03-01-0001-a.md").rename(folder / "2024-03-01-0004-a.md")  # as if it had arrived last
    assert not build_site(site, out).edited_only
    older = parse_page(out / "2024/03/01/story-a/index.html")
    assert "Older: Story c →" in older.text
    assert contents(out) == clean_build(site, tmp_path)
