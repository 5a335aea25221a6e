"""People and organisations: what counts as a name, how it is spelled, and what never does."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.ingest.entities import find_entities

STORY = [
    "Lithuanian President Gitanas Nauseda said on Thursday that General Motors Corp would build a plant near Kaunas.",
    "The plant will employ 2,000 people, the State Department in Washington said.",
    "Nauseda thanked President Donald Trump. Among the guests was Alexander Lukashenko's envoy.",
    "Investors said the investment was the largest in the Baltic economy this decade. Nauseda smiled.",
]


def test_people_and_organisations_apart_most_mentioned_first():
    found = find_entities(STORY)
    assert found.people[0] == "Gitanas Nauseda"  # three more mentions by surname
    assert set(found.people) == {"Gitanas Nauseda", "Donald Trump", "Alexander Lukashenko"}
    assert set(found.organisations) == {"General Motors", "State Department"}  # "Corp" left out


@pytest.mark.parametrize("text, people", [
    ("President Donald Trump spoke.", ["Donald Trump"]),  # the title stripped
    ("U.S. Treasury Secretary James Baker met Bundesbank President Karl Otto Poehl.",
     ["James Baker", "Karl Otto Poehl"]),
    ("US deputy special envoy John Cole announced the decision.", ["John Cole"]),  # a role word before
    ("The report was written by Y. Hojoh, an engineer.", ["Y. Hojoh"]),  # an initial
    ("Talks were held with Chancellor of the Exchequer Nigel Lawson.", ["Nigel Lawson"]),
    ("President Reagan vetoed the bill. Reagan said he would not sign it.", ["Reagan"]),  # titled surname
    ("World Bank President Barber Conable arrived in Brasilia.", ["Barber Conable"]),
    ("Chairman Peter Bradford resigned.", ["Peter Bradford"]),  # a city's name as a surname
])
def test_people(text, people):
    assert find_entities([text]).people == people


@pytest.mark.parametrize("text, organisations", [
    ("The Association of Tin Producing Countries (ATPC) met. The ATPC agreed.",
     ["Association of Tin Producing Countries"]),  # one entry, the acronym as an alias
    ("The IMF and the International Monetary Fund are one body.", ["International Monetary Fund"]),
    ("Shares of Swiss Bank Corp and Chrysler Corp rose.", ["Swiss Bank", "Chrysler Corp"]),  # one word keeps it
    ("Unilever Plc <UN.A> rose.", ["Unilever Plc"]),  # never the ticker
    ("The Bank of England intervened.", ["Bank of England"]),
    ("NEC Corp of Japan signed.", ["NEC Corp"]),
    ("Nippon Kokan KK <NKKT.T> and Kawasaki Steel Corp <KAWS.T> merged.", ["Nippon Kokan", "Kawasaki Steel"]),
    ("A loan from Overseas Private Investment Corporation was approved.", ["Overseas Private Investment Corporation"]),
    ("Chock Full O' Nuts Corp said its board met.", ["Chock Full O' Nuts"]),
])
def test_organisations(text, organisations):
    assert find_entities([text]).organisations == organisations


@pytest.mark.parametrize("text", [
    "Pay December 15. Record March 2.",  # month phrases and table labels
    "NOTE: figures are unaudited.",
    "The U.S. Would not comment. U.S. Dlrs rose.",  # Reuters capitalises the word after "U.S."
    "Lawmakers voted. Investors sold. Analysts agreed.",  # capitalised only at a sentence start
    "Administrative Executive officials met.",
    "The Soviet Union and the European Union talked.",  # places, not organisations (EU is known below)
    "Brent crude rose in New York.",
    "Treasury Bond futures fell. Trade Notes rose.",
])
def test_never_names(text):
    found = find_entities([text])
    assert not found.people, found
    assert not set(found.organisations) - {"European Union"}, found


def test_same_person_spelled_one_way_in_an_article():
    found = find_entities(["Gitanas Nauseda spoke.", "President Nauseda's office said Nauseda would travel."])
    assert found.people == ["Gitanas Nauseda"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=120), max_size=5))
def test_any_text_gives_names_of_whole_words(paragraphs):
    found = find_entities(paragraphs)
    text = " ".join(paragraphs)
    for name in found.people:
        assert name == " ".join(name.split()) and name.split()[-1] in text
    for name in found.organisations:
        assert name == " ".join(name.split())
