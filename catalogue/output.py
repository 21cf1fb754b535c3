"""Printing: JSON for machines, Rich for people, crawled text always made safe."""

from __future__ import annotations

import json
import re
import sys
from typing import Any

from rich.console import Console

from mcp_domain import Label, ToolDefinition

# C0/C1 control characters other than tab and newline, plus bidi overrides,
# which can rewrite what a terminal shows.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

console = Console(highlight=False, soft_wrap=False)
err_console = Console(stderr=True, highlight=False)


def safe_text(text: str, limit: int | None = None) -> str:
    """Crawled text with terminal control characters removed, optionally shortened."""
    cleaned = _UNSAFE.sub("", text)
    if limit is not None and len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return cleaned


def print_json(value: Any) -> None:
    # ensure_ascii keeps control and invisible characters escaped, so JSON is terminal-safe.
    sys.stdout.write(json.dumps(value, indent=2, ensure_ascii=True) + "\n")
    sys.stdout.flush()


def label_json(label: Label) -> dict[str, Any]:
    return {
        "category": label.category.value,
        "risk": label.risk.value,
        "confidence": round(label.confidence, 4),
        "rationale": label.rationale,
        "evidence": [e.model_dump() for e in label.evidence],
        "flags": list(label.flags),
    }


def tool_json(tool: ToolDefinition, label: Label | None) -> dict[str, Any]:
    entry: dict[str, Any] = tool.wire_dict()
    entry["source"] = tool.source.model_dump(exclude_defaults=True) if tool.source else None
    if tool.condition:
        entry["condition"] = tool.condition
    if label is not None:
        entry["label"] = label_json(label)
    return entry
