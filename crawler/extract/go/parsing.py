"""Parse one Go file with tree-sitter, within limits, and small helpers over its nodes.

`walk`, `text` and `line_of` are re-exported from crawler.extract.treesitter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import tree_sitter_go
from tree_sitter import Language, Node, Parser, Query, QueryCursor, Tree

from crawler.extract.treesitter import first_error_line, parse_within_limits, text, walk


@lru_cache(maxsize=1)
def _language() -> Language:
    return Language(tree_sitter_go.language())


@lru_cache(maxsize=1)
def _parser() -> Parser:
    return Parser(_language())


# The node types the package-wide indexes look for (calls, uses, literals, type
# declarations). They are found for a file once, by one query run in tree-sitter's
# C code, instead of each index walking every node of every file from Python.
INDEXED_TYPES = (
    "call_expression",
    "composite_literal",
    "identifier",
    "interpreted_string_literal",
    "selector_expression",
    "type_spec",
)


@lru_cache(maxsize=1)
def _indexed_query() -> Query:
    return Query(_language(), " ".join(f"({kind}) @{kind}" for kind in INDEXED_TYPES))


def _document_order(node: Node) -> tuple[int, int]:
    # an enclosing node starts no later and ends later than what it holds
    return node.start_byte, -node.end_byte


@dataclass
class GoFile:
    """One parsed Go file and what the package graph needs from it."""

    path: str
    source: bytes
    tree: Tree
    package: str = ""
    # Local name -> import path; the local name is the last path element unless renamed.
    imports: dict[str, str] = field(default_factory=dict)
    # Every imported path, blank (`_`) and dot imports included.
    import_paths: list[str] = field(default_factory=list)
    has_main_func: bool = False
    # INDEXED_TYPES kinds (one or several) -> their nodes in document order
    _nodes: dict[tuple[str, ...], list[Node]] = field(
        default_factory=dict, repr=False, compare=False
    )
    # what the query found, by kind, in no particular order
    _captured: dict[str, list[Node]] | None = field(default=None, repr=False, compare=False)

    def nodes_of(self, *kinds: str) -> list[Node]:
        """The file's nodes of the given INDEXED_TYPES kinds, in document order.

        The same as walking the tree and keeping those types; kept for later calls.
        """
        found = self._nodes.get(kinds)
        if found is not None:
            return found
        unknown = [kind for kind in kinds if kind not in INDEXED_TYPES]
        if unknown:
            raise ValueError(f"not an indexed node type: {unknown}")
        # a kind's nodes are put in order only when asked for (identifiers rarely are)
        found = [node for kind in kinds for node in self.nodes_unordered(kind)]
        found.sort(key=_document_order)
        self._nodes[kinds] = found
        return found

    def nodes_unordered(self, kind: str) -> list[Node]:
        """The file's nodes of one INDEXED_TYPES kind, in no particular order."""
        if kind not in INDEXED_TYPES:
            raise ValueError(f"not an indexed node type: {kind}")
        if self._captured is None:
            self._captured = QueryCursor(_indexed_query()).captures(self.root)
        return self._captured.get(kind, [])

    @property
    def root(self) -> Node:
        return self.tree.root_node

    @property
    def folder(self) -> str:
        return self.path.rpartition("/")[0]


@dataclass
class ParseOutcome:
    parsed: GoFile | None = None
    skip_reason: str | None = None
    note: str | None = None


def parse_file(path: str, data: bytes, max_bytes: int) -> ParseOutcome:
    """Parse `data`, or say why not. Never raises on hostile input."""
    screened = parse_within_limits(_parser(), data, max_bytes)
    if screened.tree is None:
        return ParseOutcome(skip_reason=screened.skip_reason)
    notes = screened.notes
    tree = screened.tree
    parsed = GoFile(path=path, source=data, tree=tree)
    _read_header(parsed)
    if tree.root_node.has_error:
        if not parsed.package:
            return ParseOutcome(skip_reason="syntax errors and no package clause could be read")
        notes.append(f"syntax errors (first near line {first_error_line(tree.root_node)})")
    return ParseOutcome(parsed=parsed, note="; ".join(notes) or None)


def _read_header(parsed: GoFile) -> None:
    """Package name, imports and whether the file declares `func main()`."""
    for node in parsed.root.named_children:
        if node.type == "package_clause":
            for child in node.named_children:
                if child.type == "package_identifier":
                    parsed.package = text(child)
        elif node.type == "import_declaration":
            for spec in walk(node):
                if spec.type == "import_spec":
                    _read_import(parsed, spec)
        elif node.type == "function_declaration":
            name = node.child_by_field_name("name")
            params = node.child_by_field_name("parameters")
            if text(name) == "main" and params is not None and not params.named_children:
                parsed.has_main_func = True


def _read_import(parsed: GoFile, spec: Node) -> None:
    path = string_literal(spec.child_by_field_name("path"))
    if not path:
        return
    parsed.import_paths.append(path)
    name_node = spec.child_by_field_name("name")
    local = text(name_node) if name_node is not None else _default_import_name(path)
    if local and local not in ("_", "."):
        parsed.imports[local] = path


def _default_import_name(path: str) -> str:
    parts = path.split("/")
    last = parts[-1]
    # "gopkg.in/yaml.v3" and ".../v2" major-version suffixes are not the package name.
    if len(parts) > 1 and last.startswith("v") and last[1:].isdigit():
        last = parts[-2]
    return last.split(".")[0].replace("-", "_")


def string_literal(node: Node | None) -> str | None:
    """The value of a Go string literal node (interpreted or raw), or None."""
    if node is None:
        return None
    if node.type == "raw_string_literal":
        body = text(node)[1:-1]
        return body.replace("\r", "")
    if node.type == "interpreted_string_literal":
        return unescape(text(node)[1:-1])
    return None


_SIMPLE_ESCAPES = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
}


def unescape(body: str) -> str:
    """Go's escape sequences in an interpreted string (or rune) literal body."""
    if "\\" not in body:
        return body
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\" or i + 1 >= len(body):
            out.append(ch)
            i += 1
            continue
        kind = body[i + 1]
        if kind in _SIMPLE_ESCAPES:
            out.append(_SIMPLE_ESCAPES[kind])
            i += 2
            continue
        width = {"x": 2, "u": 4, "U": 8}.get(kind)
        if width is not None:
            digits = body[i + 2 : i + 2 + width]
            try:
                out.append(chr(int(digits, 16)))
                i += 2 + width
                continue
            except ValueError:
                pass
        elif kind in "01234567":
            try:
                out.append(chr(int(body[i + 1 : i + 4], 8)))
                i += 4
                continue
            except ValueError:
                pass
        out.append(ch)
        i += 1
    return "".join(out)
