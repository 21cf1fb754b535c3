"""A static evaluator for the constant parts of JavaScript: literals, names, zod calls.

It never runs package code. It folds what can be known before run time
(string and number literals, templates, `+`, object and array literals with
spreads, `const` bindings across imports and `require`, a few pure builtins
such as `Object.values`, calls of functions with a single return) and answers
`Unresolved(reason)` for anything else. Depth and work are bounded.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from tree_sitter import Node

from crawler.extract.js import zod
from crawler.extract.js.enums import compiled_enum
from crawler.extract.js.flow import builds_locals, changed_locals, follow, truthiness
from crawler.extract.js.instances import (
    ClassRef,
    MapValue,
    is_class,
    map_method,
    new_value,
)
from crawler.extract.js.modules import Module, string_value
from crawler.extract.js.resolve import resolve_import
from crawler.extract.js.scope import (
    FUNCTIONS,
    Declaration,
    Scopes,
    enclosing_function,
    function_name,
)
from crawler.extract.js.values import (
    PLACEHOLDER,
    UNDEFINED,
    Builtin,
    EnvValue,
    FunctionRef,
    JsObject,
    ModuleRef,
    PartialText,
    RegexValue,
    Unresolved,
)
from crawler.extract.treesitter import line_of, text, walk

MAX_DEPTH = 120
MAX_STEPS = 400_000
_LOOP_NODES = frozenset(
    {"for_in_statement", "for_statement", "while_statement", "do_statement", "class_body"}
)
_MAX_FILTER_TESTS = 500  # elements a filter's test is read for; the rest stay undecided
_MAX_REENTRY = 3  # calls of one function under way at once, in different closures
_MAX_PUSH_ELEMENTS = 500
# The key `this` is bound under in the evaluator's bindings (node ids are never negative).
THIS = -1
_WRAPPERS = frozenset(
    {
        "parenthesized_expression",
        "as_expression",
        "satisfies_expression",
        "non_null_expression",
        "type_assertion",
        "await_expression",
        "yield_expression",
    }
)
# Helpers compilers wrap imports in; they hand back their argument for our purposes.
_PASSTHROUGH = frozenset(
    {
        "__importDefault",
        "__importStar",
        "__toESM",
        "__toCommonJS",
        "_interopRequireDefault",
        "_interopRequireWildcard",
        "__esModule",
    }
)
_GLOBALS = frozenset(
    {"Object", "JSON", "Promise", "String", "Array", "Number", "Boolean", "process"}
)
_ZOD_EXPORT_NAMES = frozenset({"z", "zod"})
_ZOD_TO_JSON_MODULES = frozenset({"zod-to-json-schema"})
_ORDER = {
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
    "<=": lambda a, b: a <= b,
    ">=": lambda a, b: a >= b,
}
_POSITIONAL_STRING_METHODS = frozenset(
    {"charAt", "slice", "substring", "startsWith", "endsWith", "includes"}
)
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}


class Evaluator:
    def __init__(self, modules: dict[str, Module]) -> None:
        self.modules = modules
        self._scopes: dict[str, Scopes] = {}
        self._cache: dict[tuple[str, int], Any] = {}
        self._active: set[Any] = set()
        # (function node id, its locals' values) for the call being evaluated; see _frame_of.
        self._frame: tuple[int, dict[int, Any]] | None = None
        # Function node id -> calls of it under way (each in its own closure).
        self._running: dict[int, int] = {}
        # Values bound to parameter/loop patterns while a call or loop is expanded.
        self._env: dict[int, Any] = {}
        self._depth = 0
        self._steps = 0
        # Environment variables whose (unset) value decided something.
        self.env_reads: set[str] = set()
        # Values assigned to local names while a function body is followed (by id(Declaration)).
        self._assigned: dict[int, Any] = {}
        # Command-line option defaults (see options.py): a property of a value known only
        # at run time that names an option reads as that option's default.
        self.option_defaults: dict[str, Any] = {}

    # -- entry points -------------------------------------------------------

    def value(self, node: Node | None, module: Module) -> Any:
        if node is None:
            return UNDEFINED
        if self._depth >= MAX_DEPTH:
            return Unresolved("expression nested too deeply")
        self._steps += 1
        if self._steps > MAX_STEPS:
            return Unresolved("evaluation budget spent")
        self._depth += 1
        try:
            return self._value(node, module)
        except RecursionError:
            return Unresolved("expression nested too deeply")
        finally:
            self._depth -= 1

    def use_option_defaults(self, defaults: dict[str, Any]) -> None:
        """Read unknown `x.<option>` as the option's default from now on."""
        self.option_defaults = dict(defaults)
        self._cache.clear()

    def with_bindings(self, bindings: dict[int, Any], fn: Callable[[], Any]) -> Any:
        """Run `fn` with pattern roots (by node id) bound to values."""
        saved = dict(self._env)
        self._env.update(bindings)
        try:
            return fn()
        finally:
            self._env = saved

    def call_function(self, fn: Any, args: list[Any]) -> Any:
        """The value a package function returns for `args`, when it has one return."""
        if not isinstance(fn, FunctionRef) or fn.node is None:
            return Unresolved("not a function of the package")
        module = self.modules.get(fn.module)
        if module is None:
            return Unresolved("function in a module not read")
        returns = self.return_values(fn, args)
        known = [r for r in returns if not isinstance(r, Unresolved)]
        if len(returns) == 1:
            return returns[0]
        if not returns:
            return Unresolved("function returns nothing known")
        if known and all(r == known[0] for r in known) and len(known) == len(returns):
            return known[0]
        return Unresolved("function has several return paths")

    def return_values(self, fn: FunctionRef, args: list[Any]) -> list[Any]:
        """Each value a function's `return` statements (or expression body) give."""
        module = self.modules.get(fn.module)
        node = fn.node
        if module is None or node is None:
            return []
        # The same function made in two closures (a factory's returned wrapper used for two
        # tools) may run inside itself; only a call with the very same closure is recursion.
        key = ("call", fn.module, node.id, tuple((k, id(v)) for k, v in fn.closure))
        running = self._running.get(node.id, 0)
        if key in self._active or running >= _MAX_REENTRY:
            return [Unresolved("recursive function")]
        body = node.child_by_field_name("body")
        if body is None:
            return []
        bindings = {**dict(fn.closure), **bind_parameters(node, args)}
        self._active.add(key)
        self._running[node.id] = running + 1
        saved_frame = self._frame
        self._frame = (node.id, {})
        try:
            if body.type != "statement_block":
                return [self.with_bindings(bindings, lambda: self.value(body, module))]
            nodes = self._returns_of(body, module)
            changes = self._builds_locals(body, module)
            if len(nodes) > 1 or changes:
                followed = self.with_bindings(bindings, lambda: follow(self, body, module))
                if followed is not None:
                    return followed
            saved_assigned = self._assigned
            if changes:
                self._assigned = {**saved_assigned, **changed_locals(self, body, module)}
            try:
                return [
                    self.with_bindings(bindings, lambda r=r: self.value(_first_named(r), module))
                    for r in nodes
                ]
            finally:
                self._assigned = saved_assigned
        finally:
            self._active.discard(key)
            self._running[node.id] = running
            self._frame = saved_frame

    def _returns_of(self, body: Node, module: Module) -> list[Node]:
        key = ("returns", module.path, body.id)
        if key not in self._cache:
            self._cache[key] = returns_of(body)
        return self._cache[key]

    def _builds_locals(self, body: Node, module: Module) -> bool:
        key = ("builds", module.path, body.id)
        if key not in self._cache:
            self._cache[key] = builds_locals(body)
        return self._cache[key]

    def export_value(self, path: str, name: str) -> Any:
        module = self.modules.get(path)
        if module is None:
            return Unresolved(f"module {path} was not read")
        key = ("export", path, name)
        if key in self._active:
            return Unresolved("circular re-export")
        self._active.add(key)
        try:
            return self._export_value(module, name)
        finally:
            self._active.discard(key)

    def call_arguments(self, call: Node, module: Module) -> list[list[Any]]:
        """The arguments of `call`; when they depend on the parameters of the function around
        it, once per caller of that function (a registration helper's callers)."""
        args_node = call.child_by_field_name("arguments")
        nodes = [a for a in (args_node.named_children if args_node else []) if a.type != "comment"]

        def evaluate() -> list[Any]:
            return [self.value(n, module) for n in nodes]

        args = evaluate()
        function = enclosing_function(call)
        if function is None or not any(isinstance(a, Unresolved) for a in args):
            return [args]
        key = ("callers", module.path, function.id)
        if key in self._active:
            return [args]
        self._active.add(key)
        try:
            out = []
            for caller_module, site in self.callers(function, module):
                caller_args_node = site.child_by_field_name("arguments")
                caller_args = [
                    self.value(a, caller_module)
                    for a in (caller_args_node.named_children if caller_args_node else [])
                    if a.type != "comment"
                ]
                out.append(self.with_bindings(bind_parameters(function, caller_args), evaluate))
            return out or [args]
        finally:
            self._active.discard(key)

    def callers(self, function: Node, module: Module) -> list[tuple[Module, Node]]:
        """Calls anywhere in the package whose callee is exactly `function`."""
        name = function_name(function)
        if not name:
            return []
        key = ("callers", module.path, function.id)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        found = []
        for other in self.modules.values():
            for site in other.calls_by_name.get(name, ()):
                callee = self.value(site.child_by_field_name("function"), other)
                if (
                    isinstance(callee, FunctionRef)
                    and callee.module == module.path
                    and callee.node is not None
                    and callee.node.id == function.id
                ):
                    found.append((other, site))
        if not self._env and not self._assigned:
            self._cache[key] = found
        return found

    def namespace(self, path: str) -> Any:
        """A module's exports as one object, as `import * as ns` sees them (default left out)."""
        key = ("namespace", path)
        if key in self._cache:
            return self._cache[key]
        if key in self._active:
            return Unresolved("circular re-export")
        module = self.modules.get(path)
        if module is None:
            return Unresolved(f"module {path} was not read")
        self._active.add(key)
        try:
            out = JsObject().located(path, 1)
            for target in module.star_exports:
                inner = self.namespace(target)
                if isinstance(inner, dict):
                    out.update(inner)
            if module.whole_export is not None:
                whole = self._cached(module.whole_export, module)
                if isinstance(whole, dict):
                    out.update(whole)
            for name in module.exports:
                if name not in ("default", "__esModule"):
                    out[name] = self.export_value(path, name)
        finally:
            self._active.discard(key)
        if not self._env and not self._assigned:
            self._cache[key] = out
        return out

    # -- exports and names --------------------------------------------------

    def _export_value(self, module: Module, name: str) -> Any:
        entry = module.exports.get(name)
        if entry is not None:
            if entry.kind == "local":
                return self._name(entry.local, module.root, module)
            if entry.kind == "node":
                node = entry.node
                if node is not None and node.type in _DECLARATION_TYPES:
                    return self._declaration_value(node, module)
                return self._cached(node, module)
            if entry.kind == "getter":
                return self.call_function(FunctionRef(module.path, entry.node.id, entry.node), [])
            if entry.kind == "reexport":
                return self._import_value(entry.source, entry.target, entry.name)
        if module.whole_export is not None:
            whole = self._cached(module.whole_export, module)
            if name == "default":
                return whole
            return self.member(whole, name, module)
        for target in module.star_exports:
            found = self.export_value(target, name)
            if not isinstance(found, Unresolved):
                return found
        if name == "default":
            return ModuleRef(module.path)
        return Unresolved(f"{name} is not exported by {module.path}")

    def _import_value(self, source: str, target: str | None, name: str) -> Any:
        if source in zod.ZOD_MODULES:
            if name in ("*", "default", "z"):
                return zod.ZodNamespace()
            return zod.ZodFactory(name)
        if source in _ZOD_TO_JSON_MODULES:
            return zod.ZodToJson()
        if source == "tslib":
            return Builtin("passthrough")
        if target is None:
            return Unresolved(f"imported from {source}")
        if name in _ZOD_EXPORT_NAMES and target not in self.modules:
            # A vendored bundle too large to read re-exports zod under its usual name.
            return zod.ZodNamespace()
        if name == "*":
            return ModuleRef(target)
        return self.export_value(target, name)

    def _scope(self, module: Module) -> Scopes:
        scopes = self._scopes.get(module.path)
        if scopes is None:
            scopes = self._scopes[module.path] = Scopes(module.imports)
        return scopes

    def method_calls(
        self, name: str, declared: Node, method: str, module: Module
    ) -> Iterator[Node]:
        """Calls `name.<method>(...)` in `module` whose `name` is the binding declared at
        `declared` (not another variable of the same name)."""
        for call in module.calls_by_name.get(method, ()):
            function = call.child_by_field_name("function")
            target = function.child_by_field_name("object") if function is not None else None
            if target is None or target.type != "identifier" or text(target) != name:
                continue
            declaration = self._scope(module).lookup(name, target)
            if declaration is not None and declaration.node is not None:
                if declaration.node.id == declared.id:
                    yield call

    def _name(self, name: str, at: Node, module: Module) -> Any:
        declaration = self._scope(module).lookup(name, at)
        if declaration is None:
            return self._global(name, module)
        return self._declared(declaration, name, module)

    def _declared(self, decl: Declaration, name: str, module: Module) -> Any:
        if name in module.zod_aliases and decl.kind == "value":
            return zod.ZodNamespace()
        if decl.kind == "value":
            if id(decl) in self._assigned:
                return self._assigned[id(decl)]
            if decl.node is None:
                return self._compiled_enum(name, module)
            frame = self._frame_of(decl.node)
            if frame is not None and decl.node.id in frame:
                return frame[decl.node.id]
            value = self._cached(decl.node, module)
            if decl.node.type == "array" and isinstance(value, list):
                value = value + self._pushed(name, decl.node, module)
            if frame is not None and not self._assigned:
                frame[decl.node.id] = value
            return value
        if decl.kind == "import":
            b = decl.binding
            return self._import_value(b.source, b.target, b.name)
        if decl.kind in ("function", "class", "enum"):
            return self._declaration_value(decl.node, module)
        if decl.kind == "pattern":
            if decl.root is not None and decl.root.id in self._env:
                base = self._env[decl.root.id]
            elif decl.node is not None:
                base = self._cached(decl.node, module)
            elif decl.default is not None:
                # A parameter no call site binds: its default, as in the default configuration.
                return self.value(decl.default, module)
            else:
                return Unresolved(f"{name} is a parameter")
            for step in decl.path:
                base = self.member(base, step, module)
            if base is UNDEFINED and decl.default is not None:
                return self.value(decl.default, module)
            return base
        return Unresolved(f"{name} cannot be followed")

    def _compiled_enum(self, name: str, module: Module) -> Any:
        """`var name;` filled by the enum-building call TypeScript writes after it."""
        key = ("enum", module.path, name)
        if key in self._cache:
            return self._cache[key]
        if key in self._active:
            return Unresolved(f"{name} is assigned at run time")
        self._active.add(key)
        try:
            found = compiled_enum(self, name, module.root, module)
        finally:
            self._active.discard(key)
        result = found if found is not None else Unresolved(f"{name} is assigned at run time")
        self._cache[key] = result
        return result

    def _pushed(self, name: str, array: Node, module: Module) -> list[Any]:
        """Items added by `name.push(...)` to an array literal bound to `name`, in source order.

        Pushes under a condition are kept: a list of tools is reported whole.
        """
        key = ("push", module.path, array.id)
        if key in self._cache:
            return self._cache[key]
        if key in self._active:
            return []
        self._active.add(key)
        items: list[Any] = []
        try:
            for call in self.method_calls(name, array, "push", module):
                loop = _loop_around(call, array)
                elements = self.value(loop.child_by_field_name("right"), module) if loop else None
                if loop is not None and isinstance(elements, list):
                    # `for (const x of list) name.push(f(x))`: once per element.
                    left = loop.child_by_field_name("left")
                    for element in elements[:_MAX_PUSH_ELEMENTS]:
                        pushed: list[Any] = []
                        self.with_bindings(
                            {left.id: element},
                            lambda c=call, p=pushed: self._push_arguments(c, module, p),
                        )
                        items.extend(_carry_condition(element, pushed))
                else:
                    self._push_arguments(call, module, items)
        finally:
            self._active.discard(key)
        if not self._env and not self._assigned:
            self._cache[key] = items
        return items

    def _push_arguments(self, call: Node, module: Module, items: list[Any]) -> None:
        args = call.child_by_field_name("arguments")
        for arg in args.named_children if args is not None else []:
            if arg.type == "spread_element":
                spread = self.value(_first_named(arg), module)
                items.extend(spread if isinstance(spread, list) else [spread])
            elif arg.type != "comment":
                items.append(self.value(arg, module))

    def _declaration_value(self, node: Node, module: Module) -> Any:
        if node.type == "enum_declaration":
            return self._enum(node, module)
        if node.type in FUNCTIONS:
            return FunctionRef(module.path, node.id, node)
        if is_class(node):
            return ClassRef(module.path, node)
        if "class" in node.type:
            return Unresolved("a class")
        return self._cached(node, module)

    def _global(self, name: str, module: Module) -> Any:
        if name == "undefined":
            return UNDEFINED
        if name == "exports":
            return ModuleRef(module.path)
        if name == "module":
            return Builtin("module")
        if name == "z":
            # Bundles often keep zod's namespace name without an import we can see.
            return zod.ZodNamespace()
        if name in _GLOBALS:
            return Builtin(name)
        if name in _PASSTHROUGH:
            return Builtin("passthrough")
        if name == "zodToJsonSchema":
            return zod.ZodToJson()
        return Unresolved(f"{name} is not defined in the package")

    def _cached(self, node: Node | None, module: Module) -> Any:
        if node is None:
            return UNDEFINED
        key = (module.path, node.id)
        if self._assigned or (self._env and not self._top_level(node)):
            # Values may depend on bound parameters or followed assignments; never cache those.
            return self.value(node, module)
        if key in self._cache:
            return self._cache[key]
        if key in self._active:
            return Unresolved("circular definition")
        self._active.add(key)
        # A module-level value cannot see the parameters bound for the call under way:
        # read it without them, so it is the same value every time and may be kept.
        saved, self._env = self._env, {}
        try:
            result = self.value(node, module)
        finally:
            self._env = saved
            self._active.discard(key)
        self._cache[key] = result
        return result

    def _frame_of(self, node: Node) -> dict[int, Any] | None:
        """The values kept for the call under way, when `node` is written directly in the
        body of the function being called (not in a loop or a nested function): such a local
        has one value for the whole call, however often it is read."""
        if self._frame is None or self._assigned:
            return None
        function_id, values = self._frame
        key = ("owner", node.id)
        owner = self._cache.get(key)
        if owner is None:
            parent, steps = node.parent, 0
            while parent is not None and steps < 10_000:
                if parent.type in FUNCTIONS or parent.type in _LOOP_NODES:
                    break
                parent, steps = parent.parent, steps + 1
            owner = self._cache[key] = (
                parent.id if parent is not None and parent.type in FUNCTIONS else 0
            )
        return values if owner == function_id else None

    def _top_level(self, node: Node) -> bool:
        """Whether `node` is written outside every function (so no parameter is in scope)."""
        key = ("top", node.id)
        known = self._cache.get(key)
        if known is None:
            parent, steps = node.parent, 0
            while parent is not None and parent.type not in FUNCTIONS and steps < 10_000:
                if parent.type in ("class_body", "for_in_statement", "for_statement"):
                    break  # `this`, or a loop variable, may be in scope
                parent, steps = parent.parent, steps + 1
            known = self._cache[key] = parent is not None and parent.type == "program"
        return known

    # -- expressions --------------------------------------------------------

    def _value(self, node: Node, module: Module) -> Any:
        kind = node.type
        if kind in _WRAPPERS:
            return self.value(_first_named(node), module)
        if kind == "string":
            return decode_string(node)
        if kind == "template_string":
            return self._template(node, module)
        if kind == "number":
            return parse_number(text(node))
        if kind == "true":
            return True
        if kind == "false":
            return False
        if kind == "null":
            return None
        if kind == "undefined":
            return UNDEFINED
        if kind in ("identifier", "shorthand_property_identifier"):
            return self._name(text(node), node, module)
        if kind == "this":
            # Bound while a constructor builds an instance; otherwise known only at run time.
            return self._env.get(THIS, Unresolved("this"))
        if kind == "object":
            return self._object(node, module)
        if kind == "array":
            return self._array(node, module)
        if kind == "member_expression":
            return self._member_expression(node, module)
        if kind == "subscript_expression":
            obj = self.value(node.child_by_field_name("object"), module)
            index = self.value(node.child_by_field_name("index"), module)
            return self.member(obj, index, module)
        if kind == "call_expression":
            return self._call(node, module)
        if kind == "binary_expression":
            return self._binary(node, module)
        if kind == "unary_expression":
            return self._unary(node, module)
        if kind == "ternary_expression":
            return self._ternary(node, module)
        if kind == "sequence_expression":
            return self.value(node.named_children[-1], module) if node.named_children else UNDEFINED
        if kind == "regex":
            return RegexValue(text(node.child_by_field_name("pattern")))
        if kind in FUNCTIONS:
            # A function made inside a call keeps that call's bindings (a closure).
            closure = tuple(self._env.items()) if self._env else ()
            return FunctionRef(module.path, node.id, node, closure)
        if kind == "assignment_expression":
            return self.value(node.child_by_field_name("right"), module)
        if kind == "new_expression":
            return new_value(self, node, module)
        if kind == "class":
            return ClassRef(module.path, node)
        return Unresolved(f"{kind} at line {line_of(node)}")

    def _template(self, node: Node, module: Module) -> Any:
        parts: list[str] = []
        reason = ""
        for child in node.named_children:
            if child.type == "string_fragment":
                parts.append(text(child))
            elif child.type == "escape_sequence":
                parts.append(decode_escape(text(child)))
            elif child.type == "template_substitution":
                inner = self.value(_first_named(child), module)
                rendered = to_js_string(inner)
                if isinstance(inner, PartialText):
                    reason = reason or inner.reason
                if rendered is None:
                    why = f": {inner.reason}" if isinstance(inner, Unresolved) else ""
                    reason = (
                        reason or f"template uses a run-time value at line {line_of(child)}{why}"
                    )
                    rendered = PLACEHOLDER
                parts.append(rendered)
        joined = "".join(parts)
        return PartialText.of(joined, reason) if reason else joined

    def _object(self, node: Node, module: Module) -> JsObject:
        out = JsObject().located(module.path, line_of(node))
        for item in node.named_children:
            kind = item.type
            if kind == "pair":
                key = self._key(item.child_by_field_name("key"), module)
                if key is not None:
                    out[key] = self.value(item.child_by_field_name("value"), module)
            elif kind == "shorthand_property_identifier":
                out[text(item)] = self.value(item, module)
            elif kind == "spread_element":
                spread = self.value(_first_named(item), module)
                if isinstance(spread, dict):
                    out.update(spread)
            elif kind == "method_definition":
                key = self._key(item.child_by_field_name("name"), module)
                if key is not None:
                    out[key] = FunctionRef(module.path, item.id, item)
        return out

    def _key(self, key: Node | None, module: Module) -> str | None:
        if key is None:
            return None
        if key.type == "computed_property_name":
            value = self.value(_first_named(key), module)
            return to_js_string(value)
        if key.type == "string":
            return decode_string(key)
        if key.type == "number":
            return to_js_string(parse_number(text(key)))
        return text(key)

    def _array(self, node: Node, module: Module) -> list[Any]:
        out: list[Any] = []
        for item in node.named_children:
            if item.type == "spread_element":
                spread = self.value(_first_named(item), module)
                if isinstance(spread, list):
                    out.extend(spread)
                else:
                    out.append(Unresolved(f"spread of an unknown value at line {line_of(item)}"))
            elif item.type != "comment":
                out.append(self.value(item, module))
        return out

    def _member_expression(self, node: Node, module: Module) -> Any:
        obj_node = node.child_by_field_name("object")
        prop = text(node.child_by_field_name("property"))
        if obj_node is not None and obj_node.type == "identifier" and text(obj_node) == "module":
            if prop == "exports" and self._scope(module).lookup("module", node) is None:
                return ModuleRef(module.path)
        if obj_node is not None and obj_node.type == "this":
            method = class_method(node, prop)
            if method is not None:
                return FunctionRef(module.path, method.id, method)
        obj = self.value(obj_node, module)
        if (obj is UNDEFINED or obj is None) and _optional(node):
            return UNDEFINED
        return self.member(obj, prop, module)

    def member(self, obj: Any, key: Any, module: Module) -> Any:
        """`obj[key]` for the values this evaluator knows."""
        if isinstance(obj, Unresolved):
            if isinstance(key, str) and key in self.option_defaults:
                return self.option_defaults[key]
            return obj
        if isinstance(obj, ModuleRef):
            return self.export_value(obj.path, str(key))
        if isinstance(obj, zod.Zod):
            return zod.member(obj, str(key))
        if isinstance(obj, zod.ZodNamespace):
            if key in ("z", "default"):
                return obj
            if key in ("coerce", "iso", "core"):
                return zod.ZodNamespace(sub=key)
            if key == "toJSONSchema":
                return zod.ZodToJson()
            return zod.ZodFactory(str(key))
        if isinstance(obj, dict):
            if isinstance(key, (int, float)) and not isinstance(key, bool):
                key = to_js_string(key)
            return obj.get(key, UNDEFINED) if isinstance(key, str) else Unresolved("computed key")
        if isinstance(obj, (list, str)):
            if key == "length":
                return len(obj)
            if isinstance(key, int) and not isinstance(key, bool):
                # Past the end is undefined, as for a missing argument.
                return obj[key] if 0 <= key < len(obj) else UNDEFINED
            return Unresolved(f"element {key!r}")
        if isinstance(obj, Builtin):
            if obj.name == "module" and key == "exports":
                return ModuleRef(module.path)
            if obj.name == "passthrough":
                return obj
            if obj.name == "process.env" and isinstance(key, str):
                self.env_reads.add(key)
                return EnvValue(key)
            return Builtin(f"{obj.name}.{key}")
        if obj is UNDEFINED or obj is None:
            return Unresolved(f"property {key!r} of nothing")
        return Unresolved(f"property {key!r}")

    def _call(self, node: Node, module: Module) -> Any:
        function = node.child_by_field_name("function")
        args_node = node.child_by_field_name("arguments")
        arg_nodes = [
            a for a in (args_node.named_children if args_node else []) if a.type != "comment"
        ]
        if function is None:
            return Unresolved("call")
        if function.type == "import" or (
            function.type == "identifier"
            and text(function) == "require"
            and self._scope(module).lookup("require", node) is None
        ):
            spec = string_value(arg_nodes[0]) if arg_nodes else None
            if spec is None:
                return Unresolved("module name computed at run time")
            target = module.dependencies and _resolved_dependency(module, spec)
            return self._import_value(spec, target or None, "*")
        args = [
            Unresolved("spread argument") if a.type == "spread_element" else self.value(a, module)
            for a in arg_nodes
        ]
        # (for a member expression, the callee's name is the method's)
        callee = _callee_name(function)
        if callee == "__awaiter" and arg_nodes:
            # tsc's async lowering: `__awaiter(this, void 0, void 0, function* () {...})`.
            body = self.value(arg_nodes[-1], module)
            return self.call_function(body, []) if isinstance(body, FunctionRef) else body
        if callee in _PASSTHROUGH:
            # tsc and bundlers define these helpers with `this`-dependent code; skip it.
            return args[0] if args else UNDEFINED
        if function.type == "member_expression":
            receiver_node = function.child_by_field_name("object")
            if receiver_node is not None and receiver_node.type == "this":
                own = self._member_expression(function, module)
                if isinstance(own, FunctionRef):
                    return self.call_function(own, args)
            receiver = self.value(receiver_node, module)
            if (receiver is UNDEFINED or receiver is None) and _optional(function):
                return UNDEFINED  # `x?.f()` on a missing `x` short-circuits
            return self.call_method(receiver, callee, args, module)
        return self.call_value(self.value(function, module), args, module)

    def call_method(self, receiver: Any, method: str, args: list[Any], module: Module) -> Any:
        if method == "getClientCapabilities" and not args:
            # The default configuration's client advertises no optional capability
            # (roots, sampling, elicitation), so tools gated on one are off by default.
            return JsObject()
        if isinstance(receiver, zod.Zod):
            return zod.apply_method(receiver, method, args)
        if isinstance(receiver, Builtin):
            return self._builtin(f"{receiver.name}.{method}", args, module)
        if isinstance(receiver, MapValue):
            return map_method(receiver, method, args)
        if isinstance(receiver, list):
            return self._list_method(receiver, method, args, module)
        if isinstance(receiver, str):
            return _string_method(receiver, method, args)
        callee = self.member(receiver, method, module)
        return self.call_value(callee, args, module)

    def call_value(self, callee: Any, args: list[Any], module: Module) -> Any:
        if isinstance(callee, zod.ZodFactory):
            return zod.construct(callee.name, args)
        if isinstance(callee, zod.ZodToJson):
            schema = zod.to_json_schema(args[0]) if args else None
            return JsObject(schema) if schema is not None else Unresolved("schema not known")
        if isinstance(callee, FunctionRef):
            return self.call_function(callee, args)
        if isinstance(callee, Builtin):
            return self._builtin(callee.name, args, module)
        if isinstance(callee, Unresolved):
            return callee
        return Unresolved("call of an unknown function")

    def _builtin(self, name: str, args: list[Any], module: Module) -> Any:
        first = args[0] if args else UNDEFINED
        if isinstance(first, ModuleRef) and name.startswith("Object."):
            first = self.namespace(first.path)
        if name == "Boolean" and args:
            known = truthiness(first)
            return known if known is not None else Unresolved("Boolean() of an unknown value")
        if name == "passthrough" or name in ("Object.freeze", "Promise.resolve", "Array.from"):
            return first
        if name == "Object.values" and isinstance(first, dict):
            return list(first.values())
        if name == "Object.keys" and isinstance(first, dict):
            return list(first.keys())
        if name == "Object.entries" and isinstance(first, dict):
            return [[k, v] for k, v in first.items()]
        if name == "Object.fromEntries" and isinstance(first, list):
            pairs = [p for p in first if isinstance(p, list) and len(p) == 2]
            if len(pairs) == len(first) and all(isinstance(p[0], str) for p in pairs):
                return JsObject({p[0]: p[1] for p in pairs})
        if name == "Object.assign" and all(isinstance(a, dict) for a in args):
            out = JsObject()
            for a in args:
                out.update(a)
            return out
        if name == "String" and args:
            rendered = to_js_string(first)
            return rendered if rendered is not None else Unresolved("String() of an unknown value")
        if name == "JSON.parse" and isinstance(first, str):
            try:
                return json.loads(first)
            except (ValueError, RecursionError):
                return Unresolved("JSON.parse of invalid JSON")
        if name == "Promise.all" and isinstance(first, list):
            return first
        return Unresolved(f"{name}() at run time")

    def _list_method(self, items: list[Any], method: str, args: list[Any], module: Module) -> Any:
        first = args[0] if args else UNDEFINED
        if method == "filter" and isinstance(first, FunctionRef) and first.node is not None:
            return self._filtered(items, first)
        if method in ("filter", "slice", "sort", "toSorted", "reverse"):
            return list(items)
        if method == "concat":
            out = list(items)
            for a in args:
                out.extend(a if isinstance(a, list) else [a])
            return out
        if method == "flat":
            out = []
            for item in items:
                out.extend(item if isinstance(item, list) else [item])
            return out
        if method in ("map", "flatMap") and isinstance(first, FunctionRef):
            mapped = []
            for index, item in enumerate(items):
                result = self.call_function(first, [item, index])
                if method == "flatMap" and isinstance(result, list):
                    mapped.extend(result)
                else:
                    mapped.append(result)
            return mapped
        if method == "join" and all(isinstance(i, str) for i in items):
            sep = first if isinstance(first, str) else ","
            partial = next((i for i in items if isinstance(i, PartialText)), None)
            joined = sep.join(items)
            # Text with run-time parts stays marked as such once joined.
            return PartialText.of(joined, partial.reason) if partial is not None else joined
        if method == "includes":
            if _comparable(first) and all(_comparable(i) for i in items):
                return any(
                    _loose(i) == _loose(first) and type(_loose(i)) is type(_loose(first))
                    for i in items
                )
            return Unresolved("includes() at run time")
        return Unresolved(f"list .{method}() at run time")

    def _filtered(self, items: list[Any], test: FunctionRef) -> list[Any]:
        """A filter narrows the list at run time; every tool it could keep is listed, each
        saying which test keeps it and, when the test can be read for the element in the
        default configuration, whether it holds there."""
        written = _short(text(test.node))
        out = []
        for index, item in enumerate(items):
            if not isinstance(item, JsObject):
                out.append(item)
                continue
            if index >= _MAX_FILTER_TESTS:
                out.append(item.kept_if(written))
                continue
            kept = truthiness(self.call_function(test, [item, index, items]))
            if kept is None:
                out.append(item.kept_if(written))
            else:
                out.append(item.kept_if(f"{written} ({'on' if kept else 'off'} by default)"))
        return out

    def _binary(self, node: Node, module: Module) -> Any:
        op = text(node.child_by_field_name("operator"))
        left = self.value(node.child_by_field_name("left"), module)
        if op in ("??", "||", "&&"):
            if isinstance(left, Unresolved):
                return left
            nullish = left is None or left is UNDEFINED or isinstance(left, EnvValue)
            falsy = nullish or left in (False, 0, "")
            if op == "??":
                return self.value(node.child_by_field_name("right"), module) if nullish else left
            if op == "||":
                return self.value(node.child_by_field_name("right"), module) if falsy else left
            return left if falsy else self.value(node.child_by_field_name("right"), module)
        right = self.value(node.child_by_field_name("right"), module)
        if op in ("===", "!==", "==", "!=") and _comparable(left) and _comparable(right):
            same = _loose(left) == _loose(right) and type(_loose(left)) is type(_loose(right))
            return same if op in ("===", "==") else not same
        if op == "in" and isinstance(left, str) and isinstance(right, dict):
            return left in right
        if op == "+":
            if isinstance(left, str) or isinstance(right, str):
                return _concatenate(left, right, line_of(node))
            if _is_number(left) and _is_number(right):
                return left + right
        elif _is_number(left) and _is_number(right):
            if op == "-":
                return left - right
            if op == "*":
                return left * right
            if op == "/" and right != 0:
                return left / right
            if op in _ORDER:
                return _ORDER[op](left, right)
        return Unresolved(f"operator {op} at line {line_of(node)}")

    def _unary(self, node: Node, module: Module) -> Any:
        op = text(node.child_by_field_name("operator"))
        if op == "void":
            return UNDEFINED
        arg = self.value(node.child_by_field_name("argument"), module)
        if op == "-" and _is_number(arg):
            return -arg
        if op == "+" and _is_number(arg):
            return arg
        if op == "!" and (isinstance(arg, EnvValue) or _comparable(arg)):
            return not _truthy(arg)
        if op == "!" and truthiness(arg) is not None:
            return not truthiness(arg)  # an object, list or function
        if op == "typeof":
            return _type_of(arg)
        return Unresolved(f"operator {op}")

    def _ternary(self, node: Node, module: Module) -> Any:
        condition = self.value(node.child_by_field_name("condition"), module)
        yes = node.child_by_field_name("consequence")
        no = node.child_by_field_name("alternative")
        decided = truthiness(condition)  # objects, lists and functions are truthy too
        if decided is not None:
            return self.value(yes if decided else no, module)
        a, b = self.value(yes, module), self.value(no, module)
        if a == b:
            return a
        if isinstance(a, list) and isinstance(b, list):
            # Either list may be served; report every tool either could hold.
            return a + [item for item in b if item not in a]
        return Unresolved(f"value chosen at run time at line {line_of(node)}")

    def _enum(self, node: Node, module: Module) -> JsObject:
        out = JsObject().located(module.path, line_of(node))
        body = node.child_by_field_name("body")
        counter: Any = 0
        for member in body.named_children if body is not None else []:
            if member.type == "enum_assignment":
                name = self._key(member.child_by_field_name("name"), module)
                value = self.value(member.child_by_field_name("value"), module)
            elif member.type in ("property_identifier", "string"):
                name, value = self._key(member, module), counter
            else:
                continue
            if name is None:
                continue
            out[name] = value
            counter = value + 1 if _is_number(value) else counter
        return out


