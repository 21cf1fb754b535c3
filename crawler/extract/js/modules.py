"""One module's imports, exports and dependencies, read from its syntax tree.

Both ES modules and the CommonJS that tsc and bundlers emit are understood:
`import`/`export` statements, `require()`, dynamic `import()`, `exports.X = ...`,
`module.exports = ...`, tsc's `Object.defineProperty(exports, "X", {get})`
re-exports and `__exportStar(require("./x"), exports)`.
"""

from __future__ import annotations

from collections.abc import Container
from dataclasses import dataclass, field
from operator import attrgetter

from tree_sitter import Node, Query, QueryCursor, Tree

from crawler.extract.js.parsing import ParsedFile
from crawler.extract.js.resolve import resolve_import
from crawler.extract.treesitter import text, walk

# Method names whose calls may register tools; the patterns module decides.
REGISTRATION_METHODS = frozenset(
    {"registerTool", "tool", "registerToolTask", "addTool", "setRequestHandler"}
)


@dataclass(frozen=True)
class ImportBinding:
    source: str  # the specifier as written
    target: str | None  # the package file it resolves to, for relative specifiers
    name: str  # the imported name; "*" for a namespace, "default" for a default import


@dataclass
class ExportEntry:
    kind: str  # "local", "node", "getter" or "reexport"
    local: str = ""  # "local": the module-level binding exported
    node: Node | None = None  # "node": the value expression; "getter": the getter function
    source: str = ""  # "reexport": the specifier and the name exported there
    target: str | None = None
    name: str = ""


@dataclass
class Module:
    path: str
    parsed: ParsedFile
    imports: dict[str, ImportBinding] = field(default_factory=dict)
    exports: dict[str, ExportEntry] = field(default_factory=dict)
    star_exports: list[str] = field(default_factory=list)  # resolved targets
    whole_export: Node | None = None  # `module.exports = <node>`
    dependencies: list[str] = field(default_factory=list)
    registration_calls: list[Node] = field(default_factory=list)
    # Every call by the name it calls (`f(...)`, `x.f(...)`), to find a helper's callers.
    calls_by_name: dict[str, list[Node]] = field(default_factory=dict)
    # Names a bundler filled with zod's exports (esbuild: `__export(x, {ZodType: ...})`).
    zod_aliases: set[str] = field(default_factory=set)

    @property
    def root(self) -> Node:
        return self.parsed.root


def string_value(node: Node | None) -> str | None:
    """The value of a plain string literal (or substitution-free template)."""
    if node is None:
        return None
    if node.type == "string":
        return "".join(text(c) for c in node.named_children if c.type == "string_fragment")
    if node.type == "template_string" and not any(
        c.type == "template_substitution" for c in node.named_children
    ):
        return "".join(text(c) for c in node.named_children if c.type == "string_fragment")
    return None


_READ_TYPES = ("import_statement", "export_statement", "call_expression", "assignment_expression")
_queries: dict[int, Query] = {}
_START_BYTE = attrgetter("start_byte")
_END_BYTE = attrgetter("end_byte")


def _nodes_to_read(tree: Tree) -> list[Node]:
    """The nodes build_module reads, in document order, found by a tree-sitter query.

    Matching in tree-sitter's C code instead of visiting every node from Python
    is what keeps megabyte bundles cheap.
    """
    root = tree.root_node
    language = tree.language
    key = id(language)
    query = _queries.get(key)
    if query is None:
        pattern = "[" + " ".join(f"({kind})" for kind in _READ_TYPES) + "] @node"
        try:
            query = _queries[key] = Query(language, pattern)
        except Exception:  # a grammar without one of the node types: walk instead
            return [n for n in walk(root) if n.type in _READ_TYPES]
    nodes = QueryCursor(query).captures(root).get("node", [])
    # Document order, an outer node before the inner one starting where it does: two
    # stable sorts by single keys (read in C) instead of one by a tuple made per node.
    nodes.sort(key=_END_BYTE, reverse=True)
    nodes.sort(key=_START_BYTE)
    return nodes


def build_module(parsed: ParsedFile, files: Container[str]) -> Module:
    module = Module(path=parsed.path, parsed=parsed)
    reader = _Reader(module, files)
    for node in _nodes_to_read(parsed.tree):
        kind = node.type
        if kind == "import_statement":
            reader.import_statement(node)
        elif kind == "export_statement":
            reader.export_statement(node)
        elif kind == "call_expression":
            reader.call(node)
        elif kind == "assignment_expression":
            reader.assignment(node)
    return module


