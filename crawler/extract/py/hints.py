"""Tool annotations (MCP "hints") in MCP's own spelling."""

from __future__ import annotations

from typing import Any

from crawler.extract.py.values import ObjectValue, Unknown, first_unknown, to_json

_SPELLING = {
    "read_only_hint": "readOnlyHint",
    "destructive_hint": "destructiveHint",
    "idempotent_hint": "idempotentHint",
    "open_world_hint": "openWorldHint",
    "readOnlyHint": "readOnlyHint",
    "destructiveHint": "destructiveHint",
    "idempotentHint": "idempotentHint",
    "openWorldHint": "openWorldHint",
    "title": "title",
}


def annotations_dict(value: Any) -> tuple[dict[str, Any], Unknown | None]:
    """A ToolAnnotations(...) call or an annotations dict, as MCP spells it.

    Returns the dict and, when some of it could not be resolved, the Unknown.
    """
    if value is None:
        return {}, None
    if isinstance(value, Unknown):
        return {}, value
    if isinstance(value, ObjectValue):
        items = value.kwargs
    elif isinstance(value, dict):
        items = value
    else:
        return {}, None
    result: dict[str, Any] = {}
    for key, item in items.items():
        spelled = _SPELLING.get(key) if isinstance(key, str) else None
        if spelled is None or item is None:
            continue
        if isinstance(item, Unknown):
            return result, item
        plain = to_json(item)
        if plain is not None:
            result[spelled] = plain
    return result, first_unknown(list(items.values()))
