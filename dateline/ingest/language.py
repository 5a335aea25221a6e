"""The language a story is written in: the agency's word for it, else its own words, else the site's.

The importer's headline, people and organisation rules and its country names are English; copy in
another language must not go through them (article.py asks `reads_english`). The detector is ours and
small on purpose: wire copy is prose, and the commonest function words of a paragraph name its language
as well as a statistical model does, with no model to load and the same answer on every machine. It
abstains (None) on copy with too few such words, such as a results table: then the site's language is
the story's, which keeps English sites' imports exactly as they were.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data"
WORDS_READ = 400  # enough prose to decide; a long story's later paragraphs add nothing
MIN_SCORE = 3.0  # weighted function words the winner needs, at least
MIN_LEAD = 1.5  # ... and this many times the runner-up's score
MIN_SHARE = 0.2  # ... and this share of the words read: prose is nearly half function words, a table of figures is not
# Scripts that name a language by themselves (the detector's Latin-script languages are in stopwords.yaml).
_SCRIPTS = (("ARABIC", "ar"), ("HEBREW", "he"), ("GREEK", "el"), ("CYRILLIC", "ru"), ("HANGUL", "ko"),
            ("HIRAGANA", "ja"), ("KATAKANA", "ja"), ("CJK", "zh"), ("THAI", "th"), ("DEVANAGARI", "hi"))
# A word of letters standing alone: "17un" and "DEC7" in a table of figures are not words.
_WORD = re.compile(r"(?<![\w])[^\W\d_]+(?![\w])")
_NOT_LATIN = re.compile(r"[^\u0000-\u024f\u1e00-\u1eff]")  # letters beyond the Latin alphabets
_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")
# English names of the languages a report may name ("French copy: ..."); others are shown by their code.
NAMES = {"en": "English", "fr": "French", "es": "Spanish", "de": "German", "it": "Italian", "pt": "Portuguese",
         "nl": "Dutch", "ar": "Arabic", "he": "Hebrew", "el": "Greek", "ru": "Russian", "uk": "Ukrainian",
         "ko": "Korean", "ja": "Japanese", "zh": "Chinese", "th": "Thai", "hi": "Hindi", "fa": "Persian"}


@dataclass(frozen=True)
class Language:
    code: str  # ISO 639-1, lower case: "fr"
    how: str  # "declared" (the agency's file says so), "detected" (its words), or "site" (site.yaml's language)

    @property
    def reads_english(self) -> bool:
        return self.code == "en"

    @property
    def name(self) -> str:
        return NAMES.get(self.code, self.code)


def primary(tag: str | None) -> str | None:
    """'fr-FR', 'FR', 'de_CH' -> 'fr', 'fr', 'de'; None for what is not a language tag."""
    if not tag or not _TAG.match(tag.strip()):
        return None
    return re.split(r"[-_]", tag.strip())[0].lower()


def story_language(declared: str | None, paragraphs: tuple[str, ...] | list[str], site_language: str) -> Language:
    """The language of a story: DECLARED (xml:lang, ninjs `language`, NITF lang) when the agency gives one,
    else what its words say, else the site's."""
    code = primary(declared)
    if code:
        return Language(code, "declared")
    code = detect(" ".join(paragraphs))
    if code:
        return Language(code, "detected")
    return Language(primary(site_language) or "en", "site")


@cache
def _stopwords() -> tuple[dict[str, tuple[tuple[str, float], ...]], tuple[str, ...]]:
    """Word -> the languages it is a function word of, each with its weight (1 for a word of one language, 1/n
    for a word n languages share); and the languages."""
    data = yaml.safe_load((DATA / "stopwords.yaml").read_text(encoding="utf-8"))
    lists = {language: set(words) for language, words in data.items()}
    sharing = Counter(word for words in lists.values() for word in words)
    weights: dict[str, list[tuple[str, float]]] = {}
    for language, words in lists.items():
        for word in sorted(words):
            weights.setdefault(word, []).append((language, 1 / sharing[word]))
    return {word: tuple(pairs) for word, pairs in weights.items()}, tuple(lists)


def detect(text: str) -> str | None:
    """The language of TEXT by its script, or by its commonest function words; None when unsure."""
    words = _WORD.findall(text)[:WORDS_READ]
    if not words:
        return None
    script = _script(words)
    if script is not None:
        return script
    scores = dict.fromkeys(_stopwords()[1], 0.0)
    weights = _stopwords()[0]
    for word in words:
        # capitals are table headings and abbreviations ("DEC", "ORD"), not prose
        if len(word) == 1 or not word.isupper():
            for language, weight in weights.get(word.lower(), ()):
                scores[language] += weight
    (best, language), (second, _) = sorted(((score, language) for language, score in scores.items()), reverse=True)[:2]
    if best >= MIN_SCORE and best >= MIN_LEAD * second and best >= MIN_SHARE * len(words):
        return language
    return None


def _script(words: list[str]) -> str | None:
    """The language a non-Latin script names, when most letters are in it (Ukrainian told from Russian by its
    own letters)."""
    text = "".join(words)
    others = _NOT_LATIN.findall(text)
    if len(others) * 2 < len(text):  # most copy: Latin letters, decided without naming each character
        return None
    letters = Counter(next((code for script, code in _SCRIPTS if unicodedata.name(char, "").startswith(script)), "")
                      for char in others)
    code, count = letters.most_common(1)[0]
    if not code or count * 2 < len(text):
        return None
    if code == "ru" and any(char in "іїєґІЇЄҐ" for char in others):
        return "uk"
    if code == "zh" and letters["ja"]:  # Japanese writes kanji among its kana
        return "ja"
    return code
