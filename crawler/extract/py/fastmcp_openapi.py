"""fastmcp's rules for turning an OpenAPI document into tools, applied statically.

`FastMCP.from_openapi(openapi_spec=..., route_maps=..., mcp_names=...)` (and
`FastMCPOpenAPI` / `OpenAPIProvider`) make one component per operation. These
rules follow the fastmcp release the package installs:

- route maps: the server's own maps first, first match wins; then the
  defaults. Before 2.8 the defaults made GET routes resources (templates when
  the path has `{...}`) and everything else tools; from 2.8 every route is a tool.
- name: `mcp_names[operationId]`, else the operationId up to a `__`, else the
  summary, else `METHOD_path`; slugged to letters, digits and `_`, cut to 56
  characters, and `_2`, `_3`... added on a repeat. Before 2.5 the operationId
  was used as written (else `method_path` without `{...}` parts) and a repeat
  replaced the earlier tool.
- description: the operation's description, else its summary, else
  "Executes METHOD path"; 2.14 added a list of described path parameters.
- input schema: every parameter (path, query, header, cookie; `name__in` when
  two share a name), then the first request-body media type's properties
  (a top-level `allOf` merged; its `$ref` members opened only from 4.0).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

from crawler.extract.openapi_doc import MAX_DEPTH, Operation, Resolver, operations
from mcp_domain import SourceLocation, ToolDefinition

PATTERN = "py.fastmcp.openapi"
NAME_LIMIT = 56
_MAX_DEFS = 500  # definitions one tool may carry
_DEFS_BUDGET = 50_000  # definition entries over all tools of a document
NODE_BUDGET = 2_000_000  # schema nodes over all tools of a document
_COMPONENT_PREFIX = "#/components/schemas/"


@dataclass
class RouteRule:
    """One `RouteMap(...)`: which routes it matches and what they become."""

    methods: list[str] | None  # None: any method
    pattern: str
    mcp_type: str  # TOOL, RESOURCE, RESOURCE_TEMPLATE, EXCLUDE
    tags: set[str] = field(default_factory=set)

    def matches(self, method: str, path: str, tags: list[str]) -> bool:
        if self.methods is not None and method.upper() not in self.methods:
            return False
        try:
            if not re.search(self.pattern, path):
                return False
        except re.error:
            return False
        return self.tags.issubset(set(tags))


OLD_DEFAULT_RULES = [
    RouteRule(["GET"], r".*\{.*\}.*", "RESOURCE_TEMPLATE"),
    RouteRule(["GET"], r".*", "RESOURCE"),
    RouteRule(None, r".*", "TOOL"),
]
NEW_DEFAULT_RULES = [RouteRule(None, r".*", "TOOL")]


@dataclass
class Settings:
    """What the call site decided, as far as it could be read."""

    rules: list[RouteRule] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    resources_by_default: bool = False  # fastmcp before 2.8
    path_parameter_notes: bool = False  # fastmcp 2.14.x descriptions
    raw_operation_ids: bool = False  # fastmcp before 2.5: names unslugged, repeats replace
    follow_all_of_refs: bool = True  # fastmcp 4: a body's allOf members behind $ref merged


@dataclass
class Generated:
    tools: list[ToolDefinition] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    complete: bool = True  # False: stopped before the last operation


def generate_tools(
    spec: dict[str, Any],
    spec_path: str,
    settings: Settings,
    text: str = "",
    node_budget: int | None = None,
) -> Generated:
    """One tool per operation the route maps make a tool, and notes on what was cut short.

    `text` is the document's source, read only to give each tool the line of its operation.
    """
    resolver = Resolver(spec)
    node_budget = node_budget or NODE_BUDGET
    copier = _Copier(node_budget)
    definitions = _Definitions(resolver, copier)
    lines = _LineFinder(text)
    out = Generated()
    try:
        _generate(spec, spec_path, settings, resolver, copier, definitions, lines, out)
    except _TooLarge:
        out.complete = False
        out.notes.append(
            f"{spec_path}: stopped after {len(out.tools)} tool(s): their schemas would "
            f"exceed {node_budget} nodes"
        )
    if definitions.trimmed:
        out.notes.append(
            f"{spec_path}: schema definitions ($defs) left out of some tools: "
            f"over {_DEFS_BUDGET} in all"
        )
    return out


def _generate(
    spec: dict[str, Any],
    spec_path: str,
    settings: Settings,
    resolver: Resolver,
    copier: _Copier,
    definitions: _Definitions,
    lines: _LineFinder,
    out: Generated,
) -> None:
    defaults = OLD_DEFAULT_RULES if settings.resources_by_default else NEW_DEFAULT_RULES
    rules = settings.rules + defaults
    used: dict[str, int] = {}
    tools = out.tools
    places: dict[str, int] = {}
    for op in operations(spec):
        tags = [t for t in op.operation.get("tags") or [] if isinstance(t, str)]
        rule = next((r for r in rules if r.matches(op.method, op.path, tags)), None)
        if rule is not None and rule.mcp_type != "TOOL":
            continue
        if settings.raw_operation_ids:
            name = _legacy_name(op)
        else:
            name = _unique(_default_name(op, settings.names), used)
        parameters = _parameters(op, resolver, copier)
        tool = ToolDefinition(
            name=name,
            description=_description(op, parameters, settings),
            input_schema=_input_schema(op, parameters, resolver, copier, definitions, settings),
            source=SourceLocation(file=spec_path, line=lines.of(op)),
            pattern=PATTERN,
        )
        if name in places:  # early releases kept tools in a dict: the later one wins
            tools[places[name]] = tool
        else:
            places[name] = len(tools)
            tools.append(tool)


class _LineFinder:
    """The line of an operation in its document: its operationId's, else its path's.

    Both are indexed in one pass over the text, so a document whose names do
    not appear literally (escaped, say) costs no more than one that does.
    """

    _ID = re.compile(r"""["']?operationId["']?\s*:\s*["']?([^"',}\n]+)""")
    _PATH = re.compile(r"""^[ \t]*["']?(/[^"'\n]*?)["']?[ \t]*:""", re.MULTILINE)

    def __init__(self, text: str) -> None:
        breaks = [m.start() for m in re.finditer("\n", text)]
        self.ids = self._index(self._ID, text, breaks)
        self.paths = self._index(self._PATH, text, breaks)
        # a JSON document on few lines: paths are keys anywhere
        if len(breaks) < 50:
            self.paths.update(self._index(re.compile(r'"(/[^"]*)"\s*:'), text, breaks))

    @staticmethod
    def _index(pattern: re.Pattern[str], text: str, breaks: list[int]) -> dict[str, int]:
        found: dict[str, int] = {}
        for match in pattern.finditer(text):
            key = match.group(1).strip()
            found.setdefault(key, bisect.bisect_left(breaks, match.start()) + 1)
        return found

    def of(self, op: Operation) -> int:
        operation_id = op.operation.get("operationId")
        if isinstance(operation_id, str) and operation_id.strip() in self.ids:
            return self.ids[operation_id.strip()]
        return self.paths.get(op.path, 0)


def slugify(text: str) -> str:
    slug = re.sub(r"[\s\-.]+", "_", text)
    slug = re.sub(r"[^a-zA-Z0-9_]", "", slug)
    return re.sub(r"_+", "_", slug).strip("_")


def _default_name(op: Operation, names: dict[str, str]) -> str:
    operation_id = op.operation.get("operationId")
    if isinstance(operation_id, str) and operation_id:
        name = names.get(operation_id) or operation_id.split("__")[0]
    else:
        summary = op.operation.get("summary")
        name = summary if isinstance(summary, str) and summary else ""
        name = name or f"{op.method.upper()}_{op.path}"
    return slugify(name)[:NAME_LIMIT]


def _legacy_name(op: Operation) -> str:
    """fastmcp before 2.5: the operationId as written, else `method_path` without `{...}` parts."""
    operation_id = op.operation.get("operationId")
    if isinstance(operation_id, str) and operation_id:
        return operation_id
    parts = [p for p in op.path.strip("/").split("/") if not p.startswith("{")]
    return f"{op.method}_{'_'.join(parts)}"


def _unique(name: str, used: dict[str, int]) -> str:
    used[name] = used.get(name, 0) + 1
    return name if used[name] == 1 else f"{name}_{used[name]}"


@dataclass
class _Parameter:
    name: str
    location: str
    required: bool
    description: str
    schema: dict[str, Any]


def _parameters(op: Operation, resolver: Resolver, copier: _Copier) -> list[_Parameter]:
    """Operation parameters, then the path item's; the first of a (name, in) pair wins."""
    out: list[_Parameter] = []
    seen: set[tuple[str, str]] = set()
    own = op.operation.get("parameters")
    for raw in (own if isinstance(own, list) else []) + op.path_parameters:
        param = resolver.deref(raw)
        if not isinstance(param, dict):
            continue
        name, location = param.get("name"), param.get("in")
        if not isinstance(name, str) or location not in ("path", "query", "header", "cookie"):
            continue
        if (name, location) in seen:
            continue
        seen.add((name, location))
        schema = resolver.deref(param.get("schema"))
        if not isinstance(schema, dict):
            content = param.get("content")
            first = next(iter(content.values()), None) if isinstance(content, dict) else None
            schema = resolver.deref(first.get("schema")) if isinstance(first, dict) else None
        text = param.get("description")
        out.append(
            _Parameter(
                name=name,
                location=location,
                required=bool(param.get("required")),
                description=text if isinstance(text, str) else "",
                schema=copier.copy(schema) if isinstance(schema, dict) else {},
            )
        )
    return out


def _description(op: Operation, parameters: list[_Parameter], settings: Settings) -> str:
    text = op.operation.get("description") or op.operation.get("summary")
    if not isinstance(text, str) or not text:
        text = f"Executes {op.method.upper()} {op.path}"
    if settings.path_parameter_notes:
        described = [p for p in parameters if p.location == "path" and p.description]
        if described:
            lines = [text, "\n\n**Path Parameters:**"]
            lines += [f"\n- **{p.name}**: {p.description}" for p in described]
            text = "\n".join(lines)
    return text


def _input_schema(
    op: Operation,
    parameters: list[_Parameter],
    resolver: Resolver,
    copier: _Copier,
    definitions: _Definitions,
    settings: Settings,
) -> dict[str, Any]:
    properties: dict[str, Any] = {}
    required: list[str] = []
    body, body_required = _body(op, resolver, copier, settings.follow_all_of_refs)
    body_properties = body.get("properties") if isinstance(body.get("properties"), dict) else {}
    counts: dict[str, int] = {}
    for p in parameters:
        counts[p.name] = counts.get(p.name, 0) + 1
    for p in parameters:
        schema = dict(p.schema)
        if p.description and not schema.get("description"):
            schema["description"] = p.description
        key = p.name
        if counts[p.name] > 1 or p.name in body_properties:
            key = f"{p.name}__{p.location}"
            where = f"({p.location.capitalize()} parameter)"
            said = schema.get("description")
            schema["description"] = f"{said} {where}" if said else where
        properties[key] = schema
        if p.required:
            required.append(key)
    if body_properties:
        properties.update(body_properties)
        if body_required and isinstance(body.get("required"), list):
            required += [r for r in body["required"] if isinstance(r, str)]
    elif body:
        title = body.get("title")
        key = re.sub(r"[^a-zA-Z0-9_]", "_", title.lower()) if isinstance(title, str) else "body"
        key = key if key and not key[0].isdigit() else "body_data"
        properties[key] = body
        if body_required:
            required.append(key)
    schema: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
    defs = definitions.linked_from(properties)
    if defs:
        schema["$defs"] = defs
    return schema


def _body(
    op: Operation, resolver: Resolver, copier: _Copier, follow_all_of_refs: bool
) -> tuple[dict[str, Any], bool]:
    """The first media type's schema (top-level reference followed) and whether it's required."""
    request = resolver.deref(op.operation.get("requestBody"))
    if not isinstance(request, dict) or not isinstance(request.get("content"), dict):
        return {}, False
    schema: Any = None
    for media in request["content"].values():
        if isinstance(media, dict) and isinstance(media.get("schema"), dict):
            schema = resolver.deref(media["schema"])
            break
    if not isinstance(schema, dict):
        return {}, False
    schema = copier.copy(schema)
    if request.get("description") and not schema.get("description"):
        schema["description"] = request["description"]
    if isinstance(schema.get("allOf"), list):
        merged: dict[str, Any] = {}
        needed: list[str] = []
        for part in schema.pop("allOf"):
            # before 4.0 a referenced member was not opened: its properties are not merged
            part = _deref_defs(part, resolver, copier) if follow_all_of_refs else part
            if isinstance(part, dict):
                if isinstance(part.get("properties"), dict):
                    merged.update(part["properties"])
                needed += [r for r in part.get("required") or [] if r not in needed]
        schema["properties"] = merged
        if needed:
            schema["required"] = needed
    return schema, bool(request.get("required"))


def _deref_defs(part: Any, resolver: Resolver, copier: _Copier) -> Any:
    """A converted `#/$defs/X` link followed back into the document."""
    if isinstance(part, dict) and isinstance(part.get("$ref"), str):
        ref = part["$ref"].replace("#/$defs/", _COMPONENT_PREFIX, 1)
        target = resolver.deref({"$ref": ref})
        return copier.copy(target) if isinstance(target, dict) else None
    return part


class _TooLarge(Exception):
    """The document's schemas outgrew the copying budget."""


class _Copier:
    """Schema copies with component links rewritten to `#/$defs/...`, as fastmcp sends them.

    Every node copied, or handed to another tool, is counted against one budget
    per document: a small document can point thousands of operations at one
    large schema.
    """

    def __init__(self, budget: int) -> None:
        self.left = budget

    def charge(self, nodes: int) -> None:
        self.left -= nodes
        if self.left < 0:
            raise _TooLarge

    def copy(self, value: Any, depth: int = 0) -> Any:
        self.charge(1)
        if depth > MAX_DEPTH:
            return {}
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                if key == "$ref" and isinstance(item, str) and item.startswith(_COMPONENT_PREFIX):
                    out[key] = "#/$defs/" + item[len(_COMPONENT_PREFIX) :]
                else:
                    out[key] = self.copy(item, depth + 1)
            return out
        if isinstance(value, list):
            return [self.copy(item, depth + 1) for item in value]
        return value


class _Definitions:
    """Component schemas converted once and shared by every tool that links to them.

    fastmcp copies into each tool every definition it reaches; a large document
    can reach hundreds from each of thousands of operations, so the total is
    capped and past it tools keep their `$ref`s without the `$defs`.
    """

    def __init__(self, resolver: Resolver, copier: _Copier) -> None:
        self.resolver = resolver
        self.copier = copier
        self.converted: dict[str, tuple[dict[str, Any], list[str]]] = {}
        self.sizes: dict[str, int] = {}
        self.budget = _DEFS_BUDGET
        self.trimmed = False

    def _get(self, name: str) -> tuple[dict[str, Any], list[str]]:
        if name not in self.converted:
            target = self.resolver.lookup(_COMPONENT_PREFIX + name)
            before = self.copier.left
            schema = self.copier.copy(target) if isinstance(target, dict) else {}
            self.converted[name] = (schema, _links(schema))
            self.sizes[name] = before - self.copier.left
        return self.converted[name]

    def linked_from(self, properties: dict[str, Any]) -> dict[str, Any]:
        names: list[str] = []
        seen: set[str] = set()
        pending = _links(properties)
        while pending and len(names) < _MAX_DEFS and len(names) <= self.budget:
            name = pending.pop()
            if name in seen:
                continue
            seen.add(name)
            names.append(name)
            pending.extend(n for n in self._get(name)[1] if n not in seen)
        if len(names) > self.budget:
            self.trimmed = True
            return {}
        if pending and len(names) >= _MAX_DEFS:
            self.trimmed = True  # this tool's own share is cut at _MAX_DEFS
        self.budget -= len(names)
        # shared, but serialised with every tool that carries it
        self.copier.charge(sum(self.sizes[name] for name in names))
        return {name: self.converted[name][0] for name in names}


def _links(value: Any) -> list[str]:
    found: list[str] = []
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            continue
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                found.append(ref[len("#/$defs/") :])
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return found
