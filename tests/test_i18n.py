"""The theme's catalogs and a site's own strings: complete, current, overridable, escaped, reported when broken."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from dateline.build import build_site
from dateline.errors import DatelineError
from dateline.i18n import LOCALES_DIR, language, theme_languages

from conftest import FIXTURES, write_article

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ["ar", "de", "en", "es", "fr", "pt"]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def catalog(code: str):
    with (LOCALES_DIR / f"{code}.po").open("rb") as po:
        return read_po(po, locale=code)


def test_the_theme_ships_six_languages():
    assert theme_languages() == SHIPPED


def test_the_template_holds_every_string_the_theme_uses():
    """tools/update_catalogs.py extracts from templates/ and the marked messages: what it extracts now is what
    dateline.pot says, so no string of the theme is left out of the catalogs."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        from update_catalogs import template_catalog
    finally:
        sys.path.remove(str(ROOT / "tools"))
    extracted = {(m.context, m.id) for m in template_catalog() if m.id}
    with (LOCALES_DIR / "dateline.pot").open("rb") as pot:
        stored = {(m.context, m.id) for m in read_po(pot) if m.id}
    assert extracted == stored, "run tools/update_catalogs.py"
    assert len(stored) > 90


@pytest.mark.parametrize("code", SHIPPED)
def test_every_catalog_translates_every_string_with_its_placeholders(code):
    with (LOCALES_DIR / "dateline.pot").open("rb") as pot:
        wanted = {(m.context, m.id) for m in read_po(pot) if m.id}
    messages = catalog(code)
    assert {(m.context, m.id) for m in messages if m.id} == wanted
    for message in messages:
        if not message.id:
            continue
        assert not message.fuzzy, message.id
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"{code}: {ids[0]!r} is not translated"
        if isinstance(message.id, tuple):
            assert len(strings) == messages.num_plurals, ids[0]
        expected = set(PLACEHOLDER.findall(ids[-1]))
        for string in strings:
            used = set(PLACEHOLDER.findall(string))
            # a plural form may leave the number out ("خبر واحد": one story), never add an unknown placeholder
            assert used <= expected | {"num"} and expected - {"num"} <= used, (code, ids[0], string)
            assert string.count("<a ") == ids[0].count("<a "), (code, ids[0])


def test_the_english_catalog_is_the_theme_as_written():
    for message in catalog("en"):
        if message.id:
            assert message.string == message.id


def test_arabic_has_six_plural_forms_chosen_by_the_number():
    arabic = language("ar")
    forms = [arabic.ngettext("%(num)s story", "%(num)s stories", n) % {"num": n} for n in (0, 1, 2, 3, 11, 100)]
    assert forms == ["لا أخبار", "خبر واحد", "خبران", "3 أخبار", "11 خبرًا", "100 خبر"]
    assert arabic.rtl and arabic.direction == "rtl" and not language("fr").rtl
    assert language("he").rtl and language("fa").rtl and language("en-GB").direction == "ltr"


def test_dates_and_numbers_follow_cldr_not_the_machine():
    from datetime import datetime

    moment = datetime(2025, 9, 11, 10, 5)
    assert language("fr").long_date(moment) == "11 septembre 2025"
    assert language("es").long_date(moment) == "11 de septiembre de 2025"
    assert language("de").long_date(moment) == "11. September 2025"
    assert language("de").day_name(moment) == "Donnerstag, 11. September 2025"
    assert language("en").day_name(moment) == "Thursday 11 September 2025"  # the theme's English, as before
    assert language("de").number(2281) == "2.281" and language("en").number(2281) == "2,281"
    assert language("pt-BR").month_year(moment) == "setembro de 2025"


def _french_site(tmp_path: Path) -> Path:
    site = tmp_path / "site"
    shutil.copytree(FIXTURES / "language-fr", site)
    return site


