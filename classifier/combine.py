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
Every step is written to the trace when one is asked for (`explain` prints it); a
batch skips formatting the steps, which decide nothing.

A batch combines a tool in one pass over its hits (`_scan`), which gathers what the
category, risk, flags and evidence need together, and keeps the decision in local
variables rather than in objects made per tool.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple, Protocol

from classifier import trusted
from classifier.engine import Hit, Quote
from classifier.features import Features
from classifier.flags import in_order, outside_injection
from classifier.risk import MIN_WEIGHT, REASON_TEXT, RiskRaise, assess_risk
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
_READ = Category.Read
_DESTRUCTIVE = Category.Destructive


def _hit_order(hit: Hit) -> tuple:
    """Which of a category's hits explains it: definition before annotation, the
    heaviest, then by rule id."""
    return (hit.from_annotation, -hit.weight, hit.rule.id)


def _scan(hits: list[Hit]) -> tuple:
    """One pass over a tool's hits for everything its label needs from them:
    per category, the product of its hits' misses (1 - weight, multiplied in hit
    order: one minus it is their noisy-or), from all hits and from definition hits
    only; the hit that best explains each category; the risk hits strong enough to
    raise; the flag hits; the flags the hits set; whether one marks a prompt injection.
    """
    all_miss: dict[Category, float] = {}
    definition_miss: dict[Category, float] = {}
    best: dict[Category, Hit] = {}
    risky: list[Hit] = []
    flagged: list[Hit] = []
    flags: set[str] = set()
    injection = False
    for hit in hits:
        rule = hit.rule
        kind = rule.kind
        if kind == "category":
            category = rule.category
            if category is not None:
                miss = 1.0 - hit.weight
                all_miss[category] = all_miss.get(category, 1.0) * miss
                if not hit.from_annotation:
                    definition_miss[category] = definition_miss.get(category, 1.0) * miss
                current = best.get(category)
                if current is None or _hit_order(hit) < _hit_order(current):
                    best[category] = hit
        elif kind == "risk":
            if hit.weight >= MIN_WEIGHT:
                risky.append(hit)
        elif kind == "flag":
            flagged.append(hit)
            flag = rule.flag
            if flag:
                flags.add(flag)
                # (only a flag rule has a flag: ruleset.Rule checks it)
                injection = injection or flag == "prompt_injection"
        if rule.also_flags:
            flags.update(rule.also_flags)
    return all_miss, definition_miss, best, risky, flagged, flags, injection


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


# The opening sentence of a rationale explained by a rule's hit, by (category, the rule's
# rationale, the hit's quotes): the sentence depends on nothing else, and the same quotes
# of the same rule recur across tools ("delete" in a name). Bounded: emptied when full.
_FIRST_SENTENCES: dict[tuple, str] = {}
_MAX_FIRST_SENTENCES = 4096


def _first_sentence(category: Category, hit: Hit) -> str:
    template = hit.rule.rationale
    key = (category, template, hit.evidence)
    try:
        return _FIRST_SENTENCES[key]
    except KeyError:
        pass
    except TypeError:  # quotes that cannot be hashed: no memo
        return f"{category}: {template.replace('{evidence}', _quote(hit.evidence))}."
    if len(_FIRST_SENTENCES) >= _MAX_FIRST_SENTENCES:
        _FIRST_SENTENCES.clear()
    sentence = _FIRST_SENTENCES[key] = (
        f"{category}: {template.replace('{evidence}', _quote(hit.evidence))}."
    )
    return sentence


# The annotations a definition can contradict, as quotes.
_READ_ONLY_TRUE = Quote("annotations.readOnlyHint", "true", 0, 4)
_DESTRUCTIVE_FALSE = Quote("annotations.destructiveHint", "false", 0, 5)
_DESTRUCTIVE_TRUE = Quote("annotations.destructiveHint", "true", 0, 4)
# Each as the label quotes it.
_CONFLICT_EVIDENCE = {
    q: q._replace(supports="annotation_conflict")
    for q in (_READ_ONLY_TRUE, _DESTRUCTIVE_FALSE, _DESTRUCTIVE_TRUE)
}


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


