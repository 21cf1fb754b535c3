"""Where Go servers define tools, and the ToolDefinition each definition amounts to.

Two shapes are read wherever they occur in a reachable package:
- `mcp.NewTool(...)` / `mcp.NewToolWithRawSchema(...)` calls (mark3labs/mcp-go);
- `mcp.Tool{...}` composite literals (both mcp-go and the official go-sdk). A
  literal without `InputSchema` handed to the go-sdk's generic `mcp.AddTool`
  gets the schema the SDK infers from the handler's input struct type.
When a tool's name is a parameter of the function that builds it, every call
of that function in the module is read with its arguments bound.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tree_sitter import Node

from crawler.extract.go.evaluate import Evaluator, Scope, _bind, _parameter_names
from crawler.extract.go.mirror import MirrorReader
from crawler.extract.go.options import OptionReader, ToolParts
from crawler.extract.go.parsing import GoFile
from crawler.extract.go.structs import TypeSchemas
from crawler.extract.go.symbols import PackageIndex, Program
from crawler.extract.go.values import JsonConverter, Struct, Unknown
from crawler.extract.treesitter import enclosing, line_of, text, walk
from mcp_domain import SourceLocation, ToolDefinition

MAX_CALLERS = 200
# How many helper layers between a tool definition and the call that names it are followed.
MAX_CALLER_LEVELS = 3
# Handler parameters that carry the call itself, not the tool's arguments.
_PLUMBING_TYPES = ("Context", "CallToolRequest", "ServerSession", "RequestContext")
_FUNCTIONS = ("function_declaration", "method_declaration", "func_literal")


@dataclass
class Site:
    node: Node
    file: GoFile
    package: PackageIndex
    # "new_tool", "raw_tool" or "literal"
    kind: str
    # "mcp-go", "sdk" or "mcp" (an SDK this reader does not know by name)
    flavour: str


@dataclass
class Bound:
    """A helper's parameters as one call (through any wrapping helpers) binds them."""

    values: dict[str, Any]
    # parameter -> (the argument expression that gave it, the scope to read it in)
    origins: dict[str, tuple[Node, Any]]
    # The outermost call, where the tool is named.
    call: Node
    file: GoFile
    package: PackageIndex


@dataclass
class SiteResult:
    tools: list[ToolDefinition] = field(default_factory=list)
    # Problems that make the tool list incomplete (a tool could not be named).
    lost: list[str] = field(default_factory=list)
    # Problems inside a tool that was read (a description or schema part unknown).
    partial: list[str] = field(default_factory=list)
    # Per tool: the expression where it is named (node, file, package), for its conditions.
    anchors: list[tuple[Node, GoFile, PackageIndex]] = field(default_factory=list)


def _flavour(import_path: str) -> str | None:
    if not (import_path.endswith("/mcp") or import_path == "mcp"):
        return None
    if "mark3labs/mcp-go" in import_path:
        return "mcp-go"
    if "modelcontextprotocol/go-sdk" in import_path:
        return "sdk"
    return "mcp"


def find_sites(index: PackageIndex) -> list[Site]:
    sites: list[Site] = []
    for go_file in index.package.files:
        mcp_aliases = {
            alias: flavour
            for alias, path in go_file.imports.items()
            if (flavour := _flavour(path)) is not None
        }
        if not mcp_aliases:
            continue
        for node in go_file.nodes_of("call_expression", "composite_literal"):
            if node.type == "call_expression":
                function = node.child_by_field_name("function")
                if function is None or function.type != "selector_expression":
                    continue
                alias = text(function.child_by_field_name("operand"))
                name = text(function.child_by_field_name("field"))
                if alias in mcp_aliases and name in ("NewTool", "NewToolWithRawSchema"):
                    kind = "new_tool" if name == "NewTool" else "raw_tool"
                    sites.append(Site(node, go_file, index, kind, mcp_aliases[alias]))
            elif node.type == "composite_literal":
                type_node = node.child_by_field_name("type")
                if type_node is not None and type_node.type == "qualified_type":
                    alias = text(type_node.child_by_field_name("package"))
                    if (
                        alias in mcp_aliases
                        and text(type_node.child_by_field_name("name")) == "Tool"
                    ):
                        sites.append(Site(node, go_file, index, "literal", mcp_aliases[alias]))
    return sites


