"""The text fields of a tool definition, each with the path evidence refers to.

Field paths:
  name                                         the tool name
  description                                  the tool description
  annotations.title                            the annotation title, when a string
  annotations.<hint>                           a boolean hint, its text is "true"/"false"
  inputSchema.description                      the schema's own description
  inputSchema.properties.<prop>                a property name (the text is the name)
  inputSchema.properties.<prop>.description    a property description
  inputSchema.properties.<prop>.enum           enum values joined with ", "
  inputSchema.properties.<prop>.default        a string, number or boolean default
Nested properties continue the path: inputSchema.properties.a.properties.b and
inputSchema.properties.a.items.properties.b.

Definitions come from crawled packages and are hostile: every size, depth and
type is checked, and nothing here raises on odd input.
"""

from __future__ import annotations

import marshal
from typing import Any, NamedTuple

from classifier.prefilter import fold
from classifier.tokens import Token, tokenize_cached
from mcp_domain import ToolDefinition

MAX_DESCRIPTION_CHARS = 20_000
MAX_TEXT_CHARS = 4_000
MAX_NAME_CHARS = 200
MAX_FIELDS = 400
MAX_DEPTH = 6
HINTS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")

# Field kinds rules can address.
KINDS = (
    "name",
    "description",
    "title",
    "property_name",
    "property_description",
    "enum",
    "default",
    "annotation",
)
# Kinds whose text is matched as word tokens rather than with regular expressions.
TOKEN_KINDS = ("name", "property_name", "enum")


class FieldText(NamedTuple):
    """One text field (a tuple: built in C, fields read in C; never changed)."""

    path: str
    kind: str
    text: str
    # For property fields: the tokens of the owning property's name.
    property_tokens: frozenset[str] = frozenset()
    # Shared between fields with the same text: read, never change.
    tokens: list[Token] = []  # a default shared by every field: never changed
    token_set: frozenset[str] = frozenset()
    # `text` folded (prefilter.fold) for literal scans; same length, so offsets agree.
    lower: str = ""


_new_field = tuple.__new__  # FieldText(...) without the generated Python __new__


class Features(NamedTuple):
    """A tool's fields in definition order, by kind, and its boolean annotations.

    A tuple, made in C; build one from fields alone with `Features.of`."""

    fields: list[FieldText]
    annotations: dict[str, bool]
    has_description: bool
    by_kind: dict[str, list[FieldText]]  # the same fields, in the same order within a kind
    # The fields of the input schema when they are `schema_part.fields` (shared with
    # every tool whose schema holds the same values): see SchemaPart.
    schema_part: SchemaPart | None = None

    @classmethod
    def of(
        cls, fields: list[FieldText], annotations: dict[str, bool], has_description: bool
    ) -> Features:
        return cls(fields, annotations, has_description, _group(fields))

    def of_kind(self, kind: str) -> list[FieldText]:
        return self.by_kind.get(kind, [])


def _group(fields: list[FieldText]) -> dict[str, list[FieldText]]:
    by_kind: dict[str, list[FieldText]] = {}
    for item in fields:
        same = by_kind.get(item.kind)
        if same is None:
            by_kind[item.kind] = [item]
        else:
            same.append(item)
    return by_kind


class SchemaPart:
    """The fields of one input schema, built once per distinct schema and shared.

    Schemas repeat across the tools of a batch (and across a server's tools), so
    `extract_features` looks them up by their content. Read only, except `view`.
    """

    __slots__ = ("fields", "kinds", "view")

    def __init__(self, fields: list[FieldText]) -> None:
        self.fields = tuple(fields)
        # (kind, its fields in order), kinds in order of first appearance
        self.kinds = tuple((kind, tuple(items)) for kind, items in _group(fields).items())
        # The schema's text view for the model, filled in by model_features on first use.
        self.view: str | None = None


def _scalar_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return None


_NO_TOKENS: list[Token] = []  # shared by fields that are not tokenised: read only
_NO_TOKEN_SET: frozenset[str] = frozenset()
_TOKEN_KINDS = frozenset(TOKEN_KINDS)
# Schema keys that can hold nested fields; a property holding none of them is a leaf.
_NESTED_KEYS = frozenset(("properties", "items", "anyOf", "oneOf", "allOf"))


def _lower(text: str) -> str:
    return text.lower() if text.isascii() else fold(text)


