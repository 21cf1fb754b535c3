"""Reading a tools/list dump: `{"tools": [...]}`, a bare list, or JSON Lines of tools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from catalogue.errors import UsageError
from mcp_domain import ToolDefinition

MAX_TOOLS_FILE_BYTES = 256 * 1024 * 1024


def read_tools_file(path: Path) -> list[ToolDefinition]:
    try:
        if path.stat().st_size > MAX_TOOLS_FILE_BYTES:
            raise UsageError(f"{path}: larger than {MAX_TOOLS_FILE_BYTES} bytes")
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{path}: cannot read it as UTF-8 text ({exc})") from None
    entries = _entries(path, text)
    return [_tool(path, where, entry) for where, entry in entries]


def _entries(path: Path, text: str) -> list[tuple[str, Any]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        document = None
        lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        entries = []
        for number, line in lines:
            try:
                entries.append((f"line {number}", json.loads(line)))
            except json.JSONDecodeError as exc:
                raise UsageError(f"{path}: line {number} is not JSON ({exc.msg})") from None
        return entries
    if isinstance(document, dict) and "tools" in document:
        document = document["tools"]
    elif isinstance(document, dict) and isinstance(document.get("result"), dict):
        document = document["result"].get("tools")  # a whole JSON-RPC response
    elif isinstance(document, dict) and "name" in document:
        document = [document]  # a JSON Lines file holding one tool
    if not isinstance(document, list):
        raise UsageError(f'{path}: expected {{"tools": [...]}} or JSON Lines of tool objects')
    return [(f"tool #{i + 1}", entry) for i, entry in enumerate(document)]


def _tool(path: Path, where: str, entry: Any) -> ToolDefinition:
    if not isinstance(entry, dict):
        raise UsageError(f"{path}: {where} is not a JSON object")
    name = entry.get("name")
    if not isinstance(name, str):
        raise UsageError(f'{path}: {where} has no string "name"')
    description = entry.get("description")
    schema = entry.get("inputSchema", entry.get("input_schema"))
    annotations = entry.get("annotations")
    return ToolDefinition(
        name=name,
        description=description if isinstance(description, str) else "",
        # A schema that is not an object is kept as evidence of itself, not dropped.
        input_schema=schema
        if isinstance(schema, dict)
        else {"type": "object", "x-invalid": schema},
        annotations=annotations if isinstance(annotations, dict) else {},
    )
