"""A small evaluator for constant-like Go expressions: the values tool definitions are made of.

It knows literals, constants and variables (package-level, imported from the
module's own packages, and locals of the enclosing function), string
concatenation, composite literals, `fmt.Sprintf` and a few `strings`
functions, pointer helpers such as `jsonschema.Ptr`, and calls of the module's
own functions whose bodies are straight-line code (binding arguments to
parameters). Anything else is `Unknown`.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from typing import Any

from tree_sitter import Node

from crawler.extract.go.parsing import GoFile, string_literal, unescape
from crawler.extract.go.symbols import Declared, PackageIndex, Program
from crawler.extract.go.values import Closure, Struct, Unknown, is_known
from crawler.extract.treesitter import text

MAX_DEPTH = 60
MAX_STATEMENTS = 400
_FUNCTION_NODES = ("function_declaration", "method_declaration", "func_literal")
# Helpers that take a value and return a pointer to it: the value is what is serialised.
_POINTER_HELPERS = frozenset(
    {"Ptr", "ToBoolPtr", "BoolPtr", "Bool", "String", "StringPtr", "Int", "Float64", "ptr"}
)
_TRANSLATION_KEY = re.compile(r"^[A-Z][A-Z0-9_]*$")
_FORMAT_VERB = re.compile(r"%([-+# 0]*\d*(?:\.\d+)?)([a-zA-Z%])")


@dataclass
class Scope:
    file: GoFile
    package: PackageIndex
    bindings: dict[str, Any] = field(default_factory=dict)
    # Set when evaluating in place: locals of enclosing functions are looked up in their bodies.
    in_place: bool = False


class Evaluator:
    def __init__(self, program: Program) -> None:
        self.program = program
        self._depth = 0
        self._busy: set[int] = set()
        self._package_values: dict[tuple[str, str], Any] = {}
        self._locals: dict[int, dict[str, list[tuple[int, Node | None, int]]]] = {}

    # -- entry points -------------------------------------------------------------

    def eval(self, node: Node | None, scope: Scope) -> Any:
        if node is None:
            return Unknown("missing expression")
        if self._depth >= MAX_DEPTH:
            return Unknown("nested too deeply")
        self._depth += 1
        try:
            return self._eval(node, scope)
        except RecursionError:
            return Unknown("nested too deeply")
        finally:
            self._depth -= 1

    def local_definition(self, use: Node, name: str) -> Node | None:
        """The expression last assigned to local `name` before `use`, if any."""
        function = use.parent
        while function is not None:
            if function.type in _FUNCTION_NODES:
                definitions = self._function_locals(function).get(name)
                before = [d for d in definitions or [] if d[0] < use.start_byte]
                if before:
                    return before[-1][1]
            function = function.parent
        return None

    def resolve_function(
        self, function: Node | None, scope: Scope
    ) -> tuple[Declared | None, PackageIndex | None]:
        """The module's own function (or method, by name) a call or reference names."""
        if function is None:
            return None, None
        if function.type == "identifier":
            declared = scope.package.functions.get(text(function))
            return (declared, scope.package) if declared else (None, None)
        if function.type != "selector_expression":
            return None, None
        operand = function.child_by_field_name("operand")
        name = text(function.child_by_field_name("field"))
        alias = text(operand) if operand is not None and operand.type == "identifier" else ""
        if alias and alias in scope.file.imports:
            imported = self.program.imported(scope.file, alias)
            declared = imported.functions.get(name) if imported else None
            return (declared, imported) if declared else (None, None)
        methods = scope.package.methods.get(name)
        if methods:
            return methods[0], scope.package
        return None, None

    # -- expressions ----------------------------------------------------------------

    def _eval(self, node: Node, scope: Scope) -> Any:
        kind = node.type
        if kind in ("interpreted_string_literal", "raw_string_literal"):
            return string_literal(node)
        if kind == "int_literal":
            return _int(text(node))
        if kind == "float_literal":
            try:
                return float(text(node).replace("_", ""))
            except ValueError:
                return Unknown("unreadable number")
        if kind == "rune_literal":
            body = unescape(text(node)[1:-1])
            return ord(body[0]) if len(body) == 1 else Unknown("unreadable rune")
        if kind == "true":
            return True
        if kind == "false":
            return False
        if kind == "nil":
            return None
        if kind in ("parenthesized_expression", "literal_element"):
            inner = node.named_children
            return self.eval(inner[0], scope) if inner else Unknown("empty")
        if kind == "identifier":
            return self._identifier(node, scope)
        if kind == "selector_expression":
            return self._selector(node, scope)
        if kind == "binary_expression":
            return self._binary(node, scope)
        if kind == "unary_expression":
            operator = text(node.child_by_field_name("operator"))
            value = self.eval(node.child_by_field_name("operand"), scope)
            if operator in ("&", "*", "+"):
                return value
            if operator == "-" and isinstance(value, int | float) and not isinstance(value, bool):
                return -value
            if operator == "!" and isinstance(value, bool):
                return not value
            return Unknown(f"operator {operator}")
        if kind == "func_literal":
            return Closure(node, scope)
        if kind == "index_expression":
            holder = self.eval(node.child_by_field_name("operand"), scope)
            key = self.eval(node.child_by_field_name("index"), scope)
            if isinstance(holder, dict) and isinstance(key, str | int) and key in holder:
                return holder[key]
            if isinstance(holder, list) and isinstance(key, int) and 0 <= key < len(holder):
                return holder[key]
            return Unknown("index computed at run time")
        if kind == "composite_literal":
            return self._composite(
                node.child_by_field_name("body"), node.child_by_field_name("type"), scope
            )
        if kind == "call_expression":
            return self._call(node, scope)
        if kind in ("type_conversion_expression",):
            return self._conversion(
                text(node.child_by_field_name("type")), node.child_by_field_name("operand"), scope
            )
        return Unknown(f"{kind} is not evaluated")

    def _binary(self, node: Node, scope: Scope) -> Any:
        operator = text(node.child_by_field_name("operator"))
        left = self.eval(node.child_by_field_name("left"), scope)
        right = self.eval(node.child_by_field_name("right"), scope)
        if not is_known(left) or not is_known(right):
            return left if not is_known(left) else right
        if operator == "+":
            if isinstance(left, str) and isinstance(right, str):
                return left + right
            if _number(left) and _number(right):
                return left + right
        if operator in ("-", "*") and _number(left) and _number(right):
            return left - right if operator == "-" else left * right
        if operator == "|" and isinstance(left, int) and isinstance(right, int):
            return left | right
        return Unknown(f"operator {operator}")

    def _identifier(self, node: Node, scope: Scope) -> Any:
        name = text(node)
        if name in scope.bindings:
            return scope.bindings[name]
        if scope.in_place:
            found = self._local(node, name)
            if found is not None:
                return found(scope)
        declared = scope.package.values.get(name)
        if declared is not None:
            return self._package_value(scope.package, name, declared)
        if name == "iota":
            return Unknown("iota")
        return Unknown(f"{name} is not a known constant")

    def _package_value(self, package: PackageIndex, name: str, declared: Declared) -> Any:
        key = (package.package.folder, name)
        if key not in self._package_values:
            if declared.node.id in self._busy:
                return Unknown("constant defined in terms of itself")
            marker = declared.node.id
            self._busy.add(marker)
            try:
                value = self.eval(declared.node, Scope(declared.file, package))
            finally:
                self._busy.discard(marker)
            self._package_values[key] = value
        # Copies, because interpreted helper functions may mutate what they are given.
        return copy.deepcopy(self._package_values[key])

    def _selector(self, node: Node, scope: Scope) -> Any:
        operand = node.child_by_field_name("operand")
        name = text(node.child_by_field_name("field"))
        if operand is not None and operand.type == "identifier":
            alias = text(operand)
            if alias not in scope.bindings and alias in scope.file.imports:
                imported = self.program.imported(scope.file, alias)
                declared = imported.values.get(name) if imported else None
                if imported is not None and declared is not None:
                    return self._package_value(imported, name, declared)
                return Unknown(f"{alias}.{name} is defined outside the package")
        value = self.eval(operand, scope)
        if isinstance(value, Struct):
            return value.fields.get(name, Unknown(f"field {name} is not set"))
        return Unknown(f"field {name} of a run-time value")

    # -- locals of the enclosing functions ----------------------------------------

    def _local(self, use: Node, name: str):
        """A thunk evaluating the latest definition of local `name` before `use`, if any."""
        function = use.parent
        while function is not None:
            if function.type in _FUNCTION_NODES:
                definitions = self._function_locals(function).get(name)
                if definitions:
                    before = [d for d in definitions if d[0] < use.start_byte]
                    if before:
                        _, value_node, _ = before[-1]
                        if value_node is None:
                            return lambda scope: Unknown(f"{name} is set at run time", name)
                        return lambda scope: self._local_value(name, value_node, use, scope)
            function = function.parent
        return None

    def _local_value(self, name: str, value_node: Node, use: Node, scope: Scope) -> Any:
        """A local's value, with the statements between its definition and `use` that change it.

        `schema.Properties["x"] = ...` and `WithPagination(schema)` after `schema := ...`
        are replayed, so helper functions that fill in a schema are seen.
        """
        value = self.eval(value_node, scope)
        if not isinstance(value, Struct | dict | list):
            return value
        statement = value_node
        while statement.parent is not None and statement.parent.type not in (
            "statement_list",
            "block",
        ):
            statement = statement.parent
        changed = Scope(scope.file, scope.package, {**scope.bindings, name: value}, in_place=True)
        sibling = statement.next_named_sibling
        replayed = 0
        while (
            sibling is not None and sibling.end_byte <= use.start_byte and replayed < MAX_STATEMENTS
        ):
            replayed += 1
            if sibling.type == "assignment_statement" and _root_name(sibling) == name:
                self._assign(sibling, changed)
            elif sibling.type == "expression_statement" and sibling.named_children:
                call = sibling.named_children[0]
                arguments = (
                    call.child_by_field_name("arguments")
                    if call.type == "call_expression"
                    else None
                )
                if arguments is not None and any(
                    text(a) in (name, "&" + name) for a in arguments.named_children
                ):
                    self.eval(call, changed)
            sibling = sibling.next_named_sibling
        return changed.bindings.get(name, value)

    def _function_locals(self, function: Node) -> dict[str, list[tuple[int, Node | None, int]]]:
        cached = self._locals.get(function.id)
        if cached is not None:
            return cached
        found: dict[str, list[tuple[int, Node | None, int]]] = {}
        params = function.child_by_field_name("parameters")
        for name in _parameter_names(params):
            found.setdefault(name, []).append((params.start_byte, None, 0))
        receiver = function.child_by_field_name("receiver")
        for name in _parameter_names(receiver):
            found.setdefault(name, []).append((receiver.start_byte, None, 0))
        body = function.child_by_field_name("body")
        stack = [body] if body is not None else []
        while stack:
            node = stack.pop()
            if node.type in _FUNCTION_NODES:
                continue  # a nested function's locals are its own
            if node.type in ("short_var_declaration", "assignment_statement", "var_spec"):
                for name, value in _assigned(node):
                    found.setdefault(name, []).append((node.start_byte, value, 0))
            elif node.type in ("range_clause", "receive_statement"):
                for child in node.named_children:
                    for ident in (c for c in [child] if c.type == "expression_list"):
                        for item in ident.named_children:
                            found.setdefault(text(item), []).append((node.start_byte, None, 0))
            stack.extend(node.named_children)
        for definitions in found.values():
            definitions.sort(key=lambda d: d[0])
        self._locals[function.id] = found
        return found

    # -- composite literals ---------------------------------------------------------

    def _composite(self, body: Node | None, type_node: Node | None, scope: Scope) -> Any:
        if body is None:
            return Unknown("composite literal without a body")
        type_node = _strip_pointer(type_node)
        kind = type_node.type if type_node is not None else ""
        elements = [
            c for c in body.named_children if c.type in ("keyed_element", "literal_element")
        ]
        if kind == "map_type":
            element_type = type_node.child_by_field_name("value")
            out: dict[Any, Any] = {}
            for element in elements:
                if element.type != "keyed_element":
                    continue
                key_node, value_node = _key_value(element)
                key = self.eval(key_node, scope)
                if not is_known(key) or isinstance(key, dict | list | Struct):
                    out[f"<unknown key {len(out)}>"] = Unknown("map key computed at run time")
                    continue
                out[key] = self._element(value_node, element_type, scope)
            return out
        if kind in ("slice_type", "array_type", "implicit_length_array_type"):
            element_type = type_node.child_by_field_name("element")
            return [
                self._element(
                    _key_value(e)[1] if e.type == "keyed_element" else e, element_type, scope
                )
                for e in elements
            ]
        if kind in ("qualified_type", "type_identifier", "generic_type"):
            name_node = type_node.child_by_field_name("name") if kind == "qualified_type" else None
            type_name = text(name_node) if name_node is not None else text(type_node).split("[")[0]
            struct = Struct(type_name)
            for position, element in enumerate(elements):
                if element.type == "keyed_element":
                    key_node, value_node = _key_value(element)
                    struct.fields[text(key_node)] = self.eval(value_node, scope)
                else:
                    struct.fields[f"_{position}"] = self.eval(element, scope)
            return struct
        # A literal with elided type and no hint: keyed -> map, else list.
        if elements and all(e.type == "keyed_element" for e in elements):
            return self._composite_untyped_map(elements, scope)
        return [self.eval(e, scope) for e in elements]

    def _composite_untyped_map(self, elements: list[Node], scope: Scope) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        for element in elements:
            key_node, value_node = _key_value(element)
            key = self.eval(key_node, scope)
            if is_known(key) and not isinstance(key, dict | list | Struct):
                out[key] = self._element(value_node, None, scope)
        return out

    def _element(self, node: Node | None, element_type: Node | None, scope: Scope) -> Any:
        """An element of a map or slice literal, whose own type may be elided (`{...}`)."""
        if node is None:
            return Unknown("missing element")
        inner = node
        if inner.type == "literal_element" and inner.named_children:
            inner = inner.named_children[0]
        if inner.type == "literal_value":
            if self._depth >= MAX_DEPTH:
                return Unknown("nested too deeply")
            self._depth += 1
            try:
                return self._composite(inner, element_type, scope)
            finally:
                self._depth -= 1
        return self.eval(inner, scope)

    # -- calls ------------------------------------------------------------------------

    def _call(self, node: Node, scope: Scope) -> Any:
        function = node.child_by_field_name("function")
        arguments = node.child_by_field_name("arguments")
        args = arguments.named_children if arguments is not None else []
        if function is None:
            return Unknown("call")
        if function.type in ("slice_type", "array_type", "qualified_type", "parenthesized_type"):
            return self._conversion(text(function), args[0] if args else None, scope)
        if function.type == "selector_expression":
            return self._selector_call(function, args, scope)
        if function.type == "func_literal" and not args:
            # An immediately called closure: `InputSchema: func() *Schema { ... }()`.
            inner = Scope(scope.file, scope.package, dict(scope.bindings), in_place=scope.in_place)
            return self.run_body(function.child_by_field_name("body"), inner)
        if function.type == "identifier":
            closure = self._closure(function, scope)
            if closure is not None:
                literal, closure_scope = closure
                values = [self.eval(a, scope) for a in args if a.type != "variadic_argument"]
                bindings = {
                    **closure_scope.bindings,
                    **_bind(literal.child_by_field_name("parameters"), values),
                }
                inner = Scope(
                    closure_scope.file, closure_scope.package, bindings, closure_scope.in_place
                )
                return self.run_body(literal.child_by_field_name("body"), inner)
            return self._plain_call(text(function), args, scope)
        return Unknown("call of a computed function")

    def _closure(self, function: Node, scope: Scope) -> tuple[Node, Scope] | None:
        """A function literal a local variable holds, e.g. `variant := func(...) {...}`."""
        name = text(function)
        bound = scope.bindings.get(name)
        if isinstance(bound, Closure):
            return bound.node, bound.scope
        if scope.in_place and name not in scope.bindings:
            definition = self.local_definition(function, name)
            if definition is not None and definition.type == "func_literal":
                return definition, scope
        return None

    def _selector_call(self, function: Node, args: list[Node], scope: Scope) -> Any:
        operand = function.child_by_field_name("operand")
        name = text(function.child_by_field_name("field"))
        alias = text(operand) if operand is not None and operand.type == "identifier" else ""
        import_path = scope.file.imports.get(alias) if alias not in scope.bindings else None
        if import_path is not None:
            if import_path == "fmt" and name == "Sprintf":
                return self._sprintf(args, scope)
            if import_path == "strconv" and name in ("Itoa", "Quote") and len(args) == 1:
                value = self.eval(args[0], scope)
                if name == "Itoa" and isinstance(value, int) and not isinstance(value, bool):
                    return str(value)
                if name == "Quote" and isinstance(value, str):
                    return json.dumps(value, ensure_ascii=False)
                return Unknown(f"strconv.{name} of a run-time value")
            if import_path == "strings":
                return self._strings(name, args, scope)
            if import_path == "maps" and name == "Copy" and len(args) == 2:
                target, source = self.eval(args[0], scope), self.eval(args[1], scope)
                if isinstance(target, dict) and isinstance(source, dict):
                    target.update(source)  # maps.Copy changes its first argument in place
                return None
            if import_path == "encoding/json" and name == "RawMessage":
                return self._conversion("json.RawMessage", args[0] if args else None, scope)
            if name in _POINTER_HELPERS and len(args) == 1:
                return self.eval(args[0], scope)
            imported = self.program.imported(scope.file, alias)
            if imported is not None and name in imported.functions:
                return self.call_function(imported.functions[name], args, scope, imported)
            return Unknown(f"{alias}.{name}(...) is computed at run time")
        return self._translation(args, scope, f"{text(function)}(...)")

    def _plain_call(self, name: str, args: list[Node], scope: Scope) -> Any:
        if name in ("string", "float64", "float32", "int", "int64", "int32", "bool", "any"):
            return self._conversion(name, args[0] if args else None, scope)
        if name == "append" and args:
            base = self.eval(args[0], scope)
            if not isinstance(base, list):
                return Unknown("append to a run-time value")
            for arg in args[1:]:
                if arg.type == "variadic_argument":
                    more = self.eval(arg.named_children[0] if arg.named_children else None, scope)
                    base = base + (more if isinstance(more, list) else [Unknown("spread")])
                else:
                    base = base + [self.eval(arg, scope)]
            return base
        if name not in scope.bindings:
            declared = scope.package.functions.get(name)
            if declared is not None:
                return self.call_function(declared, args, scope, scope.package)
            if name in _POINTER_HELPERS and len(args) == 1:
                return self.eval(args[0], scope)
        return self._translation(args, scope, f"{name}(...)")

    def _translation(self, args: list[Node], scope: Scope, what: str) -> Any:
        """`t("TOOL_X_DESCRIPTION", "default text")`: a translation helper's default."""
        if len(args) == 2:
            key = self.eval(args[0], scope)
            default = self.eval(args[1], scope)
            if isinstance(key, str) and _TRANSLATION_KEY.match(key) and isinstance(default, str):
                return default
        return Unknown(f"{what} is computed at run time")

    def _conversion(self, type_text: str, operand: Node | None, scope: Scope) -> Any:
        value = self.eval(operand, scope)
        if not is_known(value):
            return value
        if type_text in ("json.RawMessage", "[]byte") and isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                return Unknown("raw JSON that does not parse")
        if type_text in ("float64", "float32") and _number(value):
            return float(value)
        if type_text in ("int", "int64", "int32") and _number(value):
            return int(value)
        return value

    def _sprintf(self, args: list[Node], scope: Scope) -> Any:
        values = [self.eval(a, scope) for a in args]
        if not values or not all(is_known(v) for v in values) or not isinstance(values[0], str):
            return Unknown("fmt.Sprintf with run-time arguments")
        return go_format(values[0], values[1:])

    def _strings(self, name: str, args: list[Node], scope: Scope) -> Any:
        values = [self.eval(a, scope) for a in args]
        if not all(is_known(v) for v in values):
            return Unknown(f"strings.{name} of run-time values")
        try:
            if (
                name == "Join"
                and isinstance(values[0], list)
                and all(isinstance(v, str) for v in values[0])
            ):
                return values[1].join(values[0])
            if name == "TrimSpace":
                return values[0].strip()
            if name == "ToLower":
                return values[0].lower()
            if name == "ToUpper":
                return values[0].upper()
            if name == "ReplaceAll":
                return values[0].replace(values[1], values[2])
            if name == "Repeat" and isinstance(values[1], int) and 0 <= values[1] <= 1000:
                return values[0] * values[1]
        except (AttributeError, IndexError, TypeError):
            pass
        return Unknown(f"strings.{name}")

    # -- calls of the module's own functions ---------------------------------------------

    def call_function(
        self, declared: Declared, args: list[Node], caller: Scope, package: PackageIndex
    ) -> Any:
        """Run a straight-line function body with its parameters bound to the argument values."""
        if declared.node.id in self._busy:
            return Unknown("recursive function")
        values = [self.eval(a, caller) for a in args if a.type != "variadic_argument"]
        bindings = _bind(declared.node.child_by_field_name("parameters"), values)
        self._busy.add(declared.node.id)
        try:
            result = self.run_body(
                declared.node.child_by_field_name("body"), Scope(declared.file, package, bindings)
            )
        finally:
            self._busy.discard(declared.node.id)
        return result

    def run_body(self, body: Node | None, scope: Scope) -> Any:
        statements = _statements(body)
        for statement in statements[:MAX_STATEMENTS]:
            kind = statement.type
            if kind == "return_statement":
                values = statement.named_children
                if not values:
                    return Unknown("bare return")
                first = values[0]
                if first.type == "expression_list":
                    first = first.named_children[0] if first.named_children else None
                return self.eval(first, scope)
            if kind in ("short_var_declaration", "var_declaration"):
                for spec in (
                    [statement] if kind == "short_var_declaration" else _var_specs(statement)
                ):
                    for name, value in _assigned(spec):
                        scope.bindings[name] = (
                            self.eval(value, scope) if value is not None else Unknown(name)
                        )
            elif kind == "assignment_statement":
                self._assign(statement, scope)
            # Control flow is not followed: the straight-line path is the default behaviour.
        return Unknown("function without a readable return")

    def _assign(self, statement: Node, scope: Scope) -> None:
        operator = text(statement.child_by_field_name("operator"))
        left = statement.child_by_field_name("left")
        right = statement.child_by_field_name("right")
        targets = left.named_children if left is not None else []
        sources = right.named_children if right is not None else []
        if len(targets) != 1 or len(sources) != 1:
            return
        target, source = targets[0], sources[0]
        value = self.eval(source, scope)
        if operator == "+=":
            current = self.eval(target, scope)
            value = (
                current + value
                if isinstance(current, str) and isinstance(value, str)
                else Unknown("+=")
            )
        elif operator != "=":
            return
        if target.type == "identifier":
            scope.bindings[text(target)] = value
        elif target.type == "selector_expression":
            holder = self.eval(target.child_by_field_name("operand"), scope)
            if isinstance(holder, Struct):
                holder.fields[text(target.child_by_field_name("field"))] = value
        elif target.type == "index_expression":
            holder = self.eval(target.child_by_field_name("operand"), scope)
            key = self.eval(target.child_by_field_name("index"), scope)
            if isinstance(holder, dict) and isinstance(key, str | int):
                holder[key] = value


