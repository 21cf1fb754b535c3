"""Why a tool got its label: every rule hit, the model's scores, the combination steps.

`explain` returns plain data (JSON-ready) so the command line can print it as a
table or as JSON; it never raises on a hostile definition (the same guarantees
as `classify`).
"""

from __future__ import annotations

from typing import Any

from classifier import CLASSIFIER_VERSION, _engine, default_model
from classifier.combine import combine
from classifier.features import extract_features
from classifier.model_features import CATEGORIES
from mcp_domain import Evidence, ToolDefinition

MAX_CONTRIBUTIONS = 8


def _evidence(e: Evidence) -> dict[str, Any]:
    return {
        "field": e.field,
        "text": e.text,
        "start": e.start,
        "end": e.end,
        "supports": e.supports,
    }


def explain(tool: ToolDefinition, rules_only: bool = False) -> dict[str, Any]:
    """Rule hits, model probabilities and top features, combination steps and the label."""
    features = extract_features(tool)
    hits = _engine().run(features)
    model = None if rules_only else default_model()
    probs = model.predict_many([features], [hits])[0] if model is not None else None
    steps: list[str] = []
    evidence_fn = model.evidence if model is not None else None
    label = combine(
        tool,
        features,
        hits,
        None,
        CLASSIFIER_VERSION,
        probs=probs,
        evidence_fn=evidence_fn,
        trace=steps,
    )
    model_part: dict[str, Any] | None = None
    if model is not None and probs is not None:
        model_part = {
            "version": model.version,
            "probabilities": {str(c): round(probs[c], 4) for c in CATEGORIES},
            "top_features": [
                {"feature": name, "weight": round(value, 4)}
                for name, value in model.contributions(
                    features, hits, label.category, MAX_CONTRIBUTIONS
                )
            ],
        }
    return {
        "tool": tool.name,
        "rules": [
            {
                "rule": h.rule.id,
                "kind": h.rule.kind,
                "supports": h.rule.supports,
                "weight": h.weight,
                "evidence": [_evidence(e) for e in h.evidence],
            }
            for h in hits
        ],
        "model": model_part,
        "steps": steps,
        "label": {
            "category": str(label.category),
            "risk": str(label.risk),
            "confidence": label.confidence,
            "flags": list(label.flags),
            "rationale": label.rationale,
            "evidence": [_evidence(e) for e in label.evidence],
        },
        "classifier_version": CLASSIFIER_VERSION,
    }
