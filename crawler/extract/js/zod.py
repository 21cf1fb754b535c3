"""A small model of zod schemas, enough to write their JSON Schema.

The evaluator builds `Zod` values from calls such as `z.string().optional()`;
`schema` is always the JSON Schema of the value so far, and the flags that JSON
Schema cannot carry on the property itself (optional, defaulted) ride beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from crawler.extract.js.jsoncopy import copy_json
from crawler.extract.js.values import UNDEFINED, JsObject, RegexValue, Unresolved

ZOD_MODULES = frozenset({"zod", "zod/v3", "zod/v4", "zod/mini", "zod/v4-mini"})


@dataclass(frozen=True)
class ZodNamespace:
    """`z` itself, or a sub-namespace such as `z.coerce` or `z.iso`."""

    sub: str = ""


@dataclass(frozen=True)
class ZodFactory:
    """A zod constructor not yet called, e.g. `z.string` or `z.coerce.number`."""

    name: str


@dataclass(frozen=True)
class ZodToJson:
    """A function that turns a zod schema into JSON Schema (zodToJsonSchema, z.toJSONSchema)."""


@dataclass(frozen=True)
class Zod:
    schema: dict[str, Any]
    optional: bool = False
    # For objects: the property schemas by name, so `.shape`, `.extend` and `.pick` work.
    shape: dict[str, Any] | None = None
    items: Any = None

    def with_schema(self, **updates: Any) -> Zod:
        schema = copy_json(self.schema)
        schema.update(updates)
        return replace(self, schema=schema)


@dataclass
class _Args:
    values: list[Any] = field(default_factory=list)

    def get(self, index: int) -> Any:
        return self.values[index] if index < len(self.values) else UNDEFINED


def object_schema(shape: dict[str, Any]) -> Zod:
    """The zod object for a raw shape `{a: z.string(), ...}`."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for key, value in shape.items():
        if isinstance(value, Zod):
            properties[key] = copy_json(value.schema)
            if not value.optional:
                required.append(key)
        else:
            properties[key] = {}
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return Zod(schema=schema, shape=dict(shape))


def is_raw_shape(value: Any) -> bool:
    """True for a plain object whose values are zod schemas (the SDK's `ZodRawShape`)."""
    if not isinstance(value, dict) or isinstance(value, Zod):
        return False
    return len(value) == 0 or any(isinstance(v, Zod) for v in value.values())


def _json(value: Any) -> Any:
    """A JSON-able copy of an evaluated literal, or UNDEFINED when it is not one."""
    if isinstance(value, (str, bool, int, float)) or value is None:
        return value
    if isinstance(value, list):
        return [_json(v) for v in value if _json(v) is not UNDEFINED]
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            j = _json(v)
            if j is not UNDEFINED:
                out[str(k)] = j
        return out
    return UNDEFINED


def _type_of_literal(value: Any) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return None


def _schema_of(value: Any) -> dict[str, Any]:
    if isinstance(value, Zod):
        return copy_json(value.schema)
    if is_raw_shape(value):
        return object_schema(value).schema
    return {}


