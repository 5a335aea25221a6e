"""Agency files imported into a real site and built: pages, versions, kills, embargoes, hostile input."""

from __future__ import annotations

import datetime as dt
import html
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dateline.config import load_config
from dateline.ingest import import_inbox, import_paths
from dateline.ingest.write import MANIFEST
from dateline.scaffold import create_site

REPO = Path(__file__).resolve().parent.parent
AGENCY = Path(__file__).parent / "fixtures" / "agency"
BEFORE = dt.datetime(2025, 8, 1, tzinfo=dt.UTC)  # before every embargo in the samples
LATER = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = create_site(tmp_path / "site")
    config = (site / "site.yaml").read_text(encoding="utf-8")
    config += "import:\n  subjects:\n    '04016007': bankruptcy\n    'medtop:20000151': floods\n"
    (site / "site.yaml").write_text(config, encoding="utf-8")
    return site


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n", 2)[1])


def body_of(path: Path) -> str:
    return path.read_text(encoding="utf-8").split("---\n", 2)[2]


def copy_in(folder: Path, *names: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(AGENCY / name, folder / Path(name).name)) for name in names]


def test_every_format_imports_and_builds(site, tmp_path):
    """Each format dropped into the inbox, names without extensions included, then `build.py build`."""
    inbox = site / "content" / "inbox"
    samples = {  # file -> (headline, dateline, source, words of the body)
        "newsml-g2/afp-stockholm-housing": ("Sweden's biggest homebuilder files for bankruptcy", "Stockholm", "AFP",
                                             "about 1,200 subcontractors"),
        "newsml-1/afp-bordeaux-harvest.xml": ("Bordeaux’s harvest starts three weeks early – a first", "Bordeaux",
                                              "AFP", "ripened the grapes early"),
        "nitf/ap-atlanta-airport.nitf": ("Atlanta airport reopens after power cut strands 30,000", "Atlanta, Ga.",
                                         "AP", "café and hotel vouchers"),
        "ninjs/aap-sydney-heatwave.json": ("NSW swelters through its hottest September day on record", "Sydney",
                                           "AAP", "Penrith reached 39.1C"),
        "iptc7901/apa-wien-budget-utf8.7901": ("Wien: Regierung einigt sich auf Budget", "Wien", "APA",
                                               "harten, aber fairen"),
        "anpa1312/ap-ohio-bridge-stream.anpa": ("Ohio to replace 80-year-old bridge, governor says", "Columbus, Ohio",
                                                "AP", "Gov. Lee Harmon said Monday"),
    }
    copy_in(inbox, *samples)
    stream = inbox / "ap-ohio-bridge-stream.anpa"
    data = stream.read_bytes()
    kill_at = data.index(b"\x16\x16\x01a1302")
    stream.write_bytes(data[:kill_at])  # the story and its first lead; the kill is tested below
    (tmp_path / "ap-ohio-bridge-kill").write_bytes(data[kill_at:])
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--site", str(site), "--output",
                             str(out)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "rejected" not in result.stdout + result.stderr
    for headline, dateline, source, words in samples.values():
        pages = [p for p in out.rglob("index.html") if f"<h1>{headline}</h1>"
                 in html.unescape(p.read_text(encoding="utf-8"))]
        assert len(pages) == 1, headline
        page = html.unescape(pages[0].read_text(encoding="utf-8"))
        assert f'<span class="dateline">{dateline}</span>' in page
        assert f'<span class="source">{source}</span>' in page
        assert words in page
    # the table and the list of the NewsML-G2 story are HTML on its page
    housing = next(p for p in out.rglob("index.html") if "homebuilder-files" in p.parent.name)
    page = housing.read_text(encoding="utf-8")
    assert "<table>" in page and "<td>Norway</td>" in page and "<li>the city of Malmö, and</li>" in page
    # the kill, delivered later: the article becomes a draft and leaves the site at the next build
    shutil.move(tmp_path / "ap-ohio-bridge-kill", inbox / "ap-ohio-bridge-kill")
    again = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--site", str(site), "--output",
                            str(out)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "withdrew " in again.stdout + again.stderr
    assert not any("Ohio to replace" in html.unescape(p.read_text(encoding="utf-8")) for p in out.rglob("*.html"))


