"""Turning package bytes into syntax trees, within limits.

A file that is too large, not UTF-8, not parseable, or nested so deeply that
walking it recursively could overflow the stack is refused with a reason; the
caller records that as a FileSkip and goes on with the other files.
"""

from __future__ import annotations

import ast
import warnings

# Deeper syntax trees are refused: every recursive walk in this package stays
# far below Python's own recursion limit when trees are at most this deep.
MAX_TREE_DEPTH = 150


class SourceRefused(Exception):
    """The file cannot be read as Python; the message says why."""


def parse_python(path: str, data: bytes, max_bytes: int) -> tuple[ast.Module, str, list]:
    """Parse `data` as a Python module or raise SourceRefused.

    Returns the tree, the text and the module's import statements in order.
    """
    if len(data) > max_bytes:
        raise SourceRefused(f"file is {len(data)} bytes, above the {max_bytes} byte limit")
    if b"\x00" in data:
        raise SourceRefused("binary file (contains NUL bytes)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceRefused(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        with warnings.catch_warnings():
            # Invalid escape sequences and the like are warnings, not our concern.
            warnings.simplefilter("ignore")
            tree = ast.parse(text, filename=path)
    except SyntaxError as exc:
        raise SourceRefused(f"syntax error at line {exc.lineno}: {exc.msg}") from None
    except (ValueError, RecursionError, MemoryError, OverflowError) as exc:
        raise SourceRefused(f"cannot parse: {type(exc).__name__}") from None
    imports: list[ast.Import | ast.ImportFrom] = []
    depth = tree_depth(tree, MAX_TREE_DEPTH, imports)
    if depth > MAX_TREE_DEPTH:
        raise SourceRefused(f"syntax tree nested deeper than {MAX_TREE_DEPTH} levels")
    imports.sort(key=lambda n: (n.lineno, n.col_offset))
    return tree, text, imports


def parse_expression(text: str) -> ast.expr | None:
    """Parse a string annotation ("list[str]"); None when it is not an expression."""
    if len(text) > 2000:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if tree_depth(tree, MAX_TREE_DEPTH) > MAX_TREE_DEPTH:
        return None
    return tree.body


def tree_depth(tree: ast.AST, stop_above: int, imports: list | None = None) -> int:
    """An upper bound of the tree's depth, counted without recursion.

    Exact for compound statements; an expression (or argument, keyword, simple
    statement) written on one line is not entered when its width alone keeps it
    shallow enough, which skips most of the nodes of a module. Each node of an
    expression spans at least one character more than any node below it, so the
    levels under a one-line node number at most its width, plus one for the leaf
    context/operator nodes (and one for a statement's own level); one more is
    kept as a margin. Stops once above `stop_above`. When `imports` is given, the
    Import/ImportFrom nodes met are appended to it (one walk serves both needs).
    """
    deepest = 0
    # (node, depth, exact): inside f-strings the positions of 3.11 are not to
    # be trusted, so those subtrees are walked node by node.
    stack: list[tuple[ast.AST, int, bool]] = [(tree, 1, False)]
    push = stack.append
    pop = stack.pop
    shape_of = _SHAPES
    node_type = ast.AST
    while stack:
        node, depth, exact = pop()
        kind = type(node)
        shape = shape_of.get(kind)
        if shape is None:
            shape = _shape(kind)
        is_expression, is_fstring, is_import, is_simple, names = shape
        if is_import and imports is not None:
            imports.append(node)
        if is_expression and not exact:
            if node.lineno == node.end_lineno:
                bound = depth + (node.end_col_offset - node.col_offset) + 1
                if bound <= stop_above:
                    if bound > deepest:
                        deepest = bound
                    continue
            exact = is_fstring
        elif is_simple and node.lineno == node.end_lineno:
            # A one-line simple statement holds one-line expressions (and import
            # aliases) only, each bounded as above one level further down.
            bound = depth + (node.end_col_offset - node.col_offset) + 2
            if bound <= stop_above:
                if bound > deepest:
                    deepest = bound
                continue
        if depth > deepest:
            deepest = depth
            if deepest > stop_above:
                return deepest
        inner = depth + 1
        for name in names:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    # A one-line item bounded by its width is done here, not pushed and
                    # popped: most statements of a body and most items of a literal are.
                    item_shape = shape_of.get(type(item))
                    if item_shape is None:
                        if not isinstance(item, node_type):
                            continue
                        item_shape = _shape(type(item))
                    if (item_shape[0] and not exact) or item_shape[3]:
                        if item.lineno == item.end_lineno:
                            width = item.end_col_offset - item.col_offset
                            bound = inner + width + (1 if item_shape[0] else 2)
                            if bound <= stop_above:
                                if item_shape[2] and imports is not None:
                                    imports.append(item)
                                if bound > deepest:
                                    deepest = bound
                                continue
                    push((item, inner, exact))
            elif isinstance(value, node_type):
                if value._fields:
                    push((value, inner, exact))
                elif inner > deepest:  # a context or operator: a leaf, one level down
                    deepest = inner
                    if deepest > stop_above:
                        return deepest
    return deepest


# Nodes with positions whose subtree is an expression's: bounded by their width.
_WIDTH_BOUNDED = (ast.expr, ast.arg, ast.keyword, ast.alias)
# Node class -> (is an expression, is an f-string, is an import, is a simple statement,
# fields that may hold nodes)
_SHAPES: dict[type, tuple[bool, bool, bool, bool, tuple[str, ...]]] = {}
# Statements that hold no other statements.
_SIMPLE_STATEMENTS = (
    ast.Expr,
    ast.Assign,
    ast.AugAssign,
    ast.AnnAssign,
    ast.Return,
    ast.Raise,
    ast.Assert,
    ast.Delete,
    ast.Import,
    ast.ImportFrom,
    ast.Global,
    ast.Nonlocal,
    ast.Pass,
    ast.Break,
    ast.Continue,
)
# Fields that only ever hold names, numbers or flags, never nodes.
_PLAIN_FIELDS = frozenset(
    {"name", "id", "arg", "attr", "module", "level", "type_comment", "kind", "conversion"}
)


def _shape(kind: type) -> tuple[bool, bool, bool, bool, tuple[str, ...]]:
    fields = () if kind is ast.Constant else kind._fields
    shape = (
        issubclass(kind, _WIDTH_BOUNDED),
        kind is ast.JoinedStr,
        kind is ast.Import or kind is ast.ImportFrom,
        kind in _SIMPLE_STATEMENTS,
        tuple(name for name in fields if name not in _PLAIN_FIELDS),
    )
    _SHAPES[kind] = shape
    return shape


def cleandoc(text: str) -> str:
    """Clean a docstring the way inspect.cleandoc does.

    Tabs become spaces, the common indentation of all lines after the first is
    removed, the first line loses its leading whitespace, and blank lines at
    both ends are dropped.
    """
    lines = text.expandtabs().split("\n")
    margin = None
    for line in lines[1:]:
        content = len(line.lstrip())
        if content:
            indent = len(line) - content
            margin = indent if margin is None else min(margin, indent)
    if lines:
        lines[0] = lines[0].lstrip()
    if margin is not None:
        lines[1:] = [line[margin:] for line in lines[1:]]
    while lines and not lines[-1]:
        lines.pop()
    while lines and not lines[0]:
        lines.pop(0)
    return "\n".join(lines)
