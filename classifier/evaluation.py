"""Held-out evaluation of the classifier, its rules, its model and a verb baseline.

`cross_validate` is the mode for tuning: grouped folds over the training
servers only, so rules and thresholds can be improved without looking at the
held-out servers, whose figures are reported once at the end.

The split is by server (see dataset.server_split): no server has tools on both
sides, and the held-out servers are never seen in training. A model is trained
on the training servers only, then the held-out tools are labelled four ways:
the combined classifier (rules + that model), the rules alone, the model alone,
and the baseline that takes the most severe verb in the tool name.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.model_selection import GroupKFold

from classifier.combine import combine
from classifier.dataset import (
    Example,
    load_examples,
    rule_examples,
    server_split,
    without_overlap,
)
from classifier.engine import Engine
from classifier.model import Model, prepare, train
from classifier.model_features import CATEGORIES
from classifier.ruleset import default_rules
from classifier.tokens import tokenize
from mcp_domain import Category, Label
from mcp_domain.labels import DEFAULT_RISK

# The baseline: a few verbs per category, looked for in the name's tokens.
BASELINE_VERBS: dict[Category, frozenset[str]] = {
    Category.Financial: frozenset(
        "pay charge refund transfer payout buy sell trade order swap invoice".split()
    ),
    Category.Destructive: frozenset(
        "delete remove drop truncate purge wipe destroy terminate kill uninstall revoke"
        " reset".split()
    ),
    Category.Execute: frozenset(
        "run exec execute start deploy trigger build navigate click evaluate generate".split()
    ),
    Category.Write: frozenset(
        "create add update edit set rename move upload tag comment post send schedule invite commit"
        " write".split()
    ),
}
ECE_BINS = 10


def baseline_category(name: str) -> Category:
    words = {t.text for t in tokenize(name)}
    for category in sorted(BASELINE_VERBS, key=lambda c: -c.severity):
        if words & BASELINE_VERBS[category]:
            return category
    return Category.Read


def _index(c: Category) -> int:
    return CATEGORIES.index(c)


def scores(y: Sequence[Category], pred: Sequence[Category]) -> dict[str, Any]:
    """Per-class precision/recall/F1, macro-F1, accuracy, confusion and D+F recall."""
    n = len(CATEGORIES)
    confusion = np.zeros((n, n), dtype=int)
    for truth, guess in zip(y, pred, strict=True):
        confusion[_index(truth), _index(guess)] += 1
    per_class = {}
    f1s = []
    for i, c in enumerate(CATEGORIES):
        tp = int(confusion[i, i])
        predicted = int(confusion[:, i].sum())
        actual = int(confusion[i, :].sum())
        p = tp / predicted if predicted else 0.0
        r = tp / actual if actual else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        f1s.append(f1)
        per_class[str(c)] = {"precision": p, "recall": r, "f1": f1, "support": actual}
    severe = (Category.Destructive, Category.Financial)
    truly = [g for t, g in zip(y, pred, strict=True) if t in severe]
    return {
        "accuracy": float(np.trace(confusion) / max(len(y), 1)),
        "macro_f1": float(np.mean(f1s)),
        "destructive_financial_recall": sum(g in severe for g in truly) / max(len(truly), 1),
        "per_class": per_class,
        "confusion": {
            "labels": [str(c) for c in CATEGORIES],
            "rows_true_cols_predicted": confusion.tolist(),
        },
    }


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray) -> float:
    """Top-label ECE over ECE_BINS equal-width bins."""
    if len(confidence) == 0:
        return 0.0
    bins = np.minimum((confidence * ECE_BINS).astype(int), ECE_BINS - 1)
    total = 0.0
    for b in range(ECE_BINS):
        mask = bins == b
        if mask.any():
            total += mask.sum() * abs(confidence[mask].mean() - correct[mask].mean())
    return float(total / len(confidence))


def _rule_truth(rule, example: Example) -> bool:
    if rule.kind == "category":
        return example.category == rule.category
    if rule.kind == "flag":
        return rule.flag in example.flags
    return example.risk != str(DEFAULT_RISK[example.category])  # a risk raise


def rule_table(examples: Sequence[Example], hits: Sequence[Sequence]) -> list[dict[str, Any]]:
    """Each rule's coverage (share of tools it fires on) and precision on `examples`."""
    rows = []
    for rule in default_rules().rules:
        fired = [
            e for e, hs in zip(examples, hits, strict=True) if any(h.rule.id == rule.id for h in hs)
        ]
        right = sum(_rule_truth(rule, e) for e in fired)
        rows.append(
            {
                "rule": rule.id,
                "supports": rule.supports,
                "fired": len(fired),
                "coverage": len(fired) / max(len(examples), 1),
                "precision": right / len(fired) if fired else None,
            }
        )
    return rows