def test_agency_front_matter(site, tmp_path):
    (source,) = copy_in(tmp_path / "wire", "newsml-g2/afp-stockholm-housing")
    report = import_paths([source], site, load_config(site), now=BEFORE)
    assert not report.rejected and len(report.written) == 1
    article = report.written[0].article
    assert article.name == "2025-08-29-swedens-biggest-homebuilder-files-for-bankruptcy.md"
    fields = front_matter(article)
    assert fields["title"] == "Sweden's biggest homebuilder files for bankruptcy"
    assert fields["title_derived"] is False
    assert str(fields["date"]) == "2025-08-29 10:15:00+02:00"
    assert "updated" not in fields
    assert (fields["dateline"], fields["source"], fields["byline"]) == ("Stockholm", "AFP", "Anna Lindqvist")
    assert fields["countries"][:2] == ["SE", "NO"]  # the agency's first, then our own detection's
    assert "FI" in fields["countries"]
    assert fields["tags"][0] == "bankruptcy"  # import.subjects mapped subj:04016007
    assert fields["subjects"] == {"medtop:20000568": "housing and real estate"}  # kept: not mapped
    assert fields["keywords"] == ["housing", "construction"]
    assert fields["summary"] == "A collapse that leaves 4,000 flats unfinished across three countries."
    assert fields["urgency"] == 4
    assert fields["usage_terms"] == "Not for use in Sweden before 12:00 local time."
    assert fields["imported_from"]["guid"] == "urn:newsml:afp.com:20250829:TX-PAR-HSG01"
    assert (fields["imported_from"]["version"], fields["imported_from"]["format"]) == (1, "newsml-g2")
    assert "draft" not in fields and "embargo" not in fields
    assert body_of(article).startswith("\nSweden's largest residential builder")


def test_newer_version_updates_the_article_in_place(site, tmp_path):
    (first,) = copy_in(tmp_path / "a", "newsml-g2/afp-stockholm-housing")
    article = import_paths([first], site, load_config(site), now=BEFORE).written[0].article
    (second,) = copy_in(tmp_path / "b", "newsml-g2/afp-stockholm-housing-v2.xml")
    report = import_paths([second], site, load_config(site), now=BEFORE)
    assert report.written == [] and [i.article for i in report.updated] == [article]
    assert any(line.startswith("updated ") for line in report.lines())
    fields = front_matter(article)
    assert fields["title"] == "Sweden's biggest homebuilder files for bankruptcy, buyers wait"
    assert fields["slug"] == "swedens-biggest-homebuilder-files-for-bankruptcy"  # the URL stays
    assert str(fields["date"]) == "2025-08-29 10:15:00+02:00"
    assert str(fields["updated"]) == "2025-08-29 13:40:00+02:00"
    assert list(fields)[:4] == ["title", "title_derived", "date", "updated"]
    assert fields["correction"] == "Corrects the number of unfinished flats in Norway, 800 not 900."
    assert fields["imported_from"]["version"] == 2
    assert "| Norway | 800 |" in body_of(article)
    assert len(list((site / "content" / "articles" / "2025").rglob("*.md"))) == 1
    # the older version sent again changes nothing
    again = import_paths([first], site, load_config(site), now=BEFORE)
    assert again.updated == [] and front_matter(article)["imported_from"]["version"] == 2


def test_newer_version_of_an_edited_article_waits(site, tmp_path):
    (first,) = copy_in(tmp_path / "a", "newsml-g2/afp-stockholm-housing")
    article = import_paths([first], site, load_config(site), now=BEFORE).written[0].article
    edited = article.read_text(encoding="utf-8").replace("Sweden's largest", "Sweden's biggest", 1)
    article.write_text(edited, encoding="utf-8")
    (second,) = copy_in(tmp_path / "b", "newsml-g2/afp-stockholm-housing-v2.xml")
    report = import_paths([second], site, load_config(site), now=BEFORE)
    assert [i.article for i in report.waiting] == [article]
    assert article.read_text(encoding="utf-8") == edited
    assert any("a newer version is waiting in" in line for line in report.lines())


