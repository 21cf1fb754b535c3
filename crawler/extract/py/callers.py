"""What the callers of a package function pass for one of its parameters.

`def register_tools(mcp_server: Any): @mcp_server.tool() ...` in a module that
never imports the SDK is a registration only because some caller passes a
server: `register_tools(mcp, container)` inside `main()`. Call sites are
found by the callee's name in the modules reached (statements in function
bodies included), checked to call the same function, and their arguments
evaluated in the caller's scope. A parameter passed on by another helper is
followed up to MAX_LEVELS callers up.
"""

from __future__ import annotations

import ast
from typing import Any

from crawler.extract.py.evaluator import Evaluator, Scope
from crawler.extract.py.modules import Module
from crawler.extract.py.symbols import callee_name, flat_statements
from crawler.extract.py.values import FuncRef, Unknown

MAX_LEVELS = 3
MAX_SITES = 50  # call sites read per function name
_EXPRESSION_STATEMENTS = (ast.Expr, ast.Assign, ast.AnnAssign, ast.AugAssign, ast.Return)


class Callers:
    """Call sites by callee name, found lazily in the modules of one package."""

    def __init__(self, ev: Evaluator, modules: list[Module]) -> None:
        self.ev = ev
        self.modules = modules
        self._sites: dict[str, list[tuple[ast.Call, Scope]]] = {}
        self._active: set[tuple[int, str]] = set()

    def parameter_values(self, scope: Scope, name: str, level: int = 0) -> list[Any]:
        """Values callers pass for parameter `name` of the function whose body is `scope`."""
        while scope is not None and name not in scope.bound:
            scope = scope.parent  # a parameter of an enclosing function
        function = scope.function if scope is not None else None
        if level >= MAX_LEVELS or not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return []
        key = (id(function), name)
        if key in self._active:  # a recursive helper
            return []
        self._active.add(key)
        try:
            return self._values(function, name, level)
        finally:
            self._active.discard(key)

    def arguments_for(self, function, name: str) -> list[tuple[ast.expr | None, Scope]]:
        """(what each call of `function` passes for `name`, or None, the caller's scope)."""
        spec = function.args
        positional = [p.arg for p in spec.posonlyargs + spec.args]
        keyword_only = {p.arg for p in spec.kwonlyargs}
        if name not in positional and name not in keyword_only:
            return []
        index = positional.index(name) if name in positional else None
        found: list[tuple[ast.expr | None, Scope]] = []
        for call, scope in self._call_sites(function.name):
            target = self._target(call, scope, function)
            if not isinstance(target, FuncRef) or target.node is not function:
                continue
            offset = 1 if target.bound_self is not None else 0
            found.append((_argument(call, name, None if index is None else index - offset), scope))
        return found

    def _values(self, function, name: str, level: int) -> list[Any]:
        values: list[Any] = []
        for node, scope in self.arguments_for(function, name):
            if node is None:
                continue
            value = self.ev.eval(node, scope, 1)
            if isinstance(value, Unknown) and isinstance(node, ast.Name):
                values += self.parameter_values(scope, node.id, level + 1)
            else:
                values.append(value)
        return values

    def possible_calls(self, function, limit: int = MAX_SITES) -> int | None:
        """How many call sites may call `function`: those that resolve to it or to
        nothing known; calls of other package functions of the same name do not
        count. None when there are too many to tell."""
        sites = self._call_sites(function.name)
        if len(sites) >= limit:
            return None
        return sum(
            1
            for call, scope in sites
            if (target := self._target(call, scope, function)) is None or target.node is function
        )

    def _target(self, call: ast.Call, scope: Scope, function) -> FuncRef | None:
        """The package function a call calls (`function` when it is one of several
        a loop calls in turn); None when that is not known."""
        target = self.ev.eval(call.func, scope, 1)
        if isinstance(target, FuncRef):
            return target
        func = call.func
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            # `for module in TOOL_MODULES: module.register(...)`: each item's function
            items = self._loop_items(func.value.id, scope)
            if items is not None:
                found = [self.ev.attribute(item, func.attr, 1, scope, func) for item in items]
                if not all(isinstance(value, FuncRef) for value in found):
                    return None
                same = [value for value in found if value.node is function]
                return same[0] if same else found[0] if found else None
        return None

    def _loop_items(self, name: str, scope: Scope) -> list[Any] | None:
        body = scope.function.body if scope.function is not None else scope.module.tree.body
        for node in flat_statements(body):
            if (
                isinstance(node, (ast.For, ast.AsyncFor))
                and isinstance(node.target, ast.Name)
                and node.target.id == name
            ):
                items = self.ev.eval(node.iter, scope, 1)
                return list(items) if isinstance(items, (list, tuple)) else None
        return None

    def _call_sites(self, callee: str) -> list[tuple[ast.Call, Scope]]:
        if callee not in self._sites:
            from crawler.extract.py.walk import statements  # walk imports this module's users

            sites: list[tuple[ast.Call, Scope]] = []
            for module in self.modules:
                if callee not in module.text:
                    continue
                for stmt, scope in statements(self.ev, module):
                    if not isinstance(stmt, _EXPRESSION_STATEMENTS) or stmt.value is None:
                        continue
                    for node in ast.walk(stmt.value):
                        if isinstance(node, ast.Call) and callee_name(node) == callee:
                            sites.append((node, scope))
                    if len(sites) >= MAX_SITES:
                        break
            self._sites[callee] = sites[:MAX_SITES]
        return self._sites[callee]


def _argument(call: ast.Call, name: str, index: int | None) -> ast.expr | None:
    for keyword in call.keywords:
        if keyword.arg == name:
            return keyword.value
    if index is None or index < 0 or index >= len(call.args):
        return None
    if any(isinstance(arg, ast.Starred) for arg in call.args[: index + 1]):
        return None
    return call.args[index]
