"""TypeScript enums as the compiler writes them out.

`enum Category { INPUT = "input", SIZE = 2 }` becomes

    var Category;
    (function (Category) {
        Category["INPUT"] = "input";
        Category[Category["SIZE"] = 2] = "SIZE";
    })(Category || (Category = {}));

so the declaration has no value of its own; the object is filled by the call
after it. This module reads that call back into the object it builds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tree_sitter import Node

from crawler.extract.js.values import JsObject, Unresolved
from crawler.extract.treesitter import line_of, text

if TYPE_CHECKING:
    from crawler.extract.js.evaluate import Evaluator
    from crawler.extract.js.modules import Module

_MAX_MEMBERS = 2_000
_WRAPPERS = frozenset({"parenthesized_expression"})


def compiled_enum(ev: Evaluator, name: str, block: Node, module: Module) -> JsObject | None:
    """The enum object that a `(function (name) {...})(name || (name = {}))` call in `block`
    fills, or None when the block has no such call."""
    for statement in block.named_children:
        if statement.type != "expression_statement" or not statement.named_children:
            continue
        body, parameter = _filler(statement.named_children[0], name)
        if body is not None and parameter is not None:
            return _members(ev, body, parameter, module, line_of(statement))
    return None


def _filler(call: Node, name: str) -> tuple[Node | None, str | None]:
    """The body and parameter name of an enum-filling call on `name`."""
    if call.type != "call_expression":
        return None, None
    function = _unwrap(call.child_by_field_name("function"))
    args = call.child_by_field_name("arguments")
    named = [a for a in (args.named_children if args else []) if a.type != "comment"]
    if function is None or function.type not in ("function_expression", "arrow_function"):
        return None, None
    if len(named) != 1 or not _is_enum_argument(named[0], name):
        return None, None
    params = function.child_by_field_name("parameters")
    plist = [p for p in (params.named_children if params else []) if p.type != "comment"]
    if len(plist) != 1:
        return None, None
    parameter = plist[0]
    if parameter.type in ("required_parameter", "optional_parameter"):
        parameter = parameter.child_by_field_name("pattern")
    if parameter is None or parameter.type != "identifier":
        return None, None
    return function.child_by_field_name("body"), text(parameter)


def _is_enum_argument(node: Node, name: str) -> bool:
    """`name || (name = {})`, also `name || (exports.name = name = {})`."""
    if node.type != "binary_expression" or text(node.child_by_field_name("operator")) != "||":
        return False
    left = node.child_by_field_name("left")
    return left is not None and left.type == "identifier" and text(left) == name


def _members(ev: Evaluator, body: Node, parameter: str, module: Module, line: int) -> JsObject:
    out = JsObject().located(module.path, line)
    for statement in body.named_children[:_MAX_MEMBERS]:
        if statement.type != "expression_statement" or not statement.named_children:
            continue
        _assign(ev, statement.named_children[0], parameter, module, out)
    return out


def _assign(ev: Evaluator, node: Node, parameter: str, module: Module, out: JsObject) -> Any:
    """Apply `P[key] = value` to `out`; returns the value assigned (as JavaScript does)."""
    if node.type != "assignment_expression":
        return Unresolved("not an enum member")
    left = node.child_by_field_name("left")
    right = node.child_by_field_name("right")
    if (
        left is None
        or right is None
        or left.type not in ("subscript_expression", "member_expression")
    ):
        return Unresolved("not an enum member")
    target = left.child_by_field_name("object")
    if target is None or text(target) != parameter:
        return Unresolved("not an enum member")
    if left.type == "member_expression":
        key: Any = text(left.child_by_field_name("property"))
    else:
        index = _unwrap(left.child_by_field_name("index"))
        # Numeric members carry the reverse mapping: `P[P["A"] = 0] = "A"`.
        if index is not None and index.type == "assignment_expression":
            key = _assign(ev, index, parameter, module, out)
        else:
            key = ev.value(index, module)
    value = ev.value(right, module)
    from crawler.extract.js.evaluate import to_js_string

    rendered = to_js_string(key)
    if rendered is not None and not isinstance(key, Unresolved):
        out[rendered] = value
    return value


def _unwrap(node: Node | None) -> Node | None:
    while node is not None and node.type in _WRAPPERS and node.named_children:
        node = node.named_children[0]
    return node