class ToolReader:
    def __init__(self, program: Program, reachable: list[PackageIndex]) -> None:
        self.program = program
        self.reachable = reachable
        self.evaluator = Evaluator(program)
        self.schemas = TypeSchemas(program)
        self.options = OptionReader(self.evaluator, self.schemas)
        self.mirror = MirrorReader(program, self.evaluator)
        self._calls: dict[tuple[str, str], list[tuple[Node, GoFile, PackageIndex]]] | None = None
        self._bound_cache: dict[tuple[int, int], list[Bound]] = {}

    def read(self, site: Site) -> SiteResult:
        result = SiteResult()
        first = self._read_one(site, {}, result)
        if first is not None:
            result.tools.append(first)
            result.anchors.append((site.node, site.file, site.package))
            return result
        if site.kind == "literal" and self._read_mirrored(site, result):
            return result
        parameter_named = result.lost and result.lost[-1].endswith("(a parameter)")
        function = enclosing(site.node, "function_declaration", "method_declaration")
        if not parameter_named or function is None:
            return result
        chains = self._caller_bindings(function, site.package, 0)
        if not chains:
            return result
        result.lost.clear()
        for bound in chains[:MAX_CALLERS]:
            tool = self._read_one(site, bound.values, result, bound)
            if tool is not None:
                tool.source = SourceLocation(file=bound.file.path, line=line_of(bound.call))
                result.tools.append(tool)
                result.anchors.append((bound.call, bound.file, bound.package))
        return result

    def _read_mirrored(self, site: Site, result: SiteResult) -> bool:
        """Tools of the server's own type copied into this SDK literal (see mirror.py)."""
        fields = _literal_fields(site.node)
        scope = Scope(site.file, site.package, in_place=True)
        mirrored = self.mirror.read(site.node, fields, scope, self.reachable)
        if mirrored is None:
            return False
        result.lost.clear()
        for one in mirrored:
            where = f"{one.file.path}:{line_of(one.node)}"
            name = one.values.get("Name")
            if not isinstance(name, str) or not name:
                result.lost.append(f"{where}: tool name is not a constant")
                continue
            converter = JsonConverter()
            description = converter.convert(one.values.get("Description", ""))
            schema = converter.convert(
                one.values.get("InputSchema", one.values.get("RawInputSchema"))
            )
            result.partial.extend(f"{where} ({name}): {u}" for u in converter.unknowns)
            result.tools.append(
                ToolDefinition(
                    name=name,
                    description=description if isinstance(description, str) else "",
                    input_schema=schema
                    if isinstance(schema, dict) and schema
                    else {"type": "object"},
                    source=SourceLocation(file=one.file.path, line=line_of(one.node)),
                    pattern=f"go.{site.flavour}.own-tool-type",
                )
            )
            result.anchors.append((one.node, one.file, one.package))
        return True

    def _caller_bindings(self, function: Node, package: PackageIndex, depth: int) -> list[Bound]:
        """The parameter values of `function` at each call of it in the module.

        When a call passes on parameters of its own function (a helper wrapping a
        helper, e.g. MustTool(name, ...) calling ConvertTool(name, ...)), the calls of
        that function are followed in turn, up to MAX_CALLER_LEVELS.
        """
        key = (function.id, depth)
        if key in self._bound_cache:
            return self._bound_cache[key]
        self._bound_cache[key] = []  # a helper reached again through its own callers adds nothing
        found: list[Bound] = []
        params = function.child_by_field_name("parameters")
        for call, caller_file, caller_package in self._callers(function, package):
            outer_function = enclosing(call, "function_declaration", "method_declaration")
            plain = Scope(caller_file, caller_package, in_place=True)
            args = _call_arguments(call)
            if (
                depth < MAX_CALLER_LEVELS
                and outer_function is not None
                and any(
                    isinstance(v, Unknown) and v.parameter
                    for v in (self.evaluator.eval(a, plain) for a in args)
                )
            ):
                outer = self._caller_bindings(outer_function, caller_package, depth + 1)
            else:
                outer = [Bound({}, {}, call, caller_file, caller_package)]
            for context in outer:
                scope = Scope(caller_file, caller_package, dict(context.values), in_place=True)
                values = [self.evaluator.eval(a, scope) for a in args]
                origins = {}
                for name, arg in zip(_parameter_names(params), args, strict=False):
                    # An argument that only passes a parameter on keeps the outer origin.
                    if arg.type == "identifier" and text(arg) in context.origins:
                        origins[name] = context.origins[text(arg)]
                    else:
                        origins[name] = (arg, scope)
                found.append(
                    Bound(
                        _bind(params, values), origins, context.call, context.file, context.package
                    )
                )
                if len(found) >= MAX_CALLERS:
                    break
            if len(found) >= MAX_CALLERS:
                break
        self._bound_cache[key] = found
        return found

    # -- one definition ---------------------------------------------------------------

    def _read_one(
        self, site: Site, bindings: dict[str, Any], result: SiteResult, bound: Bound | None = None
    ) -> ToolDefinition | None:
        scope = Scope(site.file, site.package, dict(bindings), in_place=True)
        where = f"{site.file.path}:{line_of(site.node)}"
        if site.kind == "literal":
            return self._literal(site, scope, where, result, bound)
        arguments = site.node.child_by_field_name("arguments")
        args = [a for a in (arguments.named_children if arguments else []) if a.type != "comment"]
        if not args:
            result.lost.append(f"{where}: NewTool without arguments")
            return None
        name = self._name(args[0], scope, where, result)
        if name is None:
            return None
        if site.kind == "raw_tool":
            parts = ToolParts()
            converter = JsonConverter()
            description = (
                converter.convert(self.evaluator.eval(args[1], scope)) if len(args) > 1 else ""
            )
            schema = (
                converter.convert(self.evaluator.eval(args[2], scope)) if len(args) > 2 else None
            )
            parts.description = description if isinstance(description, str) else ""
            parts.raw_schema = schema if isinstance(schema, dict) else {"type": "object"}
            parts.problems.extend(converter.unknowns)
            pattern = "go.mcp-go.NewToolWithRawSchema"
        else:
            parts = self.options.read(args[1:], scope)
            pattern = "go.mcp-go.NewTool"
        result.partial.extend(f"{where} ({name}): {p}" for p in parts.problems)
        return ToolDefinition(
            name=name,
            description=parts.description,
            input_schema=parts.input_schema(),
            annotations=parts.annotations,
            source=SourceLocation(file=site.file.path, line=line_of(site.node)),
            pattern=pattern,
        )

    def _name(self, node: Node, scope: Scope, where: str, result: SiteResult) -> str | None:
        value = self.evaluator.eval(node, scope)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, Unknown) and value.parameter:
            result.lost.append(f"{where}: tool name {text(node)[:40]} (a parameter)")
        else:
            reason = value.reason if isinstance(value, Unknown) else "not a string"
            result.lost.append(f"{where}: tool name {text(node)[:40]} is unknown ({reason})")
        return None

    def _literal(
        self, site: Site, scope: Scope, where: str, result: SiteResult, bound: Bound | None
    ) -> ToolDefinition | None:
        value = self.evaluator.eval(site.node, scope)
        if not isinstance(value, Struct) or "Name" not in value.fields:
            return None  # a zero or partial Tool value, not a definition
        name_node = _field_value_node(site.node, "Name")
        name = self._name(name_node, scope, where, result) if name_node is not None else None
        if name is None:
            return None
        converter = JsonConverter()
        description = converter.convert(value.fields.get("Description", ""))
        annotations = converter.convert(value.fields.get("Annotations", {}))
        if (
            site.flavour == "sdk"
            and isinstance(annotations, dict)
            and "Annotations" in value.fields
        ):
            # The go-sdk always serialises these two booleans (no omitempty).
            annotations.setdefault("readOnlyHint", False)
            annotations.setdefault("idempotentHint", False)
        schema_value = value.fields.get("InputSchema", value.fields.get("RawInputSchema"))
        pattern = f"go.{site.flavour}.Tool"
        if schema_value is None:
            schema = self._inferred_schema(site, scope, result, where, name)
            if schema is not None:
                pattern = "go.sdk.AddTool"
        else:
            before = len(converter.unknowns)
            schema = converter.convert(schema_value)
            if not isinstance(schema, dict) and bound is not None:
                # Built at run time, e.g. reflected from the handler a caller passed in.
                reflected = self._handler_schema(site, bound, result, where, name)
                if reflected is not None:
                    del converter.unknowns[before:]
                    schema = reflected
                    pattern = f"go.{site.flavour}.handler-struct"
        if not isinstance(schema, dict) or not schema:
            schema = {"type": "object"}
        result.partial.extend(f"{where} ({name}): {u}" for u in converter.unknowns)
        return ToolDefinition(
            name=name,
            description=description if isinstance(description, str) else "",
            input_schema=schema,
            annotations=annotations if isinstance(annotations, dict) else {},
            source=SourceLocation(file=site.file.path, line=line_of(site.node)),
            pattern=pattern,
        )

    # -- a tool helper's schema reflected from the handler a caller passed -----------------

    def _handler_schema(
        self, site: Site, bound: Bound, result: SiteResult, where: str, name: str
    ) -> dict[str, Any] | None:
        """The input struct of a handler function passed through the helper's parameters.

        Helpers such as `MustTool(name, description, handler)` reflect the schema from the
        handler's argument type: the handler's last parameter that is not a context or a
        call request.
        """
        for origin, scope in bound.origins.values():
            declared, package = self.evaluator.resolve_function(origin, scope)
            node, go_file = (declared.node, declared.file) if declared else (None, None)
            if origin.type == "func_literal":
                node, go_file, package = origin, scope.file, scope.package
            if node is None or package is None or go_file is None:
                continue
            candidates = [t for t in _parameter_types(node) if not _is_plumbing(t)]
            if not candidates:
                continue
            before = len(self.schemas.problems)
            schema = self.schemas.for_type(candidates[-1], go_file, package)
            for problem in self.schemas.problems[before:]:
                result.partial.append(f"{where} ({name}): {problem}")
            if schema.get("type") == ["null", "object"]:
                schema["type"] = "object"
            return schema if schema else None
        return None

    # -- go-sdk: the input schema inferred from the handler --------------------------------

    def _inferred_schema(
        self, site: Site, scope: Scope, result: SiteResult, where: str, name: str
    ) -> dict[str, Any] | None:
        handler = _add_tool_handler(site.node)
        if handler is None:
            return None
        typed = self._input_type(handler, scope, 0)
        if typed is None:
            result.partial.append(f"{where} ({name}): input type of the handler is not readable")
            return None
        type_node, go_file, package = typed
        before = len(self.schemas.problems)
        schema = self.schemas.for_type(type_node, go_file, package)
        for problem in self.schemas.problems[before:]:
            result.partial.append(f"{where} ({name}): {problem}")
        return schema

    def _input_type(
        self, handler: Node, scope: Scope, depth: int
    ) -> tuple[Node, GoFile, PackageIndex] | None:
        if depth > 4:
            return None
        if handler.type == "func_literal":
            return _third_parameter(handler, scope.file, scope.package)
        if handler.type == "parenthesized_expression" and handler.named_children:
            return self._input_type(handler.named_children[0], scope, depth + 1)
        if handler.type == "identifier":
            local = self.evaluator.local_definition(handler, text(handler))
            if local is not None:
                return self._input_type(local, scope, depth + 1)
        if handler.type in ("identifier", "selector_expression"):
            declared, package = self.evaluator.resolve_function(handler, scope)
            if declared is not None and package is not None:
                return _third_parameter(declared.node, declared.file, package)
            return None
        if handler.type == "call_expression":
            declared, package = self.evaluator.resolve_function(
                handler.child_by_field_name("function"), scope
            )
            if declared is None or package is None:
                return None
            result_type = declared.node.child_by_field_name("result")
            if result_type is not None and result_type.type == "generic_type":
                arguments = result_type.child_by_field_name("type_arguments")
                types = arguments.named_children if arguments is not None else []
                if types:
                    first = types[0]
                    if first.type == "type_elem" and first.named_children:
                        first = first.named_children[0]
                    return first, declared.file, package
            returned = _returned_func_literal(declared.node)
            if returned is not None:
                return _third_parameter(returned, declared.file, package)
        return None

    # -- callers of a tool-building function -----------------------------------------

    def callers(
        self, function: Node, package: PackageIndex
    ) -> list[tuple[Node, GoFile, PackageIndex]]:
        """Calls of a module function (methods: by name, in the same package)."""
        return self._callers(function, package)

    def _callers(
        self, function: Node, package: PackageIndex
    ) -> list[tuple[Node, GoFile, PackageIndex]]:
        if self._calls is None:
            self._calls = self._index_calls()
        name = text(function.child_by_field_name("name"))
        return self._calls.get((package.package.folder, name), [])

    def _index_calls(self) -> dict[tuple[str, str], list[tuple[Node, GoFile, PackageIndex]]]:
        calls: dict[tuple[str, str], list[tuple[Node, GoFile, PackageIndex]]] = {}
        for index in self.reachable:
            for go_file in index.package.files:
                for node in go_file.nodes_of("call_expression"):
                    function = node.child_by_field_name("function")
                    key = self._call_key(function, go_file, index)
                    if key is not None:
                        calls.setdefault(key, []).append((node, go_file, index))
        return calls

    def _call_key(
        self, function: Node | None, go_file: GoFile, index: PackageIndex
    ) -> tuple[str, str] | None:
        if function is None:
            return None
        if function.type == "identifier":
            return index.package.folder, text(function)
        if function.type == "selector_expression":
            operand = function.child_by_field_name("operand")
            name = text(function.child_by_field_name("field"))
            alias = text(operand)
            if alias in go_file.imports:
                folder = self.program.resolver.folder_of(go_file.imports[alias])
                return (folder, name) if folder is not None else None
            return index.package.folder, name  # a method call: matched by name in its package
        return None


