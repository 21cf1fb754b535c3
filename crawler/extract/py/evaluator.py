"""A small static evaluator over the syntax trees of one package.

It computes what an expression would be at import time when that follows from
the source alone: literals and displays, names bound in the package (across
modules, through imports), string concatenation and f-strings over
constants, Enum members and their `.value`, `str(member)`,
`textwrap.dedent`, a few str/dict methods, and calls of package functions
(arguments bound to parameters, the single `return` evaluated). Anything
else evaluates to `Unknown` with the file, line and reason.

Every step is bounded: a recursion depth, a total step budget and size caps
on the strings and lists it builds, so hostile code cannot exhaust it.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import textwrap
from collections.abc import Callable
from typing import Any

from crawler.extract.py.cli_defaults import parsed_defaults
from crawler.extract.py.defaults import all_state, with_state
from crawler.extract.py.instances import class_attribute, instance_attribute
from crawler.extract.py.modules import Module, Project
from crawler.extract.py.source import cleandoc
from crawler.extract.py.symbols import (
    ASSIGN,
    AUGMENT,
    CALL,
    CLASS,
    DEF,
    FROM,
    HELPER,
    IMPORT,
    ITEM,
    Binding,
    SymbolTable,
    build_table,
)
from crawler.extract.py.values import (
    PLACEHOLDER,
    SERVER_CLASSES,
    ClassRef,
    EnumMember,
    ExternalRef,
    FuncRef,
    ModuleRef,
    ObjectValue,
    PartialText,
    Unknown,
)

MAX_DEPTH = 100
MAX_STEPS = 400_000
MAX_STR = 1_000_000
MAX_ITEMS = 5_000

_DEFINING = {ASSIGN, DEF, CLASS, IMPORT, FROM}
_ENUM_BASES = {"Enum", "StrEnum", "IntEnum", "Flag", "IntFlag", "ReprEnum"}
_STR_METHODS = {"strip", "lstrip", "rstrip", "lower", "upper", "title", "capitalize", "casefold"}
_MISSING = object()
_BUILTIN_NAMES = set(dir(builtins))


class Scope:
    """Names visible at one place: a module body, a class body or a function body."""

    table: SymbolTable

    def __init__(
        self,
        module: Module,
        table: SymbolTable | Callable[[], SymbolTable],
        parent: Scope | None = None,
        bound: dict[str, Any] | None = None,
    ) -> None:
        self.module = module
        if isinstance(table, SymbolTable):
            self.table = table
        else:
            # Made when a name is first looked up here: the walk over a module enters
            # every function and class, and most of them are never looked into.
            self._make_table = table
        self.parent = parent
        self.bound = dict(bound or {})
        self.cache: dict[str, Any] = {}
        self.active: set[str] = set()
        # The function whose body this is (None for modules and classes).
        self.function: ast.AST | None = None

    def __getattr__(self, name: str) -> Any:
        # Called only while `table` is not yet set (attributes set are found first).
        if name != "table" or "_make_table" not in self.__dict__:
            raise AttributeError(name)
        table = self.table = self._make_table()
        del self._make_table  # holds nothing more once the table is made
        return table


def _function_table(tables: dict[int, SymbolTable], func: FuncRef) -> SymbolTable:
    """The symbol table of a function's body, made once per function."""
    table = tables.get(id(func.node))
    if table is None:
        table = build_table(func.node.body, func.module.name, func.module.is_package)
        tables[id(func.node)] = table
    return table


