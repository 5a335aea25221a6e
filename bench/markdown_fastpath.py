#!/usr/bin/env python3
"""Measure the plain-prose fast path of Markdown rendering against python-markdown on the benchmark sites.

    .venv/bin/python bench/markdown_fastpath.py [--repeat 3] [--sizes 10000,all]

Reads the article files `bench/run.py` already generated from Reuters-21578 under the git-ignored
bench/work/sites/SIZE/dateline/content/articles/ (run `make bench`, or `python bench/run.py --sizes
10000,all --tools dateline --repeat 1`, first; this script generates nothing and exits with a message
when they are absent). For each size it prints the share of bodies the fast path takes, how many of
its outputs differ from python-markdown's (must be 0), and milliseconds per article for
python-markdown against the fast path with python-markdown as fallback, both bare and as the
renderer runs them for an untrusted site (then nh3). Timings are the best of --repeat passes over
all bodies, in one process.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import markdown  # noqa: E402

from dateline.article_files import split_front_matter  # noqa: E402
from dateline.markup import (  # noqa: E402
    _EXTENSIONS,
    _FIRST_LINE_SYNTAX,
    _LINE_SYNTAX,
    _SYNTAX_CHARACTER,
    MarkdownRenderer,
    plain_paragraphs_html,
    sanitise,
    sanitised_plain_paragraphs_html,
)

SITES = ROOT / "bench" / "work" / "sites"


def best_ms_per_article(render: Callable[[str], str], bodies: list[str], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for body in bodies:
            render(body)
        best = min(best, time.perf_counter() - start)
    return best / len(bodies) * 1000


def why_declined(body: str) -> str:
    if match := _SYNTAX_CHARACTER.search(body):
        return repr(match.group())
    if match := _FIRST_LINE_SYNTAX.match(body) or _LINE_SYNTAX.search(body):
        return f"line starts with {match.group().lstrip(chr(10))!r}"
    if " \n" in body or body.endswith(" "):
        return "space at a line's end"
    return "other whitespace, control or format character"


def measure(size: str, repeat: int) -> None:
    files = sorted((SITES / size / "dateline" / "content" / "articles").rglob("*.md"))
    bodies = [split_front_matter(path, path.read_bytes()).body for path in files]
    engine = markdown.Markdown(extensions=_EXTENSIONS, output_format="html")

    def python_markdown(text: str) -> str:
        engine.reset()
        return engine.convert(text)

    fast = [plain_paragraphs_html(body) for body in bodies]
    taken = [(body, html) for body, html in zip(bodies, fast, strict=True) if html is not None]
    differing = sum(html != python_markdown(body) for body, html in taken)
    declined_bodies = [body for body, html in zip(bodies, fast, strict=True) if html is None]
    tagged = [(body, html) for body in declined_bodies
              if (html := sanitised_plain_paragraphs_html(body)) is not None]
    tagged_differing = sum(html != sanitise(python_markdown(body)) for body, html in tagged)
    renderer = MarkdownRenderer(trust_html=False)
    pipeline_differing = sum(renderer.render(body) != sanitise(python_markdown(body)) for body in bodies)
    declined = Counter(why_declined(body) for body, html in zip(bodies, fast, strict=True) if html is None)

    print(f"\n== {size}: {len(bodies)} articles, mean body {sum(map(len, bodies)) / len(bodies):.0f} characters")
    print(f"fast path taken:                  {len(taken)} ({len(taken) / len(bodies):.1%})")
    print(f"fast-path outputs != markdown:    {differing}")
    print(f"then the <SYMBOL> path (untrusted HTML): {len(tagged)} ({len(tagged) / len(bodies):.1%}), "
          f"outputs != markdown + nh3: {tagged_differing}")
    print(f"renderer outputs != before:       {pipeline_differing}")
    print("declined because of (first hit):  " + ", ".join(f"{why} {n}" for why, n in declined.most_common(6)))
    taken_bodies = [body for body, _ in taken]
    if taken_bodies:
        fast_us = best_ms_per_article(plain_paragraphs_html, taken_bodies, repeat) * 1000
        markdown_taken = best_ms_per_article(python_markdown, taken_bodies, repeat)
        print(f"on the bodies it takes:           fast path {fast_us:.1f} us, python-markdown {markdown_taken:.3f} ms")
    trusted = MarkdownRenderer(trust_html=True)
    rows = [("python-markdown", best_ms_per_article(python_markdown, bodies, repeat)),
            ("fast path, else python-markdown", best_ms_per_article(trusted.render, bodies, repeat)),
            ("renderer before: python-markdown + nh3",
             best_ms_per_article(lambda text: sanitise(python_markdown(text)), bodies, repeat)),
            ("renderer now: fast paths, else python-markdown + nh3",
             best_ms_per_article(renderer.render, bodies, repeat))]
    print("ms per article, all bodies:")
    for label, ms in rows:
        print(f"  {label:<55} {ms:.3f}")
    print(f"speed-up: {rows[0][1] / rows[1][1]:.2f}x without nh3, {rows[2][1] / rows[3][1]:.2f}x with it")

def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,all", help="benchmark sites to read (default 10000,all)")
    parser.add_argument("--repeat", type=int, default=3, help="timing passes, the best counts (default 3)")
    args = parser.parse_args()
    sizes = [size for size in args.sizes.split(",") if (SITES / size / "dateline" / "content" / "articles").is_dir()]
    if not sizes:
        print(f"no benchmark sites under {SITES}/{{{args.sizes}}}/dateline/content/articles/: generate them first "
              "with `make bench` or `python bench/run.py --sizes 10000,all --tools dateline --repeat 1 "
              "--results bench/work/results-dateline.md`", file=sys.stderr)
        return 1
    for size in sizes:
        measure(size, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