def _field_value_node(literal: Node, field_name: str) -> Node | None:
    body = literal.child_by_field_name("body")
    for element in body.named_children if body is not None else []:
        if element.type != "keyed_element":
            continue
        children = element.named_children
        if len(children) >= 2 and text(children[0]) == field_name:
            value = children[-1]
            if value.type == "literal_element" and value.named_children:
                value = value.named_children[0]
            return value
    return None


def _literal_fields(literal: Node) -> dict[str, Node]:
    """Key -> value expression of a keyed composite literal."""
    body = literal.child_by_field_name("body")
    fields: dict[str, Node] = {}
    for element in body.named_children if body is not None else []:
        if element.type == "keyed_element" and len(element.named_children) >= 2:
            key = text(element.named_children[0])
            value = _field_value_node(literal, key)
            if value is not None:
                fields[key] = value
    return fields


def _add_tool_handler(literal: Node) -> Node | None:
    """The handler passed with this Tool literal to the go-sdk's generic `mcp.AddTool`."""
    node = literal
    if node.parent is not None and node.parent.type == "unary_expression":
        node = node.parent
    parent = node.parent
    if parent is not None and parent.type == "argument_list":
        return _handler_argument(parent.parent, lambda arg: arg.id == node.id)
    # `tool := &mcp.Tool{...}` then `mcp.AddTool(server, tool, handler)` in the same function.
    holder = parent.parent if parent is not None and parent.type == "expression_list" else None
    if holder is None or holder.type not in (
        "short_var_declaration",
        "assignment_statement",
        "var_spec",
    ):
        return None
    left = holder.child_by_field_name("left") or holder.child_by_field_name("name")
    names = {
        text(n)
        for n in (left.named_children if left and left.type == "expression_list" else [left])
        if n
    }
    function = enclosing(holder, *_FUNCTIONS)
    if function is None:
        return None
    for call in walk(function):
        if call.type == "call_expression" and call.start_byte > holder.start_byte:
            handler = _handler_argument(call, lambda arg: text(arg).lstrip("&") in names)
            if handler is not None:
                return handler
    return None


