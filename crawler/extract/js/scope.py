"""Find the declaration an identifier refers to, by walking up the syntax tree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tree_sitter import Node

from crawler.extract.treesitter import enclosing, text

BLOCKS = frozenset({"program", "statement_block", "class_static_block"})
FUNCTIONS = frozenset(
    {
        "arrow_function",
        "function_expression",
        "function_declaration",
        "generator_function",
        "generator_function_declaration",
        "method_definition",
        "function",
    }
)
# The node types _declared_in may find a declaration in.
_SCOPE_NODES = BLOCKS | FUNCTIONS | {"for_in_statement", "catch_clause"}
_DECLARATIONS = frozenset({"lexical_declaration", "variable_declaration"})
_NAMED_DECLARATIONS = frozenset(
    {
        "function_declaration",
        "generator_function_declaration",
        "class_declaration",
        "enum_declaration",
        "abstract_class_declaration",
    }
)


@dataclass(frozen=True)
class Declaration:
    """What a name is bound to.

    kind is "value" (node: the initialiser, or None), "function", "class" or
    "enum" (node: the declaration), "import" (binding), or "pattern": a
    function parameter, loop variable or destructured name; `root` is the
    whole pattern and `path` the keys/indices from its value to this name, with
    `node` the value it destructures when that is known (a declarator's value).
    """

    kind: str
    node: Node | None = None
    binding: Any = None
    root: Node | None = None
    path: tuple[Any, ...] = ()
    default: Node | None = None  # "pattern": the `= value` default written for this name


class Scopes:
    """Per-module cache of each block's declarations."""

    def __init__(self, imports: dict[str, Any]) -> None:
        self._imports = imports
        self._blocks: dict[int, dict[str, Declaration]] = {}
        # (name, node id it is read at) -> the scope node declaring it, None when none does.
        self._found: dict[tuple[str, int], Node | None] = {}
        # (name, pattern node id) -> (access path, default) of the name in that pattern.
        self._patterns: dict[tuple[str, int], tuple[tuple[Any, ...], Node | None] | None] = {}

    def lookup(self, name: str, at: Node) -> Declaration | None:
        key = (name, at.id)
        if key in self._found:
            # The same name read at the same place again (function bodies are followed
            # once per call): go straight to the scope that declared it.
            scope = self._found[key]
            return None if scope is None else self._declared_in(name, scope)
        node: Node | None = at
        steps = 0
        while node is not None and steps < 10_000:
            steps += 1
            # most ancestors (expressions, statements) declare nothing: not asked
            if node.type in _SCOPE_NODES:
                found = self._declared_in(name, node)
                if found is not None:
                    self._found[key] = node
                    return found
            node = node.parent
        self._found[key] = None
        return None

    def _declared_in(self, name: str, node: Node) -> Declaration | None:
        """`name`'s declaration when `node` is the scope (block, function, loop) declaring it."""
        kind = node.type
        if kind in BLOCKS:
            return self._block(node).get(name)
        if kind in FUNCTIONS:
            params = node.child_by_field_name("parameters")
            if params is None:
                params = node.child_by_field_name("parameter")
            if params is not None:
                found = self._in_pattern(name, params)
                if found is not None:
                    return found
            own = node.child_by_field_name("name")
            if kind != "method_definition" and own is not None and text(own) == name:
                return Declaration("function", node=node)
        elif kind == "for_in_statement":
            left = node.child_by_field_name("left")
            if left is not None:
                return self._in_pattern(name, left)
        elif kind == "catch_clause":
            param = node.child_by_field_name("parameter")
            if param is not None and name in text(param):
                return Declaration("pattern", root=param)
        return None

    def _in_pattern(self, name: str, pattern: Node) -> Declaration | None:
        """`name` bound by a parameter list or loop pattern; a new Declaration each time,
        as values assigned to a name are kept per Declaration while a body is followed."""
        key = (name, pattern.id)
        if key not in self._patterns:
            found = _pattern_lookup(name, pattern, pattern)
            self._patterns[key] = None if found is None else (found.path, found.default)
        known = self._patterns[key]
        if known is None:
            return None
        return Declaration("pattern", root=pattern, path=known[0], default=known[1])

    def _block(self, block: Node) -> dict[str, Declaration]:
        cached = self._blocks.get(block.id)
        if cached is not None:
            return cached
        table: dict[str, Declaration] = {}
        if block.type == "program":
            for local, binding in self._imports.items():
                table[local] = Declaration("import", binding=binding)
        for child in block.named_children:
            statement = child
            if child.type == "export_statement":
                inner = child.child_by_field_name("declaration")
                if inner is None:
                    continue
                statement = inner
            if statement.type in _DECLARATIONS:
                for declarator in statement.named_children:
                    if declarator.type == "variable_declarator":
                        _declare(table, declarator)
            elif statement.type in _NAMED_DECLARATIONS:
                name = statement.child_by_field_name("name")
                if name is not None:
                    kind = {"enum_declaration": "enum"}.get(statement.type, "function")
                    if "class" in statement.type:
                        kind = "class"
                    table.setdefault(text(name), Declaration(kind, node=statement))
        self._blocks[block.id] = table
        return table


def _declare(table: dict[str, Declaration], declarator: Node) -> None:
    pattern = declarator.child_by_field_name("name")
    value = declarator.child_by_field_name("value")
    if pattern is None:
        return
    if pattern.type == "identifier":
        table[text(pattern)] = Declaration("value", node=value)
        return
    for name, path in _pattern_paths(pattern):
        table[name] = Declaration(
            "pattern", node=value, root=pattern, path=path, default=_default_of(pattern, name)
        )


def _pattern_lookup(name: str, pattern: Node, root: Node) -> Declaration | None:
    for found, path in _pattern_paths(pattern):
        if found == name:
            return Declaration("pattern", root=root, path=path, default=_default_of(root, name))
    return None


def _default_of(pattern: Node, name: str) -> Node | None:
    """The default value written for `name` in a binding pattern (`x = 1`, `{x = 1}`)."""
    stack = [pattern]
    steps = 0
    while stack and steps < 2000:
        steps += 1
        node = stack.pop()
        if node.type in ("assignment_pattern", "object_assignment_pattern"):
            left = node.child_by_field_name("left")
            if left is not None and left.type in _NAME_NODES and text(left) == name:
                return node.child_by_field_name("right")
            stack.extend([left] if left is not None else [])
        elif node.type in ("required_parameter", "optional_parameter"):
            value = node.child_by_field_name("value")
            inner = node.child_by_field_name("pattern")
            if inner is not None and inner.type == "identifier" and text(inner) == name:
                return value
            stack.extend([inner] if inner is not None else [])
        elif node.type == "pair_pattern":
            value = node.child_by_field_name("value")
            stack.extend([value] if value is not None else [])
        elif node.type in _PATTERN_NODES:
            stack.extend(node.named_children)
    return None


_NAME_NODES = frozenset({"identifier", "shorthand_property_identifier_pattern"})
_PATTERN_NODES = frozenset(
    {"formal_parameters", "object_pattern", "array_pattern", "lexical_declaration"}
)


def _pattern_paths(pattern: Node, depth: int = 0) -> list[tuple[str, tuple[Any, ...]]]:
    """Each name a binding pattern introduces, with its access path."""
    if depth > 20:
        return []
    kind = pattern.type
    if kind in ("identifier", "shorthand_property_identifier_pattern"):
        return [(text(pattern), ())]
    if kind in ("required_parameter", "optional_parameter"):
        inner = pattern.child_by_field_name("pattern")
        return _pattern_paths(inner, depth + 1) if inner is not None else []
    if kind in ("assignment_pattern", "object_assignment_pattern"):
        left = pattern.child_by_field_name("left")
        return _pattern_paths(left, depth + 1) if left is not None else []
    if kind == "formal_parameters":
        out = []
        for index, param in enumerate(pattern.named_children):
            out.extend((n, (index, *p)) for n, p in _pattern_paths(param, depth + 1))
        return out
    if kind == "object_pattern":
        out = []
        for item in pattern.named_children:
            if item.type == "shorthand_property_identifier_pattern":
                out.append((text(item), (text(item),)))
            elif item.type == "object_assignment_pattern":
                left = item.child_by_field_name("left")
                if left is not None:
                    out.append((text(left), (text(left),)))
            elif item.type == "pair_pattern":
                key = item.child_by_field_name("key")
                value = item.child_by_field_name("value")
                if key is not None and value is not None:
                    key_text = text(key).strip("'\"")
                    out.extend((n, (key_text, *p)) for n, p in _pattern_paths(value, depth + 1))
        return out
    if kind == "array_pattern":
        out = []
        for index, item in enumerate(pattern.named_children):
            out.extend((n, (index, *p)) for n, p in _pattern_paths(item, depth + 1))
        return out
    if kind in ("lexical_declaration", "variable_declaration"):
        # `for (const x of ...)` may wrap the pattern this way in some grammars.
        out = []
        for declarator in pattern.named_children:
            name = (
                declarator.child_by_field_name("name")
                if declarator.type == "variable_declarator"
                else None
            )
            if name is not None:
                out.extend(_pattern_paths(name, depth + 1))
        return out
    return []


def enclosing_function(node: Node) -> Node | None:
    return enclosing(node, *FUNCTIONS)


def function_name(function: Node) -> str:
    """The name callers use for a function: its own, or the binding it is assigned to."""
    own = function.child_by_field_name("name")
    if own is not None and function.type != "method_definition":
        return text(own)
    parent = function.parent
    if parent is None:
        return ""
    if parent.type == "variable_declarator":
        name = parent.child_by_field_name("name")
        return text(name) if name is not None and name.type == "identifier" else ""
    if parent.type == "pair":
        return text(parent.child_by_field_name("key")).strip("'\"")
    if parent.type == "assignment_expression":
        left = parent.child_by_field_name("left")
        if left is not None and left.type == "member_expression":
            return text(left.child_by_field_name("property"))
        return text(left) if left is not None and left.type == "identifier" else ""
    if function.type == "method_definition" and own is not None:
        return text(own)
    return ""
