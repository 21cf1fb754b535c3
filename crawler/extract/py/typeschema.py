"""Python type annotations and pydantic models as JSON Schema, read statically.

The output follows what pydantic v2 generates (which is what the MCP SDKs
publish as a tool's inputSchema): Optional/Union as anyOf, Literal as
enum/const, Enum classes and nested models as $defs with $ref, Field()
constraints as JSON Schema keywords, titles from field names.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from typing import Any

from crawler.extract.py.evaluator import Evaluator, Scope
from crawler.extract.py.source import parse_expression
from crawler.extract.py.values import (
    ClassRef,
    EnumMember,
    ExternalRef,
    ObjectValue,
    Unknown,
    to_json,
)

MAX_TYPE_DEPTH = 40

_SIMPLE = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "bytes": {"type": "string", "format": "binary"},
    "NoneType": {"type": "null"},
    "None": {"type": "null"},
    "Any": {},
    "object": {},
    "datetime": {"type": "string", "format": "date-time"},
    "date": {"type": "string", "format": "date"},
    "time": {"type": "string", "format": "time"},
    "timedelta": {"type": "string", "format": "duration"},
    "UUID": {"type": "string", "format": "uuid"},
    "Path": {"type": "string", "format": "path"},
    "PurePath": {"type": "string", "format": "path"},
    "PosixPath": {"type": "string", "format": "path"},
    "AnyUrl": {"type": "string", "format": "uri", "minLength": 1},
    "AnyHttpUrl": {"type": "string", "format": "uri", "minLength": 1},
    "HttpUrl": {"type": "string", "format": "uri", "minLength": 1, "maxLength": 2083},
    "EmailStr": {"type": "string", "format": "email"},
    "SecretStr": {"type": "string", "format": "password", "writeOnly": True},
    "Decimal": {"anyOf": [{"type": "number"}, {"type": "string"}]},
    "dict": {"type": "object", "additionalProperties": True},
    "Dict": {"type": "object", "additionalProperties": True},
    "Mapping": {"type": "object", "additionalProperties": True},
    "MutableMapping": {"type": "object", "additionalProperties": True},
    "list": {"type": "array", "items": {}},
    "List": {"type": "array", "items": {}},
    "Sequence": {"type": "array", "items": {}},
    "tuple": {"type": "array", "items": {}},
    "Tuple": {"type": "array", "items": {}},
    "set": {"type": "array", "items": {}, "uniqueItems": True},
    "Set": {"type": "array", "items": {}, "uniqueItems": True},
}
_ARRAYS = {"list", "List", "Sequence", "MutableSequence", "Iterable", "Collection", "Iterator"}
_SETS = {"set", "Set", "frozenset", "FrozenSet", "AbstractSet", "MutableSet"}
_MAPPINGS = {"dict", "Dict", "Mapping", "MutableMapping", "OrderedDict", "defaultdict"}
_PASS_THROUGH = {"Required", "NotRequired", "ReadOnly", "Final", "ClassVar"}

# Field() keyword -> (JSON Schema keyword for strings, for arrays, for others)
_CONSTRAINTS = {
    "ge": "minimum",
    "le": "maximum",
    "gt": "exclusiveMinimum",
    "lt": "exclusiveMaximum",
    "multiple_of": "multipleOf",
    "pattern": "pattern",
}


@dataclass
class FieldSpec:
    """One property of an object schema: a model field or a function parameter."""

    name: str
    annotation: ast.expr | None
    default: ast.expr | None  # None: no default (required)
    scope: Scope
    unannotated: Any = None  # the schema used when there is no annotation


class SchemaBuilder:
    def __init__(self, evaluator: Evaluator) -> None:
        self.ev = evaluator
        self.defs: dict[str, dict[str, Any]] = {}
        self._building: set[int] = set()

    # ----- objects ------------------------------------------------------------

    def object_schema(self, title: str, fields: list[FieldSpec]) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        for spec in fields:
            name, prop, is_required = self.property(spec)
            properties[name] = prop
            if is_required:
                required.append(name)
        schema: dict[str, Any] = {"properties": properties}
        if required:
            schema["required"] = required
        schema["title"] = title
        schema["type"] = "object"
        return schema

    def property(self, spec: FieldSpec) -> tuple[str, dict[str, Any], bool]:
        """(property name, property schema, required) of one field."""
        field_info: dict[str, Any] = {}
        if spec.annotation is None:
            prop = dict(spec.unannotated if spec.unannotated is not None else {})
        else:
            prop, field_info = self.annotation(spec.annotation, spec.scope, 0)
        default: Any = _NO_DEFAULT
        if spec.default is not None:
            value = self.ev.eval(spec.default, spec.scope, 1)
            if _is_field(value):
                field_info = {**field_info, **_field_kwargs(value)}
            else:
                default = value
        if "default" in field_info:
            default = field_info["default"]
        if default is ...:
            default = _NO_DEFAULT
        has_factory = "default_factory" in field_info
        name = field_info.get("alias") if isinstance(field_info.get("alias"), str) else spec.name
        prop = self.apply_field(prop, field_info)
        if "$ref" not in prop and not _has_ref_union(prop) and "title" not in prop:
            prop["title"] = field_info.get("title") or _title(spec.name)
        if default is not _NO_DEFAULT:
            prop["default"] = _json_default(default)
        return name, prop, default is _NO_DEFAULT and not has_factory

    def apply_field(self, prop: dict[str, Any], info: dict[str, Any]) -> dict[str, Any]:
        prop = dict(prop)
        for key, value in info.items():
            if isinstance(value, (Unknown, ObjectValue)):
                continue
            if key == "description" and isinstance(value, str):
                prop["description"] = value
            elif key == "title" and isinstance(value, str):
                prop["title"] = value
            elif key == "examples" and isinstance(value, (list, tuple)):
                prop["examples"] = to_json(value)
            elif key in _CONSTRAINTS:
                prop[_CONSTRAINTS[key]] = to_json(value)
            elif key in ("min_length", "max_length"):
                bound = "min" if key.startswith("min") else "max"
                kind = prop.get("type")
                suffix = "Items" if kind == "array" else "Properties" if kind == "object" else ""
                prop[f"{bound}{suffix or 'Length'}"] = to_json(value)
            elif key == "json_schema_extra" and isinstance(value, dict):
                prop.update(to_json(value))
        return prop

    # ----- annotations --------------------------------------------------------

    def annotation(self, node: ast.expr, scope: Scope, depth: int) -> tuple[dict, dict]:
        """(schema, Field() keywords from Annotated metadata) of a type annotation."""
        if depth > MAX_TYPE_DEPTH:
            return {}, {}
        if isinstance(node, ast.Constant):
            if node.value is None:
                return {"type": "null"}, {}
            if isinstance(node.value, str):
                parsed = parse_expression(node.value)
                if parsed is not None:
                    return self.annotation(parsed, scope, depth + 1)
            return {}, {}
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            return self._union([node.left, node.right], scope, depth), {}
        if isinstance(node, ast.Subscript):
            return self._generic(node, scope, depth)
        if isinstance(node, (ast.Name, ast.Attribute)):
            kind, *rest = self.ev.type_definition(node, scope, depth)
            if kind == "node":
                return self.annotation(rest[0], rest[1], depth + 1)
            return self._named(rest[0]), {}
        return {}, {}

    def _named(self, value: Any) -> dict[str, Any]:
        if value is None:
            return {"type": "null"}
        if isinstance(value, ExternalRef):
            return dict(_SIMPLE.get(value.last, {}))
        if isinstance(value, ClassRef):
            return self.class_ref(value)
        return {}

    def _generic(self, node: ast.Subscript, scope: Scope, depth: int) -> tuple[dict, dict]:
        kind, *rest = self.ev.type_definition(node.value, scope, depth)
        base = rest[0] if kind == "value" else None
        args = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
        name = base.last if isinstance(base, ExternalRef) else ""
        if name == "Annotated" and args:
            schema, info = self.annotation(args[0], scope, depth + 1)
            for meta in args[1:]:
                value = self.ev.eval(meta, scope, 1)
                if _is_field(value):
                    info = {**info, **_field_kwargs(value)}
                elif isinstance(value, str):  # Annotated[str, "what it is"]
                    info = {**info, "description": value}
            return schema, info
        if name == "Optional" and args:
            return self._union([args[0], ast.Constant(value=None)], scope, depth), {}
        if name == "Union":
            return self._union(args, scope, depth), {}
        if name == "Literal":
            return _literal([self.ev.eval(a, scope, 1) for a in args]), {}
        if name in _PASS_THROUGH and args:
            return self.annotation(args[0], scope, depth + 1)
        if name in _ARRAYS or name in _SETS:
            items = self.annotation(args[0], scope, depth + 1)[0] if args else {}
            schema: dict[str, Any] = {"type": "array", "items": items}
            if name in _SETS:
                schema["uniqueItems"] = True
            return schema, {}
        if name in ("tuple", "Tuple"):
            if len(args) == 2 and isinstance(args[1], ast.Constant) and args[1].value is ...:
                return {"type": "array", "items": self.annotation(args[0], scope, depth + 1)[0]}, {}
            items = [self.annotation(a, scope, depth + 1)[0] for a in args]
            n = len(items)
            return {"type": "array", "prefixItems": items, "minItems": n, "maxItems": n}, {}
        if name in _MAPPINGS:
            values = self.annotation(args[1], scope, depth + 1)[0] if len(args) == 2 else True
            return {"type": "object", "additionalProperties": values}, {}
        if name in ("type", "Type"):
            return {}, {}
        return self._named(base), {}

    def _union(self, members: list[ast.expr], scope: Scope, depth: int) -> dict[str, Any]:
        options: list[dict[str, Any]] = []
        stack = list(reversed(members))
        while stack:
            member = stack.pop()
            if isinstance(member, ast.BinOp) and isinstance(member.op, ast.BitOr):
                stack += [member.right, member.left]
                continue
            schema = self.annotation(member, scope, depth + 1)[0]
            for option in schema.get("anyOf", [schema]) if set(schema) == {"anyOf"} else [schema]:
                if option not in options:
                    options.append(option)
        if len(options) == 1:
            return options[0]
        return {"anyOf": options}

    # ----- classes ------------------------------------------------------------

    def class_ref(self, cls: ClassRef) -> dict[str, Any]:
        """A $ref to an Enum or model defined in the package; {} for other classes."""
        name = cls.node.name
        if name in self.defs or id(cls.node) in self._building:
            return {"$ref": f"#/$defs/{name}"}
        members = self.ev.enum_members(cls)
        if members is not None:
            definition = _literal([m.value for m in members.values()])
            definition.pop("const", None)
            if "enum" not in definition:
                definition["enum"] = [to_json(m.value) for m in members.values()]
            definition["title"] = name
            doc = ast.get_docstring(cls.node, clean=True)
            if doc:
                definition["description"] = doc
            self.defs[name] = _ordered(definition)
            return {"$ref": f"#/$defs/{name}"}
        if self.is_model(cls):
            self._building.add(id(cls.node))
            try:
                self.defs[name] = self.model_body(cls)
            finally:
                self._building.discard(id(cls.node))
            return {"$ref": f"#/$defs/{name}"}
        return {}

    def is_model(self, cls: ClassRef) -> bool:
        return self.ev.inherits(cls, {"BaseModel", "TypedDict", "RootModel"})

    def model_fields(self, cls: ClassRef, depth: int = 0) -> list[FieldSpec]:
        """Fields of a model, base classes' first, as pydantic orders them."""
        fields: dict[str, FieldSpec] = {}
        if depth < 20:
            for base in self.ev.base_refs(cls):
                if isinstance(base, ClassRef):
                    for spec in self.model_fields(base, depth + 1):
                        fields[spec.name] = spec
        scope = self.ev.class_scope(cls)
        for stmt in cls.node.body:
            if not isinstance(stmt, ast.AnnAssign) or not isinstance(stmt.target, ast.Name):
                continue
            name = stmt.target.id
            if name.startswith("_") or name == "model_config" or _is_classvar(stmt.annotation):
                continue
            fields[name] = FieldSpec(name, stmt.annotation, stmt.value, scope)
        return list(fields.values())

    def model_body(self, cls: ClassRef) -> dict[str, Any]:
        schema = self.object_schema(cls.node.name, self.model_fields(cls))
        doc = ast.get_docstring(cls.node, clean=True)
        if doc:
            schema["description"] = doc
        return schema

    def model_schema(self, cls: ClassRef) -> dict[str, Any]:
        """`Model.model_json_schema()`: the model with its own $defs."""
        self._building.add(id(cls.node))
        try:
            schema = self.model_body(cls)
        finally:
            self._building.discard(id(cls.node))
        name = cls.node.name
        if name not in self.defs and f'"#/$defs/{name}"' in json.dumps(schema, default=str):
            # A recursive model: pydantic puts it in $defs and refers to it.
            self.defs[name] = schema
            return self.with_defs({"$ref": f"#/$defs/{name}"})
        return self.with_defs(schema)

    def with_defs(self, schema: dict[str, Any]) -> dict[str, Any]:
        if self.defs:
            schema = {"$defs": dict(sorted(self.defs.items())), **schema}
            self.defs = {}
        return schema


