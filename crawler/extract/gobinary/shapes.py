"""Type arguments as a generic instantiation's function name spells them.

The compiler names an instantiation after the shapes of its type arguments:
`pkg.MustTool[go.shape.struct { City string "json:\\"city\\"" },go.shape.*uint8]`.
A struct shape lists its fields with their types and tags, so the name alone
says which struct a call's input type is, and the struct in the call's
dictionary can be picked by its field names.
"""

from __future__ import annotations

import re
from typing import Any

from crawler.extract.go.structs import (
    STRING_LIKE,
    add_property,
    builtin_schema,
    field_facts,
    nullable,
    object_schema,
    parse_tag,
)

STRUCT_SHAPE = "go.shape.struct {"
_OPEN, _CLOSE = "([{", ")]}"
# Shapes longer than this are not parsed (their fields are found in the dictionary instead).
MAX_SHAPE = 64 * 1024


def type_arguments(function_name: str) -> list[str]:
    """The shapes between the first `[` of the name and its matching `]`."""
    start = function_name.find("[")
    if start < 0:
        return []
    parts = _split(function_name[start + 1 :], ",", stop="]")
    return [p.strip() for p in parts] if parts is not None else []


Field = tuple[str, str, str, bool]  # name, type, tag, embedded


def struct_fields(shape: str) -> list[Field] | None:
    """(name, type, tag, embedded) of each field of a struct shape; None for other shapes."""
    text = shape.strip()
    if not text.startswith(STRUCT_SHAPE) or not text.endswith("}") or len(text) > MAX_SHAPE:
        return None
    body = text[len(STRUCT_SHAPE) : -1].strip()
    if not body:
        return []
    parts = _split(body, ";")
    if parts is None:
        return None
    fields = []
    for part in parts:
        words = _split(part.strip(), " ")
        if not words:
            continue
        tag = ""
        if len(words) > 1 and words[-1].startswith('"'):
            tag = _unquote(words.pop())
        if len(words) == 1:  # an embedded field is named after its type
            fields.append((words[0].lstrip("*").rsplit(".", 1)[-1], words[0], tag, True))
        else:
            fields.append((words[0], " ".join(words[1:]), tag, False))
    return fields


def exported_names(fields: list[Field]) -> list[str]:
    return [name for name, _, _, _ in fields if name[:1].isupper()]


def shape_schema(fields: list[Field]) -> tuple[dict[str, Any], bool]:
    """The input schema of a struct shape, read from its field types' spelling, and
    whether it is whole (an embedded struct's promoted fields cannot be read from it)."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    whole = True
    for name, kind, tag, embedded in fields:
        if embedded and not parse_tag(tag).get("json", "").split(",")[0]:
            whole = False
            continue
        if not name[:1].isupper():
            continue  # unexported: named with their package in a shape
        facts = field_facts(name, parse_tag(tag))
        if facts is None:
            continue
        add_property(properties, required, facts, _type_schema(kind))
    return object_schema(properties, required, closed=False), whole


def _type_schema(kind: str, depth: int = 0) -> dict[str, Any]:
    if depth > 8:
        return {}
    kind = kind.removeprefix("go.shape.")
    if kind.startswith("*"):
        return nullable(_type_schema(kind[1:], depth + 1))
    if kind.startswith("[]"):
        return {"type": ["null", "array"], "items": _type_schema(kind[2:], depth + 1)}
    if kind.startswith("map["):
        return {"type": "object"}
    if kind.startswith("struct {"):
        return {"type": "object"}
    if kind.rsplit("/", 1)[-1] in STRING_LIKE:
        return {"type": "string"}
    return builtin_schema(kind) or {}


def _split(text: str, separator: str, stop: str = "") -> list[str] | None:
    """Split at `separator` outside brackets and quotes, up to an unmatched `stop`."""
    parts: list[str] = []
    depth, current, index = 0, [], 0
    while index < len(text):
        char = text[index]
        if char == '"':
            end = _quote_end(text, index)
            if end < 0:
                return None
            current.append(text[index : end + 1])
            index = end + 1
            continue
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            if depth == 0:
                if char == stop:
                    parts.append("".join(current))
                    return parts
                return None
            depth -= 1
        if char == separator and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
        index += 1
    if stop:
        return None  # the closing bracket never came
    parts.append("".join(current))
    return [p for p in parts if p.strip()] if separator == " " else parts


def _quote_end(text: str, start: int) -> int:
    index = start + 1
    while index < len(text):
        if text[index] == "\\":
            index += 2
            continue
        if text[index] == '"':
            return index
        index += 1
    return -1


_ESCAPE = re.compile(r"\\(.)")


def _unquote(quoted: str) -> str:
    return _ESCAPE.sub(r"\1", quoted[1:-1])
