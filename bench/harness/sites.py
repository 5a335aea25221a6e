"""The benchmark's sites: the same stories written as each tool's site, and an archive of years past the
collection's 19,043 stories."""

from __future__ import annotations

import dataclasses
import itertools
import json
import shutil
from pathlib import Path

from .corpus import Story
from .places import DATELINE_TOOLS, PEERS, Workspace

# Bump a tool's number when its generated site changes shape, so cached sites are rewritten.
SITE_FORMAT = {"dateline": 3, "dateline-lean": 3, "baseline": 3, "hugo": 2, "pelican": 2}


def yaml_list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(json.dumps(v) for v in values) + "]"


def front_matter_markdown(story: Story, date: str, more: tuple[str, ...] = ()) -> str:
    """The story with YAML front matter (Dateline's and Hugo's), MORE lines after its tags."""
    lines = ["---",
             f"title: {json.dumps(story.title)}",
             f"date: {date}",
             f"slug: {story.slug}",
             f"countries: {yaml_list(story.countries)}",
             f"tags: {yaml_list(story.tags)}",
             *more,
             f"dateline: {json.dumps(story.dateline)}",
             "source: Reuters",
             "---", "", story.body, ""]
    return "\n".join(lines)


def dateline_markdown(story: Story) -> str:
    return front_matter_markdown(story, story.date.isoformat())


def hugo_markdown(story: Story) -> str:
    # Hugo has no date archives: the day is a third taxonomy.
    return front_matter_markdown(story, f"{story.date.isoformat()}Z", (f"days: [\"{story.date:%Y-%m-%d}\"]",))


def pelican_markdown(story: Story) -> str:
    lines = [f"Title: {story.title}",
             f"Date: {story.date:%Y-%m-%d %H:%M:%S}",
             f"Slug: {story.slug}"]
    if story.tags:
        lines.append(f"Tags: {', '.join(story.tags)}")
    if story.countries:
        lines.append(f"Authors: {', '.join(story.countries)}")
    lines += [f"Dateline: {story.dateline}", "Source: Reuters", "", story.body, ""]
    return "\n".join(lines)


WRITERS = {"dateline": dateline_markdown, "dateline-lean": dateline_markdown, "baseline": dateline_markdown,
           "hugo": hugo_markdown, "pelican": pelican_markdown}


def archive(stories: list[Story], size: int | None) -> list[Story]:
    """The first SIZE stories; past the collection's 19,043, the collection again and again, each copy K years
    later (1987 + K) with "rK-" before its slugs, so that copies never share a URL: an archive of years."""
    if size is None or size <= len(stories):
        return stories if size is None else stories[:size]
    chosen: list[Story] = []
    for copy in itertools.count():
        for story in stories:  # 1987 has no 29 February, so every date exists K years later
            chosen.append(dataclasses.replace(story, date=story.date.replace(year=story.date.year + copy),
                                              slug=f"r{copy}-{story.slug}" if copy else story.slug))
            if len(chosen) == size:
                return chosen
    raise AssertionError("unreachable")


def prepare_sites(workspace: Workspace, stories: list[Story], size: int | None, tools: list[str]) -> list[Story]:
    """Write (or reuse) each tool's site for the first SIZE stories of the archive; return those stories."""
    chosen = archive(stories, size)
    for tool in tools:
        site = workspace.site_dir(size, tool)
        stamp = site / ".bench-stamp"
        expected = json.dumps({"format": SITE_FORMAT[tool], "articles": len(chosen)})
        if not (stamp.exists() and stamp.read_text() == expected):
            if site.exists():
                shutil.rmtree(site)
            articles = site / "content" / "articles"
            write = WRITERS[tool]
            for story in chosen:
                folder = articles / story.folder
                folder.mkdir(parents=True, exist_ok=True)
                (folder / f"{story.slug}.md").write_text(write(story), encoding="utf-8")
            stamp.write_text(expected)
        install_config(site, tool)
    return chosen


def install_config(site: Path, tool: str) -> None:
    """Copy the tool's config (and templates) into SITE; cheap, so done every run."""
    if tool in DATELINE_TOOLS:
        config = ("title: Dateline bench\n"
                  "base_url: https://example.org/\n"
                  "articles_per_page: 20\n")
        if tool == "dateline-lean":
            config += "related_articles: 0\n"  # as the peers: none
        if not (site / "site.yaml").exists() or (site / "site.yaml").read_text() != config:
            (site / "site.yaml").write_text(config)
        if tool != "dateline-lean":
            return
    peer = PEERS / tool
    for source in peer.rglob("*"):
        if source.is_file():
            target = site / source.relative_to(peer)
            if not target.exists() or target.read_bytes() != source.read_bytes():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
