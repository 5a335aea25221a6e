"""site.yaml's `languages:`: a multilingual site's languages, read, checked and completed (docs/languages.md)."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dateline.config_reader import read_named
from dateline.errors import SourceError
from dateline.i18n import parse_locale

if TYPE_CHECKING:
    from dateline.config import SiteConfig


@dataclass(frozen=True)
class LanguageConfig:
    """One language of a multilingual site, as site.yaml's `languages:` declares it (docs/languages.md)."""

    code: str = dataclasses.field(default="", metadata={"from_key": True})  # "fr", "pt-BR": articles' `language:`
    title: str = ""  # the site's title in this language (default: site.yaml's title)
    description: str = ""  # (default: site.yaml's description)
    name: str = ""  # the language's own name, for readers choosing it: "Français" (default: CLDR's)
    weight: int = 0  # the order languages are offered in, lightest first (then by code)
    path: str = ""  # its URL folder: "fr" gives /fr/ (default: the code; the site's own language is the root)

    @property
    def prefix(self) -> str:
        """What its pages' site paths start with: "fr/", or "" for the site's own language."""
        return f"{self.path}/" if self.path else ""


def load_languages(data: Any, prefix: tuple[str, ...], path: Path, lines: dict[tuple[str, ...], int],
                    errors: list[SourceError]) -> tuple[LanguageConfig, ...]:
    """`languages:` (code -> settings) as LanguageConfigs in the order written; load_config fills in the
    defaults that depend on the site (title, path, name) and checks them (check_languages)."""
    if data is None:
        return ()
    if not isinstance(data, dict) or not data:
        errors.append(SourceError(path, "'languages' must be a mapping of language codes to settings, e.g. "
                                        "languages: {en: {weight: 1}, fr: {title: Fil balte, weight: 2}}",
                                  lines.get(prefix, 1)))
        return ()
    return tuple(dataclasses.replace(loaded, code=code) for code, loaded in read_named(
        LanguageConfig, data, prefix, path, lines, errors, "{title: Fil balte, weight: 2}"))


_LANGUAGE_PATH = re.compile(r"^[a-z0-9][a-z0-9_-]*$", re.IGNORECASE)


def check_languages(config: SiteConfig, path: Path, lines: dict[tuple[str, ...], int], reserved: set[str]
                    ) -> list[SourceError]:
    """Known language codes, one URL folder each and none of RESERVED (the folders the site uses otherwise);
    the site's own language at the root."""
    errors: list[SourceError] = []
    taken: dict[str, str] = {}  # URL folder -> the language using it

    def problem(key: tuple[str, ...], message: str) -> None:
        line = lines.get(("languages", *key)) or lines.get(("languages", key[0])) or lines.get(("languages",), 1)
        errors.append(SourceError(path, message, line))

    for language in config.languages:
        code = language.code
        try:
            parse_locale(code)
        except ValueError as exc:
            problem((code,), f"'languages': {exc}")
            continue
        if code == config.language:
            if language.path:
                problem((code, "path"), f"'languages.{code}.path': {code} is the site's language (language: "
                                        f"{config.language}), whose pages are at the site's root; remove 'path'")
            continue
        folder = language.path or code
        if not _LANGUAGE_PATH.match(folder):
            problem((code, "path"), f"'languages.{code}.path' must be one URL folder of letters, digits, hyphens "
                                    f"and underscores, such as {code.lower()}, not {folder!r}")
        elif folder.lower() in taken:
            problem((code, "path"), f"languages {taken[folder.lower()]} and {code} would both be published under "
                                    f"{folder}/; give each its own 'path'")
        elif folder in reserved:
            problem((code, "path"), f"'languages.{code}' would be published under {folder}/, which the site "
                                    f"already uses; set 'languages.{code}.path' to another folder")
        taken.setdefault(folder.lower(), code)
    return errors


def complete_languages(config: SiteConfig) -> tuple[LanguageConfig, ...]:
    """`languages:` with the site's own language among them, defaults filled in, lightest weight first."""
    if not config.languages:
        return ()
    declared = {language.code: language for language in config.languages}
    if config.language not in declared:
        declared[config.language] = LanguageConfig(code=config.language)
    completed = []
    for language in declared.values():
        own = language.code == config.language
        completed.append(dataclasses.replace(
            language, title=language.title or config.title, description=language.description or config.description,
            name=language.name or _own_name(language.code), path="" if own else language.path or language.code))
    return tuple(sorted(completed, key=lambda language: (language.weight, language.code != config.language,
                                                        language.code)))


def _own_name(code: str) -> str:
    """"Français", "Español", "العربية": what a language calls itself (CLDR), for readers choosing it."""
    locale = parse_locale(code)
    name = locale.get_display_name(locale) or code
    return name[:1].upper() + name[1:]