class _Reader:
    def __init__(self, module: Module, files: Container[str]) -> None:
        self.module = module
        self.files = files

    def _resolve(self, spec: str) -> str | None:
        target = resolve_import(self.module.path, spec, self.files)
        if target is not None and target not in self.module.dependencies:
            self.module.dependencies.append(target)
        return target

    def import_statement(self, node: Node) -> None:
        spec = string_value(node.child_by_field_name("source"))
        if spec is None:
            return
        target = self._resolve(spec)
        for clause in node.named_children:
            if clause.type != "import_clause":
                continue
            for part in clause.named_children:
                if part.type == "identifier":
                    self._bind(text(part), ImportBinding(spec, target, "default"))
                elif part.type == "namespace_import":
                    for ident in part.named_children:
                        self._bind(text(ident), ImportBinding(spec, target, "*"))
                elif part.type == "named_imports":
                    for item in part.named_children:
                        if item.type != "import_specifier":
                            continue
                        name = item.child_by_field_name("name")
                        alias = item.child_by_field_name("alias") or name
                        imported = string_value(name) or text(name)
                        self._bind(text(alias), ImportBinding(spec, target, imported))

    def _bind(self, local: str, binding: ImportBinding) -> None:
        if local:
            self.module.imports[local] = binding

    def export_statement(self, node: Node) -> None:
        exports = self.module.exports
        source_node = node.child_by_field_name("source")
        is_default = any(c.type == "default" for c in node.children)
        if source_node is not None:
            spec = string_value(source_node) or ""
            target = self._resolve(spec)
            clause = next((c for c in node.named_children if c.type == "export_clause"), None)
            namespace = next((c for c in node.named_children if c.type == "namespace_export"), None)
            if clause is not None:
                for item in clause.named_children:
                    name = item.child_by_field_name("name")
                    alias = item.child_by_field_name("alias") or name
                    original = string_value(name) or text(name)
                    exported = string_value(alias) or text(alias)
                    exports[exported] = ExportEntry(
                        "reexport", source=spec, target=target, name=original
                    )
            elif namespace is not None:
                for ident in namespace.named_children:
                    exports[string_value(ident) or text(ident)] = ExportEntry(
                        "reexport", source=spec, target=target, name="*"
                    )
            elif target is not None:
                self.module.star_exports.append(target)
            return
        declaration = node.child_by_field_name("declaration")
        value = node.child_by_field_name("value")
        if is_default:
            target_node = value or declaration
            if target_node is not None:
                exports["default"] = ExportEntry("node", node=target_node)
            return
        if declaration is not None:
            for name in declared_names(declaration):
                exports[name] = ExportEntry("local", local=name)
            return
        for clause in node.named_children:
            if clause.type != "export_clause":
                continue
            for item in clause.named_children:
                name = item.child_by_field_name("name")
                alias = item.child_by_field_name("alias") or name
                exports[string_value(alias) or text(alias)] = ExportEntry("local", local=text(name))

    def call(self, node: Node) -> None:
        function = node.child_by_field_name("function")
        args = node.child_by_field_name("arguments")
        if function is None or args is None:
            return
        function_type = function.type
        if function_type == "import" or (
            function_type == "identifier" and text(function) == "require"
        ):
            first = string_value(args.named_children[0]) if args.named_child_count else None
            if first is not None:
                self._resolve(first)
            return
        if function_type in ("parenthesized_expression", "sequence_expression"):
            # tsc calls imported functions as `(0, x_1.f)(...)`.
            inner = function.named_children[-1] if function.named_children else None
            if inner is not None and inner.type in ("member_expression", "identifier"):
                self.module.calls_by_name.setdefault(_callee_name(inner), []).append(node)
            return
        if function_type != "member_expression" and function_type != "identifier":
            return
        name = _callee_name(function)
        self.module.calls_by_name.setdefault(name, []).append(node)
        if name in REGISTRATION_METHODS and function_type == "member_expression":
            self.module.registration_calls.append(node)
            return
        if name not in ("defineProperty", "__export", "__exportStar"):
            return
        arg_nodes = args.named_children
        if name == "defineProperty" and len(arg_nodes) >= 3 and _is_exports(arg_nodes[0]):
            exported = string_value(arg_nodes[1])
            getter = _getter_of(arg_nodes[2])
            if exported and getter is not None:
                self.module.exports.setdefault(exported, ExportEntry("getter", node=getter))
        elif name == "__export" and len(arg_nodes) == 2 and arg_nodes[0].type == "identifier":
            if _looks_like_zod(arg_nodes[1]):
                self.module.zod_aliases.add(text(arg_nodes[0]))
        elif name == "__exportStar" and len(arg_nodes) >= 1:
            inner = arg_nodes[0]
            if inner.type == "call_expression":
                inner_args = inner.child_by_field_name("arguments")
                spec = (
                    string_value(inner_args.named_children[0])
                    if inner_args and inner_args.named_children
                    else None
                )
                target = self._resolve(spec) if spec else None
                if target is not None:
                    self.module.star_exports.append(target)

    def assignment(self, node: Node) -> None:
        left = node.child_by_field_name("left")
        right = node.child_by_field_name("right")
        if left is None or right is None or left.type != "member_expression":
            return
        obj = left.child_by_field_name("object")
        prop = text(left.child_by_field_name("property"))
        if obj is None:
            return
        if obj.type == "identifier" and text(obj) == "module" and prop == "exports":
            self.module.whole_export = right
            return
        if _is_exports(obj):
            value = _skip_chained(right)
            if value is not None:
                self.module.exports[prop] = ExportEntry("node", node=value)


