"""Declarations of one Go package by name: constants, variables, functions, methods, types."""

from __future__ import annotations

from dataclasses import dataclass, field

from tree_sitter import Node

from crawler.extract.go.packages import GoPackage, ImportResolver
from crawler.extract.go.parsing import GoFile
from crawler.extract.treesitter import text


@dataclass
class Declared:
    node: Node
    file: GoFile


@dataclass
class PackageIndex:
    package: GoPackage
    # Constants and package-level variables: name -> the expression assigned to it.
    values: dict[str, Declared] = field(default_factory=dict)
    functions: dict[str, Declared] = field(default_factory=dict)
    methods: dict[str, list[Declared]] = field(default_factory=dict)
    # Type name -> its type expression (struct_type, type_identifier, ...).
    types: dict[str, Declared] = field(default_factory=dict)


def index_package(package: GoPackage) -> PackageIndex:
    index = PackageIndex(package)
    local_types: dict[str, Declared] = {}
    for go_file in package.files:
        for node in go_file.root.named_children:
            if node.type in ("const_declaration", "var_declaration"):
                _index_values(index, node, go_file)
            elif node.type == "function_declaration":
                name = text(node.child_by_field_name("name"))
                index.functions.setdefault(name, Declared(node, go_file))
            elif node.type == "method_declaration":
                name = text(node.child_by_field_name("name"))
                index.methods.setdefault(name, []).append(Declared(node, go_file))
        for node in go_file.nodes_of("type_spec"):
            name = text(node.child_by_field_name("name"))
            type_node = node.child_by_field_name("type")
            if type_node is None:
                continue
            target = index.types if node.parent and _top_level(node) else local_types
            target.setdefault(name, Declared(type_node, go_file))
    # Types declared inside functions (common in go-sdk examples) come after package-level ones.
    for name, declared in local_types.items():
        index.types.setdefault(name, declared)
    return index


def _top_level(type_spec: Node) -> bool:
    declaration = type_spec.parent
    while declaration is not None and declaration.type != "type_declaration":
        declaration = declaration.parent
    return (
        declaration is not None
        and declaration.parent is not None
        and (declaration.parent.type == "source_file")
    )


def _index_values(index: PackageIndex, declaration: Node, go_file: GoFile) -> None:
    for spec in declaration.named_children:
        if spec.type == "const_spec_list" or spec.type == "var_spec_list":
            specs = spec.named_children
        else:
            specs = [spec]
        for one in specs:
            if one.type not in ("const_spec", "var_spec"):
                continue
            names = [c for c in one.children_by_field_name("name") if c.type == "identifier"]
            value = one.child_by_field_name("value")
            if value is None:
                continue
            expressions = value.named_children if value.type == "expression_list" else [value]
            if len(expressions) != len(names):
                continue
            for name, expression in zip(names, expressions, strict=True):
                index.values.setdefault(text(name), Declared(expression, go_file))


class Program:
    """All packages of the crawled module tree, indexed lazily."""

    def __init__(self, packages: dict[str, GoPackage], resolver: ImportResolver) -> None:
        self.packages = packages
        self.resolver = resolver
        self._indexes: dict[str, PackageIndex] = {}

    def index(self, folder: str) -> PackageIndex | None:
        if folder not in self.packages:
            return None
        if folder not in self._indexes:
            self._indexes[folder] = index_package(self.packages[folder])
        return self._indexes[folder]

    def imported(self, go_file: GoFile, alias: str) -> PackageIndex | None:
        """The module package that `alias` names in `go_file`, when it is one of ours."""
        path = go_file.imports.get(alias)
        if path is None:
            return None
        folder = self.resolver.folder_of(path)
        return self.index(folder) if folder is not None else None
