"""The values the static evaluator produces besides plain JSON-like Python values.

Strings, numbers, booleans, None (JavaScript null), lists and dicts stand for
themselves. Everything else the evaluator can meet is one of the classes here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class _Undefined:
    """JavaScript `undefined`: a key holding it is left out of JSON."""

    _instance: _Undefined | None = None

    def __new__(cls) -> _Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNDEFINED"


UNDEFINED = _Undefined()


@dataclass(frozen=True)
class Unresolved:
    """A value that cannot be known without running the code, and why."""

    reason: str

    def __bool__(self) -> bool:
        return False


PLACEHOLDER = "${…}"


class PartialText(str):
    """Text with run-time parts, each shown as PLACEHOLDER; `reason` says why for the first.

    Good enough to describe a tool to a reader, never to name one.
    """

    reason: str = ""

    @classmethod
    def of(cls, value: str, reason: str) -> PartialText:
        out = cls(value)
        out.reason = reason
        return out


class JsObject(dict):
    """An object literal, remembering where it was written."""

    file: str = ""
    line: int = 0
    # A run-time test that keeps this object in a list, e.g. the callback of a filter().
    condition: str | None = None

    def located(self, file: str, line: int) -> JsObject:
        self.file = file
        self.line = line
        return self

    def kept_if(self, condition: str) -> JsObject:
        """A copy that says it is only kept in its list when `condition` holds."""
        out = JsObject(self).located(self.file, self.line)
        out.condition = f"({self.condition}) and ({condition})" if self.condition else condition
        return out


@dataclass(frozen=True)
class ModuleRef:
    """A module of the package seen as a namespace (`import * as x`, `require`)."""

    path: str


@dataclass(frozen=True)
class FunctionRef:
    """A function written in the package; calling it evaluates its return value."""

    module: str
    node_id: int
    node: Any = None
    # Parameter bindings of the enclosing calls when the function was made (a closure),
    # as (pattern node id, value) pairs; not part of its identity.
    closure: tuple = field(default=(), compare=False, hash=False)


@dataclass(frozen=True)
class RegexValue:
    pattern: str


@dataclass(frozen=True)
class Builtin:
    """A known global or library function the evaluator can model, e.g. `Object.values`."""

    name: str


@dataclass(frozen=True)
class EnvValue:
    """`process.env.NAME`: read as unset, i.e. the server's default configuration.

    It is falsy and nullish in conditions and equal only to undefined, but a
    string built from it is not known.
    """

    name: str


def is_known(value: Any) -> bool:
    return not isinstance(value, Unresolved)
