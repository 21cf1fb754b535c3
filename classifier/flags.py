"""Flags: independent of the category, set by flag rules, `also_flags` and conflicts.

Also where prompt-injection text sits: words inside an injected instruction say
what the attacker wants the model to do, not what the tool does, so category
evidence found only there must not decide the category (see `outside_injection`).
"""

from __future__ import annotations

import re

from classifier.engine import Hit
from classifier.features import Features

FLAG_ORDER = ("prompt_injection", "annotation_conflict", "open_world", "sensitive_data")

# An injected instruction runs from its marker (or the start of its sentence) to the next
# closing tag, else to the end of its paragraph (a blank line or the end of the field).
_CLOSE_TAG = re.compile(r"<\s*/\s*[a-z_]+\s*>|\[/INST\]", re.I)
_PARAGRAPH_END = re.compile(r"\n\s*\n")
# Bounded so a hostile field cannot make the span search expensive.
_MAX_SPAN_SCAN = 20_000


def collect_flags(hits: list[Hit], annotation_conflict: bool) -> list[str]:
    """The flags in the taxonomy's order, each at most once."""
    found: set[str] = set()
    for hit in hits:
        if hit.rule.kind == "flag" and hit.rule.flag:
            found.add(hit.rule.flag)
        found.update(hit.rule.also_flags)
    if annotation_conflict:
        found.add("annotation_conflict")
    return in_order(found)


def in_order(found: set[str]) -> list[str]:
    """The flags of `found` in the taxonomy's order (combine.py gathers them itself)."""
    return [f for f in FLAG_ORDER if f in found]


def _span_end(text: str, start: int, marker: str) -> int:
    if _CLOSE_TAG.fullmatch(marker.strip()):
        return start + len(marker)
    window = text[start : start + _MAX_SPAN_SCAN]
    # The first closing tag after the marker ends a tag block; else the paragraph ends it.
    close = _CLOSE_TAG.search(window)
    paragraph = _PARAGRAPH_END.search(window)
    if close is not None and (paragraph is None or close.start() < paragraph.start()):
        return start + close.end()
    return start + paragraph.start() if paragraph is not None else len(text)


def injection_spans(features: Features, hits: list[Hit]) -> dict[str, list[tuple[int, int]]]:
    """Per field path, the (start, end) offsets of injected instructions."""
    spans: dict[str, list[tuple[int, int]]] = {}
    texts: dict[str, str] | None = None  # built for the rare tool with an injection
    for hit in hits:
        if hit.rule.kind != "flag" or hit.rule.flag != "prompt_injection":
            continue
        if texts is None:
            texts = {f.path: f.text for f in features.fields}
        for e in hit.evidence:
            text = texts.get(e.field)
            if text is None or e.field == "name":
                continue
            start = min(e.start, len(text))
            if not _CLOSE_TAG.fullmatch(e.text.strip()):
                # Start at the sentence that holds the marker ("Always delete ... first").
                dot = text.rfind(". ", 0, start)
                sentence = max(dot + 2 if dot >= 0 else 0, text.rfind("\n", 0, start) + 1)
                if start - sentence <= 200:
                    start = sentence
            spans.setdefault(e.field, []).append((start, _span_end(text, start, e.text)))
    return spans


def _inside(e, spans: dict[str, list[tuple[int, int]]]) -> bool:
    return any(s <= e.start and e.end <= t for s, t in spans.get(e.field, ()))


def outside_injection(features: Features, hits: list[Hit]) -> list[Hit]:
    """`hits` without the category hits whose every quote lies inside injected text.

    Flag and risk hits stay (an injection soliciting secrets still raises risk).
    """
    spans = injection_spans(features, hits)
    if not spans:
        return hits
    return [
        h
        for h in hits
        if h.rule.kind != "category"
        or not h.evidence
        or not all(_inside(e, spans) for e in h.evidence)
    ]
