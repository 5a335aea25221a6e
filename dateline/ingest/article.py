"""A parsed story (WireCopy) -> the front matter and Markdown body of an article.

`enrich` is the one step from a parsed record to front matter: any parser that produces a
WireCopy (plain wire text today, agency formats later) gets the same titles, countries, people,
organisations, tags and summary.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

import yaml

from dateline.config import SiteConfig
from dateline.ingest.countries import CountryTiers, dateline_country, detect_countries, place_display
from dateline.ingest.entities import find_entities
from dateline.ingest.gazetteer import LANGUAGES
from dateline.ingest.language import Language, primary, story_language
from dateline.ingest.parse import WireCopy, dateline_display
from dateline.ingest.tables import Block, is_tabular, split_blocks, table_title
from dateline.ingest.tags import derive_tags
from dateline.ingest.title import derive_headline
from dateline.ingest.words import sentences, strip_symbols
from dateline.text import slugify

SLUG_LENGTH = 60
LONG_LEAD_WORDS = 60  # a first sentence this long is a run-on or a list: its title needs an editor's eye

# Characters python-markdown treats as markup anywhere in a line, escaped with a backslash (it
# accepts \` \* \_ \{ \} \[ \] \\ as literal characters). "<" and "&" cannot be backslash-escaped:
# they become entities, so "<b>" and "&copy;" in wire copy show as typed.
_INLINE = re.compile(r"([\\`*_{}\[\]])")
_ENTITY = re.compile(r"&(?=#?\w+;)")
# At the start of a paragraph these open a heading, quote, list, rule, table cell, definition or
# code fence; escaping the first character keeps the paragraph a paragraph.
_BLOCK_START = re.compile(r"^(?:[#>+\-=|:~]|\d+[.)](?=\s|$))")
# A plain scalar may not start with an indicator, hold ": " or " #", end in a space, or contain what YAML
# reads as a line break or refuses; in a flow list, commas and brackets end it.
_PLAIN_UNSAFE = re.compile(r"^[-?:,\[\]{}#&*!|>'\"%@`\s]|:\s|\s#|:$|\s$|[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]")
_FLOW_UNSAFE = re.compile(_PLAIN_UNSAFE.pattern + r"|[,\[\]{}]")
_INVISIBLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")  # escaped in double quotes


@dataclass(frozen=True)
class Draft:
    """What an imported story becomes, before it has a file name: front matter (no slug yet) and body."""

    fields: dict  # in the order an editor reads them
    body: str  # Markdown
    notes: tuple[str, ...] = ()  # what the import report says about it: steps left out for its language

    @property
    def title(self) -> str:
        return self.fields["title"]


def escape_markdown(paragraph: str) -> str:
    """Wire text as Markdown that renders literally, one paragraph on one line."""
    text = _INLINE.sub(r"\\\1", paragraph)
    text = _ENTITY.sub("&amp;", text).replace("<", "&lt;")
    block = _BLOCK_START.match(text)
    if block:
        first = block.group()
        if first[0].isdigit():  # "1. Rates rose": escape the full stop, not the digits
            text = first[:-1] + "\\" + first[-1] + text[len(first):]
        elif first in "|:~=":  # not backslash-escapable in python-markdown: use the character reference
            text = f"&#{ord(first)};" + text[1:]
        else:
            text = "\\" + text
    return text


def preformatted(lines: Sequence[str]) -> str:
    """Table lines as a fenced block, shown as typed: a fence longer than any run of backticks inside."""
    longest = max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return "\n".join([fence, *lines, fence])


def dateline_of(raw: str) -> str:
    """'SAO PAULO' -> 'São Paulo', 'PORTLAND, Ore.' -> 'Portland, Ore.'."""
    city, comma, region = dateline_display(raw).partition(",")
    return place_display(city) + comma + region


def enrich(copy: WireCopy, config: SiteConfig, declared_language: str | None = None) -> Draft:
    """Front matter and body for a parsed story: the one function every parser's record goes through.
    DECLARED_LANGUAGE: the language the agency's file names (xml:lang, ninjs `language`), if any."""
    blocks = split_blocks(copy.paragraphs)
    prose = [block.text for block in blocks if not block.is_table]
    language = story_language(declared_language, prose, config.language)
    if not language.reads_english:
        return _enrich_other(copy, config, blocks, prose, language)
    # Table lines too: "Company name is Bowater Industries Plc" is where a results table names its company.
    entities = find_entities([line for block in blocks for line in block.lines]) if config.import_.name_tags \
        else None
    title, needs_title = _title(copy, blocks, entities.organisations if entities else [])
    fields: dict = {"title": title, "title_derived": copy.headline is None}
    if needs_title:
        fields["needs_title"] = True
    fields["date"] = copy.date
    notes = _language_field(fields, language, config)  # English copy on a site in another language
    if copy.dateline:
        fields["dateline"] = dateline_of(copy.dateline)
    if copy.source:
        fields["source"] = copy.source
    countries = detect_countries([b.text for b in blocks], copy.dateline)
    fields["countries"] = countries.about
    if countries.mentioned:
        fields["mentioned_countries"] = countries.mentioned
    if entities and entities.people:
        fields["people"] = entities.people
    if entities and entities.organisations:
        fields["organisations"] = entities.organisations
    fields["tags"] = derive_tags(prose or copy.paragraphs, config.topics, max_tags=config.import_.max_tags)
    summary = summary_of(blocks, title)
    if summary:
        fields["summary"] = summary
    if "draft" in fields:
        fields["draft"] = fields.pop("draft")  # last, where an editor looks for it
    return Draft(fields, render_body(blocks), notes)


