"""Rendering shortcuts ({% cached %} fragments, links relative to the page's depth) never change what pages show."""

from __future__ import annotations

import os
import posixpath
import re
import shutil
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import jinja2
import pytest

from dateline.build import build_site
from dateline.cache import CACHE_DIR
from dateline.errors import DatelineError

from conftest import REPO, write_article

ARTICLE_A1 = "2025/09/11/belarus-frees-prisoners/index.html"
TEASER = re.compile(r'<article class="teaser">.*?</article>', re.S)
HREF = re.compile(r'href="([^"]*)"')


def resolve(out: Path, page: str, link: str) -> str:
    """The output file a relative LINK on PAGE leads to; fails if it climbs out of the site or leads nowhere."""
    path = posixpath.normpath(posixpath.join(posixpath.dirname(page), link.split("#")[0]))
    assert path != ".." and not path.startswith("../"), f"{page}: {link} climbs above the site's root"
    target = out / path
    if target.is_dir():
        target = target / "index.html"
    assert target.is_file(), f"{page}: {link} leads nowhere"
    return target.relative_to(out).as_posix()


def pages(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.html"))}


def teasers_of(out: Path, title: str) -> dict[str, str]:
    """Page -> the teaser showing TITLE on it."""
    return {page: teaser for page, html in pages(out).items() for teaser in TEASER.findall(html) if title in teaser}


def more_diplomacy(site: Path, count: int = 4) -> None:
    """Enough articles on one tag for its pages to be paginated (the full fixture shows 2 per page)."""
    for n in range(count):
        write_article(site, f"extra{n}.md", f"---\ntitle: Envoys meet again {n}\ndate: 2025-09-0{n + 1}T09:00:00Z\n"
                                            "countries: [LT]\ntags: [diplomacy]\n---\n\nText.\n")


def override_template(site: Path, name: str, text: str) -> None:
    """SITE's own templates/NAME, over the default theme's."""
    (site / "templates").mkdir(exist_ok=True)
    (site / "templates" / name).write_text(text, encoding="utf-8")


def test_a_teaser_has_working_links_at_every_depth(site_copy, tmp_path):
    site = site_copy("full")
    more_diplomacy(site)
    out = tmp_path / "out"
    build_site(site, out)
    shown = teasers_of(out, "Belarus frees prisoners")
    # the home page's page 2, a tag's first page, a day, an article's related list, a tag's page 2...
    assert len({page.count("/") for page in shown}) >= 3
    for page, teaser in shown.items():
        links = HREF.findall(teaser)
        assert resolve(out, page, links[0]) == ARTICLE_A1  # the headline
        assert {resolve(out, page, link) for link in links[1:]} >= {"countries/belarus/index.html",
                                                                    "tags/human-rights/index.html"}
    # and every link of every page, teasers or not
    for page, html in pages(out).items():
        for link in HREF.findall(html):
            if not re.match(r"[a-z]+:|#|/", link):
                resolve(out, page, link)


def test_a_site_template_can_cache_fragments(site_copy, tmp_path):
    site = site_copy("full")
    more_diplomacy(site)
    # The same key in two blocks, and one block at two depths (a tag's first page and its page 2).
    override_template(site, "tag.html",
                      '{% extends "default/term.html" %}\n'
                      '{% block heading %}{% cached term.name %}<span class="kicker">Topic</span> {{ term.name }}'
                      '{% endcached %}{% cached term.name %} <a class="all" href="{{ url(\'tags/\') }}">all topics</a>'
                      '{% endcached %}{% endblock %}\n')
    out = tmp_path / "out"
    build_site(site, out)
    heading = re.compile(r'<h1><span class="kicker">Topic</span> ([^<]+) '
                         r'<a class="all" href="([^"]*)">all topics</a></h1>')
    for page, name in (("tags/diplomacy/index.html", "diplomacy"), ("tags/diplomacy/page/2/index.html", "diplomacy"),
                       ("tags/human-rights/index.html", "Human Rights")):
        shown = heading.search((out / page).read_text(encoding="utf-8"))
        assert shown and shown.group(1) == name
        assert resolve(out, page, shown.group(2)) == "tags/index.html"


def test_macros_imported_without_context_link_from_the_page_that_calls_them(site_copy, tmp_path):
    """url() follows the page being rendered, also in a macro file imported without context (Jinja caches
    such a module for the whole build, so it must not keep the first page's way to the root)."""
    site = site_copy("full")
    more_diplomacy(site)
    override_template(site, "_links.html", "{% macro to_archive() %}<a class=\"to-archive\" "
                                           "href=\"{{ url('archive/') }}\">Archive</a>{% endmacro %}")
    for name, extended in (("tag.html", "term.html"), ("404.html", "404.html")):
        override_template(site, name, f'{{% extends "default/{extended}" %}}\n'
                                      '{% from "_links.html" import to_archive %}\n'
                                      "{% block content %}{{ to_archive() }}{{ super() }}{% endblock %}\n")
    out = tmp_path / "out"
    build_site(site, out)
    link = re.compile(r'<a class="to-archive" href="([^"]*)">')
    for page in ("tags/diplomacy/index.html", "tags/diplomacy/page/2/index.html", "tags/human-rights/index.html"):
        shown = link.search((out / page).read_text(encoding="utf-8"))
        assert resolve(out, page, shown.group(1)) == "archive/index.html"
    assert link.search((out / "404.html").read_text(encoding="utf-8")).group(1) == "/news/archive/"


def test_the_404_page_gets_its_own_fragments(built):
    """404.html and index.html are both at the root, but the 404 page's links start at base_url's path."""
    _, out = built
    header = re.compile(r'<header class="site-header">.*?</header>', re.S)
    not_found = header.search((out / "404.html").read_text(encoding="utf-8")).group(0)
    home = header.search((out / "index.html").read_text(encoding="utf-8")).group(0)
    assert 'href="/news/archive/"' in not_found and 'href="archive/"' in home


def test_a_rebuild_in_the_same_process_never_shows_an_old_fragment(site_copy, tmp_path):
    """The preview rebuilds in one process: an edited title and an edited teaser template show at once."""
    site = site_copy("full")
    more_diplomacy(site)
    out = tmp_path / "out"
    build_site(site, out)
    lists = {page for page in teasers_of(out, "Belarus frees prisoners") if page != ARTICLE_A1}
    assert len(lists) >= 4

    source = site / "content" / "articles" / "a1.md"
    source.write_text(source.read_text(encoding="utf-8").replace("title: Belarus frees prisoners",
                                                                 "title: Belarus frees 52 prisoners"), encoding="utf-8")
    build_site(site, out)
    assert "Belarus frees prisoners" not in "".join(pages(out).values())
    assert set(teasers_of(out, "Belarus frees 52 prisoners")) >= lists

    # Same articles, same keys, a new teaser template: no fragment of the build before may come back.
    macros = (Path(__file__).resolve().parent.parent / "templates" / "_macros.html").read_text(encoding="utf-8")
    override_template(site, "_macros.html",
                      macros.replace('<article class="teaser">', '<article class="teaser" data-v="2">'))
    build_site(site, out)
    for page in lists:
        html = (out / page).read_text(encoding="utf-8")
        assert '<article class="teaser">' not in html and '<article class="teaser" data-v="2">' in html


def test_strict_builds_report_undefined_variables_inside_cached_blocks(site_copy, tmp_path):
    site = site_copy("full")
    override_template(site, "tag.html",
                      '{% extends "default/term.html" %}\n{% block heading %}\n{% cached term.name %}\n'
                      '{{ term.name }}{{ term.motto }}\n{% endcached %}\n{% endblock %}\n')
    build_site(site, tmp_path / "lenient")  # an undefined value is empty text, as Jinja does
    assert "<h1>Human Rights\n</h1>" in (tmp_path / "lenient/tags/human-rights/index.html").read_text(encoding="utf-8")
    with pytest.raises(DatelineError) as caught:
        build_site(site, tmp_path / "strict", strict=True)
    (error,) = caught.value.errors
    assert error.path == site.resolve() / "templates" / "tag.html" and error.line == 4
    assert "'motto'" in error.message


def test_one_fragment_serves_every_depth_even_inside_another(site_copy, tmp_path):
    """Fragments are recorded once with their links left open, then each page puts in its own way to the root:
    the front page (links to the root are "./"), a tag's pages at two depths and an article page."""
    site = site_copy("full")
    more_diplomacy(site)
    override_template(site, "base.html",
                      '{% extends "default/base.html" %}\n'
                      '{% block canonical %}{{ super() }}{% cached "outer" %}'
                      '<link rel="outer" href="{{ url(\'tags/\') }}">'
                      '{% cached "inner" %}<link rel="inner" href="{{ url(\'\') }}">{% endcached %}{% endcached %}'
                      '{% cached "inner" %}<link rel="inner-alone" href="{{ url(\'\') }}">{% endcached %}'
                      '{% endblock %}\n')
    out = tmp_path / "out"
    build_site(site, out)
    html = pages(out)
    for page in ("index.html", "tags/diplomacy/index.html", "tags/diplomacy/page/2/index.html", ARTICLE_A1):
        links = dict(re.findall(r'<link rel="(outer|inner|inner-alone)" href="([^"]*)">', html[page]))
        assert links.keys() == {"outer", "inner", "inner-alone"}, page
        assert resolve(out, page, links["outer"]) == "tags/index.html"
        assert resolve(out, page, links["inner"]) == resolve(out, page, links["inner-alone"]) == "index.html"
        assert "\x00" not in html[page]
    assert re.findall(r'<link rel="inner" href="([^"]*)">', html["index.html"]) == ["./"]


def every_file(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def news_site(root: Path, count: int) -> Path:
    """COUNT articles on as many days, with tags and countries shared across them."""
    site = root / "site"
    (site / "content" / "articles").mkdir(parents=True)
    (site / "site.yaml").write_text("title: Wide\nbase_url: https://example.org/news/\n", encoding="utf-8")
    for n in range(count):
        day = date(2023, 1, 1) + timedelta(days=n)
        write_article(site, f"story-{n:04d}.md",
                      f"---\ntitle: Story {n}\ndate: {day}T{n % 24:02d}:00:00Z\n"
                      f"tags: [topic {n % 9}, {'trade' if n % 2 else 'energy'}]\n"
                      f"countries: [{['LT', 'LV', 'EE', 'PL'][n % 4]}]\n---\n\nStory {n} <b>in bold</b>.\n")
    return site


def assert_same_as_one_core(site: Path, root: Path, monkeypatch) -> tuple[dict[str, bytes], list[tuple[int, int]]]:
    """Build SITE on one core (a subprocess pinned with sched_setaffinity), then cold on every core; the two
    must be byte for byte the same. Returns the files, and the item and worker counts of the build's rounds
    of map_chunks (reading articles, related articles, rendering)."""
    import dateline.incremental.rendering
    from dateline.parallel import map_chunks, worker_count

    rounds = []

    def recorded(function, items, **options):
        rounds.append((len(items), options.get("workers") or worker_count()))
        return map_chunks(function, items, **options)

    monkeypatch.setattr(dateline.incremental.rendering, "map_chunks", recorded)
    one_core = subprocess.run([sys.executable, str(REPO / "build.py"), "build", "--site", str(site), "--output",
                               str(root / "one"), "--quiet"], capture_output=True, text=True, timeout=300,
                              preexec_fn=lambda: os.sched_setaffinity(0, {min(os.sched_getaffinity(0))}))
    assert one_core.returncode == 0, one_core.stderr
    shutil.rmtree(site / CACHE_DIR)  # a cold build again, now on every core
    build_site(site, root / "all")
    served = every_file(root / "all")
    assert served == every_file(root / "one")
    return served, rounds


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores to render in worker processes")
def test_workers_sharing_fragments_render_the_same_bytes_as_one_process(tmp_path, monkeypatch):
    """2,100 articles: the snapshot saver takes a core beside the first round (the front page's and the days'
    pages), so on two cores that round renders in the parent; the second round's workers are forked with
    every teaser it recorded, and related articles are found in workers. The site must be byte for byte the
    one a single process makes (an unstated link, a teaser in the wrong block, a missing fragment or related
    articles out of order would show)."""
    served, rounds = assert_same_as_one_core(news_site(tmp_path, 2100), tmp_path, monkeypatch)
    assert len(served) > 4000
    first_round = 2100 + 105  # the days' pages and the front page's
    assert (first_round, len(os.sched_getaffinity(0)) - 1) in rounds
    related = served["2023/01/01/story-0/index.html"].decode()
    assert related.count('<article class="teaser">') == 5 and "\x00" not in related


@pytest.mark.skipif(len(os.sched_getaffinity(0)) < 2, reason="needs two cores to render in worker processes")
def test_first_round_workers_send_their_fragments_back_unchanged(tmp_path, monkeypatch):
    """320 articles: over 300 front-page and day pages, but under 1,000 pages in all, so the snapshot is saved
    before rendering and the first round has every core: its workers send the teasers they record back to
    the parent, and the second round's workers start with them. Byte for byte the one-process site."""
    served, rounds = assert_same_as_one_core(news_site(tmp_path, 320), tmp_path, monkeypatch)
    assert 600 < sum(path.endswith(".html") for path in served) < 1000
    assert (320 + 16, len(os.sched_getaffinity(0))) in rounds  # the days' pages and the front page's


def test_map_chunks_uses_at_most_the_workers_it_is_given():
    from dateline.parallel import map_chunks

    def pids(chunk):
        return [os.getpid() for _ in chunk]

    assert set(map_chunks(pids, range(1000), min_items=10, workers=1)) == {os.getpid()}
    if len(os.sched_getaffinity(0)) >= 2:
        in_workers = set(map_chunks(pids, range(1000), min_items=10, workers=2))
        assert os.getpid() not in in_workers and len(in_workers) <= 2


def test_map_chunks_in_this_process_too_shares_the_chunks_with_fewer_workers():
    """Rendering takes chunks in the parent beside one worker fewer: every chunk done once, results in order."""
    from dateline.parallel import map_chunks

    def pids(chunk):
        return [(n, os.getpid()) for n in chunk]

    progress = []
    done = map_chunks(pids, range(5000), min_items=10, workers=2, in_this_process_too=True,
                      on_progress=lambda finished, total: progress.append((finished, total)))
    assert [n for n, _ in done] == list(range(5000))
    assert progress[-1] == (5000, 5000) and progress == sorted(progress)
    if len(os.sched_getaffinity(0)) >= 2:
        assert os.getpid() in {pid for _, pid in done} and len({pid for _, pid in done}) <= 2


def test_chunks_in_background_run_in_workers_while_the_caller_goes_on():
    """Related articles are found in worker processes while the parent makes the views: the workers must be at
    work before the caller asks for the results (each waits for a signal only the caller's own work gives, so
    work done before the caller goes on would find no signal), and the results come back whole and in order,
    from other processes when there are enough items; with too few, from this one, when asked for."""
    import multiprocessing

    from dateline.parallel import chunks_in_background

    caller_went_on = multiprocessing.get_context("fork").Event()  # shared with the workers forked below
    answers: dict[int, bool] = {}  # per process: had the caller gone on when its first chunk began

    def squares(chunk):
        if os.getpid() not in answers:  # waited for once per process: a failure costs a minute, not one a chunk
            answers[os.getpid()] = caller_went_on.wait(timeout=60)
        return [(n * n, os.getpid(), answers[os.getpid()]) for n in chunk]

    with chunks_in_background(squares, range(3000), min_items=2000) as results:
        caller_went_on.set()  # the caller's own work, which it reaches only once chunks_in_background returned
        done = results()
    assert [square for square, _, _ in done] == [n * n for n in range(3000)]
    assert all(signalled for _, _, signalled in done)
    if len(os.sched_getaffinity(0)) >= 2:
        assert os.getpid() not in {pid for _, pid, _ in done}
    caller_went_on.clear()
    answers.clear()
    with chunks_in_background(squares, range(100), min_items=2000) as results:
        caller_went_on.set()
        assert {(pid, signalled) for _, pid, signalled in results()} == {(os.getpid(), True)}


def test_builds_skip_full_garbage_collections_but_still_free_short_lived_cycles():
    """A build runs without Python's full collections (its data lives to the end, and walking it again and
    again cost 0.1-0.2 s at 10,000 articles), but rendering pages in one process leaves reference cycles
    page after page (about 5 KB each): the young collections must still free them."""
    import gc
    import weakref

    from dateline.parallel import young_collections_only

    class Node:
        pass

    freed: list[int] = []
    before = gc.get_threshold()
    with young_collections_only():
        during = gc.get_threshold()
        for n in range(20_000):
            node = Node()
            node.itself = node  # a cycle: reference counting alone never frees it
            weakref.finalize(node, freed.append, n)
        del node
        assert len(freed) > 19_000
    assert during[:2] == before[:2] and during[2] > 1_000_000  # young collections as usual, full ones never
    assert gc.get_threshold() == before


def articles_and_views(site_dir: Path, *, drafts: bool) -> tuple[list, dict]:
    """The articles of the site at SITE_DIR and their views, as a build makes them."""
    from dateline.config import load_config
    from dateline.content import load_articles
    from dateline.pages import Placement
    from dateline.taxonomy import build_taxonomies
    from dateline.views import article_views

    config = load_config(site_dir)
    articles = load_articles(site_dir, config, drafts=drafts).articles
    taxonomies = build_taxonomies(tuple(Placement.of(a) for a in articles), config.taxonomies)
    return articles, article_views(tuple(articles), taxonomies)


def test_an_articles_body_is_held_once_by_the_article_and_its_view(site_copy):
    """The body is the largest part of an article in memory (16 MiB of the 19,043 Reuters articles): the view
    templates see must hold the article's own Markup object, not a copy of it."""
    from markupsafe import Markup

    articles, views = articles_and_views(site_copy("full"), drafts=False)
    assert len(articles) > 3
    for article in articles:
        assert isinstance(article.body_html, Markup) and "<p>" in article.body_html
        assert views[article.url].body is article.body_html


ESCAPING_TEMPLATE = """\
{{ text }}|{{ markup }}|{{ number }}|{{ nothing }}|{{ html_object }}|{{ missing }}|{{ text ~ markup }}
{% macro wrap(x) %}<i>{{ x }}</i>{{ caller() if caller }}{% endmacro %}{{ wrap(text) }}{{ wrap(markup) }}
{% call wrap(text) %}<b>{{ text }}</b>{% endcall %}
{% set block %}<u>{{ text }}</u>{% endset %}{{ block }}{{ block | upper }}{{ block ~ text }}
{% filter upper %}{{ text }}<em>{% endfilter %}
{% autoescape false %}{{ text }}{{ wrap(text) + "<b>" }}{% endautoescape %}{% autoescape flag %}{{ text }}\
{{ wrap(text) + "<b>" }}{% endautoescape %}{{ wrap(text) + "<b>" }}
{{ text | e }}{{ text | safe }}{{ [text] }}{{ {'k': text} }}{{ text | replace('<', '[') }}{{ markup | length }}
{% macro two(a, b='<B>') %}[{{ a }}|{{ b }}]{% endmacro %}{{ two(text) }}{{ two(markup, text) }}{{ two(b=text, a=1) }}\
{{ two() }}{{ two(text, b=markup) }}{{ two | attr('name') }}{% set kept = two(text) %}{{ kept ~ text }}
{% macro rest(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ rest(text, markup, k=text) }}{{ rest(text) }}
{% autoescape false %}{{ two(text) }}{{ two(text) + "<b>" }}{% endautoescape %}\
{{ markup | replace('b', text) }}{{ text | replace(markup, '-') }}{{ text | replace('&', markup) }}\
{{ text | replace('x', 'y', 1) }}{{ number | replace('5', '<6>') }}{{ _('Page') }}{{ _('%(n)s<', n=text) }}
{{ plain(text) }}{{ with_context() }}{% for item in [7] %}{% set inner = item %}{{ with_context() }}{% endfor %}\
{{ with_environment() }}{{ with_eval_context() }}{{ callable_object() }}{{ stops() }}{{ wrap.__call__(number) }}\
{{ callable_object.shout(text) }}{{ callable_object.number_thrice() }}
"""


def stops():
    raise StopIteration


@jinja2.pass_context
def with_context(context):
    return f"{context.get('inner')} {context['text']}"


class CallableObject:
    @jinja2.pass_context
    def __call__(self, context):
        return context["number"] * 2

    def shout(self, value):
        return value + "!"

    @jinja2.pass_context
    def number_thrice(self, context):
        return context["number"] * 3


class HtmlObject:
    def __html__(self) -> str:
        return "<abbr>safe by its own say-so</abbr>"

    def __str__(self) -> str:
        return "<never used>"


@pytest.mark.parametrize("autoescape", [True, False])
def test_build_environment_writes_what_jinja_writes(autoescape):
    """Templates write {{ value }} through escape_output (no Markup copy per value) and call macros and plain
    functions directly: the result must be Jinja's own, for text, markup, numbers, objects with __html__,
    macros, call and set blocks, filters, {% autoescape %} blocks (fixed and decided at render time),
    concatenation, and functions that ask for the context (in a loop too), the environment or the eval
    context; hostile text must come out escaped."""
    from markupsafe import Markup, escape

    from dateline.environment import BuildEnvironment
    from dateline.template_filters import replace as replace_filter

    values = {"text": "<script>alert('x') & \"y\"</script>", "markup": Markup("<b>bold</b> &amp; sure"),
              "number": 5, "nothing": None, "html_object": HtmlObject(), "flag": False,
              "plain": lambda value: value.upper(), "with_context": with_context,
              "callable_object": CallableObject(), "stops": stops,
              "with_environment": jinja2.pass_environment(lambda env: env.autoescape),
              "with_eval_context": jinja2.pass_eval_context(lambda eval_context: eval_context.autoescape)}
    ours_env, jinjas_env = BuildEnvironment(autoescape=autoescape), jinja2.Environment(autoescape=autoescape)
    ours_env.filters["replace"] = replace_filter  # the build's own (make_environment's)
    for env in (ours_env, jinjas_env):
        env.add_extension("jinja2.ext.i18n")
        env.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    ours = ours_env.from_string(ESCAPING_TEMPLATE).render(values)
    jinjas = jinjas_env.from_string(ESCAPING_TEMPLATE).render(values)
    assert ours == jinjas
    for wrong in ("{% macro two(a) %}{% endmacro %}{{ two(1, 2) }}", "{% macro two(a) %}{% endmacro %}{{ two(b=1) }}"):
        with pytest.raises(TypeError) as ours_error:
            ours_env.from_string(wrong).render()
        with pytest.raises(TypeError) as jinjas_error:
            jinjas_env.from_string(wrong).render()
        assert str(ours_error.value) == str(jinjas_error.value)
    text, markup, number, nothing, html_object = ours.split("|")[:5]
    escaped = "&lt;script&gt;alert(&#39;x&#39;) &amp; &#34;y&#34;&lt;/script&gt;"
    assert text == (escaped if autoescape else values["text"])
    assert (markup, number, nothing) == ("<b>bold</b> &amp; sure", "5", "None")
    assert html_object == ("<abbr>safe by its own say-so</abbr>" if autoescape else "<never used>")
    shown, upper = values["text"], values["text"].upper()
    if autoescape:
        shown, upper = escape(shown), escape(upper)
    assert ours.splitlines()[-1] == f"{upper}None {shown}7 {shown}{autoescape}{autoescape}10<i>5</i>{shown}!15"


@pytest.mark.parametrize("message", ["%(a)s & %(b)s", "100%% of %(a)s, %(a)s", "%(n)d <%(a)r>", "no fields",
                                     "%(n)s %(missing)s", "%s"])
def test_gettext_functions_format_as_markup_does(site_copy, message):
    """_() and ngettext() format their translation as Markup's % does (each value escaped unless it is markup),
    though the common %(name)s fields go without Markup's helpers; other fields and missing values too."""
    from markupsafe import Markup

    from dateline.config import load_config
    from dateline.render import make_environment

    site = site_copy("full")
    env = make_environment(site, load_config(site))
    values = {"a": "<script>'x' & \"y\"</script>", "b": Markup("<i>kept</i>"), "n": 5}
    template = env.from_string("{{ _(message, **values) }}|{{ ngettext(message, message, 2, **values) }}")
    try:
        expected = f"{Markup(message) % values}|{Markup(message) % {**values, 'num': 2}}"
    except (KeyError, TypeError) as error:
        with pytest.raises(type(error)):
            template.render(message=message, values=values)
        return
    assert template.render(message=message, values=values) == expected


def test_the_default_theme_renders_the_same_with_stock_jinja(site_copy, tmp_path, monkeypatch):
    """The full fixture site built with BuildEnvironment (escape_output, direct calls, globals as a plain dict)
    is byte for byte the site Jinja's own code generator, context and globals make."""
    from jinja2.compiler import CodeGenerator

    from dateline.environment import BuildEnvironment

    site = site_copy("full")
    stock = tmp_path / "stock-site"
    shutil.copytree(site, stock)  # before the first build: no compiled templates to share
    build_site(site, tmp_path / "ours")
    monkeypatch.setattr(BuildEnvironment, "code_generator_class", CodeGenerator)
    monkeypatch.setattr(BuildEnvironment, "make_globals", jinja2.Environment.make_globals)
    monkeypatch.setattr(BuildEnvironment, "context_class", jinja2.runtime.Context)
    build_site(stock, tmp_path / "stock")
    assert every_file(tmp_path / "ours") == every_file(tmp_path / "stock")


def test_pages_rendered_in_batches_are_written_in_order_with_their_own_bytes(site_copy):
    """render_chunk renders WRITE_BATCH pages before writing them: across batch boundaries every page must
    still be written once, in order, with its own HTML; a template's first error is reported where it
    happened and its later pages are skipped, while the other template's pages go on."""
    from dateline.config import load_config
    from dateline.errors import SourceError
    from dateline.pages import Page
    from dateline.render import WRITE_BATCH, make_environment, render_chunk

    site = site_copy("full")
    override_template(site, "count.html", "<p>{{ n }}</p>")
    override_template(site, "divide.html", "<p>{{ 100 // (n - 111) }}</p>")  # fails at n == 111
    env = make_environment(site, load_config(site))
    pages = [Page(f"{name}/{n}.html", f"{name}.html", {"n": n}, f"page {n}")
             for n in range(WRITE_BATCH * 3) for name in ("count", "divide")]
    written: list[tuple[str, bytes]] = []

    def write(page, data):
        written.append((page.path, data))
        return len(written)

    results = render_chunk(env, pages, write)
    errors = [r for r in results if isinstance(r, SourceError)]
    assert len(errors) == 1 and "divide/111.html" in errors[0].message and errors[0].path.name == "divide.html"
    assert results.index(errors[0]) == 2 * 111 + 1  # in the place of the page that failed
    expected = [(f"count/{n}.html", f"<p>{n}</p>".encode()) for n in range(WRITE_BATCH * 3)]
    expected += [(f"divide/{n}.html", f"<p>{100 // (n - 111)}</p>".encode()) for n in range(111)]
    assert sorted(written) == sorted(expected) and len(written) == len(expected)
    assert [path for path, _ in written] == [p.path for p in pages if p.path in dict(expected)]
    assert [r for r in results if not isinstance(r, SourceError)] == [(path, i + 1) for i, (path, _) in
                                                                      enumerate(written)]


def test_a_cold_builds_parsed_articles_are_kept_for_the_next_full_build(tmp_path, monkeypatch):
    """From 1,000 parsed articles the article cache is saved in a process of its own while the page list is
    made: the next full build (site.yaml changed) must read every article from it, parsing none."""
    import functools

    import dateline.content

    site = news_site(tmp_path, 1100)
    build_site(site, tmp_path / "out")
    parsed: list[int] = []

    def spy(function, items, **options):
        if isinstance(function, functools.partial) and function.func is dateline.content._parse_files:
            parsed.append(len(items))
        return map_chunks(function, items, **options)

    from dateline.parallel import map_chunks
    monkeypatch.setattr(dateline.content, "map_chunks", spy)
    (site / "site.yaml").write_text("title: Wider\nbase_url: https://example.org/news/\n", encoding="utf-8")
    result = build_site(site, tmp_path / "out")
    assert parsed == [0] and result.articles == 1100
    assert "<title>Wider</title>" in (tmp_path / "out" / "index.html").read_text(encoding="utf-8")


def test_articles_and_views_assembled_without_init_equal_what_their_constructors_make(site_copy):
    """Article.published and article_view fill frozen dataclasses without their __init__ (3 µs each on one
    core): every field must be there, equal to what the constructor makes from the same values."""
    import dataclasses

    from dateline.model import Article
    from dateline.views import _HELD, ArticleView

    articles, views = articles_and_views(site_copy("full"), drafts=True)
    assert len(articles) > 3
    for article in articles:
        values = {field.name: getattr(article, field.name) for field in dataclasses.fields(Article)}
        assert Article(**values) == article and vars(Article(**values)) == vars(article)
        view = views[article.url]
        values = {field.name: getattr(view, field.name) for field in dataclasses.fields(ArticleView)}
        made = ArticleView(**values)
        assert made == view and [held(made) for held in _HELD] == [held(view) for held in _HELD]
        assert view.body is article.body_html