_DECLARATION_TYPES = frozenset(
    {
        "function_declaration",
        "generator_function_declaration",
        "class_declaration",
        "enum_declaration",
        "abstract_class_declaration",
    }
)


def _carry_condition(element: Any, pushed: list[Any]) -> list[Any]:
    """What is pushed for a list element that a filter keeps only under a test is itself
    kept only under that test."""
    condition = element.condition if isinstance(element, JsObject) else None
    if not condition:
        return pushed
    return [
        p.kept_if(condition) if isinstance(p, JsObject) and not p.condition else p for p in pushed
    ]


def _loop_around(call: Node, array: Node) -> Node | None:
    """The `for (... of list)` holding `call` in the function that declares `array`."""
    node = call.parent
    child = call
    while node is not None and node.type not in FUNCTIONS and node.type != "program":
        if (
            node.type == "for_in_statement"
            and child == node.child_by_field_name("body")
            and text(node.child_by_field_name("operator")) == "of"
            and node.start_byte > array.end_byte
        ):
            return node
        child, node = node, node.parent
    return None


def class_method(node: Node, name: str) -> Node | None:
    """The method `name` of the class whose body holds `node` (`this.name`), if written there."""
    parent = node.parent
    while parent is not None:
        if parent.type in ("function_expression", "function_declaration", "program"):
            return None  # `this` is rebound by a plain function
        if parent.type == "class_body":
            for member in parent.named_children:
                if member.type == "method_definition" and not any(
                    c.type in ("static", "get", "set") for c in member.children
                ):
                    own = member.child_by_field_name("name")
                    if own is not None and text(own) == name:
                        return member
            return None
        parent = parent.parent
    return None