def _root_name(assignment: Node) -> str:
    """`schema` for `schema.Properties["x"] = ...` and `schema.Required = ...`."""
    left = assignment.child_by_field_name("left")
    target = left.named_children[0] if left is not None and left.named_children else None
    while target is not None and target.type in ("selector_expression", "index_expression"):
        target = target.child_by_field_name("operand")
    return text(target) if target is not None and target.type == "identifier" else ""


def go_format(template: str, args: list[Any]) -> Any:
    """fmt.Sprintf for the verbs tool texts use (%s %v %d %q %f %t %%)."""
    out: list[str] = []
    position = 0
    remaining = list(args)
    for match in _FORMAT_VERB.finditer(template):
        out.append(template[position : match.start()])
        position = match.end()
        verb = match.group(2)
        if verb == "%":
            out.append("%")
            continue
        if not remaining:
            return Unknown("fmt.Sprintf with too few arguments")
        value = remaining.pop(0)
        if verb in ("s", "v"):
            out.append(_go_string(value))
        elif verb == "d" and isinstance(value, int):
            out.append(str(value))
        elif verb == "q" and isinstance(value, str):
            out.append(json.dumps(value, ensure_ascii=False))
        elif verb == "t" and isinstance(value, bool):
            out.append("true" if value else "false")
        elif verb == "f" and _number(value):
            precision = re.search(r"\.(\d+)", match.group(1))
            out.append(f"{value:.{int(precision.group(1)) if precision else 6}f}")
        else:
            return Unknown(f"fmt verb %{verb}")
    out.append(template[position:])
    return "".join(out)


