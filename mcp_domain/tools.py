"""What extraction produces: tool definitions and the verdict on a package."""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class SourceLocation(BaseModel):
    """Where in the package a definition was found (path inside the package)."""

    file: str
    line: int = Field(ge=0)
    # In a compiled file (which has no lines): the function and code address read,
    # e.g. "github.com/o/r/tools.init+0x1a4 (0x8b86b5)".
    symbol: str = ""


class ToolDefinition(BaseModel):
    """One tool as the server would list it in `tools/list`."""

    name: str
    description: str = ""
    input_schema: dict[str, Any] = Field(default_factory=lambda: {"type": "object"})
    annotations: dict[str, Any] = Field(default_factory=dict)
    source: SourceLocation | None = None
    # Which extraction pattern found it, e.g. "python.decorator" or "js.registerTool".
    pattern: str = ""
    # A configuration condition that enables the tool, when it is not always on.
    condition: str | None = None

    def definition_hash(self) -> str:
        """A stable hash of what the tool says about itself (not where it was found)."""
        body = {
            "name": self.name,
            "description": self.description,
            "inputSchema": self.input_schema,
            "annotations": self.annotations,
        }
        text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def wire_dict(self) -> dict[str, Any]:
        """The tool in MCP's own spelling, as a `tools/list` entry."""
        return {
            "name": self.name,
            "description": self.description,
            "inputSchema": self.input_schema,
            "annotations": self.annotations,
        }


class FileSkip(BaseModel):
    """A file extraction could not read, and why. Only that file is lost."""

    file: str
    reason: str


class Completeness(StrEnum):
    complete = "complete"
    partial = "partial"
    unknown = "unknown"


class ExtractionResult(BaseModel):
    tools: list[ToolDefinition] = Field(default_factory=list)
    skipped: list[FileSkip] = Field(default_factory=list)
    completeness: Completeness = Completeness.unknown
    # Why the verdict is what it is, e.g. "tools are fetched from a remote API at run time".
    notes: list[str] = Field(default_factory=list)
    # What manifests say about the server (package.json mcpName, server.json, smithery.yaml).
    metadata: dict[str, Any] = Field(default_factory=dict)


def nests_deeper_than(value: Any, limit: int) -> bool:
    """Whether JSON-like `value` holds dicts or lists more than `limit` levels down.

    Checked with an explicit stack, so hostile nesting cannot exhaust the recursion limit.
    """
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return False
