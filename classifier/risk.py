"""Risk: the category's default level, raised one step when the definition shows it.

Raises never lower a level and never pass critical; several reasons still make
one step. Each reason keeps the evidence that shows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifier.engine import Hit, Quote
from mcp_domain import Category, Risk
from mcp_domain.labels import DEFAULT_RISK

REASON_TEXT = {
    "credentials": "credentials or secrets",
    "external_messages": "messages to people outside the caller",
    "bulk_scope": "bulk scope",
    "unrestricted": "unrestricted paths, hosts or commands",
}


# A risk hit weaker than this is a hint, not evidence enough to raise.
MIN_WEIGHT = 0.5
# Bulk scope raises tools that change state; "list all tables" is still plain retrieval.
# A read raises only when it walks or dumps everything (recursive, entire, whole table).
CHANGE_ONLY = {"bulk_scope"}
BULK_READ = re.compile(r"recursiv|\bentire\b|\bwhole\b|\beverything\b|subdirector|\bdump", re.I)


@dataclass(frozen=True)
class RiskRaise:
    reason: str
    evidence: tuple[Quote, ...]


def assess_risk(category: Category, hits: list[Hit]) -> tuple[Risk, list[RiskRaise]]:
    """The risk level for `category` and the raises behind it, in a fixed order."""
    by_reason: dict[str, list[Quote]] = {}
    for hit in hits:
        if hit.rule.kind != "risk" or hit.weight < MIN_WEIGHT:
            continue
        evidence = list(hit.evidence)
        if hit.rule.raise_reason in CHANGE_ONLY and category == Category.Read:
            evidence = [e for e in evidence if BULK_READ.search(e.text)]
            if not evidence:
                continue
        by_reason.setdefault(str(hit.rule.raise_reason), []).extend(evidence)
    raises = [RiskRaise(r, tuple(by_reason[r])) for r in REASON_TEXT if r in by_reason]
    level = DEFAULT_RISK[category]
    if raises:
        level = level.raised()
    return level, raises
