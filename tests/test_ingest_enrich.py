"""Countries, titles, tags and Markdown escaping on sentences written for these tests."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.geo import country_by_code
from dateline.ingest.article import dateline_of, escape_markdown
from dateline.ingest.countries import dateline_country, detect_countries, find_places
from dateline.ingest.tags import derive_tags, named_entities, topic_tags
from dateline.ingest.title import MAX_WORDS, derive_title
from dateline.markup import MarkdownRenderer
from dateline.text import html_to_text

CITIES = Path(__file__).resolve().parent.parent / "dateline" / "ingest" / "data" / "cities.json"


def codes(text: str) -> list[str]:
    return [m.code for m in find_places(text)]


# --- countries: the words that trip detectors up -------------------------------------------------

@pytest.mark.parametrize("text, expected", [
    ("Belarusian officials met Lithuanian and Brazilian diplomats.", ["BY", "LT", "BR"]),
    ("Belarusians and Britons queued with the Swiss.", ["BY", "GB", "CH"]),
    ("The U.S. and the UK, with Britain and America, signed.", ["US", "GB", "GB", "US"]),
    ("Talks between U.S.-Japan negotiators resumed.", ["US", "JP"]),
    ("Türkiye, Turkey, Czechia and the Czech Republic agreed.", ["TR", "TR", "CZ", "CZ"]),
    ("Côte d'Ivoire, also called Ivory Coast, exports cocoa.", ["CI", "CI"]),
    ("Shares rose in Hong Kong's market and in Hong Kong.", ["HK", "HK"]),
    ("Farmers in New Jersey and New Mexico sued.", ["US", "US"]),
    ("Loggers in British Columbia protested.", ["CA"]),
    ("Sydney is in New South Wales, not in Wales.", ["AU", "AU", "GB"]),
    ("Papua New Guinea and Guinea-Bissau signed.", ["PG", "GW"]),
    ("The potter bought China clay and fine china.", []),
    ("Families roasted a turkey; turkey prices rose.", []),
    ("Latin American debt and the Indian Ocean fleet.", []),
    ("Michael Jordan scored while Jordan Peterson spoke.", []),
    ("King Abdullah of Jordan visited Amman.", ["JO", "JO"]),
    ("Jordan's foreign minister spoke.", ["JO"]),
    ("Chad Smith played drums.", []),
    ("Troops left Chad on Monday.", ["TD"]),
    ("Voters in Atlanta, Georgia, queued for hours.", ["US", "US"]),
    ("Protesters in Tbilisi, Georgia, marched again.", ["GE", "GE"]),
    ("Georgia passed a new budget.", ["US"]),
    ("The Swiss Bank Corp and Cyprus Minerals Co merged.", []),
    ("The Australian dollar rose against the yen.", []),
    ("Meetings in Washington and Moscow ended.", ["US", "RU"]),
    ("Officials in Frankfurt and Duesseldorf agreed.", ["DE", "DE"]),
])
def test_tricky_place_words(text, expected):
    assert codes(text) == expected


def test_salience_keeps_dateline_lead_and_repeated_countries():
    paragraphs = [
        "Latvia has reopened two border crossings with Belarus after a week of talks.",
        "Officials said trucks from Poland would be checked, as would trucks from Germany.",
        "Polish drivers welcomed the move. A German haulier said it came late.",
        "One driver had come from France.",
    ]
    # Latvia and Belarus: first sentence; Poland and Germany: twice; Lithuania: the dateline; France: once.
    assert detect_countries(paragraphs, "VILNIUS") == ["LV", "BY", "PL", "DE", "LT"]


def test_most_prominent_country_first():
    paragraphs = ["Norwegian fishermen said a Danish trawler entered Norway's waters.",
                  "Norway's coast guard escorted it out.", "Norway will protest."]
    assert detect_countries(paragraphs, "COPENHAGEN")[0] == "NO"


@pytest.mark.parametrize("dateline, code", [
    ("VILNIUS", "LT"), ("WASHINGTON", "US"), ("PORTLAND, Ore.", "US"), ("LONDON, Ont.", "CA"),
    ("SÃO PAULO", "BR"), ("SAO PAULO", "BR"), ("NEW DELHI", "IN"), ("HONG KONG", "HK"), ("SINGAPORE", "SG"),
    ("ZUG, Switzerland", "CH"), ("FRANKFURT", "DE"), ("THE HAGUE", "NL"), ("NICE", "FR"), ("NOWHEREVILLE", None),
    (None, None),
])
def test_dateline_country(dateline, code):
    assert dateline_country(dateline) == code


@pytest.mark.parametrize("raw, shown", [
    ("VILNIUS", "Vilnius"), ("NEW DELHI", "New Delhi"), ("SAO PAULO", "São Paulo"), ("SÃO PAULO", "São Paulo"),
    ("PORTLAND, Ore.", "Portland, Ore."), ("KANDAHAR", "Kandahar"),
])
def test_dateline_in_normal_case(raw, shown):
    assert dateline_of(raw) == shown


def test_city_table_is_compact_attributed_and_valid():
    data = json.loads(CITIES.read_text(encoding="utf-8"))
    assert "GeoNames" in data["attribution"] and "CC BY 4.0" in data["attribution"]
    assert CITIES.stat().st_size < 100 * 1024
    for section in ("cities", "regions"):
        assert all(country_by_code(code) for code in data[section])
    assert "Vilnius" in data["cities"]["LT"]


# --- titles --------------------------------------------------------------------------------------

@pytest.mark.parametrize("lead, title", [
    ("Belarus has released 52 political prisoners in a significant development involving "
     "international diplomatic efforts.", "Belarus releases 52 political prisoners"),
    ("Acme Corp said it will close its plant in Ohio next year.", "Acme Corp to close its plant in Ohio next year"),
    ("The city council has approved a new budget on Tuesday.", "City council approves a new budget"),
    ("Lawmakers have agreed to raise the debt ceiling.", "Lawmakers agree to raise the debt ceiling"),
    ("The central bank said its reserves fell sharply in March.", "Central bank's reserves fell sharply in March"),
    ("In a surprise move, the airline has cut fares on all routes.", "Airline cuts fares on all routes"),
])
def test_headline_style_titles(lead, title):
    assert derive_title(lead) == title


def test_long_lead_is_cut_on_a_word_boundary():
    lead = ("Supercalifragilistic negotiators from seventeen neighbouring provinces finally announced "
            "comprehensive agreements covering fisheries, forestry, pipelines, railways and ports.")
    title = derive_title(lead)
    assert 1 <= len(title.split()) <= MAX_WORDS
    assert all(word in lead for word in title.split())
    assert not title.endswith((" and", " of", " the", ","))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_title_is_never_empty_and_never_cuts_a_word(lead):
    title = derive_title(lead)
    assert title.strip() and len(title.split()) <= MAX_WORDS
    assert "\n" not in title


# --- tags ----------------------------------------------------------------------------------------

STORY = [
    "Lithuanian President Gitanas Nauseda said on Thursday that General Motors would build a plant near Kaunas.",
    "The plant will employ 2,000 people, the State Department in Washington said.",
    "Nauseda thanked President Donald Trump. Among the guests was Alexander Lukashenko's envoy.",
    "Investors said the investment was the largest in the Baltic economy this decade. Nauseda smiled.",
]


def test_people_and_organisations():
    names = named_entities(STORY)
    assert names[0] == "Gitanas Nauseda"  # three mentions: full name, then surname twice
    assert {"General Motors", "State Department", "Donald Trump", "Alexander Lukashenko"} <= set(names)
    assert not {"The", "Among", "Lithuanian", "President", "Nauseda", "Washington", "Investors",
                "Motors", "Thursday"} & set(names)


def test_topic_tags_as_written_in_site_yaml():
    topics = {"Economy": ["investment", "investor"], "jobs  and work": ["employ", "jobs"], "sport": ["football"]}
    assert topic_tags("\n".join(STORY), topics) == ["Economy", "jobs and work"]


def test_tags_are_normalised_limited_and_unique():
    topics = {"state department": ["plant"], "Economy": ["investment"]}
    tags = derive_tags(STORY, topics, max_tags=4, name_tags=True)
    assert tags[:2] == ["state department", "Economy"]
    assert len(tags) == 4
    assert len({t.casefold() for t in tags}) == len(tags)  # "State Department" not added twice
    assert all(t == " ".join(t.split()) for t in tags)
    assert derive_tags(STORY, topics, max_tags=8, name_tags=False) == ["state department", "Economy"]


# --- Markdown body -------------------------------------------------------------------------------

@pytest.mark.parametrize("paragraph", [
    "# not a heading", "> not a quote", "- not a list", "+ not a list", "* not a list", "1. not a list",
    "2) not a list", "--- ", "===", "| a | b |", ": not a definition", "~~~", "```code```",
    "<script>alert(1)</script> & <b>bold</b>", "AT&T paid &copy; 5 *stars* and _under_ [link](x) `tick`",
    "Prices rose 5*3 \\ back {: .class}", "*[HTML]: abbreviation", "[^1]: footnote", "![img](x.png)",
])
def test_wire_text_renders_literally(paragraph):
    html = MarkdownRenderer(trust_html=False).render(escape_markdown(paragraph))
    assert html_to_text(html) == " ".join(paragraph.split())
    assert html.startswith("<p>")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=80))
def test_any_paragraph_renders_literally(paragraph):
    paragraph = " ".join(paragraph.split())
    if not paragraph:
        return
    html = MarkdownRenderer(trust_html=True).render(escape_markdown(paragraph))
    assert html_to_text(html) == paragraph
