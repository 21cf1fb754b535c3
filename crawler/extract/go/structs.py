"""JSON Schema of a Go type as the official go-sdk infers it (google/jsonschema-go rules).

Field names come from `json` tags (exported fields only, "-" omitted), a field
is required unless its tag says `omitempty` or `omitzero`, and a `jsonschema`
tag is the description (older servers write `jsonschema:"description=..."`).
Slices and pointers may be null, structs allow no extra properties.
"""

from __future__ import annotations

import re
from typing import Any

from tree_sitter import Node

from crawler.extract.go.parsing import GoFile, string_literal
from crawler.extract.go.symbols import PackageIndex, Program
from crawler.extract.treesitter import text

MAX_TYPE_DEPTH = 12
_INTEGER_TYPES = frozenset(
    {
        "int",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "uintptr",
        "byte",
        "rune",
    }
)
_UNSIGNED = frozenset({"uint", "uint8", "uint16", "uint32", "uint64", "uintptr", "byte"})
# Types jsonschema-go maps to strings (time.Time, slog.Level, math/big numbers).
STRING_LIKE = frozenset({"time.Time", "slog.Level", "big.Int", "big.Rat", "big.Float"})
_TAG_PAIR = re.compile(r'(\w+):"((?:[^"\\]|\\.)*)"')
_TAG_ESCAPE = re.compile(r'\\(["\\])')
# invopop/jsonschema style: key=value items, or a bare flag such as `required` first.
_OLD_STYLE = re.compile(r"^(\w+=|(required|nullable|deprecated|readOnly|writeOnly|uniqueItems),)")


def parse_tag(tag: str) -> dict[str, str]:
    """A struct tag's key:"value" pairs."""
    # Each value is a Go quoted string: unquote its escaped quotes and backslashes.
    return {key: _TAG_ESCAPE.sub(r"\1", value) for key, value in _TAG_PAIR.findall(tag)}


class TypeSchemas:
    def __init__(self, program: Program) -> None:
        self.program = program
        # What could not be read, for the extractor's notes.
        self.problems: list[str] = []

    def for_type(
        self,
        type_node: Node | None,
        go_file: GoFile,
        package: PackageIndex,
        depth: int = 0,
        seen: frozenset[str] = frozenset(),
    ) -> dict[str, Any]:
        if type_node is None or depth > MAX_TYPE_DEPTH:
            return {}
        kind = type_node.type
        if kind in ("pointer_type", "parenthesized_type"):
            inner = type_node.named_children
            return nullable(
                self.for_type(inner[-1] if inner else None, go_file, package, depth + 1, seen)
            )
        if kind == "slice_type":
            items = self.for_type(
                type_node.child_by_field_name("element"), go_file, package, depth + 1, seen
            )
            return {"type": ["null", "array"], "items": items}
        if kind == "array_type":
            items = self.for_type(
                type_node.child_by_field_name("element"), go_file, package, depth + 1, seen
            )
            schema: dict[str, Any] = {"type": "array", "items": items}
            length = text(type_node.child_by_field_name("length"))
            if length.isdigit():
                schema["minItems"] = schema["maxItems"] = int(length)
            return schema
        if kind == "map_type":
            value = self.for_type(
                type_node.child_by_field_name("value"), go_file, package, depth + 1, seen
            )
            return {"type": "object", "additionalProperties": value}
        if kind == "struct_type":
            return self._struct(type_node, go_file, package, depth, seen)
        if kind in ("type_identifier", "identifier"):
            return self._named(text(type_node), go_file, package, depth, seen)
        if kind in ("qualified_type", "selector_expression"):
            return self._qualified(type_node, go_file, depth, seen)
        return {}  # interface{}, any, generics and func types accept anything

    def _named(
        self, name: str, go_file: GoFile, package: PackageIndex, depth: int, seen: frozenset[str]
    ) -> dict[str, Any]:
        builtin = builtin_schema(name)
        if builtin is not None:
            return builtin
        key = f"{package.package.folder}.{name}"
        declared = package.types.get(name)
        if declared is None:
            self.problems.append(f"type {name} is not defined in the package")
            return {}
        if key in seen:
            self.problems.append(f"type {name} refers to itself")
            return {}
        return self.for_type(declared.node, declared.file, package, depth + 1, seen | {key})

    def _qualified(
        self, type_node: Node, go_file: GoFile, depth: int, seen: frozenset[str]
    ) -> dict[str, Any]:
        if type_node.type == "selector_expression":
            alias = text(type_node.child_by_field_name("operand"))
            name = text(type_node.child_by_field_name("field"))
        else:
            alias = text(type_node.child_by_field_name("package"))
            name = text(type_node.child_by_field_name("name"))
        if f"{alias}.{name}" in STRING_LIKE:
            return {"type": "string"}
        imported = self.program.imported(go_file, alias)
        if imported is None:
            if f"{alias}.{name}" != "json.RawMessage":
                self.problems.append(f"type {alias}.{name} is defined outside the module")
            return {}
        return self._named(name, go_file, imported, depth, seen)

    def _struct(
        self, struct: Node, go_file: GoFile, package: PackageIndex, depth: int, seen: frozenset[str]
    ) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field_node in _fields(struct):
            names = [text(n) for n in field_node.children_by_field_name("name")]
            type_node = field_node.child_by_field_name("type")
            tags = parse_tag(string_literal(field_node.child_by_field_name("tag")) or "")
            if not names:
                # An embedded struct: its fields are promoted unless the json tag names it.
                json_name = tags.get("json", "").split(",")[0]
                if not json_name:
                    embedded = self.for_type(type_node, go_file, package, depth + 1, seen)
                    promote(properties, required, embedded)
                    continue
                names = [text(type_node).lstrip("*").split(".")[-1]]
            for name in names:
                if not name[:1].isupper():
                    continue  # unexported fields are not serialised
                self._field(
                    name, type_node, tags, go_file, package, depth, seen, properties, required
                )
        return object_schema(properties, required)

    def _field(
        self,
        name: str,
        type_node: Node | None,
        tags: dict[str, str],
        go_file: GoFile,
        package: PackageIndex,
        depth: int,
        seen: frozenset[str],
        properties: dict[str, Any],
        required: list[str],
    ) -> None:
        facts = field_facts(name, tags)
        if facts is None:
            return
        schema = self.for_type(type_node, go_file, package, depth + 1, seen)
        add_property(properties, required, facts, schema)


