"""Label MCP tools with a capability category, risk, flags and quoted evidence.

The rules in classifier/rules/ are loaded and validated on first use; the
learned model (classifier/model.py) is loaded from the user cache or trained
from classifier/data/ on first use. `classify` never raises: a definition that
breaks the classifier gets a zero-confidence label saying so. If the model
cannot be built at all, the rules decide alone.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable
from contextlib import contextmanager
from functools import lru_cache, partial

from classifier import parallel
from classifier.combine import Scorer, combine_parts, label_of
from classifier.engine import Engine
from classifier.features import extract_features
from classifier.model import Model, load_or_train, model_version, row_terms
from classifier.ruleset import ENGINE_VERSION, default_rules
from mcp_domain import Category, Label, Risk, ToolDefinition

__all__ = [
    "CLASSIFIER_VERSION",
    "MODEL_VERSION",
    "Scorer",
    "classify",
    "classify_many",
    "default_model",
]

MODEL_VERSION: str = model_version(default_rules().digest)
CLASSIFIER_VERSION: str = f"rules-{ENGINE_VERSION}-{default_rules().digest}+model-{MODEL_VERSION}"


@lru_cache(maxsize=1)
def _engine() -> Engine:
    return Engine(default_rules())


def _load_examples():
    from classifier.dataset import load_examples, rule_examples

    return load_examples() + rule_examples(default_rules())


@lru_cache(maxsize=1)
def default_model() -> Model | None:
    """The built-in model (cached on disk by version), or None if it cannot be built."""
    try:
        return load_or_train(_engine(), _load_examples, MODEL_VERSION)
    except Exception as exc:  # never let a broken model stop classification
        print(f"mcp-catalogue: model unavailable, rules only: {exc!r}", file=sys.stderr)
        return None


def rebuild_model() -> tuple[Model, float]:
    """Train the built-in model from classifier/data/ now, replace the cached copy; (model, s)."""
    import time

    from classifier.model import cache_dir, train

    started = time.perf_counter()
    model = train(_load_examples(), _engine(), MODEL_VERSION)
    seconds = time.perf_counter() - started
    try:
        model.save(cache_dir())
    except OSError as exc:
        print(f"mcp-catalogue: model cache not written: {exc}", file=sys.stderr)
    default_model.cache_clear()
    return model, seconds


def _batch_evidence(model: Model, x, scored: list[tuple]):
    """The model's evidence for a tool of a batch, found by its features (its row of
    `x` read only when asked, which is rare: the rows are indexed on the first ask).
    `scored`: the (features, hits) of the rows of `x`, in order."""
    row_of: dict[int, int] = {}  # id(features) -> row of x

    def evidence(features, hits, category):
        if not row_of:
            row_of.update((id(f), n) for n, (f, _hits) in enumerate(scored))
        return model.evidence(features, hits, category, row_terms(x, row_of[id(features)]))

    return evidence


def _failed(exc: Exception) -> Label:
    return Label(
        category=Category.Read,
        risk=Risk.low,
        confidence=0.0,
        rationale=f"Not classified: the classifier failed ({type(exc).__name__}).",
        classifier_version=CLASSIFIER_VERSION,
    )


def classify(
    tool: ToolDefinition, scorer: Scorer | None = None, *, rules_only: bool = False
) -> Label:
    """The label for one tool, judged by its own definition only.

    `scorer` replaces the built-in model; `rules_only` leaves the model out.
    """
    return classify_many([tool], scorer, rules_only=rules_only)[0]


def classify_many(
    tools: Iterable[ToolDefinition],
    scorer: Scorer | None = None,
    *,
    rules_only: bool = False,
    workers: int | None = None,
) -> list[Label]:
    """Labels for many tools, in input order; the model scores the whole batch in one pass.

    `workers`: processes to use (None: both cores for batches of PARALLEL_MIN tools
    or more, when the platform can fork; see classifier/parallel.py). The labels
    are the same whatever the number of workers.
    """
    tools = list(tools)
    with _gc_paused():
        if scorer is None and parallel.worth_it(len(tools), workers):
            # Load rules and model before the workers are forked, so they share them.
            model = None if rules_only else default_model()
            labels = parallel.classify_split(
                tools,
                partial(_classify_list, rules_only=rules_only, model=model),
                workers,
                partial(_classify_list, rules_only=rules_only, model=model, packed=True),
            )
            if labels is not None:
                return labels
        return _classify_list(tools, scorer, rules_only=rules_only)


@contextmanager
def _gc_paused():
    """No cyclic garbage collection during a batch.

    A batch allocates many small objects that all live until it ends; the collector
    would walk them again and again (a third of the run time on a 20,000-tool
    batch). Re-enabled as it was, the collector would still walk everything the
    batch left behind once, at its next young-generation pass (about 0.3 s after a
    20,000-tool batch), only to find the labels the caller keeps. So the survivors
    are moved to the oldest generation first, which a full collection (run when
    that generation has grown by a quarter) still visits: cycles a batch leaves
    are collected then. Skipped when the caller froze objects of its own, as
    unfreezing would hand them back to the collector.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()  # every tracked object to the permanent generation...
                gc.unfreeze()  # ...and back into the oldest one, with no traversal
            gc.enable()


def _classify_list(
    tools: list[ToolDefinition],
    scorer: Scorer | None = None,
    *,
    rules_only: bool = False,
    model: Model | None | bool = False,
    packed: bool = False,
) -> list:
    """Labels for `tools` in order (`packed`: as parallel.pack gives them, for a worker)."""
    engine = _engine()
    prepared: list[tuple | Exception] = []
    for tool in tools:
        try:
            features = extract_features(tool)
            prepared.append((features, engine.run(features)))
        except Exception as exc:  # crawled input must never crash the pipeline
            prepared.append(exc)
    if model is False:
        model = None if rules_only or scorer is not None else default_model()
    probs: list = [None] * len(tools)
    evidence_fn = None
    if model is not None:
        ok = [i for i, p in enumerate(prepared) if isinstance(p, tuple)]
        try:
            scored = prepared if len(ok) == len(prepared) else [prepared[i] for i in ok]
            scores, x = model.score_batch([p[0] for p in scored], [p[1] for p in scored])
            if len(scores) != len(ok):
                raise ValueError("a score for every tool")
            if len(ok) == len(prepared):
                probs = scores
            else:
                for i, s in zip(ok, scores, strict=True):
                    probs[i] = s
            if x is not None:
                evidence_fn = _batch_evidence(model, x, scored)
        except Exception:  # the rules still decide
            pass
    labels: list = []
    for tool, prep, p in zip(tools, prepared, probs, strict=True):
        try:
            if isinstance(prep, Exception):
                raise prep
            features, hits = prep
            # (the model's evidence only for tools it scored)
            fn = evidence_fn if p is not None else None
            parts = combine_parts(tool, features, hits, scorer, p, fn)
            if packed:
                labels.append(parallel.pack_parts(parts, CLASSIFIER_VERSION))
            else:
                labels.append(label_of(parts, CLASSIFIER_VERSION))
        except Exception as exc:
            failed = _failed(exc)
            labels.append(parallel.pack(failed) if packed else failed)
    return labels
