"""Topic tags learned from the site's own archive: which articles teach, when to train, tags for new copy.

The training set is every article whose tags a person wrote or confirmed (`training_set`, the one
place that decides): hand-written articles, and imported ones an editor changed since import. An
imported article nobody touched is never training data, so the tagger never learns from its own
guesses; nor is an article without tags (an editor who tags nothing says nothing about topics). A
tag still listed under `tags_learned:` is the importer's guess, not an editor's: that article
teaches nothing about that tag.

The model is kept in SITE/.dateline-cache/learned-tags.model under a digest of the training set and
the settings, and trained again (in a process of its own: scikit-learn is loaded there, never by a
build, a preview or a publish) only when that digest changes. Predicting needs only the model file.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import yaml

import dateline
from dateline.article_files import scan_article_files, split_front_matter
from dateline.cache import ArticleCache, cache_dir, write_atomically
from dateline.config import LearnedTagsConfig, SiteConfig
from dateline.errors import SourceError
from dateline.fileio import read_bytes
from dateline.ingest.article import Draft
from dateline.ingest.tag_model import (
    FORMAT,
    LEARNED_KEY,
    ModelUnreadable,
    TagModel,
    article_text,
    load_model,
    model_bytes,
)
from dateline.ingest.tags import with_learned
from dateline.ingest.write import load_manifest
from dateline.layout import ARTICLES_DIR
from dateline.text import collapse_whitespace, slugify
from dateline.yamlutil import UniqueKeyLoader, read_nodes, simple_mapping

MODEL_NAME = "learned-tags.model"
SCAN_NAME = "learned-tags-articles.json"  # what each article file holds for training, by (mtime, size, inode)
FOLDS = 3  # cross-validation folds for each tag's threshold and its precision and recall


@dataclass(frozen=True)
class TrainingArticle:
    path: str  # relative to content/articles, with "/"
    sha256: str  # of the file's bytes
    title: str
    tags: tuple[str, ...]  # tag keys (slugs): spelling variants are one tag, as in the build
    unconfirmed: tuple[str, ...]  # keys of tags still marked as the importer's guesses


@dataclass(frozen=True)
class TrainingSet:
    articles: tuple[TrainingArticle, ...]  # sorted by path
    names: dict[str, str]  # tag key -> the spelling editors use most
    imported_untouched: int  # imported articles left out because nobody edited them
    untagged: int  # articles left out because they carry no tag

    def examples(self) -> Counter[str]:
        """Tag key -> articles that teach it is given (unconfirmed guesses left out)."""
        return Counter(key for article in self.articles for key in article.tags if key not in article.unconfirmed)

    def trainable(self, settings: LearnedTagsConfig) -> list[str]:
        """Keys of the tags with at least min_examples articles with them and as many without."""
        total = len(self.articles)
        return sorted(key for key, count in self.examples().items()
                      if count >= settings.min_examples and total - count >= settings.min_examples)

    def digest(self, settings: LearnedTagsConfig) -> str:
        """Changes exactly when training would give another model: articles, their bytes, the settings."""
        hasher = hashlib.blake2b(digest_size=16)
        hasher.update(json.dumps([FORMAT, FOLDS, settings.min_examples, float(settings.min_precision)]).encode())
        for article in self.articles:
            hasher.update(f"{article.path}\0{article.sha256}\n".encode())
        return hasher.hexdigest()


def training_set(site_dir: Path) -> TrainingSet:
    """The articles whose tags a person wrote or confirmed; see the module's docstring."""
    manifest, _ = load_manifest(site_dir)
    written = {entry.written_sha256 for entry in manifest.values()}
    sources = {key.partition("#")[0] for key in manifest}  # "<sha256>#2": the second story of an agency file
    articles: list[TrainingArticle] = []
    spellings: dict[str, Counter[str]] = {}
    untouched = untagged = 0
    for relative, article in sorted(_scan(site_dir).items()):
        if article.broken:
            continue  # the build reports it; it teaches nothing meanwhile
        if article.sha256 in written or (article.imported and article.source_sha256 not in sources):
            untouched += 1  # as the importer wrote it, or imported without a record of what it wrote
            continue
        if not article.tags:
            untagged += 1
            continue
        for name in article.tags:
            spellings.setdefault(slugify(name), Counter())[name] += 1
        keys = tuple(slugify(name) for name in article.tags)
        guessed = {slugify(name) for name in article.learned}
        articles.append(TrainingArticle(relative, article.sha256, article.title, keys,
                                        tuple(key for key in keys if key in guessed)))
    names = {key: min(counts, key=lambda name: (-counts[name], name)) for key, counts in spellings.items()}
    return TrainingSet(tuple(articles), names, untouched, untagged)


@dataclass(frozen=True)
class _ScannedArticle:
    """What training_set needs of one article file, kept in the cache by the file's (mtime, size, inode)."""

    signature: tuple[int, int, int]
    sha256: str = ""
    broken: bool = False  # not an article (the build says why)
    imported: bool = False  # carries imported_from
    source_sha256: str | None = None  # imported_from.sha256
    title: str = ""
    tags: tuple[str, ...] = ()
    learned: tuple[str, ...] = ()  # the tags_learned field


