"""News metadata: NewsArticle JSON-LD, social tags, visible dates, JSON Feed, the news sitemap, host files."""

from __future__ import annotations

import dataclasses
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta, timezone

import feedparser
from markupsafe import Markup

from dateline.build import build_site
from dateline.newsmeta import NEWS_LIMIT, news_articles, news_language
from dateline.views import ArticleView

from conftest import parse_page, write_article

A1 = "2025/09/11/belarus-frees-prisoners/index.html"
A2 = "2025/09/11/lithuania-thanks-washington/index.html"
A4 = "2025/09/10/britain-and-turkiye-sign-trade-pact/index.html"
VILNIUS = timezone(timedelta(hours=3))
NEWS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "n": "http://www.google.com/schemas/sitemap-news/0.9"}


def json_ld(html: str) -> dict:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def meta(html: str, key: str) -> list[str]:
    page = parse_page_text(html)
    return [attrs.get("content") or "" for tag, attrs in page.tags
            if tag == "meta" and key in (attrs.get("property"), attrs.get("name"))]


def parse_page_text(html: str):
    from conftest import PageParser

    parser = PageParser()
    parser.feed(html)
    return parser


def test_news_article_json_ld_has_the_news_fields(built):
    _, out = built
    data = json_ld((out / A2).read_text())
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    assert data["headline"] == "Lithuania thanks Washington"
    assert data["url"] == data["mainEntityOfPage"]["@id"] == "https://example.org/news/" + A2.removesuffix("index.html")
    assert datetime.fromisoformat(data["datePublished"]) == datetime(2025, 9, 11, 12, 30, tzinfo=VILNIUS)
    assert data["datePublished"].endswith("+03:00") and data["dateModified"] == "2025-09-12T09:00:00+03:00"
    assert data["dateline"] == "Vilnius" and data["locationCreated"] == {"@type": "Place", "name": "Vilnius"}
    assert [(c["name"], c["identifier"]) for c in data["contentLocation"]] == [("Lithuania", "LT"),
                                                                              ("United States", "US")]
    # the agency, named and linked as data/agencies.yaml knows it
    assert data["author"] == data["sourceOrganization"] == {"@type": "Organization", "name": "Reuters",
                                                            "url": "https://www.reuters.com/"}
    assert data["articleSection"] == "Lithuania" and meta((out / A2).read_text(), "article:section") == ["Lithuania"]
    assert "image" not in data
    assert data["correction"]["text"] == "An earlier version misspelled the president's name."
    assert data["publisher"]["name"] == "Full Digest" and data["inLanguage"] == "en-GB"


def test_json_ld_without_source_credits_the_site_and_escapes_markup(site_copy, tmp_path):
    site = site_copy("minimal")
    write_article(site, "x.md", '---\ntitle: "A </script><b> trick & more"\ndate: 2024-03-02T08:00:00Z\n---\n\nBody.\n')
    build_site(site, tmp_path / "out")
    html = (tmp_path / "out" / "2024/03/02/a-script-b-trick-more/index.html").read_text()
    assert "</script><b>" not in html  # the headline cannot close the JSON-LD block
    data = json_ld(html)
    assert data["headline"] == "A </script><b> trick & more"
    assert data["author"]["name"] == "Minimal Digest" and "sourceOrganization" not in data
    assert "dateline" not in data and "correction" not in data and "contentLocation" not in data
    assert data["dateModified"] == data["datePublished"] == "2024-03-02T08:00:00+00:00"


def test_visible_dates_agree_with_the_structured_data(built):
    _, out = built
    for page in sorted(out.glob("2025/*/*/*/index.html")):
        html = page.read_text()
        data = json_ld(html)
        times = {attrs.get("class"): attrs.get("datetime") for tag, attrs in parse_page_text(html).tags
                 if tag == "time" and attrs.get("class") in ("published", "updated")}
        assert times["published"] == data["datePublished"]
        assert times.get("updated", data["datePublished"]) == data["dateModified"]
        assert meta(html, "article:published_time") == [data["datePublished"]]
    text = parse_page(out / A2).text
    # one byline: dateline, source, date and time, and the update; one separator between two parts
    assert "Vilnius · Reuters · 11 September 2025, 12:30 (UTC+03:00) · Updated 12 September 2025, 09:00 " \
           "(UTC+03:00)" in " ".join(text.split())


