"""Importing copy that is not in English: its language found, English-only steps left out and said so, the
agency's headline kept, countries named in French, Spanish and German found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from dateline.config import load_config
from dateline.ingest import import_paths
from dateline.ingest.language import detect, story_language
from dateline.scaffold import create_site

# Wire copy written for these tests.
FRENCH = (" date 2025-09-16 PARIS: L'Allemagne et la Pologne ont signé mardi à Paris un accord sur la surveillance "
          "de leur frontière commune, a annoncé le ministre français de l'Intérieur, Gérald Martin.\n\n"
          "Les États-Unis et le Royaume-Uni ont salué cet accord. Selon la ministre allemande, les contrôles "
          "seront renforcés dès le mois prochain.\n\n"
          "Les autorités polonaises ont indiqué que les camions seraient contrôlés aux deux postes. – AFP")
SPANISH_NITF = """<?xml version="1.0" encoding="UTF-8"?>
<nitf lang="es-ES">
  <head>
    <docdata><doc-id regsrc="EFE" id-string="EFE-BUE-20250917-0042"/><date.issue norm="20250917T101500Z"/></docdata>
    <pubdata type="web" date.publication="20250917T101500Z"/>
  </head>
  <body>
    <body.head>
      <hedline><hl1>Argentina y Brasil acuerdan reabrir el paso fronterizo de Foz de Iguazú</hl1></hedline>
      <distributor>EFE</distributor>
    </body.head>
    <body.content>
      <p>BUENOS AIRES, 17 sep (EFE).- El presidente de Argentina se reunió este miércoles con su homólogo de
         Brasil para acordar la reapertura del paso fronterizo, según informó el Gobierno argentino.</p>
      <p>Las autoridades brasileñas aseguraron que los controles serán más rápidos. Los ministros francés y
         alemán, presentes en la reunión, celebraron el acuerdo.</p>
    </body.content>
  </body>