def _argmax(probs: Mapping[Category, float]) -> Category:
    # Ties go to the more severe category.
    if len(probs) == len(_BY_SEVERITY_DOWN):
        # The common case, without sorting per tool: max keeps the first of equal
        # scores, visiting the most severe category first (as max over the sorted keys).
        try:
            return max(_BY_SEVERITY_DOWN, key=probs.__getitem__)
        except KeyError:  # other keys than the categories
            pass
    return max(sorted(probs, key=lambda c: -_SEVERITY[c]), key=lambda c: probs[c])


def _best(
    probs: Mapping[Category, float], hints: Mapping[Category, float], top: Category
) -> Category:
    """The model's choice, escalated to Financial or Destructive when the evidence for one
    is above its threshold though not the top score (missing one costs the most).
    `top`: `_argmax(probs)`."""
    severity = _SEVERITY[top]
    for severe in SEVERE:
        if _SEVERITY[severe] <= severity:
            continue
        p = probs.get(severe, 0.0)
        if p >= SEVERE_MIN or (severe in hints and p >= HINT_MODEL_MIN):
            return severe
    return top


def _escalation(
    best: Category, probs: Mapping[Category, float], hints: Mapping[Category, float], top: Category
) -> str:
    if best == top:
        return ""
    why = (
        f"escalated from {top} ({probs[top]:.2f}): the learned model gives {best} "
        f"{probs.get(best, 0.0):.2f}"
    )
    if best in hints and probs.get(best, 0.0) < SEVERE_MIN:
        why += f" and weak rule evidence supports it ({hints[best]:.2f})"
    return why + f", and missing a {best} tool costs more than a cautious label"


def _lists_enum(evidence: Sequence[Quote]) -> bool:
    for q in evidence:
        if q.field.endswith(".enum"):
            return True
    return False


def _apply_model(
    probs: Mapping[Category, float],
    category: Category,
    confidence: float,
    hit: Hit | None,
    best_hits: dict[Category, Hit],
    definition_score: float,
    hints: Mapping[Category, float],
    features: Features,
    hits: list[Hit],
    evidence_fn: EvidenceFn | None,
    steps: list[str] | None,
) -> tuple:
    """Steps 1-3 of the module docstring, on the category the rules chose:
    (category, confidence, hit, note, escalated, model evidence)."""
    rules_category = category
    top = _argmax(probs)
    best = _best(probs, hints, top)
    p_best = probs.get(best, 0.0)
    escalation = _escalation(best, probs, hints, top)
    note = escalated = ""
    model_evidence: Sequence[Evidence] = ()
    if steps is not None:
        shown = ", ".join(
            f"{c} {probs.get(c, 0.0):.2f}" for c in sorted(probs, key=_SEVERITY.__getitem__)
        )
        steps.append(f"model: {shown}")
    severe = category in SEVERE
    # A tool that lists its actions in an enum says what it can do: its most severe listed
    # action decides, and no model score adds an action the list does not hold.
    # (Weak rule evidence for a more severe listed action - a hint - still lets the model
    # escalate, as everywhere.)
    strong = (
        category != _READ
        and hit is not None
        and not hit.from_annotation
        and definition_score >= (FIRM_SEVERE if severe else FIRM)
        and not (best in SEVERE and not severe and p_best >= SEVERE_OVER_FIRM)
    )
    declared = not strong and hit is not None and not hints and _lists_enum(hit.evidence)
    if strong or declared:
        if steps is not None and declared:
            steps.append("the actions are listed in an enum: the most severe one decides")
        elif steps is not None:
            limit = FIRM_SEVERE if severe else FIRM
            steps.append(
                f"firm rule evidence ({definition_score:.2f} >= {limit}): the rules decide"
            )
        if best == category:
            confidence = max(confidence, (confidence + p_best) / 2)
    elif p_best >= MODEL_MIN or escalation:
        if best != category:
            if escalation:
                if steps is not None:
                    steps.append(escalation)
                escalated = escalation
            elif steps is not None:
                steps.append(f"the model decides: {best} at {p_best:.2f} >= {MODEL_MIN}")
            note = f"the learned model scores {best} at {p_best:.2f}"
            category = best
            hit = best_hits.get(best)
            if hit is None and evidence_fn is not None:
                try:
                    model_evidence = evidence_fn(features, hits, best)
                except Exception:  # evidence is a courtesy; the label stands without it
                    model_evidence = []
            confidence = p_best * 0.9
            if escalation:
                # Escalated above the best guess: say so in a lower confidence.
                confidence = min(confidence, probs[top]) * ESCALATED
        else:
            if steps is not None:
                steps.append(f"the model agrees: {best} at {p_best:.2f}")
            confidence = max(confidence, (confidence + p_best) / 2)
    else:
        if steps is not None:
            steps.append(
                f"the model is unsure ({best} {p_best:.2f} < {MODEL_MIN}): the rules stand"
            )
        confidence = (confidence * 2 + probs.get(category, 0.0)) / 3
    rules_spoke = rules_category != _READ or definition_score > 0
    if best != category or (rules_spoke and rules_category != category):
        confidence *= DISAGREE
        if steps is not None:
            steps.append(f"rules and model disagree: confidence x{DISAGREE}")
    return category, confidence, hit, note, escalated, model_evidence