def test_open_graph_twitter_and_canonical(built):
    _, out = built
    html = (out / A1).read_text()
    url = "https://example.org/news/" + A1.removesuffix("index.html")
    assert meta(html, "og:type") == ["article"] and meta(html, "og:url") == [url]
    assert meta(html, "og:title") == meta(html, "twitter:title") == ["Belarus frees prisoners"]
    assert meta(html, "og:description") == ["Fifty-two prisoners crossed into Lithuania."]
    assert meta(html, "twitter:card") == ["summary"] and meta(html, "og:locale") == ["en_GB"]
    assert meta(html, "article:tag") == ["Human Rights", "Diplomacy"]
    assert f'<link rel="canonical" href="{url}">' in html
    home = (out / "index.html").read_text()
    assert meta(home, "og:type") == ["website"] and meta(home, "og:url") == ["https://example.org/news/"]
    assert meta((out / "404.html").read_text(), "og:url") == []  # served at any path: no one URL


def test_json_feed_beside_every_atom_feed(built):
    _, out = built
    atom_feeds = sorted(p.relative_to(out).as_posix() for p in out.rglob("feed.xml"))
    json_feeds = sorted(p.relative_to(out).as_posix() for p in out.rglob("feed.json"))
    assert [p.replace(".xml", ".json") for p in atom_feeds] == json_feeds
    for path in json_feeds:
        feed = json.loads((out / path).read_bytes())
        atom = feedparser.parse((out / path.replace(".json", ".xml")).read_bytes())
        assert not atom.bozo
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert feed["feed_url"] == "https://example.org/news/" + path
        assert [i["title"] for i in feed["items"]] == [e.title for e in atom.entries]
        assert [i["url"] for i in feed["items"]] == [e.link for e in atom.entries]
        for item in feed["items"]:
            assert datetime.fromisoformat(item["date_published"]).tzinfo is not None
            assert item["content_html"] and item["authors"][0]["name"]
    site_feed = json.loads((out / "feed.json").read_bytes())
    first = next(i for i in site_feed["items"] if i["title"] == "Belarus frees prisoners")
    assert "<strong>52</strong>" in first["content_html"] and "<script" not in first["content_html"]
    assert first["tags"][:1] == ["Belarus"] and first["summary"] == "Fifty-two prisoners crossed into Lithuania."


def news_entries(path) -> list[tuple[str, str]]:
    root = ET.parse(path).getroot()
    entries = []
    for url in root.findall("s:url", NEWS):
        news = url.find("n:news", NEWS)
        assert news.findtext("n:publication/n:name", namespaces=NEWS)
        assert news.findtext("n:publication/n:language", namespaces=NEWS)
        entries.append((url.findtext("s:loc", namespaces=NEWS), news.findtext("n:publication_date", namespaces=NEWS)))
    return entries


