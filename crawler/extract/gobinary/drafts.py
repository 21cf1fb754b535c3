"""What the call models find: tool drafts, whose texts are known strings or, inside
a helper function, the helper's own arguments."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from crawler.extract.gobinary.machine import Const, Machine, ParamPtr, Value


@dataclass(frozen=True)
class ParamRef:
    """The string a function received as its argument words `index` and `index + 1`."""

    index: int


Text = str | ParamRef


def text_of(machine: Machine, pointer: Value | None, length: Value | None) -> Text | None:
    """A string's text, or the argument it was passed in as."""
    if (
        isinstance(pointer, ParamPtr)
        and isinstance(length, ParamPtr)
        and pointer.offset == length.offset == 0
        and length.index == pointer.index + 1
    ):
        return ParamRef(pointer.index)
    return machine.string(pointer, length)


def text_at(machine: Machine, pointer: Value | None, offset: int = 0) -> Text | None:
    """The string header stored at `pointer + offset`."""
    return text_of(
        machine, machine.value_at(pointer, offset), machine.value_at(pointer, offset + 8)
    )


def flag_of(value: Value | None) -> bool | None:
    return bool(value.value & 0xFF) if isinstance(value, Const) else None


@dataclass
class Option:
    """One mark3labs/mcp-go option: what made it and what it holds."""

    kind: str  # "WithString", "Description", ...
    texts: list[Text] = field(default_factory=list)
    nested: list[Option] = field(default_factory=list)
    flags: list[bool] = field(default_factory=list)
    hints: dict[str, bool] = field(default_factory=dict)


@dataclass
class Draft:
    name: Text
    description: Text | None
    pattern: str
    site: int  # the code address of the call or copy that defined it
    properties: dict[str, dict[str, Any]] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)
    annotations: dict[str, Any] = field(default_factory=dict)
    # False when the input schema is built at run time (the properties are not all known).
    schema_read: bool = True
