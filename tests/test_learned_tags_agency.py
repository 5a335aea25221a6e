"""Learned topic tags for stories in agency formats (ninjs, NewsML-G2): the same tags, marker and limits as
plain wire copy, after the agency's own subjects; newer versions and editors' edits."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from learned_archive import TOPICS, newsml_g2, ninjs_item, story
from learned_archive import trained_site as make_trained_site

from dateline.config import load_config
from dateline.ingest import import_paths
from dateline.ingest.learned_tags import model_path, training_set
from dateline.ingest.tag_model import article_text, load_model
from dateline.ingest.tags import with_learned

HARBOUR = ["Dockworkers at the container terminal worked through the weekend to unload cargo from three vessels.",
           "The port authority said the cranes on the quay would run around the clock until the backlog was cleared."]
WEATHER = ["Forecasters expect more rainfall on Thursday after flooding closed two roads near the river.",
           "Meteorologists said temperatures would stay low through the weekend."]
FOOTBALL = ["The striker scored in the final minute as the home side won the derby in front of a full stadium.",
            "The coach said his defenders had kept the visitors quiet all afternoon."]
# import.subjects maps two IPTC media topics to tags; the stories carry others too, kept as codes
SUBJECTS = "import:\n  subjects:\n    'medtop:04000000': economy\n    'medtop:14000000': society\n"
REPO = Path(__file__).resolve().parent.parent
ECONOMY, SOCIETY, LABOUR = ("medtop:04000000", "economy"), ("medtop:14000000", "society"), ("medtop:09000000", "labour")


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n", 2)[1])


def body_of(path: Path) -> str:
    """The Markdown body as the importer wrote it (render_article: a blank line, the body, a newline)."""
    return path.read_text(encoding="utf-8").split("---\n", 2)[2][1:-1]


@pytest.fixture(scope="module")
def trained_site(tmp_path_factory) -> Path:
    return make_trained_site(tmp_path_factory.mktemp("learned-agency") / "site", SUBJECTS)


@pytest.fixture
def site(trained_site, tmp_path) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(trained_site, copy)
    return copy


def drop(folder: Path, name: str, content: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), encoding="utf-8")
    return path


def imported(site: Path, *paths: Path, written: int = 1):
    report = import_paths(list(paths), site, load_config(site))
    assert not report.rejected and len(report.written) == written, report.lines()
    return report


def test_an_agency_story_gets_a_learned_tag_its_keywords_cannot_give(site, tmp_path):
    item = ninjs_item("urn:hw:terminal", "Terminal works through the weekend", HARBOUR,
                      subjects=(ECONOMY, LABOUR), keywords=("dockworkers", "backlog"))
    report = imported(site, drop(tmp_path / "wire", "terminal.json", item))
    fields = front_matter(report.written[0].article)
    assert "harbour" not in json.dumps(item) and "harbour" not in load_config(site).topics
    assert fields["tags"] == ["economy", "harbour"]  # the agency's subject first, the learned tag after it
    assert fields["tags_learned"] == ["harbour"]
    assert list(fields).index("tags_learned") == list(fields).index("tags") + 1
    assert fields["subjects"] == {"medtop:09000000": "labour"}  # unmapped: kept as the agency's code
    assert fields["keywords"] == ["dockworkers", "backlog"]  # the agency's keywords stay keywords
    assert fields["imported_from"]["format"] == "ninjs" and fields["title"] == "Terminal works through the weekend"
    assert not report.notes  # the copied model was current


def test_each_story_of_a_file_of_several_gets_its_own(site, tmp_path):
    items = [ninjs_item("urn:hw:terminal", "Terminal works through the weekend", HARBOUR, subjects=(SOCIETY,)),
             ninjs_item("urn:hw:rain", "More rain on the way", WEATHER),
             ninjs_item("urn:hw:derby", "Late goal settles the derby", FOOTBALL)]
    message = newsml_g2([("urn:hw:g2-rain", "Roads closed by flooding", WEATHER),
                         ("urn:hw:g2-quay", "Cranes run around the clock", HARBOUR)])
    report = imported(site, drop(tmp_path / "wire", "three.json", items), drop(tmp_path / "wire", "two.xml", message),
                      written=5)
    learned = {front_matter(i.article)["title"]: (front_matter(i.article)["tags"],
                                                  front_matter(i.article).get("tags_learned"))
               for i in report.written}
    assert learned == {"Terminal works through the weekend": (["society", "harbour"], ["harbour"]),
                       "More rain on the way": (["weather"], ["weather"]),
                       "Late goal settles the derby": (["football"], ["football"]),
                       "Roads closed by flooding": (["weather"], ["weather"]),
                       "Cranes run around the clock": (["harbour"], ["harbour"])}


def test_agency_subjects_come_first_and_max_tags_is_kept(site, tmp_path):
    config = (site / "site.yaml").read_text(encoding="utf-8").replace("topics:\n", "topics:\n  shipping: [vessels]\n")

    def tags_with(max_tags: int, subjects: tuple) -> tuple[list[str], list[str] | None]:
        (site / "site.yaml").write_text(config.replace("import:\n", f"import:\n  max_tags: {max_tags}\n"))
        item = ninjs_item(f"urn:hw:{max_tags}-{len(subjects)}", "Terminal works through the weekend", HARBOUR,
                          subjects=subjects)
        fields = front_matter(imported(site, drop(tmp_path / f"wire-{max_tags}-{len(subjects)}", "t.json",
                                                  item)).written[0].article)
        return fields["tags"], fields.get("tags_learned")

    assert tags_with(3, (ECONOMY,)) == (["economy", "shipping", "harbour"], ["harbour"])
    assert tags_with(2, (ECONOMY,)) == (["economy", "shipping"], None)  # no slot left for the guess
    assert tags_with(2, ()) == (["shipping", "harbour"], ["harbour"])
    # the agency's subjects are never cut for max_tags (its editors filed the story there): no guesses then
    assert tags_with(1, (ECONOMY, SOCIETY)) == (["economy", "society"], None)


def test_agency_imports_are_byte_identical_on_two_runs(trained_site, tmp_path):
    outputs = []
    for run in ("one", "two"):
        site = tmp_path / run
        shutil.copytree(trained_site, site, ignore=shutil.ignore_patterns(".dateline-cache"))  # trained anew
        wire = tmp_path / f"wire-{run}"
        drop(wire, "several.json", [ninjs_item("urn:hw:terminal", "Terminal works", HARBOUR, subjects=(ECONOMY,)),
                                    ninjs_item("urn:hw:rain", "More rain on the way", WEATHER)])
        drop(wire, "two.xml", newsml_g2([("urn:hw:g2-derby", "Late goal settles the derby", FOOTBALL),
                                         ("urn:hw:g2-quay", "Cranes run around the clock", HARBOUR)]))
        report = imported(site, wire, written=4)
        assert report.notes  # trained in this run
        outputs.append({p.relative_to(site).as_posix(): p.read_bytes()
                        for p in sorted((site / "content" / "articles").rglob("*.md"))})
    assert outputs[0] == outputs[1]
    learned = [front_matter(tmp_path / "one" / path).get("tags_learned") for path in outputs[0]]
    assert learned.count(["harbour"]) == 2 and ["weather"] in learned and ["football"] in learned


def test_a_newer_version_gets_the_learned_tags_of_its_own_text(site, tmp_path):
    """A corrected story replaces the article nobody edited, learned tags included; an edited one waits."""
    first = ninjs_item("urn:hw:story", "Terminal works through the weekend", HARBOUR, subjects=(ECONOMY,))
    article = imported(site, drop(tmp_path / "v1", "story.json", first)).written[0].article
    assert front_matter(article)["tags_learned"] == ["harbour"]
    # the agency sent the wrong text under this headline: its correction is about the weather
    second = ninjs_item("urn:hw:story", "Rain closes roads near the river", WEATHER, version=2,
                        when="2025-10-02T11:00:00+00:00", subjects=(ECONOMY,))
    report = import_paths([drop(tmp_path / "v2", "story.json", second)], site, load_config(site))
    assert [i.article for i in report.updated] == [article]
    fields = front_matter(article)
    assert fields["tags"] == ["economy", "weather"] and fields["tags_learned"] == ["weather"]
    assert fields["imported_from"]["version"] == 2

    article.write_text(article.read_text(encoding="utf-8").replace("tags_learned: [weather]\n", ""))
    edited = article.read_bytes()
    third = ninjs_item("urn:hw:story", "Terminal works after all", HARBOUR, version=3,
                       when="2025-10-02T12:00:00+00:00")
    report = import_paths([drop(tmp_path / "v3", "story.json", third)], site, load_config(site))
    assert [i.article for i in report.waiting] == [article] and article.read_bytes() == edited


def test_an_edited_agency_article_teaches_and_an_untouched_one_does_not(site, tmp_path):
    items = [ninjs_item("urn:hw:terminal", "Terminal works through the weekend", HARBOUR),
             ninjs_item("urn:hw:rain", "More rain on the way", WEATHER)]
    single = ninjs_item("urn:hw:derby", "Late goal settles the derby", FOOTBALL)
    report = imported(site, drop(tmp_path / "wire", "two.json", items), drop(tmp_path / "wire", "one.json", single),
                      written=3)
    before = training_set(site)
    assert before.imported_untouched == 3  # as the importer wrote them: the tagger's own guesses
    for written in report.written:  # an editor confirms each story's tags
        written.article.write_text(written.article.read_text(encoding="utf-8").replace("tags_learned: ", "checked: "))
    after = training_set(site)
    assert after.imported_untouched == 0
    taught = {a.title: (a.tags, a.unconfirmed) for a in after.articles if a not in before.articles}
    assert taught == {"Terminal works through the weekend": (("harbour",), ()),
                      "More rain on the way": (("weather",), ()), "Late goal settles the derby": (("football",), ())}


def test_agency_stories_scored_by_the_import_workers_get_what_this_process_would_give(site, tmp_path, monkeypatch):
    """The first batch's stories are scored in the importing process, the later batches' in forked workers: every
    story gets the tags the model gives its article's own title and Markdown body, after the agency's."""
    import dateline.ingest as ingest

    monkeypatch.setattr(ingest, "MANIFEST_BATCH", 20)
    monkeypatch.setattr(ingest, "PARALLEL_FROM", 10)
    folder = tmp_path / "wire"
    for number in range(60):
        topic = sorted(TOPICS)[number % 3]
        title, paragraphs = story(topic, number)
        items = [ninjs_item(f"urn:hw:{number}", f"{title} ({number})", [*paragraphs, f"Story {number}."],
                            subjects=(ECONOMY,) if number % 2 else ())]
        if number % 5 == 0:
            items.append(ninjs_item(f"urn:hw:{number}b", f"Also {number}", [f"Brief {number}.", paragraphs[0]]))
        drop(folder, f"{number:03d}.json", items)
    report = import_paths([folder], site, load_config(site))
    assert len(report.written) == 72 and not report.rejected
    model = load_model(model_path(site))
    learned = 0
    for written in report.written:
        fields = front_matter(written.article)
        given = [tag for tag in fields["tags"] if tag not in fields.get("tags_learned", [])]
        expected = with_learned(given, model.predict(article_text(fields["title"], body_of(written.article))),
                                max_tags=8)
        assert (fields["tags"], fields.get("tags_learned", [])) == expected, written.article
        learned += bool(fields.get("tags_learned"))
    assert learned >= 55


def test_tags_explain_reads_an_agency_file_story_by_story(site, tmp_path):
    items = [ninjs_item("urn:hw:terminal", "Terminal works through the weekend", HARBOUR, subjects=(ECONOMY,)),
             ninjs_item("urn:hw:rain", "More rain on the way", WEATHER)]
    path = drop(tmp_path / "wire", "two.json", items)
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "tags", "--site", str(site), "--explain",
                             str(path)], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    first = lines.index(f"{path} (story 1 of 2): Terminal works through the weekend")
    assert lines[first + 1:first + 3] == ["tags: [economy, harbour]", "tags_learned: [harbour]"]
    second = lines.index(f"{path} (story 2 of 2): More rain on the way")
    assert lines[second + 1:second + 3] == ["tags: [weather]", "tags_learned: [weather]"]
    assert any(line.strip().startswith("weather +") and "given:" in line for line in lines[second:])
    assert not list((site / "content" / "articles").rglob("*terminal*"))  # explaining imports nothing