def _scan(site_dir: Path) -> dict[str, _ScannedArticle]:
    """Every article file by its path relative to content/articles; only new or changed files are read."""
    store = cache_dir(site_dir) / SCAN_NAME
    try:
        stored = json.loads(store.read_text(encoding="utf-8"))
        known = {relative: _from_json(entry) for relative, entry in stored["articles"].items()} \
            if stored["format"] == FORMAT else {}
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        known = {}  # none yet, or damaged: every file is read again
    scanned: dict[str, _ScannedArticle] = {}
    for path, relative, stat in scan_article_files(site_dir):
        signature = ArticleCache.signature(stat)
        article = known.get(relative)
        scanned[relative] = article if article is not None and article.signature == signature \
            else _read_article(Path(path), signature)
    if scanned != known:
        data = {"format": FORMAT, "articles": {relative: [list(a.signature), a.sha256, a.broken, a.imported,
                                                          a.source_sha256, a.title, list(a.tags),
                                                          list(a.learned)]
                                               for relative, a in sorted(scanned.items())}}
        try:
            write_atomically(store, json.dumps(data, ensure_ascii=False).encode("utf-8"))
        except OSError:
            pass  # a read-only site still trains; the next import reads every file again
    return scanned


def _from_json(entry: list) -> _ScannedArticle:
    """An entry of the scan cache, checked: a damaged cache raises (TypeError, ValueError) and is read anew."""
    signature, sha, broken, imported, source, title, tags, learned = entry
    article = _ScannedArticle(tuple(int(n) for n in signature), str(sha), bool(broken), bool(imported),
                              None if source is None else str(source), str(title), tuple(map(str, tags)),
                              tuple(map(str, learned)))
    if len(article.signature) != 3:
        raise ValueError("signature")
    return article


def _read_article(path: Path, signature: tuple[int, int, int]) -> _ScannedArticle:
    try:
        raw = read_bytes(path)
        front = split_front_matter(path, raw).front_matter
        # read as the build reads it (YAML 1.2's words: `tags: [yes, no]` are two tags; a repeated key is an error)
        simple = simple_mapping(front, UniqueKeyLoader)
        fields = simple[0] if simple is not None else read_nodes(front, UniqueKeyLoader)[1]
    except (OSError, SourceError, yaml.YAMLError):
        return _ScannedArticle(signature, broken=True)
    if not isinstance(fields, dict):
        return _ScannedArticle(signature, broken=True)
    source = fields.get("imported_from")
    title = fields.get("title")
    return _ScannedArticle(signature, hashlib.sha256(raw).hexdigest(), False, "imported_from" in fields,
                           source.get("sha256") if isinstance(source, dict) else None,
                           title if isinstance(title, str) else "",
                           tuple(_tag_names(fields.get("tags"))), tuple(_tag_names(fields.get(LEARNED_KEY))))


def _tag_names(value: object) -> list[str]:
    """Tags as the build reads them: text (numbers as text), whitespace collapsed, no two with one slug."""
    if not isinstance(value, list):
        return []
    names: list[str] = []
    seen: set[str] = set()
    for item in value:
        if isinstance(item, (int, float)) and not isinstance(item, bool):
            item = str(item)
        if isinstance(item, str) and collapse_whitespace(item) and slugify(item) not in seen:
            seen.add(slugify(item))
            names.append(collapse_whitespace(item))
    return names


def training_text(site_dir: Path, article: TrainingArticle) -> str:
    """What the model reads of a training article: its title and Markdown body."""
    path = site_dir / ARTICLES_DIR / article.path
    return article_text(article.title, split_front_matter(path, read_bytes(path)).body)


def model_path(site_dir: Path) -> Path:
    return cache_dir(site_dir) / MODEL_NAME


@dataclass
class ModelState:
    """The outcome of making sure the model is current: the model (None: no learned tags) and what happened."""

    model: TagModel | None
    training: TrainingSet
    trained: bool = False  # trained just now
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def current_model(site_dir: Path, settings: LearnedTagsConfig) -> ModelState:
    """The model for the site's training set as it is now: the cached one, or one trained now.

    None when no tag has enough examples (the importer then tags as it always did), or when training
    failed (with a warning: the keyword rules still tag).
    """
    training = training_set(site_dir)
    state = ModelState(None, training)
    if not training.trainable(settings):
        return state
    digest = training.digest(settings)
    path = model_path(site_dir)
    try:
        cached = load_model(path)
        if cached.digest == digest:
            state.model = cached
            return state
        reason = "the tagged articles changed"
    except ModelUnreadable as exc:
        reason = str(exc)
    started = time.monotonic()
    problem = _train_elsewhere(site_dir, settings)
    if problem:
        state.warnings.append(f"learned tags not used: {problem}")
        return state
    try:
        state.model = load_model(path)
    except ModelUnreadable as exc:
        state.warnings.append(f"learned tags not used: the model just trained is unreadable ({exc})")
        return state
    state.trained = True
    used = sum(1 for s in state.model.stats if s.used)
    state.notes.append(f"learned tags: trained on {state.model.articles:,} tagged articles in "
                       f"{time.monotonic() - started:.1f} s ({reason}); {used} tag{'s' if used != 1 else ''} used")
    return state


