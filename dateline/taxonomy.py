"""Tags and countries: grouping articles into terms, one code path for both; related articles."""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager

from dateline.geo import country_by_code
from dateline.model import Article, Taxonomy, Term
from dateline.parallel import chunks_in_background
from dateline.text import slugify


def build_taxonomies(articles: Sequence[Article]) -> tuple[Taxonomy, ...]:
    """The site's taxonomies; ARTICLES are newest first and the terms keep that order."""
    return (
        _group("tags", "tag", "Tags", articles, lambda a: a.tags, _tag_term),
        _group("countries", "country", "Countries", articles, lambda a: a.countries, _country_term),
    )


def _tag_term(slug: str, spellings: Counter[str]) -> tuple[str, str]:
    # "Human rights" and "human  Rights" are one tag; the page shows the most used spelling.
    name = min(spellings, key=lambda s: (-spellings[s], s))
    return name, ""


def _country_term(code: str, _spellings: Counter[str]) -> tuple[str, str]:
    country = country_by_code(code)
    assert country is not None, code  # content.py only admits known codes
    return country.name, code


def _group(name: str, singular: str, title: str, articles: Sequence[Article],
           values: Callable[[Article], Iterable[str]],
           describe: Callable[[str, Counter[str]], tuple[str, str]]) -> Taxonomy:
    members: dict[str, list[str]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        for value in values(article):
            key = value if singular == "country" else slugify(value)
            if not members[key] or members[key][-1] != article.url:
                members[key].append(article.url)
            spellings[key][value] += 1
    terms = []
    for key, urls in members.items():
        term_name, code = describe(key, spellings[key])
        slug = slugify(term_name) if code else key
        terms.append(Term(name=term_name, slug=slug, article_urls=tuple(urls), code=code))
    terms.sort(key=lambda t: (t.name.casefold(), t.slug))
    return Taxonomy(name=name, singular=singular, title=title, terms=tuple(terms))


@contextmanager
def related_articles_in_background(articles: Sequence[Article], taxonomies: Sequence[Taxonomy], limit: int,
                                   window: int = 40) -> Iterator[Callable[[], dict[str, tuple[str, ...]]]]:
    """For each article URL, up to LIMIT related article URLs, found in worker processes from 2,000 articles
    while the caller goes on: yields the function that waits for them.

    Related means sharing tags and countries, rarer terms weighing more (sharing "Lithuania" says more
    than sharing "United States"). Candidates are the WINDOW articles nearest in time within each
    shared term, so the cost stays linear in the number of articles even when one country covers most
    of them; in news, related stories are near in time anyway.
    """
    if limit == 0:
        yield dict
        return
    position = {article.url: index for index, article in enumerate(articles)}  # 0 = newest
    term_lists: dict[tuple[str, str], list[int]] = {}
    for taxonomy in taxonomies:
        for term in taxonomy.terms:
            term_lists[(taxonomy.name, term.slug)] = sorted(position[u] for u in term.article_urls)
    weights = {key: 1.0 + math.log(len(articles) / len(indices)) for key, indices in term_lists.items()}
    terms_of: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for key, indices in term_lists.items():
        for index in indices:
            terms_of[index].append(key)
    half = window // 2
    urls = [article.url for article in articles]

    def related_to(chosen: Sequence[int]) -> list[tuple[str, ...]]:
        found = []
        for index in chosen:
            scores: dict[int, float] = {}
            for key in terms_of[index]:
                indices, weight = term_lists[key], weights[key]
                at = bisect_left(indices, index)
                for other in indices[max(0, at - half): at + half + 1]:
                    scores[other] = scores.get(other, 0.0) + weight
            scores.pop(index, None)
            # highest score first, then nearest in time, then newest (tuples compare without a key function)
            best = heapq.nsmallest(limit, [(-score, abs(other - index), other) for other, score in scores.items()])
            found.append(tuple(urls[other] for _, _, other in best))
        return found

    with chunks_in_background(related_to, range(len(urls)), min_items=2000) as results:
        yield lambda: dict(zip(urls, results(), strict=True))
