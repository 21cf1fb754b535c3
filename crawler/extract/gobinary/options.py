"""mark3labs/mcp-go tool options as they sit in memory when `mcp.NewTool` is called.

An option is a func value. Made by a call that was not inlined it is whatever
that call returned (the call model records it then). Inlined, the compiler
builds the closure in place: a word pointing at the code of
`<caller>.<Option>.func<N>`, then the captured variables (a string takes two
words, a slice three). The closure's function name says which option it is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from crawler.extract.gobinary import sdk
from crawler.extract.gobinary.drafts import Option, ParamRef, Text, flag_of, text_of
from crawler.extract.gobinary.machine import Addr, Const, HeapPtr, Machine, Opaque, StackPtr, Value

MAX_OPTIONS = 128
MAX_NESTING = 3


# The kind of an option made by the server's own code: it applies the options it holds.
GROUP = "group"


class OptionReader:
    def __init__(
        self,
        machine: Machine,
        function_name: Callable[[int], str | None],
        expand: Callable[[int], list[Option] | None] = lambda code: None,
    ) -> None:
        self.machine = machine
        self.function_name = function_name
        # Options that a closure's code applies (None: not the server's own code).
        self.expand = expand
        # How many options were met that the reader does not know (they may add properties).
        self.unknown = 0

    def slice(self, pointer: Value | None, length: Value | None, depth: int = 0) -> list[Option]:
        """The options in a []ToolOption (or []PropertyOption) whose data and length are known."""
        if not isinstance(length, Const) or not 0 < length.value <= MAX_OPTIONS:
            return []
        found = []
        for index in range(length.value):
            option = self.option(self.machine.value_at(pointer, 8 * index), depth)
            if option is not None:
                found.append(option)
            elif depth == 0:
                self.unknown += 1  # a tool option the reader does not know (not a property's)
        return found

    def option(self, value: Value | None, depth: int = 0) -> Option | None:
        if isinstance(value, Opaque) and isinstance(value.payload, Option):
            return value.payload
        if isinstance(value, Addr):
            # A closure that captures nothing is a static func value: a word holding the code.
            code = self.machine.static_word(value.address)
            kind = self._maker(code)
            if kind is None:
                return self._group(code)
            return Option(kind)
        if isinstance(value, (StackPtr, HeapPtr)):
            code = self.machine.value_at(value, 0)
            kind = self._maker(code)
            if kind is None:
                return self._group(code)
            return self._captured(kind, value, depth)
        return None

    def _maker(self, code: Value | None) -> str | None:
        if not isinstance(code, Addr):
            return None
        name = self.function_name(code.address)
        kind = sdk.closure_maker(name) if name else None
        return kind if kind in sdk.OPTION_NAMES else None

    def _group(self, code: Value | None) -> Option | None:
        """An option the server wrote itself (`WithPagination()`): what its code applies."""
        if not isinstance(code, Addr):
            return None
        applied = self.expand(code.address)
        return Option(GROUP, nested=applied) if applied else None

    def _captured(self, kind: str, closure: Value, depth: int) -> Option:
        machine = self.machine
        # Only the closure's own words: the next stack slots belong to other values.
        count = sdk.CAPTURED_WORDS.get(kind, 1)
        words = [machine.value_at(closure, 8 * k) for k in range(1, count + 1)]
        option = Option(kind)
        if kind == sdk.TOOL_ANNOTATION_OPTION:
            return self._annotation_struct(option, words)
        index = 0
        while index < len(words):
            word = words[index]
            following = words[index + 1 : index + 3]
            text = text_of(machine, word, following[0]) if following else None
            if text is not None and (isinstance(text, ParamRef) or isinstance(word, Addr)):
                option.texts.append(text)
                index += 2
                continue
            if (
                depth < MAX_NESTING
                and isinstance(word, (StackPtr, HeapPtr))
                and len(following) == 2
                and isinstance(following[0], Const)
                and following[0] == following[1]
            ):
                option.nested.extend(self.slice(word, following[0], depth + 1))
                index += 3
                continue
            if isinstance(word, Const) and kind in sdk.ANNOTATION_OPTIONS:
                option.flags.append(bool(word.value & 0xFF))
            index += 1
        return option

    def _annotation_struct(self, option: Option, words: list[Value | None]) -> Option:
        title = text_of(self.machine, words[0], words[1])
        if isinstance(title, str) and title:
            option.texts.append(title)
        for key, pointer in zip(sdk.TOOL_ANNOTATION_FIELDS, words[2:], strict=False):
            if isinstance(pointer, (StackPtr, HeapPtr, Addr)):
                value = flag_of(self.machine.value_at(pointer, 0))
                if value is not None:
                    option.hints[key] = value
        return option


def apply_options(options: list[Option]) -> dict[str, Any]:
    """description, properties, required and annotations the options set on a tool."""
    found: dict[str, Any] = {
        "description": None,
        "properties": {},
        "required": [],
        "annotations": {},
    }
    for option in _flatten(options):
        if option.kind in sdk.TOOL_DESCRIPTION_OPTIONS and option.texts:
            found["description"] = option.texts[0]
        elif option.kind in sdk.PROPERTY_OPTIONS and option.texts:
            name = option.texts[0]
            if not isinstance(name, str):
                continue
            schema, required = _property(sdk.PROPERTY_OPTIONS[option.kind], option.nested)
            found["properties"][name] = schema
            if required and name not in found["required"]:
                found["required"].append(name)
        elif option.kind == sdk.TOOL_ANNOTATION_OPTION:
            found["annotations"].update(option.hints)
            if option.texts and isinstance(option.texts[0], str):
                found["annotations"]["title"] = option.texts[0]
        elif option.kind in sdk.ANNOTATION_OPTIONS:
            key = sdk.ANNOTATION_OPTIONS[option.kind]
            if key == "title" and option.texts and isinstance(option.texts[0], str):
                found["annotations"][key] = option.texts[0]
            elif key != "title" and option.flags:
                found["annotations"][key] = option.flags[0]
    return found


def _flatten(options: list[Option], depth: int = 0) -> list[Option]:
    flat: list[Option] = []
    for option in options:
        if option.kind == GROUP:
            if depth < MAX_NESTING:
                flat.extend(_flatten(option.nested, depth + 1))
        else:
            flat.append(option)
    return flat


def _property(kind: str, nested: list[Option]) -> tuple[dict[str, Any], bool]:
    schema: dict[str, Any] = {"type": kind} if kind else {}
    required = False
    for option in nested:
        if option.kind in sdk.PROPERTY_DESCRIPTION_OPTIONS and option.texts:
            text: Text = option.texts[0]
            if isinstance(text, str):
                schema["description"] = text
        elif option.kind in sdk.PROPERTY_REQUIRED_OPTIONS:
            required = True
    return schema, required
