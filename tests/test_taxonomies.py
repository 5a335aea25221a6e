"""Taxonomies declared in site.yaml: every one gets the same pages, feeds, sitemap entries, search filters and
related-article weight; the country taxonomy's second tier; bad declarations are errors with their line."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import feedparser
import pytest
from test_incremental import contents

from dateline.build import build_site
from dateline.scaffold import create_site

from conftest import parse_page, run_cli, write_article

BERLIN = "2025/09/10/berlin-hosts-energy-talks/"
PARIS = "2025/09/11/france-and-poland-agree-on-gas-links/"
VILNIUS = "2025/09/11/lithuania-thanks-allies/"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def declared(site_copy, tmp_path):
    """The fixture site declaring countries (with mentions), tags, sources, people and organisations, built."""
    site = site_copy("declared")
    build_site(site, tmp_path / "out")
    return site, tmp_path / "out"


def section(html: str, heading: str) -> str:
    """The part of a term page from HEADING's section on."""
    return html.split(heading, 1)[1] if heading in html else ""


def test_every_declared_taxonomy_has_its_index_term_pages_feeds_and_sitemap_entries(declared):
    _, out = declared
    for index, term, title in (("sources", "afp", "Sources"), ("people", "olaf-scholz", "People"),
                               ("organisations", "nato", "Organisations"), ("tags", "trade", "Tags")):
        listing = parse_page(out / index / "index.html")
        assert f"../{index}/{term}/" in listing.links and f"{title} · Declared Digest" in listing.text
        assert (out / index / term / "index.html").exists()
    afp = parse_page(out / "sources/afp/index.html")
    assert "Source AFP" in afp.text and "2 articles" in afp.text
    assert "Berlin hosts energy talks" in afp.text and "Lithuania thanks its allies" in afp.text
    feed = feedparser.parse((out / "sources/afp/feed.xml").read_bytes())
    assert not feed.bozo and [e.title for e in feed.entries] == ["Lithuania thanks its allies",
                                                                 "Berlin hosts energy talks"]
    assert [item["title"] for item in json.loads((out / "sources/afp/feed.json").read_text())["items"]] == \
        ["Lithuania thanks its allies", "Berlin hosts energy talks"]
    sitemap = ET.parse(out / "sitemap.xml").getroot()
    locs = {url[0].text for url in sitemap}
    for page in ("sources/", "sources/afp/", "sources/dpa/", "people/gitanas-nauseda/", "organisations/nato/",
                 "people/olaf-scholz/page/2/"):
        assert f"https://example.org/news/{page}" in locs, page
    assert not any("secret-person" in loc or "ireland" in loc for loc in locs)  # only in a draft


def test_settings_paginate_and_switch_feeds_off_per_taxonomy(declared):
    _, out = declared
    # people: one article per page, so Olaf Scholz's two articles take two pages
    first, second = (parse_page(out / "people/olaf-scholz" / page / "index.html") for page in ("", "page/2"))
    assert "Lithuania thanks its allies" in first.text and "Berlin hosts energy talks" not in first.text
    assert "Berlin hosts energy talks" in second.text
    # page 2 of 2: the pager numbers two pages and marks the second as this one
    pager = (out / "people/olaf-scholz/page/2/index.html").read_text(encoding="utf-8").split(
        '<nav class="pagination"')[1].split("</nav>")[0]
    assert re.findall(r'<span class="visually-hidden">Page </span>(\d+)</a>', pager) == ["1", "2"]
    assert re.search(r'aria-current="page" href="[^"]*"><span class="visually-hidden">Page </span>2</a>', pager)
    # organisations: feed: false
    assert not (out / "organisations/nato/feed.xml").exists() and not (out / "organisations/nato/feed.json").exists()
    nato = (out / "organisations/nato/index.html").read_text(encoding="utf-8")
    assert not [link for link in parse_page(out / "organisations/nato/index.html").links if "nato/feed" in link]
    assert 'type="application/atom+xml" title="Declared Digest: NATO"' not in nato


