"""Values the Go evaluator produces, and their conversion to JSON."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


class Unknown:
    """A value that cannot be known without running the code."""

    def __init__(self, reason: str = "", parameter: str | None = None) -> None:
        self.reason = reason
        # Set when the value is a parameter of the enclosing function (callers may know it).
        self.parameter = parameter

    def __repr__(self) -> str:
        return f"Unknown({self.reason!r})"


@dataclass
class Struct:
    """A composite literal of a named struct type, e.g. mcp.Tool{...}."""

    type_name: str
    fields: dict[str, Any] = field(default_factory=dict)


@dataclass
class Closure:
    """A function literal and the scope it was written in."""

    node: Any
    scope: Any


def is_known(value: Any) -> bool:
    return not isinstance(value, Unknown)


# Go field names of schema structs whose JSON names are not simply lowerCamel.
_JSON_FIELD_NAMES = {
    "Types": "type",
    "Ref": "$ref",
    "Defs": "$defs",
    "Schema": "$schema",
    "ID": "$id",
    "Anchor": "$anchor",
    "Comment": "$comment",
}
_ACRONYM = re.compile(r"^[A-Z]+(?=[A-Z][a-z]|$)")


def json_name(go_field: str) -> str:
    if go_field in _JSON_FIELD_NAMES:
        return _JSON_FIELD_NAMES[go_field]
    match = _ACRONYM.match(go_field)
    if match and len(match.group(0)) > 1:
        head = match.group(0)
        return head.lower() + go_field[len(head) :]
    return go_field[:1].lower() + go_field[1:]


class JsonConverter:
    """Turns evaluated values into JSON-ready data, remembering what was unknown."""

    def __init__(self, max_depth: int = 64) -> None:
        self.unknowns: list[str] = []
        self.max_depth = max_depth

    def convert(self, value: Any, depth: int = 0) -> Any:
        if depth > self.max_depth:
            self.unknowns.append("nested too deeply")
            return None
        if isinstance(value, Unknown):
            self.unknowns.append(value.reason or "a value computed at run time")
            return None
        if isinstance(value, Closure):
            self.unknowns.append("a function value")
            return None
        if isinstance(value, Struct):
            if value.type_name == "Schema" and _is_false_schema(value):
                return False
            out: dict[str, Any] = {}
            for name, item in value.fields.items():
                if name.startswith("_"):
                    continue
                converted = self.convert(item, depth + 1)
                if converted is not None and converted != "" and converted != []:
                    out[json_name(name)] = converted
            return out
        if isinstance(value, dict):
            return {str(k): self.convert(v, depth + 1) for k, v in value.items() if is_known(k)}
        if isinstance(value, list | tuple):
            return [self.convert(v, depth + 1) for v in value]
        return value


def _is_false_schema(value: Struct) -> bool:
    """jsonschema-go writes `&Schema{Not: &Schema{}}` as `false`."""
    inner = value.fields.get("Not")
    return list(value.fields) == ["Not"] and isinstance(inner, Struct) and not inner.fields
