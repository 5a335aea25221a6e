"""The digest: each day's lead story, the days of a list page, and the page numbers under it.

A day's stories are listed in the site's order (content.site_order): newest first, untimed stories in the
order their copy arrived. The lead goes first and is shown large; the others are compact headlines. Like every
part of the page list, it reads articles as Placements (pages.py): the lead from their `lead`, `priority` and
terms, the days from their dates.
"""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING

from dateline.model import Taxonomy

if TYPE_CHECKING:
    from dateline.pages import Placement


def day_url(day: date) -> str:
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}/"


def day_leads(articles: Sequence[Placement], taxonomies: Iterable[Taxonomy]) -> dict[date, str]:
    """The URL of each day's lead story, ARTICLES being in the site's order. The lead is, in this order:

    1. the first story of the day whose front matter says `lead: true`;
    2. else the most urgent story that gives a `priority:`, or an `urgency:` as agencies send it (1 the most
       urgent), the first of equals;
    3. else the most covered story: the one sharing the most terms (tags, people...) with the day's other
       stories, a term shared by c of them counting (c - 1) / c, so that a term the day repeats in many
       short items ("Record March" in dividend notices) counts no more than one a few real stories share;
       shared countries (terms of a `kind: country` taxonomy) break ties, then the site's order. Only the
       taxonomies that make stories related count (not `related: false`, such as a new site's sources: a
       day's copy from one agency is not one story).

    It reads only what a Placement holds, so an edit that can change a day's lead moves its story.
    """
    by_day: dict[date, list[Placement]] = defaultdict(list)
    for article in articles:
        by_day[article.date.date()].append(article)
    chosen = {day: _editors_lead(stories) for day, stories in by_day.items()}
    undecided = {day for day, url in chosen.items() if url is None}
    if undecided:
        coverage = _coverage(by_day, undecided, taxonomies)
        for day in undecided:
            # max() keeps the first of equals: the newest story in the site's order
            chosen[day] = max(by_day[day], key=lambda a: coverage.get(a.url, (0.0, 0.0))).url
    return chosen  # type: ignore[return-value]


def _editors_lead(stories: list[Placement]) -> str | None:
    for story in stories:
        if story.lead:
            return story.url
    urgent = [story for story in stories if story.priority is not None]
    return min(urgent, key=lambda story: story.priority).url if urgent else None  # type: ignore[arg-type]


def _coverage(by_day: dict[date, list[Placement]], days: set[date],
              taxonomies: Iterable[Taxonomy]) -> dict[str, tuple[float, float]]:
    """(shared terms, shared countries) of each story of DAYS: for each of its terms that c stories of its day
    have, (c - 1) / c."""
    day_of = {a.url: day for day in days for a in by_day[day]}
    shared: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for taxonomy in (t for t in taxonomies if t.config.related):
        place = 1 if taxonomy.config.kind == "country" else 0  # where a story happened, not what it is about
        for term in taxonomy.terms:
            if len(term.article_urls) < 2:
                continue  # most tags of a wire site: nothing shared
            per_day = Counter(day_of[url] for url in term.article_urls if url in day_of)
            if max(per_day.values(), default=0) < 2:
                continue  # a term of one story a day covers nothing
            for url in term.article_urls:
                if url in day_of:
                    stories = per_day[day_of[url]]
                    shared[url][place] += (stories - 1) / stories
    return {url: (counts[0], counts[1]) for url, counts in shared.items()}


@dataclass(frozen=True)
class DigestDay:
    """One day's stories on a list page (the digest groups news by day)."""

    day: date
    url: str  # that day's archive page
    articles: tuple[Placement, ...]  # this page's stories of the day, the lead first (older templates list these)
    lead: Placement | None = None  # the day's lead, on the page where the day starts
    headlines: tuple[Placement, ...] = ()  # the others, as compact headlines
    count: int = 0  # the day's stories in the whole list, all pages together
    continued: bool = False  # the day started on the page before


def lead_first(articles: Sequence[Placement], day_of: Mapping[str, date],
               leads: dict[date, str]) -> list[Placement]:
    """ARTICLES (in the site's order) with each day's lead moved to the top of its day. DAY_OF: each article's
    day by URL (a datetime's date() costs more than a look-up, and a large site's lists ask 200,000 times)."""
    ordered: list[Placement] = []
    start = 0  # where the current day starts in ORDERED
    for article in articles:
        day = day_of[article.url]
        if ordered and day_of[ordered[start].url] != day:
            start = len(ordered)
        if leads.get(day) == article.url:
            ordered.insert(start, article)
        else:
            ordered.append(article)
    return ordered


