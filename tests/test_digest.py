"""The front page as a digest: arrival order, a lead per day, compact headlines, numbered pages, the archive."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
from test_incremental import touch_later

from dateline.build import build_site
from dateline.config import load_config
from dateline.digest import page_numbers
from dateline.ingest import import_paths
from dateline.scaffold import create_site

from conftest import parse_page, write_article

HEADLINE = re.compile(r'class="headline"><a href="([^"]+)">([^<]+)</a>')
LEAD = re.compile(r'<article class="lead">\s*<h\d class="headline"><a href="[^"]+">([^<]+)</a>')


def headlines(html: str) -> list[str]:
    return [title for _, title in HEADLINE.findall(html)]


def wire(day: str, city: str, lead: str) -> str:
    return f" date {day} {city}: {lead}\n\nA second paragraph with more detail on the story.\n\n– AFP"


def site_with_imports(tmp_path: Path, batches: list[list[tuple[str, str]]]) -> Path:
    """A new site into which each batch of (city, lead) wire copies of 11 September is imported in turn, each
    batch's files named so that their alphabetical order is not the order in which the copy arrived."""
    site = create_site(tmp_path / "site")
    for sample in (site / "content" / "articles").rglob("*.md"):
        sample.unlink()
    for number, batch in enumerate(batches):
        folder = tmp_path / f"wire-{number}"
        folder.mkdir()
        for position, (city, lead) in enumerate(batch):
            (folder / f"{position:03d}.txt").write_text(wire("2025-09-11", city, lead), encoding="utf-8")
        report = import_paths([folder], site, load_config(site))
        assert len(report.written) == len(batch) and not report.rejected
    return site


def test_untimed_stories_keep_the_order_their_copy_arrived_in(tmp_path):
    # arriving in this order, and neither in title order nor in its reverse
    first = [("RIGA", "Mayor opens a bridge over the Daugava river."),
             ("VILNIUS", "Zoo welcomes a rare snow leopard cub."),
             ("TALLINN", "Army holds exercises near the border.")]
    later = [("WARSAW", "Bank keeps interest rates unchanged for now.")]
    site = site_with_imports(tmp_path, [first, later])
    files = sorted((site / "content" / "articles").rglob("*.md"), key=lambda path: path.name)
    assert [path.name[11:15] for path in files] == ["0001", "0002", "0003", "0004"]  # numbered as they arrived
    arrived = [re.search(r"^title: (.+)$", path.read_text(encoding="utf-8"), re.M).group(1) for path in files]
    assert [title.split()[0] for title in arrived] == ["Mayor", "Zoo", "Army", "Bank"]
    out = tmp_path / "out"
    build_site(site, out)
    newest_first = arrived[::-1]
    assert newest_first not in (sorted(newest_first), sorted(newest_first, reverse=True))  # not title order
    home = (out / "index.html").read_text(encoding="utf-8")
    lead = LEAD.findall(home)
    assert len(lead) == 1  # the day's lead goes first; the others keep the order
    assert headlines(home) == lead + [title for title in newest_first if title not in lead]
    day = (out / "2025/09/11/index.html").read_text(encoding="utf-8")
    assert headlines(day) == headlines(home)
    # newer and older links on article pages follow the arrival order, not the lead
    urls = {title: url for url, title in HEADLINE.findall(home)}
    for newer, older in zip(newest_first, newest_first[1:], strict=False):
        page = parse_page(out / urls[newer].lstrip("./") / "index.html")
        assert f"Older: {older} →" in page.text
    feed = (out / "feed.xml").read_text(encoding="utf-8")
    assert [feed.index(title) for title in newest_first] == sorted(feed.index(title) for title in newest_first)


