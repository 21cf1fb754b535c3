"""FastMCP-style registrations: `@mcp.tool`, `@mcp.tool(...)`, `mcp.add_tool(fn)`.

The receiver must be a FastMCP / MCPServer instance (created in the package or
imported from a package module), a parameter annotated with one of those
classes, or, permissively, any receiver the evaluator cannot resolve in a
module that imports from `mcp`/`fastmcp`. Name: the `name=` keyword, a
positional string, or the function name. Description: `description=` or the
cleaned docstring. inputSchema: from the signature.
"""

from __future__ import annotations

import ast
from typing import Any

from crawler.extract.py.docstrings import served_description
from crawler.extract.py.evaluator import Evaluator, Scope
from crawler.extract.py.hints import annotations_dict
from crawler.extract.py.modules import Module
from crawler.extract.py.signature import input_schema
from crawler.extract.py.source import cleandoc
from crawler.extract.py.symbols import join_conditions
from crawler.extract.py.values import EnumMember, FuncRef, PartialText, Unknown, to_json
from crawler.extract.py.walk import Findings, imports_mcp, server_receiver, statements
from crawler.extract.py.wrappers import apply_helper, decorator_function, factory_options, unwrap
from mcp_domain import SourceLocation, ToolDefinition

PATTERN_DECORATOR = "python.decorator"
PATTERN_ADD_TOOL = "python.add_tool"
PATTERN_HELPER = "python.helper"


def find_decorated_tools(ev: Evaluator, module: Module, findings: Findings) -> None:
    if "tool" not in module.text:
        return
    mcp_module = imports_mcp(module)
    for stmt, scope in statements(ev, module):
        findings.condition = findings.conditions.of(stmt, scope.function, scope)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in stmt.decorator_list:
                call = decorator if isinstance(decorator, ast.Call) else None
                func = decorator.func if call else decorator
                if not (isinstance(func, ast.Attribute) and func.attr == "tool"):
                    if _through_helper(ev, module, findings, stmt, scope, decorator):
                        break
                    continue
                server, receiver = server_receiver(ev, findings, func.value, scope, mcp_module)
                if not server:
                    continue
                _register(
                    ev,
                    module,
                    findings,
                    stmt,
                    scope,
                    call,
                    decorator.lineno,
                    PATTERN_DECORATOR,
                    receiver,
                )
                break
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
            _call_form(ev, module, findings, stmt.value, scope, mcp_module)


def _through_helper(ev, module, findings, stmt, scope: Scope, decorator: ast.expr) -> bool:
    """`@register` / `@registry.reader("Title")`: a package helper that registers."""
    if not isinstance(decorator, (ast.Name, ast.Attribute, ast.Call)):
        return False
    head = decorator.func if isinstance(decorator, ast.Call) else decorator
    if isinstance(head, ast.Name) and head.id in _NOT_HELPERS:
        return False
    target = FuncRef(module, stmt, scope)
    before = len(findings.tools)
    factory = factory_options(ev, decorator, scope)
    if factory is not None:
        options, factory_scope = factory
        _register(
            ev,
            module,
            findings,
            stmt,
            scope,
            options,
            decorator.lineno,
            PATTERN_HELPER,
            None,
            factory_scope,
        )
        return True
    helper = decorator_function(ev, decorator, scope)
    if helper is None:
        return False

    outer = findings.condition

    def read_call(inner: ast.stmt, call: ast.Call, helper_scope: Scope) -> bool:
        count = len(findings.tools)
        helper_module = helper_scope.module
        own = findings.conditions.of(inner, None, helper_scope)
        findings.condition = join_conditions([c for c in (outer, own) if c])
        _call_form(
            ev,
            helper_module,
            findings,
            call,
            helper_scope,
            imports_mcp(helper_module),
            at=(module, decorator.lineno),
        )
        return len(findings.tools) > count

    registrar = apply_helper(ev, helper, target, read_call)
    findings.condition = outer
    if registrar is not None:
        node = registrar.node
        findings.helper_bodies.add((registrar.module.path, node.lineno, node.end_lineno or 0))
    return len(findings.tools) > before


_NOT_HELPERS = {"staticmethod", "classmethod", "property", "dataclass", "lru_cache", "cache"}


def _call_form(
    ev,
    module,
    findings,
    call: ast.Call,
    scope: Scope,
    mcp_module: bool,
    at: tuple[Module, int] | None = None,
) -> None:
    """`mcp.add_tool(fn, name=...)`, `mcp.tool(fn, name=...)`, `mcp.tool(name=...)(fn)`."""
    func = call.func
    options: ast.Call | None = None
    if (
        isinstance(func, ast.Attribute)
        and func.attr in ("add_tool", "tool")
        and call.args
        and not (isinstance(call.args[0], ast.Constant) and isinstance(call.args[0].value, str))
    ):
        receiver_node = func.value
        target_node = call.args[0]
        options = ast.Call(func=func, args=call.args[1:], keywords=call.keywords)
        inner = target_node
        if (
            isinstance(inner, ast.Call)
            and isinstance(inner.func, ast.Attribute)
            and inner.func.attr == "from_function"
            and inner.args
        ):
            # mcp.add_tool(Tool.from_function(fn, name=..., description=...))
            target_node = inner.args[0]
            options = ast.Call(func=inner.func, args=inner.args[1:], keywords=inner.keywords)
    elif (
        isinstance(func, ast.Call)
        and isinstance(func.func, ast.Attribute)
        and func.func.attr == "tool"
    ):
        receiver_node = func.func.value
        target_node = call.args[0] if call.args else None
        options = func
    else:
        return
    if target_node is None:
        return
    server, receiver = server_receiver(ev, findings, receiver_node, scope, mcp_module)
    if not server:
        return
    target = ev.eval(target_node, scope, 1)
    if isinstance(target_node, ast.Name):
        # `find = wrap(find, ...)` at run time: read the function it started from
        original = _original_function(ev, target_node.id, scope)
        if original is not None and not (
            isinstance(target, FuncRef) and target.node is original.node
        ):
            where = Unknown(module.path, call.lineno, f"{target_node.id} is wrapped at run time")
            findings.unresolved_at(where, "exact signature of the tool function")
            target = original
    if not isinstance(target, FuncRef):
        if isinstance(target, Unknown):
            findings.unresolved_at(target, "tool function")
        return
    target = unwrap(ev, target)
    if target is None:
        where = Unknown(module.path, call.lineno, "the wrapped function is a parameter")
        findings.unresolved_at(where, "tool function")
        return
    source_module, line = at or (module, call.lineno)
    _register(
        ev,
        source_module,
        findings,
        target.node,
        target.scope,
        options,
        line,
        PATTERN_HELPER if at else PATTERN_ADD_TOOL,
        receiver,
        scope,
    )


