"""Low-level servers: a `list_tools` handler returning Tool(...) objects.

Handlers are functions decorated `@server.list_tools()` or passed as
`on_list_tools=` (SDK v2). Every `return` of the handler is evaluated; the
lists may be built across modules (`A + B`, `[*A, *B]`, `.extend`), with
names from Enum members and constants and schemas from
`Model.model_json_schema()`.
"""

from __future__ import annotations

import ast
from typing import Any

from crawler.extract.py.evaluator import Evaluator
from crawler.extract.py.hints import annotations_dict
from crawler.extract.py.modules import Module
from crawler.extract.py.typeschema import SchemaBuilder
from crawler.extract.py.values import (
    SERVER_CLASSES,
    ClassRef,
    EnumMember,
    ExternalRef,
    FuncRef,
    ObjectValue,
    PartialText,
    Unknown,
    first_unknown,
    is_mcp_name,
    to_json,
)
from crawler.extract.py.walk import Findings, imports_mcp, statements
from mcp_domain import SourceLocation, ToolDefinition

PATTERN_LOWLEVEL = "python.lowlevel_tool"
# A FastMCP subclass overriding `list_tools`: what it returns is what is served.
PATTERN_OVERRIDE = "python.list_tools_override"


def find_lowlevel_tools(ev: Evaluator, module: Module, findings: Findings) -> None:
    if "list_tools" not in module.text:
        return
    mcp_module = imports_mcp(module)
    with_handler_keyword = "on_list_tools" in module.text
    handlers: list[tuple[FuncRef, int]] = []
    overrides: list[tuple[FuncRef, int]] = []
    for stmt, scope in statements(ev, module):
        if isinstance(stmt, ast.ClassDef):
            overrides += _list_tools_override(ev, module, stmt)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in stmt.decorator_list:
                func = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(func, ast.Attribute) and func.attr == "list_tools":
                    receiver = ev.eval(func.value, scope, 1)
                    if _plausible_server(receiver, mcp_module) or _passed_server(
                        findings, func.value, scope, receiver
                    ):
                        handlers.append((FuncRef(module, stmt, scope), decorator.lineno))
                        break
        for node in _calls_with_handler(stmt) if with_handler_keyword else ():
            keyword = next(k for k in node.keywords if k.arg == "on_list_tools")
            handler = ev.eval(keyword.value, scope, 1)
            if isinstance(handler, FuncRef):
                handlers.append((handler, node.lineno))
            elif isinstance(handler, Unknown):
                findings.unresolved_at(handler, "on_list_tools handler")
    seen: set[int] = set()
    for handler, line in handlers:
        if id(handler.node) not in seen:
            seen.add(id(handler.node))
            _read_handler(ev, handler, line, findings)
    for handler, line in overrides:
        _read_handler(ev, handler, line, findings, PATTERN_OVERRIDE)


def _list_tools_override(ev: Evaluator, module: Module, node: ast.ClassDef):
    """`class Compatible(FastMCP): async def list_tools(self): return [Tool(...)]`."""
    cls = ClassRef(module, node)
    if not ev.inherits(cls, SERVER_CLASSES):
        return []
    for stmt in node.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == "list_tools":
            scope = ev.class_scope(cls)
            return [(FuncRef(module, stmt, scope), stmt.lineno)]
    return []


def _calls_with_handler(stmt: ast.stmt) -> list[ast.Call]:
    """Calls in this statement (not in nested bodies) with an on_list_tools= keyword."""
    if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return []
    values = [getattr(stmt, "value", None)]
    return [
        node
        for value in values
        if isinstance(value, ast.AST)
        for node in ast.walk(value)
        if isinstance(node, ast.Call) and any(k.arg == "on_list_tools" for k in node.keywords)
    ]


def _plausible_server(receiver: Any, mcp_module: bool) -> bool:
    if isinstance(receiver, ObjectValue):
        return is_mcp_name(receiver.qualname) or receiver.local_server
    if isinstance(receiver, ExternalRef):
        return is_mcp_name(receiver.qualname)
    return isinstance(receiver, Unknown) and mcp_module


def _passed_server(findings: Findings, node: ast.expr, scope, receiver: Any) -> bool:
    """A helper's parameter that its callers bind to a server."""
    if not (isinstance(receiver, Unknown) and isinstance(node, ast.Name) and findings.callers):
        return False
    values = findings.callers.parameter_values(scope, node.id)
    return any(_plausible_server(value, False) for value in values)


