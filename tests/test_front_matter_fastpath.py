"""Simple front matter read without the YAML parser gives what the parser gives, or steps aside."""

from __future__ import annotations

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.front_matter import _FrontMatterLoader
from dateline.yamlutil import read_nodes, simple_mapping


def parsed(text: str) -> tuple[object, dict[str, int]]:
    """What the YAML parser gives: the data and each key's 0-based line."""
    node, data = read_nodes(text, _FrontMatterLoader)
    lines = {str(k.value): k.start_mark.line for k, _ in node.value} if isinstance(node, yaml.MappingNode) else {}
    return data, lines


def assert_same_or_declined(text: str):
    fast = simple_mapping(text, _FrontMatterLoader)
    if fast is not None:
        try:
            slow = parsed(text)
        except yaml.YAMLError as exc:
            raise AssertionError(f"{text!r}: read {fast[0]!r}, but YAML says {exc}") from None
        assert fast == (slow[0] or {}, slow[1]), repr(text)
    return fast


IMPORTED = ('title: "GUARANTEE <GFCC> UNIT\'S DEBT ON S/P WATCH"\ndate: 1987-03-03T12:54:48\nslug: guarantee-1187\n'
            'countries: ["US"]\ntags: []\ndateline: "NEW YORK"\nsource: Reuters\n')
HAND_WRITTEN = ("title: Japan's exports rise for a third month\ndate: 2025-09-08T08:50:00+09:00\ndateline: Tokyo\n"
                "source: Dateline Sample Desk\ncountries: [JP, US, CN]\ntags: [economy, 'trade talks', \"G7\"]\n")


@pytest.mark.parametrize("text", [IMPORTED, HAND_WRITTEN, "", "title: x\n", "title: C# and F#\n",
                                  "title: http://example.org/a:b\n", "tags: [ ]\n", "summary: 'a \"quoted\" word'\n",
                                  # YAML 1.1's booleans and sexagesimal numbers are text in YAML 1.2 (yamlutil.py)
                                  "draft: no\n", "x: 10:30\n", "No: a\n", "on: a\n", "countries: [NO, SE]\n"])
def test_common_front_matter_takes_the_fast_path_and_matches_yaml(text):
    assert assert_same_or_declined(text) is not None


# Each is read differently by YAML than as plain text, is not text at all, or is an error: all go to the parser.
@pytest.mark.parametrize("text", ["draft: true\n", "draft: FALSE\n", "count: 5\n", "x: 1.5\n", "x: 0x1F\n", "x: 0o17\n",
                                  "x: 1e5\n", "x: ~\n", "x: null\n", "x:\n", "x: .inf\n", "x: =\n", "True: a\n",
                                  "tags: [1987]\n", "a: b # comment\n", "a: b: c\n",
                                  "a: b\na: c\n", "tags:\n  - a\n", "a: 'it''s'\n", 'a: "tab\\tescape"\n',
                                  "a:\tb\n", "a: b\r\nc: d\n", "a: b\n\nc: d\n", "a: b\x85c\n", "a: b\u2028c\n",
                                  "a: \ufeffb\n", "a: -5\n", "a: [b, ]\n", "a: [b, [c]]\n", "a: {b: c}\n",
                                  "a: &x b\n", "a: *x\n", "a: !!str b\n", "a: |\n  b\n", "a: >\n  b\n", "a: %b\n",
                                  "a: @b\n", "a: `b`\n", " a: b\n", "a : b\n", "a: b:\n", "- a\n"])
def test_anything_else_is_left_to_the_parser(text):
    assert simple_mapping(text, _FrontMatterLoader) is None


KEYS = ["title", "date", "tags", "countries", "slug", "x_1", "y", "on", "No", "null", "True", "a"]
WORDS = ["Reuters", "NEW YORK", "Japan's exports", "true", "yes", "Off", "~", "null", "1.5", "0x1F", "1_000", "10:30",
         ".inf", "-.5", "2025-09-11", "2025-09-11T08:50:00+09:00", "=", "<<", "-5", "+1", "a: b", "a #b", "C#", "x:y",
         "http://x.org/a?b=c", "a, b", "[x]", "{x}", "a]", "b}", "x,", "é ü 中", "a  b", "a ", " a", "'q'", '"q"',
         "it's", 'say "hi"', "%x", "@x", "!x", "&x", "*x", "|", ">", "?x", "-x", ":x", "a\\b", "a\tb", "\xa0a",
         "a\x85b", "a\u2028b", "\ufeffa", "NO", "US", "GB", "on", "y", "N", "TRUE", "tRUE", "Null", "nULL", "012",
         "0o17", "0o8", "1e5", "1.", "+.inf", ".NaN", "0b11"]
quoted = st.text(alphabet="abc XYZ'\"\\#:,[]{}!&*-?|>%@`é中\xa0\t\x85\u2028\ufeff", max_size=8)
scalar = st.one_of(st.sampled_from(WORDS), quoted.map(lambda t: f'"{t}"'), quoted.map(lambda t: f"'{t}'"))
value = st.one_of(scalar, st.lists(scalar, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
                  st.lists(scalar, max_size=3).map(lambda items: "[" + ",".join(items) + " ]"))
line = st.tuples(st.sampled_from(KEYS), st.sampled_from([": ", ":  ", ":", ": \t", " : "]), value,
                 st.sampled_from(["", "", " ", "  # c", "\r"])).map("".join)
front_matter = st.lists(line, max_size=6).map(lambda lines: "".join(f"{x}\n" for x in lines))


@settings(max_examples=2000, deadline=None)
@given(front_matter)
def test_generated_front_matter_is_read_as_yaml_reads_it_or_declined(text):
    assert_same_or_declined(text)


plain_text = st.text(alphabet="abcXYZ é中.,'!?()/+", min_size=1, max_size=20).filter(
    lambda t: t.strip() == t and t[0].isalpha())
typical = st.tuples(plain_text, plain_text, st.lists(st.sampled_from(["US", "GB", "LT", "JP"]), max_size=3),
                    st.lists(plain_text, max_size=3)).map(
    lambda p: f"title: \"{p[0]}\"\ndate: 2025-09-11T10:00:00\ndateline: {p[1]}\n"
              f"countries: [{', '.join(p[2])}]\ntags: [{', '.join(repr(t) for t in p[3] if chr(39) not in t)}]\n")


@settings(max_examples=500, deadline=None)
@given(typical)
def test_typical_front_matter_always_takes_the_fast_path(text):
    result = assert_same_or_declined(text)
    assert result is not None or any(w in text for w in ("dateline: No", "dateline: Yes")), repr(text)


# Lines mostly of the accepted shape, several to a text, so that whole texts with tricky values are compared.
likely_line = st.tuples(st.sampled_from([": ", ":  "]), value, st.sampled_from(["", " "])).map("".join)
likely = st.lists(st.tuples(st.sampled_from(KEYS), likely_line), min_size=2, max_size=6,
                  unique_by=lambda pair: pair[0]).map(lambda pairs: "".join(f"{k}{rest}\n" for k, rest in pairs))


@settings(max_examples=2000, deadline=None)
@given(likely)
def test_several_lines_with_tricky_values_are_read_as_yaml_reads_them_or_declined(text):
    assert_same_or_declined(text)