def _go_string(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(_go_string(v) for v in value) + "]"
    if value is None:
        return "<nil>"
    return str(value)


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _int(literal: str) -> Any:
    try:
        return int(literal.replace("_", ""), 0)
    except ValueError:
        try:
            return int(literal.replace("_", ""), 8)
        except ValueError:
            return Unknown("unreadable number")


def _strip_pointer(type_node: Node | None) -> Node | None:
    while type_node is not None and type_node.type in ("pointer_type", "parenthesized_type"):
        inner = type_node.named_children
        type_node = inner[-1] if inner else None
    return type_node


def _key_value(element: Node) -> tuple[Node | None, Node | None]:
    key = element.child_by_field_name("key")
    value = element.child_by_field_name("value")
    if key is None or value is None:
        children = element.named_children
        if len(children) >= 2:
            key, value = children[0], children[-1]
    if key is not None and key.type == "literal_element" and key.named_children:
        key = key.named_children[0]
    return key, value


def _parameter_names(params: Node | None) -> list[str]:
    names: list[str] = []
    if params is None:
        return names
    for declaration in params.named_children:
        for name in declaration.children_by_field_name("name"):
            names.append(text(name))
    return names


def _bind(params: Node | None, values: list[Any]) -> dict[str, Any]:
    """Parameter name -> argument value, variadic parameters collecting the rest as a list."""
    bindings: dict[str, Any] = {}
    position = 0
    if params is None:
        return bindings
    for declaration in params.named_children:
        names = [text(n) for n in declaration.children_by_field_name("name")]
        if declaration.type == "variadic_parameter_declaration":
            for name in names:
                bindings[name] = values[position:]
            position = len(values)
            continue
        for name in names or ["_"]:
            bindings[name] = values[position] if position < len(values) else Unknown(name, name)
            position += 1
    bindings.pop("_", None)
    return bindings


def _statements(body: Node | None) -> list[Node]:
    if body is None:
        return []
    for child in body.named_children:
        if child.type == "statement_list":
            return list(child.named_children)
    return [c for c in body.named_children if c.type != "comment"]


def _var_specs(declaration: Node) -> list[Node]:
    specs: list[Node] = []
    for child in declaration.named_children:
        if child.type == "var_spec":
            specs.append(child)
        elif child.type == "var_spec_list":
            specs.extend(c for c in child.named_children if c.type == "var_spec")
    return specs


def _assigned(node: Node) -> list[tuple[str, Node | None]]:
    """(name, value expression) pairs a declaration or assignment sets; value None if unknown."""
    if node.type == "var_spec":
        names = [text(n) for n in node.children_by_field_name("name")]
        value = node.child_by_field_name("value")
    else:
        if (
            node.type == "assignment_statement"
            and text(node.child_by_field_name("operator")) != "="
        ):
            return []
        left = node.child_by_field_name("left")
        names = [
            text(n) if n.type == "identifier" else "" for n in (left.named_children if left else [])
        ]
        value = node.child_by_field_name("right")
    values = (
        value.named_children
        if value is not None and value.type == "expression_list"
        else ([value] if value is not None else [])
    )
    if len(values) == len(names):
        return [(n, v) for n, v in zip(names, values, strict=True) if n and n != "_"]
    return [(n, None) for n in names if n and n != "_"]