def construct(name: str, args: list[Any]) -> Any:
    """The value of calling `z.<name>(*args)`."""
    a = _Args(args)
    simple = {
        "string": {"type": "string"},
        "number": {"type": "number"},
        "int": {"type": "integer"},
        "int32": {"type": "integer"},
        "bigint": {"type": "integer"},
        "boolean": {"type": "boolean"},
        "null": {"type": "null"},
        "date": {"type": "string", "format": "date-time"},
        "email": {"type": "string", "format": "email"},
        "url": {"type": "string", "format": "uri"},
        "uuid": {"type": "string", "format": "uuid"},
        "datetime": {"type": "string", "format": "date-time"},
        "any": {},
        "unknown": {},
        "undefined": {},
        "void": {},
        "never": {"not": {}},
        "custom": {},
        "instanceof": {},
        "function": {},
        "lazy": {},
        "json": {},
        "file": {},
    }
    if name in simple:
        return Zod(schema=dict(simple[name]))
    if name in ("object", "strictObject", "looseObject"):
        shape = a.get(0)
        return object_schema(shape if isinstance(shape, dict) else {})
    if name == "array":
        items = a.get(0)
        return Zod(schema={"type": "array", "items": _schema_of(items)}, items=items)
    if name == "set":
        return Zod(schema={"type": "array", "uniqueItems": True, "items": _schema_of(a.get(0))})
    if name == "tuple":
        parts = a.get(0)
        parts = parts if isinstance(parts, list) else []
        return Zod(schema={"type": "array", "items": [_schema_of(p) for p in parts]})
    if name == "enum":
        values = a.get(0)
        if isinstance(values, dict):
            values = list(values.values())
        if isinstance(values, list) and all(isinstance(v, str) for v in values):
            return Zod(schema={"type": "string", "enum": list(values)})
        return Zod(schema={"type": "string"})
    if name == "nativeEnum":
        return _native_enum(a.get(0))
    if name == "literal":
        value = _json(a.get(0))
        kind = _type_of_literal(value)
        if kind is None:
            return Zod(schema={})
        return Zod(schema={"type": kind, "const": value})
    if name in ("union", "discriminatedUnion", "xor"):
        options = a.get(1) if name == "discriminatedUnion" else a.get(0)
        options = options if isinstance(options, list) else []
        return Zod(schema=_union([_schema_of(o) for o in options]))
    if name == "intersection":
        return Zod(schema={"allOf": [_schema_of(a.get(0)), _schema_of(a.get(1))]})
    if name in ("record", "map"):
        value = a.get(1) if len(args) > 1 else a.get(0)
        return Zod(schema={"type": "object", "additionalProperties": _schema_of(value)})
    if name == "preprocess":
        inner = a.get(1)
        return inner if isinstance(inner, Zod) else Zod(schema={})
    if name in ("optional", "nullable", "nullish"):
        inner = a.get(0)
        if isinstance(inner, Zod):
            return apply_method(inner, name, [])
        return Zod(schema={}, optional=name != "nullable")
    return Zod(schema={})


def _union(schemas: list[dict[str, Any]]) -> dict[str, Any]:
    """anyOf, or a list of types when every option is a bare primitive type."""
    kinds = [s.get("type") for s in schemas]
    if schemas and all(
        len(s) == 1 and isinstance(k, str) for s, k in zip(schemas, kinds, strict=True)
    ):
        return {"type": list(dict.fromkeys(kinds))}
    return {"anyOf": schemas}


def _native_enum(value: Any) -> Zod:
    if isinstance(value, dict):
        # A compiled numeric TS enum maps names to numbers and numbers back to names.
        values = [v for k, v in value.items() if not (isinstance(k, str) and k.isdigit())]
        if values and all(isinstance(v, str) for v in values):
            return Zod(schema={"type": "string", "enum": values})
        if values and all(isinstance(v, (int, float)) for v in values):
            return Zod(schema={"type": "number", "enum": values})
    return Zod(schema={})


_BOUNDS = {
    # method: (keyword for strings, for numbers, for arrays)
    "min": ("minLength", "minimum", "minItems"),
    "gte": ("minLength", "minimum", "minItems"),
    "max": ("maxLength", "maximum", "maxItems"),
    "lte": ("maxLength", "maximum", "maxItems"),
    "length": ("length", None, "length"),
    "gt": (None, "exclusiveMinimum", None),
    "lt": (None, "exclusiveMaximum", None),
}

_FORMATS = {
    "email": "email",
    "url": "uri",
    "uuid": "uuid",
    "datetime": "date-time",
    "date": "date",
    "time": "time",
    "ipv4": "ipv4",
    "ipv6": "ipv6",
}


