"""Tool groups ("toolsets", "categories") a server enables by name, and which are on by default.

Many Go servers register their tools in named groups and turn groups on from a list the
user may override (`--toolsets core,config`, `--enabled-tools search,datasource,...`,
`--disable-<category>`). Two shapes name a group:
- a method of a toolset type returns the name (`func (t *Toolset) GetName() string
  { return "core" }`), and the tools are built in a method of the same type;
- a table entry pairs the registering closure with the name (`{func(s) { AddXTools(s) },
  cfg.disableX, "x"}`).
A tool's group is found by climbing from where it is named: through the package-level
variable that holds it to the places that use it, and through the callers of each
enclosing function, until one of the shapes above is met.

The default set is the string list in the module (a `[]string{...}` literal or a
comma-separated string, typically a flag default) that names most of the groups found.
Tools of groups outside it are reported as off by default.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tree_sitter import Node

from crawler.extract.go.evaluate import Evaluator, Scope
from crawler.extract.go.parsing import GoFile
from crawler.extract.go.symbols import PackageIndex, Program
from crawler.extract.treesitter import enclosing, text

# How many places (uses, callers) are visited while looking for one tool's group.
MAX_VISITS = 60
_FUNCTIONS = ("function_declaration", "method_declaration", "func_literal")

Anchor = tuple[Node, GoFile, PackageIndex]


class ToolsetReader:
    def __init__(
        self,
        program: Program,
        evaluator: Evaluator,
        reachable: list[PackageIndex],
        callers: Callable[[Node, PackageIndex], list[Anchor]],
    ) -> None:
        self.program = program
        self.evaluator = evaluator
        self.reachable = reachable
        self.callers = callers
        self._uses: _Uses | None = None

    # -- a tool's group -------------------------------------------------------------------

    def group_of(self, anchor: Anchor) -> str | None:
        frontier = [anchor]
        seen: set[int] = set()
        while frontier and len(seen) < MAX_VISITS:
            node, go_file, package = frontier.pop(0)
            if node.id in seen:
                continue
            seen.add(node.id)
            function = enclosing(node, *_FUNCTIONS)
            if function is None:
                frontier.extend(self._uses_of_variable(node, package))
                continue
            if function.type == "func_literal":
                group = self._table_name(function, Scope(go_file, package, in_place=True))
                if group is not None:
                    return group
                frontier.append((function, go_file, package))
                continue
            if function.type == "method_declaration":
                group = self._receiver_name(function, package)
                if group is not None:
                    return group
            else:
                group = self._named_in_table(function, package)
                if group is not None:
                    return group
            frontier.extend(self.callers(function, package))
        return None

    def _named_in_table(self, function: Node, package: PackageIndex) -> str | None:
        """The group of a table entry that holds this function by name (`{pkg.AddX, ..., "x"}`)."""
        if self._uses is None:
            self._uses = self._index_uses()
        name = function.child_by_field_name("name")
        for use, go_file, index in self._uses.get(package.package.folder, name):
            if use.parent is not None and use.parent.type == "selector_expression":
                if use.parent.child_by_field_name("field").id == use.id:
                    continue  # counted through the selector itself
            group = self._table_name(use, Scope(go_file, index, in_place=True))
            if group is not None:
                return group
        return None

    def _table_name(self, entry: Node, scope: Scope) -> str | None:
        """The one string constant beside a function value in a composite literal entry."""
        element = entry.parent
        if element is not None and element.type == "literal_element":
            element = element.parent
            if element is not None and element.type == "keyed_element":
                element = element.parent
        if element is None or element.type != "literal_value":
            return None
        names: set[str] = set()
        for sibling in element.named_children:
            value_node = sibling.named_children[-1] if sibling.named_children else None
            if value_node is not None and value_node.type == "literal_element":
                value_node = value_node.named_children[0] if value_node.named_children else None
            if value_node is None or value_node.id == entry.id:
                continue
            if value_node.type in ("interpreted_string_literal", "raw_string_literal"):
                value = self.evaluator.eval(value_node, scope)
                if isinstance(value, str) and value:
                    names.add(value)
        return names.pop() if len(names) == 1 else None

    def _receiver_name(self, method: Node, package: PackageIndex) -> str | None:
        """What a `...Name()` method of the same receiver type returns, when constant."""
        receiver = _receiver_type(method)
        if not receiver:
            return None
        for name, declared in package.methods.items():
            if not name.endswith("Name"):
                continue
            for one in declared:
                if _receiver_type(one.node) != receiver:
                    continue
                returned = _single_return(one.node)
                if returned is None:
                    continue
                value = self.evaluator.eval(returned, Scope(one.file, package, in_place=True))
                if isinstance(value, str) and value:
                    return value
        return None

    def variable_uses(self, node: Node, package: PackageIndex) -> list[Anchor]:
        """Where the package-level variable defined around `node` is used."""
        return self._uses_of_variable(node, package)

    def _uses_of_variable(self, node: Node, package: PackageIndex) -> list[Anchor]:
        spec = enclosing(node, "var_spec")
        if spec is None:
            return []
        if self._uses is None:
            self._uses = self._index_uses()
        uses: list[Anchor] = []
        for name in spec.children_by_field_name("name"):
            for use in self._uses.get(package.package.folder, name):
                if use[0].id != name.id:
                    uses.append(use)
        return uses

    def _index_uses(self) -> _Uses:
        """(package folder, name) -> the identifiers and pkg.Name selectors that use it."""
        uses = _Uses()
        found = uses.found
        for index in self.reachable:
            folder = index.package.folder
            for go_file in index.package.files:
                seq = uses.next_file()
                for node in go_file.nodes_unordered("identifier"):
                    found.setdefault((folder, node.text), []).append((seq, node, go_file, index))
                for node in go_file.nodes_unordered("selector_expression"):
                    operand = node.child_by_field_name("operand")
                    alias = text(operand) if operand is not None else ""
                    if alias in go_file.imports:
                        used = self.program.resolver.folder_of(go_file.imports[alias])
                        if used is not None:
                            field_node = node.child_by_field_name("field")
                            key = (used, field_node.text if field_node is not None else b"")
                            found.setdefault(key, []).append((seq, node, go_file, index))
        return uses

    # -- the groups on by default ---------------------------------------------------------

    def default_groups(self, groups: set[str]) -> set[str] | None:
        """The module's string list that names most of `groups`, or None."""
        best: set[str] | None = None
        best_hits = 0
        for candidate in self._string_lists():
            hits = len(candidate & groups)
            if hits >= 2 and 2 * hits >= len(candidate) and hits > best_hits:
                best, best_hits = candidate, hits
        return best

    def _string_lists(self) -> list[set[str]]:
        lists: list[set[str]] = []
        for index in self.reachable:
            for go_file in index.package.files:
                scope = Scope(go_file, index, in_place=True)
                kinds = ("composite_literal", "interpreted_string_literal")
                for node in go_file.nodes_of(*kinds):
                    if node.type == "composite_literal":
                        type_node = node.child_by_field_name("type")
                        if type_node is None or text(type_node) != "[]string":
                            continue
                        value = self.evaluator.eval(node, scope)
                        if isinstance(value, list) and all(isinstance(v, str) for v in value):
                            lists.append({v.strip() for v in value if v.strip()})
                    elif node.type == "interpreted_string_literal" and "," in text(node):
                        value = self.evaluator.eval(node, scope)
                        if isinstance(value, str) and " " not in value.strip():
                            lists.append({v.strip() for v in value.split(",") if v.strip()})
        return lists


