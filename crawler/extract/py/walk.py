"""Every function and statement of a module, each with the scope it runs in.

Function bodies are entered (decorators inside factory functions such as
`def create_server(): ... @server.tool()` count), with parameters bound to
"unknown" except those annotated with an MCP server class. Iterative, in
source order.
"""

from __future__ import annotations

import ast
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from crawler.extract.py.conditions import Conditions
from crawler.extract.py.evaluator import Evaluator, Scope
from crawler.extract.py.modules import Module
from crawler.extract.py.symbols import flat_statements
from crawler.extract.py.values import (
    ClassRef,
    ExternalRef,
    FuncRef,
    ObjectValue,
    Unknown,
    is_mcp_name,
    is_server_class,
)

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


@dataclass
class Findings:
    """What the pattern matchers found, and what they could not resolve."""

    tools: list = field(default_factory=list)  # (sort key, ToolDefinition)
    unresolved: list[str] = field(default_factory=list)
    # id(server object) -> name prefix it is mounted under (fastmcp mount/import_server)
    prefixes: dict[int, str] = field(default_factory=dict)
    conditions: Conditions = field(default_factory=Conditions)
    # The condition of the statement being read (set by the matchers as they go);
    # a text, or a LazyCondition that makes its text when a tool needs it.
    condition: Any = None
    # (file, first line, last line) of helper functions read with real arguments;
    # what their bodies yield when read on their own (unbound parameters) is dropped.
    helper_bodies: set = field(default_factory=set)
    # callers.Callers: what call sites pass for a helper's parameters
    callers: Any = None

    def in_helper(self, file: str, line: int) -> bool:
        return any(f == file and a <= line <= b for f, a, b in self.helper_bodies)

    def unresolved_at(self, unknown: Unknown, what: str) -> None:
        note = f"{unknown.file}:{unknown.line}: {what} not resolved statically ({unknown.why})"
        if note not in self.unresolved:
            self.unresolved.append(note)


def statements(ev: Evaluator, module: Module) -> Iterator[tuple[ast.stmt, Scope]]:
    """(statement, scope it runs in) for the whole module, function bodies included."""
    queue: deque[tuple[list[ast.stmt], Scope, ClassRef | None]] = deque()
    queue.append((module.tree.body, ev.module_scope(module), None))
    while queue:
        body, scope, owner = queue.popleft()
        for stmt in flat_statements(body):
            yield stmt, scope
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                func = FuncRef(module, stmt, scope)
                bound = _parameters(ev, stmt, scope)
                params = stmt.args.posonlyargs + stmt.args.args
                if owner is not None and params and params[0].arg == "self":
                    # a method: `self.tool(...)(self.run)` resolves through the class
                    qualname = f"{module.name}.{owner.node.name}"
                    bound["self"] = ObjectValue(
                        qualname,
                        file=module.path,
                        line=stmt.lineno,
                        cls=owner,
                        local_server=ev.inherits(owner, {"FastMCP", "MCPServer"}),
                    )
                queue.append((stmt.body, ev.function_scope(func, bound), None))
            elif isinstance(stmt, ast.ClassDef):
                cls = ClassRef(module, stmt)
                queue.append((stmt.body, ev.class_scope(cls), cls))


def _parameters(ev: Evaluator, node: FunctionNode, scope: Scope) -> dict:
    spec = node.args
    bound = {}
    every = spec.posonlyargs + spec.args + spec.kwonlyargs
    for extra in (spec.vararg, spec.kwarg):
        if extra is not None:
            every.append(extra)
    for param in every:
        value = None
        if param.annotation is not None:
            annotation = param.annotation
            if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
                text = annotation.value.split("[")[0].strip()
                if text.split(".")[-1] in ("FastMCP", "MCPServer"):
                    value = ObjectValue(f"mcp.{text}")
            else:
                ref = ev.eval(annotation, scope, 1)
                if isinstance(ref, ExternalRef) and is_server_class(ref.qualname):
                    value = ObjectValue(ref.qualname)
                elif isinstance(ref, ClassRef) and ev.inherits(ref, {"FastMCP", "MCPServer"}):
                    value = ObjectValue(ref.node.name, local_server=True)
                elif isinstance(ref, ClassRef):  # an instance of a package class
                    qualname = f"{ref.module.name}.{ref.node.name}"
                    value = ObjectValue(qualname, file=scope.module.path, line=node.lineno, cls=ref)
        if value is None:
            value = Unknown(scope.module.path, node.lineno, f"parameter {param.arg!r}")
        bound[param.arg] = value
    return bound


def imports_mcp(module: Module) -> bool:
    """Whether the module imports anything from the `mcp` or `fastmcp` packages."""
    for node in module.imports:
        if isinstance(node, ast.Import):
            if any(is_mcp_name(alias.name) for alias in node.names):
                return True
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if is_mcp_name(node.module):
                return True
    return False


def is_server(value, module_imports_mcp: bool) -> bool:
    """Whether a decorator receiver is an MCP server (permissive for unknowns)."""
    if isinstance(value, ObjectValue):
        return value.local_server or is_server_class(value.qualname)
    if isinstance(value, ExternalRef):
        return is_mcp_name(value.qualname)
    if isinstance(value, Unknown):
        return module_imports_mcp
    return False


def server_receiver(
    ev: Evaluator, findings: Findings, node: ast.expr, scope: Scope, mcp_module: bool
) -> tuple[bool, Any]:
    """(whether `node` is an MCP server, its value) for a decorator or call receiver.

    A helper's parameter (`def register(mcp_server): @mcp_server.tool()`) is the
    server its callers pass, even in a module that never imports the SDK.
    """
    receiver = ev.eval(node, scope, 1)
    if isinstance(receiver, Unknown) and isinstance(node, ast.Name) and findings.callers:
        for value in findings.callers.parameter_values(scope, node.id):
            if is_server(value, False):
                return True, value
    return is_server(receiver, mcp_module), receiver


def find_mounts(ev: Evaluator, module: Module, findings: Findings) -> None:
    """`parent.mount(child, prefix=...)` / `namespace=` / `import_server(...)`:
    the child's tools are listed as "<prefix>_<name>"."""
    if "mount" not in module.text and "import_server" not in module.text:
        return
    mcp_module = imports_mcp(module)
    for stmt, scope in statements(ev, module):
        if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call)):
            continue
        call = stmt.value
        func = call.func
        if not (isinstance(func, ast.Attribute) and func.attr in ("mount", "import_server")):
            continue
        if not is_server(ev.eval(func.value, scope, 1), mcp_module):
            continue
        args = [ev.eval(arg, scope, 1) for arg in call.args]
        kwargs = {k.arg: ev.eval(k.value, scope, 1) for k in call.keywords if k.arg}
        child = kwargs.get("server")
        prefix = kwargs.get("prefix", kwargs.get("namespace"))
        for arg in args:
            if isinstance(arg, str) and prefix is None:
                prefix = arg  # the older mount("prefix", server) order
            elif isinstance(arg, ObjectValue) and child is None:
                child = arg
        if isinstance(child, ObjectValue) and isinstance(prefix, str) and prefix:
            findings.prefixes[id(child)] = prefix
