"""Builds told by a file watcher what changed (the preview's): build_site(watched=...) stats only those article
files, and every kind of edit still gives the bytes of a clean build."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from test_change_journal import trusted  # noqa: F401  (a fixture: the site built, its journal out of the racy window)
from test_incremental import clean_build, contents, touch_later

from dateline.build import build_site

from conftest import write_article

ARTICLES = Path("content") / "articles"


def edit_body(site: Path) -> list[Path]:
    a3 = site / ARTICLES / "a3.md"
    touch_later(a3, a3.read_text().replace("Shares rose in São Paulo.", "Shares rose again in São Paulo."))
    return [a3]


def edit_title(site: Path) -> list[Path]:  # its slug is fixed: the lists showing it change, nothing moves
    a3 = site / ARTICLES / "a3.md"
    touch_later(a3, a3.read_text().replace("title: São Paulo stocks rally", "title: São Paulo stocks soar\n"
                                           "slug: sao-paulo-stocks-rally"))
    return [a3]


def add(site: Path) -> list[Path]:
    return [write_article(site, "2025/added.md", "---\ntitle: Filed from Riga\ndate: 2025-09-12T09:00:00+03:00\n"
                                                 "countries: [LV]\ntags: [economy]\n---\nA late story.\n")]


def delete(site: Path) -> list[Path]:
    a2 = site / ARTICLES / "a2.md"
    a2.unlink()
    return [a2]


def rename(site: Path) -> list[Path]:
    old, new = site / ARTICLES / "a5.md", site / ARTICLES / "2025" / "a5-moved.md"
    os.replace(old, new)
    return [old, new]


def new_folder(site: Path) -> list[Path]:  # inotify names the folder moved in, not the files in it
    write_article(site, "2026/01/a7.md", "---\ntitle: A new year\ndate: 2025-09-12T10:00:00+03:00\n---\nNews.\n")
    return [site / ARTICLES / "2026"]


def template(site: Path) -> list[Path]:
    path = site / "templates" / "404.html"
    path.parent.mkdir(exist_ok=True)
    path.write_text('{% extends "default/404.html" %}{% block content %}<h1>Lost, editor?</h1>{% endblock %}',
                    encoding="utf-8")
    return [path]


def site_yaml(site: Path) -> list[Path]:
    config = site / "site.yaml"
    touch_later(config, config.read_text(encoding="utf-8").replace("Full Digest", "Renamed Digest"))
    return [config]


EDITS: dict[str, Callable[[Path], list[Path]]] = {
    "body": edit_body, "title": edit_title, "add": add, "delete": delete, "rename": rename,
    "new folder": new_folder, "template": template, "site.yaml": site_yaml}


@pytest.mark.parametrize("kind", EDITS)
def test_a_build_told_what_changed_equals_a_clean_build(trusted, tmp_path, kind):  # noqa: F811
    site, out = trusted
    watched = EDITS[kind](site)
    result = build_site(site, out, watched=watched)
    assert result.edited_only == (kind in ("body", "title"))
    assert contents(out) == clean_build(site, tmp_path)
    watched = edit_body(site) if kind != "body" else []  # then another edit, told again
    build_site(site, out, watched=watched)
    assert contents(out) == clean_build(site, tmp_path)


def test_only_the_files_named_are_stat_ed_and_a_build_without_names_sees_the_rest(trusted, tmp_path):  # noqa: F811
    site, out = trusted
    a1 = site / ARTICLES / "a1.md"
    touch_later(a1, a1.read_text() + "\nAn edit the watcher did not report.\n")
    assert build_site(site, out, watched=[]).written == 0  # the watcher's word is taken for edits in place
    result = build_site(site, out)  # what `build` does, and the preview after the watcher lost events
    assert result.edited_only and result.written
    assert contents(out) == clean_build(site, tmp_path)


def test_a_file_added_whose_event_was_lost_is_still_found(trusted, tmp_path):  # noqa: F811
    site, out = trusted
    add(site)  # its folder's stamp changed: the folder is listed again, named or not
    assert not build_site(site, out, watched=[]).edited_only
    assert "Filed from Riga" in (out / "index.html").read_text()
    assert contents(out) == clean_build(site, tmp_path)
