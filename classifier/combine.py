"""Turn rule hits (and, later, model scores) into one Label.

The category is the most severe one the definition supports: a category is
supported when the noisy-or of its hit weights reaches SUPPORT. Annotations are
evidence, not truth: `destructiveHint: true` supports Destructive unless the
definition plainly says the tool only reads, and a definition that contradicts
an annotation is labelled by the definition and flagged.

A learned model plugs in through `Scorer`; by default there is none and the
rules decide alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

from classifier.engine import Hit
from classifier.features import Features
from classifier.flags import collect_flags
from classifier.risk import REASON_TEXT, RiskRaise, assess_risk
from mcp_domain import Category, Evidence, Label, ToolDefinition
from mcp_domain.labels import DEFAULT_RISK

SUPPORT = 0.5  # a category with less combined weight than this is not supported
STRONG_READ = 0.8  # Read evidence this strong contradicts a destructiveHint
MODEL_MIN = 0.6  # a model score below this never decides
MAX_CONFIDENCE = 0.97
MAX_EVIDENCE = 12


class Scorer(Protocol):
    """A learned model: probabilities per category for one tool (summing to about 1)."""

    def predict_proba(self, tool: ToolDefinition) -> Mapping[Category, float]: ...


def _noisy_or(weights: list[float]) -> float:
    miss = 1.0
    for w in weights:
        miss *= 1.0 - w
    return 1.0 - miss


def _scores(hits: list[Hit]) -> dict[Category, float]:
    weights: dict[Category, list[float]] = {}
    for hit in hits:
        if hit.rule.kind == "category" and hit.rule.category is not None:
            weights.setdefault(hit.rule.category, []).append(hit.weight)
    return {cat: _noisy_or(ws) for cat, ws in weights.items()}


def _most_severe(scores: dict[Category, float]) -> Category | None:
    supported = [c for c, s in scores.items() if s >= SUPPORT]
    return max(supported, key=lambda c: c.severity) if supported else None


def _where(path: str) -> str:
    if path.startswith("annotations."):
        return f"annotation {path.removeprefix('annotations.')}"
    if path.startswith("inputSchema.properties."):
        rest = path.removeprefix("inputSchema.properties.")
        for suffix in (".description", ".enum", ".default"):
            if rest.endswith(suffix):
                return f"property {rest.removesuffix(suffix)} {suffix[1:]}"
        return f"property name {rest}"
    return path


def _quote(evidence: tuple[Evidence, ...] | list[Evidence], limit: int = 2) -> str:
    parts: list[str] = []
    shown: list[Evidence] = []
    for e in evidence:
        # Skip a quote that repeats or sits inside one already shown from the same field.
        if any(
            s.field == e.field and (s.text.lower() == e.text.lower() or s.start <= e.start < s.end)
            for s in shown
        ):
            continue
        if len(parts) == limit:
            break
        shown.append(e)
        text = " ".join(e.text.split())
        text = text if len(text) <= 60 else text[:57] + "..."
        parts.append(f'"{text}" ({_where(e.field)})')
    return ", ".join(parts)


class _Decision:
    def __init__(self) -> None:
        self.category = Category.Read
        self.confidence = 0.5
        self.hit: Hit | None = None  # the hit that explains the category
        self.conflict: Evidence | None = None
        self.note = ""


def _decide(features: Features, hits: list[Hit]) -> _Decision:
    d = _Decision()
    definition_hits = [h for h in hits if not h.from_annotation]
    def_scores = _scores(definition_hits)
    all_scores = _scores(hits)
    def_cat = _most_severe(def_scores) or Category.Read
    ann = features.annotations
    read_only = ann.get("readOnlyHint") is True
    destructive = ann.get("destructiveHint") is True and not read_only

    d.category = def_cat
    if read_only and def_cat != Category.Read:
        d.conflict = Evidence(field="annotations.readOnlyHint", text="true", start=0, end=4)
    elif ann.get("destructiveHint") is False and def_cat == Category.Destructive:
        d.conflict = Evidence(field="annotations.destructiveHint", text="false", start=0, end=5)
    elif destructive and def_cat.severity < Category.Destructive.severity:
        if def_cat == Category.Read and def_scores.get(Category.Read, 0.0) >= STRONG_READ:
            d.conflict = Evidence(field="annotations.destructiveHint", text="true", start=0, end=4)
        else:
            d.category = Category.Destructive

    candidates = [h for h in hits if h.rule.kind == "category" and h.rule.category == d.category]
    candidates.sort(key=lambda h: (h.from_annotation, -h.weight, h.rule.id))
    d.hit = candidates[0] if candidates else None
    score = all_scores.get(d.category, 0.0)
    if d.category == Category.Read:
        # Read is the default: evidence for it raises confidence from 0.5.
        d.confidence = 0.5 + 0.45 * score
    else:
        d.confidence = max(score, 0.5)
    if not features.has_description:
        d.confidence *= 0.8
    if d.conflict is not None:
        d.confidence *= 0.85
    return d


def _apply_model(d: _Decision, tool: ToolDefinition, hits: list[Hit], scorer: Scorer) -> None:
    """Let the model decide only where the rules found nothing beyond the default."""
    probs = scorer.predict_proba(tool)
    if not probs:
        return
    best = max(sorted(probs, key=lambda c: c.severity), key=lambda c: probs[c])
    rules_silent = d.hit is None and not any(h.rule.kind == "category" for h in hits)
    if rules_silent and probs[best] >= MODEL_MIN:
        d.category = best
        d.confidence = probs[best] * 0.9
        d.note = f"the learned model scores {best} at {probs[best]:.2f}"
    else:
        agree = probs.get(d.category, 0.0)
        d.confidence = (d.confidence * 2 + agree) / 3


def _rationale(d: _Decision, risk: str, raises: list[RiskRaise]) -> str:
    if d.hit is not None:
        clause = d.hit.rule.rationale.replace("{evidence}", _quote(d.hit.evidence))
        first = f"{d.category}: {clause}."
    elif d.note:
        first = f"{d.category}: no rule matched; {d.note}."
    else:
        first = "Read by default: nothing in the definition says it changes state."
    default = DEFAULT_RISK[d.category]
    second = f"Risk {risk}"
    if raises:
        reasons = "; ".join(f"{REASON_TEXT[r.reason]} ({_quote(r.evidence)})" for r in raises)
        second += f", one step above {default} for {reasons}"
    if d.conflict is not None:
        second += (
            f"; the {d.conflict.field.removeprefix('annotations.')}={d.conflict.text}"
            " annotation contradicts the definition"
        )
    return f"{first} {second}."


def _evidence(d: _Decision, raises: list[RiskRaise], hits: list[Hit]) -> list[Evidence]:
    items: list[Evidence] = []
    if d.hit is not None:
        items.extend(d.hit.evidence)
    for h in hits:
        if h.rule.kind == "category" and h.rule.category == d.category and h is not d.hit:
            items.extend(h.evidence)
    for r in raises:
        items.extend(r.evidence)
    if d.conflict is not None:
        items.append(d.conflict.model_copy(update={"supports": "annotation_conflict"}))
    for h in hits:
        if h.rule.kind == "flag":
            items.extend(h.evidence)
    unique: list[Evidence] = []
    for e in items:
        if e not in unique:
            unique.append(e)
    return unique[:MAX_EVIDENCE]


def combine(
    tool: ToolDefinition,
    features: Features,
    hits: list[Hit],
    scorer: Scorer | None = None,
    version: str = "",
) -> Label:
    d = _decide(features, hits)
    if scorer is not None:
        _apply_model(d, tool, hits, scorer)
    risk, raises = assess_risk(d.category, hits)
    return Label(
        category=d.category,
        risk=risk,
        confidence=round(min(max(d.confidence, 0.0), MAX_CONFIDENCE), 3),
        rationale=_rationale(d, str(risk), raises),
        evidence=_evidence(d, raises, hits),
        flags=collect_flags(hits, d.conflict is not None),
        classifier_version=version,
    )