def field_facts(go_name: str, tags: dict[str, str]) -> tuple[str, bool, str] | None:
    """(property name, required, description) of an exported struct field with these tags,
    or None when the field is not serialised (`json:"-"`). Shared with the reader of
    compiled binaries, which finds the same tags in the runtime's type descriptors."""
    json_tag = tags.get("json")
    name = go_name
    settings: set[str] = set()
    if json_tag is not None:
        json_name, _, rest = json_tag.partition(",")
        if json_name == "-" and not rest:
            return None
        name = json_name or go_name
        settings = set(rest.split(",")) if rest else set()
    description, old_required = _describe(
        tags.get("jsonschema"), tags.get("jsonschema_description")
    )
    is_required = not settings & {"omitempty", "omitzero"} or old_required
    return name, is_required, description


def _describe(tag: str | None, explicit: str | None) -> tuple[str, bool]:
    """(description, says required) from a jsonschema tag, new or old style."""
    if explicit:
        return explicit, False
    if not tag:
        return "", False
    if tag == "required" or _OLD_STYLE.match(tag):
        description = ""
        required = False
        # Old style: comma-separated key=value items; a description runs to the next key.
        for part in re.split(r"(?<!\\),(?=\s*\w+(?:=|$))", tag):
            key, _, value = part.partition("=")
            if key.strip() == "description":
                description = value.replace("\\,", ",")  # a comma is escaped in this style
            elif key.strip() == "required":
                required = True
        return description, required
    return tag, False


def _fields(struct: Node) -> list[Node]:
    for child in struct.named_children:
        if child.type == "field_declaration_list":
            return [c for c in child.named_children if c.type == "field_declaration"]
    return []


def builtin_schema(name: str) -> dict[str, Any] | None:
    """The schema of a predeclared Go type, or None when `name` is not one."""
    if name == "string":
        return {"type": "string"}
    if name == "bool":
        return {"type": "boolean"}
    if name in ("float32", "float64"):
        return {"type": "number"}
    if name in _INTEGER_TYPES:
        schema: dict[str, Any] = {"type": "integer"}
        if name in _UNSIGNED:
            schema["minimum"] = 0
        return schema
    if name in ("any", "error"):
        return {}
    return None


def add_property(
    properties: dict[str, Any],
    required: list[str],
    facts: tuple[str, bool, str],
    schema: dict[str, Any],
) -> None:
    """Record one serialised field, given its `field_facts` and its type's schema."""
    name, is_required, description = facts
    if description:
        schema = {**schema, "description": description}
    properties[name] = schema
    if is_required and name not in required:
        required.append(name)


def promote(properties: dict[str, Any], required: list[str], embedded: dict[str, Any]) -> None:
    """Add an embedded struct's properties (the outer struct's own win) and required names."""
    for name, schema in embedded.get("properties", {}).items():
        properties.setdefault(name, schema)
    required.extend(r for r in embedded.get("required", []) if r not in required)


def object_schema(
    properties: dict[str, Any], required: list[str], closed: bool = True
) -> dict[str, Any]:
    """An object schema with these properties, leaving out empty parts. `closed`: no
    other properties allowed, as jsonschema-go infers for a struct. Shared with the
    reader of compiled binaries."""
    schema: dict[str, Any] = {"type": "object"}
    if properties:
        schema["properties"] = properties
    if required:
        schema["required"] = required
    if closed:
        schema["additionalProperties"] = False
    return schema


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return {**schema, "type": ["null", kind]}
    return schema
