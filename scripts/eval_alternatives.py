"""Score alternatives to the shipped model and combination on the validation files.

    python scripts/eval_alternatives.py            # every study, figures only
    python scripts/eval_alternatives.py --only learners stacking
    python scripts/eval_alternatives.py --json

Every study trains the way scripts/eval_validation.py does (the training split of server_split,
minus the validation files, plus the rule files' own examples) and scores dev rounds 6 and 7,
which no rule or setting was fitted to. Held-out servers are never touched. Figures only: the
validation files' mistakes are not listed, so they stay fit for judging.

Studies:
  oracle     the shipped system, the rules alone, the model alone, and how often at least one of
             the two is right (no way of choosing between them can score higher)
  learners   other linear learners on the model's own feature matrix: logistic regression at
             several C, a linear SVM, complement and multinomial naive Bayes, and naive Bayes
             averaged with the logistic regression
  stacking   a second-stage classifier (logistic regression, gradient-boosted trees) over the
             model's out-of-fold probabilities on the training servers and the rules' outputs,
             with and without escalation to Financial/Destructive
  thresholds the combination's thresholds (FIRM, FIRM_SEVERE, SEVERE_MIN = SEVERE_OVER_FIRM,
             MODEL_MIN) on a grid
  negation   the description view with the words after a negation ("not charged") marked,
             replacing or added to the plain words
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.naive_bayes import ComplementNB, MultinomialNB
from sklearn.svm import LinearSVC

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from eval_validation import VALIDATION_FILES, validation_split  # noqa: E402

import classifier.combine as combination  # noqa: E402
import classifier.model as model_module  # noqa: E402
from classifier import _engine  # noqa: E402
from classifier.dataset import load_examples  # noqa: E402
from classifier.evaluation import scores  # noqa: E402
from classifier.model import FOLDS, SEED, Model, prepare, train  # noqa: E402
from classifier.model_features import CATEGORIES  # noqa: E402
from mcp_domain import Category  # noqa: E402

STUDIES = ("oracle", "learners", "stacking", "thresholds", "negation")
_SEVERE_COLUMNS = (CATEGORIES.index(Category.Financial), CATEGORIES.index(Category.Destructive))


class Split:
    """Training rows and validation rows, prepared once and shared by the studies."""

    def __init__(self) -> None:
        self.engine = _engine()
        rows, extra, scored, _unscored = validation_split(
            load_examples(), self.engine, VALIDATION_FILES
        )
        self.rows = rows + extra
        self.scored, self.features, self.hits = prepare(scored, self.engine)
        self.truth = [e.category for e in self.scored]

    def figures(self, predicted: Sequence[Category]) -> dict[str, float]:
        s = scores(self.truth, predicted)
        return {
            "accuracy": round(100 * s["accuracy"], 1),
            "macro_f1": round(100 * s["macro_f1"], 1),
            "df_recall": round(100 * s["destructive_financial_recall"], 1),
        }


def _argmax(probabilities: np.ndarray) -> list[Category]:
    return [CATEGORIES[int(i)] for i in probabilities.argmax(axis=1)]


def _escalated(probabilities: np.ndarray, threshold: float) -> list[Category]:
    """The best category, or Financial/Destructive when it scores `threshold` above a milder one."""
    chosen = []
    for row in probabilities:
        best = int(row.argmax())
        for column in _SEVERE_COLUMNS:
            if column > best and row[column] >= threshold:  # columns run from least severe
                best = column
                break
        chosen.append(CATEGORIES[best])
    return chosen


def _combined(split: Split, probabilities: np.ndarray) -> list[Category]:
    labels = []
    for e, f, h, p in zip(split.scored, split.features, split.hits, probabilities, strict=True):
        scored = dict(zip(CATEGORIES, map(float, p), strict=True))
        labels.append(combination.combine(e.tool, f, list(h), probs=scored).category)
    return labels


# -- studies ------------------------------------------------------------------------
def study_oracle(split: Split) -> dict:
    model = train(split.rows, split.engine, "alternatives")
    probabilities = model.proba(model.matrix(split.features, split.hits))
    rules = [
        combination.combine(e.tool, f, list(h)).category
        for e, f, h in zip(split.scored, split.features, split.hits, strict=True)
    ]
    alone = _argmax(probabilities)
    either = sum(t in (r, m) for t, r, m in zip(split.truth, rules, alone, strict=True))
    return {
        "shipped combination": split.figures(_combined(split, probabilities)),
        "rules alone": split.figures(rules),
        "model alone": split.figures(alone),
        "rules or model right (ceiling)": {
            "accuracy": round(100 * either / max(len(split.truth), 1), 1)
        },
    }


def _matrices(split: Split):
    ordered, features, hits = prepare(split.rows, split.engine)
    model = Model("alternatives", split.engine, model_module._fit_vectorisers(features),
                   np.zeros((0, 0)), np.zeros(0))  # fmt: skip
    x = model.matrix(features, hits)
    y = np.array([CATEGORIES.index(e.category) for e in ordered])
    return x, y, model.matrix(split.features, split.hits)


def study_learners(split: Split) -> dict:
    x, y, x_scored = _matrices(split)
    out: dict[str, dict] = {}
    logistic = {}
    for c in (2.0, 4.0, 8.0, 16.0):
        lr = LogisticRegression(C=c, max_iter=3000, class_weight="balanced", random_state=SEED)
        logistic[c] = lr.fit(x, y).predict_proba(x_scored)
        out[f"logistic regression C={c:g}"] = split.figures(_argmax(logistic[c]))
    for c in (0.3, 1.0):
        svm = LinearSVC(C=c, class_weight="balanced").fit(x, y)
        out[f"linear SVM C={c:g}"] = split.figures(_argmax(svm.decision_function(x_scored)))
    for name, learner in (
        ("complement NB alpha=1", ComplementNB(alpha=1.0)),
        ("multinomial NB alpha=0.3", MultinomialNB(alpha=0.3)),
    ):
        nb = learner.fit(x, y).predict_proba(x_scored)
        out[name] = split.figures(_argmax(nb))
        mixed = np.log(logistic[4.0] + 1e-9) + 0.5 * np.log(nb + 1e-9)
        out[f"logistic regression C=4 x {name} (log-linear mix)"] = split.figures(_argmax(mixed))
    return out


def _rule_columns(features, hits) -> list[float]:
    """What the rules say about a tool, as numbers a second-stage classifier can weigh."""
    miss = {c: 1.0 for c in CATEGORIES}
    for hit in hits:
        category = hit.rule.category
        if hit.rule.kind == "category" and category is not None and not hit.from_annotation:
            miss[category] *= 1.0 - hit.weight
    listed = any(q.field.endswith(".enum") for hit in hits for q in hit.evidence)
    annotations = features.annotations
    return [
        *(1.0 - miss[c] for c in CATEGORIES),
        float(listed),
        float(annotations.get("readOnlyHint") is True),
        float(annotations.get("destructiveHint") is True),
        float(annotations.get("destructiveHint") is False),
        float(not features.has_description),
    ]


def _stack_inputs(probabilities, features, hits, rules_category) -> np.ndarray:
    rows = []
    for p, f, h, r in zip(probabilities, features, hits, rules_category, strict=True):
        one_hot = [float(r == c) for c in CATEGORIES]
        rows.append([*p, *np.log(np.clip(p, 1e-6, 1.0)), *_rule_columns(f, h), *one_hot])
    return np.array(rows)


def study_stacking(split: Split) -> dict:
    model = train(split.rows, split.engine, "alternatives")
    ordered, features, hits = prepare(split.rows, split.engine)
    y = np.array([CATEGORIES.index(e.category) for e in ordered])
    groups = np.array([e.server for e in ordered])
    # Out-of-fold probabilities, so the second stage learns how far to trust the model on
    # servers it did not train on (the calibration folds of classifier.model.train).
    out_of_fold = np.zeros((len(y), len(CATEGORIES)))
    for fit, held in GroupKFold(n_splits=FOLDS).split(out_of_fold, y, groups):
        part = train([ordered[i] for i in fit], split.engine, "alternatives", calibrate=False)
        held_x = part.matrix([features[i] for i in held], [hits[i] for i in held])
        out_of_fold[held] = model_module._softmax((held_x @ part.coef.T + part.intercept)
                                                  / model.temperature)  # fmt: skip

    def rules_of(examples, feats, hit_lists):
        return [
            combination.combine(e.tool, f, list(h)).category
            for e, f, h in zip(examples, feats, hit_lists, strict=True)
        ]

    x = _stack_inputs(out_of_fold, features, hits, rules_of(ordered, features, hits))
    scored_p = model.proba(model.matrix(split.features, split.hits))
    x_scored = _stack_inputs(scored_p, split.features, split.hits,
                             rules_of(split.scored, split.features, split.hits))  # fmt: skip
    learners: dict[str, Callable[[], object]] = {
        "logistic regression C=0.3": lambda: LogisticRegression(C=0.3, max_iter=3000),
        "gradient-boosted trees": lambda: HistGradientBoostingClassifier(
            learning_rate=0.1, max_iter=200, max_leaf_nodes=15, random_state=0
        ),
    }
    out: dict[str, dict] = {"shipped combination": split.figures(_combined(split, scored_p))}
    for name, make in learners.items():
        second = make().fit(x, y).predict_proba(x_scored)  # type: ignore[attr-defined]
        out[f"stacked {name}"] = split.figures(_argmax(second))
        out[f"stacked {name}, escalation at 0.2"] = split.figures(_escalated(second, 0.2))
    return out


def study_thresholds(split: Split) -> dict:
    model = train(split.rows, split.engine, "alternatives")
    probabilities = model.proba(model.matrix(split.features, split.hits))
    names = ("FIRM", "FIRM_SEVERE", "SEVERE_MIN", "SEVERE_OVER_FIRM", "MODEL_MIN")
    saved = {n: getattr(combination, n) for n in names}
    out = {}
    try:
        grid = itertools.product((0.9, 1.01), (0.8, 0.9, 1.01), (0.2, 0.25, 0.3), (0.0, 0.4))
        for firm, firm_severe, severe_min, model_min in grid:
            values = (firm, firm_severe, severe_min, severe_min, model_min)
            for n, v in zip(names, values, strict=True):
                setattr(combination, n, v)
            key = (f"FIRM {firm} FIRM_SEVERE {firm_severe} SEVERE_MIN {severe_min} "
                   f"MODEL_MIN {model_min}")  # fmt: skip
            out[key] = split.figures(_combined(split, probabilities))
    finally:
        for n, v in saved.items():
            setattr(combination, n, v)
    return out


_NEGATION = re.compile(
    r"\b(?:not|no|never|nothing|without|none|neither|nor|cannot|can't|doesn't|don't|won't"
    r"|isn't|aren't|didn't|wasn't)\b",
    re.IGNORECASE,
)
_SCOPE_END = re.compile(r"[.,;:!?()\n]|\bbut\b")
_WORD = re.compile(r"\b\w\w+\b")


def mark_negated(body: str, keep_plain: bool) -> str:
    """`body` with each word after a negation, up to the end of its clause, also (or only)
    written as not_<word>."""
    parts: list[str] = []
    done = 0
    for cue in _NEGATION.finditer(body):
        if cue.start() < done:
            continue
        end = _SCOPE_END.search(body, cue.end())
        stop = end.start() if end else len(body)
        scope = body[cue.end() : stop]
        marked = " ".join("not_" + w.lower() for w in _WORD.findall(scope))
        parts.append(body[done : cue.end()])
        parts.append(f"{scope} {marked} " if keep_plain else f" {marked} ")
        done = stop
    parts.append(body[done:])
    return "".join(parts)


_NEGATION_VARIANTS = (
    ("negated words replace the plain ones", False),
    ("negated words added to the plain ones", True),
)


def study_negation(split: Split) -> dict:
    plain_views = model_module.text_views
    out = {}
    try:
        for label, keep_plain in _NEGATION_VARIANTS:

            def views(features, keep=keep_plain):
                name, body, schema = plain_views(features)
                return name, mark_negated(body, keep), schema

            model_module.text_views = views
            model = train(split.rows, split.engine, "alternatives")
            p = model.proba(model.matrix(split.features, split.hits))
            out[f"{label}: model alone"] = split.figures(_argmax(p))
            out[f"{label}: combined"] = split.figures(_combined(split, p))
    finally:
        model_module.text_views = plain_views
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=STUDIES, default=list(STUDIES))
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    split = Split()
    results = {name: globals()[f"study_{name}"](split) for name in args.only}
    if args.json:
        print(json.dumps(results, indent=2))
        return 0
    print(f"validation files {', '.join(VALIDATION_FILES)}: {len(split.truth)} tools; "
          f"trained on {len(split.rows)} rows")  # fmt: skip
    for study, rows in results.items():
        print(f"\n{study}")
        for name, f in rows.items():
            shown = "  ".join(f"{k} {v:5.1f}" for k, v in f.items())
            print(f"  {name:70s} {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
