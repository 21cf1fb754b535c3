"""A tool function's signature as the inputSchema the MCP SDKs derive from it.

Like the SDKs, parameters that the server injects (the request Context, and
fastmcp's Depends()/Current*() defaults) and `self`/`cls` are left out;
every other parameter becomes a property, required when it has no default.
"""

from __future__ import annotations

import ast
from typing import Any

from crawler.extract.py.evaluator import Evaluator, Scope
from crawler.extract.py.typeschema import FieldSpec, SchemaBuilder
from crawler.extract.py.values import ExternalRef, ObjectValue, Unknown

_INJECTED_TYPES = {
    "Context",
    "ServerRequestContext",
    "RequestContext",
}
_INJECTED_DEFAULTS = {"Depends", "CurrentContext", "CurrentRequest", "CurrentFastMCP"}


def input_schema(
    ev: Evaluator,
    node: ast.FunctionDef | ast.AsyncFunctionDef,
    scope: Scope,
    exclude: set[str] = frozenset(),
) -> dict[str, Any]:
    """JSON Schema of the arguments of `node`, a function defined in `scope`."""
    builder = SchemaBuilder(ev)
    spec = node.args
    positional = spec.posonlyargs + spec.args
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(spec.defaults))
    defaults += list(spec.defaults)
    params = list(zip(positional, defaults, strict=True))
    params += list(zip(spec.kwonlyargs, spec.kw_defaults, strict=True))
    fields: list[FieldSpec] = []
    for index, (param, default) in enumerate(params):
        name = param.arg
        if name in exclude or (index == 0 and name in ("self", "cls")):
            continue
        if _is_injected(ev, param, default, scope):
            continue
        fields.append(
            FieldSpec(
                name,
                param.annotation,
                default,
                scope,
                unannotated={"title": name, "type": "string"},
            )
        )
    schema = builder.object_schema(f"{node.name}Arguments", fields)
    return builder.with_defs(schema)


def _is_injected(ev: Evaluator, param: ast.arg, default: ast.expr | None, scope: Scope) -> bool:
    annotation = param.annotation
    if annotation is None:
        return param.arg in ("ctx", "context")
    if any(_is_context_type(ev, member, scope) for member in _union_members(ev, annotation, scope)):
        return True
    if default is not None and isinstance(default, ast.Call):
        value = ev.eval(default, scope, 1)
        if isinstance(value, ObjectValue) and value.last in _INJECTED_DEFAULTS:
            return True
    return False


def _union_members(ev: Evaluator, node: ast.expr, scope: Scope) -> list[ast.expr]:
    """`Context | None`, `Optional[Context]`, `Union[Context, None]` -> their members."""
    members, stack = [], [node]
    while stack and len(members) < 20:
        item = stack.pop()
        if isinstance(item, ast.BinOp) and isinstance(item.op, ast.BitOr):
            stack += [item.right, item.left]
        elif isinstance(item, ast.Subscript) and isinstance(item.value, (ast.Name, ast.Attribute)):
            base = ev.type_definition(item.value, scope, 0)
            last = base[1].last if base[0] == "value" and isinstance(base[1], ExternalRef) else ""
            if last in ("Optional", "Union"):
                inner = item.slice
                stack += list(inner.elts) if isinstance(inner, ast.Tuple) else [inner]
            else:
                members.append(item)
        else:
            members.append(item)
    return members


def _is_context_type(ev: Evaluator, annotation: ast.expr, scope: Scope) -> bool:
    if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
        return annotation.value.split("[")[0].split(".")[-1].strip() in _INJECTED_TYPES
    target = annotation.value if isinstance(annotation, ast.Subscript) else annotation
    if not isinstance(target, (ast.Name, ast.Attribute)):
        return False
    kind, *rest = ev.type_definition(target, scope, 0)
    value = rest[0] if kind == "value" else None
    if isinstance(value, ExternalRef):
        return value.last in _INJECTED_TYPES
    if isinstance(value, Unknown) and isinstance(target, ast.Name):
        return target.id in _INJECTED_TYPES
    return False
