"""Which configuration switches a registration depends on.

A tool registered under `if not READ_ONLY:` or inside a function that is only
called under `if settings.enable_x:` is listed only in some configurations.
The text of those tests (negated in `else` branches) becomes the tool's
`condition`; the tool itself is still listed.
"""

from __future__ import annotations

import ast
from collections import Counter

from crawler.extract.py.evaluator import Evaluator
from crawler.extract.py.modules import Module
from crawler.extract.py.symbols import flat_with_conditions, join_conditions
from crawler.extract.py.values import FuncRef

FunctionNode = (ast.FunctionDef, ast.AsyncFunctionDef)


class Conditions:
    """Condition texts by statement, for the modules of one package."""

    def __init__(self) -> None:
        self._by_statement: dict[int, tuple[str, ...]] = {}
        self._by_function: dict[int, tuple[str, ...]] = {}
        self._read: set[str] = set()
        self._calls: list[tuple[Module, ast.Expr]] = []

    def read(self, module: Module) -> None:
        """Record the `if` tests around every statement of the module."""
        if module.path in self._read:
            return
        self._read.add(module.path)
        stack: list[tuple[list[ast.stmt], tuple[str, ...]]] = [(module.tree.body, ())]
        while stack:
            body, outer = stack.pop()
            for stmt, own in flat_with_conditions(body):
                conditions = outer + own
                if conditions:
                    self._by_statement[id(stmt)] = conditions
                    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                        self._calls.append((module, stmt))
                if isinstance(stmt, FunctionNode):
                    stack.append((stmt.body, ()))
                elif isinstance(stmt, ast.ClassDef):
                    stack.append((stmt.body, conditions))

    def read_callers(self, ev: Evaluator, modules: list[Module]) -> None:
        """Functions that are called only under an `if`: `if x: register_tools(mcp)`."""
        calls: Counter[str] = Counter()
        conditional: dict[int, list[tuple[str, tuple[str, ...]]]] = {}
        for module in modules:
            self.read(module)
            for node in ast.walk(module.tree):
                if isinstance(node, ast.Call):
                    name = _callee_name(node)
                    if name:
                        calls[name] += 1
        for module, stmt in self._calls:
            name = _callee_name(stmt.value)
            if not name:
                continue
            target = ev.eval(stmt.value.func, ev.module_scope(module), 1)
            if isinstance(target, FuncRef):
                entry = (name, self._by_statement[id(stmt)])
                conditional.setdefault(id(target.node), []).append(entry)
        for key, entries in conditional.items():
            name = entries[0][0]
            if calls[name] == len(entries):  # never called outside an `if`
                texts = {join_conditions(c) for _, c in entries}
                self._by_function[key] = (" or ".join(sorted(t for t in texts if t)),)

    def of(self, stmt: ast.stmt, function: ast.AST | None = None) -> str | None:
        """The condition text of a statement (with its function's callers' condition)."""
        parts = self._by_statement.get(id(stmt), ())
        if function is not None:
            parts = self._by_function.get(id(function), ()) + parts
        return join_conditions(parts)


def _callee_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""
