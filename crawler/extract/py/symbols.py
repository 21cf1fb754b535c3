"""What each name in a block of statements is bound to, in source order.

Used for module bodies and for function bodies (the factory functions and
list_tools handlers). Compound statements (if/try/with/for/while/match) are
flattened: a tool list filled in under `if` still counts. Nested function and
class bodies are not entered; their names are bound to the definition.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

# Binding kinds
ASSIGN = "assign"  # name = expr (also annotated assignment and walrus-free targets)
AUGMENT = "augment"  # name += expr
CALL = "call"  # name.append(expr) / .extend / .update / .insert
ITEM = "item"  # name[key] = expr
DEF = "def"  # def / async def
CLASS = "class"
IMPORT = "import"  # import a.b [as c]
FROM = "from"  # from m import x [as y]
HELPER = "helper"  # register(x): a local function that mutates this name (a global)

_MUTATORS = {"append", "extend", "update", "insert", "add"}


@dataclass
class Binding:
    kind: str
    node: ast.AST
    value: ast.expr | None = None  # ASSIGN/AUGMENT/CALL/ITEM value
    method: str = ""  # CALL: the method name
    key: ast.expr | None = None  # ITEM: the subscript key
    module: str = ""  # IMPORT: module name; FROM: resolved module name
    attr: str = ""  # FROM: imported name
    # The `if` tests this statement runs under, rendered only when asked for.
    tests: tuple[Test, ...] = ()

    @property
    def condition(self) -> str | None:
        """The `if` tests as source text ("not READ_ONLY"), None when there are none."""
        return join_conditions(self.tests)


@dataclass
class SymbolTable:
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    returns: list[ast.Return] = field(default_factory=list)
    # While building: the `if` tests of the statement being read.
    tests: tuple[Test, ...] = ()

    def add(self, name: str, binding: Binding) -> None:
        binding.tests = self.tests
        self.bindings.setdefault(name, []).append(binding)


class Test:
    """One `if` test a statement runs under, possibly negated (`else`, guards).

    Its text is made only when a tool or binding asks for it: unparsing every
    test of every module is the slowest part of reading a package otherwise.
    """

    __slots__ = ("node", "negate", "_text")

    def __init__(self, node: ast.expr, negate: bool) -> None:
        self.node = node
        self.negate = negate
        self._text: str | None = None

    @property
    def text(self) -> str:
        if self._text is None:
            text = condition_text(self.node) or ""
            self._text = negated(text) if self.negate else text
        return self._text


def flat_statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements of a block, compound statements opened, in source order."""
    stack: list[Iterator[ast.stmt]] = [iter(body)]
    while stack:
        stmt = next(stack[-1], None)
        if stmt is None:
            stack.pop()
            continue
        yield stmt
        inner = _inner_blocks(stmt)
        if inner:
            stack.append(iter(inner))


def flat_with_conditions(body: list[ast.stmt]) -> Iterator[tuple[ast.stmt, tuple[Test, ...]]]:
    """Like flat_statements, each with the `if` tests it runs under.

    `if not enabled: return` makes the rest of the block depend on `enabled`.
    """
    stack: list[tuple[Iterator[ast.stmt], tuple[Test, ...]]] = [(iter(body), ())]
    while stack:
        block, conditions = stack[-1]
        stmt = next(block, None)
        if stmt is None:
            stack.pop()
            continue
        yield stmt, conditions
        if isinstance(stmt, ast.If):
            tests = _tests_of(stmt)
            if tests is None:
                stack.append((iter(stmt.body + stmt.orelse), conditions))
                continue
            test, inverse = tests
            if _leaves_block(stmt.body) and not stmt.orelse:
                # a guard: what follows in this block runs only when the test fails
                stack[-1] = (block, (*conditions, inverse))
            stack.append((iter(stmt.orelse), (*conditions, inverse)))
            stack.append((iter(stmt.body), (*conditions, test)))
            continue
        inner = _inner_blocks(stmt)
        if inner:
            stack.append((iter(inner), conditions))


def _tests_of(stmt: ast.If) -> tuple[Test, Test] | None:
    """The test of an `if` and its negation, made once per statement and kept on it."""
    cached = getattr(stmt, "_mcp_tests", False)
    if cached is False:
        cached = (
            None
            if not is_configuration(stmt.test)
            else (
                Test(stmt.test, False),
                Test(stmt.test, True),
            )
        )
        stmt._mcp_tests = cached
    return cached