def test_time_comes_first_then_files_in_their_order(site_copy, tmp_path):
    site = site_copy("minimal")
    write_article(site, "b-morning.md", "---\ntitle: Morning news\ndate: 2024-03-01T08:00:00\n---\nText.\n")
    write_article(site, "a-evening.md", "---\ntitle: Evening news\ndate: 2024-03-01T20:00:00\n---\nText.\n")
    write_article(site, "c-zebra.md", "---\ntitle: A zebra escapes\ndate: 2024-03-01\n---\nText.\n")
    write_article(site, "a-aardvark.md", "---\ntitle: Zoo news\ndate: 2024-03-01\n---\nText.\n")
    build_site(site, tmp_path / "out")
    feed = feedparser.parse((tmp_path / "out" / "feed.xml").read_bytes())
    # timed stories newest first, then the untimed ones, the last file first (hello.md, c-zebra.md, a-aardvark.md)
    assert [entry.title for entry in feed.entries] == ["Evening news", "Morning news", "Hello world",
                                                       "A zebra escapes", "Zoo news"]


def test_the_editors_lead_comes_first_and_is_shown_large(site_copy, tmp_path):
    site = site_copy("full")
    out = tmp_path / "out"
    write_article(site, "flash.md", "---\ntitle: Wire flash from Riga\ndate: 2025-09-11T08:30:00+03:00\n"
                                    "urgency: 2\n---\nAs the agency sent it.\n")
    build_site(site, out)
    assert LEAD.findall((out / "index.html").read_text(encoding="utf-8")) == ["Wire flash from Riga"]
    write_article(site, "urgent.md", "---\ntitle: Flood warning for Vilnius\ndate: 2025-09-11T09:00:00+03:00\n"
                                     "priority: 3\nurgency: 4\nsummary: Rivers are rising.\n---\nWater.\n")
    build_site(site, out)
    assert LEAD.findall((out / "index.html").read_text(encoding="utf-8")) == ["Wire flash from Riga"]  # 2 < 3
    urgent = site / "content" / "articles" / "urgent.md"
    touch_later(urgent, urgent.read_text(encoding="utf-8").replace("priority: 3", "priority: 1"))
    build_site(site, out)
    home = (out / "index.html").read_text(encoding="utf-8")
    assert LEAD.findall(home) == ["Flood warning for Vilnius"]  # the most urgent, though the oldest of its day
    assert '<p class="dek">Rivers are rising.</p>' in home  # the lead's summary is shown, not behind a button
    write_article(site, "chosen.md", "---\ntitle: Editors pick\ndate: 2025-09-11T08:00:00+03:00\nlead: true\n"
                                     "---\nPicked.\n")
    build_site(site, out)
    home = (out / "index.html").read_text(encoding="utf-8")
    assert LEAD.findall(home) == ["Editors pick"]  # lead: true over any priority
    day = (out / "2025/09/11/index.html").read_text(encoding="utf-8")
    assert LEAD.findall(day) == ["Editors pick"]


def test_without_a_choice_the_most_covered_story_leads(site_copy, tmp_path):
    site = site_copy("minimal")
    for number, (title, tags) in enumerate([("Storm hits coast", "[weather, ports]"),
                                            ("Ports closed by storm", "[weather, ports, shipping]"),
                                            ("Ferries cancelled", "[weather, shipping]"),
                                            ("Chess champion retires", "[chess]")]):
        write_article(site, f"s{number}.md", f"---\ntitle: {title}\ndate: 2024-03-01\ntags: {tags}\n---\nText.\n")
    build_site(site, tmp_path / "out")
    home = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    # "Ports closed by storm" shares weather (with two stories), ports and shipping (with one each): 2/3 + 1/2 + 1/2
    # against 2/3 + 1/2 for the storm and the ferries
    assert LEAD.findall(home) == ["Ports closed by storm"]


