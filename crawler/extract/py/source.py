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

    Exact for statements; an expression written on one line is not entered
    when its width alone keeps it shallow enough (each level of an expression
    takes at least one character, and its leaf context/operator nodes one
    more level), which skips most of the nodes of a module. Stops once above
    `stop_above`. When `imports` is given, the Import/ImportFrom nodes met are
    appended to it (one walk serves both needs).
    """
    deepest = 0
    # (node, depth, exact): inside f-strings the positions of 3.11 are not to
    # be trusted, so those subtrees are walked node by node.
    stack: list[tuple[ast.AST, int, bool]] = [(tree, 1, False)]
    expr_type = ast.expr
    import_types = (ast.Import, ast.ImportFrom)
    fields_of: dict[type, tuple[str, ...]] = {}
    while stack:
        node, depth, exact = stack.pop()
        kind = type(node)
        if not exact and isinstance(node, expr_type):
            if node.lineno == node.end_lineno:
                bound = depth + 2 * (node.end_col_offset - node.col_offset) + 4
                if bound <= stop_above:
                    if bound > deepest:
                        deepest = bound
                    continue
            exact = kind is ast.JoinedStr
        if depth > deepest:
            deepest = depth
            if deepest > stop_above:
                return deepest
        if imports is not None and isinstance(node, import_types):
            imports.append(node)
        names = fields_of.get(kind)
        if names is None:
            names = fields_of[kind] = kind._fields
        for name in names:
            value = getattr(node, name, None)
            if isinstance(value, ast.AST):
                stack.append((value, depth + 1, exact))
            elif isinstance(value, list):
                for item in value:
                    if isinstance(item, ast.AST):
                        stack.append((item, depth + 1, exact))
    return deepest


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
