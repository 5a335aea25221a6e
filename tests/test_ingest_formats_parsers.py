"""Each agency format's parser on the sample files in tests/fixtures/agency/ (written from the specifications)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from dateline.ingest.formats import CANCELED, USABLE, WITHHELD, Image, Subject, parse_stories
from dateline.ingest.parse import parse_wire

AGENCY = Path(__file__).parent / "fixtures" / "agency"
WIRE = Path(__file__).parent / "fixtures" / "wire"


def stories(name: str):
    return parse_stories((AGENCY / name).read_bytes())


def offset(hours: float) -> dt.timezone:
    return dt.timezone(dt.timedelta(hours=hours))


def test_newsml_g2_text_item():
    (story,) = stories("newsml-g2/afp-stockholm-housing")
    assert story.format == "newsml-g2"
    assert story.headline == "Sweden's biggest homebuilder files for bankruptcy"
    assert (story.guid, story.version) == ("urn:newsml:afp.com:20250829:TX-PAR-HSG01", 1)
    assert story.first_created == dt.datetime(2025, 8, 29, 10, 15, tzinfo=offset(2))
    assert story.copy.date == dt.date(2025, 8, 29)
    assert (story.copy.dateline, story.copy.source, story.byline) == ("Stockholm", "AFP", "Anna Lindqvist")
    assert story.summary == "A collapse that leaves 4,000 flats unfinished across three countries."
    assert story.subjects == (Subject("medtop:20000568", "housing and real estate"),
                              Subject("subj:04016007", "bankruptcy"))
    assert [s.bare_code for s in story.subjects] == ["20000568", "04016007"]
    assert story.keywords == ("housing", "construction")
    assert story.countries == ("SE", "NO")  # located's country, then the geographic subject
    assert (story.urgency, story.status, story.embargo, story.correction) == (4, USABLE, None, None)
    assert story.usage_terms == "Not for use in Sweden before 12:00 local time."
    assert story.language == "en"
    # the body: dateline and AFP's sign-off gone, emphasis, the list and the table kept
    assert story.body.startswith("Sweden's largest residential builder, Nordhem Bygg, filed")
    assert "leaving *4,000 flats* unfinished" in story.body
    assert "- three Nordic banks,\n- the city of Malmö, and\n- about 1,200 subcontractors." in story.body
    assert "| Country | Unfinished flats |\n| --- | --- |\n| Sweden | 2,600 |" in story.body
    assert "al/jm" not in story.body and "STOCKHOLM" not in story.body and "\t" not in story.body
    assert story.copy.lead.startswith("Sweden's largest residential builder")


def test_newsml_g2_versions_correction_and_kill():
    (first,) = stories("newsml-g2/afp-stockholm-housing")
    (second,) = stories("newsml-g2/afp-stockholm-housing-v2.xml")
    (killed,) = stories("newsml-g2/afp-stockholm-housing-kill.xml")
    assert first.guid == second.guid == killed.guid
    assert (second.version, second.version_created) == (2, dt.datetime(2025, 8, 29, 13, 40, tzinfo=offset(2)))
    assert second.first_created == first.first_created
    assert second.correction == "Corrects the number of unfinished flats in Norway, 800 not 900."
    assert "| Norway | 800 |" in second.body
    assert (killed.version, killed.status) == (3, CANCELED)


def test_newsml_g2_embargo_and_xhtml_prefix():
    (story,) = stories("newsml-g2/reuters-embargoed-report.xml")
    assert story.embargo == dt.datetime(2025, 9, 3, 22, 0, tzinfo=dt.UTC)
    assert (story.copy.source, story.copy.dateline) == ("Reuters", "ZURICH")  # infoSource; the body's dateline
    assert story.body.splitlines()[0].startswith("Glaciers in Switzerland and Austria lost")
    assert story.body.endswith(r"(Reporting by Marie Keller; Editing by Tom Hale)")


def test_newsml_g2_message_with_a_package_of_two_texts_and_a_picture():
    main, box = stories("newsml-g2/dpa-package-two-stories.xml")
    assert [main.headline, box.headline] == ["Floods close the Danube to shipping",
                                             "What a week without the Danube costs"]
    assert [main.copy.dateline, box.copy.dateline] == ["Regensburg", "Passau"]
    picture = Image("flood-regensburg.jpg", alt="Brown water covers a riverside quay and benches.",
                    credit="dpa/Karl Huber", caption="The Danube over the quay in Regensburg on Friday morning.")
    assert main.images == box.images == (picture,)  # the high-resolution rendition, not the thumbnail
    assert box.body == ("Each day the river stays closed costs shippers about 2 million euros, the industry "
                        "association estimates.\n\nAbout 300 barges use the stretch in a normal week.")
    assert main.countries == box.countries == ("DE",)


def test_newsml_g2_charset_declared_in_the_prolog():
    (story,) = stories("newsml-g2/efe-bogota-latin1.xml")
    assert story.headline == "Colombia's café growers expect a record harvest"
    assert (story.copy.dateline, story.copy.source, story.countries) == ("Bogotá", "EFE", ("CO",))
    assert story.body.startswith("Colombia's café growers expect the biggest harvest")
    assert "Señora Gómez" in story.body


def test_newsml1_with_nitf_inside_in_windows_1252():
    (story,) = stories("newsml-1/afp-bordeaux-harvest.xml")
    assert story.format == "newsml-1"
    assert story.headline == "Bordeaux’s harvest starts three weeks early – a first"
    assert (story.guid, story.version) == ("urn:newsml:afp.com:20250912:TX-PAR-VIN42", 1)
    assert story.first_created == dt.datetime(2025, 9, 12, 8, 0, tzinfo=offset(2))
    assert story.version_created == dt.datetime(2025, 9, 12, 8, 15, tzinfo=offset(2))
    assert (story.copy.dateline, story.copy.source, story.byline) == ("Bordeaux", "AFP", "Claire Dubois")
    assert [s.code for s in story.subjects] == ["04000000", "04001000", "04001005"]
    assert story.keywords == ("wine", "agriculture", "climate")
    assert (story.countries, story.urgency) == (("FR",), 3)
    assert story.usage_terms == "Not for use by French regional dailies before 10:00."
    assert story.images == (Image("bordeaux-harvest.jpg", alt="Pickers in a vineyard near Saint-Émilion",
                                  credit="AFP / Jean Martin",
                                  caption="Pickers at work near Saint-Émilion on September 12, 2025."),)
    assert story.body.startswith("Growers around Bordeaux started picking grapes on Friday")
    assert "“grands crus”" in story.body and "ach/cd" not in story.body
    assert "Pickers at work" not in story.body  # the photo's caption is not the story


def test_newsml1_kill_and_a_second_embargoed_item():
    (killed,) = stories("newsml-1/afp-bordeaux-harvest-kill")
    assert (killed.version, killed.status) == (2, CANCELED)
    rome, budget = stories("newsml-1/ansa-rome-two-items.xml")
    assert (rome.copy.source, rome.copy.dateline, rome.embargo) == ("ANSA", "ROME", None)
    assert rome.body == ("Rome's transport authority opened its first all-night metro line on Monday.\n\n"
                         "Trains will run every 20 minutes between midnight and 5 a.m.")
    assert budget.embargo == dt.datetime(2025, 9, 16, 9, 0, tzinfo=offset(2))
    assert budget.body == "Italy's draft budget aims to bring the deficit below 3% of output next year."


def test_nitf_with_a_named_dtd_and_html_entities():
    (story,) = stories("nitf/ap-atlanta-airport.nitf")
    assert story.format == "nitf"
    assert story.headline == "Atlanta airport reopens after power cut strands 30,000"
    assert (story.guid, story.version) == ("AP-ATL-20250918-0001", 1)
    assert story.published == dt.datetime(2025, 9, 18, 14, 30, tzinfo=offset(-4))
    assert (story.copy.dateline, story.copy.source, story.byline) == ("ATLANTA, Ga.", "AP", "Jordan Ellis")
    assert story.summary == "Flights resumed at the world's busiest airport after an underground fire cut its power."
    assert [s.code for s in story.subjects] == ["04005000", "04005001"]
    assert story.keywords == ("airports", "power outages")
    assert (story.countries, story.urgency) == (("US",), 3)
    assert story.usage_terms == "No use by broadcasters in Georgia until 6 p.m."
    assert story.images == (Image("atlanta-terminal.jpg", alt="Passengers queue in a dark terminal",
                                  credit="AP Photo/Sam Rivera",
                                  caption="Passengers wait in the domestic terminal on Thursday."),)
    body = story.body
    assert body.startswith("Flights resumed at Hartsfield-Jackson Atlanta International Airport on Thursday")
    assert "café and hotel vouchers" in body  # &eacute; without reading the DTD
    assert "### What travelers should do" in body
    assert "1. Check the flight status before leaving home.\n2. Rebook online: [the airline's page]" \
           "(https://example.com/rebook) waives fees." in body
    assert "| T \\| D | half |" in body  # a pipe inside a cell does not split it
    assert "Associated Press" not in body and "Eds:" not in body  # copyright line, editor's note, tagline


def test_nitf_embargo_correction_and_iso_8859_15():
    (story,) = stories("nitf/efe-madrid-trains-iso8859-15.xml")
    assert story.headline == "España aprueba 3.200 millones € para trenes regionales"
    assert story.embargo == dt.datetime(2025, 9, 21, 0, 1, tzinfo=offset(2))
    assert story.correction == "Corrige la cifra del presupuesto: 3.200 millones de euros, no 2.300."
    assert (story.version, story.copy.dateline, story.copy.source) == (2, "Madrid", "EFE")
    assert story.body.startswith("El Gobierno aprobó este sábado")
    (killed,) = stories("nitf/ap-atlanta-airport-kill")
    assert (killed.guid, killed.version, killed.status) == ("AP-ATL-20250918-0001", 3, CANCELED)


def test_ninjs_1_with_a_picture_association():
    (story,) = stories("ninjs/aap-sydney-heatwave.json")
    assert story.format == "ninjs"
    assert story.headline == "NSW swelters through its hottest September day on record"
    assert (story.guid, story.version, story.urgency) == ("urn:aap.com.au:2025:0923:heatwave-nsw", 1, 3)
    assert (story.copy.dateline, story.copy.source, story.byline) == ("Sydney", "AAP", "Mia Turner")
    assert story.summary == "Sydney reached 37.4C, beating a record set in 1965."
    assert [s.code for s in story.subjects] == ["medtop:17000000", "03000000"]
    assert (story.countries, story.keywords) == (("AU",), ("heatwave", "bushfires"))
    assert story.usage_terms == "Not for resale."
    assert story.images == (Image("https://images.example.com/heatwave.jpg", alt="A crowded beach under a clear sky",
                                  credit="AAP Image/Dean Lewins",
                                  caption="People crowd Bondi Beach in Sydney on Tuesday."),)
    assert story.body.startswith("Sydney recorded its hottest September day on Tuesday")
    assert "- Penrith reached 39.1C,\n- Richmond 38.7C." in story.body  # a list inside an unclosed <p>
    assert "**seven regions**" in story.body and "mt/jlp" not in story.body


def test_ninjs_2_composite_imports_each_text_association():
    turnout, sidebar = stories("ninjs/bbc-composite-v2.json")
    assert turnout.headline == "Turnout in the Welsh election rises to 52%"  # the main headline, not the short one
    assert (turnout.version, turnout.byline, turnout.copy.source) == (4, "Rhys Evans", "BBC")
    assert turnout.countries == ("GB",)
    assert turnout.subjects[0].bare_code == "20000065"
    assert sidebar.headline == "How the new voting system works"
    assert sidebar.embargo == dt.datetime(2025, 10, 2, 9, 0, tzinfo=offset(1))
    assert sidebar.body == ("Voters choose a party list in each of 16 constituencies.\n\n"
                            "Six members are elected in each one.")
    photo = Image("wales-count.jpg", alt="Tellers count ballot papers at long tables", caption="The count in Cardiff")
    assert turnout.images == sidebar.images == (photo,)
    (withheld,) = stories("ninjs/aap-sydney-heatwave-withheld.json")
    assert (withheld.status, withheld.version) == (WITHHELD, 2)


def test_iptc7901_stream_in_latin1_announced_by_an_escape_sequence():
    first, corrected = stories("iptc7901/dpa-windpark-latin1")
    assert first.format == "iptc7901"
    assert (first.headline, first.byline) == ("Nordsee-Windpark liefert ersten Strom", "Jana Köhler")
    assert (first.guid, first.version, corrected.version) == ("bdt:250925-99-01234", 1, 2)
    assert (first.copy.dateline, first.copy.source, first.urgency) == ("Helgoland", "dpa", 4)
    assert first.version_created == dt.datetime(2025, 9, 25, 10, 4)
    assert first.embargo == dt.datetime(2025, 9, 25, 12, 0, tzinfo=offset(2))  # "Sperrfrist: ... 12.00 Uhr MESZ"
    assert first.body == ("Der größte Windpark in der deutschen Nordsee hat am Donnerstag erstmals Strom ins Netz "
                          "gespeist. Die 64 Anlagen sollen rechnerisch 1,2 Millionen Haushalte versorgen.\n\n"
                          "Der Betreiber sprach von einem «Meilenstein für die Energiewende».")
    assert first.keywords == ("Energie/Windkraft",)
    assert corrected.correction == ("Berichtigung: Im zweiten Satz muss es 1,2 Millionen Haushalte heißen, nicht "
                                    "12 Millionen.")
    assert "Ansprechpartner" not in corrected.body and "Berichtigung" not in corrected.body


def test_iptc7901_in_utf8():
    (story,) = stories("iptc7901/apa-wien-budget-utf8.7901")
    assert (story.headline, story.copy.source, story.copy.dateline) == (
        "Wien: Regierung einigt sich auf Budget", "APA", "Wien")
    assert story.keywords == ("Österreich/Regierung",)
    assert story.body.endswith("«harten, aber fairen» Kompromiss.")  # "(Ende)" dropped


def test_anpa1312_stream_of_story_lead_and_kill():
    story, lead, kill = stories("anpa1312/ap-ohio-bridge-stream.anpa")
    assert story.format == "anpa1312"
    assert story.headline == "Ohio to replace 80-year-old Scioto River bridge"
    assert (story.copy.dateline, story.copy.source, story.byline) == ("COLUMBUS, Ohio", "AP", "JAMIE PARKER")
    assert story.version_created == dt.datetime(2025, 9, 29, 14, 2, tzinfo=dt.UTC)
    assert story.guid == lead.guid == kill.guid
    assert (story.version, lead.version, story.urgency) == (1, 2, 5)
    assert lead.headline == "Ohio to replace 80-year-old bridge, governor says"
    assert "Gov. Lee Harmon said Monday" in lead.body
    assert story.body.count("\n\n") == 2  # three tab-indented paragraphs, their wrapped lines joined
    assert kill.status == CANCELED


@pytest.mark.parametrize("name", sorted(p.name for p in WIRE.iterdir() if p.name not in ("bad_date.txt",
                                                                                         "not_wire.txt")))
def test_plain_text_is_parse_py_unchanged(name):
    data = (WIRE / name).read_bytes()
    (story,) = parse_stories(data)
    assert story.format == "text" and story.body is None and story.headline is None
    assert story.copy == parse_wire(data)