def test_a_site_overrides_theme_strings_in_site_yaml_and_in_its_own_catalog(tmp_path):
    site = _french_site(tmp_path)
    with (site / "site.yaml").open("a", encoding="utf-8") as settings:
        settings.write('strings:\n  Latest: "À la une"\n  "%(num)s story": ["%(num)s dépêche", "%(num)s de dépêches",'
                       ' "%(num)s dépêches"]\n')
    (site / "locales").mkdir()
    (site / "locales" / "fr.po").write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Archive"\nmsgstr "Le fonds"\n\nmsgid "Filed by %(editor)s"\nmsgstr "Édité par %(editor)s"\n',
        encoding="utf-8")
    (site / "templates").mkdir()
    (site / "templates" / "article.html").write_text(
        '{% extends "default/article.html" %}\n{% block content %}{{ super() }}'
        '<p class="editor">{{ _("Filed by %(editor)s", editor=article.title) }}</p>'
        '{% trans name=site.title %}Filed by {{ name }}{% endtrans %}{% endblock %}\n', encoding="utf-8")
    write_article(site, "balise.md", '---\ntitle: "<script>alert(1)</script> & co"\ndate: 2025-09-08\n---\n\nTexte.\n')
    out = tmp_path / "out"
    build_site(site, out)
    home = (out / "index.html").read_text(encoding="utf-8")
    assert ">À la une</a>" in home and ">Actualités<" not in home  # site.yaml's string
    assert ">Le fonds</a>" in home  # the site's catalog over the theme's
    assert "2 dépêches" in home and "2 articles" not in home  # a plural's forms from site.yaml
    article = (out / "2025/09/08/script-alert-1-script-co/index.html").read_text(encoding="utf-8")
    # a template of the site translates its own message, and its argument is escaped
    assert '<p class="editor">Édité par &lt;script&gt;alert(1)&lt;/script&gt; &amp; co</p>' in article
    assert "Filed by Le Fil" in article  # no translation: the message as written, with its variable
    assert "<title>Le fonds · Le Fil</title>" in (out / "archive/index.html").read_text(encoding="utf-8")


def test_a_broken_site_catalog_or_an_unknown_language_is_reported_with_its_file(tmp_path):
    site = _french_site(tmp_path)
    (site / "locales").mkdir()
    (site / "locales" / "fr.po").write_text('msgid "Archive"\nmsgstr "Le fonds\n', encoding="utf-8")
    with pytest.raises(DatelineError) as caught:
        build_site(site, tmp_path / "out")
    assert "locales/fr.po" in str(caught.value) and "not a valid gettext catalog" in str(caught.value)
    text = (site / "site.yaml").read_text(encoding="utf-8").replace("language: fr", "language: xx-nowhere")
    (site / "site.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DatelineError) as caught:
        build_site(site, tmp_path / "out")
    assert "unknown language 'xx-nowhere'" in str(caught.value) and "site.yaml" in str(caught.value)


def test_site_strings_must_be_text_or_forms(tmp_path):
    site = _french_site(tmp_path)
    with (site / "site.yaml").open("a", encoding="utf-8") as settings:
        settings.write("strings:\n  Latest: {nested: true}\n")
    with pytest.raises(DatelineError) as caught:
        build_site(site, tmp_path / "out")
    assert "site.yaml:21: 'strings.Latest' must be the text to show" in str(caught.value)


def test_an_edited_site_catalog_or_string_changes_the_pages_it_words(tmp_path):
    """The site's locales/ folder and site.yaml's strings are inputs of every page: a rebuild after editing
    either shows the new words, as a clean build would."""
    site, out = _french_site(tmp_path), tmp_path / "out"
    build_site(site, out)
    assert ">Archives</a>" in (out / "index.html").read_text(encoding="utf-8")
    (site / "locales").mkdir()
    (site / "locales" / "fr.po").write_text('msgid "Archive"\nmsgstr "Le fonds"\n', encoding="utf-8")
    build_site(site, out)
    assert ">Le fonds</a>" in (out / "countries/germany/index.html").read_text(encoding="utf-8")
    with (site / "site.yaml").open("a", encoding="utf-8") as settings:
        settings.write('strings:\n  Archive: "Les archives"\n')
    build_site(site, out)
    assert ">Les archives</a>" in (out / "index.html").read_text(encoding="utf-8")