def _language_field(fields: dict, language: Language, config: SiteConfig) -> tuple[str, ...]:
    """Add `language:` to FIELDS unless the story is in the site's language; on a multilingual site, the site's
    code for it ("pt-BR" for Portuguese copy), or `draft: true` when the site has no pages in it (published, it
    would stop the build). Returns what the report says about it."""
    code = language.code
    declared = [site_language.code for site_language in config.languages]
    if declared and code not in declared:
        code = next((other for other in declared if primary(other) == code), code)
    if primary(code) != primary(config.language) and code != config.language:
        fields["language"] = code
    if declared and code not in declared:
        fields["draft"] = True
        return (f"{language.name} copy: written as a draft, the site has no pages in {code} (languages: "
                f"{', '.join(declared)}); add it under languages: in site.yaml, or translate the story",)
    return ()


def _enrich_other(copy: WireCopy, config: SiteConfig, blocks: list[Block], prose: list[str],
                  language: Language) -> Draft:
    """ENRICH for copy not in English: the agency's headline, else the lead's first words marked for an editor
    (the headline rules are English); no people or organisations (their rules are English); countries from
    that language's names where we have them (LANGUAGES), else only the dateline's. NOTES say what was left out."""
    notes = []
    if copy.headline and copy.headline.strip():
        title, needs_title = " ".join(copy.headline.split()), False
    else:
        title, needs_title = _first_words(blocks[0].text if blocks else copy.lead), True
        notes.append("no headline derived (the title is the lead's first words: needs_title)")
    fields: dict = {"title": title, "title_derived": copy.headline is None}
    if needs_title:
        fields["needs_title"] = True
    fields["date"] = copy.date
    notes.extend(_language_field(fields, language, config))
    if copy.dateline:
        fields["dateline"] = dateline_of(copy.dateline)
    if copy.source:
        fields["source"] = copy.source
    if language.code in LANGUAGES:
        countries = detect_countries([b.text for b in blocks], copy.dateline, language.code)
    else:
        home = dateline_country(copy.dateline)
        countries = CountryTiers([home] if home else [], [])
        notes.append("countries from the dateline only (no country names for this language)")
    fields["countries"] = countries.about
    if countries.mentioned:
        fields["mentioned_countries"] = countries.mentioned
    if config.import_.name_tags:
        notes.append("people and organisations not looked for (English rules)")
    fields["tags"] = derive_tags(prose or copy.paragraphs, config.topics, max_tags=config.import_.max_tags)
    summary = summary_of(blocks, title)
    if summary:
        fields["summary"] = summary
    if "draft" in fields:
        fields["draft"] = fields.pop("draft")
    how = {"declared": "as the agency's file says", "detected": "detected", "site": "the site's language"}
    head = f"{language.name} copy ({how[language.how]})"
    return Draft(fields, render_body(blocks), tuple(f"{head}: {note}" for note in notes))