class _Uses:
    """Uses by (package folder, name's bytes), each name's put in document order when asked.

    Most names are never asked for, so ordering all of them up front would be waste.
    """

    def __init__(self) -> None:
        self._files = 0
        # key -> (file's number, node, file, package) in no particular order within a file
        self.found: dict[tuple[str, bytes | None], list[tuple[int, Node, GoFile, PackageIndex]]]
        self.found = {}
        self._ordered: set[tuple[str, bytes | None]] = set()

    def next_file(self) -> int:
        self._files += 1
        return self._files

    def get(self, folder: str, name: Node | None) -> list[Anchor]:
        key = (folder, name.text if name is not None else b"")
        found = self.found.get(key)
        if not found:
            return []
        if key not in self._ordered:
            found.sort(key=lambda use: (use[0], use[1].start_byte, -use[1].end_byte))
            self._ordered.add(key)
        return [(node, go_file, index) for _, node, go_file, index in found]


def toolset_states(
    reader: ToolsetReader, anchors: list[Anchor | None]
) -> list[tuple[str, bool | None] | None]:
    """Per tool: (`toolset "x" enabled`, on by default?), or None outside any group."""
    groups: list[str | None] = [
        reader.group_of(anchor) if anchor is not None else None for anchor in anchors
    ]
    named = {g for g in groups if g}
    if len(named) < 2:
        return [None] * len(anchors)  # one group is no choice the user makes
    defaults = reader.default_groups(named)
    return [
        None
        if group is None
        else (f'toolset "{group}" enabled', None if defaults is None else group in defaults)
        for group in groups
    ]


def _receiver_type(method: Node) -> str:
    receiver = method.child_by_field_name("receiver")
    for declaration in receiver.named_children if receiver is not None else []:
        type_node = declaration.child_by_field_name("type")
        if type_node is not None:
            return text(type_node).lstrip("*").split("[")[0]
    return ""


def _single_return(function: Node) -> Any:
    body = function.child_by_field_name("body")
    if body is not None and len(body.named_children) == 1:
        if body.named_children[0].type == "statement_list":  # newer grammars wrap the body
            body = body.named_children[0]
    statements = [
        s for s in (body.named_children if body is not None else []) if s.type != "comment"
    ]
    if len(statements) != 1 or statements[0].type != "return_statement":
        return None
    values = statements[0].named_children
    if len(values) != 1:
        return None
    value = values[0]
    if value.type == "expression_list":
        return value.named_children[0] if len(value.named_children) == 1 else None
    return value
