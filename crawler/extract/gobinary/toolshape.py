"""Tool structs in memory: which types are one, where they sit inside bigger types,
and reading a tool's fields out of tracked memory.

A type is a tool when it is a struct with string fields `Name` and
`Description` and a field `InputSchema`: the shape of the go-sdk's and
mark3labs' `mcp.Tool`, and of the tool types servers declare themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crawler.extract.gobinary.drafts import Draft, Text, flag_of, text_at
from crawler.extract.gobinary.machine import UNKNOWN, Addr, Const, HeapPtr, Machine, Value
from crawler.extract.gobinary.types import (
    ARRAY,
    INTERFACE,
    POINTER,
    STRING,
    STRUCT,
    Field,
    TypeReader,
)

MAX_SLOTS = 64
UNREAD = UNKNOWN  # a schema held somewhere the walk did not follow
MAX_DEPTH = 3
_HINTS = {
    "ReadOnlyHint": "readOnlyHint",
    "DestructiveHint": "destructiveHint",
    "IdempotentHint": "idempotentHint",
    "OpenWorldHint": "openWorldHint",
}


@dataclass(frozen=True)
class ToolLayout:
    type: int
    name: int  # offset of Name
    description: int  # offset of Description
    input_schema: Field
    annotations: Field | None


class Shapes:
    def __init__(self, types: TypeReader) -> None:
        self.types = types
        self._layouts: dict[int, ToolLayout | None] = {}
        self._slots: dict[int, list[tuple[int, ToolLayout]]] = {}

    def layout(self, address: int) -> ToolLayout | None:
        if address not in self._layouts:
            self._layouts[address] = self._read_layout(address)
        return self._layouts[address]

    def _read_layout(self, address: int) -> ToolLayout | None:
        described = self.types.type_at(address)
        if described is None or described.kind != STRUCT:
            return None
        fields = {f.name: f for f in self.types.fields(address)}
        name, description = fields.get("Name"), fields.get("Description")
        schema = fields.get("InputSchema")
        if name is None or description is None or schema is None:
            return None
        if not self._is_string(name.type) or not self._is_string(description.type):
            return None
        return ToolLayout(
            address, name.offset, description.offset, schema, fields.get("Annotations")
        )

    def _is_string(self, address: int) -> bool:
        described = self.types.type_at(address)
        return described is not None and described.kind == STRING

    def slots(self, address: int, depth: int = 0) -> list[tuple[int, ToolLayout]]:
        """(offset, layout) of every tool inside a value of this type (itself included)."""
        if depth == 0 and address in self._slots:
            return self._slots[address]
        found: list[tuple[int, ToolLayout]] = []
        own = self.layout(address)
        described = self.types.type_at(address)
        if own is not None:
            found.append((0, own))
        elif described is not None and depth < MAX_DEPTH:
            if described.kind == STRUCT:
                for field in self.types.fields(address):
                    for offset, layout in self.slots(field.type, depth + 1):
                        found.append((field.offset + offset, layout))
            elif described.kind == ARRAY:
                element = self.types.element(address)
                length = self.types.array_length(address) or 0
                inner = self.slots(element, depth + 1) if element else []
                element_type = self.types.type_at(element) if element else None
                if inner and element_type is not None:
                    for index in range(min(length, MAX_SLOTS)):
                        for offset, layout in inner:
                            found.append((index * element_type.size + offset, layout))
        found = found[:MAX_SLOTS]
        if depth == 0:
            self._slots[address] = found
        return found

    def holds_tools(self, address: int) -> bool:
        return bool(self.slots(address))


class ToolStructReader:
    """Reads tool fields out of a machine's memory; map keys come from the call model."""

    def __init__(self, shapes: Shapes, map_keys: dict[int, list[tuple[str, int]]]) -> None:
        self.shapes = shapes
        self.types = shapes.types
        self.map_keys = map_keys  # map object -> [(key, value slot object)]

    def draft(
        self, machine: Machine, pointer: Value, layout: ToolLayout, pattern: str, site: int
    ) -> Draft | None:
        name = text_at(machine, pointer, layout.name)
        if name is None:
            return None
        description = text_at(machine, pointer, layout.description)
        draft = Draft(name, description, pattern, site)
        self._schema(machine, pointer, layout.input_schema, draft)
        if layout.annotations is not None:
            draft.annotations = self._annotations(machine, pointer, layout.annotations)
        return draft

    def _schema(self, machine: Machine, pointer: Value, field: Field, draft: Draft) -> None:
        """Property names from the schema the tool holds: a map of properties filled key by
        key in the code walked. A schema that is not a tracked object was made elsewhere
        (at run time, or from JSON), so its properties are said unread."""
        located = self._schema_object(machine, pointer, field)
        if located is None:
            return  # no schema set: the SDK infers one, or the tool takes no input
        holder, offset, schema_type = located
        properties = self.types.field_named(schema_type, "Properties") if schema_type else None
        if holder is UNREAD or properties is None:
            draft.schema_read = False
            return
        table = machine.value_at(holder, offset + properties.offset)
        if isinstance(table, Const) and table.value == 0:
            return  # no properties
        if not isinstance(table, HeapPtr):
            draft.schema_read = False
            return
        element = self._property_schema_type(properties.type)
        for key, slot in self.map_keys.get(table.obj, []):
            draft.properties[key] = self._property(machine, HeapPtr(slot), element)

    def _schema_object(
        self, machine: Machine, pointer: Value, field: Field
    ) -> tuple[Value, int, int | None] | None:
        """(holder, offset, schema struct type) of the tool's InputSchema field; None when
        the field is empty; holder UNREAD when it holds something not tracked."""
        described = self.types.type_at(field.type)
        if described is None:
            return UNREAD, 0, None
        if described.kind == STRUCT:
            return pointer, field.offset, field.type
        if described.kind == POINTER:
            target = machine.value_at(pointer, field.offset)
            return self._tracked(target, self.types.element(field.type))
        if described.kind == INTERFACE:
            # An interface holds (type, data); the data word points at the schema.
            kind_word = machine.value_at(pointer, field.offset)
            target = machine.value_at(pointer, field.offset + 8)
            schema_type = None
            if isinstance(kind_word, Addr):
                dynamic = self.types.type_at(kind_word.address)
                if dynamic is not None and dynamic.kind == POINTER:
                    schema_type = self.types.element(kind_word.address)
            return self._tracked(target, schema_type)
        return UNREAD, 0, None

    @staticmethod
    def _tracked(
        target: Value | None, schema_type: int | None
    ) -> tuple[Value, int, int | None] | None:
        if isinstance(target, Const) and target.value == 0:
            return None
        if isinstance(target, HeapPtr) and schema_type:
            return target, 0, schema_type
        return UNREAD, 0, None

    def _property_schema_type(self, map_type: int) -> int | None:
        value = self.types.map_value(map_type)
        described = self.types.type_at(value) if value else None
        if described is not None and described.kind == POINTER:
            return self.types.element(value)
        return None

    def _property(self, machine: Machine, slot: Value, schema_type: int | None) -> dict[str, Any]:
        """A property's own schema, when the map holds pointers to schema structs."""
        found: dict[str, Any] = {}
        if schema_type is None:
            return found
        target = machine.value_at(slot, 0)
        for go_name, key in (("Type", "type"), ("Description", "description")):
            field = self.types.field_named(schema_type, go_name)
            if field is None or not self.shapes._is_string(field.type):
                continue
            text: Text | None = text_at(machine, target, field.offset)
            if isinstance(text, str) and text:
                found[key] = text
        return found

    def _annotations(self, machine: Machine, pointer: Value, field: Field) -> dict[str, Any]:
        described = self.types.type_at(field.type)
        holder, offset, struct_type = pointer, field.offset, field.type
        if described is not None and described.kind == POINTER:
            holder, offset = machine.value_at(pointer, field.offset), 0
            struct_type = self.types.element(field.type) or 0
        found: dict[str, Any] = {}
        if holder is None:
            return found
        for inner in self.types.fields(struct_type):
            if inner.name == "Title" and self.shapes._is_string(inner.type):
                title = text_at(machine, holder, offset + inner.offset)
                if isinstance(title, str) and title:
                    found["title"] = title
            elif inner.name in _HINTS:
                value = self._flag(machine, holder, offset + inner.offset, inner.type)
                if value is not None:
                    found[_HINTS[inner.name]] = value
        return found

    def _flag(self, machine: Machine, holder: Value, offset: int, type_address: int) -> bool | None:
        described = self.types.type_at(type_address)
        word = machine.value_at(holder, offset)
        if described is not None and described.kind == POINTER:
            return flag_of(machine.value_at(word, 0)) if word is not None else None
        return flag_of(word)
