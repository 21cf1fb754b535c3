"""Flags: independent of the category, set by flag rules, `also_flags` and conflicts."""

from __future__ import annotations

from classifier.engine import Hit

FLAG_ORDER = ("prompt_injection", "annotation_conflict", "open_world", "sensitive_data")


def collect_flags(hits: list[Hit], annotation_conflict: bool) -> list[str]:
    """The flags in the taxonomy's order, each at most once."""
    found: set[str] = set()
    for hit in hits:
        if hit.rule.kind == "flag" and hit.rule.flag:
            found.add(hit.rule.flag)
        found.update(hit.rule.also_flags)
    if annotation_conflict:
        found.add("annotation_conflict")
    return [f for f in FLAG_ORDER if f in found]