def _inner_blocks(stmt: ast.stmt) -> list[ast.stmt]:
    """The statements nested in a compound statement, in source order."""
    kind = type(stmt)
    opens = _OPENS_BLOCKS.get(kind)
    if opens is None:
        opens = _OPENS_BLOCKS[kind] = _opens_blocks(kind)
    if not opens:  # most statements: checked once per class, not per statement
        return []
    if isinstance(stmt, ast.If):
        return stmt.body + stmt.orelse
    if isinstance(stmt, (ast.For, ast.AsyncFor, ast.While)):
        return stmt.body + stmt.orelse
    if isinstance(stmt, (ast.With, ast.AsyncWith)):
        return stmt.body
    if isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
        inner = list(stmt.body)
        for handler in stmt.handlers:
            inner += handler.body
        return inner + stmt.orelse + stmt.finalbody
    if isinstance(stmt, ast.Match):
        inner = []
        for case in stmt.cases:
            inner += case.body
        return inner
    return []


# Statement class -> whether _inner_blocks opens it.
_OPENS_BLOCKS: dict[type, bool] = {}


_COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.With, ast.AsyncWith, ast.Try, ast.Match)


def _opens_blocks(kind: type) -> bool:
    return issubclass(kind, _COMPOUND) or kind.__name__ == "TryStar"


def _leaves_block(body: list[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], (ast.Return, ast.Continue))


_MAX_CONDITION = 160
# Tests that are not configuration: the script guard and typing-only imports.
_NOT_CONFIGURATION = ("__name__", "TYPE_CHECKING", "sys.version_info")


def is_configuration(test: ast.expr) -> bool:
    """Whether an `if` test can be a configuration switch, read from its names.

    The same decision as condition_text's (no `__name__`, `TYPE_CHECKING` or
    `sys.version_info` in the test) without unparsing it.
    """
    stack = [test]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Name):
            words = (node.id,)
        elif isinstance(node, ast.Attribute):
            words = (node.attr,)
            if node.attr.startswith("version_info") and _ends_with_sys(node.value):
                return False
        elif isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
            words = (repr(node.value),)
        elif isinstance(node, ast.keyword) and node.arg:
            words = (node.arg,)
        elif isinstance(node, ast.arg):
            words = (node.arg,)
        else:
            words = ()
        for word in words:
            if "__name__" in word or "TYPE_CHECKING" in word or "sys.version_info" in word:
                return False
        stack.extend(ast.iter_child_nodes(node))
    return True


def _ends_with_sys(node: ast.expr) -> bool:
    if isinstance(node, ast.Name):
        return node.id.endswith("sys")
    return isinstance(node, ast.Attribute) and node.attr.endswith("sys")


def condition_text(test: ast.expr) -> str | None:
    """Readable text of an `if` test, or None when it is no configuration switch."""
    try:
        text = ast.unparse(test)
    except (ValueError, RecursionError):
        return None
    if any(word in text for word in _NOT_CONFIGURATION):
        return None
    text = " ".join(text.split())
    return text if len(text) <= _MAX_CONDITION else text[: _MAX_CONDITION - 3] + "..."


def negated(text: str) -> str:
    """The text of `not <test>`, spelled the way a reader would."""
    try:
        node = ast.parse(text, mode="eval").body
    except (SyntaxError, ValueError, RecursionError):  # a shortened text
        return f"not ({text})"
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        return ast.unparse(node.operand)
    if isinstance(node, ast.Compare) and len(node.ops) == 1:
        flipped = {ast.Is: ast.IsNot, ast.IsNot: ast.Is, ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}
        flip = flipped.get(type(node.ops[0]))
        if flip is not None:
            return ast.unparse(ast.Compare(node.left, [flip()], node.comparators))
    if isinstance(node, (ast.Name, ast.Attribute, ast.Call, ast.Subscript, ast.Constant)):
        return f"not {text}"
    return f"not ({text})"


# Suffixes of a condition text decided for the default configuration (see defaults.py).
ON = " (on by default)"
OFF = " (off by default)"


def strip_state(text: str) -> tuple[str, bool | None]:
    """A condition text without its suffix, and the state the suffix gave."""
    if text.endswith(ON):
        return text[: -len(ON)], True
    if text.endswith(OFF):
        return text[: -len(OFF)], False
    return text, None


def join_conditions(conditions) -> str | None:
    """`a and b` from condition texts or Tests; None when there are none."""
    if not conditions:
        return None
    conditions = [c if isinstance(c, str) or c is None else c.text for c in conditions]
    conditions = [c for c in conditions if c]
    if not conditions:
        return None
    if len(conditions) == 1:
        return conditions[0]
    # parts decided for the default configuration: `and` of their states
    split = [strip_state(c) for c in conditions]
    texts = [text for text, _ in split]
    joined = " and ".join(c if " or " not in c else f"({c})" for c in texts)
    if not any(state is not None for _, state in split):
        return joined
    states = [state for _, state in split]
    if any(state is False for state in states):
        return joined + OFF
    return joined + ON if all(states) else joined