def test_articles_show_every_term_and_carry_search_filters_and_feed_categories(declared):
    _, out = declared
    html = (out / VILNIUS / "index.html").read_text(encoding="utf-8")
    filters = re.findall(r'data-pagefind-filter="([^"]*)"', html)
    assert filters == ["country:Lithuania", "tag:diplomacy", "source:AFP", "person:Gitanas Nausėda",
                       "person:Olaf Scholz"]  # the source once: the sources taxonomy gives it
    links = parse_page(out / VILNIUS / "index.html").links
    for page in ("countries/lithuania/", "tags/diplomacy/", "sources/afp/", "people/olaf-scholz/"):
        assert f"../../../../{page}" in links
    filed = html.split('<div class="filed">', 1)[1].split("</div>", 1)[0]
    assert "countries/lithuania/" in filed and "countries/germany/" not in filed  # a mention files nothing
    entry = next(e for e in ET.parse(out / "feed.xml").getroot().iter(f"{ATOM}entry")
                 if e.findtext(f"{ATOM}title") == "Lithuania thanks its allies")
    categories = [(c.get("term"), c.get("scheme")) for c in entry.iter(f"{ATOM}category")]
    assert ("LT", "https://example.org/news/countries/") in categories
    assert ("Olaf Scholz", "https://example.org/news/people/") in categories
    assert ("AFP", "https://example.org/news/sources/") in categories
    jsonld = json.loads(re.search(r'<script type="application/ld\+json">\s*(.*?)\s*</script>', html, re.S).group(1))
    assert [place["name"] for place in jsonld["contentLocation"]] == ["Lithuania"]
    assert jsonld["keywords"] == ["diplomacy", "AFP", "Gitanas Nausėda", "Olaf Scholz"]


def test_a_country_page_lists_the_stories_that_only_mention_it_apart(declared):
    _, out = declared
    germany = (out / "countries/germany/index.html").read_text(encoding="utf-8")
    own, mentioned = germany.split("Also mentioned in", 1)
    assert "Berlin hosts energy talks" in own and "Lithuania thanks its allies" not in own
    assert "Lithuania thanks its allies" in mentioned and "France and Poland agree on gas links" in mentioned
    assert "Berlin hosts energy talks" not in mentioned
    assert "1 article · mentioned in 2 more" in parse_page(out / "countries/germany/index.html").text
    # the feeds list the country's own stories only
    assert [e.title for e in feedparser.parse((out / "countries/germany/feed.xml").read_bytes()).entries] == \
        ["Berlin hosts energy talks"]
    # Poland is in both lists of the Paris story: it is filed under Poland, never "also mentioned"
    poland = (out / "countries/poland/index.html").read_text(encoding="utf-8")
    assert "France and Poland agree on gas links" in poland and "Also mentioned in" not in poland
    # a country only mentioned still has its page, listed with its mentions on the index
    united_states = parse_page(out / "countries/united-states/index.html")
    assert "Also mentioned in" in united_states.text and "Lithuania thanks its allies" in united_states.text
    assert "No articles yet" not in united_states.text
    assert "United States 0 +1 mentioned" in parse_page(out / "countries/index.html").text
    assert not (out / "countries/sweden").exists()  # mentioned in a draft only


def test_the_mentioned_section_is_paginated_with_the_page(declared, tmp_path):
    site, _ = declared
    for number in range(3):
        write_article(site, f"m{number}.md", f"---\ntitle: Mention {number}\ndate: 2025-09-0{number + 1}\n"
                                             "countries: [FR]\nmentioned_countries: [DE]\n---\n\nText.\n")
    out = tmp_path / "more"
    build_site(site, out)
    pages = [(out / "countries/germany" / page / "index.html").read_text(encoding="utf-8")
             for page in ("", "page/2", "page/3")]
    assert not (out / "countries/germany/page/4").exists()  # 1 own article, 5 mentions, 2 a page
    assert "Berlin hosts energy talks" in section(pages[0], "<h1") and "No articles yet" not in pages[1]
    shown = [re.findall(r"(Lithuania thanks its allies|France and Poland|Mention \d)",
                        section(page, "Also mentioned in")) for page in pages]
    assert shown == [["Lithuania thanks its allies", "France and Poland"], ["Mention 2", "Mention 1"],
                     ["Mention 0"]]


