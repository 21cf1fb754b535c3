"""Turn rule hits and model scores into one Label.

Rules first: the category is the most severe one the definition supports (a
category is supported when the noisy-or of its hit weights reaches SUPPORT).
Annotations are evidence, not truth: `destructiveHint: true` supports
Destructive unless the definition plainly says the tool only reads, and a
definition that contradicts an annotation is labelled by the definition and
flagged.

Then the model (a `Scorer`, or probabilities computed for a whole batch):
  1. firm rules decide: a tool whose actions are listed in an enum takes the most
     severe listed action; a non-Read category whose definition evidence scores at
     least FIRM (FIRM_SEVERE for Financial and Destructive) keeps its label, unless
     the model gives Financial or Destructive at least SEVERE_OVER_FIRM over a milder
     firm label;
  2. otherwise the model decides when its best category scores at least
     MODEL_MIN (below that the rules' answer stands); Financial or Destructive is
     escalated to, above a milder best guess, at SEVERE_MIN, or at HINT_MODEL_MIN
     when weak rule evidence (a hint below SUPPORT) points the same way; the
     rationale says so and the confidence drops by ESCALATED;
  3. when rules and model disagree, confidence drops by DISAGREE;
  4. annotation conflicts are judged against the final category.
Every step is written to `Decision.steps` when a trace is asked for (`explain`
prints it); a batch skips formatting the steps, which decide nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import NamedTuple, Protocol

from classifier import trusted
from classifier.engine import Hit, Quote
from classifier.features import Features
from classifier.flags import collect_flags, outside_injection
from classifier.risk import REASON_TEXT, RiskRaise, assess_risk
from mcp_domain import Category, Evidence, Label, Risk, ToolDefinition
from mcp_domain.labels import DEFAULT_RISK

SUPPORT = 0.5  # a category with less combined weight than this is not supported
STRONG_READ = 0.8  # Read evidence this strong contradicts a destructiveHint
# A model score below this never decides. (Validation files: 0.4 beat 0.6 by 0.2-0.6 points
# once the model read the text rather than copying the rules.)
MODEL_MIN = 0.4
FIRM = 0.9  # definition evidence this strong for a non-Read category: the rules decide
DISAGREE = 0.8  # confidence factor when the rules and the model disagree
# Financial or Destructive at this probability wins over a milder best guess:
# missing an irreversible tool costs more than a cautious label (chosen on the validation
# files: 0.2 against 0.35 gave +4.5 points D+F recall and +0.5 accuracy).
SEVERE_MIN = 0.2
# Rule evidence this strong for Financial or Destructive is firm too: the same asymmetry,
# so a model that reads "restart" cannot outvote "all in-memory variables are lost".
FIRM_SEVERE = 0.8
# Weak rule evidence for Financial or Destructive (a hint: some support, below SUPPORT)
# escalates when the model gives that category at least HINT_MODEL_MIN, even far from
# its best guess: two weak signals that agree on an irreversible category are enough.
# (Grouped CV: no change at any value from 0 to 0.2, as no training tool has a hint alone.)
HINT_MIN = 0.3
HINT_MODEL_MIN = 0.05
# A firm Write or Execute rule yields to the model's Financial or Destructive at this
# (the same bar as SEVERE_MIN, chosen with it).
SEVERE_OVER_FIRM = 0.2
ESCALATED = 0.75  # confidence factor for a label escalated above the model's best guess
SEVERE = (Category.Financial, Category.Destructive)
MAX_CONFIDENCE = 0.97
MAX_EVIDENCE = 12


class Scorer(Protocol):
    """A learned model: probabilities per category for one tool (summing to about 1)."""

    def predict_proba(self, tool: ToolDefinition) -> Mapping[Category, float]: ...


# A scorer may also quote what drove a category: (features, hits, category) -> evidence.
EvidenceFn = Callable[[Features, list[Hit], Category], list[Evidence]]


_SEVERITY = {c: c.severity for c in Category}  # the property searches a list each time


def _hit_order(hit: Hit) -> tuple:
    """Which of a category's hits explains it: definition before annotation, the
    heaviest, then by rule id."""
    return (hit.from_annotation, -hit.weight, hit.rule.id)


class _Tally:
    """One pass over a tool's hits: the noisy-or score of every category the hits
    support (from all hits, and from definition hits without annotations) and the
    hit that best explains each."""

    __slots__ = ("all_scores", "definition_scores", "best_hits")

    def __init__(self, hits: list[Hit]) -> None:
        # Misses multiplied in hit order, as a noisy-or over each category's weights.
        all_miss: dict[Category, float] = {}
        definition_miss: dict[Category, float] = {}
        best: dict[Category, Hit] = {}
        for hit in hits:
            rule = hit.rule
            category = rule.category
            if rule.kind != "category" or category is None:
                continue
            miss = 1.0 - hit.weight
            all_miss[category] = all_miss.get(category, 1.0) * miss
            if not hit.from_annotation:
                definition_miss[category] = definition_miss.get(category, 1.0) * miss
            current = best.get(category)
            if current is None or _hit_order(hit) < _hit_order(current):
                best[category] = hit
        self.all_scores = {c: 1.0 - m for c, m in all_miss.items()}
        self.definition_scores = {c: 1.0 - m for c, m in definition_miss.items()}
        self.best_hits = best


def _most_severe(scores: dict[Category, float]) -> Category | None:
    supported = [c for c, s in scores.items() if s >= SUPPORT]
    return max(supported, key=_SEVERITY.__getitem__) if supported else None


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


def _quote(evidence: Sequence[Quote | Evidence], limit: int = 2) -> str:
    parts: list[str] = []
    shown: list[Quote | Evidence] = []
    for e in evidence:
        # Skip a quote that repeats or sits inside one already shown from the same field.
        if shown and _repeats(e, shown):
            continue
        if len(parts) == limit:
            break
        shown.append(e)
        text = " ".join(e.text.split())
        text = text if len(text) <= 60 else text[:57] + "..."
        parts.append(f'"{text}" ({_where(e.field)})')
    return ", ".join(parts)


def _repeats(e: Quote | Evidence, shown: list[Quote | Evidence]) -> bool:
    for s in shown:
        if s.field == e.field and (s.text.lower() == e.text.lower() or s.start <= e.start < s.end):
            return True
    return False


class Decision:
    # Slots: one is made per tool, and its fields are read and set many times.
    __slots__ = (
        "category",
        "confidence",
        "hit",
        "conflict",
        "note",
        "rules_category",
        "definition_score",
        "model_evidence",
        "steps",
        "severe_hints",
        "escalated",
        "best_hits",
    )

    def __init__(self, traced: bool = True) -> None:
        self.category = Category.Read
        self.confidence = 0.5
        self.hit: Hit | None = None  # the hit that explains the category
        self.conflict: Quote | None = None
        self.note = ""
        self.rules_category = Category.Read
        self.definition_score = 0.0  # rule evidence for the category, annotations left out
        self.model_evidence: list[Evidence] = []
        # The steps taken, in words; None when nobody will read them.
        self.steps: list[str] | None = [] if traced else None
        # Weak definition evidence (below SUPPORT) for Financial or Destructive.
        self.severe_hints: dict[Category, float] = {}
        self.escalated = ""  # why the label is more severe than the model's best guess
        self.best_hits: dict[Category, Hit] = {}  # per category, the hit that explains it


def _decide(features: Features, hits: list[Hit], traced: bool = True) -> Decision:
    d = Decision(traced)
    tally = _Tally(hits)
    d.best_hits = tally.best_hits
    def_scores = tally.definition_scores
    def_cat = _most_severe(def_scores) or Category.Read
    ann = features.annotations
    read_only = ann.get("readOnlyHint") is True
    destructive = ann.get("destructiveHint") is True and not read_only

    d.category = def_cat
    if read_only and def_cat != Category.Read:
        d.conflict = _READ_ONLY_TRUE
    elif ann.get("destructiveHint") is False and def_cat == Category.Destructive:
        d.conflict = _DESTRUCTIVE_FALSE
    elif destructive and _SEVERITY[def_cat] < _SEVERITY[Category.Destructive]:
        if def_cat == Category.Read and def_scores.get(Category.Read, 0.0) >= STRONG_READ:
            d.conflict = _DESTRUCTIVE_TRUE
        else:
            d.category = Category.Destructive

    d.hit = tally.best_hits.get(d.category)
    score = tally.all_scores.get(d.category, 0.0)
    if d.category == Category.Read:
        # Read is the default: evidence for it raises confidence from 0.5.
        d.confidence = 0.5 + 0.45 * score
    else:
        d.confidence = max(score, 0.5)
    if not features.has_description:
        d.confidence *= 0.8
    if d.conflict is not None:
        d.confidence *= 0.85
    d.rules_category = d.category
    d.definition_score = def_scores.get(d.category, 0.0)
    severity = _SEVERITY[d.category]
    d.severe_hints = {
        c: s
        for c, s in def_scores.items()
        if c in SEVERE and HINT_MIN <= s < SUPPORT and _SEVERITY[c] > severity
    }
    if d.steps is not None:
        d.steps.append(
            f"rules: {d.category} (definition score {d.definition_score:.2f}, "
            f"confidence {d.confidence:.2f})"
        )
    return d


# The annotations a definition can contradict, as quotes.
_READ_ONLY_TRUE = Quote("annotations.readOnlyHint", "true", 0, 4)
_DESTRUCTIVE_FALSE = Quote("annotations.destructiveHint", "false", 0, 5)
_DESTRUCTIVE_TRUE = Quote("annotations.destructiveHint", "true", 0, 4)


def _conflict(category: Category, annotations: Mapping[str, bool]) -> Quote | None:
    """The annotation the final category contradicts, if any."""
    if annotations.get("readOnlyHint") is True and category != Category.Read:
        return _READ_ONLY_TRUE
    irreversible = (Category.Destructive, Category.Financial)
    if annotations.get("destructiveHint") is False and category in irreversible:
        return _DESTRUCTIVE_FALSE
    if annotations.get("destructiveHint") is True and category in (Category.Read, Category.Write):
        if annotations.get("readOnlyHint") is not True:
            return _DESTRUCTIVE_TRUE
    return None


# Most severe first: the order in which _argmax breaks ties.
_BY_SEVERITY_DOWN = sorted(Category, key=lambda c: -_SEVERITY[c])
_ALL_CATEGORIES = frozenset(Category)


def _argmax(probs: Mapping[Category, float]) -> Category:
    # Ties go to the more severe category.
    if len(probs) == len(_BY_SEVERITY_DOWN) and probs.keys() >= _ALL_CATEGORIES:
        # The common case, without sorting per tool: the first strictly higher score wins,
        # visiting the most severe category first (as max over the sorted keys does).
        best = _BY_SEVERITY_DOWN[0]
        top = probs[best]
        for c in _BY_SEVERITY_DOWN[1:]:
            p = probs[c]
            if p > top:
                best, top = c, p
        return best
    return max(sorted(probs, key=lambda c: -_SEVERITY[c]), key=lambda c: probs[c])


def _best(
    probs: Mapping[Category, float], hints: Mapping[Category, float], top: Category | None = None
) -> Category:
    """The model's choice, escalated to Financial or Destructive when the evidence for one
    is above its threshold though not the top score (missing one costs the most).
    `top`: `_argmax(probs)` when the caller has it."""
    best = _argmax(probs) if top is None else top
    for severe in SEVERE:
        if _SEVERITY[severe] <= _SEVERITY[best]:
            continue
        p = probs.get(severe, 0.0)
        if p >= SEVERE_MIN or (severe in hints and p >= HINT_MODEL_MIN):
            return severe
    return best


def _escalation(
    best: Category,
    probs: Mapping[Category, float],
    hints: Mapping[Category, float],
    top: Category | None = None,
) -> str:
    top = _argmax(probs) if top is None else top
    if best == top:
        return ""
    why = (
        f"escalated from {top} ({probs[top]:.2f}): the learned model gives {best} "
        f"{probs.get(best, 0.0):.2f}"
    )
    if best in hints and probs.get(best, 0.0) < SEVERE_MIN:
        why += f" and weak rule evidence supports it ({hints[best]:.2f})"
    return why + f", and missing a {best} tool costs more than a cautious label"


def apply_probabilities(
    d: Decision,
    features: Features,
    hits: list[Hit],
    probs: Mapping[Category, float],
    evidence_fn: EvidenceFn | None = None,
) -> None:
    """Steps 1-4 of the module docstring, on a decision the rules already made."""
    if not probs:
        return
    top = _argmax(probs)
    best = _best(probs, d.severe_hints, top)
    p_best = probs.get(best, 0.0)
    escalation = _escalation(best, probs, d.severe_hints, top)
    steps = d.steps
    if steps is not None:
        shown = ", ".join(
            f"{c} {probs.get(c, 0.0):.2f}" for c in sorted(probs, key=_SEVERITY.__getitem__)
        )
        steps.append(f"model: {shown}")
    severe = d.category in (Category.Financial, Category.Destructive)
    # A tool that lists its actions in an enum says what it can do: its most severe listed
    # action decides, and no model score adds an action the list does not hold.
    # (Weak rule evidence for a more severe listed action - a hint - still lets the model
    # escalate, as everywhere.)
    strong = (
        d.category != Category.Read
        and d.hit is not None
        and not d.hit.from_annotation
        and d.definition_score >= (FIRM_SEVERE if severe else FIRM)
        and not (best in SEVERE and not severe and p_best >= SEVERE_OVER_FIRM)
    )
    declared = (
        not strong
        and d.hit is not None
        and not d.severe_hints
        and any(q.field.endswith(".enum") for q in d.hit.evidence)
    )
    firm = strong or declared
    agree = probs.get(d.category, 0.0)
    if firm:
        if steps is not None and declared:
            steps.append("the actions are listed in an enum: the most severe one decides")
        elif steps is not None:
            limit = FIRM_SEVERE if severe else FIRM
            steps.append(
                f"firm rule evidence ({d.definition_score:.2f} >= {limit}): the rules decide"
            )
        if best == d.category:
            d.confidence = max(d.confidence, (d.confidence + p_best) / 2)
    elif p_best >= MODEL_MIN or escalation:
        if best != d.category:
            if escalation:
                if steps is not None:
                    steps.append(escalation)
                d.escalated = escalation
            elif steps is not None:
                steps.append(f"the model decides: {best} at {p_best:.2f} >= {MODEL_MIN}")
            d.note = f"the learned model scores {best} at {p_best:.2f}"
            d.category = best
            d.hit = d.best_hits.get(best)
            if d.hit is None and evidence_fn is not None:
                try:
                    d.model_evidence = evidence_fn(features, hits, best)
                except Exception:  # evidence is a courtesy; the label stands without it
                    d.model_evidence = []
            d.confidence = p_best * 0.9
            if escalation:
                # Escalated above the best guess: say so in a lower confidence.
                d.confidence = min(d.confidence, probs[top]) * ESCALATED
        else:
            if steps is not None:
                steps.append(f"the model agrees: {best} at {p_best:.2f}")
            d.confidence = max(d.confidence, (d.confidence + p_best) / 2)
    else:
        if steps is not None:
            steps.append(
                f"the model is unsure ({best} {p_best:.2f} < {MODEL_MIN}): the rules stand"
            )
        d.confidence = (d.confidence * 2 + agree) / 3
    rules_spoke = d.rules_category != Category.Read or d.definition_score > 0
    if best != d.category or (rules_spoke and d.rules_category != d.category):
        d.confidence *= DISAGREE
        if steps is not None:
            steps.append(f"rules and model disagree: confidence x{DISAGREE}")
    d.conflict = _conflict(d.category, features.annotations)
    if d.conflict is not None:
        d.confidence *= 0.85
        if steps is not None:
            steps.append(
                f"annotation conflict: {d.conflict.field}={d.conflict.text} vs {d.category}"
            )


def _rationale(d: Decision, risk: str, raises: list[RiskRaise]) -> str:
    if d.hit is not None:
        clause = d.hit.rule.rationale.replace("{evidence}", _quote(d.hit.evidence))
        first = f"{d.category}: {clause}."
    elif d.note and d.model_evidence:
        first = f"{d.category}: {d.note}, on {_quote(d.model_evidence)}."
    elif d.note:
        first = f"{d.category}: no rule matched; {d.note}."
    else:
        first = "Read by default: nothing in the definition says it changes state."
    default = DEFAULT_RISK[d.category]
    second = f"Risk {risk}"
    if raises:
        reasons = "; ".join(f"{REASON_TEXT[r.reason]} ({_quote(r.evidence)})" for r in raises)
        second += f", one step above {default} for {reasons}"
    if d.escalated:
        second = f"{d.escalated[0].upper()}{d.escalated[1:]}. {second}"
    if d.conflict is not None:
        second += (
            f"; the {d.conflict.field.removeprefix('annotations.')}={d.conflict.text}"
            " annotation contradicts the definition"
        )
    return f"{first} {second}."


def _evidence(d: Decision, raises: list[RiskRaise], hits: list[Hit]) -> list[Quote | Evidence]:
    """The label's evidence: rule quotes, and the model's evidence (already Evidence)."""
    items: list[Quote | Evidence] = []
    if d.hit is not None:
        items.extend(d.hit.evidence)
    items.extend(d.model_evidence)
    for h in hits:
        if h.rule.kind == "category" and h.rule.category == d.category and h is not d.hit:
            items.extend(h.evidence)
    for r in raises:
        items.extend(r.evidence)
    if d.conflict is not None:
        items.append(d.conflict._replace(supports="annotation_conflict"))
    for h in hits:
        if h.rule.kind == "flag":
            items.extend(h.evidence)
    if len(items) <= 1:
        return items
    # Evidence equality compares its fields: dedupe on them (pydantic's __eq__ is slow).
    # A Quote is a tuple of those fields in that order: it is its own key.
    unique: list[Quote | Evidence] = []
    seen: set[tuple] = set()
    for e in items:
        key = e if type(e) is Quote else (e.field, e.text, e.start, e.end, e.supports)
        if key not in seen:
            seen.add(key)
            unique.append(e)
    return unique[:MAX_EVIDENCE]


def _injected_only(hits: list[Hit], kept: list[Hit]) -> frozenset[Category]:
    """Categories whose rule evidence lay only inside injected text."""
    if len(kept) == len(hits):
        return frozenset()
    dropped = {h.rule.category for h in hits if h not in kept and h.rule.kind == "category"}
    still = {h.rule.category for h in kept if h.rule.kind == "category"}
    return frozenset(c for c in dropped - still if c is not None)


def _without_injected(
    probs: Mapping[Category, float], injected: frozenset[Category], steps: list[str] | None
) -> Mapping[Category, float]:
    """The model read the injected words too: it may not pick what only they support."""
    kept = {c: (0.0 if c in injected else p) for c, p in probs.items()}
    total = sum(kept.values())
    if total <= 0.0:
        return probs
    if steps is not None:
        steps.append(
            "model: categories supported only by injected text set aside: "
            + ", ".join(sorted(str(c) for c in injected))
        )
    return {c: p / total for c, p in kept.items()}


class LabelParts(NamedTuple):
    """A label's fields before it is built (a forked worker sends them as they are)."""

    category: Category
    risk: Risk
    confidence: float
    rationale: str
    evidence: list[Quote | Evidence]
    flags: list[str]


