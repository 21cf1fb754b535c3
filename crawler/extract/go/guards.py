"""Boolean settings that guard a tool's registration, read with their flag defaults.

A tool registered inside `if cfg.DynamicToolsets { ... }`, or in a helper called as
`AddFolderTools(s, enableWrite)` that registers it under `if enableWrite`, is on only
when that setting is. The path from where the tool is named up to the server's entry is
climbed (through the package variable holding the tool, and through the one caller of
each enclosing function; a function with several callers ends the climb, since which
call matters is not known), and each `if` on it whose condition can be read from flag
defaults becomes part of the tool's condition:
- flags: `flag.BoolVar(&c.write, "disable-write", false, ...)`, `Flags().Bool("read-only",
  false, ...)`, `BoolP`/`BoolVarP`; a setting is matched to a flag by its target field or
  by name, ignoring case, `-` and `_` (`cfg.ReadOnly` ~ `read-only`);
- conditions: `x`, `!x`, `a && b`, `a || b`, parentheses, `true`/`false`, parameters bound
  at the caller, and locals assigned before use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from tree_sitter import Node

from crawler.extract.go.evaluate import Evaluator
from crawler.extract.go.parsing import GoFile
from crawler.extract.go.symbols import PackageIndex
from crawler.extract.treesitter import enclosing, text

Anchor = tuple[Node, GoFile, PackageIndex]

MAX_STEPS = 12
MAX_EVAL_DEPTH = 16
_FUNCTIONS = ("function_declaration", "method_declaration", "func_literal")
# Flag constructors: name -> (index of the name argument, index of the default argument).
_FLAG_CALLS = {"Bool": (0, 1), "BoolP": (0, 2), "BoolVar": (1, 2), "BoolVarP": (1, 3)}


@dataclass
class Env:
    """Parameters of the function being climbed through, bound at its one caller."""

    arguments: dict[str, Node] = field(default_factory=dict)
    outer: Env | None = None


@dataclass
class Guard:
    text: str
    default: bool


def _normal(name: str) -> str:
    return name.replace("-", "").replace("_", "").lower()


class GuardReader:
    def __init__(
        self,
        evaluator: Evaluator,
        reachable: list[PackageIndex],
        callers: Callable[[Node, PackageIndex], list[Anchor]],
        uses: Callable[[Node, PackageIndex], list[Anchor]],
    ) -> None:
        self.evaluator = evaluator
        self.reachable = reachable
        self.callers = callers
        self.uses = uses
        self._defaults: dict[str, bool] | None = None

    # -- the guards on a tool's path --------------------------------------------------------

    def guards(self, anchor: Anchor) -> list[Guard]:
        node, _go_file, package = anchor
        frame = Env()
        # (the if statement, whether the tool is in its then-branch, the frame to read it in)
        pending: list[tuple[Node, bool, Env]] = []
        for _ in range(MAX_STEPS):
            function = enclosing(node, *_FUNCTIONS)
            pending.extend(
                (branch, inside, frame) for branch, inside in _ifs_between(node, function)
            )
            if function is None:
                uses = self.uses(node, package)
                if len(uses) != 1:
                    break
                node, _go_file, package = uses[0]
                frame = Env()
                continue
            outer = Env()
            frame.outer = outer
            if function.type == "func_literal":
                node, frame = function, outer
                continue
            callers = self.callers(function, package)
            if len(callers) != 1:
                break
            call, _go_file, package = callers[0]
            # Bound only now: the frame's parameters take the arguments of its one caller.
            frame.arguments = _arguments(function, call)
            node, frame = call, outer
        guards: list[Guard] = []
        for branch, inside, where in pending:
            condition = branch.child_by_field_name("condition")
            value = self._value(condition, where, 0)
            if value is None or condition is None:
                continue
            wording = text(condition) if inside else f"not ({text(condition)})"
            guards.append(Guard(wording[:120], value if inside else not value))
        return guards

    # -- a condition's value in the default configuration -------------------------------------

    def _value(self, node: Node | None, env: Env | None, depth: int) -> bool | None:
        if node is None or depth > MAX_EVAL_DEPTH:
            return None
        kind = node.type
        if kind == "parenthesized_expression" and node.named_children:
            return self._value(node.named_children[0], env, depth + 1)
        if kind in ("true", "false"):
            return kind == "true"
        if kind == "unary_expression" and text(node.child_by_field_name("operator")) == "!":
            inner = self._value(node.child_by_field_name("operand"), env, depth + 1)
            return None if inner is None else not inner
        if kind == "binary_expression":
            operator = text(node.child_by_field_name("operator"))
            if operator not in ("&&", "||"):
                return None
            left = self._value(node.child_by_field_name("left"), env, depth + 1)
            right = self._value(node.child_by_field_name("right"), env, depth + 1)
            if operator == "&&":
                if left is False or right is False:
                    return False
                return True if left and right else None
            if left or right:
                return True
            return False if left is False and right is False else None
        if kind == "identifier":
            name = text(node)
            local = self.evaluator.local_definition(node, name)
            if local is not None:
                return self._value(local, env, depth + 1)
            frame = env
            while frame is not None:
                if name in frame.arguments:
                    return self._value(frame.arguments[name], frame.outer, depth + 1)
                frame = frame.outer
            return self.flag_defaults().get(_normal(name))
        if kind == "selector_expression":
            field_name = text(node.child_by_field_name("field"))
            return self.flag_defaults().get(_normal(field_name))
        if kind == "call_expression":
            # Settings looked up by key, e.g. viper.GetBool("read-only").
            arguments = node.child_by_field_name("arguments")
            args = arguments.named_children if arguments is not None else []
            if len(args) == 1 and args[0].type == "interpreted_string_literal":
                return self.flag_defaults().get(_normal(text(args[0]).strip('"')))
        return None

    def flag_defaults(self) -> dict[str, bool]:
        """Normalised flag name or target field -> the flag's default."""
        if self._defaults is not None:
            return self._defaults
        defaults: dict[str, bool] = {}
        ambiguous: set[str] = set()
        for index in self.reachable:
            for go_file in index.package.files:
                for node in go_file.nodes_of("call_expression"):
                    for key, value in _flag_definition(node):
                        if key in defaults and defaults[key] != value:
                            ambiguous.add(key)
                        defaults[key] = value
        for key in ambiguous:
            defaults.pop(key, None)
        self._defaults = defaults
        return defaults


