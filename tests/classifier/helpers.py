"""Shared helpers for classifier tests: build tools, resolve evidence paths independently."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mcp_domain import ToolDefinition

FIXTURES = Path(__file__).parent / "fixtures"


def tool(name: str, description: str = "", schema: Any = None, annotations: Any = None):
    return ToolDefinition(
        name=name,
        description=description,
        input_schema=schema if schema is not None else {"type": "object"},
        annotations=annotations or {},
    )


def props(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties}


def sanity_items() -> list[dict[str, Any]]:
    return json.loads((FIXTURES / "sanity_tools.json").read_text(encoding="utf-8"))


def sanity_tool(item: dict[str, Any]) -> ToolDefinition:
    return tool(item["name"], item["description"], item.get("inputSchema"), item.get("annotations"))


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def field_text(t: ToolDefinition, path: str) -> str:
    """The text an evidence field path points at, resolved from the raw definition."""
    if path == "name":
        return t.name
    if path == "description":
        return t.description
    if path.startswith("annotations."):
        value = t.annotations[path.removeprefix("annotations.")]
        return value if isinstance(value, str) else _scalar(value)
    assert path.startswith("inputSchema"), path
    parts = path.split(".")[1:]
    node: Any = t.input_schema
    i = 0
    while i < len(parts):
        key = parts[i]
        if key == "properties":
            name = parts[i + 1]
            if i + 2 == len(parts):
                assert name in node["properties"]
                return name
            node = node["properties"][name]
            i += 2
        elif key in ("items",):
            node = node[key]
            i += 1
        elif key in ("anyOf", "oneOf", "allOf"):
            node = node[key][int(parts[i + 1])]
            i += 2
        elif key == "enum":
            return ", ".join(_scalar(v) for v in node["enum"])
        elif key in ("description", "default"):
            return _scalar(node[key])
        else:
            raise AssertionError(f"unexpected path part {key!r} in {path}")
    raise AssertionError(f"path {path} does not end in a text field")