def resolve_relative(current: str, is_package: bool, level: int, module: str | None) -> str:
    """The absolute module name of `from <level dots><module> import ...`."""
    if level == 0:
        return module or ""
    parts = current.split(".") if current else []
    if not is_package:
        parts = parts[:-1]
    if level > 1:
        parts = parts[: len(parts) - (level - 1)] if level - 1 <= len(parts) else []
    if module:
        parts.append(module)
    return ".".join(parts)


def build_table(body: list[ast.stmt], module_name: str, is_package: bool) -> SymbolTable:
    table = SymbolTable()
    flat = list(flat_with_conditions(body))
    helpers = _helpers([stmt for stmt, _ in flat])
    for stmt, conditions in flat:
        table.tests = conditions
        _bind_statement(table, stmt, module_name, is_package, helpers)
    table.tests = ()
    return table


def _bind_statement(
    table: SymbolTable,
    stmt: ast.stmt,
    module_name: str,
    is_package: bool,
    helpers: dict[str, list[str]],
) -> None:
    if isinstance(stmt, ast.Return):
        table.returns.append(stmt)
    elif isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            _bind_target(table, target, stmt)
    elif isinstance(stmt, ast.AnnAssign):
        if stmt.value is not None:
            _bind_target(table, stmt.target, stmt, stmt.value)
    elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
        table.add(stmt.target.id, Binding(AUGMENT, stmt, stmt.value))
    elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call):
        _bind_mutation(table, stmt.value)
        func = stmt.value.func
        if isinstance(func, ast.Name) and func.id in helpers:
            for name in helpers[func.id]:
                table.add(name, Binding(HELPER, stmt.value, method=func.id))
    elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
        table.add(stmt.name, Binding(DEF, stmt))
    elif isinstance(stmt, ast.ClassDef):
        table.add(stmt.name, Binding(CLASS, stmt))
    elif isinstance(stmt, ast.Import):
        for alias in stmt.names:
            if alias.asname:
                table.add(alias.asname, Binding(IMPORT, stmt, module=alias.name))
            else:
                top = alias.name.split(".")[0]
                table.add(top, Binding(IMPORT, stmt, module=top))
    elif isinstance(stmt, ast.ImportFrom):
        source = resolve_relative(module_name, is_package, stmt.level, stmt.module)
        for alias in stmt.names:
            if alias.name != "*":
                table.add(
                    alias.asname or alias.name,
                    Binding(FROM, stmt, module=source, attr=alias.name),
                )


def _helpers(statements: list[ast.stmt]) -> dict[str, list[str]]:
    """Functions of this block that fill in a name they do not assign themselves:
    `def add_handler(h): handlers[h.name] = h` -> {"add_handler": ["handlers"]}."""
    found: dict[str, list[str]] = {}
    for stmt in statements:
        if not isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        local: set[str] = {a.arg for a in stmt.args.args + stmt.args.kwonlyargs}
        mutated: list[str] = []
        for inner in flat_statements(stmt.body):
            if isinstance(inner, ast.Assign):
                for target in inner.targets:
                    if isinstance(target, ast.Name):
                        local.add(target.id)
                    elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
                        mutated.append(target.value.id)
            elif isinstance(inner, ast.Expr) and isinstance(inner.value, ast.Call):
                func = inner.value.func
                if (
                    isinstance(func, ast.Attribute)
                    and isinstance(func.value, ast.Name)
                    and func.attr in _MUTATORS
                ):
                    mutated.append(func.value.id)
        names = [n for n in dict.fromkeys(mutated) if n not in local]
        if names:
            found[stmt.name] = names
    return found


def _bind_target(table: SymbolTable, target: ast.expr, stmt: ast.stmt, value=None) -> None:
    value = value if value is not None else stmt.value
    if isinstance(target, ast.Name):
        table.add(target.id, Binding(ASSIGN, stmt, value))
    elif isinstance(target, ast.Subscript) and isinstance(target.value, ast.Name):
        table.add(target.value.id, Binding(ITEM, stmt, value, key=target.slice))
    elif isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)):
        if len(target.elts) == len(value.elts):
            for sub_target, sub_value in zip(target.elts, value.elts, strict=True):
                _bind_target(table, sub_target, stmt, sub_value)


def _bind_mutation(table: SymbolTable, call: ast.Call) -> None:
    func = call.func
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.attr in _MUTATORS
        and call.args
    ):
        table.add(func.value.id, Binding(CALL, call, call.args[-1], method=func.attr))


def callee_name(call: ast.Call) -> str:
    """The last name of what is called: `f` in `f(...)` and in `a.b.f(...)`."""
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""