@pytest.mark.parametrize("edited", [False, True])
def test_kill_makes_the_article_a_draft(site, tmp_path, edited):
    (first,) = copy_in(tmp_path / "a", "newsml-g2/afp-stockholm-housing")
    article = import_paths([first], site, load_config(site), now=BEFORE).written[0].article
    if edited:
        article.write_text(article.read_text(encoding="utf-8") + "\nAn editor's line.\n", encoding="utf-8")
    (kill,) = copy_in(tmp_path / "b", "newsml-g2/afp-stockholm-housing-kill.xml")
    report = import_paths([kill], site, load_config(site), now=BEFORE)
    assert [i.article for i in report.withdrawn] == [article]
    assert front_matter(article)["draft"] is True
    assert ("An editor's line." in article.read_text(encoding="utf-8")) is edited
    assert any(line.startswith("withdrew ") and "killed by the agency" in line for line in report.lines())
    # the kill file again: nothing more to do
    assert import_paths([kill], site, load_config(site), now=BEFORE).withdrawn == []


def test_kill_in_other_formats(site, tmp_path):
    for original, kill in (("newsml-1/afp-bordeaux-harvest.xml", "newsml-1/afp-bordeaux-harvest-kill"),
                           ("nitf/ap-atlanta-airport.nitf", "nitf/ap-atlanta-airport-kill"),
                           ("ninjs/aap-sydney-heatwave.json", "ninjs/aap-sydney-heatwave-withheld.json")):
        (first,) = copy_in(tmp_path / "a", original)
        article = import_paths([first], site, load_config(site), now=BEFORE).written[0].article
        (second,) = copy_in(tmp_path / "b", kill)
        assert [i.article for i in import_paths([second], site, load_config(site), now=BEFORE).withdrawn] == [article]
        assert front_matter(article)["draft"] is True


def test_embargo_is_a_draft_until_its_time(site, tmp_path):
    (source,) = copy_in(tmp_path / "wire", "newsml-g2/reuters-embargoed-report.xml")
    report = import_paths([source], site, load_config(site), now=BEFORE)
    article = report.written[0].article
    fields = front_matter(article)
    assert fields["draft"] is True and str(fields["embargo"]) == "2025-09-03 22:00:00+00:00"
    assert any(line.endswith("as a draft until its embargo") for line in report.lines())
    # an import before the embargo lifts changes nothing; the first one after publishes it
    assert import_paths([], site, load_config(site), now=dt.datetime(2025, 9, 3, 21, 59, tzinfo=dt.UTC)).released == []
    lifted = import_paths([], site, load_config(site), now=dt.datetime(2025, 9, 3, 22, 0, tzinfo=dt.UTC))
    assert [i.article for i in lifted.released] == [article]
    assert "draft" not in front_matter(article)
    assert import_paths([], site, load_config(site), now=LATER).released == []


def test_embargo_already_over_imports_published(site, tmp_path):
    (source,) = copy_in(tmp_path / "wire", "newsml-g2/reuters-embargoed-report.xml")
    article = import_paths([source], site, load_config(site), now=LATER).written[0].article
    assert "draft" not in front_matter(article)