class _Collector:
    __slots__ = ("fields",)

    def __init__(self, fields: list[FieldText]) -> None:
        self.fields = fields

    def add(
        self,
        path: str,
        kind: str,
        text: str,
        prop_tokens: frozenset[str] = _NO_TOKEN_SET,
        limit: int = MAX_TEXT_CHARS,
        tokenized: tuple[list[Token], frozenset[str]] | None = None,
    ):
        fields = self.fields
        if len(fields) >= MAX_FIELDS or not text:
            return
        if len(text) > limit:
            text = text[:limit]
        lower = text.lower() if text.isascii() else fold(text)
        if kind in _TOKEN_KINDS:
            tokens, token_set = tokenized or tokenize_cached(text, limit)
        else:
            tokens, token_set = _NO_TOKENS, _NO_TOKEN_SET
        fields.append(
            _new_field(FieldText, (path, kind, text, prop_tokens, tokens, token_set, lower))
        )

    def schema(self, schema: Any, path: str, depth: int) -> None:
        if not isinstance(schema, dict) or depth > MAX_DEPTH:
            return
        if depth == 0 and isinstance(schema.get("description"), str):
            # The schema's own description reads like the tool description.
            self.add(f"{path}.description", "description", schema["description"])
        if _NESTED_KEYS.isdisjoint(schema.keys()):
            return
        props = schema.get("properties")
        if isinstance(props, dict):
            top = depth == 0 and path == _SCHEMA_PATH
            for name in sorted(props, key=str)[:MAX_FIELDS]:
                if top:
                    self.top_prop(name, props[name])
                else:
                    self.prop(str(name), props[name], f"{path}.properties.{name}", depth)
        items = schema.get("items")
        if isinstance(items, dict):
            self.schema(items, f"{path}.items", depth + 1)
        for key in ("anyOf", "oneOf", "allOf"):
            options = schema.get(key)
            if isinstance(options, list):
                for i, option in enumerate(options[:20]):
                    self.schema(option, f"{path}.{key}.{i}", depth + 1)

    def top_prop(self, name: Any, spec: Any) -> None:
        """`prop` for a property of the input schema itself. A plain leaf (a name and
        at most a description, both exact strings) gives fields that depend on those two
        strings only: they are made once and shared."""
        key = None
        if type(name) is str and type(spec) is dict and _PLAIN_LEAF_KEYS.isdisjoint(spec):
            desc = spec.get("description")
            if desc is None or type(desc) is str:
                key = (name, desc)
        made = None if key is None else _prop_memo.get(key)
        if made is None:
            if key is None:
                self.prop(str(name), spec, f"{_SCHEMA_PATH}.properties.{name}", 0)
                return
            col = _Collector([])
            col.prop(name, spec, f"{_SCHEMA_PATH}.properties.{name}", 0)
            made = tuple(col.fields)
            if len(_prop_memo) >= _MEMO_SIZE:
                _prop_memo.clear()
            _prop_memo[key] = made
        fields = self.fields
        if len(fields) + len(made) <= MAX_FIELDS:
            # Made from an empty list, the fields are those made after `fields`, as
            # MAX_FIELDS stops nothing here.
            fields.extend(made)
        else:
            self.prop(name, spec, f"{_SCHEMA_PATH}.properties.{name}", 0)

    def prop(self, name: str, spec: Any, path: str, depth: int) -> None:
        if len(self.fields) >= MAX_FIELDS:
            return  # nothing more can be added, here or below
        name = name[:MAX_NAME_CHARS]
        # Tokenised once, for the name field and as the owner's tokens of the others
        # (a name is shorter than any limit, so the limit does not change its tokens).
        tokenized = tokenize_cached(name, MAX_TEXT_CHARS)
        name_tokens = tokenized[1]
        self.add(path, "property_name", name, name_tokens, tokenized=tokenized)
        if not isinstance(spec, dict):
            return
        desc = spec.get("description")
        if isinstance(desc, str):
            self.add(f"{path}.description", "property_description", desc, name_tokens)
        enum = spec.get("enum")
        if isinstance(enum, list):
            values = [v for v in (_scalar_text(x) for x in enum[:200]) if v is not None]
            self.add(f"{path}.enum", "enum", ", ".join(values), name_tokens)
        default = spec.get("default")
        if default is not None and (text := _scalar_text(default)) is not None:
            self.add(f"{path}.default", "default", text, name_tokens)
        if depth + 1 <= MAX_DEPTH and not _NESTED_KEYS.isdisjoint(spec.keys()):
            self.schema(spec, path, depth + 1)