def _resolved_dependency(module: Module, spec: str) -> str | None:
    # The module's dependencies are exactly the files its specifiers resolved to.
    return resolve_import(module.path, spec, set(module.dependencies))


def _callee_name(function: Node) -> str:
    if function.type == "member_expression":
        return text(function.child_by_field_name("property"))
    if function.type == "identifier":
        return text(function)
    if function.type in ("parenthesized_expression", "sequence_expression"):
        last = function.named_children[-1] if function.named_children else None
        return _callee_name(last) if last is not None else ""
    return ""


def bind_parameters(fn: Node, args: list[Any]) -> dict[int, Any]:
    params = fn.child_by_field_name("parameters")
    if params is not None:
        return {params.id: list(args)}
    single = fn.child_by_field_name("parameter")
    if single is not None:
        return {single.id: args[0] if args else UNDEFINED}
    return {}


def returns_of(body: Node) -> list[Node]:
    """`return` statements of a function body, not those of nested functions."""
    found = []
    # A nested function's returns are its own: its inside is not looked at.
    for node in walk(body, prune=FUNCTIONS):
        if node.type == "return_statement" and _owner(node) == body.parent.id:
            found.append(node)
    return found


def _owner(node: Node) -> int | None:
    parent = node.parent
    while parent is not None:
        if parent.type in FUNCTIONS:
            return parent.id
        parent = parent.parent
    return None