def test_package_imports_each_story_once_with_its_picture(site, tmp_path):
    wire = tmp_path / "wire"
    (source,) = copy_in(wire, "newsml-g2/dpa-package-two-stories.xml")
    (wire / "flood-regensburg.jpg").write_bytes(b"\xff\xd8\xff\xe0 a tiny stand-in for a JPEG")
    report = import_paths([source], site, load_config(site), now=BEFORE)
    assert len(report.written) == 2 and not report.rejected
    main, box = (front_matter(i.article) for i in report.written)
    assert (main["title"], box["title"]) == ("Floods close the Danube to shipping",
                                             "What a week without the Danube costs")
    assert main["tags"][0] == "floods"
    assert [main["imported_from"]["item"], box["imported_from"]["item"]] == [1, 2]
    assert main["image"] == {"src": "static/images/flood-regensburg.jpg",
                             "alt": "Brown water covers a riverside quay and benches.", "credit": "dpa/Karl Huber",
                             "caption": "The Danube over the quay in Regensburg on Friday morning."}
    assert (site / "static" / "images" / "flood-regensburg.jpg").read_bytes().startswith(b"\xff\xd8")
    again = import_paths([source], site, load_config(site), now=BEFORE)
    assert again.written == [] and len(again.unchanged) == 2


def test_remote_picture_is_kept_as_a_url(site, tmp_path):
    (source,) = copy_in(tmp_path / "wire", "ninjs/aap-sydney-heatwave.json")
    article = import_paths([source], site, load_config(site), now=BEFORE).written[0].article
    assert front_matter(article)["image"]["src"] == "https://images.example.com/heatwave.jpg"
    assert not (site / "static" / "images").exists()


def test_picture_outside_the_agency_folder_is_not_copied(site, tmp_path):
    secret = tmp_path / "secret.jpg"
    secret.write_bytes(b"\xff\xd8 private")
    wire = tmp_path / "wire"
    wire.mkdir()
    text = (AGENCY / "newsml-g2/dpa-package-two-stories.xml").read_text(encoding="utf-8")
    (wire / "package.xml").write_text(text.replace('href="flood-regensburg.jpg"', 'href="../secret.jpg"'),
                                      encoding="utf-8")
    article = import_paths([wire / "package.xml"], site, load_config(site), now=BEFORE).written[0].article
    assert front_matter(article)["image"]["src"] == "../secret.jpg"
    assert not (site / "static" / "images").exists()


def test_hostile_files_are_rejected_and_the_batch_goes_on(site, tmp_path):
    inbox = site / "content" / "inbox"
    copy_in(inbox, "bad/billion-laughs.xml", "bad/external-entity.xml", "ninjs/aap-sydney-heatwave.json")
    huge = inbox / "huge.xml"
    with huge.open("wb") as stream:
        stream.write(b'<?xml version="1.0"?><nitf><body><body.content><p>')
        for _ in range(50):
            stream.write(b"x" * (1024 * 1024))
        stream.write(b"</p></body.content></body></nitf>")
    report = import_inbox(site, load_config(site), now=BEFORE)
    assert len(report.written) == 1
    rejected = {Path(e.path).name: e for e in report.rejected}
    assert set(rejected) == {"billion-laughs.xml", "external-entity.xml", "huge.xml"}
    assert rejected["billion-laughs.xml"].line == 3 and "declares entities" in rejected["billion-laughs.xml"].message
    assert "the file is 50.0 MB" in rejected["huge.xml"].message
    assert all(line.startswith(("wrote", "rejected")) for line in report.lines())


