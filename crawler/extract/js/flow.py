"""Follow a function body statement by statement when its tests can be decided statically.

Used for helpers such as `if (cache) return cache; cache = build(); return cache;`
or `if (!enabled(id)) return false; return true;`: the value returned in the
default configuration is the one on the path the known tests choose. When a
test (or a loop that may return) cannot be decided, the caller falls back to
listing every `return` of the body.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tree_sitter import Node

from crawler.extract.js.scope import FUNCTIONS
from crawler.extract.js.values import UNDEFINED, EnvValue, FunctionRef, Unresolved
from crawler.extract.treesitter import text

if TYPE_CHECKING:
    from crawler.extract.js.evaluate import Evaluator
    from crawler.extract.js.modules import Module

_MAX_STATEMENTS = 2000
_LOOPS = frozenset(
    {"for_statement", "for_in_statement", "while_statement", "do_statement", "switch_statement"}
)


class _Undecided(Exception):
    """A test or statement whose outcome cannot be known; give up following."""


class _Returned(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


def follow(ev: Evaluator, body: Node, module: Module) -> list[Any] | None:
    """The single value the body returns on its statically chosen path, or None if undecided."""
    runner = _Runner(ev, module)
    saved = dict(ev._assigned)
    try:
        runner.block(body)
    except _Returned as done:
        return [done.value]
    except (_Undecided, RecursionError):
        return None
    finally:
        ev._assigned = saved
    return None  # fell off the end: let the caller list the returns as before


def truthiness(value: Any) -> bool | None:
    """JavaScript truthiness of a statically known value; None when it is not known."""
    if isinstance(value, Unresolved):
        return None
    if value is UNDEFINED or value is None or isinstance(value, EnvValue):
        return False
    if isinstance(value, (bool, int, float, str)):
        # Text with run-time parts is still a non-empty string.
        return bool(value)
    if isinstance(value, (list, dict, FunctionRef)):
        return True
    return None


class _Runner:
    def __init__(self, ev: Evaluator, module: Module) -> None:
        self.ev = ev
        self.module = module
        self.count = 0

    def block(self, node: Node) -> None:
        for statement in node.named_children:
            self.statement(statement)

    def statement(self, node: Node) -> None:
        self.count += 1
        if self.count > _MAX_STATEMENTS:
            raise _Undecided()
        kind = node.type
        if kind == "return_statement":
            expression = next((c for c in node.named_children if c.type != "comment"), None)
            raise _Returned(self.ev.value(expression, self.module) if expression else UNDEFINED)
        if kind == "if_statement":
            decided = truthiness(self.ev.value(node.child_by_field_name("condition"), self.module))
            if decided is None:
                raise _Undecided()
            if decided:
                self.statement(node.child_by_field_name("consequence"))
            else:
                alternative = node.child_by_field_name("alternative")
                if alternative is not None:
                    self.block(alternative)  # else_clause holds one statement
            return
        if kind in ("statement_block", "else_clause"):
            self.block(node)
            return
        if kind == "try_statement":
            body = node.child_by_field_name("body")
            if body is not None:
                self.block(body)
            return
        if kind == "throw_statement":
            raise _Undecided()
        if kind == "expression_statement":
            self.expression(node.named_children[0] if node.named_children else None)
            return
        if kind in _LOOPS and _may_return(node):
            raise _Undecided()

    def expression(self, node: Node | None) -> None:
        """Assignments to local names are remembered; other effects are ignored."""
        if node is None or node.type not in (
            "assignment_expression",
            "augmented_assignment_expression",
        ):
            return
        left = node.child_by_field_name("left")
        if left is None or left.type != "identifier":
            return
        declaration = self.ev._scope(self.module).lookup(text(left), left)
        if declaration is None or declaration.kind != "value":
            return
        if node.type == "augmented_assignment_expression":
            # `x ??= y` and friends: only the nullish form is common enough to model.
            operator = text(node.child_by_field_name("operator"))
            current = self.ev.value(left, self.module)
            if operator != "??=" or not (current is None or current is UNDEFINED):
                if operator != "??=":
                    self.ev._assigned[id(declaration)] = Unresolved("updated at run time")
                return
        value = self.ev.value(node.child_by_field_name("right"), self.module)
        self.ev._assigned[id(declaration)] = value


def _may_return(node: Node) -> bool:
    stack = list(node.named_children)
    seen = 0
    while stack and seen < 20_000:
        seen += 1
        child = stack.pop()
        if child.type == "return_statement":
            return True
        if child.type not in FUNCTIONS:
            stack.extend(child.named_children)
    return seen >= 20_000
