"""YAML 1.1's boolean words (NO, yes, off, on, y, n) are text where an editor typed text (YAML 1.2's core
schema): in front matter, read by the fast path or by the parser, and in site.yaml."""

from __future__ import annotations

import pytest

from dateline.build import build_site
from dateline.config import load_config
from dateline.errors import DatelineError

from conftest import parse_page, run_cli, write_article

WORDS = ["NO", "yes", "off", "on", "y", "n"]


@pytest.mark.parametrize("word", WORDS)
@pytest.mark.parametrize("path", ["fast", "parser"])
def test_boolean_words_in_front_matter_are_the_words_typed(site_copy, tmp_path, word, path):
    site = site_copy("minimal")
    # A comment sends the front matter to the YAML parser; without one it is read directly (yamlutil.py)
    comment = "# checked by the desk\n" if path == "parser" else ""
    write_article(site, "words.md", f"---\n{comment}title: {word}\ndate: 2025-09-11\ndateline: {word}\n"
                                    f"source: {word}\nsummary: {word}\ntags: [{word}, news]\ncountries: [NO]\n"
                                    f"correction: {word}\n---\n\nBody.\n")
    build_site(site, tmp_path / "out")
    html = (tmp_path / "out" / "2025" / "09" / "11" / word.lower() / "index.html").read_text(encoding="utf-8")
    assert f"<title>{word} · " in html and f'<h1 data-pagefind-meta="title">{word}</h1>' in html \
        and f'"headline": "{word}"' in html
    assert "Norway" in parse_page(tmp_path / "out" / "2025" / "09" / "11" / word.lower() / "index.html").text
    assert (tmp_path / "out" / "countries" / "norway" / "index.html").is_file()
    tag_page = parse_page(tmp_path / "out" / "tags" / word.lower() / "index.html")
    assert word in tag_page.text.split()


@pytest.mark.parametrize("word", WORDS)
def test_boolean_words_in_site_yaml_are_the_words_typed(site_copy, tmp_path, word):
    site = site_copy("minimal")
    (site / "site.yaml").write_text(f"title: {word}\nbase_url: https://example.org/\ndescription: {word}\n"
                                    f"language: no\ntopics:\n  {word}: [{word}, {word} vote]\n"
                                    f"params:\n  edition: {word}\n", encoding="utf-8")
    config = load_config(site)
    # language: a code Dateline checks, and 'no' (Norwegian) is itself one of YAML 1.1's words
    assert (config.title, config.description, config.language) == (word, word, "no")
    assert config.topics == {word: [word, f"{word} vote"]} and config.params == {"edition": word}
    build_site(site, tmp_path / "out")
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'lang="no"' in html and f"<title>{word}" in html


def test_true_and_false_are_still_booleans_and_boolean_fields_say_what_to_write(site_copy):
    site = site_copy("minimal")
    (site / "site.yaml").write_text("title: T\nbase_url: https://example.org/\ntrust_html: TRUE\n"
                                    "feed:\n  full_content: False\n", encoding="utf-8")
    config = load_config(site)
    assert config.trust_html is True and config.feed.full_content is False
    (site / "site.yaml").write_text("title: T\nbase_url: https://example.org/\ntrust_html: yes\n", encoding="utf-8")
    with pytest.raises(DatelineError) as raised:
        load_config(site)
    assert str(raised.value).endswith("site.yaml:3: 'trust_html' must be true or false, not text ('yes')")

    (site / "site.yaml").write_text("title: T\nbase_url: https://example.org/\n", encoding="utf-8")
    for word in ("yes", "on", "y"):
        write_article(site, "draft.md", f"---\ntitle: Draft\ndate: 2025-09-11\ndraft: {word}\n---\n")
        result = run_cli("build", "--site", str(site))
        assert result.returncode == 1 and "Traceback" not in result.stderr
        assert f"draft.md:4: 'draft' must be true or false, not '{word}'" in result.stderr
