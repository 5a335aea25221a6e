"""Index pages that work at 2,000 terms and at 20: the most used first, A to Z with a jump bar, the least used
on each letter's page; countries by number of stories and by continent."""

from __future__ import annotations

import random
import re
from pathlib import Path

from dateline.build import build_site
from dateline.scaffold import create_site

from conftest import parse_page, write_article

INDEX_LIMIT = 60 * 1024  # bytes: the tags index of a real wire site (2,281 tags) must stay under this
LINK = re.compile(r'<a href="([^"#]+)">')


def generated_site(root: Path, tags: int, articles: int) -> Path:
    """A site whose tags are used the way wire copy uses them: a few very often, most of them once."""
    random.seed(18)
    site = root / "site"
    folder = site / "content" / "articles"
    folder.mkdir(parents=True)
    (site / "site.yaml").write_text("title: Wire\nbase_url: https://example.org/\nrelated_articles: 0\n",
                                    encoding="utf-8")
    kinds, initials = ["Minister", "Company", "Union", "Bank", "Council"], "ABCDEFGHIKLMNOPRSTVWZ"
    names = [f"{random.choice(kinds)} {random.choice(initials)}"
             f"{''.join(random.choices('aeiouklmnrst', k=random.randint(4, 12)))} {number}" for number in range(tags)]
    used = list(names)  # every tag at least once, then a long tail: a few tags in many stories
    used += random.choices(names[:300], weights=[1 / (rank + 1) for rank in range(300)], k=articles * 2)
    random.shuffle(used)
    per_article = -(-len(used) // articles)
    for number in range(articles):
        chosen = sorted(set(used[number * per_article:(number + 1) * per_article]))
        tag_list = ", ".join(f'"{tag}"' for tag in chosen)
        (folder / f"story-{number:04d}.md").write_text(
            f"---\ntitle: Story number {number}\ndate: 2024-0{1 + number % 9}-1{number % 10}\ntags: [{tag_list}]\n"
            "---\n\nText.\n", encoding="utf-8")
    return site


def test_a_tags_index_of_2000_tags_stays_small_and_reaches_every_tag(tmp_path):
    site = generated_site(tmp_path, tags=2000, articles=1000)
    out = tmp_path / "out"
    build_site(site, out)
    index = out / "tags" / "index.html"
    tag_pages = {p.parent.relative_to(out).as_posix() + "/" for p in out.glob("tags/*/index.html")} - {"tags/a-z/"}
    assert len(tag_pages) == 2000
    assert index.stat().st_size < INDEX_LIMIT, index.stat().st_size
    html = index.read_text(encoding="utf-8")
    # the most used first
    top = re.findall(r'<li><a href="../([^"]+)">[^<]+</a> <span class="count">(\d+)</span>',
                     html.split('id="group-top"')[1].split("</ol>")[0])
    counts = [int(count) for _, count in top]
    assert len(top) == 20 and counts == sorted(counts, reverse=True) and counts[0] > counts[-1] > 1
    # every tag is linked from the index or from its letter's page, which the jump bar and the index link
    reached = {link.removeprefix("../") for link in LINK.findall(html)}
    letter_pages = sorted(p for p in reached if p.startswith("tags/a-z/"))
    assert letter_pages and all((out / page / "index.html").exists() for page in letter_pages)
    for page in letter_pages:
        reached |= {link.removeprefix("../../../") for link in LINK.findall((out / page / "index.html").read_text())}
    assert tag_pages <= reached
    assert "Letters" in html and 'href="#group-m"' in html  # the jump bar


def test_a_small_index_lists_every_term_a_to_z(site_copy, tmp_path):
    out = tmp_path / "out"
    build_site(site_copy("full"), out)
    tags = parse_page(out / "tags" / "index.html")
    assert "Most used" not in tags.text  # nothing to rank in five tags
    assert not (out / "tags" / "a-z").exists()
    assert tags.text.index("Diplomacy") < tags.text.index("economy") < tags.text.index("elections") \
        < tags.text.index("Human Rights")
    for link in ("../tags/diplomacy/", "../tags/economy/", "../tags/elections/", "../tags/human-rights/"):
        assert link in tags.links


def test_countries_by_number_of_stories_and_by_continent(site_copy, tmp_path):
    out = tmp_path / "out"
    build_site(site_copy("full"), out)
    html = (out / "countries" / "index.html").read_text(encoding="utf-8")
    ranked = re.findall(r'</span>([^<]+)</a> <span class="count">(\d+)</span>',
                        html.split('id="group-top"')[1].split("</ol>")[0])
    assert ranked[:2] == [("Lithuania", "2"), ("United States", "2")] and len(ranked) == 7
    text = parse_page(out / "countries" / "index.html").text
    for continent, countries in (("Africa", ["Kenya"]), ("Asia", ["Türkiye"]),
                                 ("Europe", ["Belarus", "Lithuania", "United Kingdom"]),
                                 ("North America", ["United States"]), ("South America", ["Brazil"])):
        section = html.split(f'id="group-{continent.lower().replace(" ", "-")}">')[1].split("</section>")[0]
        assert [name for name in re.findall(r"</span>([^<]+)</a>", section)] == countries, continent
    assert text.index("Africa") < text.index("Asia") < text.index("Europe") < text.index("North America")
    assert "Oceania" not in text  # no story there


def test_every_taxonomy_a_new_site_declares_has_the_same_index(tmp_path):
    """Sources, people and organisations, as `new` declares them, get the indexes tags get (the most used
    first, A to Z, the least used folded onto letters' pages); countries theirs by continent, with mentions."""
    site = create_site(tmp_path / "site")
    for sample in (site / "content" / "articles").rglob("*.md"):
        sample.unlink()
    for number in range(400):  # 400 people named once, two named often: more than an index lists
        people = [f"Person {_name(number)}"] + (["Olaf Scholz"] if number % 8 == 0 else []) + \
            (["Emmanuel Macron"] if number % 20 == 0 else [])
        write_article(site, f"story-{number:03d}.md",
                      f"---\ntitle: Story {number}\ndate: 2025-09-{1 + number % 28:02d}\n"
                      f"source: {['AFP', 'Reuters', 'dpa'][number % 3]}\npeople: [{', '.join(people)}]\n"
                      f"organisations: [Body {number % 5}]\ncountries: [LT]\n"
                      f"mentioned_countries: [{'DE' if number % 2 else 'KE'}]\n---\n\nText.\n")
    out = tmp_path / "out"
    build_site(site, out)
    people = (out / "people" / "index.html").read_text(encoding="utf-8")
    top = re.findall(r'">([^<]+)</a> <span class="count">(\d+)</span>',
                     people.split('id="group-top"')[1].split("</ol>")[0])
    assert top == [("Olaf Scholz", "50"), ("Emmanuel Macron", "20")]  # the others are named once
    assert '<nav class="jump" aria-label="Letters">' in people
    letter_pages = sorted(out.glob("people/a-z/*/index.html"))
    assert letter_pages  # 402 people: those named once are on their letter's page
    reached = {link for page in letter_pages for link in LINK.findall(page.read_text(encoding="utf-8"))}
    assert len({link for link in reached if "/people/person-" in link}) == 400
    for name, terms in (("sources", ["AFP", "dpa", "Reuters"]), ("organisations", [f"Body {n}" for n in range(5)])):
        html = (out / name / "index.html").read_text(encoding="utf-8")
        assert 'id="group-top"' not in html and not (out / name / "a-z").exists()  # a few terms: A to Z only
        listed = re.findall(r'<li><a href="[^"]+">([^<]+)</a> <span class="count">', html)
        assert listed == terms, name
    countries = (out / "countries" / "index.html").read_text(encoding="utf-8")
    europe = countries.split('id="group-europe">')[1].split("</section>")[0]
    assert re.findall(r"</span>([^<]+)</a>", europe) == ["Germany", "Lithuania"]
    assert '<span class="count">0</span> <span class="mentions">+200 mentioned</span>' in europe  # Germany
    assert 'id="group-africa">' in countries  # Kenya, only ever mentioned


def _name(number: int) -> str:
    """A surname of its own for each number, starting with one of many letters."""
    return "ABCDEFGHIKLMNOPRSTVWZ"[number % 21] + "".join("aeiklmnorstu"[int(d)] for d in str(number)) + "son"
