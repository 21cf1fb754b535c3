"""Frameworks that find tools by folder instead of by a registration call.

mcp-framework loads every file of the built `tools/` folder (`dist/tools/*.js`)
and lists each class that extends `MCPTool`, read from its `name`,
`description` and `schema` fields. xmcp does the same for `src/tools/*.ts`,
each file exporting `metadata` ({name, description, annotations}) and a
`schema` raw shape; the tool is named after the file when metadata has no name.
Neither folder is imported by the entry point, so the extractor asks here which
extra files to read.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterable
from typing import Any

from tree_sitter import Node

from crawler.extract.js import zod
from crawler.extract.js.evaluate import Evaluator
from crawler.extract.js.modules import Module
from crawler.extract.js.parsing import SOURCE_SUFFIXES
from crawler.extract.js.registrations import annotations_of, schema_of
from crawler.extract.js.values import UNDEFINED, PartialText, Unresolved
from crawler.extract.treesitter import line_of, text, walk
from mcp_domain import SourceLocation, ToolDefinition

MCP_FRAMEWORK = "mcp-framework"
XMCP = "xmcp"
_BUILD_ROOTS = ("dist", "build", "lib", "out")
_CLASS_NODES = frozenset({"class_declaration", "class", "abstract_class_declaration"})
_FIELD_NODES = frozenset({"field_definition", "public_field_definition"})
_TOOL_BASES = frozenset({"MCPTool"})
_MAX_TOOL_FILES = 500


def frameworks_of(manifest: dict[str, Any] | None) -> set[str]:
    """Which folder-based frameworks package.json depends on."""
    found: set[str] = set()
    for key in ("dependencies", "peerDependencies", "devDependencies"):
        deps = (manifest or {}).get(key)
        if isinstance(deps, dict):
            found.update(name for name in (MCP_FRAMEWORK, XMCP) if name in deps)
    return found


def tool_folder_files(paths: Iterable[str], frameworks: set[str]) -> list[str]:
    """The files a framework would load tools from: the built `tools/` folder first."""
    sources = [
        p
        for p in paths
        if p.endswith(SOURCE_SUFFIXES) and not p.endswith(".d.ts") and "node_modules/" not in p
    ]
    chosen: list[str] = []
    if MCP_FRAMEWORK in frameworks:
        for root in _BUILD_ROOTS:
            chosen = [p for p in sources if p.startswith(f"{root}/tools/")]
            if chosen:
                break
        if not chosen:
            chosen = [p for p in sources if p.startswith("src/tools/")]
    if XMCP in frameworks:
        chosen += [p for p in sources if p.startswith("src/tools/") and p not in chosen]
    return sorted(chosen)[:_MAX_TOOL_FILES]


def read_class_tools(module: Module, evaluator: Evaluator) -> list[ToolDefinition]:
    """mcp-framework: each class extending MCPTool, from its fields or constructor."""
    tools = []
    for node in walk(module.root):
        if node.type not in _CLASS_NODES or not _extends_tool(node):
            continue
        fields = _class_fields(node)
        name = evaluator.value(fields.get("name"), module)
        if not isinstance(name, str) or isinstance(name, PartialText) or not name:
            continue
        description = evaluator.value(fields.get("description"), module)
        schema_value = evaluator.value(fields.get("schema"), module)
        tools.append(
            ToolDefinition(
                name=name,
                description=description if isinstance(description, str) else "",
                input_schema=_framework_schema(schema_value),
                annotations=annotations_of(evaluator.value(fields.get("annotations"), module)),
                source=SourceLocation(file=module.path, line=line_of(node)),
                pattern="js.mcp-framework",
            )
        )
    return tools


def read_xmcp_tool(module: Module, evaluator: Evaluator) -> ToolDefinition | None:
    """xmcp: one tool per file, from its `metadata` and `schema` exports."""
    if "metadata" not in module.exports and "schema" not in module.exports:
        return None
    metadata = evaluator.export_value(module.path, "metadata")
    metadata = metadata if isinstance(metadata, dict) else {}
    name = metadata.get("name", UNDEFINED)
    if not isinstance(name, str) or isinstance(name, PartialText) or not name:
        name = posixpath.splitext(posixpath.basename(module.path))[0]
    description = metadata.get("description", "")
    shape = evaluator.export_value(module.path, "schema")
    schema = schema_of(shape) if not isinstance(shape, Unresolved) else None
    return ToolDefinition(
        name=name,
        description=description if isinstance(description, str) else "",
        input_schema=schema or {"type": "object", "properties": {}},
        annotations=annotations_of(metadata.get("annotations")),
        source=SourceLocation(file=module.path, line=1),
        pattern="js.xmcp",
    )


def _extends_tool(node: Node) -> bool:
    heritage = next((c for c in node.named_children if c.type == "class_heritage"), None)
    if heritage is None:
        return False
    base = text(heritage).removeprefix("extends").strip().split("<")[0].strip()
    return base.rsplit(".", 1)[-1] in _TOOL_BASES


def _class_fields(node: Node) -> dict[str, Node]:
    fields: dict[str, Node] = {}
    body = node.child_by_field_name("body")
    for member in body.named_children if body is not None else []:
        if member.type in _FIELD_NODES:
            key = member.child_by_field_name("property") or member.child_by_field_name("name")
            value = member.child_by_field_name("value")
            if key is not None and value is not None and not _is_static(member):
                fields[text(key)] = value
        elif member.type == "method_definition" and text(member.child_by_field_name("name")) == (
            "constructor"
        ):
            # tsc with an older target moves field initialisers into the constructor.
            for inner in walk(member):
                if inner.type != "assignment_expression":
                    continue
                left = inner.child_by_field_name("left")
                if left is None or left.type != "member_expression":
                    continue
                if text(left.child_by_field_name("object")) != "this":
                    continue
                right = inner.child_by_field_name("right")
                if right is not None:
                    fields.setdefault(text(left.child_by_field_name("property")), right)
    return fields


def _is_static(member: Node) -> bool:
    return any(c.type == "static" for c in member.children)


def _framework_schema(value: Any) -> dict[str, Any]:
    """mcp-framework's schema: a zod object, or {param: {type: <zod>, description}}."""
    if value is UNDEFINED or value is None or isinstance(value, Unresolved):
        return {"type": "object", "properties": {}}
    if isinstance(value, zod.Zod):
        return zod.to_json_schema(value) or {"type": "object"}
    if not isinstance(value, dict):
        return {"type": "object"}
    properties: dict[str, Any] = {}
    required: list[str] = []
    for key, spec in value.items():
        kind = spec.get("type") if isinstance(spec, dict) else spec
        prop = zod.to_json_schema(kind) if isinstance(kind, zod.Zod) else None
        prop = dict(prop) if prop else {}
        if isinstance(spec, dict) and isinstance(spec.get("description"), str):
            prop["description"] = spec["description"]
        properties[key] = prop
        if not (isinstance(kind, zod.Zod) and kind.optional):
            required.append(key)
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return schema