def _rationale(
    category: Category,
    hit: Hit | None,
    note: str,
    model_evidence: Sequence[Evidence],
    risk: Risk,
    raises: Sequence[RiskRaise],
    escalated: str,
    conflict: Quote | None,
) -> str:
    if hit is not None:
        first = _first_sentence(category, hit)
    elif note and model_evidence:
        first = f"{category}: {note}, on {_quote(model_evidence)}."
    elif note:
        first = f"{category}: no rule matched; {note}."
    else:
        first = "Read by default: nothing in the definition says it changes state."
    second = f"Risk {risk}"
    if raises:
        reasons = "; ".join(f"{REASON_TEXT[r.reason]} ({_quote(r.evidence)})" for r in raises)
        second += f", one step above {DEFAULT_RISK[category]} for {reasons}"
    if escalated:
        second = f"{escalated[0].upper()}{escalated[1:]}. {second}"
    if conflict is not None:
        second += (
            f"; the {conflict.field.removeprefix('annotations.')}={conflict.text}"
            " annotation contradicts the definition"
        )
    return f"{first} {second}."


def _evidence(
    category: Category,
    hit: Hit | None,
    model_evidence: Sequence[Evidence],
    hits: list[Hit],
    raises: Sequence[RiskRaise],
    conflict: Quote | None,
    flagged: list[Hit],
) -> list[Quote | Evidence]:
    """The label's evidence: the explaining hit's quotes, the model's evidence (already
    Evidence), the category's other hits, the risk raises, the conflict, the flag hits."""
    items: list[Quote | Evidence] = list(hit.evidence) if hit is not None else []
    if model_evidence:
        items.extend(model_evidence)
    if hit is not None and len(hits) > 1:
        # (no hit of the category is there without one that explains it)
        for h in hits:
            if h is not hit and h.rule.kind == "category" and h.rule.category == category:
                items.extend(h.evidence)
    for r in raises:
        items.extend(r.evidence)
    if conflict is not None:
        items.append(_CONFLICT_EVIDENCE[conflict])
    for h in flagged:
        items.extend(h.evidence)
    if len(items) <= 1:
        return items
    if not model_evidence:
        # Quotes only: a Quote is a tuple of Evidence's fields in order, its own key for
        # the dedupe, which keeps the first of equal ones.
        return list(dict.fromkeys(items))[:MAX_EVIDENCE]
    # Evidence equality compares its fields: dedupe on them (pydantic's __eq__ is slow).
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
_NOTHING_INJECTED: frozenset[Category] = frozenset()
_NO_HINTS: Mapping[Category, float] = MappingProxyType({})


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
    category, risk, confidence, rationale, quotes, flags = parts
    evidence = [e if type(e) is Evidence else make(*e) for e in quotes]
    return trusted.label(category, risk, confidence, rationale, evidence, flags, version)


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
    steps: list[str] | None = [] if trace is not None else None
    all_miss, definition_miss, best_hits, risky, flagged, flags, injection = _scan(hits)
    injected = _NOTHING_INJECTED
    if injection:
        # Category words inside an injected instruction are the attacker's, not the tool's.
        kept = outside_injection(features, hits)
        injected = _injected_only(hits, kept)
        if kept is not hits:
            hits = kept
            all_miss, definition_miss, best_hits, risky, flagged, flags, _ = _scan(hits)

    # The rules: the most severe category the definition supports...
    definition_scores = definition_miss  # (turned into scores in place: one dict less)
    category = _READ
    severity = 0
    for c, miss in definition_miss.items():
        score = definition_scores[c] = 1.0 - miss
        if score >= SUPPORT and _SEVERITY[c] > severity:
            category, severity = c, _SEVERITY[c]
    # ...weighed against the annotations.
    conflict: Quote | None = None
    annotations = features.annotations
    if annotations:
        read_only = annotations.get("readOnlyHint") is True
        destructive_hint = annotations.get("destructiveHint")
        if read_only and category != _READ:
            conflict = _READ_ONLY_TRUE
        elif destructive_hint is False and category == _DESTRUCTIVE:
            conflict = _DESTRUCTIVE_FALSE
        elif destructive_hint is True and not read_only and severity < _SEVERITY[_DESTRUCTIVE]:
            if category == _READ and definition_scores.get(_READ, 0.0) >= STRONG_READ:
                conflict = _DESTRUCTIVE_TRUE
            else:
                category = _DESTRUCTIVE
    hit = best_hits.get(category)
    miss = all_miss.get(category)
    score = 0.0 if miss is None else 1.0 - miss
    if category == _READ:
        # Read is the default: evidence for it raises confidence from 0.5.
        confidence = 0.5 + 0.45 * score
    else:
        confidence = 0.5 if 0.5 > score else score  # max(score, 0.5)
    if not features.has_description:
        confidence *= 0.8
    if conflict is not None:
        confidence *= 0.85
    definition_score = definition_scores.get(category, 0.0)
    # Weak definition evidence (below SUPPORT) for Financial or Destructive.
    hints: Mapping[Category, float] = _NO_HINTS  # (read only: shared while empty)
    severity = _SEVERITY[category]
    for c, score in definition_scores.items():
        if HINT_MIN <= score < SUPPORT and c in SEVERE and _SEVERITY[c] > severity:
            hints = {**hints, c: score}
    if steps is not None:
        steps.append(
            f"rules: {category} (definition score {definition_score:.2f}, "
            f"confidence {confidence:.2f})"
        )

    # The model.
    note = escalated = ""
    model_evidence: Sequence[Evidence] = ()
    if probs is None and scorer is not None:
        probs = scorer.predict_proba(tool)
        evidence_fn = evidence_fn or getattr(scorer, "evidence", None)
    if probs:
        if injected:
            probs = _without_injected(probs, injected, steps)
        category, confidence, hit, note, escalated, model_evidence = _apply_model(
            probs, category, confidence, hit, best_hits, definition_score, hints,
            features, hits, evidence_fn, steps,
        )  # fmt: skip
        # Annotation conflicts are judged against the final category.
        conflict = _conflict(category, annotations) if annotations else None
        if conflict is not None:
            confidence *= 0.85
            if steps is not None:
                steps.append(f"annotation conflict: {conflict.field}={conflict.text} vs {category}")

    raises: Sequence[RiskRaise] = ()
    if risky:
        risk, raises = assess_risk(category, risky)
    else:
        risk = DEFAULT_RISK[category]
    if steps is not None:
        steps.append(f"final: {category}, risk {risk}")
        trace.extend(steps)  # type: ignore[union-attr]
    if conflict is not None:
        flags.add("annotation_conflict")
    # round(min(max(confidence, 0.0), MAX_CONFIDENCE), 3), as a float, without the calls
    if 0.0 > confidence:
        confidence = 0.0
    if MAX_CONFIDENCE < confidence:
        confidence = MAX_CONFIDENCE
    confidence = round(confidence, 3)
    if type(confidence) is not float:  # a scorer's numpy scalar
        confidence = float(confidence)
    # Every value is of its label field's type and in range by construction.
    return _new_parts(
        LabelParts,
        (
            category,
            risk,
            confidence,
            _rationale(category, hit, note, model_evidence, risk, raises, escalated, conflict),
            _evidence(category, hit, model_evidence, hits, raises, conflict, flagged),
            in_order(flags) if flags else [],
        ),
    )
