"""Label MCP tools with a capability category, risk, flags and quoted evidence.

The rules in classifier/rules/ are loaded and validated on first use. `classify`
never raises: a definition that breaks the classifier gets a zero-confidence
label saying so.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from classifier.combine import Scorer, combine
from classifier.engine import Engine
from classifier.features import extract_features
from classifier.ruleset import ENGINE_VERSION, default_rules
from mcp_domain import Category, Label, Risk, ToolDefinition

__all__ = ["CLASSIFIER_VERSION", "Scorer", "classify", "classify_many"]

CLASSIFIER_VERSION: str = f"rules-{ENGINE_VERSION}-{default_rules().digest}"


@lru_cache(maxsize=1)
def _engine() -> Engine:
    return Engine(default_rules())


def classify(tool: ToolDefinition, scorer: Scorer | None = None) -> Label:
    """The label for one tool, judged by its own definition only."""
    try:
        features = extract_features(tool)
        hits = _engine().run(features)
        return combine(tool, features, hits, scorer, CLASSIFIER_VERSION)
    except Exception as exc:  # crawled input must never crash the pipeline
        return Label(
            category=Category.Read,
            risk=Risk.low,
            confidence=0.0,
            rationale=f"Not classified: the classifier failed ({type(exc).__name__}).",
            classifier_version=CLASSIFIER_VERSION,
        )


def classify_many(tools: Iterable[ToolDefinition], scorer: Scorer | None = None) -> list[Label]:
    return [classify(tool, scorer) for tool in tools]