def label_batch(
    model: Model, examples: Sequence[Example], features: Sequence, hits: Sequence
) -> tuple[list[Label], np.ndarray]:
    """Combined labels and the model's probabilities for prepared examples."""
    probs = model.proba(model.matrix(features, hits))
    labels = []
    for i, e in enumerate(examples):
        p = dict(zip(CATEGORIES, map(float, probs[i]), strict=True))
        labels.append(
            combine(
                e.tool,
                features[i],
                list(hits[i]),
                None,
                "eval",
                probs=p,
                evidence_fn=model.evidence,
            )
        )
    return labels, probs


def evaluate(engine: Engine, examples: Sequence[Example] | None = None) -> dict[str, Any]:
    examples = list(examples if examples is not None else load_examples())
    train_set, held = server_split(examples)
    # The rule files' own examples train too, unless one repeats a held-out tool.
    extra = without_overlap(rule_examples(engine.ruleset), held)
    started = time.perf_counter()
    model = train(train_set + extra, engine, "eval")
    train_seconds = time.perf_counter() - started
    held, features, hits = prepare(held, engine)
    y = [e.category for e in held]
    labels, probs = label_batch(model, held, features, hits)
    rules_only = [
        combine(e.tool, f, h).category for e, f, h in zip(held, features, hits, strict=True)
    ]
    model_pred = [CATEGORIES[int(i)] for i in probs.argmax(axis=1)]
    final = [lb.category for lb in labels]
    y_idx = np.array([_index(c) for c in y])
    model_conf = probs.max(axis=1)
    label_conf = np.array([lb.confidence for lb in labels])
    baseline = [baseline_category(e.tool.name) for e in held]
    mistakes = [
        {
            "server": e.server,
            "name": e.tool.name,
            "true": str(e.category),
            "predicted": str(lb.category),
        }
        for e, lb in zip(held, labels, strict=True)
        if lb.category != e.category
    ]
    return {
        "split": {
            "train_tools": len(train_set),
            "train_rule_examples": len(extra),
            "train_servers": len({e.server for e in train_set}),
            "heldout_tools": len(held),
            "heldout_servers": len({e.server for e in held}),
        },
        "train_seconds": round(train_seconds, 2),
        "temperature": model.temperature,
        "combined": scores(y, final)
        | {
            "ece_label_confidence": expected_calibration_error(
                label_conf, np.array(final) == np.array(y)
            )
        },
        "model_only": scores(y, model_pred)
        | {"ece": expected_calibration_error(model_conf, probs.argmax(axis=1) == y_idx)},
        "rules_only": scores(y, rules_only),
        "baseline": scores(y, baseline),
        "rules": rule_table(held, hits),
        "mistakes": mistakes,
    }


CV_FOLDS = 5


def _mistake(e: Example, predicted: Category) -> dict[str, Any]:
    return {
        "server": e.server,
        "name": e.tool.name,
        "true": str(e.category),
        "predicted": str(predicted),
        "source": e.source,
    }


def cross_validate(
    engine: Engine, examples: Sequence[Example] | None = None, folds: int = CV_FOLDS
) -> dict[str, Any]:
    """Grouped k-fold over the training servers of server_split (held-out never read).

    Each fold trains a model on the other training servers (plus the rule files'
    examples that repeat no tool of the fold) and labels the fold's tools.
    """
    examples = list(examples if examples is not None else load_examples())
    train_set, _held = server_split(examples)
    train_set, features, hits = prepare(train_set, engine)
    groups = np.array([e.server for e in train_set])
    rule_rows = rule_examples(engine.ruleset)
    final: list[Category | None] = [None] * len(train_set)
    rules_pred: list[Category | None] = [None] * len(train_set)
    for fit_idx, fold_idx in GroupKFold(n_splits=folds).split(groups, groups=groups):
        fold = [train_set[i] for i in fold_idx]
        extra = without_overlap(rule_rows, fold)
        model = train([train_set[i] for i in fit_idx] + extra, engine, "cv")
        labels, _ = label_batch(
            model, fold, [features[i] for i in fold_idx], [hits[i] for i in fold_idx]
        )
        for i, lb in zip(fold_idx, labels, strict=True):
            final[i] = lb.category
            rules_pred[i] = combine(train_set[i].tool, features[i], list(hits[i])).category
    y = [e.category for e in train_set]
    pred = [c for c in final if c is not None]
    rules_only = [c for c in rules_pred if c is not None]
    return {
        "split": {
            "train_tools": len(train_set),
            "train_servers": len(set(groups)),
            "folds": folds,
        },
        "combined": scores(y, pred),
        "rules_only": scores(y, rules_only),
        "rules": rule_table(train_set, hits),
        "mistakes": [
            _mistake(e, p) for e, p in zip(train_set, pred, strict=True) if p != e.category
        ],
    }
