"""Manifests: server metadata, and MCPB/DXT tool lists used only as a last resort.

A manifest's tool list is what the author wrote down, not what the code
registers; real packages often disagree with it. It is reported only when no
code-level tool was found, and always marked unverified.
"""

from __future__ import annotations

import json
import re
from typing import Any

from crawler.files import PackageFiles
from mcp_domain import Completeness, ExtractionResult, SourceLocation, ToolDefinition

MANIFEST_NAMES = ("manifest.json",)
_MAX_MANIFEST_BYTES = 1024 * 1024


def _json_file(package: PackageFiles, path: str) -> dict[str, Any] | None:
    data = package.files.get(path)
    if data is None or len(data) > _MAX_MANIFEST_BYTES:
        return None
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def server_metadata(package: PackageFiles) -> dict[str, Any]:
    """What package.json (`mcpName`), server.json and smithery.yaml say about the server."""
    meta: dict[str, Any] = {}
    package_json = _json_file(package, "package.json")
    if package_json and isinstance(package_json.get("mcpName"), str):
        meta["mcpName"] = package_json["mcpName"]
    server_json = _json_file(package, "server.json")
    if server_json:
        for key in ("name", "description", "version", "title"):
            if isinstance(server_json.get(key), str):
                meta[f"server.json:{key}"] = server_json[key]
    smithery = package.text("smithery.yaml") if "smithery.yaml" in package.files else None
    if smithery:
        # Only flat top-level scalars are read; no YAML library is needed for those.
        for match in re.finditer(
            r"^([A-Za-z_][\w-]*):[ \t]*([^\n#{\[|>]+?)[ \t]*$", smithery, re.M
        ):
            meta[f"smithery:{match.group(1)}"] = match.group(2).strip("'\"")
    return meta


def manifest_tools(package: PackageFiles) -> ExtractionResult:
    """Tools listed in an MCPB/DXT manifest.json at the package root, marked unverified."""
    manifest = _json_file(package, "manifest.json")
    if not manifest or "tools" not in manifest or "server" not in manifest:
        return ExtractionResult()
    tools = []
    for entry in manifest.get("tools") or []:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry["name"].strip():
            description = entry.get("description")
            tools.append(
                ToolDefinition(
                    name=entry["name"].strip(),
                    description=description if isinstance(description, str) else "",
                    input_schema={"type": "object"},
                    source=SourceLocation(file="manifest.json", line=0),
                    pattern="manifest.mcpb",
                )
            )
    if not tools:
        return ExtractionResult()
    return ExtractionResult(
        tools=tools,
        completeness=Completeness.unknown,
        notes=[
            "tools come from manifest.json only (unverified: no registration was found in the code)"
        ],
    )