def apply_method(zod: Zod, name: str, args: list[Any]) -> Any:
    """The value of `<zod>.<name>(*args)`; unknown refinements leave the schema as it is."""
    a = _Args(args)
    kind = zod.schema.get("type")
    if name == "optional":
        return replace(zod, optional=True)
    if name == "nullable" or name == "nullish":
        out = _nullable(zod)
        return replace(out, optional=True) if name == "nullish" else out
    if name in ("default", "prefault"):
        value = _json(a.get(0))
        out = zod.with_schema(default=value) if value is not UNDEFINED else zod
        return replace(out, optional=True)
    if name == "describe":
        text = a.get(0)
        return zod.with_schema(description=text) if isinstance(text, str) else zod
    if name == "meta":
        meta = a.get(0)
        if isinstance(meta, dict):
            keep = {k: v for k, v in _json(meta).items() if k in ("description", "title")}
            return zod.with_schema(**keep)
        return zod
    if name == "int":
        return zod.with_schema(type="integer")
    if name in _BOUNDS:
        value = a.get(0)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return zod
        for_string, for_number, for_array = _BOUNDS[name]
        key = {"string": for_string, "number": for_number, "integer": for_number}.get(
            kind, for_array if kind == "array" else None
        )
        if key == "length":
            prefix = "Length" if kind == "string" else "Items"
            return zod.with_schema(**{f"min{prefix}": value, f"max{prefix}": value})
        return zod.with_schema(**{key: value}) if key else zod
    if name in ("positive", "nonnegative", "negative", "nonpositive"):
        key, bound = {
            "positive": ("exclusiveMinimum", 0),
            "nonnegative": ("minimum", 0),
            "negative": ("exclusiveMaximum", 0),
            "nonpositive": ("maximum", 0),
        }[name]
        return zod.with_schema(**{key: bound})
    if name == "nonempty":
        return zod.with_schema(**({"minItems": 1} if kind == "array" else {"minLength": 1}))
    if name in _FORMATS and kind == "string":
        return zod.with_schema(format=_FORMATS[name])
    if name == "regex":
        pattern = a.get(0)
        return zod.with_schema(pattern=pattern.pattern) if isinstance(pattern, RegexValue) else zod
    if name == "array":
        return Zod(schema={"type": "array", "items": copy_json(zod.schema)}, items=zod)
    if name == "or":
        return Zod(schema={"anyOf": [copy_json(zod.schema), _schema_of(a.get(0))]})
    if name == "and":
        return Zod(schema={"allOf": [copy_json(zod.schema), _schema_of(a.get(0))]})
    if zod.shape is not None:
        out = _object_method(zod, name, a)
        if out is not None:
            return out
    if name in ("unwrap", "removeDefault", "element") and isinstance(zod.items, Zod):
        return zod.items
    return zod


def _nullable(zod: Zod) -> Zod:
    kind = zod.schema.get("type")
    if isinstance(kind, str) and kind != "null":
        return zod.with_schema(type=[kind, "null"])
    return replace(zod, schema={"anyOf": [copy_json(zod.schema), {"type": "null"}]})


def _object_method(zod: Zod, name: str, a: _Args) -> Any:
    shape = dict(zod.shape or {})
    arg = a.get(0)
    if name in ("extend", "safeExtend") and isinstance(arg, dict):
        shape.update(arg)
    elif name == "merge" and isinstance(arg, Zod) and arg.shape is not None:
        shape.update(arg.shape)
    elif name == "pick" and isinstance(arg, dict):
        shape = {k: v for k, v in shape.items() if k in arg}
    elif name == "omit" and isinstance(arg, dict):
        shape = {k: v for k, v in shape.items() if k not in arg}
    elif name == "partial":
        shape = {
            k: replace(v, optional=True) if isinstance(v, Zod) else v for k, v in shape.items()
        }
    elif name == "required":
        shape = {
            k: replace(v, optional=False) if isinstance(v, Zod) else v for k, v in shape.items()
        }
    elif name == "keyof":
        return Zod(schema={"type": "string", "enum": list(shape)})
    else:
        return None
    out = object_schema(shape)
    if "description" in zod.schema:
        out = out.with_schema(description=zod.schema["description"])
    return replace(out, optional=zod.optional)


def member(zod: Zod, name: str) -> Any:
    """The value of `<zod>.<name>` read as a property (not called)."""
    if name == "shape" and zod.shape is not None:
        return JsObject(zod.shape)
    if name == "element" and zod.items is not None:
        return zod.items
    if name == "description":
        return zod.schema.get("description", UNDEFINED)
    return Unresolved(f"zod property .{name}")


def to_json_schema(value: Any) -> dict[str, Any] | None:
    """JSON Schema for a zod schema or raw shape; None when `value` is neither."""
    if isinstance(value, Zod):
        return copy_json(value.schema)
    if is_raw_shape(value):
        return object_schema(value).schema
    return None
