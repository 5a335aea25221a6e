"""Property tests: the front matter loader never crashes, and imported wire text always reaches its page.

The importer's own fuzzing (arbitrary bytes and text after a date line) is in test_ingest_import.py
and test_ingest_parse.py; here: the article loader, and import -> build -> page as one round trip.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dateline.article_files import split_front_matter
from dateline.build import build_site
from dateline.config import SiteConfig, load_config
from dateline.errors import SourceError
from dateline.front_matter import parse_article
from dateline.ingest import import_paths
from dateline.markup import MarkdownRenderer
from dateline.model import ArticleFields
from dateline.scaffold import create_site

from conftest import parse_page

CONFIG = SiteConfig(title="Fuzz", base_url="https://example.org/", timezone="Europe/Vilnius")
RENDERER = MarkdownRenderer(trust_html=False)
PATH = Path("fuzz.md")
FIELDS = ["title", "date", "updated", "slug", "tags", "countries", "draft", "summary", "dateline", "source",
          "correction", "extra"]


def load(raw: bytes) -> ArticleFields | None:
    """Parse RAW as an article file: the result, or None after a proper rejection. Anything else propagates."""
    try:
        return parse_article(split_front_matter(PATH, raw), CONFIG, RENDERER)
    except SourceError as error:
        assert error.path == PATH
        assert error.message.strip() and "\n" not in error.message  # one readable line
        assert error.line is None or 1 <= error.line <= raw.count(b"\n") + raw.count(b"\r") + 2
        return None


scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=40),
                    st.dates().map(str), st.datetimes().map(lambda d: d.isoformat()),
                    st.sampled_from(["2025-09-11", "2025-02-30", "2025-09-11T14:05", "2025-09-11T14:05:00+03:00",
                                     "2025-09-11T14:05:00Z", "9999-12-31T23:59:59-12:00", "0001-01-01", "LT",
                                     "Lithuania", "U.S.", "XX", "../etc", "a\x00b", "\u2028", "\ufeff", "---"]))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8),
                                                                                            inner, max_size=3),
                      max_leaves=10)
front_matters = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=10), values, max_size=8)


@settings(max_examples=300, deadline=None)
@given(front_matters, st.text(max_size=200), st.sampled_from([None, '"', "'", "|", ">"]))
@example({"title": "A", "date": "0001-01-01T00:00:00+14:00"}, "", None)
@example({"title": "A", "date": "2025-09-11", "slug": "a\x00b"}, "", None)
def test_front_matter_from_any_data_loads_or_is_rejected_with_a_message(data, body, style):
    text = yaml.safe_dump(data, default_style=style, allow_unicode=True, sort_keys=False)
    article = load(f"---\n{text}---\n{body}".encode("utf-8", "surrogatepass"))
    if article is not None:
        assert article.title and article.slug and article.date.tzinfo is not None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
@example("---\ntitle: A\ndate: 2025-01-01\ntags:\n\t- x\n---\n")
@example("---\ntitle: 'A\u0007'\ndate: 2025-01-01\n---\n\x1b")
@example("---\n? [a]\n: 1\n---\n")
@example("---\n&a [*a]\n---\n")
@example("---\ntitle: !!binary aGVsbG8=\ndate: 2025-01-01\n---\n")
@example("---\ntitle: !!python/name:os.system\ndate: 2025-01-01\n---\n")
def test_any_text_after_an_opening_fence_loads_or_is_rejected(text):
    load(("---\n" + text).encode("utf-8", "surrogatepass"))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_load_or_are_rejected(raw):
    load(raw)


# Round trip: wire copy -> import -> build -> the text is on the article's page

words = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Nd"), max_codepoint=0x17F),
                min_size=1, max_size=12)
marks = st.sampled_from(["*", "_", "`", "#", ">", "-", "1.", "<b>", "&copy;", "&", "<", "[x]", "(y)", "!", "\\",
                         "{{ 7*7 }}", "<script>alert(1)</script>", "|", "~~", "$"])
paragraphs = st.lists(st.one_of(words, words, marks), min_size=3, max_size=25).map(" ".join)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(paragraphs, min_size=1, max_size=4))
@example(["# Not a heading * and _ not emphasis", "1. not a list > nor a quote", "<b>bold</b> &copy; &amp;"])
def test_imported_wire_text_is_on_its_page(tmp_path_factory, body):
    root = tmp_path_factory.mktemp("roundtrip")
    site = create_site(root / "site")
    for example_article in (site / "content" / "articles").rglob("*.md"):
        example_article.unlink()
    lead = "Officials in Vilnius said the border talks with Latvia would continue."
    wire = root / "story.txt"
    wire.write_text(f" date 2025-09-11 VILNIUS: {lead}\n\n" + "\n\n".join(body) + " – AFP\n", encoding="utf-8")
    report = import_paths([wire], site, load_config(site))
    assert [str(e) for e in report.rejected] == [] and len(report.written) == 1
    build_site(site, site / "output")
    pages = [p for p in (site / "output" / "2025" / "09" / "11").glob("*/index.html")]
    assert len(pages) == 1
    shown = parse_page(pages[0]).text
    for paragraph in [lead, *body]:
        assert " ".join(paragraph.split()) in shown, paragraph
    shutil.rmtree(root)
