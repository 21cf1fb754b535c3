"""Tools a server generates at run time from an OpenAPI document shipped in its package.

Some servers (Notion's, and others built on the same "openapi-mcp-server"
generator) turn every operation of a bundled OpenAPI JSON file into a tool
when they start. Nothing in the code names those tools; the document does.
This module finds such a document (a `.json` file of the package whose name a
reachable source file mentions) and applies the generator's naming rule.

The generator recognised here names tools `API-<operationId>` (cut to 64
characters), describes them with the summary (else the description) plus a
list of 4xx/5xx responses, and builds the input schema from the non-header
parameters and the JSON or multipart request body. Any other code that reads
`operationId` from a shipped document gets plain operationId names, flagged
as assumed.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from crawler.extract.openapi_doc import (
    MAX_DEPTH,
    MAX_OPERATIONS,
    Resolver,
    load_document,
    looks_like_openapi,
)
from mcp_domain import SourceLocation, ToolDefinition

_METHODS = ("get", "post", "put", "delete", "patch")
_JSON_NAME = re.compile(rb"[\"'`]([A-Za-z0-9_./@-]{1,200}\.json)[\"'`]")
# The generator's own method names, as they survive minification.
_GENERATOR_MARKS = (b"convertToMCPTools", b"convertOperationToMCPMethod")
_TITLE_PREFIX = re.compile(rb'info\.title===?"([^"]{1,200})"\?"([^"]{0,200})"\+')
_NAME_LIMIT = 64


@dataclass
class OpenApiTools:
    tools: list[ToolDefinition] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_openapi_tools(files: dict[str, bytes], sources: dict[str, bytes]) -> OpenApiTools:
    """Tools generated from OpenAPI documents that the code in `sources` loads.

    `files` is the whole package; `sources` the reachable code files by path.
    """
    out = OpenApiTools()
    uses_operation_ids = {p: s for p, s in sources.items() if b"operationId" in s}
    if not uses_operation_ids:
        return out
    for code_path, code in uses_operation_ids.items():
        for spec_path in _mentioned_documents(code_path, code, files):
            spec = load_document(files[spec_path], spec_path).spec
            if spec is None:
                continue
            generator = all(mark in code for mark in _GENERATOR_MARKS)
            prefix = _title_prefix(code, spec)
            tools = _tools(spec, spec_path, generator, prefix)
            out.tools.extend(tools)
            if generator:
                out.notes.append(
                    f"{len(tools)} tool(s) generated from the OpenAPI document {spec_path} "
                    f"loaded by {code_path} (name rule: API-<operationId>)"
                )
            else:
                out.notes.append(
                    f"{len(tools)} tool(s) assumed from the operationIds of the OpenAPI "
                    f"document {spec_path} loaded by {code_path}; the naming rule was not read"
                )
        if out.tools:
            break
    return out


def _mentioned_documents(code_path: str, code: bytes, files: dict[str, bytes]) -> list[str]:
    found: list[str] = []
    by_base: dict[str, list[str]] = {}
    for path in files:
        if path.endswith(".json") and path != "package.json":
            by_base.setdefault(posixpath.basename(path), []).append(path)
    for match in _JSON_NAME.finditer(code):
        spec = match.group(1).decode("ascii", "replace")
        joined = posixpath.normpath(posixpath.join(posixpath.dirname(code_path), spec))
        candidates = [joined] if joined in files else by_base.get(posixpath.basename(spec), [])
        for candidate in candidates:
            if candidate not in found and looks_like_openapi(files[candidate]):
                found.append(candidate)
    return found


def _title_prefix(code: bytes, spec: dict[str, Any]) -> str:
    """`info.title==="X"?"Prefix "+d:d`: the generator's per-document description prefix."""
    info = spec.get("info")
    title = info.get("title") if isinstance(info, dict) else None
    for match in _TITLE_PREFIX.finditer(code):
        if match.group(1).decode("utf-8", "replace") == title:
            return match.group(2).decode("utf-8", "replace")
    return ""


def _tools(
    spec: dict[str, Any], spec_path: str, generator: bool, prefix: str
) -> list[ToolDefinition]:
    tools: list[ToolDefinition] = []
    seen: set[str] = set()
    converter = _Converter(spec)
    defs = converter.component_defs() if generator else {}
    for item in spec["paths"].values():
        if not isinstance(item, dict):
            continue
        for method, operation in item.items():
            if method.lower() not in _METHODS or not isinstance(operation, dict):
                continue
            operation_id = operation.get("operationId")
            if not isinstance(operation_id, str) or not operation_id:
                continue
            if len(tools) >= MAX_OPERATIONS:
                return tools
            name = _name(operation_id, generator, len(tools))
            if name in seen:
                continue
            seen.add(name)
            schema = converter.input_schema(operation)
            if defs:
                schema = {"$defs": defs, **schema}
            annotations: dict[str, Any] = {}
            if generator:
                hint = "readOnlyHint" if method.lower() == "get" else "destructiveHint"
                annotations = {"title": _title(operation_id), hint: True}
            tools.append(
                ToolDefinition(
                    name=name,
                    description=prefix + converter.description(operation, generator),
                    input_schema=schema,
                    annotations=annotations,
                    source=SourceLocation(file=spec_path, line=0),
                    pattern="js.openapi",
                )
            )
    return tools