def test_teasers_are_headlines_with_their_summary_behind_a_button(site_copy, tmp_path):
    site = site_copy("full")
    out = tmp_path / "out"
    build_site(site, out)
    html = (out / "page/2/index.html").read_text(encoding="utf-8")
    teasers = re.findall(r'<article class="(?:teaser|lead)">.*?</article>', html, re.S)
    sao_paulo = next(t for t in teasers if "São Paulo stocks rally" in t)
    # the date is there for lists not grouped by day, and hidden by the stylesheet where the day's heading has it
    assert ('<p class="byline"><span class="dateline">São Paulo</span> · <span class="source">dpa</span>'
            '<span class="day"> · <time datetime="2025-09-10">10 September 2025</time></span></p>') in sao_paulo
    assert "<details" in sao_paulo and "Shares rose in São Paulo." in sao_paulo
    britain = next(t for t in teasers if "Britain and Türkiye" in t)
    assert '<span class="day">10 September 2025, </span>02:30</time>' in britain
    assert ".digest-day .byline .day, .day-stories .byline .day { display: none; }" in \
        (out / "static/css/style.css").read_text(encoding="utf-8")
    assert "Wednesday 10 September 2025" in parse_page(out / "page/2/index.html").text  # the day heading
    article = parse_page(out / "2025/09/11/belarus-frees-prisoners/index.html")
    assert "Vilnius · AFP · 11 September 2025, 10:00 (UTC+03:00)" in article.text  # no "· ·"
    related = (out / "2025/09/11/belarus-frees-prisoners/index.html").read_text(encoding="utf-8")
    assert "11 September 2025, </span>12:30</time>" in related.split('id="related-heading"')[1]


def test_pages_are_numbered(site_copy, tmp_path):
    numbers = page_numbers(7, 50, lambda n: f"page/{n}/")
    assert [link.number if link else None for link in numbers] == [1, None, 5, 6, 7, 8, 9, None, 50]
    assert [link.number for link in page_numbers(3, 5, str)] == [1, 2, 3, 4, 5]
    assert [link.number if link else None for link in page_numbers(1, 5, str)] == [1, 2, 3, 4, 5]
    site = site_copy("full")
    out = tmp_path / "out"
    build_site(site, out)
    pager = (out / "page/2/index.html").read_text(encoding="utf-8").split('<nav class="pagination"')[1]
    assert '<a aria-current="page" href="../../page/2/"><span class="visually-hidden">Page </span>2</a>' in pager
    assert 'href="../../"><span class="visually-hidden">Page </span>1</a>' in pager
    assert 'href="../../page/3/"><span class="visually-hidden">Page </span>3</a>' in pager
    assert "../../archive/" in parse_page(out / "page/2/index.html").links  # jump to any day


def test_a_day_that_goes_on_over_the_next_page_says_so(site_copy, tmp_path):
    site = site_copy("minimal")
    for number in range(5):
        write_article(site, f"s{number}.md", f"---\ntitle: Story {number}\ndate: 2024-03-02T0{number}:00:00\n"
                                             "---\nText.\n")
    (site / "site.yaml").write_text((site / "site.yaml").read_text() + "articles_per_page: 2\n")
    build_site(site, tmp_path / "out")
    first = parse_page(tmp_path / "out" / "index.html").text
    second = parse_page(tmp_path / "out" / "page/2/index.html").text
    assert "Saturday 2 March 2024 5 stories" in first and "(continued)" not in first
    assert "Saturday 2 March 2024 (continued) 5 stories" in second


def test_the_archive_is_a_calendar_of_every_day(site_copy, tmp_path):
    site = site_copy("full")
    out = tmp_path / "out"
    build_site(site, out)
    archive = (out / "archive/index.html").read_text(encoding="utf-8")
    assert '<caption>September 2025</caption>' in archive
    for day, count in (("11", 2), ("10", 2), ("08", 1)):
        assert re.search(rf'<a href="../2025/09/{day}/">{int(day)} <small>{count}<span', archive)
    assert "<td>9</td>" in archive  # a day without stories is only a number
    assert '<a href="#m-2025-09-01">September 2025</a>' in archive