def test_news_sitemap_lists_the_last_two_days_by_the_sites_clock(site_copy, tmp_path):
    site = site_copy("minimal")
    for name, when in (("old", "2024-03-05T09:00:00Z"), ("recent", "2024-03-06T10:00:00Z"),
                       ("fresh", "2024-03-07T08:00:00Z"), ("future", "2024-03-07T12:00:00Z")):
        write_article(site, f"{name}.md", f"---\ntitle: {name}\ndate: {when}\n---\n\nText.\n")
    now = datetime(2024, 3, 7, 9, 30, tzinfo=UTC)
    build_site(site, tmp_path / "prod", published_before=now)
    entries = news_entries(tmp_path / "prod" / "news-sitemap.xml")
    assert [loc.rsplit("/", 2)[1] for loc, _ in entries] == ["fresh", "recent"]  # not "old" (> 2 days), not future
    assert all(datetime.fromisoformat(date) > now - timedelta(days=2) for _, date in entries)
    root = ET.parse(tmp_path / "prod" / "news-sitemap.xml").getroot()
    assert root.find("s:url/n:news/n:publication/n:name", NEWS).text == "Minimal Digest"
    assert root.find("s:url/n:news/n:publication/n:language", NEWS).text == "en"
    assert "news-sitemap.xml" in (tmp_path / "prod" / "robots.txt").read_text()
    # without a clock the newest article is the reference, so the output stays deterministic
    build_site(site, tmp_path / "dev")
    assert [loc.rsplit("/", 2)[1] for loc, _ in news_entries(tmp_path / "dev" / "news-sitemap.xml")] == \
        ["future", "fresh", "recent"]


def test_news_sitemap_holds_at_most_1000_articles():
    base = datetime(2025, 9, 11, 12, 0, tzinfo=UTC)
    article = ArticleView(title="t", url="", date=base, has_time=True, updated=None, dateline="", source="",
                          summary="", body=Markup(""), terms=(), taxonomy_names=(), correction="", image="",
                          image_alt="", image_caption="", image_credit="", published=base.isoformat(), section="",
                          extra={})
    articles = [dataclasses.replace(article, url=f"a{i}/", date=base - timedelta(minutes=i)) for i in range(1200)]
    chosen = news_articles(articles, None)
    assert len(chosen) == NEWS_LIMIT == 1000
    assert chosen[0].url == "a0/" and chosen[-1].url == "a999/"
    assert news_articles(articles, base - timedelta(days=3)) == []
    assert news_language("en-GB") == "en" and news_language("zh-TW") == "zh-tw" and news_language("de") == "de"


def test_host_files_are_written_only_when_asked(site_copy, tmp_path):
    site = site_copy("minimal")
    build_site(site, tmp_path / "plain")
    assert not (tmp_path / "plain" / "_headers").exists() and not (tmp_path / "plain" / "_redirects").exists()
    assert (tmp_path / "plain" / "404.html").exists() and (tmp_path / "plain" / "robots.txt").exists()
    with open(site / "site.yaml", "a") as config:
        config.write("params:\n  host_headers: true\n  redirects:\n    old/story/: 2024/03/01/hello-world/\n")
    build_site(site, tmp_path / "hosted")
    headers = (tmp_path / "hosted" / "_headers").read_text()
    assert "/*\n" in headers and "Content-Security-Policy: default-src 'self'" in headers
    assert "/old/story/ /2024/03/01/hello-world/ 301" in (tmp_path / "hosted" / "_redirects").read_text()


def test_an_article_image_or_the_sites_makes_a_large_card(site_copy, tmp_path):
    site = site_copy("full")
    write_article(site, "photo.md", "---\ntitle: Riga by night\ndate: 2025-09-11T22:00:00+03:00\n"
                                    "image: /static/photos/riga.jpg\nimage_alt: The old town lit up\n---\n\nLights.\n")
    write_article(site, "remote.md", "---\ntitle: Remote photo\ndate: 2025-09-11\n"
                                     "image: https://images.example.net/x.jpg\n---\n\nText.\n")
    out = tmp_path / "out"
    build_site(site, out)
    html = (out / "2025/09/11/riga-by-night/index.html").read_text()
    assert meta(html, "og:image") == meta(html, "twitter:image") == ["https://example.org/news/static/photos/riga.jpg"]
    assert meta(html, "og:image:alt") == meta(html, "twitter:image:alt") == ["The old town lit up"]
    assert meta(html, "twitter:card") == ["summary_large_image"]
    assert json_ld(html)["image"] == ["https://example.org/news/static/photos/riga.jpg"]
    assert '<img src="../../../../static/photos/riga.jpg" alt="The old town lit up"' in html  # shown on the page
    remote = (out / "2025/09/11/remote-photo/index.html").read_text()
    assert json_ld(remote)["image"] == ["https://images.example.net/x.jpg"] and '<img src="https://images' in remote
    plain = (out / A1).read_text()
    assert meta(plain, "twitter:card") == ["summary"] and meta(plain, "og:image") == []
    # a site-wide image, for every page and article without one of its own
    with open(site / "site.yaml", "a") as config:
        config.write("image: static/card.png\nimage_alt: The Full Digest's masthead\n")
    build_site(site, out)
    for page in (A1, "index.html", "tags/index.html"):
        html = (out / page).read_text()
        assert meta(html, "og:image") == ["https://example.org/news/static/card.png"], page
        assert meta(html, "twitter:card") == ["summary_large_image"]
    assert json_ld((out / A1).read_text())["image"] == ["https://example.org/news/static/card.png"]
    riga = (out / "2025/09/11/riga-by-night/index.html").read_text()
    assert meta(riga, "og:image") == ["https://example.org/news/static/photos/riga.jpg"]  # its own comes first


