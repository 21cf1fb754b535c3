"""Parse one JavaScript or TypeScript file with tree-sitter, within limits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import tree_sitter_javascript
import tree_sitter_typescript
from tree_sitter import Language, Node, Parser, Tree

SOURCE_SUFFIXES = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")
_TS_SUFFIXES = (".ts", ".mts", ".cts")


@lru_cache(maxsize=3)
def _parser(kind: str) -> Parser:
    if kind == "tsx":
        language = Language(tree_sitter_typescript.language_tsx())
    elif kind == "typescript":
        language = Language(tree_sitter_typescript.language_typescript())
    else:
        language = Language(tree_sitter_javascript.language())
    return Parser(language)


def language_for(path: str) -> str:
    if path.endswith(".tsx"):
        return "tsx"
    if path.endswith(_TS_SUFFIXES) and not path.endswith(".d.ts"):
        return "typescript"
    return "javascript"


@dataclass
class ParsedFile:
    path: str
    source: bytes
    tree: Tree

    @property
    def root(self) -> Node:
        return self.tree.root_node


@dataclass
class ParseOutcome:
    parsed: ParsedFile | None = None
    # Why the file was not parsed at all (becomes a FileSkip).
    skip_reason: str | None = None
    # Something worth telling even though the file was parsed.
    note: str | None = None


def parse_file(path: str, data: bytes, max_bytes: int) -> ParseOutcome:
    """Parse `data`, or say why not. Never raises on hostile input."""
    if len(data) > max_bytes:
        return ParseOutcome(skip_reason=f"larger than {max_bytes} bytes ({len(data)} bytes)")
    if b"\x00" in data[:8192]:
        return ParseOutcome(skip_reason="binary content (NUL bytes)")
    notes = []
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        notes.append("not valid UTF-8; read with replacement characters")
    try:
        tree = _parser(language_for(path)).parse(data)
    except Exception as exc:  # tree-sitter raising is a bug there, but never ours to pass on
        return ParseOutcome(skip_reason=f"parser failed: {type(exc).__name__}")
    if tree.root_node.has_error:
        line = first_error_line(tree.root_node)
        notes.append(f"syntax errors (first near line {line}); read what parsed")
    parsed = ParsedFile(path=path, source=data, tree=tree)
    return ParseOutcome(parsed=parsed, note="; ".join(notes) or None)


def first_error_line(root: Node) -> int:
    for node in walk(root):
        if node.is_error or node.is_missing:
            return node.start_point[0] + 1
    return root.start_point[0] + 1


def walk(root: Node) -> Iterator[Node]:
    """Every node under `root` in document order, without recursion."""
    cursor = root.walk()
    while True:
        yield cursor.node
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return


def text(node: Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", errors="replace")


def line_of(node: Node) -> int:
    return node.start_point[0] + 1