def test_subjects_must_be_quoted_in_site_yaml(site):
    from dateline.errors import DatelineError

    text = (site / "site.yaml").read_text(encoding="utf-8").replace("'04016007'", "04016007")
    (site / "site.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DatelineError) as caught:
        load_config(site)
    assert "'import.subjects' must be a mapping of text to text" in str(caught.value)
    assert "quote each code" in str(caught.value)


def test_manifest_keys_multi_item_files_by_story(site, tmp_path):
    (source,) = copy_in(tmp_path / "wire", "newsml-1/ansa-rome-two-items.xml")
    import_paths([source], site, load_config(site), now=BEFORE)
    import json

    keys = sorted(json.loads((site / MANIFEST).read_text(encoding="utf-8"))["imported"])
    assert len(keys) == 2 and keys[0].endswith("#1") and keys[1].endswith("#2")


def test_a_killed_embargoed_story_is_never_published(site, tmp_path):
    (source,) = copy_in(tmp_path / "a", "newsml-g2/reuters-embargoed-report.xml")
    article = import_paths([source], site, load_config(site), now=BEFORE).written[0].article
    kill = tmp_path / "b" / "kill.xml"
    kill.parent.mkdir()
    kill.write_text(source.read_text(encoding="utf-8").replace('version="1"', 'version="2"')
                    .replace("stat:usable", "stat:canceled"), encoding="utf-8")
    assert [i.article for i in import_paths([kill], site, load_config(site), now=BEFORE).withdrawn] == [article]
    assert import_paths([], site, load_config(site), now=LATER).released == []
    assert front_matter(article)["draft"] is True


def test_kill_of_an_article_saved_with_windows_line_ends(site, tmp_path):
    (first,) = copy_in(tmp_path / "a", "nitf/ap-atlanta-airport.nitf")
    article = import_paths([first], site, load_config(site), now=BEFORE).written[0].article
    article.write_bytes(article.read_bytes().replace(b"\n", b"\r\n"))  # an editor's Windows tool saved it
    (kill,) = copy_in(tmp_path / "b", "nitf/ap-atlanta-airport-kill")
    assert import_paths([kill], site, load_config(site), now=BEFORE).withdrawn
    text = article.read_bytes()
    assert b"draft: true\r\n---\r\n" in text and b"\r\r" not in text
    assert front_matter(article)["draft"] is True


def test_kill_before_its_story_makes_the_story_a_draft_when_it_comes(site, tmp_path):
    (kill,) = copy_in(tmp_path / "b", "nitf/ap-atlanta-airport-kill")
    report = import_paths([kill], site, load_config(site), now=BEFORE)
    assert report.written == [] and not report.rejected
    assert report.warnings == [f"{kill}: a NITF kill of AP-ATL-20250918-0001, which is not imported: if it "
                               "arrives, it is imported as a draft"]
    (story,) = copy_in(tmp_path / "a", "nitf/ap-atlanta-airport.nitf")
    later = import_paths([story], site, load_config(site), now=BEFORE)
    article = later.written[0].article
    assert [i.article for i in later.withdrawn] == [article]
    assert front_matter(article)["draft"] is True


_SAMPLES = sorted(p for p in AGENCY.rglob("*") if p.is_file() and p.parent.name != "bad")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(_SAMPLES), st.integers(0, 3000), st.binary(max_size=12)), min_size=1,
                max_size=4))
def test_importer_never_crashes_on_damaged_agency_files(site, tmp_path, damage):
    """Sequences of damaged agency files (versions, kills and all) import or are rejected, never crash."""
    folder = tmp_path / "fuzz"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    for number, (path, cut, noise) in enumerate(damage):
        data = path.read_bytes()
        (folder / f"{number}-{path.name}").write_bytes(data[:cut] + noise + data[cut + len(noise):])
    report = import_paths(sorted(folder.iterdir()), site, load_config(site), now=BEFORE)
    for item in report.written + report.updated:
        fields = front_matter(item.article)
        assert fields["title"] and fields["slug"]
    for error in report.rejected:
        assert error.message


def test_a_build_publishes_a_story_whose_embargo_is_over_even_with_an_empty_inbox(site, tmp_path):
    (source,) = copy_in(tmp_path / "wire", "newsml-g2/reuters-embargoed-report.xml")
    article = import_paths([source], site, load_config(site), now=BEFORE).written[0].article
    assert front_matter(article)["draft"] is True
    out = tmp_path / "out"
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--site", str(site), "--output",
                             str(out)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "its embargo is over" in result.stdout  # the clock is past 2025-09-03T22:00Z
    assert "draft" not in front_matter(article)
    assert any("Glaciers in the Alps" in p.read_text(encoding="utf-8") for p in out.rglob("index.html"))


def test_the_inbox_step_and_the_importer_name_the_same_files():
    from dateline import inbox
    from dateline.ingest import write

    assert (inbox.INBOX, inbox.AGENCY_STATE) == (write.INBOX, write.AGENCY_STATE)
