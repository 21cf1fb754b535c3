"""`parser.parse_args()` in the default configuration: every option at its default.

The options are the `add_argument` calls in the function (or module body)
that created the parser, argument groups included. A destination is its
`dest=`, else its first long option, else its first short one or its
positional name; its value the `default=`, else False for `store_true`, True
for `store_false`, None otherwise.
"""

from __future__ import annotations

import ast
from typing import Any

from crawler.extract.py.values import FuncRef, ObjectValue, Unknown

MAX_OPTIONS = 500
_FLAG_DEFAULTS = {"store_true": False, "store_false": True}


def parsed_defaults(ev: Any, parser: ObjectValue) -> ObjectValue | None:
    module = ev.project.module_at(parser.file) if parser.file else None
    if module is None:
        return None
    body, function = _creating_body(module.tree, parser.line)
    scope = ev.module_scope(module)
    if function is not None:
        spec = function.args
        params = spec.posonlyargs + spec.args + spec.kwonlyargs
        bound = {p.arg: Unknown(module.path, function.lineno, "parameter") for p in params}
        scope = ev.function_scope(FuncRef(module, function, scope), bound)
    values: dict[str, Any] = {}
    for node in _calls(body):
        if len(values) >= MAX_OPTIONS:
            break
        names = [a.value for a in node.args if isinstance(a, ast.Constant)]
        names = [n for n in names if isinstance(n, str)]
        keywords = {k.arg: k.value for k in node.keywords if k.arg}
        dest = _dest(names, keywords)
        if dest is None or dest in values:
            continue
        if "default" in keywords:
            values[dest] = ev.eval(keywords["default"], scope, 1)
        else:
            action = keywords.get("action")
            name = action.value if isinstance(action, ast.Constant) else None
            values[dest] = _FLAG_DEFAULTS.get(name) if isinstance(name, str) else None
    return ObjectValue("argparse.Namespace", [], values, parser.file, parser.line)


def _creating_body(tree: ast.Module, line: int):
    """The innermost function body around `line`, or the module body."""
    body, function = tree.body, None
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if node.lineno <= line <= (node.end_lineno or node.lineno):
                body, function = node.body, node
                stack = list(node.body)
                continue
        if isinstance(node, ast.ClassDef) or hasattr(node, "body"):
            if node.lineno <= line <= (getattr(node, "end_lineno", None) or node.lineno):
                stack.extend(getattr(node, "body", []))
    return body, function


def _calls(body: list[ast.stmt]):
    """`*.add_argument(...)` calls in a body, nested functions left out."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add_argument"
        ):
            yield node
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _dest(names: list[str], keywords: dict[str, ast.expr]) -> str | None:
    dest = keywords.get("dest")
    if isinstance(dest, ast.Constant) and isinstance(dest.value, str):
        return dest.value
    if not names:
        return None
    if not names[0].startswith("-"):
        return names[0] if names[0].isidentifier() else None
    long = next((n for n in names if n.startswith("--")), None)
    chosen = (long or names[0]).lstrip("-").replace("-", "_")
    return chosen if chosen.isidentifier() else None
