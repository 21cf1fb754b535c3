"""The learned model: TF-IDF text views + rule-hit features -> calibrated category probabilities.

Training is deterministic (sorted inputs, fixed seeds, a single-threaded solver)
and takes a few seconds, so the model is trained from classifier/data/ on first
use. It is persisted only as arrays and JSON (never a pickle) in the user cache
directory, keyed by `model_version()`: a hash of the data, the rules and this
code. A missing, unreadable or mismatched cache entry is rebuilt.

Probabilities are a multinomial logistic regression's softmax, divided by a
temperature fitted on out-of-fold scores (grouped by server) so that they are
calibrated; the evaluation reports the resulting calibration error.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
import sklearn
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from threadpoolctl import threadpool_limits

from classifier.dataset import DATA_DIR, Example, data_digest
from classifier.engine import Engine, Hit
from classifier.features import Features, FieldText, extract_features
from classifier.model_features import CATEGORIES, RuleVectoriser, text_views
from classifier.term_counts import FastTfidf
from mcp_domain import Category, Evidence, ToolDefinition

FORMAT = "1"
SEED = 7
C = 4.0
FOLDS = 5
# The rule hits' columns are scaled down so far that the model learns from the text. Rules
# fitted to the training servers are right on nearly all of them, so a model given full-weight
# rule columns only copied the rules and failed with them on new servers. On the validation
# files (dev rounds 6 and 7, 627 tools the rules were never fitted to) weight 1.5 scored 85.2%,
# 0-0.15 scored 88.5-89.3%, 0.25 87.1%, 0.4 85.6% (model alone).
RULE_BLOCK_WEIGHT = 0.1
# Vectoriser settings per text view: (view index in text_views(), sklearn parameters, weight).
VIEWS: dict[str, tuple[int, dict[str, Any], float]] = {
    "name": (0, {"analyzer": "word", "token_pattern": r"\S+", "ngram_range": (1, 2)}, 1.2),
    "name_chars": (0, {"analyzer": "char_wb", "ngram_range": (3, 5), "min_df": 2}, 0.8),
    "body": (
        1,
        {"analyzer": "word", "ngram_range": (1, 2), "min_df": 2, "max_features": 40000},
        1.0,
    ),
    "schema": (2, {"analyzer": "word", "token_pattern": r"\S+", "min_df": 2}, 0.6),
}
# Which definition fields a term of each text view can be quoted from.
_EVIDENCE_KINDS = {
    "name": ("name",),
    "body": ("description", "title", "property_description"),
    "schema": ("property_name", "enum"),
}
_CODE_FILES = (
    "model.py",
    "model_features.py",
    "term_counts.py",
    "dataset.py",
    "features.py",
    "tokens.py",
)


def model_version(rules_digest: str, data_dir: Path = DATA_DIR) -> str:
    """Hash of the training data, the rules, the model code and the scikit-learn version."""
    digest = hashlib.sha256()
    digest.update(
        f"{FORMAT}\0{rules_digest}\0{data_digest(data_dir)}\0{sklearn.__version__}".encode()
    )
    here = Path(__file__).parent
    for name in _CODE_FILES:
        digest.update(name.encode() + b"\0" + (here / name).read_bytes())
    return digest.hexdigest()[:10]


RowTerms = tuple[np.ndarray, np.ndarray]  # (columns, values) of one row of a CSR matrix


def row_terms(x: sp.csr_matrix, row: int) -> RowTerms:
    """The stored columns and values of `x[row]`, without building a matrix for it."""
    start, end = x.indptr[row], x.indptr[row + 1]
    return x.indices[start:end], x.data[start:end]


@lru_cache(maxsize=4096)
def _term_pattern(term: str) -> re.Pattern[str]:
    # Vocabulary terms repeat from tool to tool: each is compiled once.
    words = term.split()
    return re.compile(r"\b" + r"\W+".join(re.escape(w) for w in words) + r"\b", re.IGNORECASE)


def _locate(item: FieldText, term: str) -> tuple[int, int] | None:
    """Offsets of `term` (one or two words) in a field, by tokens or by word pattern."""
    words = term.split()
    if not words:
        return None
    if item.tokens:
        texts = [t.text for t in item.tokens]
        for i in range(len(texts) - len(words) + 1):
            if texts[i : i + len(words)] == words:
                return item.tokens[i].start, item.tokens[i + len(words) - 1].end
        return None
    m = _term_pattern(term).search(item.text)
    return (m.start(), m.end()) if m else None


def _vectoriser(
    params: dict[str, Any], vocabulary: dict[str, int] | None = None
) -> TfidfVectorizer:
    return TfidfVectorizer(
        lowercase=True, sublinear_tf=True, dtype=np.float64, vocabulary=vocabulary, **params
    )


def _softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    e = np.exp(scores)
    return e / e.sum(axis=1, keepdims=True)


@dataclass
class Model:
    """A trained model. `predict_proba` makes it a `classifier.combine.Scorer`."""

    version: str
    engine: Engine
    vectorisers: dict[str, TfidfVectorizer]
    coef: np.ndarray  # (classes, features)
    intercept: np.ndarray
    temperature: float = 1.0
    rules: RuleVectoriser = field(init=False)
    _names: list[str] | None = field(init=False, default=None)
    _centred: np.ndarray | None = field(init=False, default=None)
    _fast: dict[str, FastTfidf] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.rules = RuleVectoriser(self.engine.ruleset)

    # -- features ---------------------------------------------------------------
    def matrix(self, features: Sequence[Features], hits: Sequence[Sequence[Hit]]) -> sp.csr_matrix:
        views = [text_views(f) for f in features]
        blocks = []
        for key, (index, _params, weight) in VIEWS.items():
            fast = self._fast.get(key)
            if fast is None or fast.vec is not self.vectorisers[key]:
                fast = self._fast[key] = FastTfidf(self.vectorisers[key])
            block = fast.transform([v[index] for v in views])
            blocks.append(block * weight)
        rule_block = self.rules.block(features, hits, RULE_BLOCK_WEIGHT)
        return sp.hstack([*blocks, rule_block], format="csr")

    def feature_names(self) -> list[str]:
        if self._names is None:
            names: list[str] = []
            for key in VIEWS:
                names.extend(f"{key}:{t}" for t in self.vectorisers[key].get_feature_names_out())
            self._names = names + self.rules.names
        return self._names

    # -- prediction -------------------------------------------------------------
    def proba(self, x: sp.csr_matrix) -> np.ndarray:
        """Calibrated probabilities, columns in CATEGORIES order."""
        return _softmax((x @ self.coef.T + self.intercept) / self.temperature)

    def predict_many(
        self, features: Sequence[Features], hits: Sequence[Sequence[Hit]]
    ) -> list[dict[Category, float]]:
        return self.score_batch(features, hits)[0]

    def score_batch(
        self, features: Sequence[Features], hits: Sequence[Sequence[Hit]]
    ) -> tuple[list[dict[Category, float]], sp.csr_matrix | None]:
        """Probabilities per tool, and the feature matrix (for evidence) in one pass."""
        if not features:
            return [], None
        x = self.matrix(features, hits)
        probs = self.proba(x)
        rows = [dict(zip(CATEGORIES, row, strict=True)) for row in probs.tolist()]  # floats
        return rows, x

    def predict_proba(self, tool: ToolDefinition) -> Mapping[Category, float]:
        features = extract_features(tool)
        return self.predict_many([features], [self.engine.run(features)])[0]

    def contributions(
        self,
        features: Features,
        hits: Sequence[Hit],
        category: Category,
        limit: int = 8,
        x_row: sp.csr_matrix | RowTerms | None = None,
    ) -> list[tuple[str, float]]:
        """The features that push `category` up most for this tool, largest first.

        `x_row`: the tool's row of `matrix` (a one-row matrix, or `row_terms` of the
        batch's matrix); computed here when not given."""
        if x_row is None:
            x_row = self.matrix([features], [hits])
        cols, values = x_row if isinstance(x_row, tuple) else row_terms(sp.csr_matrix(x_row), 0)
        if self._centred is None:
            self._centred = self.coef - self.coef.mean(axis=0)
        # The same float64 products as one at a time; only the positive ones are named.
        pushes = values * self._centred[CATEGORIES.index(category)][cols]
        names = self.feature_names()
        found = [
            (names[j], v) for j, v in zip(cols.tolist(), pushes.tolist(), strict=True) if v > 0
        ]
        found.sort(key=lambda f: (-f[1], f[0]))
        return found[:limit]

    def evidence(
        self,
        features: Features,
        hits: Sequence[Hit],
        category: Category,
        x_row: sp.csr_matrix | RowTerms | None = None,
    ) -> list[Evidence]:
        """Where the words that push `category` up most stand in the definition."""
        found: list[Evidence] = []
        for name, _value in self.contributions(features, hits, category, 12, x_row):
            view, _, term = name.partition(":")
            if all(word in ENGLISH_STOP_WORDS for word in term.split()):
                continue  # "the" may tip a score, but it is no evidence a reviewer can check
            for kind in _EVIDENCE_KINDS.get(view, ()):
                span = next(
                    ((item, sp) for item in features.of_kind(kind) if (sp := _locate(item, term))),
                    None,
                )
                if span is not None:
                    item, (start, end) = span
                    found.append(
                        Evidence(field=item.path, text=item.text[start:end], start=start, end=end,
                                 supports=f"model:{category}")
                    )  # fmt: skip
                    break
            if len(found) >= 3:
                break
        return found

    # -- persistence (arrays and JSON only) -----------------------------------
    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        arrays: dict[str, np.ndarray] = {"coef": self.coef, "intercept": self.intercept}
        meta: dict[str, Any] = {
            "format": FORMAT,
            "version": self.version,
            "temperature": self.temperature,
        }
        vocab: dict[str, list[str]] = {}
        for key, vec in self.vectorisers.items():
            arrays[f"idf_{key}"] = vec.idf_
            vocab[key] = [str(t) for t in vec.get_feature_names_out()]
        meta["vocabulary"] = vocab
        stem = directory / f"model-{self.version}"
        with tempfile.NamedTemporaryFile(dir=directory, suffix=".npz", delete=False) as fh:
            np.savez(fh, **arrays)
        os.replace(fh.name, f"{stem}.npz")
        with tempfile.NamedTemporaryFile("w", dir=directory, suffix=".json", delete=False) as fh:
            json.dump(meta, fh)
        os.replace(fh.name, f"{stem}.json")

    @classmethod
    def load(cls, directory: Path, version: str, engine: Engine) -> Model | None:
        """The cached model for `version`, or None when it is missing or does not fit."""
        stem = directory / f"model-{version}"
        try:
            meta = json.loads(Path(f"{stem}.json").read_text(encoding="utf-8"))
            with np.load(f"{stem}.npz", allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
            if meta.get("format") != FORMAT or meta.get("version") != version:
                return None
            vectorisers = {}
            for key, (_i, params, _w) in VIEWS.items():
                terms = meta["vocabulary"][key]
                vec = _vectoriser(params, {t: i for i, t in enumerate(terms)})
                vec.idf_ = arrays[f"idf_{key}"]
                vectorisers[key] = vec
            model = cls(
                version,
                engine,
                vectorisers,
                arrays["coef"],
                arrays["intercept"],
                float(meta["temperature"]),
            )
            expected = sum(len(meta["vocabulary"][k]) for k in VIEWS) + model.rules.width
            if model.coef.shape != (len(CATEGORIES), expected):
                return None
            return model
        except (OSError, ValueError, KeyError, TypeError, json.JSONDecodeError):
            return None


# -- training --------------------------------------------------------------------
def _fit_vectorisers(features: Sequence[Features]) -> dict[str, TfidfVectorizer]:
    views = [text_views(f) for f in features]
    fitted = {}
    for key, (index, params, _w) in VIEWS.items():
        vec = _vectoriser(params)
        vec.fit([v[index] for v in views])
        fitted[key] = vec
    return fitted


def _fit_lr(x: sp.csr_matrix, y: np.ndarray) -> LogisticRegression:
    lr = LogisticRegression(C=C, max_iter=3000, class_weight="balanced", random_state=SEED)
    # One BLAS thread: the solver's vectors are small, and on a busy machine a second
    # thread waiting for a core made training nine times slower (2.6 s against 23 s).
    with threadpool_limits(limits=1, user_api="blas"):
        lr.fit(x, y)
    return lr


def _full_coef(lr: LogisticRegression) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients with a row for every category, even one missing from the data."""
    coef = np.zeros((len(CATEGORIES), lr.coef_.shape[1]))
    intercept = np.full(len(CATEGORIES), -30.0)
    for row, cls in enumerate(lr.classes_):
        coef[int(cls)] = lr.coef_[row]
        intercept[int(cls)] = lr.intercept_[row]
    return coef, intercept


def _fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """The temperature minimising the negative log-likelihood of out-of-fold scores."""
    best, best_nll = 1.0, float("inf")
    for t in np.arange(0.3, 3.01, 0.05):
        p = _softmax(logits / t)
        nll = -float(np.mean(np.log(np.clip(p[np.arange(len(y)), y], 1e-12, 1.0))))
        if nll < best_nll - 1e-12:
            best, best_nll = float(round(t, 2)), nll
    return best


def prepare(
    examples: Sequence[Example], engine: Engine
) -> tuple[list[Example], list[Features], list[list[Hit]]]:
    ordered = sorted(examples, key=lambda e: (e.server, e.tool.name, e.source))
    features = [extract_features(e.tool) for e in ordered]
    hits = [engine.run(f) for f in features]
    return ordered, features, hits


def train(
    examples: Sequence[Example], engine: Engine, version: str, calibrate: bool = True
) -> Model:
    """Fit the model on `examples` (any order: they are sorted first)."""
    ordered, features, hits = prepare(examples, engine)
    y = np.array([e.category.severity for e in ordered])
    groups = np.array([e.server for e in ordered])
    model = Model(version, engine, _fit_vectorisers(features), np.zeros((0, 0)), np.zeros(0))
    x = model.matrix(features, hits)
    model.coef, model.intercept = _full_coef(_fit_lr(x, y))
    if calibrate and len(set(groups)) >= FOLDS:
        logits = np.zeros((len(y), len(CATEGORIES)))
        for fit_idx, held_idx in GroupKFold(n_splits=FOLDS).split(x, y, groups):
            sub = Model(version, engine, _fit_vectorisers([features[i] for i in fit_idx]),
                        np.zeros((0, 0)), np.zeros(0))  # fmt: skip
            sub_x = sub.matrix([features[i] for i in fit_idx], [hits[i] for i in fit_idx])
            sub.coef, sub.intercept = _full_coef(_fit_lr(sub_x, y[fit_idx]))
            held_x = sub.matrix([features[i] for i in held_idx], [hits[i] for i in held_idx])
            logits[held_idx] = held_x @ sub.coef.T + sub.intercept
        model.temperature = _fit_temperature(logits, y)
    return model


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "mcp-catalogue"


def load_or_train(engine: Engine, examples_loader, version: str, persist: bool = True) -> Model:
    """The cached model for `version`, else a freshly trained one (saved when possible)."""
    directory = cache_dir()
    model = Model.load(directory, version, engine) if persist else None
    if model is not None:
        return model
    model = train(examples_loader(), engine, version)
    if persist:
        try:
            model.save(directory)
        except OSError as exc:  # a read-only home must not stop classification
            print(f"mcp-catalogue: model cache not written: {exc}", file=sys.stderr)
    return model
