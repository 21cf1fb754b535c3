"""What the tree-sitter based extractors share: parsing within limits and walking nodes."""

from __future__ import annotations

from collections.abc import Container, Iterator
from dataclasses import dataclass, field

from tree_sitter import Node, Parser, Tree


@dataclass
class Screened:
    """A tree, or why there is none; plus notes worth keeping even when parsing worked."""

    tree: Tree | None = None
    skip_reason: str | None = None
    notes: list[str] = field(default_factory=list)


def parse_within_limits(parser: Parser, data: bytes, max_bytes: int) -> Screened:
    """Parse `data` unless it is too large or binary. Never raises on hostile input."""
    if len(data) > max_bytes:
        return Screened(skip_reason=f"larger than {max_bytes} bytes ({len(data)} bytes)")
    if b"\x00" in data[:8192]:
        return Screened(skip_reason="binary content (NUL bytes)")
    notes = []
    try:
        # ASCII is valid UTF-8: checked without making a copy of a megabyte bundle
        if not data.isascii():
            data.decode("utf-8")
    except UnicodeDecodeError:
        notes.append("not valid UTF-8; read with replacement characters")
    try:
        tree = parser.parse(data)
    except Exception as exc:  # tree-sitter raising is a bug there, but never ours to pass on
        return Screened(skip_reason=f"parser failed: {type(exc).__name__}")
    return Screened(tree=tree, notes=notes)


def first_error_line(root: Node) -> int:
    """Line of the first error or missing node in document order (else of `root`).

    Only subtrees that hold an error are entered, so a megabyte file with one
    slip near its end costs a path down the tree, not a walk of all of it.
    """
    cursor = root.walk()
    while True:
        node = cursor.node
        if node.is_error or node.is_missing:
            return node.start_point[0] + 1
        if node.has_error and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return root.start_point[0] + 1


def walk(root: Node, prune: Container[str] = ()) -> Iterator[Node]:
    """Every node under `root` in document order, without recursion.

    Nodes of a type in `prune` (below `root`) are given but not gone into.
    """
    cursor = root.walk()
    yield cursor.node
    if not cursor.goto_first_child():
        return
    while True:
        node = cursor.node
        yield node
        if (not prune or node.type not in prune) and cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return


def text(node: Node | None) -> str:
    raw = node.text if node is not None else None  # each read of .text copies the bytes
    return "" if raw is None else raw.decode("utf-8", "replace")


def line_of(node: Node) -> int:
    return node.start_point[0] + 1


def enclosing(node: Node, *types: str) -> Node | None:
    """The nearest ancestor of one of `types`."""
    current = node.parent
    while current is not None:
        if current.type in types:
            return current
        current = current.parent
    return None
