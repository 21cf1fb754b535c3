"""Which configuration switches a registration depends on.

A tool registered under `if not READ_ONLY:` or inside a function that is only
called under `if settings.enable_x:` is listed only in some configurations.
The text of those tests (negated in `else` branches) becomes the tool's
`condition`; the tool itself is still listed.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from typing import Any

from crawler.extract.py.arguments import default_scope
from crawler.extract.py.defaults import all_state, any_state, with_state
from crawler.extract.py.evaluator import Evaluator, Scope
from crawler.extract.py.modules import Module, Project, import_targets
from crawler.extract.py.symbols import Test, callee_name, flat_with_conditions, join_conditions
from crawler.extract.py.values import FuncRef, Unknown

FunctionNode = (ast.FunctionDef, ast.AsyncFunctionDef)


class Conditions:
    """Condition texts by statement, for the modules of one package.

    Texts are made only when a tool asks for its condition (`of` returns a
    LazyCondition): most statements of a package never need theirs.
    """

    def __init__(self) -> None:
        self._by_statement: dict[int, tuple[Test, ...]] = {}
        self._callers: dict[int, list[tuple[str, tuple[Test, ...], Module, Any]]] = {}
        self._by_function: dict[int, tuple[tuple[str, ...], bool | None]] = {}
        self._read: set[str] = set()
        # module path -> conditional call statements, with the function they are in
        self._calls: dict[str, list[tuple[ast.Expr, ast.AST | None]]] = {}
        self._ev: Evaluator | None = None
        self.callers = None  # callers.Callers, for the parameters of helpers
        self._import_function: dict[int, Any] = {}
        self._functions: dict[int, ast.AST] = {}
        self._importers: dict[str, list[tuple[Module, ast.stmt]]] | None = None
        self._module_conditions: dict[str, str | None] = {}
        self._modules: list[Module] = []
        self._call_counts: dict[str, int] = {}

    def read(self, module: Module) -> None:
        """Record the `if` tests around every statement of the module."""
        if module.path in self._read:
            return
        self._read.add(module.path)
        stack: list[tuple[list[ast.stmt], tuple[Test, ...], ast.AST | None]] = [
            (module.tree.body, (), None)
        ]
        while stack:
            body, outer, function = stack.pop()
            for stmt, own in flat_with_conditions(body):
                conditions = outer + own if outer else own
                if conditions:
                    self._by_statement[id(stmt)] = conditions
                    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                        self._calls.setdefault(module.path, []).append((stmt, function))
                    elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
                        self._import_function[id(stmt)] = function
                if isinstance(stmt, FunctionNode):
                    stack.append((stmt.body, (), stmt))
                elif isinstance(stmt, ast.ClassDef):
                    stack.append((stmt.body, conditions, function))

    def read_callers(self, ev: Evaluator, modules: list[Module]) -> None:
        """Get ready to tell which functions are called only under an `if`
        (`if x: register_tools(mcp)`). Modules are read when a tool asks."""
        self._ev = ev
        self._modules = list(modules)

    def of(
        self, stmt: ast.stmt, function: ast.AST | None = None, scope: Scope | None = None
    ) -> LazyCondition | None:
        """The condition of a statement (with its function's callers' condition),
        its default state decided in `scope` when that is possible."""
        in_function = isinstance(function, FunctionNode)
        if scope is not None:
            # Asked of every statement walked, needed for the few that register a tool:
            # the module's tests are recorded only when a condition is first used.
            return LazyCondition(lambda: self._condition(stmt, function, in_function, scope))
        parts = self._by_statement.get(id(stmt), ())
        if not parts and not in_function:
            return None
        return LazyCondition(lambda: self._text(function if in_function else None, parts, scope))

    def _condition(self, stmt: ast.stmt, function, in_function: bool, scope: Scope) -> str | None:
        self.read(scope.module)
        parts = self._by_statement.get(id(stmt), ())
        if not parts and not in_function:
            return None
        # whether the function is called only under an `if` is asked only for tools
        return self._text(function if in_function else None, parts, scope)

    def _conditional_callers(self, function) -> list:
        """Calls of `function` under an `if`, from the modules that mention its name."""
        key = id(function)
        if key not in self._callers:
            entries = []
            ev = self._ev
            for module in self._modules if ev is not None else ():
                if function.name not in module.text:
                    continue
                self.read(module)
                for stmt, outer in self._calls.get(module.path, ()):
                    name = callee_name(stmt.value)
                    if not name:
                        continue
                    target = ev.eval(stmt.value.func, ev.module_scope(module), 1)
                    if isinstance(target, FuncRef) and target.node is function:
                        entries.append((name, self._by_statement[id(stmt)], module, outer))
            self._functions[key] = function
            self._callers[key] = entries
        return self._callers[key]

    def _text(self, function, parts: tuple[Test, ...], scope: Scope | None) -> str | None:
        key = id(function) if function is not None and self._conditional_callers(function) else None
        caller_text, caller_state = self._of_function(key)
        text = join_conditions(caller_text + parts)
        if self._ev is None or not text:
            return text
        if parts and scope is not None and scope.function is not None:
            scope = default_scope(self._ev, self.callers, scope)
        own = all_state(self._ev, parts, scope) if parts else True
        state = own if not caller_text else all_state_of((caller_state, own))
        return with_state(text, state)

    def _of_function(self, key: int | None) -> tuple[tuple[str, ...], bool | None]:
        """The condition of a function that is never called outside an `if`."""
        if key is None:
            return (), True
        if key not in self._by_function:
            entries = self._callers[key]
            name = entries[0][0]
            found: tuple[tuple[str, ...], bool | None] = ((), True)
            if self._called_only_here(key, name, len(entries)):
                texts = {join_conditions(c) for _, c, _, _ in entries}
                states = [self._caller_state(c, m, f) for _, c, m, f in entries]
                found = ((" or ".join(sorted(t for t in texts if t)),), any_state(states))
            self._by_function[key] = found
        return self._by_function[key]

    def of_module(self, project: Project, module: Module) -> str | None:
        """The condition of a module imported only under an `if`:
        `if PARTITION == "aws": from .server_aws import main`."""
        if module.path not in self._module_conditions:
            self._module_conditions[module.path] = self._of_module(project, module)
        return self._module_conditions[module.path]

    def _of_module(self, project: Project, module: Module) -> str | None:
        if project.index.is_package(module.path):
            return None
        if self._importers is None:
            self._importers = {}
            for importer in self._modules:
                for node in importer.imports:
                    path = None
                    for target in import_targets(importer, node)[::-1]:
                        path = project.index.path(target)
                        if path is not None:
                            break  # the most specific module the statement names
                    if path is not None and path != importer.path:
                        self._importers.setdefault(path, []).append((importer, node))
        sites = self._importers.get(module.path, [])
        for importer, _ in sites:
            self.read(importer)
        if not sites or not all(id(node) in self._by_statement for _, node in sites):
            return None
        texts, states = [], []
        for importer, node in sites:
            tests = self._by_statement[id(node)]
            texts.append(join_conditions(tests) or "")
            function = self._import_function.get(id(node))
            states.append(self._caller_state(tests, importer, function))
        text = " or ".join(sorted({t for t in texts if t}))
        return (with_state(text, any_state(states)) or text) if text else None

    def _caller_state(self, tests, module: Module, function) -> bool | None:
        ev = self._ev
        scope = ev.module_scope(module)
        if function is not None:
            spec = function.args
            params = spec.posonlyargs + spec.args + spec.kwonlyargs
            params += [p for p in (spec.vararg, spec.kwarg) if p is not None]
            bound = {p.arg: Unknown(module.path, function.lineno, "parameter") for p in params}
            scope = ev.function_scope(FuncRef(module, function, scope), bound)
            scope = default_scope(ev, self.callers, scope)
        return all_state(ev, tests, scope)

    def _called_only_here(self, key: int, name: str, conditional: int) -> bool:
        """Whether every call that may reach the function is one of the conditional ones."""
        if self._count_calls(name) == conditional:
            return True
        function = self._functions.get(key)
        if self.callers is None or function is None:
            return False
        return self.callers.possible_calls(function) == conditional

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
                    if isinstance(node, ast.Call) and callee_name(node) == name:
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


def all_state_of(states) -> bool | None:
    """`a and b` of decided-or-not states."""
    states = list(states)
    if any(state is False for state in states):
        return False
    return True if all(state is True for state in states) else None
