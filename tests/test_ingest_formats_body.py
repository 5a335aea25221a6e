"""Agency bodies to Markdown: datelines, boilerplate, lists, tables, escaping, forgiving HTML."""

from __future__ import annotations

import pytest

from dateline.ingest.formats.body import blocks_from_text, finish
from dateline.ingest.formats.datelines import is_boilerplate, split_dateline
from dateline.ingest.formats.htmltree import html_element
from dateline.ingest.formats.markup_blocks import blocks_from_markup
from dateline.markup import MarkdownRenderer


@pytest.mark.parametrize("lead, place, agency", [
    ("STOCKHOLM, Aug 29, 2014 (AFP) - Sweden said", "STOCKHOLM", "AFP"),
    ("ATLANTA (AP) _ Flights resumed", "ATLANTA", "AP"),
    ("Berlin (dpa) - Die Regierung", "Berlin", "dpa"),
    ("LONDON (Reuters) - Britain's", "LONDON", "Reuters"),
    ("Madrid, 20 sep (EFE).- El Gobierno", "Madrid", "EFE"),
    ("PORTLAND, Ore. (AP) _ A timber company", "PORTLAND, Ore.", "AP"),
    ("SYDNEY, Sept 23 AAP - Sydney recorded", "SYDNEY", "AAP"),
    ("The minister (pictured) - said nothing", None, None),
    ("Prices rose 3% in July (preliminary) - the highest since", None, None),
    ("No dateline here at all.", None, None),
])
def test_datelines(lead, place, agency):
    found = split_dateline(lead)
    if place is None:
        assert found is None
    else:
        assert found[:2] == (place, agency)
        assert not lead[found[2]:].startswith((" ", "-", "_"))


@pytest.mark.parametrize("line, boilerplate", [
    ("(END)", True), ("(Ende)", True), ("jm/ach", True), ("bur-gd/sst", True), ("AAP mt/jlp", True),
    ("dpa jk yyzz n1 fa", True), ("###", True), ("-0-", True),
    ("Copyright 2025 The Associated Press. All rights reserved.", True),
    ("The end of an era for the company.", False), ("Ende gut, alles gut.", False), ("More to come on this.", False),
])
def test_boilerplate(line, boilerplate):
    assert is_boilerplate(line) is boilerplate


def markdown_of(fragment: str) -> str:
    blocks, images = blocks_from_markup(html_element(fragment))
    return finish(blocks, images).markdown


def test_markup_is_escaped_so_copy_renders_as_typed():
    md = markdown_of("<p># Not a heading, *not* emphasis, &lt;b&gt; not bold, 1. not a list</p>"
                     "<p>- not a bullet</p>")
    html = MarkdownRenderer(trust_html=False).render(md)
    assert "<h1>" not in html and "<li>" not in html and "<b>" not in html
    assert "# Not a heading" in html and "&lt;b&gt;" in html


def test_nested_lists_tables_and_links():
    md = markdown_of("<ul><li>one<ul><li>one a</li></ul></li><li>two</li></ul>"
                     "<table><thead><tr><th>a</th><th>b</th></tr></thead><tr><td>1</td></tr></table>"
                     "<p>See <a href='https://example.org/x (y)'>the page</a> and "
                     "<a href='javascript:alert(1)'>this</a>.</p>")
    assert "- one\n    - one a\n- two" in md
    assert "| a | b |\n| --- | --- |\n| 1 |  |" in md
    assert "[the page](https://example.org/x%20%28y%29)" in md
    assert "javascript" not in md and "and this." in md


def test_unclosed_html_and_scripts():
    md = markdown_of("<p>First<p>Second<script>alert(1)</script><li>stray item<br>line two")
    assert md.startswith("First\n\nSecond")
    assert "alert" not in md


def test_text_bodies_join_wrapped_lines_and_keep_agate():
    body = finish(blocks_from_text("   First paragraph wraps\nonto a second line.\n   Second paragraph.\n\n"
                                   "Team\tW\tL\nBerlin\t3\t1\nMunich\t2\t2\n(END)\n"))
    assert body.paragraphs[:2] == ("First paragraph wraps onto a second line.", "Second paragraph.")
    assert "    Berlin\t3\t1" in body.markdown
    assert "END" not in body.markdown