_SCHEMA_PATH = "inputSchema"
# Schemas are looked up by their marshal serialisation, made in C: it
# stands for the exact values and types (True, 1, 1.0 and "1" all differ). Version 2
# writes no back-references, so equal values give equal keys whatever objects they
# share. Values marshal cannot write (other types, cycles, extreme depth) and large
# ones are built without a memo.
_MEMO_KEY_BYTES = 4_000
_MEMO_SIZE = 20_000
_schema_memo: dict[bytes, SchemaPart] = {}
_prop_memo: dict[tuple[str, str | None], tuple[FieldText, ...]] = {}
# Keys that make a property more than a plain leaf (enum and default values would need
# their exact types in a key; nested keys hold more fields).
_PLAIN_LEAF_KEYS = _NESTED_KEYS | {"enum", "default"}


def build_schema_part(schema: dict) -> SchemaPart:
    """The fields of an input schema, as if no other field came before them."""
    col = _Collector([])
    col.schema(schema, _SCHEMA_PATH, 0)
    return SchemaPart(col.fields)


def schema_part(schema: dict) -> SchemaPart:
    """`build_schema_part(schema)`, shared by schemas holding the same values."""
    try:
        key = marshal.dumps(schema, 2)
    except (ValueError, TypeError, RecursionError, OverflowError):
        return build_schema_part(schema)
    if len(key) > _MEMO_KEY_BYTES:
        return build_schema_part(schema)
    part = _schema_memo.get(key)
    if part is None:
        part = build_schema_part(schema)
        if len(_schema_memo) >= _MEMO_SIZE:
            _schema_memo.clear()
        _schema_memo[key] = part
    return part


def extract_features(tool: ToolDefinition) -> Features:
    """All text fields of `tool` in a fixed order (name, description, annotations, schema)."""
    fields: list[FieldText] = []
    by_kind: dict[str, list[FieldText]] | None = {}
    name = tool.name if isinstance(tool.name, str) else str(tool.name)
    if name:
        name = name[:MAX_NAME_CHARS]
        tokens, token_set = tokenize_cached(name, MAX_TEXT_CHARS)
        item = _new_field(
            FieldText, ("name", "name", name, _NO_TOKEN_SET, tokens, token_set, _lower(name))
        )
        fields.append(item)
        by_kind["name"] = [item]
    description = tool.description if isinstance(tool.description, str) else ""
    if description:
        text = description[:MAX_DESCRIPTION_CHARS]
        item = _new_field(
            FieldText,
            ("description", "description", text, _NO_TOKEN_SET, _NO_TOKENS, _NO_TOKEN_SET,
             _lower(text)),
        )  # fmt: skip
        fields.append(item)
        by_kind["description"] = [item]
    annotations: dict[str, bool] = {}
    raw_ann = tool.annotations
    if raw_ann and isinstance(raw_ann, dict):
        col = _Collector(fields)
        title = raw_ann.get("title")
        if isinstance(title, str):
            col.add("annotations.title", "title", title)
        for hint in HINTS:
            value = raw_ann.get(hint)
            if isinstance(value, bool):
                annotations[hint] = value
                col.add(f"annotations.{hint}", "annotation", "true" if value else "false")
        by_kind = None  # grouped below, from all the fields
    schema = tool.input_schema
    part = None
    if isinstance(schema, dict):
        part = schema_part(schema)
        if len(fields) + len(part.fields) <= MAX_FIELDS:
            # Made from an empty list, the fields are those a walk after the head
            # would make, as MAX_FIELDS stops nothing.
            fields.extend(part.fields)
            if by_kind is not None:
                for kind, items in part.kinds:
                    same = by_kind.get(kind)
                    if same is None:
                        by_kind[kind] = list(items)
                    else:
                        same.extend(items)
        else:
            part = None
            _Collector(fields).schema(schema, _SCHEMA_PATH, 0)
            by_kind = None
    # (what bool(description.strip()) says, without copying the text)
    has_description = bool(description) and not description.isspace()
    return _new_features(
        Features, (fields, annotations, has_description, by_kind or _group(fields), part)
    )


_new_features = tuple.__new__  # Features(...) without the generated Python __new__
