"""Which configuration switches a registration depends on.

A tool registered under `if not READ_ONLY:` or inside a function that is only
called under `if settings.enable_x:` is listed only in some configurations.
The text of those tests (negated in `else` branches) becomes the tool's
`condition`; the tool itself is still listed.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from crawler.extract.py.evaluator import Evaluator
from crawler.extract.py.modules import Module
from crawler.extract.py.symbols import Test, flat_with_conditions, join_conditions
from crawler.extract.py.values import FuncRef

FunctionNode = (ast.FunctionDef, ast.AsyncFunctionDef)


class Conditions:
    """Condition texts by statement, for the modules of one package.

    Texts are made only when a tool asks for its condition (`of` returns a
    LazyCondition): most statements of a package never need theirs.
    """

    def __init__(self) -> None:
        self._by_statement: dict[int, tuple[Test, ...]] = {}
        self._callers: dict[int, list[tuple[str, tuple[Test, ...]]]] = {}
        self._by_function: dict[int, tuple[str, ...]] = {}
        self._read: set[str] = set()
        self._calls: list[tuple[Module, ast.Expr]] = []
        self._modules: list[Module] = []
        self._call_counts: dict[str, int] = {}

    def read(self, module: Module) -> None:
        """Record the `if` tests around every statement of the module."""
        if module.path in self._read:
            return
        self._read.add(module.path)
        stack: list[tuple[list[ast.stmt], tuple[Test, ...]]] = [(module.tree.body, ())]
        while stack:
            body, outer = stack.pop()
            for stmt, own in flat_with_conditions(body):
                conditions = outer + own if outer else own
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
        self._modules = list(modules)
        for module in modules:
            self.read(module)
        for module, stmt in self._calls:
            name = _callee_name(stmt.value)
            if not name:
                continue
            target = ev.eval(stmt.value.func, ev.module_scope(module), 1)
            if isinstance(target, FuncRef):
                entry = (name, self._by_statement[id(stmt)])
                self._callers.setdefault(id(target.node), []).append(entry)

    def of(self, stmt: ast.stmt, function: ast.AST | None = None) -> LazyCondition | None:
        """The condition of a statement (with its function's callers' condition)."""
        parts = self._by_statement.get(id(stmt), ())
        key = id(function) if function is not None and id(function) in self._callers else None
        if not parts and key is None:
            return None
        return LazyCondition(lambda: join_conditions(self._of_function(key) + parts))

    def _of_function(self, key: int | None) -> tuple[str, ...]:
        """The condition of a function that is never called outside an `if`."""
        if key is None:
            return ()
        if key not in self._by_function:
            entries = self._callers[key]
            name = entries[0][0]
            found: tuple[str, ...] = ()
            if self._count_calls(name) == len(entries):
                texts = {join_conditions(c) for _, c in entries}
                found = (" or ".join(sorted(t for t in texts if t)),)
            self._by_function[key] = found
        return self._by_function[key]

    def _count_calls(self, name: str) -> int:
        """How often `name` is called in the modules read (by callee name).

        Only modules whose text mentions the name are walked.
        """
        if name not in self._call_counts:
            count = 0
            for module in self._modules:
                if name not in module.text:
                    continue
                for node in ast.walk(module.tree):
                    if isinstance(node, ast.Call) and _callee_name(node) == name:
                        count += 1
            self._call_counts[name] = count
        return self._call_counts[name]


class LazyCondition:
    """A condition text made on first use (most are never used)."""

    __slots__ = ("_make", "_text", "_made")

    def __init__(self, make: Callable[[], str | None]) -> None:
        self._make = make
        self._text: str | None = None
        self._made = False

    @property
    def text(self) -> str | None:
        if not self._made:
            self._text = self._make()
            self._made = True
        return self._text

    def __bool__(self) -> bool:
        return bool(self.text)


def _callee_name(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""