def _original_function(ev: Evaluator, name: str, scope: Scope) -> FuncRef | None:
    """The first plain function a local name was bound to, through `a = b` aliases."""
    for _ in range(10):
        bindings = scope.table.bindings.get(name, [])
        first = next((b for b in bindings if b.kind in ("assign", "def")), None)
        if first is None:
            return None
        if first.kind == "def":
            value = ev.lookup(name, scope, 1, first.node.lineno)
            return value if isinstance(value, FuncRef) and value.node is first.node else None
        if not isinstance(first.value, ast.Name):
            return None
        name = first.value.id
    return None


def _register(
    ev: Evaluator,
    module: Module,
    findings: Findings,
    node: ast.FunctionDef | ast.AsyncFunctionDef,
    scope: Scope,
    call: ast.Call | None,
    line: int,
    pattern: str,
    receiver: Any,
    call_scope: Scope | None = None,
) -> None:
    """Record one tool: `node` defined in `scope`, registered by `call` in `call_scope`."""
    call_scope = call_scope or scope
    options: dict[str, Any] = {}
    if call is not None:
        for keyword in call.keywords:
            if keyword.arg:
                options[keyword.arg] = ev.eval(keyword.value, call_scope, 1)
            else:  # @mcp.tool(**TOOL_OPTIONS)
                spread = ev.eval(keyword.value, call_scope, 1)
                if isinstance(spread, dict):
                    options.update({k: v for k, v in spread.items() if isinstance(k, str)})
                elif isinstance(spread, Unknown):
                    findings.unresolved_at(spread, f"keyword options of tool {node.name}")
        if call.args:
            first = ev.eval(call.args[0], call_scope, 1)
            if isinstance(first, (str, EnumMember)) or isinstance(first, Unknown):
                options.setdefault("name", first)
    name = _text(options.get("name"))
    if isinstance(name, Unknown):
        findings.unresolved_at(name, f"tool name of {node.name}()")
        name = node.name
    name = name or node.name
    prefix = findings.prefixes.get(id(receiver))
    if prefix:
        name = f"{prefix}_{name}"
    description = _text(options.get("description"))
    if isinstance(description, Unknown):
        shown = " (run-time parts shown as {…})" if isinstance(description, PartialText) else ""
        findings.unresolved_at(description, f"description of tool {name}{shown}")
        # run-time parts shown as placeholders; nothing known: the docstring
        description = description.text if isinstance(description, PartialText) else None
    if description is None:
        doc = ast.get_docstring(node, clean=False)
        description = cleandoc(doc) if doc else ""
        if description and _standalone_fastmcp(receiver, module):
            description = served_description(description, ev.project.docstring_rule)
    hints, missing = annotations_dict(options.get("annotations"))
    if missing is not None:
        findings.unresolved_at(missing, f"annotations of tool {name}")
    title = _text(options.get("title"))
    if isinstance(title, str) and "title" not in hints:
        hints["title"] = title
    exclude = options.get("exclude_args")
    excluded = {x for x in exclude if isinstance(x, str)} if isinstance(exclude, list) else set()
    tool = ToolDefinition(
        name=name,
        description=description,
        input_schema=input_schema(ev, node, scope, excluded),
        annotations=hints,
        source=SourceLocation(file=module.path, line=line),
        pattern=pattern,
        condition=join_conditions((findings.condition,)),
    )
    findings.tools.append(((line,), tool))


def _standalone_fastmcp(receiver: Any, module: Module) -> bool:
    """Whether the tool is registered on the standalone `fastmcp` package's server
    (which reads docstring sections) rather than the SDK's."""
    qualname = getattr(receiver, "qualname", "")
    if qualname and qualname.split(".")[0] in ("fastmcp", "mcp"):
        return qualname.split(".")[0] == "fastmcp"
    cls = getattr(receiver, "cls", None)
    if cls is not None:  # a package subclass: where its class is defined decides
        module = cls.module
    standalone = sdk = False
    for node in module.imports:
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        for name in names:
            standalone = standalone or name.split(".")[0] == "fastmcp"
            sdk = sdk or name.startswith("mcp.server")
    return standalone and not sdk


def _text(value: Any) -> Any:
    """A str, None, or the Unknown that stands for it."""
    if isinstance(value, EnumMember):
        value = value.value
    if value is None or isinstance(value, (str, Unknown)):
        return value
    plain = to_json(value)
    return plain if isinstance(plain, str) else None
