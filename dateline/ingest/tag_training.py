"""Training the learned tagger (scikit-learn): one linear SVM per tag, thresholds from cross-validation.

Imported only by the training process (learned_tags.training_process), so numpy, scipy and scikit-learn
are loaded only while a model is trained. Deterministic: the articles
are read in path order, the folds come from a fixed seed, the solver has a fixed seed, and ties are
broken by index.
"""

from __future__ import annotations

import time
import warnings
from array import array
from collections import Counter
from pathlib import Path

import numpy as np
import scipy.sparse
from sklearn.exceptions import ConvergenceWarning
from sklearn.svm import LinearSVC

from dateline.config import LearnedTagsConfig
from dateline.ingest.learned_tags import FOLDS, TrainingSet, training_set, training_text
from dateline.ingest.tag_model import TagModel, TagStats, TagWeights, idf_of, terms, tf_of

MIN_DOCUMENT_FREQUENCY = 2  # a word seen in one article only says nothing about the others
WEIGHTS_KEPT = 1000  # per tag, the strongest; measured on Reuters: micro-F1 0.945 with all, 0.945 with 1,000
SEED = 0


def train(site_dir: Path, settings: LearnedTagsConfig) -> TagModel:
    """A model of the site's training set as it is now (see learned_tags.training_set)."""
    started = time.monotonic()
    training = training_set(site_dir)
    keys = training.trainable(settings)
    counts = [terms(training_text(site_dir, article)) for article in training.articles]
    frequency: Counter[str] = Counter()
    for article_terms in counts:
        frequency.update(article_terms.keys())
    vocabulary = tuple(sorted(term for term, n in frequency.items() if n >= MIN_DOCUMENT_FREQUENCY))
    index = {term: i for i, term in enumerate(vocabulary)}
    idf = array("f", (idf_of(len(counts), frequency[term]) for term in vocabulary))
    idf64 = np.array(idf, dtype=np.float64)  # the stored (32-bit) values, so training sees what prediction uses

    rows, columns, values = [], [], []
    for row, article_terms in enumerate(counts):
        for term, count in article_terms.items():
            i = index.get(term)
            if i is not None:
                rows.append(row)
                columns.append(i)
                values.append(tf_of(count) * idf64[i])
    features = scipy.sparse.csr_matrix((values, (rows, columns)), shape=(len(counts), len(vocabulary)))
    norms = np.sqrt(np.asarray(features.multiply(features).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    features = scipy.sparse.csr_matrix(scipy.sparse.diags(1.0 / norms) @ features)

    folds = np.empty(len(counts), dtype=np.int64)
    folds[np.random.RandomState(SEED).permutation(len(counts))] = np.arange(len(counts)) % FOLDS
    splits = [_Split(features, folds != fold, folds == fold) for fold in range(FOLDS)]
    everything = _Split(features, np.ones(len(counts), dtype=bool), np.zeros(len(counts), dtype=bool))
    stats: list[TagStats] = []
    tags: list[TagWeights] = []
    for key in keys:
        outcome = _learn_tag(training, key, splits, everything, settings)
        stats.append(outcome[0])
        if outcome[1] is not None:
            tags.append(outcome[1])
    order = sorted(range(len(stats)), key=lambda i: stats[i].name)
    return TagModel(training.digest(settings), len(training.articles), time.monotonic() - started,
                    tuple(stats[i] for i in order), vocabulary, idf, tuple(sorted(tags, key=lambda t: t.name)))


class _Split:
    """The rows a model is fitted on and the rows it scores, with the fitted rows' features sliced once
    for every tag (a tag with unconfirmed articles slices its own)."""

    def __init__(self, features, fit_rows, score_rows) -> None:
        self.features, self.fit_rows, self.score_rows = features, fit_rows, score_rows
        self.fit_features = features if fit_rows.all() else features[fit_rows]

    def fit_and_score(self, wanted, taught):
        """Scores of the score rows this tag is taught on (None when the fit rows hold one class only),
        and the weights and intercept."""
        fit_rows = self.fit_rows & taught
        if len(set(wanted[fit_rows].tolist())) < 2:
            return None, None, None
        fit_features = self.fit_features if taught.all() else self.features[fit_rows]
        weights, bias = _fit(fit_features, wanted[fit_rows])
        score_rows = np.flatnonzero(self.score_rows & taught)
        return score_rows, self.features[score_rows] @ weights + bias, (weights, bias)


def _learn_tag(training: TrainingSet, key: str, splits: list[_Split], everything: _Split,
               settings: LearnedTagsConfig):
    """(its stats, its weights or None when it is not used) for one tag."""
    name = training.names[key]
    taught = np.array([key not in article.unconfirmed for article in training.articles])
    wanted = np.array([key in article.tags for article in training.articles])
    scores = np.full(len(wanted), -np.inf)  # an article no fold could score counts as not found
    for split in splits:
        rows, fold_scores, _ = split.fit_and_score(wanted, taught)
        if rows is not None:
            scores[rows] = fold_scores
    rows = np.flatnonzero(taught)
    examples = int(wanted[rows].sum())
    threshold, precision, recall = _threshold(scores[rows], wanted[rows], settings.min_precision)
    if threshold is None:
        return TagStats(name, examples, precision, recall, False,
                        f"cross-validated precision below {settings.min_precision:g}"), None
    _, _, (weights, bias) = everything.fit_and_score(wanted, taught)
    kept = {int(i): float(weights[i]) for i in np.flatnonzero(weights)}
    return TagStats(name, examples, precision, recall, True), TagWeights(name, float(bias - threshold), kept)


def _fit(features, wanted):
    """A linear SVM's weights (only the WEIGHTS_KEPT strongest left non-zero) and intercept."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # a few more iterations change nothing we measure
        model = LinearSVC(C=1.0, random_state=SEED).fit(features, wanted)
    weights = model.coef_[0].copy()
    if np.count_nonzero(weights) > WEIGHTS_KEPT:
        weakest = np.argsort(-np.abs(weights), kind="stable")[WEIGHTS_KEPT:]
        weights[weakest] = 0.0
    return weights, float(model.intercept_[0])


def _threshold(scores, wanted, min_precision: float) -> tuple[float | None, float, float]:
    """The score above which the tag is given: the best F1 among cut-offs whose cross-validated
    precision is at least MIN_PRECISION. Returns (threshold or None, precision, recall) there (at the
    best-F1 cut-off when none is precise enough)."""
    order = np.lexsort((np.arange(len(scores)), -scores))
    ranked = scores[order]
    found = np.cumsum(wanted[order])
    given = np.arange(1, len(scores) + 1)
    precision = found / given
    recall = found / max(int(wanted.sum()), 1)
    f1 = np.where(found > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0.0)
    # a cut-off between two different scores only, and never among the articles no fold could score
    cut = np.append(ranked[:-1] > ranked[1:], True) & np.isfinite(ranked)
    candidates = cut & (found > 0)
    if not candidates.any():
        return None, 0.0, 0.0
    precise = candidates & (precision >= min_precision)
    best = int(np.argmax(np.where(precise if precise.any() else candidates, f1, -1.0)))
    if not precise.any():
        return None, float(precision[best]), float(recall[best])
    below = ranked[best + 1] if best + 1 < len(ranked) and np.isfinite(ranked[best + 1]) else ranked[best] - 1.0
    return float((ranked[best] + below) / 2), float(precision[best]), float(recall[best])