class Evaluator:
    def __init__(self, project: Project) -> None:
        self.project = project
        self.steps = 0
        self._module_scopes: dict[str, Scope] = {}
        self._class_scopes: dict[int, Scope] = {}
        self._enum_cache: dict[int, dict[str, Any] | None] = {}
        self._function_tables: dict[int, SymbolTable] = {}
        self._calling: set[int] = set()  # functions being evaluated (no recursion)
        # Set by the schema layer: ClassRef -> JSON Schema of a pydantic model.
        self.model_schema = None

    def release(self) -> None:
        """Drop the values cached in module and class scopes.

        A function's value refers back to the scope that defined it, and that scope
        caches the value: a cycle that would keep every syntax tree of the package
        alive until the cycle collector runs. Cleared here, the trees are freed as soon
        as the extraction drops them.
        """
        for scope in (*self._module_scopes.values(), *self._class_scopes.values()):
            scope.cache.clear()
            scope.bound.clear()
        self._module_scopes.clear()
        self._class_scopes.clear()

    # ----- scopes -------------------------------------------------------------

    def module_scope(self, module: Module) -> Scope:
        scope = self._module_scopes.get(module.path)
        if scope is None:
            scope = Scope(module, module.table)
            self._module_scopes[module.path] = scope
        return scope

    def class_scope(self, cls: ClassRef) -> Scope:
        scope = self._class_scopes.get(id(cls.node))
        if scope is None:
            module = cls.module
            scope = Scope(
                module,
                lambda: build_table(cls.node.body, module.name, module.is_package),
                self.module_scope(module),
            )
            self._class_scopes[id(cls.node)] = scope
        return scope

    def function_scope(self, func: FuncRef, bound: dict[str, Any] | None = None) -> Scope:
        tables = self._function_tables
        table = tables.get(id(func.node))
        if table is None:  # made on first lookup (the closure holds no evaluator)
            scope = Scope(func.module, lambda: _function_table(tables, func), func.scope, bound)
        else:
            scope = Scope(func.module, table, func.scope, bound)
        scope.function = func.node
        return scope

    # ----- names --------------------------------------------------------------

    def lookup(self, name: str, scope: Scope, depth: int, line: int) -> Any:
        current: Scope | None = scope
        while current is not None:
            if name in current.table.bindings:
                if name in current.active:  # `x = x + [...]`: the value so far
                    return current.bound.get(
                        name, Unknown(scope.module.path, line, f"{name!r} refers to itself")
                    )
                return self._table_value(name, current, depth)
            if name in current.bound:
                return current.bound[name]
            current = current.parent
        if name in _BUILTIN_NAMES:
            return ExternalRef(f"builtins.{name}")
        return Unknown(scope.module.path, line, f"name {name!r} is not bound in the package")

    def _table_value(self, name: str, scope: Scope, depth: int) -> Any:
        if name in scope.cache:
            return scope.cache[name]
        if name in scope.active:
            return Unknown(scope.module.path, 0, f"{name!r} refers to itself")
        scope.active.add(name)
        had_bound = name in scope.bound
        saved = scope.bound.get(name)
        current: Any = scope.bound.get(name, _MISSING)
        try:
            for binding in scope.table.bindings[name]:
                if current is not _MISSING:
                    scope.bound[name] = current  # `x = x + [...]` sees the earlier x
                else:
                    scope.bound.pop(name, None)
                if binding.kind in _DEFINING:
                    current = self._defining_value(binding, scope, depth)
                elif current is not _MISSING:
                    current = self._mutated(current, binding, scope, depth)
        finally:
            if had_bound:
                scope.bound[name] = saved
            else:
                scope.bound.pop(name, None)
            scope.active.discard(name)
        if current is _MISSING:
            current = Unknown(scope.module.path, 0, f"{name!r} is never assigned")
        scope.cache[name] = current
        return current

    def _defining_value(self, binding: Binding, scope: Scope, depth: int) -> Any:
        module = scope.module
        if binding.kind == ASSIGN:
            return self.eval(binding.value, scope, depth + 1)
        if binding.kind == DEF:
            return FuncRef(module, binding.node, scope)
        if binding.kind == CLASS:
            return ClassRef(module, binding.node)
        if binding.kind == IMPORT:
            if self.project.has_module(binding.module):
                return ModuleRef(binding.module)
            return ExternalRef(binding.module)
        # FROM
        return self.module_attribute(binding.module, binding.attr, depth + 1, binding.node)

    def module_attribute(self, module_name: str, attr: str, depth: int, node: ast.AST) -> Any:
        if not self.project.has_module(module_name):
            if self.project.has_module(f"{module_name}.{attr}"):
                return ModuleRef(f"{module_name}.{attr}")
            return ExternalRef(f"{module_name}.{attr}" if module_name else attr)
        module = self.project.module(module_name)
        if module is not None and attr in module.table.bindings:
            scope = self.module_scope(module)
            # `from . import tools` inside pkg/__init__.py binds the submodule
            if attr not in scope.active or not self.project.has_module(f"{module_name}.{attr}"):
                return self._table_value(attr, scope, depth + 1)
        if self.project.has_module(f"{module_name}.{attr}"):
            return ModuleRef(f"{module_name}.{attr}")
        line = getattr(node, "lineno", 0)
        path = self.project.index.path(module_name) or module_name
        if module is None:
            return Unknown(path, line, f"module {module_name} could not be read")
        return Unknown(path, line, f"{module_name} has no name {attr!r}")

    def _mutated(self, current: Any, binding: Binding, scope: Scope, depth: int) -> Any:
        if binding.kind == HELPER:
            return self._helper_mutation(current, binding, scope, depth)
        value = self.eval(binding.value, scope, depth + 1)
        if binding.condition and binding.kind in (AUGMENT, CALL):
            value = _with_condition(value, self._decided(binding, scope))
        if binding.kind == AUGMENT:
            if isinstance(binding.node.op, ast.Add):
                return self._add(current, value, scope, binding.node)
            if isinstance(binding.node.op, ast.BitOr) and isinstance(current, dict):
                return {**current, **value} if isinstance(value, dict) else current
            return Unknown(scope.module.path, binding.node.lineno, "unsupported augmented assign")
        if binding.kind == ITEM:
            if isinstance(current, dict):
                key = self.eval(binding.key, scope, depth + 1)
                if isinstance(key, (str, int, float, bool)):
                    return {**current, key: value}
                if isinstance(key, Unknown):  # an entry under a name we cannot read
                    return key
            return current
        if binding.kind == CALL and isinstance(current, list):
            if binding.method == "append":
                return self._capped(current + [value], scope, binding.node)
            if binding.method == "extend":
                items = list(value) if isinstance(value, (list, tuple)) else [value]
                return self._capped(current + items, scope, binding.node)
            if binding.method == "insert":
                return self._capped(current + [value], scope, binding.node)
        if binding.kind == CALL and isinstance(current, dict) and binding.method == "update":
            return {**current, **value} if isinstance(value, dict) else current
        return current

    def _decided(self, binding: Binding, scope: Scope) -> str | None:
        """A binding's condition text, with its default state when that is decided."""
        return with_state(binding.condition, all_state(self, binding.tests, scope))

    def _helper_mutation(self, current: Any, binding: Binding, scope: Scope, depth: int) -> Any:
        """`register(x)` where `def register(h): items[h.name] = h`: apply its body."""
        name = next((n for n, bs in scope.table.bindings.items() if binding in bs), None)
        helper = self.lookup(binding.method, scope, depth + 1, binding.node.lineno)
        if name is None or not isinstance(helper, FuncRef) or depth > MAX_DEPTH:
            return current
        call = binding.node
        args = [self.eval(a, scope, depth + 1) for a in call.args if not isinstance(a, ast.Starred)]
        kwargs = {k.arg: self.eval(k.value, scope, depth + 1) for k in call.keywords if k.arg}
        if binding.condition:
            condition = self._decided(binding, scope)
            args = [_with_condition(a, condition) for a in args]
        inner = self.function_scope(helper, self.bind_arguments(helper, args, kwargs, depth))
        for step in inner.table.bindings.get(name, []):
            if step.kind in (ITEM, CALL, AUGMENT):
                current = self._mutated(current, step, inner, depth + 1)
        return current

    def type_definition(self, node: ast.expr, scope: Scope, depth: int) -> tuple:
        """What a name in a type annotation stands for, without evaluating aliases.

        Returns ("node", expr, scope) when the name is an alias bound to an
        expression (`Mode = Literal["a", "b"]`), else ("value", value).
        """
        if depth > MAX_DEPTH:
            return ("value", Unknown(scope.module.path, 0, "type alias chain too long"))
        if isinstance(node, ast.Attribute):
            receiver = self.eval(node.value, scope, depth + 1)
            if isinstance(receiver, ModuleRef):
                module = self.project.module(receiver.name)
                if module is not None and node.attr in module.table.bindings:
                    name = ast.Name(id=node.attr, ctx=ast.Load(), lineno=node.lineno)
                    return self.type_definition(name, self.module_scope(module), depth + 1)
            return ("value", self.attribute(receiver, node.attr, depth + 1, scope, node))
        if not isinstance(node, ast.Name):
            return ("value", self.eval(node, scope, depth + 1))
        current: Scope | None = scope
        while current is not None and node.id not in current.table.bindings:
            if node.id in current.bound:
                return ("value", current.bound[node.id])
            current = current.parent
        if current is None:
            return ("value", self.lookup(node.id, scope, depth + 1, node.lineno))
        defining = [b for b in current.table.bindings[node.id] if b.kind in _DEFINING]
        if not defining:
            return ("value", self.lookup(node.id, scope, depth + 1, node.lineno))
        binding = defining[-1]
        if binding.kind == ASSIGN:
            return ("node", binding.value, current)
        if binding.kind == FROM and self.project.has_module(binding.module):
            module = self.project.module(binding.module)
            if module is not None and binding.attr in module.table.bindings:
                name = ast.Name(id=binding.attr, ctx=ast.Load(), lineno=node.lineno)
                return self.type_definition(name, self.module_scope(module), depth + 1)
        return ("value", self._defining_value(binding, current, depth + 1))

    # ----- expressions --------------------------------------------------------

    def eval(self, node: ast.AST | None, scope: Scope, depth: int = 0) -> Any:
        line = getattr(node, "lineno", 0)
        if node is None:
            return None
        self.steps += 1
        if depth > MAX_DEPTH:
            return Unknown(scope.module.path, line, "expression nested too deeply")
        if self.steps > MAX_STEPS:
            return Unknown(scope.module.path, line, "evaluation budget exhausted")
        try:
            return self._eval(node, scope, depth)
        except RecursionError:
            return Unknown(scope.module.path, line, "expression nested too deeply")
        except (ValueError, TypeError, KeyError, IndexError, OverflowError, MemoryError):
            return Unknown(scope.module.path, line, "expression cannot be evaluated")

    def _eval(self, node: ast.AST, scope: Scope, depth: int) -> Any:
        path, line, d = scope.module.path, getattr(node, "lineno", 0), depth + 1
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, (str, int, float, bool)) or value is None or value is ...:
                return node.value
            return Unknown(path, line, "unsupported constant")
        if isinstance(node, ast.Name):
            return self.lookup(node.id, scope, d, line)
        if isinstance(node, ast.Attribute):
            return self.attribute(self.eval(node.value, scope, d), node.attr, d, scope, node)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            items: list[Any] = []
            for elt in node.elts:
                if isinstance(elt, ast.Starred):
                    inner = self.eval(elt.value, scope, d)
                    if isinstance(inner, (list, tuple)):
                        items.extend(inner)
                    else:
                        items.append(self._unknown_from(inner, path, line, "cannot unpack"))
                else:
                    items.append(self.eval(elt, scope, d))
            items = self._capped(items, scope, node)
            if isinstance(node, ast.Tuple) and isinstance(items, list):
                return tuple(items)
            return items
        if isinstance(node, ast.Dict):
            result: dict[Any, Any] = {}
            for key_node, value_node in zip(node.keys, node.values, strict=True):
                if key_node is None:
                    spread = self.eval(value_node, scope, d)
                    if isinstance(spread, dict):
                        result.update(spread)
                    continue
                key = self.eval(key_node, scope, d)
                if isinstance(key, EnumMember):
                    key = key.value
                if isinstance(key, (str, int, float, bool)) or key is None:
                    result[key] = self.eval(value_node, scope, d)
            return result
        if isinstance(node, ast.JoinedStr):
            return self._fstring(node, scope, d)
        if isinstance(node, ast.BinOp):
            return self._binop(node, scope, d)
        if isinstance(node, ast.Call):
            return self._call(node, scope, d)
        if isinstance(node, ast.Await):
            # a package coroutine's result is its return value, as for a plain call
            return self.eval(node.value, scope, d)
        if isinstance(node, ast.Subscript):
            container = self.eval(node.value, scope, d)
            key = self.eval(node.slice, scope, d)
            if isinstance(container, (dict, list, tuple, str)) and not isinstance(key, Unknown):
                return container[key]
            return self._unknown_from(container, path, line, "unsupported subscript")
        if isinstance(node, (ast.ListComp, ast.GeneratorExp, ast.SetComp)):
            return self._comprehension(node, scope, d)
        if isinstance(node, ast.IfExp):
            test = self.eval(node.test, scope, d)
            if isinstance(test, (bool, int, str)) or test is None:
                return self.eval(node.body if test else node.orelse, scope, d)
            return Unknown(path, line, "value depends on a run-time condition")
        if isinstance(node, ast.BoolOp):
            value: Any = None
            for operand in node.values:
                value = self.eval(operand, scope, d)
                if not isinstance(value, (str, int, float, bool, list, dict, tuple)):
                    if value is not None:
                        return self._unknown_from(value, path, line, "run-time condition")
                if isinstance(node.op, ast.Or) and value:
                    return value
                if isinstance(node.op, ast.And) and not value:
                    return value
            return value
        if isinstance(node, ast.Compare):
            return self._compare(node, scope, d)
        if isinstance(node, ast.UnaryOp):
            operand = self.eval(node.operand, scope, d)
            if isinstance(node.op, ast.USub) and isinstance(operand, (int, float)):
                return -operand
            if isinstance(node.op, ast.Not) and (
                isinstance(operand, (bool, int, str)) or operand is None
            ):
                return not operand
            return self._unknown_from(operand, path, line, "unsupported unary operator")
        return Unknown(path, line, f"unsupported expression ({type(node).__name__})")

    def _compare(self, node: ast.Compare, scope: Scope, depth: int) -> Any:
        """`a == "x"`, `a is None`, `a in ("1", "true")` over plain values; a name
        `in os.environ` is unset in the default configuration."""
        left = self.eval(node.left, scope, depth)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self.eval(right_node, scope, depth)
            if isinstance(op, (ast.In, ast.NotIn)) and isinstance(right, ExternalRef):
                if right.qualname != "os.environ" or not isinstance(left, str):
                    return Unknown(scope.module.path, node.lineno, "run-time comparison")
                result = isinstance(op, ast.NotIn)
            elif _plain(left) and _plain(right):
                result = _COMPARE[type(op)](left, right)
            else:
                return Unknown(scope.module.path, node.lineno, "run-time comparison")
            if not result:
                return False
            left = right
        return True

    def _comprehension(self, node, scope: Scope, depth: int) -> Any:
        """`[h.describe() for h in handlers.values() if h.enabled]`, over known lists."""
        results: list[Any] = []
        pending: list[tuple[int, Scope]] = [(0, scope)]
        while pending:
            index, current = pending.pop()
            if index == len(node.generators):
                results.append(self.eval(node.elt, current, depth))
                if len(results) > MAX_ITEMS:
                    return Unknown(scope.module.path, node.lineno, "list too long")
                continue
            generator = node.generators[index]
            iterable = self.eval(generator.iter, current, depth)
            if isinstance(iterable, dict):
                iterable = list(iterable)
            if not isinstance(iterable, (list, tuple)):
                return self._unknown_from(
                    iterable, scope.module.path, node.lineno, "comprehension over an unknown"
                )
            children = []
            for item in iterable:
                bound: dict[str, Any] = {}
                if not _bind_loop_target(generator.target, item, bound):
                    return Unknown(scope.module.path, node.lineno, "unsupported loop target")
                child = Scope(current.module, SymbolTable(), current, bound)
                tests = [self.eval(test, child, depth) for test in generator.ifs]
                if all(isinstance(t, Unknown) or t for t in tests):
                    children.append((index + 1, child))
            pending.extend(reversed(children))
        return results

    def _unknown_from(self, value: Any, path: str, line: int, why: str) -> Unknown:
        return value if isinstance(value, Unknown) else Unknown(path, line, why)

    def _capped(self, items: Any, scope: Scope, node: ast.AST) -> Any:
        if isinstance(items, (list, tuple)) and len(items) > MAX_ITEMS:
            return Unknown(scope.module.path, getattr(node, "lineno", 0), "list too long")
        if isinstance(items, str) and len(items) > MAX_STR:
            return Unknown(scope.module.path, getattr(node, "lineno", 0), "string too long")
        return items

    def _fstring(self, node: ast.JoinedStr, scope: Scope, depth: int) -> Any:
        parts: list[str] = []
        missing: Unknown | None = None  # the first run-time part
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
                continue
            if not isinstance(value, ast.FormattedValue):
                return Unknown(scope.module.path, node.lineno, "unsupported f-string part")
            item = self.eval(value.value, scope, depth)
            if isinstance(item, EnumMember):
                # Mixed-in and StrEnum members format as their value; plain Enum as Cls.NAME
                mixed = self.inherits(item.cls, {"str", "int", "float", "StrEnum", "IntEnum"})
                item = item.value if mixed else f"{item.cls.node.name}.{item.name}"
            if not (isinstance(item, (str, int, float, bool)) or item is None):
                missing = missing or self._unknown_from(
                    item, scope.module.path, node.lineno, "f-string"
                )
                parts.append(item.text if isinstance(item, PartialText) else PLACEHOLDER)
                continue
            if value.conversion == ord("r"):
                item = repr(item)
            elif value.conversion in (ord("s"), ord("a")):
                item = str(item) if value.conversion == ord("s") else ascii(item)
            spec = ""
            if value.format_spec is not None:
                spec = self._fstring(value.format_spec, scope, depth)
                if not isinstance(spec, str):
                    return (
                        spec
                        if not isinstance(spec, PartialText)
                        else Unknown(scope.module.path, node.lineno, "f-string format spec")
                    )
            parts.append(format(item, spec))
        text = self._capped("".join(parts), scope, node)
        if missing is None or not isinstance(text, str):
            return text
        return _partial(missing, text)

    def _binop(self, node: ast.BinOp, scope: Scope, depth: int) -> Any:
        left = self.eval(node.left, scope, depth)
        right = self.eval(node.right, scope, depth)
        if isinstance(node.op, ast.Add):
            return self._add(left, right, scope, node)
        if isinstance(node.op, ast.Mod) and isinstance(left, str):
            args = right if isinstance(right, tuple) else (right,)
            if all(isinstance(a, (str, int, float, bool)) for a in args):
                return self._capped(left % args, scope, node)
        if isinstance(node.op, ast.BitOr) and isinstance(left, dict) and isinstance(right, dict):
            return {**left, **right}
        if isinstance(node.op, ast.Mult):
            if isinstance(left, (str, list)) and isinstance(right, int):
                left, right = right, left
            if isinstance(left, int) and isinstance(right, (str, list)):
                if left * len(right) > MAX_STR:
                    return Unknown(scope.module.path, node.lineno, "value too large")
                return left * right
        if isinstance(left, (int, float)) and isinstance(right, (int, float)):
            if isinstance(node.op, ast.Sub):
                return left - right
            if isinstance(node.op, ast.Mult):
                return left * right
        return self._unknown_from(
            left if isinstance(left, Unknown) else right,
            scope.module.path,
            node.lineno,
            "unsupported operator",
        )

    def _add(self, left: Any, right: Any, scope: Scope, node: ast.AST) -> Any:
        for a, b in ((left, right),):
            if isinstance(a, str) and isinstance(b, str):
                return self._capped(a + b, scope, node)
            if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
                return self._capped(list(a) + list(b), scope, node)
            if isinstance(a, (int, float)) and isinstance(b, (int, float)):
                return a + b
        line = getattr(node, "lineno", 0)
        if isinstance(left, (str, PartialText)) or isinstance(right, (str, PartialText)):
            # `"text " + value` is a string at run time: keep what is known
            # (the other operand can only be a string there, or the addition fails)
            missing = next((v for v in (left, right) if isinstance(v, Unknown)), None)
            missing = missing or Unknown(scope.module.path, line, "string built at run time")
            joined = self._capped(_text_of(left) + _text_of(right), scope, node)
            if isinstance(joined, str):
                return _partial(missing, joined)
        if isinstance(left, list) and not isinstance(right, Unknown):
            return Unknown(scope.module.path, line, "cannot add to list")
        return self._unknown_from(
            left if isinstance(left, Unknown) else right, scope.module.path, line, "cannot add"
        )

    # ----- attributes ---------------------------------------------------------

    def attribute(self, value: Any, attr: str, depth: int, scope: Scope, node: ast.AST) -> Any:
        line = getattr(node, "lineno", 0)
        if isinstance(value, ModuleRef):
            return self.module_attribute(value.name, attr, depth, node)
        if isinstance(value, ExternalRef):
            return ExternalRef(f"{value.qualname}.{attr}")
        if isinstance(value, EnumMember):
            if attr in ("value", "_value_"):
                return value.value
            if attr in ("name", "_name_"):
                return value.name
        if isinstance(value, ClassRef):
            members = self.enum_members(value)
            if members is not None and attr in members:
                return members[attr]
            found = class_attribute(self, value, attr, depth, value)
            if found is not _MISSING:
                return found
            return Unknown(scope.module.path, line, f"class {value.node.name} has no {attr!r}")
        if isinstance(value, ObjectValue) and value.cls is not None:
            return instance_attribute(self, value, attr, depth, node)
        if isinstance(value, ObjectValue) and attr in value.kwargs:
            return value.kwargs[attr]
        return self._unknown_from(value, scope.module.path, line, f"attribute {attr!r}")

    # ----- classes ------------------------------------------------------------

    def base_refs(self, cls: ClassRef) -> list[Any]:
        scope = self.module_scope(cls.module)
        # `class S(FastMCP[T], Generic[T])`: the subscripted base is FastMCP
        return [
            self.eval(base.value if isinstance(base, ast.Subscript) else base, scope, 1)
            for base in cls.node.bases
        ]

    def inherits(self, cls: ClassRef, names: set[str], _depth: int = 0) -> bool:
        """Whether an outside base class (at any depth) has one of `names` as last part."""
        if _depth > 20:
            return False
        for base in self.base_refs(cls):
            if isinstance(base, ExternalRef) and base.last in names:
                return True
            if isinstance(base, ClassRef) and self.inherits(base, names, _depth + 1):
                return True
        return False

    def is_enum(self, cls: ClassRef) -> bool:
        return self.inherits(cls, _ENUM_BASES)

    def enum_members(self, cls: ClassRef) -> dict[str, EnumMember] | None:
        """Members of an Enum class in definition order; None when not an Enum."""
        key = id(cls.node)
        if key in self._enum_cache:
            return self._enum_cache[key]
        self._enum_cache[key] = None
        if not self.is_enum(cls):
            return None
        is_str = self.inherits(cls, {"StrEnum", "str"})
        scope = self.module_scope(cls.module)
        members: dict[str, EnumMember] = {}
        counter = 0
        for stmt in cls.node.body:
            target = value_node = None
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                target, value_node = stmt.targets[0], stmt.value
            elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
                target, value_node = stmt.target, stmt.value
            if not isinstance(target, ast.Name) or target.id.startswith("_"):
                continue
            if _is_auto(value_node):
                counter += 1
                value: Any = target.id.lower() if is_str else counter
            else:
                value = self.eval(value_node, scope, 1)
                if isinstance(value, tuple) and value:
                    value = value[0]
            members[target.id] = EnumMember(cls, target.id, value)
        self._enum_cache[key] = members
        return members

    def enum_str(self, member: EnumMember) -> Any:
        """`str(member)`: the value for StrEnum/IntEnum or a `__str__` returning
        the value, "Cls.NAME" otherwise (also for `(str, Enum)` mixins)."""
        if self.inherits(member.cls, {"StrEnum", "IntEnum", "IntFlag", "ReprEnum"}):
            return str(member.value)
        for stmt in member.cls.node.body:
            if isinstance(stmt, ast.FunctionDef) and stmt.name == "__str__":
                text = ast.unparse(stmt.body[-1]) if stmt.body else ""
                if text in ("return self.value", "return str(self.value)"):
                    return str(member.value)
                return Unknown(member.cls.module.path, stmt.lineno, "custom __str__")
        return f"{member.cls.node.name}.{member.name}"

    # ----- calls --------------------------------------------------------------

    def _call(self, node: ast.Call, scope: Scope, depth: int) -> Any:
        path, line = scope.module.path, node.lineno
        func = node.func
        if isinstance(func, ast.Attribute):
            receiver = self.eval(func.value, scope, depth)
            method = self._method_call(receiver, func.attr, node, scope, depth)
            if method is not _MISSING:
                return method
            target = self.attribute(receiver, func.attr, depth, scope, func)
        else:
            target = self.eval(func, scope, depth)
        args = [self.eval(a, scope, depth) for a in node.args if not isinstance(a, ast.Starred)]
        kwargs = {k.arg: self.eval(k.value, scope, depth) for k in node.keywords if k.arg}
        if isinstance(target, ExternalRef):
            return self._call_external(target, args, kwargs, path, line)
        if isinstance(target, FuncRef):
            return self.call_function(target, args, kwargs, depth, line, path)
        if isinstance(target, ClassRef):
            members = self.enum_members(target)
            if members is not None and len(args) == 1:
                for member in members.values():
                    if member.value == args[0]:
                        return member
            qualname = f"{target.module.name}.{target.node.name}"
            server = self.inherits(target, SERVER_CLASSES)
            return ObjectValue(qualname, args, kwargs, path, line, local_server=server, cls=target)
        return self._unknown_from(target, path, line, "call of an unknown function")

    def _method_call(self, receiver: Any, name: str, node: ast.Call, scope: Scope, depth: int):
        if isinstance(receiver, str):
            args = [self.eval(a, scope, depth) for a in node.args]
            if name in _STR_METHODS and not args:
                return getattr(receiver, name)()
            if name in ("strip", "lstrip", "rstrip") and all(isinstance(a, str) for a in args):
                return getattr(receiver, name)(*args)
            if name == "replace" and len(args) == 2 and all(isinstance(a, str) for a in args):
                return self._capped(receiver.replace(*args), scope, node)
            if name == "join" and len(args) == 1 and isinstance(args[0], (list, tuple)):
                parts = [a.value if isinstance(a, EnumMember) else a for a in args[0]]
                if all(isinstance(p, str) for p in parts):
                    return self._capped(receiver.join(parts), scope, node)
            if name == "format":
                kwargs = {k.arg: self.eval(k.value, scope, depth) for k in node.keywords if k.arg}
                plain = (str, int, float, bool)
                if all(isinstance(v, plain) for v in list(kwargs.values()) + args):
                    return self._capped(receiver.format(*args, **kwargs), scope, node)
            return Unknown(scope.module.path, node.lineno, f"str.{name}() not evaluated")
        if isinstance(receiver, ClassRef) and name in ("model_json_schema", "schema"):
            if self.model_schema is not None:
                return self.model_schema(self, receiver)
        if isinstance(receiver, ExternalRef) and receiver.last == "BaseModel":
            if name in ("model_json_schema", "schema") and not node.args:
                return {"properties": {}, "title": "BaseModel", "type": "object"}
        if (
            isinstance(receiver, ObjectValue)
            and receiver.qualname == "argparse.ArgumentParser"
            and name == "parse_args"
        ):
            parsed = parsed_defaults(self, receiver)
            if parsed is not None:
                return parsed
        if isinstance(receiver, (dict, list)) and name == "copy" and not node.args:
            return receiver.copy()
        if isinstance(receiver, dict) and name in ("values", "keys", "items") and not node.args:
            return list(getattr(receiver, name)())
        if isinstance(receiver, dict) and name == "get" and node.args:
            key = self.eval(node.args[0], scope, depth)
            default = self.eval(node.args[1], scope, depth) if len(node.args) > 1 else None
            if isinstance(key, (str, int)):
                return receiver.get(key, default)
        return _MISSING

    def _call_external(self, target: ExternalRef, args, kwargs, path: str, line: int) -> Any:
        qualname = target.qualname
        first = args[0] if args else _MISSING
        if qualname == "builtins.str" and first is not _MISSING:
            if isinstance(first, EnumMember):
                return self.enum_str(first)
            if isinstance(first, (str, int, float, bool)):
                return str(first)
        if qualname in ("builtins.list", "builtins.tuple") and isinstance(first, (list, tuple)):
            return list(first) if qualname.endswith("list") else tuple(first)
        if qualname == "builtins.dict" and not args:
            return dict(kwargs)
        if qualname == "builtins.dict" and isinstance(first, dict):
            return {**first, **kwargs}
        if qualname in ("os.getenv", "os.environ.get") and isinstance(first, str):
            # Configuration read from the environment: the default when it is unset.
            return args[1] if len(args) > 1 else kwargs.get("default")
        if qualname == "textwrap.dedent" and isinstance(first, str):
            return textwrap.dedent(first)
        if qualname == "inspect.cleandoc" and isinstance(first, str):
            return cleandoc(first)
        if qualname.startswith("builtins."):
            return Unknown(path, line, f"{target.last}() not evaluated")
        return ObjectValue(qualname, args, kwargs, path, line)

    def call_function(self, func: FuncRef, args, kwargs, depth: int, line: int, path: str) -> Any:
        """Evaluate a package function whose result is its one `return` expression."""
        returns = self.function_scope(func).table.returns
        if len(returns) != 1 or returns[0].value is None:
            return Unknown(path, line, f"{func.node.name}() is too complex to evaluate")
        if depth > MAX_DEPTH:
            return Unknown(path, line, "calls nested too deeply")
        owner = func.bound_self
        if owner is not None:
            args = [owner, *args]
        if id(func.node) in self._calling:
            return Unknown(path, line, f"{func.node.name}() calls itself")
        scope = self.function_scope(func, self.bind_arguments(func, args, kwargs, depth))
        self._calling.add(id(func.node))
        try:
            result = self.eval(returns[0].value, scope, depth + 1)
        finally:
            self._calling.discard(id(func.node))
        if isinstance(owner, ObjectValue) and owner.condition:
            result = _with_condition(result, owner.condition)  # a conditional handler's Tool
        return result

    def bind_arguments(self, func: FuncRef, args, kwargs, depth: int) -> dict[str, Any]:
        spec = func.node.args
        positional = spec.posonlyargs + spec.args
        bound: dict[str, Any] = {}
        defaults = spec.defaults
        first_default = len(positional) - len(defaults)
        for index, param in enumerate(positional):
            if index < len(args):
                bound[param.arg] = args[index]
            elif param.arg in kwargs:
                bound[param.arg] = kwargs[param.arg]
            elif index >= first_default:
                bound[param.arg] = self.eval(defaults[index - first_default], func.scope, depth)
        for param, default in zip(spec.kwonlyargs, spec.kw_defaults, strict=True):
            if param.arg in kwargs:
                bound[param.arg] = kwargs[param.arg]
            elif default is not None:
                bound[param.arg] = self.eval(default, func.scope, depth)
        for param in positional + spec.kwonlyargs:
            bound.setdefault(
                param.arg,
                Unknown(func.module.path, func.node.lineno, f"parameter {param.arg!r} unbound"),
            )
        return bound


