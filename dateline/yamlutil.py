"""YAML loading with the C loader when present, YAML 1.2's plain words, and line numbers for every mapping key."""

from __future__ import annotations

import re
from typing import Any

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class UniqueKeyLoader(SafeLoader):  # type: ignore[misc, valid-type]
    """Safe loading that refuses duplicate keys: YAML would silently keep the last one."""

    line_offset = 0  # lines of the file before the YAML text (front matter's '---'), for line numbers in messages

    def construct_mapping(self, node, deep=False):  # noqa: ANN001
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be plain text, not a list or mapping", key_node.start_mark
                ) from None
            if key in seen:
                first = seen[key] + 1 + self.line_offset
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r} (first given on line {first})", key_node.start_mark
                )
            seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node):  # noqa: ANN001
        """YAML 1.2: 012 is twelve (YAML 1.1 read it as octal, ten); 0o17 and 0x1F as written."""
        word = self.construct_scalar(node)
        return int(word, 0) if word[:2] in ("0o", "0x") else int(word)


# Plain words (unquoted scalars) are read with YAML 1.2's core schema, as Hugo and most YAML tools of today
# read them: only true and false (in three casings) are booleans, numbers are decimal, 0o octal or 0x hex.
# PyYAML implements YAML 1.1, where yes, no, on, off, y and n are booleans too, and 10:30 is the number 630:
# `countries: [NO]` (Norway) became false, `tags: [yes, off]` two booleans, `language: no` (Norwegian) false.
# With these rules they are text; `draft: yes` is then an error that says to write true or false.
_CORE_SCHEMA = (
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    ("tag:yaml.org,2002:float", r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                                r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$", "-+.0123456789"),
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ("~", "n", "N", "")),
)
_YAML_11_WORDS = {tag for tag, _, _ in _CORE_SCHEMA}
UniqueKeyLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in _YAML_11_WORDS]
    for first, resolvers in SafeLoader.yaml_implicit_resolvers.items()
}
for _tag, _pattern, _firsts in _CORE_SCHEMA:  # in this order: a word that is an int is not also a float
    for _first in _firsts:
        UniqueKeyLoader.yaml_implicit_resolvers.setdefault(_first, []).append((_tag, re.compile(_pattern)))
UniqueKeyLoader.add_constructor("tag:yaml.org,2002:int", UniqueKeyLoader.construct_yaml_int)


def read_nodes(text: str, loader: type = UniqueKeyLoader) -> tuple[yaml.Node | None, Any]:
    """TEXT's node tree (where each key is: its line) and its data, as LOADER reads them.

    Raises yaml.YAMLError (with problem_mark) on a syntax error or a duplicate key.
    """
    reader = loader(text)
    try:
        node = reader.get_single_node()
        return node, reader.construct_document(node) if node is not None else None
    finally:
        reader.dispose()


def load_with_lines(text: str) -> tuple[Any, dict[tuple[str, ...], int]]:
    """Parse YAML; return the data and a map from key path (("feed", "limit")) to its 1-based line.

    Raises yaml.YAMLError (with problem_mark) on a syntax error or a duplicate key.
    """
    node, data = read_nodes(text)
    lines: dict[tuple[str, ...], int] = {}
    if node is not None:
        _collect_key_lines(node, (), lines)
    return data, lines


