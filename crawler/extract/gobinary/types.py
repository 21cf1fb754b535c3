"""Go's runtime type descriptors (abi.Type and its struct, pointer, slice, map forms).

Reflection needs every struct's field names, offsets and tags at run time, so a
stripped binary still has them. Layout on a 64-bit target (internal/abi/type.go):
Size_ @0, PtrBytes @8, Hash @16, TFlag @20, Align_ @21, FieldAlign_ @22,
Kind_ @23, Equal @24, GCData @32, Str (int32 offset from the types base) @40,
PtrToThis @44; the kind-specific part follows at 48 (a pointer's or slice's
element; a struct's package path, then its field slice; a map's key, element).
A struct field is {Name *byte, Typ *Type, Offset uintptr}. A name is a flag
byte (1 exported, 2 has tag, 8 embedded), a varint length and the bytes, then
the tag the same way (Go 1.17+; before, lengths were two big-endian bytes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crawler.extract.go.structs import (
    STRING_LIKE,
    add_property,
    builtin_schema,
    field_facts,
    nullable,
    object_schema,
    parse_tag,
    promote,
)
from crawler.extract.gobinary.image import Image
from crawler.extract.gobinary.view import Corrupt

BOOL, INT, UINTPTR, FLOAT32, FLOAT64 = 1, 2, 12, 13, 14
ARRAY, FUNC, INTERFACE, MAP, POINTER, SLICE, STRING, STRUCT = 17, 19, 20, 21, 22, 23, 24, 25
_KIND_MASK = 0x1F
_TFLAG_UNCOMMON = 0x1
_TFLAG_EXTRA_STAR = 0x2
_UNCOMMON_SIZE = 16
_NAME_HAS_TAG = 0x2
_NAME_EMBEDDED = 0x8
_INTEGER_NAMES = {
    2: "int", 3: "int8", 4: "int16", 5: "int32", 6: "int64",
    7: "uint", 8: "uint8", 9: "uint16", 10: "uint32", 11: "uint64", 12: "uintptr",
}  # fmt: skip
MAX_FIELDS = 4096
MAX_NAME = 64 * 1024
MAX_SCHEMA_DEPTH = 8


@dataclass(frozen=True)
class GoType:
    address: int
    kind: int
    size: int
    name: str  # e.g. "api.Tool", "*jsonschema.Schema", "string"; "" when unreadable


@dataclass(frozen=True)
class Field:
    name: str
    type: int  # address of the field's type descriptor
    offset: int
    tag: str
    embedded: bool


class TypeReader:
    def __init__(self, image: Image, go_version: str) -> None:
        self.image = image
        self.word = image.pointer_size
        self.header = 6 * self.word  # the common abi.Type part
        base = image.section(".data.rel.ro", ".rodata")
        self.types_base = base.address if base is not None else 0
        minor = _go_minor(go_version)
        self.varint_names = minor is None or minor >= 17
        self.offset_is_shifted = minor is not None and minor < 19
        self._types: dict[int, GoType | None] = {}
        self._fields: dict[int, list[Field]] = {}

    def type_at(self, address: int) -> GoType | None:
        """The descriptor at `address`, or None when none reads sensibly there."""
        if address in self._types:
            return self._types[address]
        found: GoType | None
        try:
            found = self._read(address)
        except Corrupt:
            found = None
        self._types[address] = found
        return found

    def _read(self, address: int) -> GoType | None:
        if not self.image.maps(address, self.header + 3 * self.word):
            return None
        word = self.word
        size = self.image.word_at(address)
        tflag = self.image.view.u8(self.image.offset_of(address + 2 * word + 4))
        kind = self.image.view.u8(self.image.offset_of(address + 2 * word + 7)) & _KIND_MASK
        if not 1 <= kind <= 26:
            return None
        name_offset = self.image.view.i32(self.image.offset_of(address + 4 * word + 8))
        name = self._name_text(self.types_base + name_offset) if name_offset else ""
        if name and tflag & _TFLAG_EXTRA_STAR and name.startswith("*"):
            name = name[1:]
        return GoType(address, kind, size, name)

    def _name_text(self, address: int) -> str:
        try:
            return self.name(address)[0]
        except Corrupt:
            return ""

    def name(self, address: int) -> tuple[str, str, int]:
        """(name, tag, flags) of an encoded abi.Name."""
        view = self.image.view
        at = self.image.offset_of(address, 3)
        flags = view.u8(at)
        length, at = self._length(at + 1)
        text = view.bytes(at, length).decode("utf-8", "replace")
        tag = ""
        if flags & _NAME_HAS_TAG:
            tag_length, tag_at = self._length(at + length)
            tag = view.bytes(tag_at, tag_length).decode("utf-8", "replace")
        return text, tag, flags

    def _length(self, at: int) -> tuple[int, int]:
        if self.varint_names:
            length, at = self.image.view.uvarint(at)
        else:
            length, at = (self.image.view.u8(at) << 8) | self.image.view.u8(at + 1), at + 2
        if length > MAX_NAME:
            raise Corrupt(f"name of {length} bytes")
        return length, at

    # ------------------------------------------------------------------ kind-specific parts

    def element(self, address: int) -> int | None:
        """The element type of a pointer, slice or array."""
        try:
            return self.image.word_at(address + self.header)
        except Corrupt:
            return None

    def map_value(self, address: int) -> int | None:
        try:
            return self.image.word_at(address + self.header + self.word)
        except Corrupt:
            return None

    def array_length(self, address: int) -> int | None:
        try:
            return self.image.word_at(address + self.header + 2 * self.word)
        except Corrupt:
            return None

    def parameters(self, address: int) -> list[int]:
        """A function type's parameter types: abi.FuncType holds InCount and OutCount
        (uint16) after the common part, then the parameter type pointers, after an
        uncommon part when the type has methods."""
        described = self.type_at(address)
        if described is None or described.kind != FUNC:
            return []
        try:
            view, image = self.image.view, self.image
            count = view.u16(image.offset_of(address + self.header, 2))
            tflag = view.u8(image.offset_of(address + 2 * self.word + 4))
            start = address + self.header + self.word  # InCount, OutCount, padded to a word
            if tflag & _TFLAG_UNCOMMON:
                start += _UNCOMMON_SIZE
            return [image.word_at(start + index * self.word) for index in range(min(count, 64))]
        except Corrupt:
            return []

    def fields(self, address: int) -> list[Field]:
        """A struct's fields; empty when it is not a readable struct."""
        if address in self._fields:
            return self._fields[address]
        found: list[Field] = []
        described = self.type_at(address)
        if described is not None and described.kind == STRUCT:
            try:
                found = self._read_fields(address)
            except Corrupt:
                found = []
        self._fields[address] = found
        return found

    def _read_fields(self, address: int) -> list[Field]:
        word = self.word
        start = self.image.word_at(address + self.header + word)
        count = self.image.word_at(address + self.header + 2 * word)
        if count > MAX_FIELDS:
            raise Corrupt(f"struct with {count} fields")
        fields = []
        for index in range(count):
            at = start + index * 3 * word
            name_at, type_at, offset = (self.image.word_at(at + k * word) for k in range(3))
            name, tag, flags = self.name(name_at)
            embedded = bool(flags & _NAME_EMBEDDED)
            if self.offset_is_shifted:
                embedded, offset = bool(offset & 1), offset >> 1
            fields.append(Field(name, type_at, offset, tag, embedded))
        return fields

    def field_named(self, address: int, name: str) -> Field | None:
        for field in self.fields(address):
            if field.name == name:
                return field
        return None

    # ------------------------------------------------------------------ JSON Schema

    def schema(
        self, address: int, depth: int = 0, seen: frozenset[int] = frozenset()
    ) -> dict[str, Any]:
        """The input schema an SDK infers for this type, by the same rules (and the same
        tag reading) as the Go source extractor."""
        described = self.type_at(address)
        if described is None or depth > MAX_SCHEMA_DEPTH:
            return {}
        kind = described.kind
        if described.name in STRING_LIKE:
            return {"type": "string"}
        if kind == BOOL:
            return {"type": "boolean"}
        if INT <= kind <= UINTPTR:
            return builtin_schema(_INTEGER_NAMES[kind]) or {}
        if kind in (FLOAT32, FLOAT64):
            return {"type": "number"}
        if kind == STRING:
            return {"type": "string"}
        if kind == POINTER:
            element = self.element(address)
            return nullable(self.schema(element, depth + 1, seen)) if element else {}
        if kind in (SLICE, ARRAY):
            if described.name.endswith("json.RawMessage"):
                return {}
            element = self.element(address)
            items = self.schema(element, depth + 1, seen) if element else {}
            if kind == SLICE:
                return {"type": ["null", "array"], "items": items}
            length = self.array_length(address)
            return {"type": "array", "items": items, "minItems": length, "maxItems": length}
        if kind == MAP:
            value = self.map_value(address)
            values = self.schema(value, depth + 1, seen) if value else {}
            return {"type": "object", "additionalProperties": values}
        if kind == STRUCT and address not in seen:
            return self._struct_schema(address, depth, seen | {address})
        return {}

    def _struct_schema(self, address: int, depth: int, seen: frozenset[int]) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        for field in self.fields(address):
            tags = parse_tag(field.tag)
            if field.embedded and not tags.get("json", "").split(",")[0]:
                promote(properties, required, self.schema(field.type, depth + 1, seen))
                continue
            if not field.name[:1].isupper():
                continue  # unexported fields are not serialised
            facts = field_facts(field.name, tags)
            if facts is None:
                continue
            add_property(properties, required, facts, self.schema(field.type, depth + 1, seen))
        return object_schema(properties, required)


def _go_minor(version: str) -> int | None:
    """18 for "go1.18.3"; None when the version does not say."""
    if not version.startswith("go1."):
        return None
    digits = ""
    for char in version[4:]:
        if not char.isdigit():
            break
        digits += char
    return int(digits) if digits else None