</nitf>
"""
GERMAN_NINJS = {
    "uri": "urn:newsml:dpa.com:20250918:wind-ostsee",
    "type": "text",
    "version": "1",
    "versioncreated": "2025-09-18T09:00:00+00:00",
    "language": "de-DE",
    "headline": "Deutschland und Dänemark bauen gemeinsamen Windpark in der Ostsee",
    "copyrightholder": "dpa",
    "body_text": "Berlin (dpa) - Deutschland und Dänemark wollen gemeinsam einen Windpark in der Ostsee bauen. "
                 "Das teilte das Wirtschaftsministerium am Donnerstag in Berlin mit.\n\n"
                 "Die dänische Regierung sprach von einem wichtigen Schritt für die Energiewende, auch Polens "
                 "Regierung zeigte sich interessiert. Die Kosten werden auf vier Milliarden Euro geschätzt.",
}
ARABIC = (" date 2025-09-19 CAIRO: أعلنت الحكومة المصرية يوم الجمعة عن خطة جديدة لدعم الاقتصاد وتوفير فرص العمل "
          "للشباب في المحافظات.\n\nوقال وزير المالية إن الخطة ستبدأ في الشهر المقبل. – AFP")
ENGLISH = (" date 2025-09-11 VILNIUS: Latvia has reopened two border crossings with Belarus after a week of talks.\n\n"
           "Lithuanian President Gitanas Nauseda welcomed the decision, saying trucks had waited for days. – AFP")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return create_site(tmp_path / "site")


def import_one(site: Path, name: str, data: str | bytes):
    wire = site.parent / "wire"
    wire.mkdir(exist_ok=True)
    source = wire / name
    source.write_bytes(data.encode() if isinstance(data, str) else data)
    report = import_paths([source], site, load_config(site))
    assert not report.rejected, report.rejected
    (written,) = report.written
    text = written.article.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n", 2)[1]), report


def test_french_plain_copy_detected_english_steps_left_out_and_reported(site):
    fields, report = import_one(site, "fr.txt", FRENCH)
    assert fields["language"] == "fr"
    # no headline rules for French: the lead's first words, marked for an editor
    assert fields["title_derived"] is True and fields["needs_title"] is True
    assert fields["title"].startswith("L'Allemagne et la Pologne ont signé mardi à Paris")
    assert "people" not in fields and "organisations" not in fields
    # French country names, elided articles and inflected demonyms ("polonaises", "allemande")
    assert fields["countries"][0] == "FR"
    assert {"DE", "PL"} <= set(fields["countries"])
    assert {"US", "GB"} <= set(fields["countries"]) | set(fields.get("mentioned_countries", []))
    notes = "\n".join(report.lines())
    assert "French copy (detected): no headline derived" in notes
    assert "French copy (detected): people and organisations not looked for" in notes


def test_spanish_nitf_keeps_its_headline_and_its_declared_language(site):
    fields, report = import_one(site, "efe.xml", SPANISH_NITF)
    assert fields["language"] == "es"
    assert fields["title"] == "Argentina y Brasil acuerdan reabrir el paso fronterizo de Foz de Iguazú"
    assert fields["title_derived"] is False and "needs_title" not in fields
    assert {"AR", "BR"} <= set(fields["countries"])
    assert {"FR", "DE"} <= set(fields.get("mentioned_countries", [])) | set(fields["countries"])
    assert "people" not in fields
    assert "Spanish copy (as the agency's file says): people and organisations not looked for" in report.notes[0]
    assert not any("headline" in note for note in report.notes)


def test_german_ninjs_language_tag_and_german_country_names(site):
    fields, _ = import_one(site, "dpa.json", json.dumps(GERMAN_NINJS, ensure_ascii=False))
    assert fields["language"] == "de"
    assert fields["title"] == GERMAN_NINJS["headline"] and fields["title_derived"] is False
    assert fields["countries"][:2] == ["DE", "DK"]
    assert "PL" in fields["countries"] + fields.get("mentioned_countries", [])  # "Polens", a genitive


def test_arabic_copy_gets_only_the_datelines_country(site):
    fields, report = import_one(site, "ar.txt", ARABIC)
    assert fields["language"] == "ar" and fields["needs_title"] is True
    assert fields["countries"] == ["EG"] and "mentioned_countries" not in fields
    assert any("Arabic copy (detected): countries from the dateline only" in note for note in report.notes)


def test_english_copy_on_an_english_site_has_no_language_key(site):
    fields, report = import_one(site, "en.txt", ENGLISH)
    assert "language" not in fields and "needs_title" not in fields
    assert "Gitanas Nauseda" in fields["people"]
    assert not report.notes


def test_a_french_sites_own_language_is_not_written_and_english_copy_says_so(site):
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("language: en", "language: fr"), encoding="utf-8")
    french, _ = import_one(site, "fr.txt", FRENCH)
    assert "language" not in french and french["needs_title"] is True
    english, _ = import_one(site, "en.txt", ENGLISH)
    assert english["language"] == "en" and "Gitanas Nauseda" in english["people"]


def test_detector_abstains_on_tables_and_falls_back_to_the_site():
    table = "CTS/BU BASIS MPLS may\n SPRING WHEAT\n ORD 17un unch\n 11.00 12un unch\n 12.00 3p up 5\n 13.00 11p unch"
    assert detect(table) is None
    assert story_language(None, [table], "fr").code == "fr"
    assert story_language("pt-BR", [ENGLISH], "en").code == "pt"
    assert detect("Le gouvernement a annoncé mardi une hausse des impôts sur les grandes entreprises.") == "fr"
    assert detect("Die Bundesregierung hat am Dienstag neue Hilfen beschlossen, teilte ein Sprecher mit.") == "de"
    assert detect("El presidente se reunió el lunes con su homólogo para hablar del comercio.") == "es"


def test_on_a_multilingual_site_copy_in_a_language_it_lacks_is_a_draft(site):
    config = site / "site.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "languages:\n  en: {}\n  fr: {}\n", encoding="utf-8")
    french, report = import_one(site, "fr.txt", FRENCH)
    assert french["language"] == "fr" and "draft" not in french
    spanish, report = import_one(site, "efe.xml", SPANISH_NITF)
    assert spanish["language"] == "es" and spanish["draft"] is True and list(spanish)[-3] == "draft"
    assert any("Spanish copy: written as a draft, the site has no pages in es (languages: en, fr)" in note
               for note in report.notes)
    from dateline.build import build_site

    result = build_site(site)  # the draft stops nothing; the French story has its page under fr/
    assert result.articles >= 1
    assert list((site / "output" / "fr" / "2025").rglob("index.html"))


@pytest.mark.parametrize(("language", "text", "codes"), [
    ("fr", "L'Allemagne et les Pays-Bas ont salué la décision des autorités ivoiriennes; les Français attendent.",
     ["DE", "NL", "CI", "FR"]),
    ("es", "Los ministros francés y alemán viajaron a EE.UU.; las autoridades brasileñas no comentaron.",
     ["FR", "DE", "US", "BR"]),
    ("de", "Die Franzosen und die Amerikaner kritisierten Deutschlands Entscheidung, die russische Regierung auch.",
     ["FR", "US", "DE", "RU"]),
])
def test_country_names_and_demonyms_in_french_spanish_and_german(language, text, codes):
    from dateline.ingest.countries import find_places

    assert [mention.code for mention in find_places(text, language)] == codes
    assert find_places("la dinde et la chine", "fr") == []  # names are capitalised; demonyms are not names