_NO_DEFAULT = object()


def _is_field(value: Any) -> bool:
    return isinstance(value, ObjectValue) and value.last == "Field"


def _field_kwargs(value: ObjectValue) -> dict[str, Any]:
    info = dict(value.kwargs)
    if value.args and "default" not in info:
        info["default"] = value.args[0]
    return info


def _is_classvar(node: ast.expr) -> bool:
    target = node.value if isinstance(node, ast.Subscript) else node
    name = target.attr if isinstance(target, ast.Attribute) else getattr(target, "id", "")
    return name == "ClassVar"


def _title(name: str) -> str:
    return name.replace("_", " ").strip().title() or name


def _has_ref_union(prop: dict[str, Any]) -> bool:
    return any("$ref" in option for option in prop.get("anyOf", []) if isinstance(option, dict))


def _json_default(value: Any) -> Any:
    if isinstance(value, EnumMember):
        return to_json(value.value)
    return to_json(value)


def _literal(values: list[Any]) -> dict[str, Any]:
    plain = [to_json(v.value if isinstance(v, EnumMember) else v) for v in values]
    kinds = {type(v) for v in plain}
    schema: dict[str, Any] = {}
    if len(plain) == 1:
        schema["const"] = plain[0]
    else:
        schema["enum"] = plain
    if len(kinds) == 1:
        kind = kinds.pop()
        json_type = {str: "string", int: "integer", float: "number", bool: "boolean"}.get(kind)
        if kind is type(None):
            json_type = "null"
        if json_type:
            schema["type"] = json_type
    return schema


def _ordered(schema: dict[str, Any]) -> dict[str, Any]:
    return dict(sorted(schema.items()))