TITLE_WORDS = 12  # the most words of a lead a title not derived by the rules takes


def _first_words(lead: str) -> str:
    """The lead's first sentence as a stand-in title, cut after TITLE_WORDS words."""
    first = (sentences(lead) or [lead])[0]
    words = strip_symbols(first).split()
    if len(words) > TITLE_WORDS:
        return " ".join(words[:TITLE_WORDS]).rstrip(",;:") + "…"
    return " ".join(words).rstrip(".")


def _title(copy: WireCopy, blocks: list[Block], organisations: list[str]) -> tuple[str, bool]:
    """The title, and whether an editor must write a better one (no lead to take it from)."""
    if copy.headline and copy.headline.strip():
        return " ".join(copy.headline.split()), False
    if is_tabular(blocks):
        return table_title(blocks, organisations[0] if organisations else None), True
    lead = blocks[0].text if blocks else copy.lead
    title, plain_cut = derive_headline(lead)
    first = (sentences(lead) or [lead])[0]
    letters = [c for c in first if c.isalpha()]
    shouting = bool(letters) and all(c.isupper() for c in letters) and len(first.split()) > 3
    a_sentence = bool(re.search(r"[.!?][\"'”’)]*$", first.strip()))
    usable = a_sentence and not plain_cut and len(first.split()) <= LONG_LEAD_WORDS and not shouting
    return title, not usable


def summary_of(blocks: Sequence[Block], title: str) -> str:
    """The lead's first sentence, or the next one when that only repeats the title word for word."""
    candidates: list[str] = []
    for block in blocks:
        if block.is_table:
            candidates.append("; ".join(" ".join(line.split()) for line in block.lines[:4]))
        else:
            candidates.extend(sentences(block.text) or [block.text])
    title_words = _words(title)
    for candidate in candidates:
        text = strip_symbols(candidate)
        if _words(text) and not _repeats(_words(text), title_words):
            return " ".join(text.split())
    return ""


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


def _repeats(summary: list[str], title: list[str]) -> bool:
    """Whether the summary opens with the title, word for word (a teaser would say the same thing twice)."""
    return summary[:len(title)] == title


def render_body(blocks: Sequence[Block]) -> str:
    return "\n\n".join(preformatted(b.lines) if b.is_table else escape_markdown(b.text) for b in blocks)


def render_article(fields: dict, body: str) -> str:
    head = "".join(f"{key}: {_yaml_value(value)}\n" for key, value in fields.items())
    return f"---\n{head}---\n\n{body}\n"


def _yaml_value(value: object, *, in_flow: bool = False) -> str:
    """VALUE as YAML that reads back as the same value: lists and mappings in flow style, texts plain
    where that is safe, else double-quoted (a JSON string is a YAML double-quoted scalar).

    Written by hand because PyYAML's representer, in Python even with libyaml, took a third of an import."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, int)):
        return str(value) if isinstance(value, int) else value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_value(item, in_flow=True) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_yaml_value(v, in_flow=True)}" for k, v in value.items()) + "}"
    text = str(value)
    unsafe = _FLOW_UNSAFE if in_flow else _PLAIN_UNSAFE
    if text and not unsafe.search(text) and _resolves_to_text(text):
        return text
    return '"' + _INVISIBLE.sub(_escape, text.replace("\\", "\\\\").replace('"', '\\"')) + '"'


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _resolves_to_text(text: str) -> bool:
    """Whether YAML reads TEXT, unquoted, as text (not as true, null, 12 or a date)."""
    return yaml.SafeLoader.resolve(yaml.SafeLoader, yaml.ScalarNode, text, (True, False)) == "tag:yaml.org,2002:str"


def slug_of(title: str) -> str:
    return slugify(title, max_length=SLUG_LENGTH)
