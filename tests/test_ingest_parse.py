"""The wire parser on the sample's format and the variants editors receive."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.ingest.parse import NotWireCopy, dateline_display, decode, parse_wire

WIRE = Path(__file__).parent / "fixtures" / "wire"

SEED = (" date 2025-09-11 VILNIUS: Latvia has reopened two border crossings with Belarus after a week of talks.\n\n"
        "Officials in Riga said trucks would be checked at both posts.\n\n"
        "The crossings had been closed since August. – AFP")


def test_seed_format():
    copy = parse_wire(SEED.encode())
    assert copy.date == dt.date(2025, 9, 11)
    assert copy.dateline == "VILNIUS"
    assert copy.source == "AFP"
    assert copy.paragraphs == (
        "Latvia has reopened two border crossings with Belarus after a week of talks.",
        "Officials in Riga said trucks would be checked at both posts.",
        "The crossings had been closed since August.",
    )
    assert copy.lead == copy.paragraphs[0]


@pytest.mark.parametrize("name, dateline, source, last_words", [
    ("new_delhi_em_dash.txt", "NEW DELHI", "AP", "Narendra Modi."),
    ("sao_paulo_bom_crlf.txt", "SÃO PAULO", "Reuters", "on the news."),
    ("portland_cr_dpa.txt", "PORTLAND, Ore.", "dpa", "interest rates."),
    ("berlin_cp1252.txt", "BERLIN", "AFP", "welcomed the news."),
    ("no_dateline_no_credit.txt", None, None, "several towns."),
])
def test_fixture_variants(name, dateline, source, last_words):
    copy = parse_wire((WIRE / name).read_bytes())
    assert copy.dateline == dateline
    assert copy.source == source
    assert copy.paragraphs[-1].endswith(last_words)
    assert all("\r" not in p and "\n" not in p and p == p.strip() for p in copy.paragraphs)
    assert not copy.lead.startswith(("NEW DELHI", "SÃO", "PORTLAND", "BERLIN", ":"))


def test_windows_1252_is_decoded():
    copy = parse_wire((WIRE / "berlin_cp1252.txt").read_bytes())
    assert copy.lead.startswith("Germany’s central bank")
    assert "year – a view" in copy.paragraphs[1]  # an en dash inside the text is not a credit
    assert copy.paragraphs[2].startswith("Café owners")


def test_latin_1_and_utf16_are_decoded():
    latin = " date 2025-04-01 MADRID: Se\xf1or Garc\xeda spoke.\n".encode("latin-1")
    assert parse_wire(latin).lead == "Señor García spoke."
    utf16 = " date 2025-04-01 MADRID: Señor García spoke. – EFE".encode("utf-16")
    copy = parse_wire(utf16)
    assert (copy.lead, copy.source) == ("Señor García spoke.", "EFE")
    assert decode("\ufeffabc".encode()) == "abc"


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_line_endings_and_surrounding_whitespace(ending):
    e = ending
    raw = f"\n\n   date 2025-09-11 RIGA: First paragraph.{e}{e}Second{e}line.{e}{e} – LETA  {e}{e}"
    copy = parse_wire(raw.encode())
    assert copy.paragraphs == ("First paragraph.", "Second line.")
    assert copy.source == "LETA"


@pytest.mark.parametrize("credit, agency", [
    (" – AFP", "AFP"), (" — AP", "AP"), (" - Reuters", "Reuters"), (" (dpa)", "dpa"), ("\n\n– AFP", "AFP"),
    (" -- Reuters", "Reuters"), (" – AFP/Reuters", "AFP/Reuters"), ("", None),
])
def test_credits(credit, agency):
    copy = parse_wire(f" date 2025-09-11 OSLO: Norway raised its rate.{credit}".encode())
    assert copy.source == agency
    assert copy.lead == "Norway raised its rate."


def test_text_ending_with_a_hyphenated_phrase_is_not_a_credit():
    copy = parse_wire(b" date 2025-09-11 OSLO: The score was 2-1 in extra time")
    assert copy.source is None
    assert copy.lead.endswith("2-1 in extra time")


@pytest.mark.parametrize("lead, dateline", [
    ("NEW DELHI: Rain.", "NEW DELHI"),
    ("SÃO PAULO: Rain.", "SÃO PAULO"),
    ("PORTLAND, Ore.: Rain.", "PORTLAND, Ore."),
    ("N'DJAMENA: Rain.", "N'DJAMENA"),
    ("ST. JOHN'S, N.L.: Rain.", "ST. JOHN'S, N.L."),
    ("The minister said: rain is coming.", None),  # a colon in the lead is not a dateline
    ("Rain fell all day.", None),
])
def test_datelines(lead, dateline):
    copy = parse_wire(f"date 2025-09-11 {lead}".encode())
    assert copy.dateline == dateline
    if dateline:
        assert copy.lead == "Rain."


def test_date_on_its_own_line():
    copy = parse_wire(b"date 2025-09-11\nTALLINN: Estonia voted.\n")
    assert (copy.dateline, copy.lead) == ("TALLINN", "Estonia voted.")


@pytest.mark.parametrize("raw, message, line", [
    (b"", "empty file", None),
    (b"  \r\n\t\n", "empty file", None),
    (b"Minutes of the meeting\n\nNothing.", "must start with 'date YYYY-MM-DD'", 1),
    (b"\n\nHello", "must start with 'date YYYY-MM-DD'", 3),
    (b" date 2025-02-30 PARIS: No such day.", "date 2025-02-30 does not exist", 1),
    (b" date 2025-13-01 PARIS: No such month.", "does not exist", 1),
    (b" date 2025-09-11 ", "no article text", 1),
    (b" date 2025-09-11 - Reuters", "no article text", 1),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary data", None),
    (bytes(range(1, 32)) * 20, "binary data", None),
])
def test_rejections(raw, message, line):
    with pytest.raises(NotWireCopy) as caught:
        parse_wire(raw)
    assert message in caught.value.message
    assert caught.value.line == line


@pytest.mark.parametrize("raw, shown", [
    ("NEW DELHI", "New Delhi"), ("SÃO PAULO", "São Paulo"), ("PORTLAND, Ore.", "Portland, Ore."),
    ("RIO DE JANEIRO", "Rio de Janeiro"), ("N'DJAMENA", "N'Djamena"), ("ST. JOHN'S", "St. John's"),
    ("WINSTON-SALEM, N.C.", "Winston-Salem, N.C."), ("VILNIUS", "Vilnius"), ("LONDON, ONT.", "London, Ont."),
])
def test_dateline_display(raw, shown):
    assert dateline_display(raw) == shown


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400))
def test_arbitrary_bytes_parse_or_are_rejected(raw):
    try:
        copy = parse_wire(raw)
    except NotWireCopy as exc:
        assert exc.message
    else:
        assert copy.paragraphs and all(copy.paragraphs)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_after_a_date_line_parses_or_is_rejected(body):
    try:
        copy = parse_wire(f" date 2025-09-11 {body}".encode("utf-8", "surrogatepass"))
    except NotWireCopy as exc:
        assert exc.message
    else:
        assert copy.date == dt.date(2025, 9, 11)
        assert copy.paragraphs and all(p.strip() == p and p for p in copy.paragraphs)