def test_a_story_without_a_time_is_published_on_its_date_alone(built):
    _, out = built
    html = (out / "2025/09/10/sao-paulo-stocks-rally/index.html").read_text()
    data = json_ld(html)
    assert data["datePublished"] == data["dateModified"] == "2025-09-10"  # no invented midnight
    assert meta(html, "article:published_time") == ["2025-09-10"]
    assert '<time class="published" datetime="2025-09-10"' in html
    assert data["author"] == {"@type": "Organization", "name": "Deutsche Presse-Agentur", "url": "https://www.dpa.com/",
                              "alternateName": "dpa"}
    # one section: the first country
    assert meta((out / A1).read_text(), "article:section") == ["Belarus"]


def test_the_theme_ships_an_icon_that_a_site_replaces(site_copy, tmp_path):
    site = site_copy("full")
    out = tmp_path / "out"
    build_site(site, out)
    assert (out / "static/favicon.svg").read_text().startswith("<svg")
    assert (out / "favicon.ico").read_bytes() == (out / "static/favicon.ico").read_bytes()
    assert (out / "favicon.ico").read_bytes()[:4] == b"\x00\x00\x01\x00"  # an ICO file
    assert (out / "static/apple-touch-icon.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page = parse_page(out / A1)
    assert {"../../../../static/favicon.svg", "../../../../static/favicon.ico"} <= set(page.assets)
    (site / "static").mkdir()
    (site / "static" / "favicon.ico").write_bytes(b"\x00\x00\x01\x00own")
    build_site(site, out)
    assert (out / "favicon.ico").read_bytes() == b"\x00\x00\x01\x00own"


def test_the_agency_importers_image_mapping_shows_its_caption_and_credit(site_copy, tmp_path):
    site = site_copy("minimal")
    write_article(site, "photo.md", "---\ntitle: Flood in Regensburg\ndate: 2024-03-02\nimage:\n"
                                    "  src: static/images/flood.jpg\n  alt: A flooded street\n"
                                    "  caption: The Danube in Regensburg\n  credit: dpa/Jane Doe\n---\n\nWater.\n")
    write_article(site, "absent.md", "---\ntitle: Picture not delivered\ndate: 2024-03-02\nimage:\n"
                                     "  src: flood-thumb.jpg\n  alt: Not here\n---\n\nText.\n")
    out = tmp_path / "out"
    build_site(site, out)
    html = (out / "2024/03/02/flood-in-regensburg/index.html").read_text()
    assert '<img src="../../../../static/images/flood.jpg" alt="A flooded street"' in html
    assert '<figcaption>The Danube in Regensburg <span class="credit">dpa/Jane Doe</span></figcaption>' in html
    absent = (out / "2024/03/02/picture-not-delivered/index.html").read_text()
    assert "<img" not in absent and meta(absent, "og:image") == []  # a name the agency gave, not a file here
