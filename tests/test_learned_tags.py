"""Learned topic tags: who teaches, when the model is trained, what imports get, and that nothing else changes."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from learned_archive import TOPICS, story, wire
from learned_archive import trained_site as make_trained_site

from dateline.config import load_config
from dateline.ingest import import_paths
from dateline.ingest.learned_tags import current_model, model_path, training_set
from dateline.ingest.tag_model import ModelUnreadable, load_model
from dateline.ingest.tags import with_learned
from dateline.scaffold import create_site

from conftest import serve_once

REPO = Path(__file__).resolve().parent.parent
HARBOUR_COPY = wire("2025-10-02", "ROTTERDAM", [
    "Dockworkers at the container terminal worked through the weekend to unload cargo from three vessels.",
    "The port authority said the cranes on the quay would run around the clock until the backlog was cleared.",
])
WEATHER_COPY = wire("2025-10-03", "BERGEN", [
    "Forecasters expect more rainfall on Thursday after flooding closed two roads near the river.",
    "Meteorologists said temperatures would stay low through the weekend.",
])


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n", 2)[1])


def settings(site: Path):
    return load_config(site).import_.learned_tags


@pytest.fixture(scope="module")
def trained_site(tmp_path_factory) -> Path:
    """A site with the fixture archive and its model, trained once for the module."""
    return make_trained_site(tmp_path_factory.mktemp("learned") / "site")


@pytest.fixture
def site(trained_site, tmp_path) -> Path:
    """A copy of the trained site (model included) to change freely."""
    copy = tmp_path / "site"
    shutil.copytree(trained_site, copy)
    return copy


def import_text(site: Path, folder: Path, name: str, text: str):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    report = import_paths([folder / name], site, load_config(site))
    assert not report.rejected and len(report.written) == 1, report.lines()
    return report


def test_learned_tag_where_the_keywords_have_none(site, tmp_path):
    report = import_text(site, tmp_path / "wire", "rotterdam.txt", HARBOUR_COPY)
    fields = front_matter(report.written[0].article)
    assert load_config(site).topics and "harbour" not in load_config(site).topics  # no keyword rule for it
    assert "harbour" not in HARBOUR_COPY
    assert fields["tags"][0] == "harbour"
    assert fields["tags_learned"] == ["harbour"]
    assert list(fields).index("tags_learned") == list(fields).index("tags") + 1
    assert not report.notes  # the copied model was current: nothing trained


def test_keyword_tags_come_first_and_max_tags_is_kept(site, tmp_path):
    config = (site / "site.yaml").read_text(encoding="utf-8")
    config = config.replace("topics:\n", "topics:\n  shipping: [vessels, cargo]\n")
    (site / "site.yaml").write_text(config + "import:\n  max_tags: 2\n", encoding="utf-8")
    report = import_text(site, tmp_path / "wire", "rotterdam.txt", HARBOUR_COPY)
    fields = front_matter(report.written[0].article)
    assert fields["tags"] == ["shipping", "harbour"]
    assert fields["tags_learned"] == ["harbour"]
    (site / "site.yaml").write_text(config.replace("shipping:", "harbour:") + "import:\n  max_tags: 2\n")
    fields = front_matter(import_text(site, tmp_path / "wire2", "again.txt", HARBOUR_COPY + " ").written[0].article)
    assert fields["tags"][0] == "harbour" and "tags_learned" not in fields  # the keyword rule's, not a guess


def test_imported_articles_teach_only_once_an_editor_edited_them(site, tmp_path):
    before = training_set(site)
    report = import_text(site, tmp_path / "wire", "rotterdam.txt", HARBOUR_COPY)
    article = report.written[0].article
    after = training_set(site)
    assert after.articles == before.articles  # its tags are the tagger's own guesses
    assert after.imported_untouched == before.imported_untouched + 1
    assert after.digest(settings(site)) == before.digest(settings(site))

    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("tags_learned: [harbour]\n", "").replace("tags_learned:\n- harbour\n", ""))
    edited = training_set(site)
    taught = [a for a in edited.articles if a.path.endswith(article.name)]
    assert len(taught) == 1 and "harbour" in taught[0].tags and not taught[0].unconfirmed
    assert edited.digest(settings(site)) != before.digest(settings(site))


def test_a_guess_left_marked_teaches_nothing_about_its_tag(site, tmp_path):
    article = import_text(site, tmp_path / "wire", "rotterdam.txt", HARBOUR_COPY).written[0].article
    article.write_text(article.read_text(encoding="utf-8") + "\nA sentence the editor added.\n", encoding="utf-8")
    taught = next(a for a in training_set(site).articles if a.path.endswith(article.name))
    assert taught.unconfirmed == ("harbour",)
    examples = training_set(site).examples()
    assert examples["harbour"] == 12  # the archive's twelve, not the guess


def test_retrained_after_an_editor_changes_tags_not_after_a_build(site, tmp_path):
    model = model_path(site)
    trained = model.read_bytes()
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--site", str(site), "--quiet"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    state = current_model(site, settings(site))
    assert not state.trained and model.read_bytes() == trained

    article = site / "content" / "articles" / "2025" / "weather-03.md"
    article.write_text(article.read_text(encoding="utf-8").replace("- weather", "- weather\n- storms"))
    state = current_model(site, settings(site))
    assert state.trained and model.read_bytes() != trained
    assert state.notes and "trained on 37 tagged articles" in state.notes[0]
    assert not current_model(site, settings(site)).trained  # and then kept


def test_the_same_archive_gives_byte_identical_imports(trained_site, tmp_path):
    outputs = []
    for run in ("one", "two"):
        site = tmp_path / run
        shutil.copytree(trained_site, site, ignore=shutil.ignore_patterns(".dateline-cache"))  # trained anew
        wire_dir = tmp_path / f"wire-{run}"
        wire_dir.mkdir()
        (wire_dir / "rotterdam.txt").write_text(HARBOUR_COPY, encoding="utf-8")
        (wire_dir / "bergen.txt").write_text(WEATHER_COPY, encoding="utf-8")
        report = import_paths([wire_dir], site, load_config(site))
        assert len(report.written) == 2 and report.notes  # trained in this run
        outputs.append({p.relative_to(site).as_posix(): p.read_bytes()
                        for p in sorted((site / "content" / "articles").rglob("*.md"))})
    assert outputs[0] == outputs[1]
    learned = [front_matter(tmp_path / "one" / path).get("tags_learned") for path in outputs[0]]
    assert ["harbour"] in learned and ["weather"] in learned


def test_an_archive_with_one_tagged_article_imports_as_before(tmp_path):
    written = []
    for learned in ("true", "false"):
        site = create_site(tmp_path / learned)  # its one article is tagged "site news"
        (site / "site.yaml").write_text((site / "site.yaml").read_text(encoding="utf-8")
                                        + f"import:\n  learned_tags:\n    enabled: {learned}\n")
        report = import_text(site, tmp_path / f"wire-{learned}", "rotterdam.txt", HARBOUR_COPY)
        assert not report.notes and not report.warnings
        assert not model_path(site).exists()  # nothing trained: no process started
        written.append(report.written[0].article.read_bytes())
    assert written[0] == written[1]
    assert b"tags_learned" not in written[0]


@pytest.mark.parametrize("damage", ["truncated", "flipped", "pickle", "empty", "other format"])
def test_a_damaged_model_is_trained_again(site, tmp_path, damage):
    path = model_path(site)
    good = path.read_bytes()
    damaged = {
        "truncated": good[: len(good) // 2],
        "flipped": good[:-10] + bytes([good[-10] ^ 0xFF]) + good[-9:],
        # what a careless cache could hold: a pickle that would run code when loaded
        "pickle": b"cos\nsystem\n(S'touch " + str(tmp_path / "pwned").encode() + b"'\ntR.",
        "empty": b"",
        "other format": good.replace(b'"format": 1', b'"format": 9', 1),
    }[damage]
    path.write_bytes(damaged)
    with pytest.raises(ModelUnreadable):
        load_model(path)
    report = import_text(site, tmp_path / "wire", "rotterdam.txt", HARBOUR_COPY)
    assert report.notes and not report.warnings
    assert front_matter(report.written[0].article)["tags_learned"] == ["harbour"]
    assert load_model(path).digest == training_set(site).digest(settings(site))
    assert not (tmp_path / "pwned").exists()


def test_a_damaged_scan_cache_is_read_anew(site):
    scan = site / ".dateline-cache" / "learned-tags-articles.json"
    assert scan.is_file()
    expected = training_set(site)
    for damage in ('{"format": 1, "articles": {"2025/harbour-00.md": [1, 2]}}', "not json", '{"format": 1}'):
        scan.write_text(damage, encoding="utf-8")
        assert training_set(site) == expected


def test_training_failure_is_a_warning_and_keywords_still_tag(site, tmp_path, monkeypatch):
    fake = tmp_path / "no-sklearn"
    (fake / "sklearn").mkdir(parents=True)
    (fake / "sklearn" / "__init__.py").write_text("raise ImportError('No module named sklearn')\n")
    monkeypatch.setenv("PYTHONPATH", str(fake))
    model_path(site).unlink()
    config = (site / "site.yaml").read_text(encoding="utf-8")
    (site / "site.yaml").write_text(config.replace("topics:\n", "topics:\n  shipping: [vessels]\n"))
    report = import_text(site, tmp_path / "wire", "rotterdam.txt", HARBOUR_COPY)
    assert report.warnings == ["learned tags not used: scikit-learn is not installed "
                               "(pip install -r requirements.txt)"]
    assert "warning: learned tags not used" in report.lines()[-1]
    fields = front_matter(report.written[0].article)
    assert fields["tags"] == ["shipping"] and "tags_learned" not in fields


SKLEARN_MODULES = ("sklearn", "scipy", "numpy", "joblib")


def imported_modules(stderr: str) -> set[str]:
    """Top-level modules in `python -X importtime` output."""
    return {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in stderr.splitlines()
            if line.startswith("import time:") and "|" in line}


@pytest.mark.parametrize("command", ["build", "check"])
def test_build_and_publish_never_load_scikit_learn(site, tmp_path, command):
    """Not while starting, and not while importing new inbox copy with the model (a stale model is trained
    in a process of its own)."""
    inbox = site / "content" / "inbox"
    inbox.mkdir(exist_ok=True)
    (inbox / "rotterdam.txt").write_text(HARBOUR_COPY, encoding="utf-8")
    article = site / "content" / "articles" / "2025" / "weather-03.md"
    article.write_text(article.read_text(encoding="utf-8").replace("- weather", "- weather\n- storms"))
    options = ["--now", "2030-01-01T00:00:00Z"] if command == "check" else []
    result = subprocess.run([sys.executable, "-X", "importtime", str(REPO / "build.py"), command, "--site", str(site),
                             "--output", str(tmp_path / "out"), *options], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    assert result.returncode == 0, result.stderr[-2000:]
    assert "learned tags: trained on 37 tagged articles" in result.stdout
    assert not imported_modules(result.stderr) & set(SKLEARN_MODULES)
    written = next((site / "content" / "articles").rglob("*dockworkers*.md"))
    assert front_matter(written)["tags_learned"] == ["harbour"]


def test_serve_never_loads_scikit_learn(site, tmp_path):
    """The preview imports the inbox in its own process, as a build does."""
    inbox = site / "content" / "inbox"
    inbox.mkdir(exist_ok=True)
    (inbox / "rotterdam.txt").write_text(HARBOUR_COPY, encoding="utf-8")
    served = serve_once([sys.executable, "-X", "importtime", str(REPO / "build.py"), "serve", "--site", str(site),
                         "--port", "0"], cwd=REPO, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert served.status == 200 and served.returncode == 0, served.stderr[-2000:]
    assert not imported_modules(served.stderr) & set(SKLEARN_MODULES)
    written = next((site / "content" / "articles").rglob("*dockworkers*.md"))
    assert front_matter(written)["tags_learned"] == ["harbour"]


def run_tags(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "build.py"), "tags", *args], capture_output=True, text=True,
                          cwd=REPO)


def test_tags_command_lists_each_tag_with_its_examples_and_measures(site):
    config = (site / "site.yaml").read_text(encoding="utf-8")
    (site / "site.yaml").write_text(config.replace("topics:\n", "topics:\n  Weather: [rain]\n"), encoding="utf-8")
    result = run_tags("--site", str(site))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("37 tagged articles teach the importer's tags (0 without tags")
    rows = {line.split()[0]: line.split() for line in lines if line and line.split()[0] in
            ("football", "harbour", "weather", "site")}
    for topic in ("football", "harbour", "weather"):
        examples, precision, recall, used = rows[topic][1:5]
        assert examples == "12" and float(precision) >= 0.8 and 0 < float(recall) <= 1 and used.startswith("yes")
    assert " ".join(rows["weather"][4:]) == "yes; site.yaml's topics give it by keywords too"
    assert " ".join(rows["harbour"][4:]) == "yes"
    assert rows["site"][1:] == ["news", "1", "-", "-", "no:", "too", "few", "examples", "(1", "of", "10)"]


def test_tags_explain_shows_the_tags_and_the_words_that_weighed(site, tmp_path):
    story = tmp_path / "rotterdam.txt"
    story.write_text(HARBOUR_COPY, encoding="utf-8")
    result = run_tags("--site", str(site), "--explain", str(story))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[1] == "tags: [harbour]" and lines[2] == "tags_learned: [harbour]"
    given = next(line for line in lines if line.strip().startswith("harbour +"))
    assert "given:" in given and "'cargo' +" in given
    assert any(line.strip().startswith(("weather -", "football -")) for line in lines)  # near misses, scored
    assert not list((site / "content" / "articles").rglob("*dockworkers*"))  # explaining imports nothing


@pytest.mark.parametrize(("args", "expected"), [
    (["--explain", "missing.txt"], "missing.txt: cannot read the file"),
    (["--explain", "."], ": cannot read the file"),
    (["--explain", "site.yaml"], "site.yaml:1: not wire copy: the first line must start with 'date YYYY-MM-DD'"),
])
def test_tags_command_errors_say_what_is_wrong(site, args, expected):
    result = subprocess.run([sys.executable, str(REPO / "build.py"), "tags", "--site", ".", *args],
                            capture_output=True, text=True, cwd=site)
    assert result.returncode == 1
    assert expected in result.stderr and "Traceback" not in result.stderr


def test_tags_command_without_a_site_or_with_learning_off(site, tmp_path):
    result = run_tags("--site", str(tmp_path))
    assert result.returncode == 1 and "no site.yaml here" in result.stderr
    (site / "site.yaml").write_text((site / "site.yaml").read_text(encoding="utf-8")
                                    + "import:\n  learned_tags:\n    enabled: false\n")
    result = run_tags("--site", str(site))
    assert result.returncode == 0 and "Learned tags are off" in result.stdout


def test_learned_tags_come_after_the_keyword_rules_within_max_tags():
    assert with_learned(["diplomacy"], ["harbour", "DIPLOMACY", "Port  News"], max_tags=8) == (
        ["diplomacy", "harbour", "Port News"], ["harbour", "Port News"])  # "DIPLOMACY" is the rule's (same slug)
    assert with_learned(["diplomacy"], ["harbour", "port news"], max_tags=2) == (["diplomacy", "harbour"], ["harbour"])
    assert with_learned(["diplomacy", "borders"], ["harbour"], max_tags=2) == (["diplomacy", "borders"], [])
    assert with_learned([], [], max_tags=8) == ([], [])
    # an agency's subjects beyond max_tags are its decision: kept, and no room for guesses
    assert with_learned(["economy", "society", "labour"], ["harbour"], max_tags=2) == (
        ["economy", "society", "labour"], [])


def test_articles_teach_as_the_build_reads_them(site):
    articles = site / "content" / "articles" / "2025"
    (articles / "words.md").write_text("---\ntitle: T\ndate: 2025-01-02\ntags: [no, Weather, weather]\n---\n\nText.\n")
    (articles / "twice.md").write_text("---\ntitle: T\ntitle: U\ndate: 2025-01-02\ntags: [weather]\n---\n\nText.\n")
    taught = {article.path: article for article in training_set(site).articles}
    assert taught["2025/words.md"].tags == ("no", "weather")  # YAML 1.2: "no" is a word; one tag per slug
    assert "2025/twice.md" not in taught  # the build refuses a repeated key: it teaches nothing


def test_stories_scored_by_the_import_workers_get_what_this_process_would_give(site, tmp_path, monkeypatch):
    """The first new story of an import reads the model in the importing process; the workers forked after it
    score their stories themselves. Either way a story gets the same tags."""
    import dateline.ingest as ingest
    from dateline.ingest.article import enrich
    from dateline.ingest.learned_tags import score_draft
    from dateline.ingest.parse import parse_wire

    monkeypatch.setattr(ingest, "MANIFEST_BATCH", 30)  # batches of 30: the first one before the model is read
    monkeypatch.setattr(ingest, "PARALLEL_FROM", 10)
    folder = tmp_path / "wire"
    folder.mkdir()
    for number in range(90):
        topic = sorted(TOPICS)[number % 3]
        _, paragraphs = story(topic, number)
        (folder / f"{number:03d}.txt").write_text(wire(f"2025-11-{1 + number % 28:02d}", "OSLO",
                                                       [*paragraphs, f"Story {number}."]), encoding="utf-8")
    report = import_paths([folder], site, load_config(site))
    assert len(report.written) == 90
    config, model = load_config(site), load_model(model_path(site))
    learned = 0
    for imported in report.written:
        fields = front_matter(imported.article)
        expected = score_draft(enrich(parse_wire(imported.source.read_bytes()), config), model, 8).fields
        assert fields["tags"] == expected["tags"] and fields.get("tags_learned") == expected.get("tags_learned")
        learned += bool(fields.get("tags_learned"))
    assert learned >= 60
