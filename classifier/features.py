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


class Features:
    """A tool's fields in definition order, by kind, and its boolean annotations."""

    __slots__ = ("fields", "annotations", "has_description", "by_kind")

    def __init__(
        self,
        fields: list[FieldText],
        annotations: dict[str, bool],
        has_description: bool,
        by_kind: dict[str, list[FieldText]] | None = None,
    ) -> None:
        self.fields = fields
        self.annotations = annotations
        self.has_description = has_description
        if by_kind is None:
            by_kind = {}
            for item in fields:
                by_kind.setdefault(item.kind, []).append(item)
        self.by_kind = by_kind  # the same fields, in the same order within a kind

    def of_kind(self, kind: str) -> list[FieldText]:
        return self.by_kind.get(kind, [])


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


class _Collector:
    def __init__(self) -> None:
        self.fields: list[FieldText] = []
        self.by_kind: dict[str, list[FieldText]] = {}

    def add(
        self,
        path: str,
        kind: str,
        text: str,
        prop_tokens: frozenset[str] = frozenset(),
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
        item = _new_field(FieldText, (path, kind, text, prop_tokens, tokens, token_set, lower))
        fields.append(item)
        same_kind = self.by_kind.get(kind)
        if same_kind is None:
            self.by_kind[kind] = [item]
        else:
            same_kind.append(item)

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
            for name in sorted(props, key=str)[:MAX_FIELDS]:
                self.prop(str(name), props[name], f"{path}.properties.{name}", depth)
        items = schema.get("items")
        if isinstance(items, dict):
            self.schema(items, f"{path}.items", depth + 1)
        for key in ("anyOf", "oneOf", "allOf"):
            options = schema.get(key)
            if isinstance(options, list):
                for i, option in enumerate(options[:20]):
                    self.schema(option, f"{path}.{key}.{i}", depth + 1)

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


def extract_features(tool: ToolDefinition) -> Features:
    """All text fields of `tool` in a fixed order (name, description, annotations, schema)."""
    col = _Collector()
    name = tool.name if isinstance(tool.name, str) else str(tool.name)
    col.add("name", "name", name[:MAX_NAME_CHARS])
    description = tool.description if isinstance(tool.description, str) else ""
    col.add("description", "description", description, limit=MAX_DESCRIPTION_CHARS)
    annotations: dict[str, bool] = {}
    raw_ann = tool.annotations
    if raw_ann and isinstance(raw_ann, dict):
        title = raw_ann.get("title")
        if isinstance(title, str):
            col.add("annotations.title", "title", title)
        for hint in HINTS:
            value = raw_ann.get(hint)
            if isinstance(value, bool):
                annotations[hint] = value
                col.add(f"annotations.{hint}", "annotation", "true" if value else "false")
    col.schema(tool.input_schema, "inputSchema", 0)
    return Features(col.fields, annotations, bool(description.strip()), col.by_kind)
