"""Importing into a real temporary site: what is written, idempotency, edits kept, rejections, atomic writes."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dateline.config import load_config
from dateline.errors import SourceError
from dateline.ingest import ImportReport, import_inbox, import_paths
from dateline.ingest.write import MANIFEST, atomic_write
from dateline.scaffold import create_site
from dateline.text import slugify

REPO = Path(__file__).resolve().parent.parent
WIRE = Path(__file__).parent / "fixtures" / "wire"

STORY = (" date 2025-09-11 VILNIUS: Latvia has reopened two border crossings with Belarus after a week of talks.\n\n"
         "Lithuanian President Gitanas Nauseda welcomed the decision, saying trucks had waited for days.\n\n"
         "Belarusian state media said Minsk wanted more crossings opened. Nauseda said Latvia acted alone.\n\n"
         "# Traders in Riga expect *more* traffic <soon>. – AFP")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = create_site(tmp_path / "site")
    config = (site / "site.yaml").read_text(encoding="utf-8")
    config = config.replace("topics:\n", "topics:\n  borders: [border crossing, checkpoint]\n")
    (site / "site.yaml").write_text(config, encoding="utf-8")
    return site


def drop(folder: Path, name: str, data: bytes | str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def articles(site: Path) -> list[Path]:
    return sorted((site / "content" / "articles").rglob("*.md"))


def imported(site: Path) -> list[Path]:
    return [p for p in articles(site) if "imported_from" in p.read_text(encoding="utf-8")]


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n", 2)[1])


def test_front_matter_and_body(site, tmp_path):
    source = drop(tmp_path / "wire", "latvia.txt", STORY)
    report = import_paths([source], site, load_config(site))
    assert not report.rejected and len(report.written) == 1
    article = report.written[0].article
    assert article == site / "content/articles/2025/09/2025-09-11-latvia-reopens-two-border-crossings-with-belarus.md"
    fields = front_matter(article)
    assert list(fields) == ["title", "title_derived", "date", "dateline", "source", "countries", "tags", "summary",
                            "slug", "imported_from"]
    assert fields["title"] == "Latvia reopens two border crossings with Belarus"
    assert fields["title_derived"] is True
    assert fields["date"] == dt.date(2025, 9, 11)
    assert fields["dateline"] == "Vilnius"
    assert fields["source"] == "AFP"
    assert fields["countries"] == ["LV", "BY", "LT"]
    assert fields["tags"][0] == "borders"
    assert "Gitanas Nauseda" in fields["tags"]
    assert fields["summary"] == "Latvia has reopened two border crossings with Belarus after a week of talks."
    assert fields["slug"] == slugify(fields["title"])
    assert fields["imported_from"] == {"file": "latvia.txt", "sha256": hashlib.sha256(STORY.encode()).hexdigest()}
    body = article.read_text(encoding="utf-8").split("---\n", 2)[2]
    assert "VILNIUS" not in body and "AFP" not in body
    assert body.strip().splitlines()[-1] == r"\# Traders in Riga expect \*more\* traffic &lt;soon>."


def test_rerun_creates_no_duplicate_and_never_touches_originals(site, tmp_path):
    wire = tmp_path / "wire"
    drop(wire, "latvia.txt", STORY)
    shutil.copy(WIRE / "new_delhi_em_dash.txt", wire)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in wire.iterdir()}
    first = import_paths([wire], site, load_config(site))
    assert len(first.written) == 2
    written = {p: p.read_bytes() for p in imported(site)}
    second = import_paths([wire], site, load_config(site))
    assert second.written == [] and len(second.unchanged) == 2
    assert {p: p.read_bytes() for p in imported(site)} == written
    # The same bytes under another name are the same story.
    drop(tmp_path / "resent", "copy-of-latvia.txt", STORY)
    assert len(import_paths([tmp_path / "resent"], site, load_config(site)).unchanged) == 1
    assert len(imported(site)) == 2
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in wire.iterdir()} == before


def test_edited_article_is_kept_and_reported(site, tmp_path):
    source = drop(tmp_path / "wire", "latvia.txt", STORY)
    article = import_paths([source], site, load_config(site)).written[0].article
    edited = article.read_text(encoding="utf-8").replace("Latvia reopens", "Latvia reopens (corrected)", 1)
    article.write_text(edited, encoding="utf-8")
    report = import_paths([source], site, load_config(site))
    assert report.kept_edited and report.kept_edited[0].article == article
    assert article.read_text(encoding="utf-8") == edited
    assert any(line.startswith("kept ") and "edited by hand since import" in line for line in report.lines())


def test_deleted_article_is_not_resurrected(site, tmp_path):
    source = drop(tmp_path / "wire", "latvia.txt", STORY)
    article = import_paths([source], site, load_config(site)).written[0].article
    article.unlink()
    report = import_paths([source], site, load_config(site))
    assert report.written == [] and len(report.unchanged) == 1
    assert not article.exists()


def test_lost_manifest_still_prevents_duplicates(site, tmp_path):
    source = drop(tmp_path / "wire", "latvia.txt", STORY)
    import_paths([source], site, load_config(site))
    (site / MANIFEST).unlink()
    report = import_paths([source], site, load_config(site))
    assert report.written == [] and len(report.unchanged) == 1
    assert len(imported(site)) == 1
    assert (site / MANIFEST).exists()


def test_corrupt_manifest_is_reported_and_rebuilt(site, tmp_path):
    source = drop(tmp_path / "wire", "latvia.txt", STORY)
    import_paths([source], site, load_config(site))
    (site / MANIFEST).write_text("{not json", encoding="utf-8")
    report = import_paths([source], site, load_config(site))
    assert report.warnings and str(site / MANIFEST) in report.warnings[0]
    assert len(report.unchanged) == 1 and len(imported(site)) == 1
    json.loads((site / MANIFEST).read_text(encoding="utf-8"))


def test_same_title_gets_a_suffix_and_never_overwrites(site, tmp_path):
    other = STORY.replace("after a week of talks", "after a week of negotiations")
    taken = site / "content/articles/2025/09/2025-09-11-latvia-reopens-two-border-crossings-with-belarus.md"
    taken.parent.mkdir(parents=True)
    taken.write_text("---\ntitle: Written by hand\ndate: 2025-09-11\n---\n\nMine.\n", encoding="utf-8")
    report = import_paths([drop(tmp_path / "a", "one.txt", STORY), drop(tmp_path / "b", "two.txt", other)],
                          site, load_config(site))
    assert [i.article.name for i in report.written] == [
        "2025-09-11-latvia-reopens-two-border-crossings-with-belarus-2.md",
        "2025-09-11-latvia-reopens-two-border-crossings-with-belarus-3.md"]
    assert taken.read_text(encoding="utf-8").endswith("Mine.\n")
    assert [front_matter(i.article)["slug"] for i in report.written] == [
        "latvia-reopens-two-border-crossings-with-belarus-2", "latvia-reopens-two-border-crossings-with-belarus-3"]


def test_rejections_name_the_file_and_the_batch_goes_on(site, tmp_path):
    wire = tmp_path / "wire"
    wire.mkdir()
    for name in ("bad_date.txt", "not_wire.txt", "sao_paulo_bom_crlf.txt"):
        shutil.copy(WIRE / name, wire / name)
    drop(wire, "empty.txt", b"")
    drop(wire, "photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01")
    report = import_paths([wire, tmp_path / "missing.txt"], site, load_config(site))
    assert len(report.written) == 1
    rejected = {Path(e.path).name: e for e in report.rejected}
    assert set(rejected) == {"bad_date.txt", "not_wire.txt", "empty.txt", "photo.jpg", "missing.txt"}
    assert all(isinstance(e, SourceError) for e in report.rejected)
    assert "2025-02-30 does not exist" in rejected["bad_date.txt"].message and rejected["bad_date.txt"].line == 1
    lines = report.lines()
    assert f"rejected {wire / 'bad_date.txt'}:1: date 2025-02-30 does not exist" in " ".join(lines)
    assert any(line.startswith("wrote ") for line in lines)


def test_report_lines():
    report = ImportReport(rejected=[SourceError(Path("in/x.txt"), "empty file")])
    assert report.lines() == ["rejected in/x.txt: empty file"]
    assert ImportReport().lines() == []


def test_inbox_import_ignores_hidden_files(site):
    inbox = site / "content" / "inbox"
    drop(inbox, "latvia.txt", STORY)
    drop(inbox, ".DS_Store", b"\x00\x00\x00\x01Bud1")
    drop(inbox / ".partial", "upload.txt", STORY.replace("Latvia", "Estonia"))
    report = import_inbox(site, load_config(site))
    assert len(report.written) == 1 and not report.rejected
    assert (inbox / "latvia.txt").read_text(encoding="utf-8") == STORY


def test_no_inbox_is_an_empty_report(tmp_path):
    site = create_site(tmp_path / "site")
    shutil.rmtree(site / "content" / "inbox")
    assert import_inbox(site, load_config(site)) == ImportReport()


def test_atomic_write_leaves_old_file_and_no_temporaries_on_failure(tmp_path):
    target = tmp_path / "a.md"
    target.write_text("old", encoding="utf-8")
    with pytest.raises(TypeError):
        atomic_write(target, "not bytes")  # type: ignore[arg-type]  # fails mid-write
    assert target.read_text(encoding="utf-8") == "old"
    assert os.listdir(tmp_path) == ["a.md"]
    assert atomic_write(target, b"new") and target.read_bytes() == b"new"
    assert not atomic_write(target, b"other", exclusive=True) and target.read_bytes() == b"new"
    assert os.listdir(tmp_path) == ["a.md"]


def test_import_leaves_no_temporary_files(site, tmp_path):
    import_paths([drop(tmp_path / "wire", "latvia.txt", STORY)], site, load_config(site))
    leftovers = [p for p in (site / "content").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(lambda t: (" date 2025-09-11 " + t).encode())))
def test_importer_never_crashes(site, tmp_path, raw):
    source = drop(tmp_path / "fuzz", "story.txt", raw)
    report = import_paths([source], site, load_config(site))
    assert len(report.written) + len(report.unchanged) + len(report.rejected) == 1
    for error in report.rejected:
        assert error.path == source and error.message
    for item in report.written:
        fields = front_matter(item.article)
        assert fields["title"] and fields["slug"]


def build(site: Path, out: Path) -> subprocess.CompletedProcess:
    """The build as an editor runs it: python build.py build, which imports the inbox first."""
    return subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--site", str(site), "--output", str(out)],
                          cwd=REPO, capture_output=True, text=True, timeout=300)


def test_end_to_end_inbox_to_pages(site, tmp_path):
    inbox = site / "content" / "inbox"
    drop(inbox, "latvia.txt", STORY)
    shutil.copy(WIRE / "new_delhi_em_dash.txt", inbox)
    shutil.copy(WIRE / "bad_date.txt", inbox)
    out = tmp_path / "out"
    result = build(site, out)
    assert result.returncode == 0, result.stderr
    assert "bad_date.txt:1: warning: not imported: date 2025-02-30 does not exist" in result.stderr
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "Latvia reopens two border crossings with Belarus" in home
    assert "India and Japan sign a railway agreement worth 4 billion dollars" in home
    for country in ("latvia", "belarus", "lithuania"):
        assert "Latvia reopens" in (out / "countries" / country / "index.html").read_text(encoding="utf-8")
    for country in ("india", "japan"):
        assert "India and Japan sign" in (out / "countries" / country / "index.html").read_text(encoding="utf-8")
    for tag in ("borders", "Gitanas Nauseda"):
        assert "Latvia reopens" in (out / "tags" / slugify(tag) / "index.html").read_text(encoding="utf-8")
    modi = out / "tags" / slugify("Narendra Modi") / "index.html"
    assert "India and Japan sign" in modi.read_text(encoding="utf-8")
    # A second build imports nothing new.
    again = build(site, out)
    assert again.returncode == 0 and "wrote " not in again.stdout
    assert len(imported(site)) == 2


def test_wire_copy_too_large_to_be_an_article_is_rejected_at_import(tmp_path):
    from dateline.config import load_config
    from dateline.content import MAX_ARTICLE_BYTES
    from dateline.ingest import import_paths
    from dateline.scaffold import create_site

    site = create_site(tmp_path / "site")
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b" date 2025-09-11 VILNIUS: A story. " + b"word " * (MAX_ARTICLE_BYTES // 5) + b" - AFP")
    report = import_paths([huge], site, load_config(site))
    assert [str(e) for e in report.rejected] == [f"{huge}: the file is 5.0 MB; wire copy may be at most 5 MB"]
    assert report.written == [] and huge.exists()