def _collect_key_lines(node: yaml.Node, prefix: tuple[str, ...], lines: dict[tuple[str, ...], int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            path = (*prefix, str(key_node.value))
            lines[path] = key_node.start_mark.line + 1
            _collect_key_lines(value_node, path, lines)


def error_line(error: yaml.YAMLError, text: str | None = None) -> tuple[int | None, str]:
    """The 1-based line and a one-line message of a YAML error; TEXT (what was parsed) sharpens both."""
    if isinstance(error, yaml.reader.ReaderError):  # a control character: the reader knows only its offset
        line = text.count("\n", 0, error.position) + 1 if text is not None else None
        return line, f"the character U+{error.character:04X} is not allowed (a control character); remove it"
    problem_mark = getattr(error, "problem_mark", None)
    context_mark = getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error)
    context = getattr(error, "context", None)
    # An unclosed quote or bracket is reported at the end of the text; where it opened is more useful.
    opened = context and ("quoted scalar" in context or "flow" in context)
    mark = context_mark if context_mark and (opened or "end of stream" in problem) else (problem_mark or context_mark)
    if problem_mark is not None and ("tab character" in problem or (
            "cannot start any token" in problem and _char_at(problem_mark, text) == "\t")):
        problem = "a tab character is not allowed here (YAML indents with spaces, never tabs)"
        context = None
    message = f"{context}: {problem}" if context and "duplicate key" not in problem else problem
    return (mark.line + 1 if mark else None), message


def _char_at(mark: yaml.Mark, text: str | None) -> str:
    """The character a mark points at (the C loader's marks carry no buffer: then look it up in TEXT)."""
    buffer = getattr(mark, "buffer", None)
    if buffer and mark.pointer is not None and 0 <= mark.pointer < len(buffer):
        return buffer[mark.pointer]
    if text is not None:
        lines = text.splitlines()
        if 0 <= mark.line < len(lines) and 0 <= mark.column < len(lines[mark.line]):
            return lines[mark.line][mark.column]
    return ""


# -- the common case without the YAML machinery --------------------------------------------------------------

# A line of the simplest front matter: a key, one space or more, and a quoted text, a list in brackets or
# a plain word or sentence. Plain scalars may not start with an indicator nor hold ": ", " #" or a tab.
_PLAIN = r"[^-?:,\[\]{}#&*!|>'\"%@`\s](?:[^:#\t]|:(?=\S)|(?<=\S)#)*?"
_QUOTED = r"\"[^\"\\]*\"|'[^']*'"
_FLOW_PLAIN = r"[^-?:,\[\]{}#&*!|>'\"%@`\s](?:[^,\[\]{}:#\t]|:(?=[^\s,\[\]{}])|(?<=\S)#)*?"
_FLOW_ITEM = rf"(?:{_QUOTED}|{_FLOW_PLAIN})"
_LINE = re.compile(rf"([A-Za-z_][A-Za-z0-9_]*):[ ]+({_QUOTED}|\[[ ]*(?:{_FLOW_ITEM}[ ]*(?:,[ ]*{_FLOW_ITEM}[ ]*)*)?\]"
                   rf"|{_PLAIN})[ ]*")
_FLOW_ITEMS = re.compile(rf"[ ]*({_FLOW_ITEM})[ ]*(?:,|$)")
# What PyYAML's reader refuses, and what YAML 1.1 takes for line breaks besides \n (\r, NEL, U+2028/9), and BOMs
_NOT_SIMPLE = re.compile("[^\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff\n]|[\u2028\u2029]")


def simple_mapping(text: str, loader: type = SafeLoader) -> tuple[dict[str, Any], dict[str, int]] | None:
    """TEXT's data and each key's 0-based line, as LOADER gives them, when TEXT is only `key: value` lines with
    texts and lists of texts (what `dateline import` writes, and most hand-written front matter); else None.

    Reading such lines directly takes a few microseconds, a YAML parser forty. Plain words are resolved by
    LOADER's own rules, so `draft: true`, `count: 5` or `date: 2025-09-11` (if LOADER reads timestamps) go to
    the parser, as does anything else it would read differently: tests compare the two on generated text.
    """
    if _NOT_SIMPLE.search(text):
        return None
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    for number, line in enumerate(text.split("\n")):
        if not line:
            if number == text.count("\n"):  # the end of the last line
                continue
            return None
        match = _LINE.fullmatch(line)
        if match is None:
            return None
        key, value = match.group(1), match.group(2)
        if key in data or not _is_text(key, loader):
            return None
        if value[0] == "[":
            items = _FLOW_ITEMS.findall(value[1:-1].strip()) if value[1:-1].strip() else []
            words = [_scalar(item, loader) for item in items]
            if None in words:
                return None
            data[key] = words
        else:
            word = _scalar(value, loader)
            if word is None:
                return None
            data[key] = word
        lines[key] = number
    return data, lines


def _scalar(token: str, loader: type) -> str | None:
    if token[0] == '"' or token[0] == "'":
        return token[1:-1]
    return token if _is_text(token, loader) else None


def _is_text(word: str, loader: type) -> bool:
    """Whether LOADER reads this plain word as text (not a number, a boolean, null, a date...)."""
    for _, pattern in (*loader.yaml_implicit_resolvers.get(word[0], ()), *loader.yaml_implicit_resolvers.get(None, ())):
        if pattern.match(word):
            return False
    return True