def _looks_like_zod(getters: Node) -> bool:
    if getters.type != "object":
        return False
    keys = set()
    for item in getters.named_children:
        key = item.child_by_field_name("key") if item.type == "pair" else None
        if key is not None:
            keys.add(text(key))
    return {"ZodType", "object", "string"} <= keys


def _callee_name(function: Node) -> str:
    if function.type == "member_expression":
        return text(function.child_by_field_name("property"))
    return text(function)


def _is_exports(node: Node) -> bool:
    """`exports` or `module.exports`."""
    if node.type == "identifier":
        return text(node) == "exports"
    if node.type == "member_expression":
        obj = node.child_by_field_name("object")
        return (
            obj is not None
            and text(obj) == "module"
            and text(node.child_by_field_name("property")) == "exports"
        )
    return False


def _skip_chained(node: Node) -> Node | None:
    """The real value of `exports.a = exports.b = X`; None for tsc's `void 0` placeholders."""
    for _ in range(1000):
        if node.type == "assignment_expression":
            node = node.child_by_field_name("right")
            if node is None:
                return None
            continue
        if node.type == "unary_expression" and text(node).replace(" ", "") == "void0":
            return None
        return node
    return None


def _getter_of(descriptor: Node) -> Node | None:
    if descriptor.type != "object":
        return None
    for item in descriptor.named_children:
        if item.type == "pair" and text(item.child_by_field_name("key")) == "get":
            return item.child_by_field_name("value")
        if item.type == "method_definition" and text(item.child_by_field_name("name")) == "get":
            return item
    return None


def declared_names(declaration: Node) -> list[str]:
    """Names a declaration statement introduces (destructuring names included)."""
    if declaration.type in ("lexical_declaration", "variable_declaration"):
        names: list[str] = []
        for declarator in declaration.named_children:
            if declarator.type == "variable_declarator":
                names.extend(pattern_names(declarator.child_by_field_name("name")))
        return names
    name = declaration.child_by_field_name("name")
    return [text(name)] if name is not None else []


def pattern_names(pattern: Node | None) -> list[str]:
    if pattern is None:
        return []
    if pattern.type in ("identifier", "shorthand_property_identifier_pattern"):
        return [text(pattern)]
    out: list[str] = []
    stack = list(pattern.named_children)
    while stack:
        node = stack.pop()
        if node.type in ("identifier", "shorthand_property_identifier_pattern"):
            out.append(text(node))
        elif node.type == "pair_pattern":
            value = node.child_by_field_name("value")
            if value is not None:
                stack.append(value)
        elif node.type in ("object_assignment_pattern", "assignment_pattern"):
            left = node.child_by_field_name("left")
            if left is not None:
                stack.append(left)
        else:
            stack.extend(node.named_children)
    return out