def _name(operation_id: str, generator: bool, index: int) -> str:
    if not generator:
        return operation_id
    base = operation_id
    if len(base) > _NAME_LIMIT:
        # The generator shortens long ids and appends a counter to keep them apart.
        base = f"{base[:59]}-{index + 1:04d}"
    return f"API-{base}"[:_NAME_LIMIT]


def _title(operation_id: str) -> str:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", operation_id)
    spaced = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1 \2", spaced)
    words = [w for w in re.split(r"[\s_-]+", spaced)]
    return " ".join(w[:1].upper() + w[1:] for w in words)


class _Converter:
    """OpenAPI schemas to the JSON Schema the generator sends, `$ref`s kept as `$defs` links."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.resolver = Resolver(spec)

    def component_defs(self) -> dict[str, Any]:
        components = self.spec.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
        if not isinstance(schemas, dict):
            return {}
        return {str(k): self.schema(v, 0) for k, v in schemas.items()}

    def resolve(self, ref: Any) -> Any:
        return self.resolver.lookup(ref)

    def schema(self, value: Any, depth: int) -> dict[str, Any]:
        if not isinstance(value, dict) or depth > MAX_DEPTH:
            return {}
        if "$ref" in value:
            out: dict[str, Any] = {
                "$ref": str(value["$ref"]).replace("#/components/schemas/", "#/$defs/")
            }
            if "description" in value:
                out["description"] = value["description"]
            return out
        out = {}
        if value.get("type"):
            out["type"] = value["type"]
        if value.get("format") == "binary":
            note = "absolute paths to local files"
            out["format"] = "uri-reference"
            text = value.get("description")
            out["description"] = f"{text} ({note})" if text else note
        else:
            if value.get("format"):
                out["format"] = value["format"]
            if value.get("description"):
                out["description"] = value["description"]
        for key in ("enum", "const", "default"):
            if key in value and value[key] is not None:
                out[key] = value[key]
        if value.get("type") == "object":
            properties = value.get("properties")
            if isinstance(properties, dict):
                out["properties"] = {
                    str(k): self.schema(v, depth + 1) for k, v in properties.items()
                }
            if value.get("required"):
                out["required"] = value["required"]
            extra = value.get("additionalProperties")
            if extra is True or extra is None:
                out["additionalProperties"] = True
            elif isinstance(extra, dict):
                out["additionalProperties"] = self.schema(extra, depth + 1)
            else:
                out["additionalProperties"] = False
        if value.get("type") == "array" and isinstance(value.get("items"), dict):
            out["items"] = self.schema(value["items"], depth + 1)
        for key in ("oneOf", "anyOf", "allOf"):
            if isinstance(value.get(key), list):
                out[key] = [self.schema(v, depth + 1) for v in value[key]]
        return out

    def input_schema(self, operation: dict[str, Any]) -> dict[str, Any]:
        properties: dict[str, Any] = {}
        required: list[str] = []
        for parameter in operation.get("parameters") or []:
            if isinstance(parameter, dict) and "$ref" in parameter:
                parameter = self.resolve(parameter["$ref"])
            if not isinstance(parameter, dict) or not isinstance(parameter.get("schema"), dict):
                continue
            if parameter.get("in") == "header" or not isinstance(parameter.get("name"), str):
                continue
            converted = self.schema(parameter["schema"], 0)
            if parameter.get("description"):
                converted["description"] = parameter["description"]
            properties[parameter["name"]] = _string_fallback(converted)
            if parameter.get("required"):
                required.append(parameter["name"])
        body = operation.get("requestBody")
        if isinstance(body, dict) and "$ref" in body:
            body = self.resolve(body["$ref"])
        content = body.get("content") if isinstance(body, dict) else None
        if isinstance(content, dict):
            media = content.get("multipart/form-data") or content.get("application/json")
            if isinstance(media, dict) and isinstance(media.get("schema"), dict):
                converted = self.schema(media["schema"], 0)
                if converted.get("type") == "object" and converted.get("properties"):
                    for key, sub in converted["properties"].items():
                        properties[key] = _string_fallback(sub)
                    required.extend(converted.get("required") or [])
                elif "multipart/form-data" not in content:
                    properties["body"] = _string_fallback(converted)
                    required.append("body")
        return {"type": "object", "properties": properties, "required": required}

    def description(self, operation: dict[str, Any], generator: bool) -> str:
        text = operation.get("summary") or operation.get("description") or ""
        text = text if isinstance(text, str) else ""
        responses = operation.get("responses")
        if not generator or not isinstance(responses, dict):
            return text
        errors = []
        for code, response in responses.items():
            if not str(code).startswith(("4", "5")):
                continue
            if isinstance(response, dict) and "$ref" in response:
                response = self.resolve(response["$ref"])
            said = response.get("description") if isinstance(response, dict) else ""
            errors.append(f"{code}: {said or ''}")
        if errors:
            text += "\nError Responses:\n" + "\n".join(errors)
        return text


def _string_fallback(schema: dict[str, Any]) -> dict[str, Any]:
    """The generator lets objects and references also arrive as JSON text."""
    if schema.get("type") == "object" or any(k in schema for k in ("$ref", "anyOf", "oneOf")):
        return {"anyOf": [schema, {"type": "string"}]}
    if "allOf" in schema:
        return {"anyOf": [schema, {"type": "string"}]}
    if schema.get("type") == "array" and schema.get("items"):
        items = {
            "anyOf": [
                schema["items"],
                {"type": "string"},
                {"type": "object", "additionalProperties": True},
            ]
        }
        return {**schema, "items": items}
    return schema
