"""A small archive of tagged articles written for the learned-tagger tests (our own text, no corpus).

Three topics an editor tags by hand: "harbour" (ports and shipping), "football" and "weather". Each
article mixes sentences of its topic with sentences any story might carry, so that the topics are
learned from their words, not from one keyword. None of the harbour sentences says "harbour".
"""

from __future__ import annotations

from pathlib import Path

import yaml

TOPICS = {
    "harbour": [
        "Container ships queued outside the terminal as dockworkers unloaded cargo through the night.",
        "Cranes at the quay lifted a record number of containers this month, the port authority said.",
        "Tugboats guided the tanker to its berth after a delay caused by fog in the shipping lane.",
        "Freight rates for bulk carriers rose as vessels waited longer to load grain at the docks.",
        "The terminal operator plans to dredge the channel so that larger vessels can reach the quay.",
        "Stevedores agreed a new wage deal, ending a strike that had left cargo stranded on the docks.",
        "A ferry operator added sailings as the port reopened its second berth for roll-on vessels.",
        "Shipping lines rerouted container vessels while the lock gates were repaired.",
    ],
    "football": [
        "The striker scored twice in the second half as the home side climbed to third in the league.",
        "The coach praised his defenders after a goalless draw away from home.",
        "A late penalty decided the derby, sending the visiting supporters home disappointed.",
        "The club confirmed the signing of a young midfielder on a four-year contract.",
        "The goalkeeper saved two penalties in the shoot-out to take his team into the cup final.",
        "Fans filled the stadium for the opening match of the season despite the rain.",
        "The referee sent off a defender in the first half, and the visitors held on with ten men.",
        "The league leaders lost their unbeaten record after conceding three goals in ten minutes.",
    ],
    "weather": [
        "Forecasters warned of heavy rainfall and strong winds along the coast through Friday.",
        "Temperatures fell below freezing overnight, and meteorologists expect frost in the valleys.",
        "The storm brought down trees and power lines, and several rivers burst their banks.",
        "A heatwave pushed temperatures to a record for June, the weather service said.",
        "Flooding closed roads in the lowlands after a month's rainfall fell in two days.",
        "Meteorologists said the drought would continue as no rain is forecast for the coming week.",
        "Snow blocked mountain passes and the weather service issued its highest warning.",
        "Fog and drizzle are forecast for the weekend before a dry, sunny spell next week.",
    ],
}
COMMON = [
    "Officials said more details would be published later in the week.",
    "The city council is expected to discuss the matter at its next meeting.",
    "Local residents told reporters they had been following the news closely.",
    "A spokesperson declined to comment further on Tuesday.",
]
PER_TOPIC = 12


def story(topic: str, number: int, sentences: int = 3) -> tuple[str, list[str]]:
    """A title and paragraphs about TOPIC; NUMBER picks which sentences, so no two stories are the same."""
    pool = TOPICS[topic]
    picked = [pool[(number + step * 3) % len(pool)] for step in range(sentences)]
    title = picked[0].split(",")[0].split(" as ")[0].rstrip(".")
    return title, [" ".join(picked[:2]), picked[2] + " " + COMMON[number % len(COMMON)]]


def write_archive(site: Path, per_topic: int = PER_TOPIC) -> list[Path]:
    """PER_TOPIC hand-written articles per topic, each tagged with its topic, in SITE/content/articles/2025/."""
    written = []
    for topic in sorted(TOPICS):
        for number in range(per_topic):
            title, paragraphs = story(topic, number)
            fields = {"title": title, "date": f"2025-0{1 + number % 9}-1{number % 10}", "tags": [topic]}
            path = site / "content" / "articles" / "2025" / f"{topic}-{number:02d}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("---\n" + yaml.safe_dump(fields, sort_keys=False) + "---\n\n" + "\n\n".join(paragraphs)
                            + "\n", encoding="utf-8")
            written.append(path)
    return written


def trained_site(folder: Path, settings: str = "") -> Path:
    """A new site in FOLDER with the fixture archive (and SETTINGS appended to its site.yaml), its model trained."""
    from dateline.config import load_config
    from dateline.ingest.learned_tags import current_model
    from dateline.scaffold import create_site

    site = create_site(folder)
    write_archive(site)
    if settings:
        (site / "site.yaml").write_text((site / "site.yaml").read_text(encoding="utf-8") + settings, encoding="utf-8")
    state = current_model(site, load_config(site).import_.learned_tags)
    assert state.model is not None and state.trained, state.warnings
    return site


def wire(date: str, place: str, paragraphs: list[str]) -> str:
    """Raw wire copy in the sample's format."""
    return f" date {date} {place}: " + "\n\n".join(paragraphs) + " – AFP"


def ninjs_item(uri: str, headline: str, paragraphs: list[str], *, version: int = 1,
               when: str = "2025-10-02T09:00:00+00:00", subjects: tuple[tuple[str, str], ...] = (),
               keywords: tuple[str, ...] = ()) -> dict:
    """A ninjs text item (IPTC's JSON news format, as an agency's API delivers it): SUBJECTS are (code, name)."""
    return {"uri": uri, "type": "text", "version": str(version), "versioncreated": when, "firstcreated": when,
            "pubstatus": "usable", "language": "en", "headline": headline, "located": "Rotterdam",
            "copyrightholder": "Harbour Wire",
            "body_html": "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs),
            "subject": [{"code": code, "name": name} for code, name in subjects], "keywords": list(keywords)}


def newsml_g2(items: list[tuple[str, str, list[str]]], when: str = "2025-10-04T07:30:00+02:00") -> str:
    """A NewsML-G2 newsMessage of one newsItem per (guid, headline, paragraphs)."""
    news_items = "".join(f"""
    <newsItem guid="{guid}" version="1" standard="NewsML-G2" standardversion="2.29">
      <itemMeta>
        <itemClass qcode="ninat:text"/>
        <provider qcode="nprov:HW"><name>Harbour Wire</name></provider>
        <versionCreated>{when}</versionCreated>
        <firstCreated>{when}</firstCreated>
        <pubStatus qcode="stat:usable"/>
      </itemMeta>
      <contentMeta>
        <located><name>Hamburg</name></located>
        <keyword>news</keyword>
        <headline>{headline}</headline>
      </contentMeta>
      <contentSet>
        <inlineXML contenttype="application/xhtml+xml">
          <html xmlns="http://www.w3.org/1999/xhtml"><body>{"".join(f"<p>{p}</p>" for p in paragraphs)}</body></html>
        </inlineXML>
      </contentSet>
    </newsItem>""" for guid, headline, paragraphs in items)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/">
  <header><sent>{when}</sent><sender>Harbour Wire</sender></header>
  <itemSet>{news_items}
  </itemSet>
</newsMessage>
"""
