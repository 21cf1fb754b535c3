"""Follow a function body statement by statement when its tests can be decided statically.

Used for helpers such as `if (cache) return cache; cache = build(); return cache;`
or `if (!enabled(id)) return false; return true;`: the value returned in the
default configuration is the one on the path the known tests choose. When a
test (or a loop that may return) cannot be decided, the caller falls back to
listing every `return` of the body.

`for...of` / `for...in` over a known list or object run once per element, and
`obj[key] = value` on a local object fills a copy of it, so builders such as

    const options = {};
    for (const c of Object.values(Category)) options[flagOf(c)] = optionFor(c);
    return options;

return the object they build.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tree_sitter import Node

from crawler.extract.js.scope import FUNCTIONS, Declaration
from crawler.extract.js.values import (
    PLACEHOLDER,
    UNDEFINED,
    EnvValue,
    FunctionRef,
    PartialText,
    Unresolved,
)
from crawler.extract.treesitter import text

if TYPE_CHECKING:
    from crawler.extract.js.evaluate import Evaluator
    from crawler.extract.js.modules import Module

_MAX_STATEMENTS = 2000
_MAX_ITERATIONS = 500  # elements of one loop followed; a longer list is undecided
_MEMBER_TARGETS = frozenset({"member_expression", "subscript_expression"})
_LOOPS = frozenset(
    {"for_statement", "for_in_statement", "while_statement", "do_statement", "switch_statement"}
)


class _Undecided(Exception):
    """A test or statement whose outcome cannot be known; give up following."""


class _Returned(Exception):
    def __init__(self, value: Any) -> None:
        self.value = value


class _Break(Exception):
    """`break` inside a loop being followed."""


class _Continue(Exception):
    """`continue` inside a loop being followed."""


def follow(ev: Evaluator, body: Node, module: Module) -> list[Any] | None:
    """The single value the body returns on its statically chosen path, or None if undecided."""
    runner = _Runner(ev, module)
    saved = dict(ev._assigned)
    try:
        runner.block(body)
    except _Returned as done:
        return [done.value]
    except (_Undecided, _Break, _Continue, RecursionError):
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


def builds_locals(body: Node) -> bool:
    """Whether a function body sets members of a local object (`o[k] = v`, `o.k = v`) or
    assigns a name again, so its return value is only known by following it."""
    return bool(_member_targets(body)) or bool(_assigned_names(body))


def _member_targets(body: Node) -> list[Node]:
    """The `o` of each `o[k] = v` / `o.k = v` in `body`, nested functions left out."""
    found: list[Node] = []
    stack, seen = list(body.named_children), 0
    while stack and seen < 5_000:
        seen += 1
        node = stack.pop()
        left = node.child_by_field_name("left") if node.type == "assignment_expression" else None
        if left is not None and left.type in _MEMBER_TARGETS:
            target = left.child_by_field_name("object")
            if target is not None and target.type == "identifier":
                found.append(target)
        if node.type not in FUNCTIONS:
            stack.extend(node.named_children)
    return found


def changed_locals(ev: Evaluator, body: Node, module: Module) -> dict[int, Any]:
    """Local names a body assigns or whose object it fills, each read as unknown: used when
    the body could not be followed, so their initial values are not taken for their last.
    Text only ever added to (`s += ...`) keeps its known start."""
    changes: dict[int, tuple[Declaration, Node, bool]] = {}
    for target, appends in _assigned_names(body, with_kind=True) + [
        (t, False) for t in _member_targets(body)
    ]:
        declaration = ev._scope(module).lookup(text(target), target)
        if declaration is None or declaration.kind != "value":
            continue
        known = changes.get(id(declaration))
        changes[id(declaration)] = (declaration, target, appends and (known is None or known[2]))
    out: dict[int, Any] = {}
    for key, (declaration, target, appends) in changes.items():
        name = text(target)
        start = ev.value(declaration.node, module) if appends and declaration.node else None
        if isinstance(start, str):
            reason = start.reason if isinstance(start, PartialText) else ""
            out[key] = PartialText.of(
                start + PLACEHOLDER, reason or f"{name} is added to at run time"
            )
        else:
            out[key] = Unresolved(f"{name} is changed at run time")
    return out


class _Runner:
    def __init__(self, ev: Evaluator, module: Module) -> None:
        self.ev = ev
        self.module = module
        self.count = 0
        # Declarations whose object value this run has copied before changing it.
        self.copied: set[int] = set()

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
        if kind == "break_statement" and node.child_by_field_name("label") is None:
            raise _Break()
        if kind == "continue_statement" and node.child_by_field_name("label") is None:
            raise _Continue()
        if kind in ("break_statement", "continue_statement"):
            raise _Undecided()  # labelled jumps are not modelled
        if kind == "expression_statement":
            self.expression(node.named_children[0] if node.named_children else None)
            return
        if kind in ("lexical_declaration", "variable_declaration"):
            self.declaration(node)
            return
        if kind == "for_in_statement":
            saved = dict(self.ev._assigned)
            try:
                if self.loop(node):
                    return
            except _Undecided:
                if _may_return(node) or self.fills_local_object(node):
                    raise
                self.ev._assigned = saved
                self.forget_assigned(node)
                return
        if kind in _LOOPS:
            if _may_return(node) or self.fills_local_object(node):
                raise _Undecided()
            self.forget_assigned(node)

    def forget_assigned(self, loop: Node) -> None:
        """Local names a loop not followed may assign are unknown after it."""
        for target in _assigned_names(loop):
            declaration = self.ev._scope(self.module).lookup(text(target), target)
            if declaration is not None and declaration.kind == "value":
                self.ev._assigned[id(declaration)] = Unresolved("changed in a loop")

    def loop(self, node: Node) -> bool:
        """Run a `for...of`/`for...in` over a known list or object once per element;
        False when its elements are not known."""
        left = node.child_by_field_name("left")
        body = node.child_by_field_name("body")
        operator = text(node.child_by_field_name("operator"))
        source = self.ev.value(node.child_by_field_name("right"), self.module)
        if operator == "in" and isinstance(source, dict):
            elements: list[Any] = [k for k in source if not k.startswith("\0")]
        elif operator == "of" and isinstance(source, list):
            elements = source
        else:
            return False
        if left is None or body is None or len(elements) > _MAX_ITERATIONS:
            return False
        for element in elements:
            try:
                self.ev.with_bindings({left.id: element}, lambda: self.statement(body))
            except _Continue:
                continue
            except _Break:
                break
        return True

    def declaration(self, node: Node) -> None:
        """A name declared again (say, in a loop body) starts from its initialiser."""
        for declarator in node.named_children:
            if declarator.type != "variable_declarator":
                continue
            name = declarator.child_by_field_name("name")
            if name is None or name.type != "identifier":
                continue
            declaration = self.ev._scope(self.module).lookup(text(name), name)
            if declaration is not None:
                self.ev._assigned.pop(id(declaration), None)
                self.copied.discard(id(declaration))

    def expression(self, node: Node | None) -> None:
        """Assignments to local names are remembered; other effects are ignored."""
        if node is None or node.type not in (
            "assignment_expression",
            "augmented_assignment_expression",
        ):
            return
        left = node.child_by_field_name("left")
        assigns = node.type == "assignment_expression"
        if left is not None and left.type in _MEMBER_TARGETS and assigns:
            self.member_assignment(left, node.child_by_field_name("right"))
            return
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

    def fills_local_object(self, loop: Node) -> bool:
        """Whether a loop not followed sets members of an object literal bound to a local
        name: what that object holds afterwards is then not known."""
        for target in _member_targets(loop):
            declaration = self.ev._scope(self.module).lookup(text(target), target)
            if (
                declaration is not None
                and declaration.kind == "value"
                and declaration.node is not None
                and declaration.node.type == "object"
            ):
                return True
        return False

    def member_assignment(self, left: Node, right: Node | None) -> None:
        """`o[key] = value` / `o.key = value` on a local object: set it on a copy."""
        target = left.child_by_field_name("object")
        if target is None or target.type != "identifier":
            return
        declaration = self.ev._scope(self.module).lookup(text(target), target)
        if declaration is None or declaration.kind != "value":
            return
        current = self.ev.value(target, self.module)
        if not isinstance(current, dict):
            return
        if left.type == "member_expression":
            key: Any = text(left.child_by_field_name("property"))
        else:
            key = self.ev.value(left.child_by_field_name("index"), self.module)
        from crawler.extract.js.evaluate import to_js_string

        rendered = None if isinstance(key, Unresolved) else to_js_string(key)
        if rendered is None:
            self.ev._assigned[id(declaration)] = Unresolved("a key set at run time")
            return
        if id(declaration) not in self.copied:
            current = type(current)(current)
            self.copied.add(id(declaration))
        current[rendered] = self.ev.value(right, self.module)
        self.ev._assigned[id(declaration)] = current


def _assigned_names(body: Node, with_kind: bool = False) -> list[Any]:
    """The `x` of each `x = v` / `x op= v` / `x++` in `body`, nested functions left out;
    with `with_kind`, as (x, whether the change is `x += v`) pairs."""
    found: list[tuple[Node, bool]] = []
    stack, seen = list(body.named_children), 0
    while stack and seen < 5_000:
        seen += 1
        node = stack.pop()
        if node.type in ("assignment_expression", "augmented_assignment_expression"):
            left = node.child_by_field_name("left")
            if left is not None and left.type == "identifier":
                appends = text(node.child_by_field_name("operator")) == "+="
                found.append((left, node.type != "assignment_expression" and appends))
        elif node.type == "update_expression":
            argument = node.child_by_field_name("argument")
            if argument is not None and argument.type == "identifier":
                found.append((argument, False))
        if node.type not in FUNCTIONS:
            stack.extend(node.named_children)
    return found if with_kind else [target for target, _ in found]


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