def _train_elsewhere(site_dir: Path, settings: LearnedTagsConfig) -> str | None:
    """Train in a fresh interpreter (training_process), so this process never loads scikit-learn.

    Returns None on success, else what went wrong in one line.
    """
    package_root = str(Path(dateline.__file__).resolve().parent.parent)
    python_path = os.pathsep.join(p for p in (package_root, os.environ.get("PYTHONPATH")) if p)
    job = json.dumps({"site": str(site_dir.resolve()), "min_examples": settings.min_examples,
                      "min_precision": float(settings.min_precision), "model": str(model_path(site_dir).resolve())})
    try:
        done = subprocess.run([sys.executable, "-c", "from dateline.ingest.learned_tags import training_process; "
                                                     "training_process()"],
                              input=job, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": python_path})
    except OSError as exc:
        return f"cannot start the training process ({exc.strerror or exc})"
    if done.returncode == 0:
        return None
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    return lines[-1] if lines else f"training ended with exit status {done.returncode}"


def training_process() -> None:
    """The training process: train from the JSON job on stdin ({site, min_examples, min_precision, model})
    and write the model; a missing scikit-learn is one line on stderr and exit status 2."""
    job = json.loads(sys.stdin.read())
    try:
        import sklearn  # noqa: F401
    except ImportError:
        print("scikit-learn is not installed (pip install -r requirements.txt)", file=sys.stderr)
        raise SystemExit(2) from None
    from dateline.ingest.tag_training import train

    settings = LearnedTagsConfig(min_examples=job["min_examples"], min_precision=job["min_precision"])
    write_atomically(Path(job["model"]), model_bytes(train(Path(job["site"]), settings)))


def add_learned(draft: Draft, learned: Sequence[str], max_tags: int) -> Draft:
    """DRAFT with LEARNED tags after its keyword-rule tags (at most MAX_TAGS in all), those written listed
    again under tags_learned, right after tags, so an editor can tell the guesses."""
    tags, guessed = with_learned(draft.fields.get("tags", []), learned, max_tags=max_tags)
    if not guessed:
        return draft
    fields: dict = {}
    for key, value in draft.fields.items():
        fields[key] = tags if key == "tags" else value
        if key == "tags":
            fields[LEARNED_KEY] = guessed
    return dataclasses.replace(draft, fields=fields)


def score_draft(draft: Draft, model: TagModel, max_tags: int) -> Draft:
    """DRAFT with the tags MODEL gives it: the model reads its title and Markdown body, as it read the archive."""
    return add_learned(draft, predict(draft.title, draft.body, model), max_tags)


def predict(title: str, body: str, model: TagModel) -> tuple[str, ...]:
    """The tags MODEL gives an article of that TITLE and Markdown BODY (before max_tags and the other tags)."""
    return tuple(model.predict(article_text(title, body)))


Predictor = Callable[[str, str], tuple[str, ...]]  # (title, Markdown body) -> learned tags


class LearnedTagger:
    """Learned tags for one import batch: the model is made ready when the first story needs it."""

    def __init__(self, site_dir: Path, config: SiteConfig) -> None:
        self._site_dir = site_dir
        self._settings = config.import_.learned_tags
        self._max_tags = config.import_.max_tags
        self._state: ModelState | None = None

    def add_to(self, draft: Draft, learned: Sequence[str] | None = None) -> Draft:
        """DRAFT (the article about to be written, whatever its format) with its LEARNED tags after the tags
        it has (see with_learned); DRAFT itself without a model. LEARNED None: not predicted yet (the workers
        had no model): the model reads the draft's title and Markdown body here, as it read the archive's
        articles (and is read or trained first if this is the batch's first story to need it)."""
        if not self._settings.enabled:
            return draft
        if learned is None:
            if self._state is None:
                self._state = current_model(self._site_dir, self._settings)
            if self._state.model is None:
                return draft
            learned = predict(draft.title, draft.body, self._state.model)
        return add_learned(draft, learned, self._max_tags)

    def ready(self) -> Predictor | None:
        """`predict` with the model, once the model is ready (None before, and without a model): the
        importer's workers, forked after that, predict their stories' tags themselves; before, this process
        does (a worker must never be the one to read or train the model)."""
        model = self._state.model if self._state and self._settings.enabled else None
        return functools.partial(predict, model=model) if model else None

    @property
    def notes(self) -> list[str]:
        return self._state.notes if self._state else []

    @property
    def warnings(self) -> list[str]:
        return self._state.warnings if self._state else []