def test_related_articles_weigh_only_the_taxonomies_declared_related(declared, tmp_path):
    site, out = declared

    def related(output: Path) -> list[str]:
        html = (output / VILNIUS / "index.html").read_text(encoding="utf-8")
        return re.findall(r'<h3[^>]*><a href="[^"]*">([^<]*)</a>', section(html, 'id="related-heading"'))

    # Vilnius shares only its source and a person with Berlin: sources are `related: false`
    assert related(out) == ["Berlin hosts energy talks"]  # through Olaf Scholz
    yaml = (site / "site.yaml").read_text(encoding="utf-8")
    (site / "site.yaml").write_text(yaml.replace("  people:\n    singular: person\n",
                                                 "  people:\n    singular: person\n    related: false\n"))
    build_site(site, tmp_path / "unrelated")
    assert related(tmp_path / "unrelated") == []
    (site / "site.yaml").write_text(yaml.replace("related: false", "related: true"))
    build_site(site, tmp_path / "sources-related")
    assert related(tmp_path / "sources-related") == ["Berlin hosts energy talks"]


def test_an_existing_site_is_byte_identical_with_its_taxonomies_declared(site_copy, tmp_path):
    """A site without `taxonomies:` has countries and tags as before; declaring them changes nothing."""
    site = site_copy("full")
    build_site(site, tmp_path / "implicit")
    yaml = (site / "site.yaml").read_text(encoding="utf-8")
    (site / "site.yaml").write_text(yaml + "taxonomies:\n  countries:\n    kind: country\n    singular: country\n"
                                           "  tags:\n    singular: tag\n", encoding="utf-8")
    build_site(site, tmp_path / "declared")
    assert contents(tmp_path / "implicit") == contents(tmp_path / "declared")
    assert (tmp_path / "declared/countries/kenya/index.html").exists()


def test_templates_see_each_article_s_terms_by_taxonomy_and_a_site_can_name_its_templates(declared, tmp_path):
    site, _ = declared
    templates = site / "templates"
    templates.mkdir()
    (templates / "article.html").write_text(
        '{% extends "default/article.html" %}{% block title %}{{ article.people | map(attribute="name") | join("+") }}'
        '|{{ article.sources[0].name }}|{{ article.extra.mood }}{% endblock %}', encoding="utf-8")
    (templates / "person.html").write_text(  # found by the taxonomy's singular, as tag.html always was
        '{% extends "default/term.html" %}{% block heading %}Person: {{ term.name }}{% endblock %}', encoding="utf-8")
    (templates / "orgs.html").write_text(
        '{% extends "default/terms.html" %}{% block content %}<p>{{ taxonomy.title }}: '
        '{% for term in terms %}{{ term.name }}={{ term.count }};{% endfor %}</p>{% endblock %}', encoding="utf-8")
    yaml = (site / "site.yaml").read_text(encoding="utf-8")
    (site / "site.yaml").write_text(yaml.replace("feed: false\n", "feed: false\n    index_template: orgs.html\n"))
    out = tmp_path / "custom"
    build_site(site, out)
    assert "<title>Gitanas Nausėda+Olaf Scholz|AFP|grateful</title>" in (out / VILNIUS / "index.html").read_text()
    assert "<h1>Person: Olaf Scholz</h1>" in (out / "people/olaf-scholz/index.html").read_text(encoding="utf-8")
    assert "<p>Organisations: European Union=2;NATO=1;</p>" in (out / "organisations/index.html").read_text()


def test_a_new_site_declares_the_five_taxonomies_and_builds(tmp_path):
    site = create_site(tmp_path / "newsroom")
    write_article(site, "talks.md", "---\ntitle: Talks in Riga\ndate: 2025-02-01\nsource: AFP\ncountries: [LV]\n"
                                    "mentioned_countries: [EE]\npeople: [Evika Siliņa]\norganisations: [NATO]\n"
                                    "tags: [diplomacy]\n---\n\nTalks.\n")
    result = run_cli("build", "--site", str(site), "--quiet")
    assert result.returncode == 0, result.stderr
    out = site / "output"
    for page in ("countries/latvia/", "countries/estonia/", "tags/diplomacy/", "sources/afp/", "people/evika-silina/",
                 "organisations/nato/", "sources/", "people/", "organisations/"):
        assert (out / page / "index.html").exists(), page
    assert "Also mentioned in" in (out / "countries/estonia/index.html").read_text(encoding="utf-8")