def _read_handler(
    ev: Evaluator, handler: FuncRef, line: int, findings: Findings, pattern: str = PATTERN_LOWLEVEL
) -> None:
    scope = ev.function_scope(handler, _unknown_params(handler))
    returns = [r for r in scope.table.returns if r.value is not None]
    if not returns:
        findings.unresolved.append(
            f"{handler.module.path}:{line}: list_tools handler returns nothing readable"
        )
    order = 0
    for ret in returns:
        value = ev.eval(ret.value, scope, 1)
        if isinstance(value, ObjectValue) and value.last == "ListToolsResult":
            value = value.kwargs.get("tools", value.args[0] if value.args else None)
        if isinstance(value, Unknown):
            findings.unresolved_at(value, "tool list")
            continue
        if not isinstance(value, (list, tuple)):
            where = f"{handler.module.path}:{ret.lineno}"
            findings.unresolved.append(f"{where}: list_tools result is not a list")
            continue
        for item in value:
            tool = _tool_from(item, handler, ret.lineno, findings, pattern)
            if tool is not None:
                order += 1
                findings.tools.append(((line, order), tool))


def _unknown_params(handler: FuncRef) -> dict[str, Any]:
    spec = handler.node.args
    return {
        p.arg: Unknown(handler.module.path, handler.node.lineno, f"parameter {p.arg!r}")
        for p in spec.posonlyargs + spec.args + spec.kwonlyargs
    }


def _tool_from(
    item: Any, handler: FuncRef, line: int, findings: Findings, pattern: str
) -> ToolDefinition | None:
    if isinstance(item, Unknown):
        findings.unresolved_at(item, "tool in list")
        return None
    if isinstance(item, ObjectValue) and item.last == "Tool":
        fields, file, at = item.kwargs, item.file, item.line
    elif isinstance(item, dict) and "name" in item:
        fields, file, at = item, handler.module.path, line
    else:
        where = f"{handler.module.path}:{line}"
        findings.unresolved.append(f"{where}: list item is not a Tool")
        return None
    name = fields.get("name")
    if isinstance(name, EnumMember):
        name = name.value
    if not isinstance(name, str):
        unknown = name if isinstance(name, Unknown) else Unknown(file, at, "not a string")
        findings.unresolved_at(unknown, "tool name")
        return None
    description = fields.get("description")
    if isinstance(description, Unknown):
        shown = " (run-time parts shown as {…})" if isinstance(description, PartialText) else ""
        findings.unresolved_at(description, f"description of tool {name}{shown}")
    if isinstance(description, PartialText):
        description = description.text  # run-time parts shown as placeholders
    description = description if isinstance(description, str) else ""
    schema = fields.get("inputSchema", fields.get("input_schema"))
    if isinstance(schema, Unknown) or (schema is not None and not isinstance(schema, dict)):
        findings.unresolved_at(
            schema if isinstance(schema, Unknown) else Unknown(file, at, "not a dict"),
            f"inputSchema of tool {name}",
        )
        schema = {"type": "object"}
    elif schema is None:
        schema = {"type": "object"}
    elif first_unknown(schema) is not None:
        unknown = first_unknown(schema)
        findings.unresolved_at(unknown, f"part of the inputSchema of tool {name}")
    hints, missing = annotations_dict(fields.get("annotations"))
    if missing is not None:
        findings.unresolved_at(missing, f"annotations of tool {name}")
    title = fields.get("title")
    if isinstance(title, str) and "title" not in hints:
        hints["title"] = title
    return ToolDefinition(
        name=name,
        description=description,
        input_schema=to_json(schema),
        annotations=hints,
        source=SourceLocation(file=file, line=at),
        pattern=pattern,
        condition=item.condition if isinstance(item, ObjectValue) else None,
    )


def install_model_schemas(ev: Evaluator) -> None:
    """Let the evaluator answer `Model.model_json_schema()` from class definitions."""
    # A plain function given the evaluator at each call: a closure over `ev` stored on
    # `ev` would make a reference cycle that keeps every syntax tree of the package
    # alive until the cycle collector runs.
    ev.model_schema = _model_schema


def _model_schema(ev: Evaluator, cls: object) -> object:
    return SchemaBuilder(ev).model_schema(cls)
