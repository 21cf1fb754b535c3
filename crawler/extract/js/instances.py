"""Objects made with `new`: package classes read through their constructors, and Map/Set.

A class instance is the object its constructor builds: class fields, then
`super(...)` (the base class's instance for those arguments), then each
`this.name = value` in the constructor body, with parameters bound to the
arguments of `new`. A `new Map()` or `new Set()` bound to a name is filled
from every `name.set(k, v)` / `name.add(v)` call in its module; a call inside a
helper such as `function register(tool) { map.set(tool.name, tool) }` is read
once per caller of the helper.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tree_sitter import Node

from crawler.extract.js.values import FunctionRef, JsObject, PartialText, Unresolved
from crawler.extract.treesitter import line_of, text

if TYPE_CHECKING:
    from crawler.extract.js.evaluate import Evaluator
    from crawler.extract.js.modules import Module

_CLASS_NODES = frozenset({"class_declaration", "class", "abstract_class_declaration"})
_FIELD_NODES = frozenset({"field_definition", "public_field_definition"})
_MAX_BASES = 10
_MAX_FILLS = 500


class ClassRef:
    """A class written in the package."""

    def __init__(self, module: str, node: Node) -> None:
        self.module = module
        self.node = node

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ClassRef) and other.node.id == self.node.id

    def __hash__(self) -> int:
        return hash(("class", self.module, self.node.id))


class MapValue(JsObject):
    """A Map (or Set, keyed by its values) whose entries are known."""

    # Set when some entries could not be read (an unknown initial list or key): what the
    # collection lacks is then not known.
    partial: bool = False


def is_class(node: Node) -> bool:
    return node.type in _CLASS_NODES


def instance(ev: Evaluator, cls: ClassRef, args: list[Any], depth: int = 0) -> Any:
    module = ev.modules.get(cls.module)
    if module is None or depth > _MAX_BASES:
        return Unresolved("an object built at run time")
    out = JsObject().located(cls.module, line_of(cls.node))
    body = cls.node.child_by_field_name("body")
    members = body.named_children if body is not None else []
    constructor = None
    for member in members:
        if member.type in _FIELD_NODES and not _is_static(member):
            key = member.child_by_field_name("property") or member.child_by_field_name("name")
            value = member.child_by_field_name("value")
            if key is not None and value is not None:
                out[text(key)] = ev.value(value, module)
        elif member.type == "method_definition":
            name = text(member.child_by_field_name("name"))
            if name == "constructor":
                constructor = member
            elif not _is_static(member):
                out.setdefault(name, FunctionRef(cls.module, member.id, member))
    base = _base_class(ev, cls.node, module)
    if constructor is None:
        if isinstance(base, ClassRef):
            _merge(out, instance(ev, base, args, depth + 1))
        return out
    from crawler.extract.js.evaluate import THIS, bind_parameters

    def run() -> None:
        for node in _constructor_statements(constructor):
            _constructor_step(ev, node, module, out, base, depth)

    # `this.x` in the constructor reads what the statements before it assigned.
    ev.with_bindings({**bind_parameters(constructor, args), THIS: out}, run)
    return out


def _constructor_statements(constructor: Node) -> list[Node]:
    body = constructor.child_by_field_name("body")
    found = []
    for statement in body.named_children if body is not None else []:
        if statement.type == "expression_statement" and statement.named_children:
            found.append(statement.named_children[0])
    return found


def _constructor_step(
    ev: Evaluator, node: Node, module: Module, out: JsObject, base: Any, depth: int
) -> None:
    if node.type == "call_expression":
        function = node.child_by_field_name("function")
        if function is not None and function.type == "super" and isinstance(base, ClassRef):
            args_node = node.child_by_field_name("arguments")
            args = [
                ev.value(a, module)
                for a in (args_node.named_children if args_node else [])
                if a.type != "comment"
            ]
            _merge(out, instance(ev, base, args, depth + 1))
        return
    if node.type != "assignment_expression":
        return
    left = node.child_by_field_name("left")
    if left is None or left.type != "member_expression":
        return
    if text(left.child_by_field_name("object")) != "this":
        return
    out[text(left.child_by_field_name("property"))] = ev.value(
        node.child_by_field_name("right"), module
    )


def _merge(out: JsObject, base: Any) -> None:
    """Fold a base instance in: its data wins over our methods, our methods over its."""
    if isinstance(base, dict):
        for key, value in base.items():
            if isinstance(value, FunctionRef):
                out.setdefault(key, value)
            else:
                out[key] = value


def _base_class(ev: Evaluator, node: Node, module: Module) -> Any:
    heritage = next((c for c in node.named_children if c.type == "class_heritage"), None)
    if heritage is None:
        return None
    clause = next((c for c in heritage.named_children if c.type == "extends_clause"), heritage)
    target = clause.child_by_field_name("value") or next(iter(clause.named_children), None)
    return ev.value(target, module) if target is not None else None


def _is_static(member: Node) -> bool:
    return any(c.type == "static" for c in member.children)


def filled(ev: Evaluator, name: str, declared: Node, module: Module, methods: tuple) -> list:
    """Arguments of each `name.<method>(...)` call on the collection declared at `declared`."""
    found: list[list[Any]] = []
    for method in methods:
        for call in ev.method_calls(name, declared, method, module):
            found.extend(ev.call_arguments(call, module))
            if len(found) >= _MAX_FILLS:
                return found
    return found


def new_value(ev: Evaluator, node: Node, module: Module) -> Any:
    """The value of `new X(...)` for package classes and Map/Set; Unresolved otherwise."""
    constructor = node.child_by_field_name("constructor")
    args_node = node.child_by_field_name("arguments")
    arg_nodes = [a for a in (args_node.named_children if args_node else []) if a.type != "comment"]
    if constructor is not None and constructor.type == "identifier":
        kind = text(constructor)
        if kind in ("Map", "Set") and ev._scope(module).lookup(kind, node) is None:
            return _collection(ev, kind, node, arg_nodes, module)
    callee = ev.value(constructor, module) if constructor is not None else None
    if isinstance(callee, ClassRef):
        return instance(ev, callee, [ev.value(a, module) for a in arg_nodes])
    return Unresolved("an object built at run time")


def _collection(ev: Evaluator, kind: str, node: Node, arg_nodes: list[Node], module: Module):
    out = MapValue().located(module.path, line_of(node))
    initial = ev.value(arg_nodes[0], module) if arg_nodes else None
    entries: list[list[Any]] = []
    if isinstance(initial, list):
        entries = [item if kind == "Map" else [item, item] for item in initial]
    elif arg_nodes:
        out.partial = True
    parent = node.parent
    if parent is not None and parent.type == "variable_declarator":
        pattern = parent.child_by_field_name("name")
        if pattern is not None and pattern.type == "identifier":
            methods = ("set",) if kind == "Map" else ("add",)
            for args in filled(ev, text(pattern), node, module, methods):
                entries.append(args if kind == "Map" else [args[0] if args else None] * 2)
    for entry in entries:
        if isinstance(entry, list) and len(entry) >= 2 and isinstance(entry[0], str):
            out[entry[0]] = entry[1]
        elif isinstance(entry, list) and len(entry) >= 2:
            out[f"\0{len(out)}"] = entry[1]  # a key not known statically; the value still is
            out.partial = True
        else:
            out.partial = True
    return out


def map_method(value: MapValue, method: str, args: list[Any]) -> Any:
    if method == "values":
        return list(value.values())
    if method == "keys":
        return [k for k in value if not k.startswith("\0")]
    if method == "entries":
        return [[k, v] for k, v in value.items()]
    if method == "get" and args and isinstance(args[0], str):
        return value.get(args[0], Unresolved("a key not set statically"))
    key = args[0] if args else None
    if method == "has" and isinstance(key, str) and not isinstance(key, PartialText):
        if key in value:
            return True
        return Unresolved("a key perhaps set at run time") if value.partial else False
    return Unresolved(f"Map .{method}() at run time")