def _handler_argument(call: Node | None, is_tool) -> Node | None:
    if call is None or call.type != "call_expression":
        return None
    function = call.child_by_field_name("function")
    if function is None or function.type != "selector_expression":
        return None
    if text(function.child_by_field_name("field")) != "AddTool":
        return None
    operand = function.child_by_field_name("operand")
    arguments = call.child_by_field_name("arguments")
    args = [a for a in (arguments.named_children if arguments else []) if a.type != "comment"]
    # The generic function takes (server, tool, handler); the method takes (tool, handler).
    if len(args) == 3 and operand is not None and operand.type == "identifier" and is_tool(args[1]):
        return args[2]
    return None


def _call_arguments(call: Node) -> list[Node]:
    arguments = call.child_by_field_name("arguments")
    return [
        a
        for a in (arguments.named_children if arguments else [])
        if a.type not in ("comment", "variadic_argument")
    ]


def _is_plumbing(type_node: Node) -> bool:
    name = text(type_node).lstrip("*")
    return name.rsplit(".", 1)[-1] in _PLUMBING_TYPES


def _parameter_types(function: Node) -> list[Node]:
    params = function.child_by_field_name("parameters")
    types: list[Node] = []
    for declaration in params.named_children if params is not None else []:
        type_node = declaration.child_by_field_name("type")
        if type_node is None:
            continue
        count = len(declaration.children_by_field_name("name")) or 1
        types.extend([type_node] * count)
    return types


def _third_parameter(function: Node, go_file: GoFile, package: PackageIndex):
    types = _parameter_types(function)
    return (types[2], go_file, package) if len(types) >= 3 else None


def _returned_func_literal(function: Node) -> Node | None:
    body = function.child_by_field_name("body")
    for node in walk(body) if body is not None else []:
        if node.type == "return_statement":
            for child in node.named_children:
                value = (
                    child.named_children[0]
                    if child.type == "expression_list" and child.named_children
                    else child
                )
                if value.type == "func_literal":
                    return value
    return None