BAD_DECLARATIONS = [
    # (taxonomies: ..., the line of the error in site.yaml, words of the message)
    ("  tags:\n    colour: red\n", 5, "unknown key 'taxonomies.tags.colour'"),
    ("  tags: {}\n  topics:\n    field: tags\n", 6, "'tags' already files articles in the taxonomy 'tags'"),
    ("  countries:\n    kind: country\n    mentioned_field: countries\n", 6, "'countries' already files articles"),
    ("  '2025': {}\n", 4, "must be lower-case letters, digits and hyphens, starting with a letter"),
    ("  static: {}\n", 4, "is already a folder of the site (static/)"),
    ("  search: {}\n", 4, "is already a folder of the site (search/)"),
    ("  News: {}\n", 4, "taxonomy name 'News' must be lower-case"),
    ("  dateline: {}\n", 4, "what templates call an article's own dateline"),
    ("  places:\n    kind: city\n", 5, "'taxonomies.places.kind' must be one of country, text"),
    ("  tags:\n    paginate: 0\n", 5, "'taxonomies.tags.paginate' must be at least 1"),
    ("  tags:\n    feed: maybe\n", 5, "'taxonomies.tags.feed' must be true or false"),
    ("  dates:\n    field: date\n", 5, "cannot be 'date'"),
    ("  days:\n    singular: day\n", 5, "would render with day.html, the template of another kind of page"),
    ("  tags:\n    template: ../../etc/passwd\n", 5, "must be a template's file name"),
    ("  - tags\n", 3, "'taxonomies' must be a mapping of names to settings"),
]


@pytest.mark.parametrize(("declaration", "line", "words"), BAD_DECLARATIONS, ids=[b[2] for b in BAD_DECLARATIONS])
def test_a_bad_declaration_is_an_error_with_its_line(site_copy, declaration, line, words):
    site = site_copy("minimal")
    (site / "site.yaml").write_text("title: M\nbase_url: https://example.org/\ntaxonomies:\n" + declaration,
                                    encoding="utf-8")
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"site.yaml:{line}: " in result.stderr and words in result.stderr, result.stderr


def test_no_taxonomy_can_take_the_template_of_another_kind_of_page():
    """A taxonomy renders with SINGULAR.html where templates have one: never with a page kind's own."""
    from dateline.config_taxonomies import PAGE_TEMPLATES

    theme = Path(__file__).resolve().parent.parent / "templates"
    assert {p.stem for p in theme.glob("*.html") if not p.name.startswith("_")} == PAGE_TEMPLATES


def test_a_taxonomy_may_not_take_the_permalinks_folder(site_copy):
    site = site_copy("minimal")
    (site / "site.yaml").write_text("title: M\nbase_url: https://example.org/\npermalink: 'news/{slug}/'\n"
                                    "taxonomies:\n  news: {}\n", encoding="utf-8")
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 1 and "site.yaml:5: taxonomy name 'news' is already a folder" in result.stderr


@pytest.mark.parametrize(("front_matter", "words"), [
    ("mentioned_countries: [LT, Atlantis]", "'mentioned_countries': unknown country 'Atlantis'"),
    ("people: {name: Someone}", "'people' must be a text or a list of texts"),
    ("source: [AFP, Reuters]", "'source' must be text"),
])
def test_a_bad_value_of_a_declared_field_is_an_error_with_its_file_and_line(site_copy, front_matter, words):
    site = site_copy("declared")
    bad = write_article(site, "bad.md", f"---\ntitle: Bad\ndate: 2025-09-01\n{front_matter}\n---\nText.\n")
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 1
    assert f"{bad}:4: " in result.stderr and words in result.stderr, result.stderr


def test_codes_alpha3_names_and_aliases_all_name_one_country(site_copy, tmp_path):
    site = site_copy("declared")
    write_article(site, "names.md", "---\ntitle: Names\ndate: 2025-09-02\ncountries: [Deutschland]\n---\nText.\n")
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 1 and "unknown country 'Deutschland'" in result.stderr
    write_article(site, "names.md", "---\ntitle: Names\ndate: 2025-09-02\ncountries: [FR]\n"
                                    "mentioned_countries: [Britain, GBR, united kingdom, U.K.]\n---\nText.\n")
    build_site(site, tmp_path / "out")
    uk = (tmp_path / "out/countries/united-kingdom/index.html").read_text(encoding="utf-8")
    assert section(uk, "Also mentioned in").count('<article class="teaser">') == 1
