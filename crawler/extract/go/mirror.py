"""Tools declared with a server's own Tool type and copied field by field into the SDK's.

Some servers keep their tools in a struct type of their own (e.g. `api.Tool{Name: ...,
Description: ..., InputSchema: ...}` in toolset packages) and convert each one when
registering it:

    func toSdkTool(tool api.ServerTool) *mcp.Tool {
        return &mcp.Tool{Name: tool.Tool.Name, Description: tool.Tool.Description, ...}
    }

The SDK literal names no tool by itself. Here its `Name` is followed back to the
parameter it is read from, the parameter's type is followed along the field path to the
struct that holds the name, and every literal of that struct in the reachable packages
is read as one tool, each SDK field taking the value of the field it is copied from.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tree_sitter import Node

from crawler.extract.go.evaluate import Evaluator, Scope
from crawler.extract.go.parsing import GoFile
from crawler.extract.go.symbols import Declared, PackageIndex, Program
from crawler.extract.go.values import Struct
from crawler.extract.treesitter import enclosing, text

# Local variables followed from an SDK field back to the parameter it copies.
MAX_LOCAL_HOPS = 4
MAX_FIELD_PATH = 6


@dataclass
class SourceType:
    """The module's own struct type that holds a tool's name."""

    package: PackageIndex
    name: str


@dataclass
class MirroredTool:
    """One literal of the server's own tool type, with the SDK field -> its value."""

    values: dict[str, Any]
    node: Node
    file: GoFile
    package: PackageIndex


class MirrorReader:
    def __init__(self, program: Program, evaluator: Evaluator) -> None:
        self.program = program
        self.evaluator = evaluator
        self._literals: dict[tuple[str, str], list[tuple[Node, GoFile, PackageIndex]]] = {}

    def read(
        self,
        sdk_literal: Node,
        fields: dict[str, Node],
        scope: Scope,
        reachable: list[PackageIndex],
    ) -> list[MirroredTool] | None:
        """The tools behind an SDK Tool literal whose fields copy a parameter's fields.

        `fields` maps the SDK literal's keys to their value expressions. None when the
        literal's Name is not copied from a parameter of a module struct type.
        """
        function = enclosing(sdk_literal, "function_declaration", "method_declaration")
        name_path = self._parameter_path(fields.get("Name"), function)
        if function is None or name_path is None or len(name_path) < 2:
            return None
        source = self._holder_type(function, name_path, scope)
        if source is None:
            return None
        holder_path = name_path[:-1]
        # SDK field -> field of the holder it is copied from.
        copied: dict[str, str] = {}
        for sdk_field, node in fields.items():
            path = self._parameter_path(node, function)
            if path and path[:-1] == holder_path:
                copied[sdk_field] = path[-1]
        tools: list[MirroredTool] = []
        for node, go_file, package in self._literals_of(source, reachable):
            value = self.evaluator.eval(node, Scope(go_file, package, in_place=True))
            if not isinstance(value, Struct):
                continue
            values = {sdk: value.fields[own] for sdk, own in copied.items() if own in value.fields}
            tools.append(MirroredTool(values, node, go_file, package))
        return tools

    # -- following the SDK field back to a parameter ---------------------------------------

    def _parameter_path(self, node: Node | None, function: Node | None) -> list[str] | None:
        """[parameter, field, field, ...] when `node` reads a field path of a parameter."""
        if node is None or function is None:
            return None
        parameters = _parameter_names(function)
        for _ in range(MAX_LOCAL_HOPS):
            while node.type in ("parenthesized_expression", "unary_expression"):
                inner = node.named_children
                if not inner:
                    return None
                node = inner[-1]
            if node.type == "call_expression":
                # Conversions and dereferencing helpers such as mcp.Meta(x) or ptr.Deref(x, d).
                arguments = node.child_by_field_name("arguments")
                args = arguments.named_children if arguments is not None else []
                if not args:
                    return None
                node = args[0]
                continue
            path = _selector_path(node)
            if path is None:
                return None
            if path[0] in parameters:
                return path if len(path) <= MAX_FIELD_PATH else None
            if len(path) != 1:
                return None
            local = self.evaluator.local_definition(node, path[0])
            if local is None:
                return None
            node = local
        return None

    # -- the struct type the path leads to ------------------------------------------------

    def _holder_type(self, function: Node, path: list[str], scope: Scope) -> SourceType | None:
        type_node = _parameter_type(function, path[0])
        package, go_file = scope.package, scope.file
        for field_name in path[1:-1]:
            struct = self._struct_type(type_node, package, go_file)
            if struct is None:
                return None
            package, _, declared = struct
            type_node, go_file = _field_type(declared.node, field_name), declared.file
        struct = self._struct_type(type_node, package, go_file)
        if struct is None or _field_type(struct[2].node, path[-1]) is None:
            return None
        return SourceType(struct[0], struct[1])

    def _struct_type(
        self, type_node: Node | None, package: PackageIndex, go_file: GoFile
    ) -> tuple[PackageIndex, str, Declared] | None:
        """The package, name and declaration of the struct type `type_node` names."""
        named = self._named_type(type_node, package, go_file)
        if named is None:
            return None
        declared = named[0].types.get(named[1])
        if declared is None or declared.node.type != "struct_type":
            return None
        return named[0], named[1], declared

    def _named_type(
        self, type_node: Node | None, package: PackageIndex, go_file: GoFile
    ) -> tuple[PackageIndex, str] | None:
        while type_node is not None and type_node.type in ("pointer_type", "parenthesized_type"):
            inner = type_node.named_children
            type_node = inner[-1] if inner else None
        if type_node is None:
            return None
        if type_node.type == "type_identifier":
            return package, text(type_node)
        if type_node.type == "qualified_type":
            alias = text(type_node.child_by_field_name("package"))
            imported = self.program.imported(go_file, alias)
            if imported is None:
                return None
            return imported, text(type_node.child_by_field_name("name"))
        return None

    # -- the literals of that type --------------------------------------------------------

    def _literals_of(
        self, source: SourceType, reachable: list[PackageIndex]
    ) -> list[tuple[Node, GoFile, PackageIndex]]:
        key = (source.package.package.folder, source.name)
        if key in self._literals:
            return self._literals[key]
        found: list[tuple[Node, GoFile, PackageIndex]] = []
        for index in reachable:
            for go_file in index.package.files:
                for node in go_file.nodes_of("composite_literal"):
                    named = self._named_type(node.child_by_field_name("type"), index, go_file)
                    if named is None:
                        continue
                    package, name = named
                    if name == source.name and package.package.folder == key[0]:
                        found.append((node, go_file, index))
        self._literals[key] = found
        return found