def _first_named(node: Node) -> Node | None:
    for child in node.named_children:
        if child.type != "comment":
            return child
    return None


def _short(code: str, limit: int = 200) -> str:
    flat = " ".join(code.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def _optional(member: Node) -> bool:
    """`a?.b`: the member access is skipped when `a` is null or undefined."""
    return any(c.type == "optional_chain" for c in member.children)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _concatenate(left: Any, right: Any, line: int) -> str:
    """`left + right` with a string on one side; unknown parts become placeholders."""
    reasons = [v.reason for v in (left, right) if isinstance(v, (PartialText, Unresolved))]
    a, b = to_js_string(left), to_js_string(right)
    if a is None or b is None:
        reasons.append(f"string built at run time at line {line}")
    joined = (a if a is not None else PLACEHOLDER) + (b if b is not None else PLACEHOLDER)
    return PartialText.of(joined, reasons[0]) if reasons else joined


def _comparable(value: Any) -> bool:
    if isinstance(value, PartialText):
        return False
    return value is None or isinstance(value, (str, int, float, bool, EnvValue, type(UNDEFINED)))


def _loose(value: Any) -> Any:
    return UNDEFINED if isinstance(value, EnvValue) else value


def _truthy(value: Any) -> bool:
    if value is UNDEFINED or value is None or isinstance(value, EnvValue):
        return False
    if isinstance(value, (bool, int, float, str)):
        return bool(value)
    return True


def _string_method(value: str, method: str, args: list[Any]) -> Any:
    if method == "trim":
        return value.strip()
    if method == "trimStart":
        return value.lstrip()
    if method == "trimEnd":
        return value.rstrip()
    if method == "toLowerCase":
        return value.lower()
    if method == "toUpperCase":
        return value.upper()
    if method == "toString":
        return value
    if method in _POSITIONAL_STRING_METHODS and isinstance(value, PartialText):
        return Unresolved(f"string .{method}() of text known only in part")
    if method == "charAt":
        index = args[0] if args else 0
        if _is_number(index) and float(index).is_integer():
            return value[int(index)] if 0 <= index < len(value) else ""
    if method in ("slice", "substring") and all(_is_number(a) for a in args[:2]):
        return _sliced(value, method, [int(a) for a in args[:2]])
    if method in ("startsWith", "endsWith", "includes") and args and isinstance(args[0], str):
        if isinstance(args[0], PartialText):
            return Unresolved(f"string .{method}() of text known only in part")
        if method == "startsWith":
            return value.startswith(args[0])
        if method == "endsWith":
            return value.endswith(args[0])
        return args[0] in value
    if method == "concat":
        parts = [to_js_string(a) for a in args]
        if all(p is not None for p in parts):
            return value + "".join(parts)  # type: ignore[arg-type]
    return Unresolved(f"string .{method}() at run time")


def _type_of(value: Any) -> Any:
    """`typeof value` for the values the evaluator knows."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if _is_number(value):
        return "number"
    if value is UNDEFINED or isinstance(value, EnvValue):
        return "undefined"
    if isinstance(value, (FunctionRef, ClassRef)):
        return "function"
    if value is None or isinstance(value, (dict, list, ModuleRef, RegexValue, zod.Zod)):
        return "object"
    return Unresolved("typeof of a value known only at run time")


def _sliced(value: str, method: str, bounds: list[int]) -> str:
    """`s.slice(a, b)` (negative counts from the end) or `s.substring(a, b)` (clamped, swapped)."""
    size = len(value)
    start = bounds[0] if bounds else 0
    end = bounds[1] if len(bounds) > 1 else size
    if method == "slice":
        start = max(size + start, 0) if start < 0 else min(start, size)
        end = max(size + end, 0) if end < 0 else min(end, size)
        return value[start:end] if start < end else ""
    start, end = min(max(start, 0), size), min(max(end, 0), size)
    return value[min(start, end) : max(start, end)]


def to_js_string(value: Any) -> str | None:
    """How JavaScript would print a primitive in a template or `+`; None otherwise."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if value is None:
        return "null"
    if value is UNDEFINED:
        return "undefined"
    return None


def parse_number(raw: str) -> int | float:
    raw = raw.replace("_", "").rstrip("n")
    try:
        lowered = raw.lower()
        if lowered.startswith("0x"):
            return int(raw, 16)
        if lowered.startswith("0o"):
            return int(raw[2:], 8)
        if lowered.startswith("0b"):
            return int(raw[2:], 2)
        value = float(raw)
        # JavaScript has one number type; print whole numbers as integers, as JSON.stringify does.
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    except ValueError:
        return 0


def decode_string(node: Node) -> str:
    parts = []
    for child in node.named_children:
        if child.type == "string_fragment":
            parts.append(text(child))
        elif child.type == "escape_sequence":
            parts.append(decode_escape(text(child)))
        elif child.type == "html_character_reference":
            parts.append(text(child))
    return "".join(parts)


def decode_escape(seq: str) -> str:
    """One JavaScript escape sequence, e.g. `\\n`, `\\u00e9`, `\\u{1F600}`, `\\x41`."""
    body = seq[1:]
    if not body:
        return ""
    if body[0] in _ESCAPES and (body[0] != "0" or len(body) == 1):
        return _ESCAPES[body[0]]
    try:
        if body.startswith("u{"):
            return chr(int(body[2:-1], 16))
        if body[0] == "u" and len(body) == 5:
            return chr(int(body[1:], 16))
        if body[0] == "x" and len(body) == 3:
            return chr(int(body[1:], 16))
    except (ValueError, OverflowError):
        return body
    if body[0] in "\r\n\u2028\u2029":
        return ""  # a line continuation
    return body
