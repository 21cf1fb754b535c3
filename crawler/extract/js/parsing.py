"""Parse one JavaScript or TypeScript file with tree-sitter, within limits."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import tree_sitter_javascript
import tree_sitter_typescript
from tree_sitter import Language, Node, Parser, Tree

from crawler.extract.treesitter import first_error_line, parse_within_limits

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
    screened = parse_within_limits(_parser(language_for(path)), data, max_bytes)
    if screened.tree is None:
        return ParseOutcome(skip_reason=screened.skip_reason)
    notes = screened.notes
    if screened.tree.root_node.has_error:
        line = first_error_line(screened.tree.root_node)
        notes.append(f"syntax errors (first near line {line}); read what parsed")
    parsed = ParsedFile(path=path, source=data, tree=screened.tree)
    return ParseOutcome(parsed=parsed, note="; ".join(notes) or None)
