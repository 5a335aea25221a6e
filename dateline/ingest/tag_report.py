"""What the learned tagger knows, for editors: the `tags` command's table and `tags --explain FILE`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from dateline.config import LearnedTagsConfig, SiteConfig
from dateline.ingest.agency import agency_fields, agency_text
from dateline.ingest.article import Draft, enrich
from dateline.ingest.formats import Story, parse_stories
from dateline.ingest.learned_tags import ModelState, add_learned, model_path
from dateline.ingest.tag_model import LEARNED_KEY, TagStats, article_text
from dateline.text import slugify


def tag_table(state: ModelState, settings: LearnedTagsConfig) -> list[TagStats]:
    """Every tag of the training set, most examples first: the trained ones with their cross-validated
    precision and recall, the others with why they are not learned."""
    trained = {slugify(stats.name): stats for stats in state.model.stats} if state.model else {}
    total = len(state.training.articles)
    rows = []
    for key, examples in state.training.examples().items():
        if key in trained:
            rows.append(trained[key])
        elif examples < settings.min_examples:
            rows.append(TagStats(state.training.names[key], examples,
                                 reason=f"too few examples ({examples} of {settings.min_examples})"))
        elif total - examples < settings.min_examples:
            rows.append(TagStats(state.training.names[key], examples,
                                 reason=f"on nearly every tagged article ({total - examples} without it)"))
        else:
            rows.append(TagStats(state.training.names[key], examples, reason="not trained (see the warning)"))
    return sorted(rows, key=lambda row: (-row.examples, row.name))


def describe(site_dir: Path, state: ModelState, config: SiteConfig) -> list[str]:
    """The `tags` command's report: what the archive teaches, and per tag whether the importer uses it
    (and whether site.yaml's topics give it by keywords too: both add their tags)."""
    settings = config.import_.learned_tags
    keyword_tags = {slugify(tag) for tag in config.topics}
    training = state.training
    lines = [f"{len(training.articles):,} tagged articles teach the importer's tags ({training.untagged:,} without "
             f"tags and {training.imported_untouched:,} imported articles nobody edited are left out)."]
    if state.model:
        used = sum(1 for s in state.model.stats if s.used)
        path = model_path(site_dir)
        size = path.stat().st_size if path.is_file() else 0
        shown = f"{size / 1024 / 1024:.1f} MiB" if size >= 1024 * 1024 else f"{size / 1024:.0f} KiB"
        lines.append(f"Model: {used} of {len(state.model.stats)} trained tags used (min_examples "
                     f"{settings.min_examples}, min_precision {settings.min_precision:g}); trained in "
                     f"{state.model.seconds:.1f} s; {path.relative_to(site_dir)}, {shown}.")
    elif not state.warnings:
        lines.append(f"No tag has {settings.min_examples} tagged articles with it and as many without yet: the "
                     "importer tags by site.yaml's topics alone.")
    rows = tag_table(state, settings)
    if rows:
        width = max(len("tag"), *(len(row.name) for row in rows))
        lines.append("")
        lines.append(f"{'tag':<{width}}  examples  precision  recall  used")
        for row in rows:
            measured = (f"{row.precision:>9.2f}  {row.recall:>6.2f}" if row.precision is not None
                        else f"{'-':>9}  {'-':>6}")
            keywords = "; site.yaml's topics give it by keywords too" if slugify(row.name) in keyword_tags else ""
            lines.append(f"{row.name:<{width}}  {row.examples:>8,}  {measured}  "
                         + ("yes" if row.used else f"no: {row.reason}") + keywords)
    return lines


def explain(state: ModelState, config: SiteConfig, source: Path, data: bytes, *,
            now: dt.datetime | None = None) -> list[str]:
    """The `tags --explain FILE` report: the tags an import would write for each story of DATA (plain wire copy
    or an agency format; the importer's own steps, so exactly those), and for the learned tags given (and the
    nearest missed) the words that weighed most. NOW: the clock agency_fields is given (tags do not depend on
    it). Raises NotWireCopy."""
    stories = parse_stories(data)
    lines: list[str] = []
    for number, story in enumerate(stories, start=1):
        if number > 1:
            lines.append("")
        where = f"{source} (story {number} of {len(stories)})" if len(stories) > 1 else str(source)
        lines.extend(_explain_story(state, config, where, story, now or dt.datetime.now(dt.UTC)))
    return lines


def _explain_story(state: ModelState, config: SiteConfig, where: str, story: Story, now: dt.datetime) -> list[str]:
    model = state.model
    draft = enrich(story.copy, config, story.language)
    if story.format != "text":  # the agency's facts, subjects first, as the importer lays them over
        draft = Draft(agency_fields(draft.fields, story, config, now=now), agency_text(story, draft)[1])
    text = article_text(draft.title, draft.body)
    scores = model.scores(text) if model else []
    draft = add_learned(draft, [name for name, score in scores if score > 0], config.import_.max_tags)
    lines = [f"{where}: {draft.title}", f"tags: [{', '.join(draft.fields['tags'])}]"]
    if LEARNED_KEY in draft.fields:
        lines.append(f"{LEARNED_KEY}: [{', '.join(draft.fields[LEARNED_KEY])}]")
    if not model:
        lines.append("No learned tags: the archive does not teach any tag yet (see `python build.py tags`).")
        return lines
    shown = [item for item in scores if item[1] > 0] + [item for item in scores if item[1] <= 0][:3]
    lines.append("")
    lines.append("Learned tagger (score above 0: given), and the words that weighed most:")
    for name, score in shown:
        words = ", ".join(f"{term!r} {part:+.2f}" for term, part in model.reasons(text, name) if abs(part) >= 0.005)
        lines.append(f"  {name} {score:+.2f} {'given' if score > 0 else 'not given'}: {words or 'no known words'}")
    return lines
