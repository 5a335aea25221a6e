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
    assert data["author"] == data["sourceOrganization"] == {"@type": "Organization", "name": "Reuters"}
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
    assert "Published 11 September 2025, 12:30 (UTC+03:00) · Updated 12 September 2025, 09:00 (UTC+03:00)" in text


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
                          summary="", body=Markup(""), terms=(), taxonomy_names=(), correction="", extra={})
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
