"""{% cached %}: the Jinja extension that renders a fragment once per key and reuses it on every page, and the
store that keeps the fragments' HTML (one buffer, or a full build's body file).

Apart from render.py, which hands the fragments between processes (record_fragments, add_fragments...)
and points the store at the body file; this module is the tag itself and where its HTML is kept.
"""

from __future__ import annotations

import jinja2
import jinja2.ext
from jinja2 import nodes
from markupsafe import Markup

from dateline.i18n_templates import language_shown


class FragmentCache(jinja2.ext.Extension):
    """{% cached key, ... %}...{% endcached %}: the body is rendered once per key, then reused on every page.

    Hugo's partialCached for a build. The body must depend only on the key and on links made with url(),
    which are recorded as placeholders and filled in for each page (see page_links.PageLinks). The cache
    belongs to the Environment, which lives for one build: a rebuild never sees a fragment of the build
    before, and worker processes fork with the parent's.
    """

    tags = {"cached"}

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        # dateline_recorded: the fragments to hand over, once record_fragments() asked for them;
        # dateline_fragment_text: the HTML of every fragment kept (see keep_fragment; a full build's body file)
        environment.extend(dateline_fragments={}, dateline_fragment_text=_FragmentText(), dateline_recording=[0],
                           dateline_recorded=None)

    def parse(self, parser: jinja2.parser.Parser) -> list[nodes.Node]:
        lineno = next(parser.stream).lineno
        keys = [parser.parse_expression()]
        while parser.stream.skip_if("comma"):
            keys.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcached",), drop_needle=True)
        # Each block has its own fragments, so two blocks with the same key never swap their HTML
        # (free_identifier numbers them within the template, even two on one line).
        block = nodes.Const((parser.name, parser.free_identifier().name))
        arguments = [block, nodes.Tuple(keys, "load")]
        # A hit is output inline; only a miss runs the body, as a CallBlock (which makes a Macro each time).
        # Around a macro's call ({% cached a.digest %}{{ teaser(a) }}{% endcached %}), a hit calls nothing.
        found = parser.free_identifier()
        return [nodes.Assign(found, self.call_method("_cached", arguments)).set_lineno(lineno),
                nodes.If(nodes.Test(found, "none", [], [], None, None), [
                    nodes.CallBlock(self.call_method("_record", arguments), [], [], body).set_lineno(lineno),
                ], [], [nodes.Output([found])]).set_lineno(lineno)]

    def _cached(self, block: tuple, key: tuple) -> str | None:
        """The fragment with the page's links, None if it is not recorded yet."""
        stored = self.environment.dateline_fragments.get(self._key(block, key))  # type: ignore[attr-defined]
        return None if stored is None else self._shown(stored)

    def _record(self, block: tuple, key: tuple, caller: jinja2.runtime.Macro) -> str:
        recording = self.environment.dateline_recording  # type: ignore[attr-defined]
        recording[0] += 1
        try:
            fragment = caller()
        finally:
            recording[0] -= 1
        # Kept as UTF-8: one flag emoji makes a str take 4 bytes per character, and a build keeps
        # tens of thousands of fragments (autoescaped ones are Markup, anything else stays as it is).
        stored = fragment.encode() if isinstance(fragment, Markup) else fragment
        keep_fragment(self.environment, self._key(block, key), stored)
        recorded = self.environment.dateline_recorded  # type: ignore[attr-defined]
        if recorded is not None:
            recorded[self._key(block, key)] = stored
        return self._shown(stored)

    def _key(self, block: tuple, key: tuple) -> tuple:
        """A fragment is in the language of the page that recorded it: pages in another reuse their own."""
        return (block, key) if (code := language_shown(self.environment)) is None else (block, code, key)

    def _shown(self, stored: int | bytes | str) -> str:
        """A kept fragment as the page shows it. (Called for every teaser of every list, 20 times per list page:
        Markup(fragment) is made without its Python-level __new__.)"""
        env = self.environment
        markup = not isinstance(stored, str)
        if type(stored) is int:  # the common case: HTML kept in the build's buffer or body file (keep_fragment)
            stored = env.dateline_fragment_text.read_bytes(stored)  # type: ignore[attr-defined]
        fragment = stored.decode() if markup else stored  # type: ignore[union-attr]
        if not env.dateline_recording[0]:  # type: ignore[attr-defined]
            fragment = env.dateline_page[0].fill(fragment)  # type: ignore[attr-defined]
        # else it goes into the fragment being recorded, placeholders and all
        return str.__new__(Markup, fragment) if markup else fragment


def keep_fragment(env: jinja2.Environment, key: tuple, stored: bytes | str) -> None:
    """Keep a fragment: the HTML of Markup (STORED as UTF-8) with all the others, in one buffer or in a full
    build's body file (render.park_fragments), and under KEY where it is there. A forked render worker reads every
    teaser, and reading an object writes its reference count, which copies the memory page holding it: a
    buffer is read without writing to it, where one object per fragment (about 1 KB each, 180 MB at 100,000
    articles) was copied into every worker; in the body file they are not in any process's memory at all."""
    if isinstance(stored, bytes):
        env.dateline_fragments[key] = env.dateline_fragment_text.store(stored)  # type: ignore[attr-defined]
    else:
        env.dateline_fragments[key] = stored  # type: ignore[attr-defined]


class _FragmentText:
    """The fragments' HTML in one buffer: a place (start << 32 | length) for each, as in a bodies.BodyFile."""

    __slots__ = ("_text",)

    def __init__(self) -> None:
        self._text = bytearray()

    def store(self, data: bytes) -> int:
        place = len(self._text) << 32 | len(data)
        self._text.extend(data)
        return place

    def read_bytes(self, place: int) -> bytearray:
        start = place >> 32
        return self._text[start:start + (place & 0xFFFFFFFF)]