def _ifs_between(node: Node, function: Node | None) -> list[tuple[Node, bool]]:
    """The if statements around `node` inside `function`: (statement, in its then-branch)."""
    found: list[tuple[Node, bool]] = []
    child, parent = node, node.parent
    while parent is not None and (function is None or parent.id != function.id):
        if parent.type == "if_statement":
            consequence = parent.child_by_field_name("consequence")
            alternative = parent.child_by_field_name("alternative")
            if consequence is not None and child.id == consequence.id:
                found.append((parent, True))
            elif alternative is not None and child.id == alternative.id:
                found.append((parent, False))
        child, parent = parent, parent.parent
    return found


def _arguments(function: Node, call: Node) -> dict[str, Node]:
    params = function.child_by_field_name("parameters")
    names: list[str] = []
    for declaration in params.named_children if params is not None else []:
        if declaration.type == "variadic_parameter_declaration":
            break
        names.extend(text(n) for n in declaration.children_by_field_name("name"))
    arguments = call.child_by_field_name("arguments")
    args = [
        a
        for a in (arguments.named_children if arguments is not None else [])
        if a.type != "comment"
    ]
    return dict(zip(names, args, strict=False))


def _flag_definition(call: Node) -> list[tuple[str, bool]]:
    function = call.child_by_field_name("function")
    if function is None or function.type != "selector_expression":
        return []
    positions = _FLAG_CALLS.get(text(function.child_by_field_name("field")))
    if positions is None:
        return []
    arguments = call.child_by_field_name("arguments")
    args = [
        a
        for a in (arguments.named_children if arguments is not None else [])
        if a.type != "comment"
    ]
    name_at, default_at = positions
    if len(args) <= default_at or args[default_at].type not in ("true", "false"):
        return []
    default = args[default_at].type == "true"
    found: list[tuple[str, bool]] = []
    name = args[name_at]
    if name.type == "interpreted_string_literal":
        found.append((_normal(text(name).strip('"')), default))
    if name_at == 1:  # BoolVar(&target, ...): the target's field or variable name too
        target = args[0]
        if target.type == "unary_expression":
            target = target.child_by_field_name("operand") or target
        if target.type == "selector_expression":
            found.append((_normal(text(target.child_by_field_name("field"))), default))
        elif target.type == "identifier":
            found.append((_normal(text(target)), default))
    return found