def _selector_path(node: Node) -> list[str] | None:
    parts: list[str] = []
    while node.type == "selector_expression":
        parts.append(text(node.child_by_field_name("field")))
        operand = node.child_by_field_name("operand")
        if operand is None:
            return None
        node = operand
    if node.type != "identifier":
        return None
    parts.append(text(node))
    return list(reversed(parts))


def _parameter_names(function: Node) -> set[str]:
    names: set[str] = set()
    for field_name in ("parameters", "receiver"):
        params = function.child_by_field_name(field_name)
        for declaration in params.named_children if params is not None else []:
            names.update(text(n) for n in declaration.children_by_field_name("name"))
    return names


def _parameter_type(function: Node, name: str) -> Node | None:
    for field_name in ("parameters", "receiver"):
        params = function.child_by_field_name(field_name)
        for declaration in params.named_children if params is not None else []:
            if name in (text(n) for n in declaration.children_by_field_name("name")):
                return declaration.child_by_field_name("type")
    return None


def _field_type(struct: Node, name: str) -> Node | None:
    body = next((c for c in struct.named_children if c.type == "field_declaration_list"), None)
    for declaration in body.named_children if body is not None else []:
        if declaration.type != "field_declaration":
            continue
        names = [text(n) for n in declaration.children_by_field_name("name")]
        type_node = declaration.child_by_field_name("type")
        if name in names:
            return type_node
        if not names and type_node is not None and text(type_node).split(".")[-1] == name:
            return type_node  # an embedded field is named after its type
    return None
