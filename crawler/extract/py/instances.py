"""Attributes of package classes and their instances, for the evaluator.

Class-per-tool designs keep a tool's name, description and schema on the
class (`name = "x"`), set them in `__init__` (`self.name = name`, often
through `super().__init__(...)`), or compute them in properties and methods
(`def get_tool_description(self): return Tool(name=self.name, ...)`). This
module finds such attributes along the package-local base classes and binds
`self` for methods; everything else stays Unknown.
"""

from __future__ import annotations

import ast
from typing import Any

from crawler.extract.py.symbols import flat_statements
from crawler.extract.py.values import ClassRef, FuncRef, ObjectValue, Unknown

MAX_BASES = 20
_MISSING = object()


def local_mro(ev, cls: ClassRef) -> list[ClassRef]:
    """The class and its package-local bases, depth first, each once."""
    order: list[ClassRef] = []
    seen: set[int] = set()
    stack = [cls]
    while stack and len(order) < MAX_BASES:
        current = stack.pop()
        if id(current.node) in seen:
            continue
        seen.add(id(current.node))
        order.append(current)
        bases = [b for b in ev.base_refs(current) if isinstance(b, ClassRef)]
        stack.extend(reversed(bases))
    return order


def decorator_names(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names = set()
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Name):
            names.add(decorator.id)
        elif isinstance(decorator, ast.Attribute):
            names.add(decorator.attr)
    return names


def class_attribute(ev, cls: ClassRef, attr: str, depth: int, owner: Any) -> Any:
    """`attr` looked up on the class chain; methods come back bound to `owner`
    (the instance, or the class for classmethods); properties are read."""
    for klass in local_mro(ev, cls):
        scope = ev.class_scope(klass)
        if attr not in scope.table.bindings:
            continue
        value = ev._table_value(attr, scope, depth + 1)
        if isinstance(value, FuncRef) and value.bound_self is None:
            decorators = decorator_names(value.node)
            if "staticmethod" in decorators:
                return value
            receiver = cls if "classmethod" in decorators else owner
            bound = FuncRef(value.module, value.node, value.scope, bound_self=receiver)
            if decorators & {"property", "cached_property"} and isinstance(owner, ObjectValue):
                return ev.call_function(bound, [], {}, depth + 1, value.node.lineno, "")
            return bound
        return value
    return _MISSING


def instance_attribute(ev, obj: ObjectValue, attr: str, depth: int, node: ast.AST) -> Any:
    """`obj.attr` for an instance of a package class."""
    key = (id(obj), attr)
    active = ev.__dict__.setdefault("_reading_attributes", set())
    if key in active:  # `self.name = self.name`, properties reading themselves
        return Unknown(obj.file, getattr(node, "lineno", obj.line), f"{attr!r} refers to itself")
    active.add(key)
    try:
        return _instance_attribute(ev, obj, attr, depth, node)
    finally:
        active.discard(key)


def _instance_attribute(ev, obj: ObjectValue, attr: str, depth: int, node: ast.AST) -> Any:
    assigned = _init_assignment(ev, obj, obj.cls, obj.args, obj.kwargs, attr, depth, 0)
    if assigned is not _MISSING:
        return assigned
    if attr in obj.kwargs:  # dataclasses and pydantic models keep their keywords
        return obj.kwargs[attr]
    value = class_attribute(ev, obj.cls, attr, depth, obj)
    if value is not _MISSING:
        return value
    return Unknown(obj.file, getattr(node, "lineno", obj.line), f"attribute {attr!r}")


def _init_assignment(ev, obj, cls, args, kwargs, attr: str, depth: int, level: int) -> Any:
    """The value `__init__` (along the chain) gives `self.<attr>`, or _MISSING."""
    if level > MAX_BASES or depth > 60:
        return _MISSING
    for klass in local_mro(ev, cls):
        scope = ev.class_scope(klass)
        init = next((b for b in scope.table.bindings.get("__init__", []) if b.kind == "def"), None)
        if init is None:
            continue
        func = FuncRef(klass.module, init.node, scope, bound_self=obj)
        bound = ev.bind_arguments(func, [obj, *args], kwargs, depth + 1)
        fscope = ev.function_scope(func, bound)
        found: Any = _MISSING
        for stmt in flat_statements(init.node.body):
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    if (
                        isinstance(target, ast.Attribute)
                        and target.attr == attr
                        and isinstance(target.value, ast.Name)
                        and target.value.id == "self"
                        and stmt.value is not None
                    ):
                        found = ev.eval(stmt.value, fscope, depth + 1)
            elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
                parent = _parent_init(ev, stmt.value, klass, fscope, depth)
                if parent is not None:
                    base, base_args, base_kwargs = parent
                    value = _init_assignment(
                        ev, obj, base, base_args, base_kwargs, attr, depth + 1, level + 1
                    )
                    if value is not _MISSING:
                        found = value
        return found
    return _MISSING


def _parent_init(ev, call: ast.Call, klass: ClassRef, scope, depth: int):
    """`super().__init__(...)` or `Base.__init__(self, ...)`: (base, args, kwargs)."""
    func = call.func
    if not (isinstance(func, ast.Attribute) and func.attr == "__init__"):
        return None
    args = [ev.eval(a, scope, depth + 1) for a in call.args if not isinstance(a, ast.Starred)]
    kwargs = {k.arg: ev.eval(k.value, scope, depth + 1) for k in call.keywords if k.arg}
    receiver = func.value
    if isinstance(receiver, ast.Call) and isinstance(receiver.func, ast.Name):
        if receiver.func.id != "super":
            return None
        bases = [b for b in ev.base_refs(klass) if isinstance(b, ClassRef)]
        return (bases[0], args, kwargs) if bases else None
    base = ev.eval(receiver, scope, depth + 1)
    if isinstance(base, ClassRef) and args:
        return base, args[1:], kwargs
    return None
