"""Signs that a server makes (some of) its tools at run time.

Static reading cannot list tools that are written straight into the tool
manager in a loop, or generated from an OpenAPI document or FastAPI app
that is fetched or built when the server starts. Each sign becomes a note
with its file and line, so an empty or short list is never silent.
"""

from __future__ import annotations

import ast

from crawler.extract.py.modules import Module

_GENERATORS = {
    "from_openapi": "tools are generated from an OpenAPI document at run time",
    "from_fastapi": "tools are generated from a FastAPI application's routes",
}


def runtime_signs(module: Module, handled: frozenset[tuple[str, int]] = frozenset()) -> list[str]:
    """Notes for the module's run-time tool sources; `handled` call sites were read elsewhere."""
    text = module.text
    if "_tool_manager" not in text and "from_openapi" not in text and "from_fastapi" not in text:
        return []
    notes: list[str] = []
    for node in ast.walk(module.tree):
        if isinstance(node, (ast.Assign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(_touches_tool_manager(t) for t in targets):
                notes.append(
                    f"{module.path}:{node.lineno}: tools are written into the tool manager"
                    " at run time"
                )
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            why = _GENERATORS.get(node.func.attr)
            if why and (module.path, node.lineno) not in handled:
                notes.append(f"{module.path}:{node.lineno}: {why}")
        if len(notes) >= 5:
            break
    return notes


def _touches_tool_manager(target: ast.expr) -> bool:
    node = target
    for _ in range(10):
        if isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Attribute):
            if node.attr in ("_tool_manager", "_tools"):
                return True
            node = node.value
        else:
            return False
    return False
