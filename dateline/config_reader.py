"""site.yaml's mappings -> dataclasses, by their fields' types, every problem collected with its line.

Unknown, missing and mistyped keys are all reported together. Apart from config.py because every part of the
settings reads its mappings with it: config.py, config_taxonomies.py and config_languages.py.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path
from typing import Any

from dateline.errors import SourceError


def read_dataclass(cls: type, data: dict, prefix: tuple[str, ...], path: Path,
                   lines: dict[tuple[str, ...], int], errors: list[SourceError]) -> Any:
    """Build dataclass CLS from DATA, collecting unknown keys, missing keys and wrong types into ERRORS; None
    when ERRORS then holds a problem in PATH.

    A field's metadata may give its site.yaml key ("key"), a loader of its own ("load", called with the value,
    the key's path, PATH, LINES and ERRORS), a hint for a wrong type ("hint"), or say that its value is the
    key of the mapping around it ("from_key": the caller sets it).
    """
    hints = typing.get_type_hints(cls)
    fields = {f.metadata.get("key", f.name): f for f in dataclasses.fields(cls) if not f.metadata.get("from_key")}
    parent_line = lines.get(prefix, 1) if prefix else 1
    values: dict[str, Any] = {}
    for key in data:
        if key not in fields:
            where = ".".join((*prefix, str(key)))
            known = ", ".join(sorted(fields))
            errors.append(SourceError(path, f"unknown key '{where}' (known keys: {known})",
                                      lines.get((*prefix, str(key)), parent_line)))
    for key, f in fields.items():
        key_path = (*prefix, key)
        if key not in data:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                errors.append(SourceError(path, f"missing required key '{'.'.join(key_path)}'", parent_line))
            continue
        value = data[key]
        hint = hints[f.name]
        line = lines.get(key_path, parent_line)
        if "load" in f.metadata:  # a key with a loader of its own
            values[f.name] = f.metadata["load"](value, key_path, path, lines, errors)
        elif dataclasses.is_dataclass(hint):
            if not isinstance(value, dict):
                errors.append(SourceError(path, f"'{'.'.join(key_path)}' must be a mapping", line))
                continue
            values[f.name] = read_dataclass(hint, value, key_path, path, lines, errors)
        elif _matches(value, hint):
            values[f.name] = value
        else:
            errors.append(SourceError(path, f"'{'.'.join(key_path)}' must be {_describe(hint)}, "
                                            f"not {_describe_value(value)}"
                                            + (f": {f.metadata['hint']}" if "hint" in f.metadata else ""), line))
    if any(e.path == path for e in errors):
        return None
    return cls(**values)


def read_named(cls: type, data: dict, prefix: tuple[str, ...], path: Path, lines: dict[tuple[str, ...], int],
               errors: list[SourceError], example: str) -> list[tuple[str, Any]]:
    """DATA, a mapping of names to settings (`taxonomies:`, `languages:`), as each name with its settings read as
    CLS, in the order written. Settings that are not a mapping (EXAMPLE shows one) are added to ERRORS."""
    named = []
    for name, settings in data.items():
        key_path = (*prefix, str(name))
        if settings is None:
            settings = {}
        if not isinstance(settings, dict):
            errors.append(SourceError(path, f"'{'.'.join(key_path)}' must be a mapping of settings, e.g. {example}, "
                                            "or {} for the defaults", lines.get(key_path, lines.get(prefix, 1))))
            continue
        loaded = read_dataclass(cls, settings, key_path, path, lines, errors)
        if loaded is not None:
            named.append((str(name), loaded))
    return named


def _matches(value: Any, hint: Any) -> bool:
    origin = typing.get_origin(hint)
    if hint is Any:
        return True
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if hint is bool:
        return isinstance(value, bool)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if origin is dict:
        key_type, value_type = typing.get_args(hint)
        return isinstance(value, dict) and all(_matches(k, key_type) and _matches(v, value_type)
                                               for k, v in value.items())
    if origin is list:
        (item_type,) = typing.get_args(hint)
        return isinstance(value, list) and all(_matches(v, item_type) for v in value)
    if origin in (typing.Union, types.UnionType):
        return any(_matches(value, h) for h in typing.get_args(hint))
    return False


def _describe(hint: Any) -> str:
    names = {int: "a whole number", float: "a number", str: "text", bool: "true or false"}
    if hint in names:
        return names[hint]
    origin = typing.get_origin(hint)
    if origin is dict:
        return f"a mapping of text to {_describe(typing.get_args(hint)[1])}"
    if origin is list:
        return f"a list of {_describe(typing.get_args(hint)[0])}"
    return str(hint)


def _describe_value(value: Any) -> str:
    kinds = {bool: "true/false", int: "a number", float: "a number", str: "text", list: "a list", dict: "a mapping"}
    return f"{kinds.get(type(value), type(value).__name__)} ({value!r})" if not isinstance(value, (dict, list)) \
        else kinds[type(value)]
