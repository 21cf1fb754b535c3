"""The values the static evaluator produces besides plain Python data.

Plain results are str, int, float, bool, None, list, tuple and dict. The
classes here stand for what cannot be a plain value: something unresolved
(with where and why), a reference to an outside module or name, a class or
function defined in the package, an Enum member, or an object built by
calling an outside class (Tool(...), ToolAnnotations(...), FastMCP(...)).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Unknown:
    file: str
    line: int
    why: str

    def where(self) -> str:
        return f"{self.file}:{self.line}"


PLACEHOLDER = "{…}"


@dataclass(frozen=True)
class PartialText(Unknown):
    """A string with run-time parts: unknown as a value (never a name), but its
    `text`, with each run-time part shown as PLACEHOLDER, still describes a tool."""

    text: str = ""


@dataclass(frozen=True)
class ModuleRef:
    """A module of this package."""

    name: str


@dataclass(frozen=True)
class ExternalRef:
    """A name from outside the package, by its dotted origin: "mcp.types.Tool"."""

    qualname: str

    @property
    def last(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]

    @property
    def root(self) -> str:
        return self.qualname.split(".", 1)[0]


@dataclass(eq=False)
class ClassRef:
    module: Any  # modules.Module
    node: ast.ClassDef


@dataclass(eq=False)
class FuncRef:
    module: Any  # modules.Module
    node: ast.FunctionDef | ast.AsyncFunctionDef
    scope: Any  # evaluator.Scope where it was defined
    # A method read from an instance or class: the value `self`/`cls` is bound to.
    bound_self: Any = None


@dataclass(frozen=True, eq=False)
class EnumMember:
    cls: ClassRef
    name: str
    value: Any


@dataclass(eq=False)
class ObjectValue:
    """The result of calling an outside class, e.g. mcp.types.Tool(...)."""

    qualname: str
    args: list[Any] = field(default_factory=list)
    kwargs: dict[str, Any] = field(default_factory=dict)
    file: str = ""
    line: int = 0
    # Set when the class is defined in the package and derives from an MCP server class.
    local_server: bool = False
    # The package class it is an instance of, when it is one (methods resolve through it).
    cls: ClassRef | None = None
    # The configuration condition under which it was added to a tool list.
    condition: str | None = None

    @property
    def last(self) -> str:
        return self.qualname.rsplit(".", 1)[-1]

    @property
    def root(self) -> str:
        return self.qualname.split(".", 1)[0]


MCP_ROOTS = {"mcp", "fastmcp"}
SERVER_CLASSES = {"FastMCP", "MCPServer"}


def is_mcp_name(qualname: str) -> bool:
    return qualname.split(".", 1)[0] in MCP_ROOTS


def is_server_class(qualname: str) -> bool:
    """FastMCP (SDK v1 and standalone) or MCPServer (SDK v2), also as made by
    `FastMCP.from_openapi(...)` / `FastMCP.from_fastapi(...)`."""
    parts = qualname.split(".")
    if parts[-1] in _SERVER_FACTORIES and len(parts) > 1:
        parts = parts[:-1]
    return is_mcp_name(qualname) and parts[-1] in SERVER_CLASSES


_SERVER_FACTORIES = {"from_openapi", "from_fastapi"}


def first_unknown(value: Any, limit: int = 10000) -> Unknown | None:
    """The first Unknown inside a value (lists, dicts, objects), if any."""
    stack = [value]
    seen = 0
    while stack and seen < limit:
        item = stack.pop()
        seen += 1
        if isinstance(item, Unknown):
            return item
        if isinstance(item, (list, tuple)):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            stack.extend(reversed(list(item.values())))
        elif isinstance(item, ObjectValue):
            stack.extend(reversed(list(item.kwargs.values())))
    return None


def to_json(value: Any, limit: int = 100000) -> Any:
    """A plain JSON-able copy of a value; Enum members become their values,
    anything unresolved becomes None. Iterative over containers."""
    budget = [limit]

    def convert(item: Any, depth: int) -> Any:
        budget[0] -= 1
        if budget[0] < 0 or depth > 60:
            return None
        if isinstance(item, EnumMember):
            item = item.value
        if item is None or isinstance(item, (str, bool, int, float)):
            return item
        if isinstance(item, (list, tuple)):
            return [convert(x, depth + 1) for x in item]
        if isinstance(item, dict):
            return {
                (k.value if isinstance(k, EnumMember) else k): convert(v, depth + 1)
                for k, v in item.items()
                if isinstance(k, (str, int, float, bool)) or isinstance(k, EnumMember)
            }
        return None

    return convert(value, 0)