def digest_days(page: Sequence[Placement], page_days: Sequence[date], leads: dict[date, str] | None = None,
                counts: dict[date, int] | None = None, *, continues: bool = False) -> list[DigestDay]:
    """The days of one list page: PAGE's stories (newest first, each day's lead at its top when LEADS gives
    them), whose days are PAGE_DAYS, grouped by day. COUNTS: each day's stories in the whole list;
    CONTINUES: the page's first day started on the page before."""
    days: list[DigestDay] = []
    for day, group in groupby(zip(page_days, page, strict=True), key=_FIRST):
        stories = tuple(map(_SECOND, group))
        lead = stories[0] if leads is not None and leads.get(day) == stories[0].url else None
        days.append(DigestDay(day=day, url=day_url(day), articles=stories, lead=lead,
                              headlines=stories[1:] if lead else stories,
                              count=counts.get(day, len(stories)) if counts else len(stories),
                              continued=continues and not days))
    return days


_FIRST, _SECOND = itemgetter(0), itemgetter(1)
_URL = attrgetter("url")


class DigestList:
    """A list's stories (in the site's order; each day's lead first when LEADS gives them) as list pages show
    them, a slice at a time. DAY_OF: each story's day by URL (a datetime's date() costs more than a look-up,
    and a large site's lists ask 200,000 times)."""

    def __init__(self, articles: Sequence[Placement], day_of: Mapping[str, date],
                 leads: dict[date, str] | None = None) -> None:
        self.listed = lead_first(articles, day_of, leads) if leads is not None else articles
        self.days = list(map(day_of.__getitem__, map(_URL, self.listed)))  # in C: lists hold 50,000 entries
        self.counts = Counter(self.days)
        self.leads = leads

    def __len__(self) -> int:
        return len(self.listed)

    def page(self, start: int, per_page: int) -> list[DigestDay]:
        """The days of the PER_PAGE stories from START."""
        chunk = self.listed[start:start + per_page]
        return digest_days(chunk, self.days[start:start + len(chunk)], self.leads, self.counts,
                           continues=start > 0 and bool(chunk) and self.days[start - 1] == self.days[start])


@dataclass(frozen=True)
class PageLink:
    number: int
    url: str


def page_numbers(number: int, total: int, url_of, around: int = 2) -> tuple[PageLink | None, ...]:
    """The numbered links of a pager: the first and last pages, and AROUND pages either side of NUMBER;
    None where numbers are left out ("1 … 4 5 6 7 8 … 50"). None at all for a list of one page."""
    if total == 1:
        return ()
    shown = sorted({1, total, *range(max(1, number - around), min(total, number + around) + 1)})
    links: list[PageLink | None] = []
    for previous, current in zip([0, *shown], shown, strict=False):
        if current - previous == 2:  # a gap of one page: show it rather than an ellipsis
            links.append(PageLink(previous + 1, url_of(previous + 1)))
        elif current - previous > 2:
            links.append(None)
        links.append(PageLink(current, url_of(current)))
    return tuple(links)


@dataclass(frozen=True)
class ArchiveDay:
    day: date
    url: str
    count: int  # stories that day


@dataclass(frozen=True)
class ArchiveMonth:
    """A month of the archive: its days with stories, and its calendar."""

    month: date  # the first of the month
    days: tuple[ArchiveDay, ...]  # the days with stories, newest first
    weeks: tuple[tuple[ArchiveDay | int, ...], ...]  # Monday to Sunday: a day without stories is its number
    # alone, 0 a day of the month before or after


def archive_months(counts: dict[date, int]) -> list[ArchiveMonth]:
    """Every month with stories, newest first, from each day's number of stories."""
    months: dict[tuple[int, int], dict[int, ArchiveDay]] = defaultdict(dict)
    for day in sorted(counts, reverse=True):
        months[(day.year, day.month)][day.day] = ArchiveDay(day, day_url(day), counts[day])
    return [ArchiveMonth(date(year, month, 1), tuple(days.values()),
                         tuple(tuple(days.get(number, number) for number in week)
                               for week in calendar.Calendar().monthdayscalendar(year, month)))
            for (year, month), days in months.items()]
