"""The plain-prose fast path gives byte for byte what python-markdown gives, or steps aside."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import markdown
import nh3
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dateline.article_files import split_front_matter
from dateline.errors import SourceError
from dateline.markup import (
    MarkdownRenderer,
    plain_paragraphs_html,
    sanitise,
    sanitised_plain_paragraphs_html,
)
from dateline.text import collapse_whitespace

REPO = Path(__file__).resolve().parent.parent
# python-markdown as configured by name (the renderer gives it the same extensions as instances)
_REFERENCE = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")
# Something for each extension: fenced code, footnotes, attribute lists, definition lists, tables,
# abbreviations, Markdown in HTML, and lists as sane_lists reads them (a number to start from, no mixing).
EVERY_EXTENSION = """## Summit {: #lead .intro }

Text[^1] about the UN

*[UN]: United Nations

```python
print("<fenced>")
```

Term
: definition

| a | b |
|:--|--:|
| 1 | 2 |

<div markdown="1">*inside* HTML</div>

3. three
4. four

* not the same list

[^1]: A footnote.
"""


def reference(text: str) -> str:
    """python-markdown's own output, from a reset instance configured as the renderer's."""
    _REFERENCE.reset()
    return _REFERENCE.convert(text)


def assert_same_or_declined(text: str) -> str | None:
    fast = plain_paragraphs_html(text)
    if fast is not None:
        assert fast == reference(text), repr(text)
        assert sanitise(fast) == fast, repr(text)  # so the renderer may skip nh3 for it
    return fast


# Every character python-markdown might treat specially, the ones it should not, and whitespace of
# every kind: spaces, tabs, \r, form feed, NBSP, the Unicode line and paragraph separators, and the
# \x02/\x03 its placeholders are made of.
DANGEROUS = ".,;:'\"()/?%$#@=+-*_<>&[]!|~{}^`\\\t\r\x0b\x0c\x02\x03\x85\xa0\u2028\u2029\u3000\u200b\ufeff"
LETTERS = "abcxyzABCXYZ0123456789éßЖ中١\u0301—“”€"
ALPHABET = LETTERS + DANGEROUS + "   \n\n\n"

# Line starts python-markdown reads as structure; the fast path must decline every one of them.
SYNTAX = ["a  \nb", "a \n\nb", " a", "    code", "\ta", "# Head", "a\n## Head", "Head\n=", "Head\n---", "- item",
          "+ item", "* item", "1. item", "a\n2. item", "1987) x", "\u0661. item", "Term\n: definition", "> quote",
          "*em*", "_em_", "**strong**", "a & b", "AT&amp;T", "<b>x</b>", "<SRD>", "<http://example.org>",
          "[link](http://example.org)", "![img](x.png)", "[^1]", "*[ABC]: A B C", "a | b\n- | -", "```\ncode\n```",
          "~~~\ncode\n~~~", "Head {#id}", "a\\*b", "`code`", "a\rb", "a\r\nb", "a\x0cb", "a\x0bb", "a\x02b",
          "a\u00a0b", "a\u2028b", "a\u2029b", "a\x85b", "a\u3000b", "a\u200bb", "\ufeffa", "qq\x023936677670287331zz"]

PLAIN = ["He said \"no\" -- it's 5% of $3 ... see http://example.org or desk@example.org, #1 x=y a+b (c/d)? e; f^g",
         "Zürich — “quoted” € ½ \u0661\u0662 Ж 中 é",
         "First paragraph,\nstill the first.\n\nSecond one.\n\n\n\nThird one.",
         "\n\n\nLeading and trailing blank lines.\n\n\n", "", "\n", "\n\n\n", "1987 was a year.", "Line ends 1.",
         "a # b # c", "a - b - c", "Price: 5.5 pct", "x qq3936677670287331zz zz1337820767766393qq"]


@pytest.mark.parametrize("text", SYNTAX)
def test_the_fast_path_declines_markdown_syntax(text):
    assert plain_paragraphs_html(text) is None


@pytest.mark.parametrize("text", PLAIN)
def test_the_fast_path_takes_plain_prose_and_matches_python_markdown(text):
    assert plain_paragraphs_html(text) == reference(text)


def test_a_multi_paragraph_article_takes_the_fast_path():
    text = ("LONDON, March 3 - The central bank held its key rate at 4.5 pct on Tuesday.\n\n"
            "\"We see no reason to move yet,\" the governor said.\n\nMarkets were steady.\n")
    assert plain_paragraphs_html(text) == (
        "<p>LONDON, March 3 - The central bank held its key rate at 4.5 pct on Tuesday.</p>\n"
        "<p>\"We see no reason to move yet,\" the governor said.</p>\n<p>Markets were steady.</p>")
    assert plain_paragraphs_html(text) == reference(text)


@settings(max_examples=1500, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_any_text_from_a_dangerous_alphabet_matches_or_is_declined(text):
    assert_same_or_declined(text)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.sampled_from(["word", "Word", "1987", "5.5", "é", "中", " ", "  ", "\n", "\n\n", "\n\n\n", "\n "]
                                + list(DANGEROUS)), max_size=30).map("".join))
def test_any_arrangement_of_words_whitespace_and_syntax_matches_or_is_declined(text):
    assert_same_or_declined(text)


words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéüßЖ中—“”€", min_size=1, max_size=9)
# Punctuation that may follow a word: mid-line it is never syntax to python-markdown.
tails = st.sampled_from(["", "", "", ",", ".", ";", ":", "'s", "\"", ")", "?", "%", " --", "...", " #1", " $5",
                         "@x", " 5.5", " 1987", " =", " +", " -", "/", "^", " (x)", " \"q\""])
lines = st.lists(st.tuples(words, tails).map("".join), min_size=1, max_size=12).map(" ".join)
paragraphs = st.lists(lines, min_size=1, max_size=3).map("\n".join)
prose = st.tuples(st.sampled_from(["", "\n", "\n\n\n"]),
                  st.lists(st.tuples(paragraphs, st.sampled_from(["\n\n", "\n\n", "\n\n\n", "\n\n\n\n"])),
                           min_size=1, max_size=5),
                  st.sampled_from(["", "\n", "\n\n"])).map(
    lambda parts: parts[0] + "".join(p + gap for p, gap in parts[1])[:-2] + parts[2])


@settings(max_examples=500, deadline=None)
@given(prose)
@example("Word\n\n\n\nword")
def test_plausible_prose_always_takes_the_fast_path_and_matches(text):
    assert assert_same_or_declined(text) is not None, repr(text)


@settings(max_examples=800, deadline=None)
@given(prose, st.lists(st.tuples(st.integers(min_value=0), st.sampled_from(list(DANGEROUS) + [" ", "\n", "1. "])),
                       min_size=1, max_size=3))
def test_prose_with_a_few_characters_slipped_in_matches_or_is_declined(text, insertions):
    for position, chars in insertions:
        position %= len(text) + 1
        text = text[:position] + chars + text[position:]
    assert_same_or_declined(text)


def repository_bodies() -> list[tuple[str, str]]:
    files = sorted((REPO / "content" / "articles").rglob("*.md"))
    files += sorted(p for p in (REPO / "tests" / "fixtures").rglob("*.md") if "articles" in p.parts)
    bodies = []
    for path in files:
        try:
            bodies.append((str(path.relative_to(REPO)), split_front_matter(path, path.read_bytes()).body))
        except SourceError:  # the invalid-site fixtures: their raw text is still a body to try
            bodies.append((str(path.relative_to(REPO)), path.read_text(encoding="utf-8", errors="replace")))
    return bodies


def test_every_article_body_in_the_repository_matches_or_is_declined():
    bodies = repository_bodies()
    assert len(bodies) >= 10
    for _, body in bodies:
        assert_same_or_declined(body)


def test_the_renderer_gives_what_it_gave_before_on_both_paths():
    fast = [PLAIN[0], PLAIN[1], PLAIN[2]] + [body for _, body in repository_bodies()]
    slow = ["a  \nb", "*em* and <script>alert(1)</script> & <b onclick=x>bold</b>", "# Head\n\n- one\n- two",
            "[link](javascript:alert(1)) [ok](https://example.org)",
            "Term\n: definition\n\n| a | b |\n|---|---|\n| 1 | 2 |", EVERY_EXTENSION]
    assert all(plain_paragraphs_html(text) is not None for text in fast[:3])
    assert all(plain_paragraphs_html(text) is None for text in slow)
    sanitised, trusted = MarkdownRenderer(trust_html=False), MarkdownRenderer(trust_html=True)
    for text in fast + slow + fast:  # again after the slow ones: the shared instance is reset
        assert sanitised.render(text) == sanitise(reference(text))
        assert trusted.render(text) == reference(text)
    every = trusted.render(EVERY_EXTENSION)
    for made_by in ('<abbr title="United Nations">', 'id="lead"', "<dd>", "<table>", "<code class", "<em>inside",
                    'class="footnote"', '<ol start="3">', "<ul>"):
        assert made_by in every, made_by


def assert_same_once_sanitised_or_declined(text: str) -> str | None:
    fast = sanitised_plain_paragraphs_html(text)
    if fast is not None:
        assert fast == sanitise(reference(text)), repr(text)
    return fast


# Element names the HTML parser, nh3 or python-markdown treat in their own ways (obsolete ones too), in the
# cases wire copy might spell them: each must send the text down the slow path, whatever it does there.
# (The tag path asks nh3 how it treats a name; this list is the tests' own, so the two are independent.)
ELEMENTS = ["A", "B", "U", "S", "I", "Q", "P", "BR", "HR", "DD", "DT", "LI", "TD", "TR", "EM", "TT", "IMG", "IMAGE",
            "XMP", "PLAINTEXT", "TEXTAREA", "TITLE", "SCRIPT", "Style", "svg", "MATH", "TEMPLATE", "TABLE",
            "SELECT", "NOSCRIPT", "IFRAME", "NOEMBED", "NOFRAMES", "FRAMESET", "NOBR", "LISTING", "PRE", "INPUT",
            "OPTION", "BUTTON", "FORM", "HEAD", "BODY", "HTML", "META", "LINK", "BASE", "AREA", "EMBED", "OBJECT",
            "APPLET", "MARQUEE", "FONT", "CENTER", "BIG", "STRIKE", "CODE", "SUP", "SUB", "ABBR", "WBR", "RUBY",
            "RT", "RP", "KEYGEN", "ISINDEX", "BGSOUND", "MENU", "DIR", "GROUP", "P.L", "A.B", "B.", "CITE",
            # SVG and MathML: nh3 drops their text, and Morgan Stanley's symbol is <MS>
            "MS", "MI", "MN", "MO", "AND", "OR", "SIN", "PATH", "CIRCLE", "G", "USE", "MROW", "SEMANTICS"]
TICKERS = ["BMY", "GM", "C", "F", "IBM", "TX", "BRGS.L", "VOWG.F", "X", "MER", "GY", "T.TO", "Z9", "AMO",
           "America First Fund 2", "Rolls Royce", "Dixons Group PLC"]
ticker_prose = st.tuples(prose, st.lists(st.tuples(st.integers(min_value=0), st.sampled_from(TICKERS)),
                                        min_size=1, max_size=4))


def with_tags(text: str, tags: list[tuple[int, str]]) -> str:
    """TEXT with <NAME> put in before words (never at a line's start, where wire copy has no symbols)."""
    if not any(text[i - 1] == " " and text[i] not in " \n" for i in range(1, len(text))):
        body = text.rstrip("\n")
        text = f"{body} end{text[len(body):]}"  # one word after a space, at least
    starts = [i for i in range(1, len(text)) if text[i - 1] == " " and text[i] not in " \n"]
    for at, name in sorted(((starts[position % len(starts)], name) for position, name in tags), reverse=True):
        text = f"{text[:at]}<{name}> {text[at:]}"
    return text


CONTEXTS = ["Shares of Acme <{0}> rose.\n\nThey fell <{0}> later.", "a <{0}> b <{0}> c <BMY> d",
            "a <{0}> b\n\nc <BMY> d\n\ne f <{0}>, g", "a <{0} Co> b\nc <X> d <{0}> e"]


@pytest.mark.parametrize("name", ELEMENTS)
def test_every_element_name_is_declined_or_comes_out_as_nh3_leaves_it(name):
    for context in CONTEXTS:
        assert_same_once_sanitised_or_declined(context.format(name))


@pytest.mark.parametrize("name", ["A", "B", "U", "S", "P", "BR", "LI", "IMG", "IMAGE", "XMP", "TEXTAREA", "SCRIPT",
                                  "Style", "TABLE", "SELECT", "svg", "MATH", "MS", "MI", "AND", "PATH", "GROUP"])
def test_the_tag_fast_path_declines_elements_that_change_the_text(name):
    for context in CONTEXTS:
        assert sanitised_plain_paragraphs_html(context.format(name)) is None


@pytest.mark.parametrize("text", ["<BMY> at the start", "a\n<BMY> at a line's start", "a <BMY/> b",
                                  "a <BMY x=1> b", 'a <BMY x="b>c"> b', "a <BMY  x> b", "a <BMY x\ny> b", "a <U x> b",
                                  "a <BMY <x> b", "a <x@y> b", "a <http://x.org> b", "a <BMY x>y> b", "a <BMY>> b",
                                  "a <<BMY> b", "a </BMY> b", "a <BMY>*b*", "a <BMY> & b",
                                  "no tag at all", "a <1BMY> b", "a <BMY-X> b"])
def test_the_tag_fast_path_declines_what_is_not_a_plain_symbol(text):
    assert sanitised_plain_paragraphs_html(text) is None
    assert_same_once_sanitised_or_declined(text)


def test_stock_symbols_take_the_tag_fast_path_and_come_out_as_nh3_leaves_them():
    text = "Bristol-Myers Co <BMY> said.\n\nCentocor Inc <CNTO>, Duke and <BRGS.L> agreed."
    assert sanitised_plain_paragraphs_html(text) == ("<p>Bristol-Myers Co  said.</p>\n"
                                                     "<p>Centocor Inc , Duke and  agreed.</p>")
    assert assert_same_once_sanitised_or_declined(text) is not None
    assert MarkdownRenderer(trust_html=True).render(text) == reference(text)  # trusted HTML keeps them
    assert MarkdownRenderer(trust_html=False).render(text) == sanitise(reference(text))


@settings(max_examples=600, deadline=None)
@given(ticker_prose)
def test_prose_with_stock_symbols_takes_the_tag_fast_path_and_matches(case):
    text = with_tags(case[0], case[1])
    assert assert_same_once_sanitised_or_declined(text) is not None, repr(text)


@settings(max_examples=600, deadline=None)
@given(prose, st.lists(st.tuples(st.integers(min_value=0),
                                 st.sampled_from(ELEMENTS + TICKERS)
                                 | st.from_regex(r"[A-Za-z][A-Za-z0-9.]{0,6}( [A-Za-z0-9.=\"]{1,5}){0,2}",
                                                 fullmatch=True)),
                       min_size=1, max_size=4),
       st.lists(st.tuples(st.integers(min_value=0), st.sampled_from(list(DANGEROUS) + ["\n", "\n\n", " "])),
                max_size=2))
def test_prose_with_any_tags_and_characters_matches_once_sanitised_or_is_declined(text, tags, insertions):
    text = with_tags(text, tags)
    for position, chars in insertions:
        position %= len(text) + 1
        text = text[:position] + chars + text[position:]
    assert_same_once_sanitised_or_declined(text)


# Every character Python calls whitespace (str.isspace), and characters that only look like it.
WHITESPACE = [chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()]
LOOKALIKES = ["\u200b", "\u00ad", "\u2060", "\ufeff", "\x00", "\x1b"]


def test_whitespace_to_the_regular_expression_is_whitespace_to_str_split():
    """collapse_whitespace (summaries, titles, every front matter text) splits on str.isspace instead of
    matching re's \\s: the two must agree on every code point."""
    pattern = re.compile(r"\s")
    disagree = [hex(code) for code in range(sys.maxunicode + 1)
                if (pattern.match(chr(code)) is not None) != chr(code).isspace()]
    assert disagree == []
    assert len(WHITESPACE) > 20  # the Unicode spaces, not only ASCII's


@given(st.text(alphabet=st.sampled_from(WHITESPACE + LOOKALIKES + list("ab é"))))
@settings(max_examples=300, deadline=None)
def test_collapse_whitespace_gives_what_the_regular_expression_gave(text):
    assert collapse_whitespace(text) == re.sub(r"\s+", " ", text).strip()


HOSTILE_HTML = st.lists(st.sampled_from([
    "<p>", "</p>", "<script>alert(1)</script>", "<a href='javascript:alert(1)'>x</a>", "<a href=\"https://e.org\">",
    "</a>", "<img src=x onerror=alert(1)>", "<b onclick=x>", "<!-- c -->", "<svg><path d=1></svg>", "<BMY>",
    "<table><td>1</td></table>", "<abbr title=t>", "<ol start=3 reversed>", "&amp;", "&", "<", ">", "text", " ",
    "\n", "<style>p{}</style>", "<iframe src=//e.org>", "<math><mi>x</mi></math>", "<p id=a lang=lt dir=rtl>",
]), max_size=12).map("".join)


@given(HOSTILE_HTML)
@settings(max_examples=300, deadline=None)
def test_the_reusable_sanitiser_cleans_as_nh3_clean_does(html):
    """sanitise() keeps one nh3.Cleaner (building one per call was most of its time): it must clean exactly
    as nh3.clean with the same allow-lists does."""
    from dateline.markup import _ALLOWED_ATTRIBUTES, _ALLOWED_TAGS

    assert sanitise(html) == nh3.clean(html, tags=_ALLOWED_TAGS, attributes=_ALLOWED_ATTRIBUTES,
                                       url_schemes={"http", "https", "mailto", "tel"},
                                       link_rel="noopener noreferrer", strip_comments=True)
