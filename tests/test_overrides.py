"""Sites that override the theme's templates keep building when the theme changes what it passes them."""

from __future__ import annotations

import shutil
from pathlib import Path

from dateline.build import build_site

from conftest import parse_page

OLD_THEME = Path(__file__).parent / "fixtures" / "overrides" / "templates"


def test_templates_copied_from_the_theme_before_the_digest_still_build(site_copy, tmp_path):
    site = site_copy("full")
    shutil.copytree(OLD_THEME, site / "templates")
    out = tmp_path / "out"
    build_site(site, out, strict=True)  # strict: no variable those templates use has gone
    home = parse_page(out / "index.html")
    assert "Lithuania thanks Washington" in home.text and "Belarus frees prisoners" in home.text
    assert "Page 1 of 3" in home.text  # the old pager, from the same Pager
    day = parse_page(out / "2025/09/10/index.html")
    assert "São Paulo stocks rally" in day.text and "Britain and Türkiye sign trade pact" in day.text
    tags = parse_page(out / "tags" / "index.html")
    assert "../tags/human-rights/" in tags.links and "Human Rights 2" in tags.text
    assert "../2025/09/08/" in parse_page(out / "archive" / "index.html").links
    assert "Fifty-two prisoners crossed into Lithuania." in parse_page(out / "tags/diplomacy/index.html").text


def test_a_site_overriding_only_the_teaser_macros_keeps_the_new_pages(site_copy, tmp_path):
    site = site_copy("full")
    (site / "templates").mkdir()
    old_macros = (OLD_THEME / "_macros.html").read_text(encoding="utf-8")
    (site / "templates" / "_macros.html").write_text(
        old_macros.replace('<article class="teaser">', '<article class="teaser mine">'), encoding="utf-8")
    out = tmp_path / "out"
    build_site(site, out, strict=True)
    home = (out / "index.html").read_text(encoding="utf-8")
    assert home.count('<article class="teaser mine">') == 2  # the theme's home.html calls the site's digest()
    # the theme's day, index and article pages, with the site's teasers and byline
    day = (out / "2025/09/10/index.html").read_text(encoding="utf-8")
    assert '<article class="teaser mine">' in day and '<article class="lead">' in day
    assert '<nav class="jump" aria-label="Letters">' in (out / "tags/index.html").read_text(encoding="utf-8")
    related = (out / "2025/09/11/belarus-frees-prisoners/index.html").read_text(encoding="utf-8")
    assert '<article class="teaser mine">' in related.split('id="related-heading"')[1]


def test_a_cut_down_theme_without_the_byline_macro_still_builds(site_copy, tmp_path):
    """bench/peers/dateline-lean: a _macros.html of four macros, a base.html and an article.html of its own."""
    site = site_copy("full")
    shutil.copytree(Path(__file__).parent.parent / "bench" / "peers" / "dateline-lean" / "templates",
                    site / "templates")
    out = tmp_path / "out"
    build_site(site, out, strict=True)
    day = (out / "2025/09/10/index.html").read_text(encoding="utf-8")
    assert '<article class="lead">' in day and "São Paulo stocks rally" in day


def test_overrides_extending_the_former_per_taxonomy_theme_templates_still_build(site_copy, tmp_path):
    """Before taxonomies were declared the theme had tag.html, country.html, tags.html and countries.html."""
    site = site_copy("full")
    templates = site / "templates"
    templates.mkdir()
    heading = '{% block heading %}Stories tagged {{ term.name }}{% endblock %}'
    (templates / "tag.html").write_text('{% extends "default/tag.html" %}' + heading, encoding="utf-8")
    (templates / "countries.html").write_text('{% extends "default/countries.html" %}'
                                              '{% block term_label %}[{{ term.code }}]{% endblock %}', encoding="utf-8")
    out = tmp_path / "out"
    build_site(site, out, strict=True)
    assert "<h1>Stories tagged Diplomacy</h1>" in (out / "tags/diplomacy/index.html").read_text(encoding="utf-8")
    countries = parse_page(out / "countries/index.html")
    assert "[LT]" in countries.text and "[BY]" in countries.text
    # the taxonomies without an override of their own keep the theme's generic pages
    assert "Stories tagged" not in (out / "countries/lithuania/index.html").read_text(encoding="utf-8")