_COMPARE = {
    ast.Eq: lambda a, b: a == b,
    ast.NotEq: lambda a, b: a != b,
    ast.Is: lambda a, b: a is b if a is None or b is None else a == b,
    ast.IsNot: lambda a, b: a is not b if a is None or b is None else a != b,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Lt: lambda a, b: a < b,
    ast.LtE: lambda a, b: a <= b,
    ast.Gt: lambda a, b: a > b,
    ast.GtE: lambda a, b: a >= b,
}


def _plain(value: Any) -> bool:
    """A value whose comparisons mean the same statically as at run time."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return True
    if isinstance(value, (list, tuple)) and len(value) <= MAX_ITEMS:
        return all(v is None or isinstance(v, (str, int, float, bool)) for v in value)
    if isinstance(value, dict) and len(value) <= MAX_ITEMS:
        return all(k is None or isinstance(k, (str, int, float, bool)) for k in value)
    return False


def _partial(missing: Unknown, text: str) -> PartialText:
    return PartialText(missing.file, missing.line, missing.why, text)


def _text_of(value: Any) -> str:
    """The text a string operand contributes: run-time parts as placeholders."""
    if isinstance(value, str):
        return value
    if isinstance(value, PartialText):
        return value.text
    return PLACEHOLDER


def _bind_loop_target(target: ast.expr, item: Any, bound: dict[str, Any]) -> bool:
    if isinstance(target, ast.Name):
        bound[target.id] = item
        return True
    if isinstance(target, (ast.Tuple, ast.List)) and isinstance(item, (tuple, list)):
        if len(target.elts) != len(item):
            return False
        return all(_bind_loop_target(t, v, bound) for t, v in zip(target.elts, item, strict=True))
    return False


def _with_condition(value: Any, condition: str) -> Any:
    """Tool objects added under an `if` carry its text (lists: each item)."""
    if isinstance(value, ObjectValue):
        return dataclasses.replace(value, condition=value.condition or condition)
    if isinstance(value, list):
        return [_with_condition(v, condition) for v in value]
    if isinstance(value, tuple):
        return tuple(_with_condition(v, condition) for v in value)
    return value


def _is_auto(node: ast.AST | None) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    return (isinstance(func, ast.Name) and func.id == "auto") or (
        isinstance(func, ast.Attribute) and func.attr == "auto"
    )