_new_parts = tuple.__new__  # LabelParts(...) without the generated Python __new__


def combine(
    tool: ToolDefinition,
    features: Features,
    hits: list[Hit],
    scorer: Scorer | None = None,
    version: str = "",
    probs: Mapping[Category, float] | None = None,
    evidence_fn: EvidenceFn | None = None,
    trace: list[str] | None = None,
) -> Label:
    """The label; `probs` (precomputed for a batch) takes the place of `scorer`."""
    parts = combine_parts(tool, features, hits, scorer, probs, evidence_fn, trace)
    return label_of(parts, version)


def label_of(parts: LabelParts, version: str) -> Label:
    make = trusted.evidence  # quotes of our own scan: built unvalidated
    evidence = [e if type(e) is Evidence else make(*e) for e in parts.evidence]
    return trusted.label(
        category=parts.category,
        risk=parts.risk,
        confidence=parts.confidence,
        rationale=parts.rationale,
        evidence=evidence,
        flags=parts.flags,
        classifier_version=version,
    )


def combine_parts(
    tool: ToolDefinition,
    features: Features,
    hits: list[Hit],
    scorer: Scorer | None = None,
    probs: Mapping[Category, float] | None = None,
    evidence_fn: EvidenceFn | None = None,
    trace: list[str] | None = None,
) -> LabelParts:
    """What `combine` builds its label from."""
    # Category words inside an injected instruction are the attacker's, not the tool's.
    injected: frozenset[Category] = frozenset()
    for hit in hits:
        if hit.rule.flag == "prompt_injection":  # (rare: look no further otherwise)
            kept = outside_injection(features, hits)
            injected = _injected_only(hits, kept)
            hits = kept
            break
    d = _decide(features, hits, traced=trace is not None)
    if probs is None and scorer is not None:
        probs = scorer.predict_proba(tool)
        evidence_fn = evidence_fn or getattr(scorer, "evidence", None)
    if probs is not None:
        if injected:
            probs = _without_injected(probs, injected, d.steps)
        apply_probabilities(d, features, hits, probs, evidence_fn)
    risk, raises = assess_risk(d.category, hits)
    if trace is not None and d.steps is not None:
        d.steps.append(f"final: {d.category}, risk {risk}")
        trace.extend(d.steps)
    # Every value is of its label field's type and in range by construction.
    return _new_parts(
        LabelParts,
        (
            d.category,
            risk,
            float(round(min(max(d.confidence, 0.0), MAX_CONFIDENCE), 3)),
            _rationale(d, str(risk), raises),
            _evidence(d, raises, hits),
            collect_flags(hits, d.conflict is not None),
        ),
    )
