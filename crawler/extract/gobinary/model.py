"""The call model: what the calls met while walking a function mean for tools.

Runtime allocation and map calls are modelled so that struct literals can be
read back (a new object has the type it was allocated with; map assignments
are logged by key). Calls to SDK tool constructors, to helper functions whose
signature is known, and typed copies of tool structs become drafts. An
indirect call taking a translation key and a default text returns the default
(the pattern of servers that let users rename their tool descriptions).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from crawler.extract.go.structs import promote
from crawler.extract.gobinary import sdk, shapes
from crawler.extract.gobinary.amd64 import AX, BX, DX
from crawler.extract.gobinary.drafts import Draft, Option, Text, text_of
from crawler.extract.gobinary.machine import (
    ARGUMENT_REGISTERS,
    Addr,
    Const,
    HeapPtr,
    Machine,
    Opaque,
    ParamPtr,
    Value,
    shift,
)
from crawler.extract.gobinary.options import OptionReader, apply_options
from crawler.extract.gobinary.runtime_calls import (
    ALLOCATIONS,
    RuntimeCalls,
    new_object,
    runtime_arguments,
    typed_copy,
)
from crawler.extract.gobinary.toolshape import Shapes, ToolStructReader
from crawler.extract.gobinary.types import POINTER, STRUCT, TypeReader

MAX_MAP_KEYS = 4096
MAX_DICTIONARY_WORDS = 64


@dataclass(frozen=True)
class Signature:
    """How a helper function that defines a tool takes its name and description."""

    name_arg: int
    description_arg: int | None
    generic: bool  # the helper is a generic instantiation: its input type is in the dictionary
    draft: Draft  # what the helper itself sets (a fixed description, properties)


class ToolModel(RuntimeCalls):
    def __init__(
        self,
        types: TypeReader,
        shapes: Shapes,
        function_name: Callable[[int], str | None],
        constructors: dict[int, sdk.Constructor],
        signatures: dict[int, Signature],
        runtime: dict[int, str],
        expand: Callable[[int], list[Option] | None] = lambda code: None,
        positional: set[int] | None = None,
    ) -> None:
        self.types = types
        self.shapes = shapes
        self.function_name = function_name
        self.constructors = constructors
        self.signatures = signatures
        super().__init__(runtime)
        # What a closure of the server's own code applies when called (see reader).
        self.expand = expand
        # Tool helpers whose arguments are read by position (see reader).
        self.positional = positional if positional is not None else set()
        # Found while walking: drafts, options applied by indirect calls (`opt(tool)`),
        # and the keys assigned into each new map, by object.
        self.drafts: list[Draft] = []
        self.applied: list[Option] = []
        self.map_keys: dict[int, list[tuple[str, int]]] = {}
        self.structs = ToolStructReader(shapes, self.map_keys)

    def call(self, machine: Machine, site: int, target: int | None) -> dict[int, Value] | None:
        if target is None:
            return self._indirect(machine)
        runtime = self.runtime.get(target)
        if runtime is not None:
            return self._runtime(machine, site, runtime)
        constructor = self.constructors.get(target)
        if constructor is not None:
            self._constructor(machine, site, target, constructor)
            return None
        signature = self.signatures.get(target)
        if signature is not None:
            self._helper(machine, site, target, signature)
            return None
        if target in self.positional:
            self._positional(machine, site, target)
            return None
        name = self.function_name(target)
        option = sdk.option_function(name) if name else None
        if option is not None:
            return {AX: Opaque(self._called_option(machine, option))}
        return None

    def finish(self, machine: Machine) -> None:
        """After the walk: tool structs allocated on the heap are complete now."""
        for obj in machine.objects:
            if obj.type and obj.made_by in ("newobject", "growslice", "makeslice"):
                for offset, layout in self.shapes.slots(obj.type):
                    self._add(
                        self.structs.draft(
                            machine,
                            HeapPtr(obj.id, offset),
                            layout,
                            "go-binary-struct-fields",
                            obj.site,
                        )
                    )

    # ------------------------------------------------------------------ runtime

    def _runtime(self, machine: Machine, site: int, name: str) -> dict[int, Value] | None:
        args = runtime_arguments(machine)
        if name in ALLOCATIONS:
            return new_object(machine, site, name, args)
        if name in (sdk.MAKE_MAP_SMALL, sdk.MAKE_MAP):
            made = machine.new_object(0, "makemap", site)
            return {AX: made} if made else None
        if name in (sdk.MAP_ASSIGN_STRING, sdk.MAP_ASSIGN):
            return self._map_assign(machine, site, name, args)
        if name in sdk.TYPED_MOVES:
            self._typed_move(machine, site, args)
        return None

    def _map_assign(
        self, machine: Machine, site: int, name: str, args: list[Value | None]
    ) -> dict[int, Value] | None:
        table = args[1]
        if name == sdk.MAP_ASSIGN_STRING:
            key = machine.string(args[2], args[3])
        else:
            key = machine.string(machine.value_at(args[2], 0), machine.value_at(args[2], 8))
        slot = machine.new_object(0, "mapslot", site)
        if isinstance(table, HeapPtr) and key is not None and slot is not None:
            keys = self.map_keys.setdefault(table.obj, [])
            if len(keys) < MAX_MAP_KEYS:
                keys.append((key, slot.obj))
        return {AX: slot} if slot else None

    def _typed_move(self, machine: Machine, site: int, args: list[Value | None]) -> None:
        kind, destination, source = args[0], args[1], args[2]
        if not isinstance(kind, Addr):
            return
        # A copy out of read-only data fills a new object with a literal's constant parts;
        # the object is read when the walk ends, once the rest is stored.
        static = isinstance(source, Addr)
        for offset, layout in self.shapes.slots(kind.address):
            if source is not None and not static:
                pointer = shift(source, offset)
                if pointer is not None:
                    self._add(
                        self.structs.draft(
                            machine, pointer, layout, "go-binary-struct-fields", site
                        )
                    )
        typed_copy(machine, self.types, kind.address, destination, source)

    # ------------------------------------------------------------------ tools

    def _constructor(
        self, machine: Machine, site: int, target: int, constructor: sdk.Constructor
    ) -> None:
        if constructor.tool_pointer_arg is not None:
            pointer = machine.argument(constructor.tool_pointer_arg)
            draft = self._tool_at(machine, pointer, constructor.pattern, site)
            if draft is not None and constructor.generic and not draft.properties:
                self._type_argument_schema(machine, draft, self.function_name(target) or "")
            self._add(draft)
            return
        name = self._text_argument(machine, constructor.name_arg)
        if name is None:
            return
        description = self._text_argument(machine, constructor.description_arg)
        draft = Draft(name, description, constructor.pattern, site)
        if constructor.handler_arg is not None:
            self._handler_schema(machine.argument(constructor.handler_arg), draft)
        if constructor.options_arg is not None:
            reader = OptionReader(machine, self.function_name, self.expand)
            options = reader.slice(
                machine.argument(constructor.options_arg),
                machine.argument(constructor.options_arg + 1),
            )
            draft.schema_read = reader.unknown == 0
            found = apply_options(options)
            if found["description"] is not None:
                draft.description = found["description"]
            draft.properties = found["properties"]
            draft.required = found["required"]
            draft.annotations = found["annotations"]
        self._add(draft)

    def _tool_at(
        self, machine: Machine, pointer: Value | None, pattern: str, site: int
    ) -> Draft | None:
        if not isinstance(pointer, HeapPtr):
            return None
        kind = machine.objects[pointer.obj].type
        layout = self.shapes.layout(kind) if kind else None
        if layout is None:
            return None
        return self.structs.draft(machine, pointer, layout, pattern, site)

    def _helper(self, machine: Machine, site: int, target: int, signature: Signature) -> None:
        name = self._text_argument(machine, signature.name_arg)
        if name is None:
            return
        own = signature.draft
        description = own.description
        if signature.description_arg is not None:
            description = self._text_argument(machine, signature.description_arg)
        draft = Draft(name, description, "go-binary-register-args", site)
        draft.properties = dict(own.properties)
        draft.required = list(own.required)
        draft.annotations = dict(own.annotations)
        if signature.generic:
            self._type_argument_schema(machine, draft, self.function_name(target) or "")
        self._add(draft)

    def _positional(self, machine: Machine, site: int, target: int) -> None:
        """A tool helper read by position: its first two string arguments (after a generic
        function's dictionary) are the name and the description, when they look like them."""
        generic = "[" in (self.function_name(target) or "")
        texts: list[str] = []
        index = 1 if generic else 0
        while index + 1 < len(ARGUMENT_REGISTERS) and len(texts) < 2:
            text = machine.string(machine.argument(index), machine.argument(index + 1))
            if isinstance(machine.argument(index), Addr) and text:
                texts.append(text)
                index += 2
            else:
                index += 1
        if len(texts) < 2 or not sdk.looks_like_description(texts[1]):
            return
        draft = Draft(texts[0], texts[1], "go-binary-register-args", site)
        if generic:
            self._type_argument_schema(machine, draft, self.function_name(target) or "")
        self._add(draft)

    def _handler_schema(self, handler_type: Value | None, draft: Draft) -> None:
        """Properties from the first parameter of a handler function's type."""
        parameters = (
            self.types.parameters(handler_type.address) if isinstance(handler_type, Addr) else []
        )
        if not parameters or not self._struct_properties(parameters[0], draft):
            draft.schema_read = False

    def _struct_properties(self, address: int, draft: Draft) -> bool:
        """Add the properties of a struct type (or a pointer to one); False if it is not."""
        found = self._struct_type(address)
        if found is None:
            return False
        promote(draft.properties, draft.required, self.types.schema(found))
        return True

    def _type_argument_schema(self, machine: Machine, draft: Draft, callee: str) -> None:
        """Properties from a generic call's first type argument (its input type). The
        callee's name spells that type's shape; a struct shape's fields pick the struct
        among the runtime types in the call's dictionary (which also holds method values
        and sub-dictionaries, so its words are not the type arguments in order)."""
        dictionary = machine.argument(0)
        if isinstance(dictionary, ParamPtr):
            return  # inside a generic helper: each call site reads its own dictionary
        arguments = shapes.type_arguments(callee)
        fields = shapes.struct_fields(arguments[0]) if arguments else None
        if fields is None:
            draft.schema_read = False
            return
        wanted = shapes.exported_names(fields)
        if isinstance(dictionary, Addr):
            for index in range(MAX_DICTIONARY_WORDS):
                word = machine.static_word(dictionary.address + 8 * index)
                if not isinstance(word, Addr):
                    break
                found = self._struct_type(word.address)
                if found is not None and self._field_names(found) == wanted:
                    self._struct_properties(found, draft)
                    return
        # Not in the dictionary: the shape's own spelling of the fields.
        schema, whole = shapes.shape_schema(fields)
        draft.schema_read = draft.schema_read and whole
        draft.properties.update(schema.get("properties", {}))
        draft.required.extend(r for r in schema.get("required", []) if r not in draft.required)

    def _struct_type(self, address: int) -> int | None:
        described = self.types.type_at(address)
        if described is not None and described.kind == POINTER:
            address = self.types.element(address) or 0
            described = self.types.type_at(address)
        return address if described is not None and described.kind == STRUCT else None

    def _field_names(self, address: int) -> list[str]:
        return [f.name for f in self.types.fields(address) if f.name[:1].isupper()]

    def _text_argument(self, machine: Machine, index: int | None) -> Text | None:
        if index is None:
            return None
        return text_of(machine, machine.argument(index), machine.argument(index + 1))

    def _add(self, draft: Draft | None) -> None:
        if draft is None:
            return
        if isinstance(draft.name, str) and not sdk.looks_like_tool_name(draft.name):
            return
        self.drafts.append(draft)

    # ------------------------------------------------------------------ options and indirect calls

    def _called_option(self, machine: Machine, kind: str) -> Option:
        """An option made by a call to the SDK's own (not inlined) function."""
        option = Option(kind)
        reader = OptionReader(machine, self.function_name, self.expand)
        if kind in sdk.PROPERTY_OPTIONS:
            name = self._text_argument(machine, 0)
            if name is not None:
                option.texts.append(name)
            option.nested = reader.slice(machine.argument(2), machine.argument(3))
        elif kind in sdk.ANNOTATION_OPTIONS and kind != "WithTitleAnnotation":
            value = machine.argument(0)
            if isinstance(value, Const):
                option.flags.append(bool(value.value & 0xFF))
        elif kind not in sdk.PROPERTY_REQUIRED_OPTIONS:
            text = self._text_argument(machine, 0)
            if text is not None:
                option.texts.append(text)
        return option

    def _indirect(self, machine: Machine) -> dict[int, Value] | None:
        # Go passes a closure's own pointer in DX: a known option being applied.
        applied = OptionReader(machine, self.function_name, self.expand).option(machine.regs[DX])
        if applied is not None:
            self.applied.append(applied)
            return None
        key = machine.string(machine.argument(0), machine.argument(1))
        if key is None or not sdk.TRANSLATION_KEY.fullmatch(key):
            return None
        default = text_of(machine, machine.argument(2), machine.argument(3))
        if default is None:
            return None
        return {AX: machine.argument(2), BX: machine.argument(3)}
