"""Taxonomies: articles grouped into terms, one code path for every taxonomy a site declares; related articles."""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from dateline.config_taxonomies import TaxonomyConfig
from dateline.kinds import KINDS
from dateline.model import Taxonomy, Term
from dateline.pages import Placement
from dateline.parallel import chunks_in_background


def build_taxonomies(articles: Sequence[Placement], declared: Sequence[TaxonomyConfig]) -> tuple[Taxonomy, ...]:
    """The site's taxonomies, as DECLARED; ARTICLES are newest first and each term lists them in that order."""
    return tuple(_group(settings, articles) for settings in declared)


def _group(settings: TaxonomyConfig, articles: Sequence[Placement]) -> Taxonomy:
    kind = KINDS[settings.kind]
    members: dict[str, list[str]] = defaultdict(list)
    mentioned: dict[str, list[str]] = defaultdict(list)
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    # values are one per term in each article, and none in both tiers (front_matter._terms)
    for article in articles:
        for value in article.terms[settings.field]:
            key = kind.key(value)
            members[key].append(article.url)
            spellings[key][value] += 1
        for value in article.terms.get(settings.mentioned_field, ()):
            key = kind.key(value)
            mentioned[key].append(article.url)
            spellings[key][value] += 1
    terms = []
    for key in {**members, **mentioned}:
        name, slug, code = kind.describe(key, spellings[key])
        terms.append(Term(name=name, slug=slug, article_urls=tuple(members.get(key, ())),
                          mentioned_urls=tuple(mentioned.get(key, ())), code=code))
    terms.sort(key=lambda t: (t.name.casefold(), t.slug))
    return Taxonomy(config=settings, terms=tuple(terms))


@contextmanager
def related_articles_in_background(articles: Sequence[Placement], taxonomies: Sequence[Taxonomy], limit: int,
                                   window: int = 40) -> Iterator[Callable[[], dict[str, tuple[str, ...]]]]:
    """For each article URL, up to LIMIT related article URLs, found in worker processes from 2,000 articles
    while the caller goes on: yields the function that waits for them.

    Related means sharing terms (of the taxonomies site.yaml does not declare `related: false`), rarer terms
    weighing more (sharing "Lithuania" says more than sharing "United States"). Candidates are the WINDOW
    articles nearest in time within each shared term, so the cost stays linear in the number of articles
    even when one country covers most of them; in news, related stories are near in time anyway.
    """
    if limit == 0:
        yield dict
        return
    position = {article.url: index for index, article in enumerate(articles)}  # 0 = newest
    term_lists: dict[tuple[str, str], list[int]] = {}
    for taxonomy in (t for t in taxonomies if t.config.related):
        for term in taxonomy.terms:
            if term.article_urls:  # not a term that articles only mention
                term_lists[(taxonomy.name, term.slug)] = sorted(position[u] for u in term.article_urls)
    weights = {key: 1.0 + math.log(len(articles) / len(indices)) for key, indices in term_lists.items()}
    terms_of: dict[int, list[tuple[str, str]]] = defaultdict(list)
    for key, indices in term_lists.items():
        for index in indices:
            terms_of[index].append(key)
    half = window // 2
    urls = [article.url for article in articles]

    def related_to(chosen: Sequence[int]) -> list[tuple[int, ...]]:
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
            found.append(tuple(other for _, _, other in best))
        return found

    # Workers send positions, made into URLs here: the URL strings then are the placements' own, where the
    # workers' would arrive as new copies (one per article and chunk of results) kept to the end of the build.
    with chunks_in_background(related_to, range(len(urls)), min_items=2000) as results:
        yield lambda: {url: tuple(urls[other] for other in others)
                       for url, others in zip(urls, results(), strict=True)}


def with_their_urls(related: dict[str, tuple[str, ...]], articles: Sequence[Placement]) -> dict[str, tuple[str, ...]]:
    """RELATED (as loaded from the cache) naming the articles by their placements' own URL strings, not a copy
    of each (about 100 bytes an article, kept to the end of the build)."""
    own = {article.url: article.url for article in articles}
    return {own[url]: tuple(own[other] for other in others) for url, others in related.items()}
