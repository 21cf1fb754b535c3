"""Recognise tool registrations in a module and turn them into ToolDefinitions.

Patterns (any receiver):
  js.registerTool      x.registerTool(name, {title, description, inputSchema, annotations}, cb)
  js.registerToolTask  x.experimental.tasks.registerToolTask(name, config, handler)
  js.server.tool       x.tool(name, [description], [paramsShape], [annotations], cb)
  js.addTool           x.addTool({name, description, parameters, annotations, execute})  (FastMCP)
  js.list_handler      x.setRequestHandler(ListToolsRequestSchema | "tools/list", fn)
                       where fn returns {tools: [...]}

A registration inside `for (const t of LIST)` or `LIST.forEach(t => ...)` is
expanded once per element when LIST is known.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tree_sitter import Node

from crawler.extract.js import disabling, zod
from crawler.extract.js.evaluate import Evaluator, bind_parameters
from crawler.extract.js.flow import truthiness
from crawler.extract.js.modules import Module, string_value
from crawler.extract.js.scope import FUNCTIONS, enclosing_function, function_name
from crawler.extract.js.values import (
    PLACEHOLDER,
    UNDEFINED,
    FunctionRef,
    JsObject,
    PartialText,
    RegexValue,
    Unresolved,
)
from crawler.extract.treesitter import line_of, text
from mcp_domain import SourceLocation, ToolDefinition

ANNOTATION_KEYS = frozenset(
    {"title", "readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint"}
)
EMPTY_OBJECT_SCHEMA: dict[str, Any] = {"type": "object", "properties": {}}
_MAX_EXPANSION = 500
_MAX_OUTER = 3  # enclosing functions whose callers may bind a registration's values
_MAX_JSON_DEPTH = 60
_MAX_CONDITION = 200
_MAIN_MODULE_TESTS = ("require.main", "import.meta", "process.argv")


@dataclass
class Problem:
    """A registration whose tools could not all be read. `kind` is "registration" or "list"."""

    kind: str
    message: str


@dataclass
class Found:
    tools: list[ToolDefinition] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sites: int = 0  # registration call sites recognised


def read_registrations(module: Module, evaluator: Evaluator) -> Found:
    found = Found()
    for call in module.registration_calls:
        reader = _SiteReader(module, evaluator, call, found)
        try:
            reader.read()
        except RecursionError:
            found.problems.append(
                Problem("registration", f"{reader.where}: nested too deeply to read")
            )
    return found


class _SiteReader:
    def __init__(self, module: Module, evaluator: Evaluator, call: Node, found: Found) -> None:
        self.module = module
        self.ev = evaluator
        self.call = call
        self.found = found
        self.where = f"{module.path}:{line_of(call)}"
        self.condition: str | None = None
        # Tool name -> (guard of a later `handle.disable()`, hidden by default?).
        self.disabled: dict[str, tuple[str, bool | None]] = {}
        self.disable_calls = disabling.disable_calls(call)
        function = call.child_by_field_name("function")
        self.method = text(function.child_by_field_name("property")) if function else ""
        args = call.child_by_field_name("arguments")
        self.args = [a for a in (args.named_children if args else []) if a.type != "comment"]

    def read(self) -> None:
        reader = {
            "registerTool": self._register_tool,
            "registerToolTask": self._register_tool,
            "tool": self._server_tool,
            "addTool": self._add_tool,
            "setRequestHandler": self._list_handler,
        }[self.method]
        if not reader(probe=True):
            return
        self.found.sites += 1
        outcome = self.found
        plain = self.found = Found()
        own_condition = self.condition = condition_of(self.call)
        reader(probe=False)
        if plain.problems:
            for contexts in self._context_candidates():
                # Read once per loop element or per caller instead; their values are known.
                expanded = self.found = Found()
                for bindings, condition in contexts[:_MAX_EXPANSION]:
                    self.condition = own_condition or condition
                    self.ev.with_bindings(bindings, lambda: reader(probe=False))
                if expanded.tools or not expanded.problems:
                    plain = expanded
                    break
        elif own_condition is None:
            self._condition_from_callers(plain)
        if own_condition is not None and plain.tools:
            self._mark_default(plain)
        if self.disabled:
            plain.tools[:] = [self._with_disable(t) for t in plain.tools]
        self.found = outcome
        outcome.tools.extend(plain.tools)
        outcome.problems.extend(plain.problems)
        outcome.notes.extend(plain.notes)

    def _loop_contexts(self) -> list[tuple[dict[int, Any], str | None]]:
        loop = _enclosing_loop(self.call)
        if loop is None:
            return []
        items = self._loop_items(loop, self.module)
        return [(_loop_bindings(loop, item), _item_condition(item)) for item in items or []]

    def _context_candidates(self) -> Iterator[list[tuple[dict[int, Any], str | None]]]:
        """Ways to read the site again: per loop element, then per caller of each enclosing
        function from the innermost out (a factory's parameters may name the tool)."""
        loop = self._loop_contexts()
        if loop:
            yield loop
        function = enclosing_function(self.call)
        for _ in range(_MAX_OUTER):
            if function is None:
                return
            contexts = self._caller_contexts(function)
            if contexts:
                yield contexts
            function = enclosing_function(function)

    def _caller_contexts(self, function: Node | None) -> list[tuple[dict[int, Any], str | None]]:
        """Parameter bindings of `function`, once per call site in the package."""
        contexts: list[tuple[dict[int, Any], str | None]] = []
        loop = _enclosing_loop(self.call)
        if loop is not None and not _inside(loop, function):
            loop = None
        for module, site in self._callers(function):
            for args, caller_loop in self._site_arguments(site, module):
                # The guard may test the loop element (`if (enabled(tool)) register(tool)`).
                condition = self.ev.with_bindings(
                    caller_loop, lambda s=site, m=module: self._marked_condition(s, m)
                )
                bindings = bind_parameters(function, args)
                contexts.extend(self._per_element(loop, bindings, condition))
            if len(contexts) >= _MAX_EXPANSION:
                break
        return contexts

    def _per_element(
        self, loop: Node | None, bindings: dict[int, Any], condition: str | None
    ) -> list[tuple[dict[int, Any], str | None]]:
        """A caller's bindings, once per element of the loop around the site when that loop
        only has known elements under them (`for (const r of plan(args)) register(r)`)."""
        items = (
            self.ev.with_bindings(bindings, lambda: self._loop_items(loop, self.module))
            if loop is not None
            else None
        )
        if not items:
            return [(bindings, condition)]
        return [
            (
                {**bindings, **_loop_bindings(loop, item)},
                disabling.join_conditions(condition, _item_condition(item)),
            )
            for item in items[:_MAX_EXPANSION]
        ]

    def _callers(self, function: Node | None) -> list[tuple[Module, Node]]:
        """Calls anywhere in the package that call exactly `function`."""
        name = function_name(function) if function is not None else ""
        if not name:
            return []
        found = []
        for module in self.ev.modules.values():
            for site in module.calls_by_name.get(name, ()):
                callee = self.ev.value(site.child_by_field_name("function"), module)
                if (
                    isinstance(callee, FunctionRef)
                    and callee.module == self.module.path
                    and callee.node is not None
                    and callee.node.id == function.id
                ):
                    found.append((module, site))
        return found

    def _condition_from_callers(self, found: Found) -> None:
        """A helper that registers tools is only conditional if every caller is."""
        callers = self._callers(enclosing_function(self.call))[:_MAX_EXPANSION]
        conditions = [condition_of(site) for _, site in callers]
        if not conditions or any(c is None for c in conditions):
            return
        joined = " or ".join(dict.fromkeys(c for c in conditions if c))
        states = {self._default_state(site, module) for module, site in callers}
        if states == {True}:
            joined += " (on by default)"
        elif states == {False}:
            joined += " (off by default)"
        found.tools[:] = [t.model_copy(update={"condition": joined}) for t in found.tools]

    def _marked_condition(self, site: Node, module: Module) -> str | None:
        condition = condition_of(site)
        state = self._default_state(site, module) if condition else None
        if state is None:
            return condition
        return f"{condition} ({'on' if state else 'off'} by default)"

    def _default_state(self, site: Node, module: Module) -> bool | None:
        """Whether the guard around `site` holds in the default configuration; None if unknown."""
        guard = guard_of(site)
        if guard is None:
            return None
        test, negated = guard
        state = truthiness(self.ev.value(test, module))
        return None if state is None else state != negated

    def _mark_default(self, found: Found) -> None:
        """Say whether the site's own guard holds in the default configuration, when known."""
        state = self._default_state(self.call, self.module)
        if state is None:
            return
        suffix = " (on by default)" if state else " (off by default)"
        found.tools[:] = [
            t.model_copy(update={"condition": t.condition + suffix}) if t.condition else t
            for t in found.tools
        ]

    def _note_disable(self, name: str) -> None:
        """Record how `handle.disable()` calls after the site hide tool `name`, read under
        the bindings the tool was read with."""
        guards, states = [], []
        for call in self.disable_calls:
            guards.append(condition_of(call) or disabling.DISABLED_ALWAYS)
            states.append(
                True if guard_of(call) is None else self._default_state(call, self.module)
            )
        state = True if True in states else (False if all(s is False for s in states) else None)
        self.disabled[name] = (" or ".join(dict.fromkeys(guards)), state)

    def _with_disable(self, tool: ToolDefinition) -> ToolDefinition:
        if tool.name not in self.disabled:
            return tool
        guard, state = self.disabled[tool.name]
        return tool.model_copy(
            update={"condition": disabling.combine(tool.condition, guard, state)}
        )

    def _site_arguments(self, site: Node, module: Module) -> list[tuple[list[Any], dict[int, Any]]]:
        """The arguments of one call, once per loop element when the call sits in a loop,
        each with the loop bindings it was read under."""
        args_node = site.child_by_field_name("arguments")
        nodes = [a for a in (args_node.named_children if args_node else []) if a.type != "comment"]

        def evaluate() -> list[Any]:
            return [self.ev.value(n, module) for n in nodes]

        args = evaluate()
        if not any(isinstance(a, Unresolved) for a in args):
            return [(args, {})]
        loop = _enclosing_loop(site)
        items = self._loop_items(loop, module) if loop is not None else None
        if not items:
            return [(args, {})]
        out = []
        for item in items[:_MAX_EXPANSION]:
            bindings = _loop_bindings(loop, item)
            out.append((self.ev.with_bindings(bindings, evaluate), bindings))
        return out

    # -- the patterns -------------------------------------------------------

    def _register_tool(self, probe: bool) -> bool:
        if len(self.args) < 2:
            return False
        if probe:
            return True
        name = self._name(self.ev.value(self.args[0], self.module))
        if name is None:
            return True
        config = self.ev.value(self.args[1], self.module)
        if not isinstance(config, dict):
            self._problem(f"configuration of tool {name!r} not resolved ({_why(config)})")
            self._emit(name, "", dict(EMPTY_OBJECT_SCHEMA), {}, f"js.{self.method}")
            return True
        description = self._description(name, config.get("description", UNDEFINED))
        schema = self._schema(name, config.get("inputSchema", UNDEFINED))
        annotations = _annotations(config.get("annotations"), config.get("title"))
        self._emit(name, description, schema, annotations, f"js.{self.method}")
        return True

    def _server_tool(self, probe: bool) -> bool:
        if len(self.args) < 2 or self.args[0].type in ("object", "arrow_function", "array"):
            return False
        if probe:
            # `x.tool(...)` is a common method name; ask for a string-like first argument.
            first = self.ev.value(self.args[0], self.module)
            return isinstance(first, (str, Unresolved))
        name = self._name(self.ev.value(self.args[0], self.module))
        if name is None:
            return True
        middle = self.args[1:-1]
        values = [self.ev.value(n, self.module) for n in middle]
        description: Any = UNDEFINED
        if values and (isinstance(values[0], str) or _unknown_description(values[0], middle[0])):
            description = values.pop(0)
        shape: Any = UNDEFINED
        annotations: Any = None
        if len(values) >= 2:
            shape, annotations = values[0], values[1]
        elif len(values) == 1:
            if _is_annotations(values[0]):
                annotations = values[0]
            else:
                shape = values[0]
        text_ = self._description(name, description)
        schema = self._schema(name, shape)
        self._emit(name, text_, schema, _annotations(annotations, None), "js.server.tool")
        return True

    def _add_tool(self, probe: bool) -> bool:
        if len(self.args) != 1:
            return False
        spec = self.ev.value(self.args[0], self.module)
        if probe:
            return self.args[0].type == "object" or (isinstance(spec, dict) and "name" in spec)
        if not isinstance(spec, dict):
            self._problem(f"tool definition not resolved ({_why(spec)})", kind="registration")
            return True
        name = self._name(spec.get("name", UNDEFINED))
        if name is None:
            return True
        description = self._description(name, spec.get("description", UNDEFINED))
        schema = self._schema(name, spec.get("parameters", UNDEFINED))
        annotations = _annotations(spec.get("annotations"), None)
        self._emit(name, description, schema, annotations, "js.addTool")
        return True

    def _list_handler(self, probe: bool) -> bool:
        if len(self.args) < 2 or not _is_list_tools(self.args[0], self.ev, self.module):
            return False
        if probe:
            return True
        handler = self._handler(self.args[1], depth=0)
        if not isinstance(handler, FunctionRef):
            self._problem(f"tools/list handler not resolved ({_why(handler)})", kind="list")
            return True
        listed: list[Any] = []
        for result in self.ev.return_values(handler, [Unresolved("the request")]):
            tools = result.get("tools", UNDEFINED) if isinstance(result, dict) else result
            if isinstance(tools, list):
                listed.extend(tools)
            else:
                self._problem(
                    f"tools/list handler builds its list at run time ({_why(tools)})", "list"
                )
        seen: set[str] = set()
        for item in listed:
            self._list_item(item, seen)
        return True

    def _handler(self, node: Node, depth: int) -> Any:
        """The handler function, looking inside wrappers: `wrap("ListTools", async () => ...)`."""
        if node.type == "call_expression" and depth <= 4:
            args = node.child_by_field_name("arguments")
            for arg in args.named_children if args is not None else []:
                if arg.type in FUNCTIONS or arg.type == "call_expression":
                    inner = self._handler(arg, depth + 1)
                    if isinstance(inner, FunctionRef):
                        return inner
        return self.ev.value(node, self.module)

    def _list_item(self, item: Any, seen: set[str]) -> None:
        if not isinstance(item, dict):
            self._problem(f"a listed tool is not resolved ({_why(item)})", kind="list")
            return
        name = item.get("name", UNDEFINED)
        if not isinstance(name, str):
            self._problem(f"a listed tool's name is not resolved ({_why(name)})", kind="list")
            return
        if name in seen:
            return
        seen.add(name)
        description = self._description(name, item.get("description", UNDEFINED), kind="list")
        raw_schema = item.get("inputSchema", UNDEFINED)
        schema = self._schema(name, raw_schema, default={"type": "object"})
        annotations = _annotations(item.get("annotations"), item.get("title"))
        file, line = self.module.path, line_of(self.call)
        if isinstance(item, JsObject) and item.file:
            file, line = item.file, item.line
        saved = self.condition
        if isinstance(item, JsObject) and item.condition and not saved:
            self.condition = item.condition
        self._emit(name, description, schema, annotations, "js.list_handler", file, line)
        self.condition = saved

    # -- pieces -------------------------------------------------------------

    def _name(self, value: Any) -> str | None:
        if isinstance(value, PartialText):
            value = Unresolved(value.reason)
        if isinstance(value, str) and value:
            return value
        self._problem(f"tool name not resolved ({_why(value)})")
        return None

    def _description(self, name: str, value: Any, kind: str = "registration") -> str:
        if isinstance(value, PartialText):
            self._problem(
                f"description of tool {name!r} only partly resolved ({value.reason}); "
                f"run-time parts shown as {PLACEHOLDER}",
                kind,
            )
            return str(value)
        if isinstance(value, str):
            return value
        if value is UNDEFINED or value is None:
            return ""
        self._problem(f"description of tool {name!r} not resolved ({_why(value)})", kind)
        return ""

    def _schema(self, name: str, value: Any, default: dict | None = None) -> dict[str, Any]:
        if value is UNDEFINED or value is None:
            return dict(default or EMPTY_OBJECT_SCHEMA)
        converted = zod.to_json_schema(value)
        if converted is not None:
            return converted
        if isinstance(value, dict):
            return to_json(value)
        self.found.notes.append(
            f"{self.where}: input schema of tool {name!r} not resolved ({_why(value)})"
        )
        return {"type": "object"}

    def _problem(self, message: str, kind: str = "registration") -> None:
        self.found.problems.append(Problem(kind, f"{self.where}: {message}"))

    def _emit(
        self,
        name: str,
        description: str,
        schema: dict[str, Any],
        annotations: dict[str, Any],
        pattern: str,
        file: str | None = None,
        line: int | None = None,
    ) -> None:
        location = SourceLocation(file=file or self.module.path, line=line or line_of(self.call))
        if self.disable_calls:
            self._note_disable(name)
        self.found.tools.append(
            ToolDefinition(
                name=name,
                description=description,
                input_schema=schema,
                annotations=annotations,
                source=location,
                pattern=pattern,
                condition=self.condition,
            )
        )

    def _loop_items(self, loop: Node, module: Module) -> list[Any] | None:
        if loop.type == "for_in_statement":
            iterable = self.ev.value(loop.child_by_field_name("right"), module)
            is_in = text(loop.child_by_field_name("operator")) == "in"
            if is_in and isinstance(iterable, dict):
                return list(iterable.keys())
            return iterable if isinstance(iterable, list) else None
        function = loop.child_by_field_name("function")
        receiver = self.ev.value(function.child_by_field_name("object"), module)
        return receiver if isinstance(receiver, list) else None


def _is_list_tools(node: Node, ev: Evaluator, module: Module) -> bool:
    if string_value(node) == "tools/list":
        return True
    if node.type in ("identifier", "member_expression"):
        return text(node).endswith("ListToolsRequestSchema")
    return False


def _unknown_description(value: Any, node: Node) -> bool:
    """Whether an unresolved second argument of `tool()` is more likely text than a shape."""
    if not isinstance(value, Unresolved) or node.type in ("object", "call_expression"):
        return False
    hint = text(node).lower()
    return not any(word in hint for word in ("schema", "shape", "params", "args", "input"))


def _is_annotations(value: Any) -> bool:
    if not isinstance(value, dict) or not value:
        return False
    if any(isinstance(v, zod.Zod) for v in value.values()):
        return False
    return all(k in ANNOTATION_KEYS for k in value)


def annotations_of(value: Any) -> dict[str, Any]:
    """Annotations as JSON, {} when `value` is not an object."""
    return _annotations(value, None)


def schema_of(value: Any) -> dict[str, Any] | None:
    """JSON Schema of a zod schema, raw shape or plain object; None when it is none of those."""
    converted = zod.to_json_schema(value)
    if converted is not None:
        return converted
    return to_json(value) if isinstance(value, dict) else None


def _annotations(value: Any, title: Any) -> dict[str, Any]:
    out = to_json(value) if isinstance(value, dict) else {}
    if isinstance(title, str) and "title" not in out:
        out["title"] = title
    return out


def to_json(value: Any, depth: int = 0) -> Any:
    """A JSON copy of an evaluated value: zod becomes JSON Schema, the unknown is left out."""
    if depth > _MAX_JSON_DEPTH:
        return {}
    if isinstance(value, zod.Zod):
        return zod.to_json_schema(value)
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if _droppable(item):
                continue
            out[str(key)] = to_json(item, depth + 1)
        return out
    if isinstance(value, list):
        return [to_json(item, depth + 1) for item in value if not _droppable(item)]
    if isinstance(value, RegexValue):
        return value.pattern
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return None


def _droppable(value: Any) -> bool:
    return (
        value is UNDEFINED
        or isinstance(value, (Unresolved, FunctionRef))
        or (
            not isinstance(value, (str, int, float, bool, dict, list, zod.Zod, RegexValue))
            and value is not None
        )
    )


def _why(value: Any) -> str:
    if isinstance(value, Unresolved):
        return value.reason
    if value is UNDEFINED:
        return "missing"
    return f"a {type(value).__name__}"


def _enclosing_loop(call: Node) -> Node | None:
    """The nearest `for...of`/`for...in`, or `.forEach/.map` callback, around `call`."""
    node = call.parent
    child = call
    while node is not None:
        if node.type == "for_in_statement" and child == node.child_by_field_name("body"):
            return node
        if node.type in FUNCTIONS and node.parent is not None and node.parent.type == "arguments":
            outer = node.parent.parent
            function = outer.child_by_field_name("function") if outer is not None else None
            if (
                function is not None
                and function.type == "member_expression"
                and text(function.child_by_field_name("property")) in ("forEach", "map", "flatMap")
            ):
                return outer
        if node.type == "program":
            return None
        child = node
        node = node.parent
    return None


def condition_of(node: Node) -> str | None:
    """The `if` condition guarding `node` inside its function, as written (shortened)."""
    child, parent = node, node.parent
    while parent is not None and parent.type not in FUNCTIONS and parent.type != "program":
        guard = _expression_guard(parent, child)
        if guard is not None:
            return guard
        if parent.type == "if_statement" and child != parent.child_by_field_name("condition"):
            test = " ".join(text(parent.child_by_field_name("condition")).split())
            if test.startswith("(") and test.endswith(")"):
                test = test[1:-1].strip()
            if any(marker in test for marker in _MAIN_MODULE_TESTS):
                return None  # "run as a program" guards every tool alike
            test = test if len(test) <= _MAX_CONDITION else test[: _MAX_CONDITION - 3] + "..."
            if child.type == "else_clause":
                return f"not ({test})"
            return test
        child, parent = parent, parent.parent
    return None


def guard_of(node: Node) -> tuple[Node, bool] | None:
    """The nearest `if` test (or `test && <node>`) guarding `node`, and whether it is negated."""
    child, parent = node, node.parent
    while parent is not None and parent.type not in FUNCTIONS and parent.type != "program":
        if parent.type == "if_statement" and child != parent.child_by_field_name("condition"):
            test = parent.child_by_field_name("condition")
            return (test, child.type == "else_clause") if test is not None else None
        if parent.type == "binary_expression" and child == parent.child_by_field_name("right"):
            operator = text(parent.child_by_field_name("operator"))
            left = parent.child_by_field_name("left")
            if operator in ("&&", "||") and left is not None:
                return left, operator == "||"
        if parent.type == "ternary_expression":
            return None
        child, parent = parent, parent.parent
    return None


def _expression_guard(parent: Node, child: Node) -> str | None:
    """`test ? <child> : x`, `test ? x : <child>` and `test && <child>` as a condition."""
    if parent.type == "ternary_expression":
        test_node = parent.child_by_field_name("condition")
        if child == test_node:
            return None
        test = _condition_text(test_node)
        if test is None:
            return None
        return test if child == parent.child_by_field_name("consequence") else f"not ({test})"
    if parent.type == "binary_expression" and child == parent.child_by_field_name("right"):
        operator = text(parent.child_by_field_name("operator"))
        if operator in ("&&", "||"):
            test = _condition_text(parent.child_by_field_name("left"))
            if test is None:
                return None
            return test if operator == "&&" else f"not ({test})"
    return None


def _condition_text(node: Node | None) -> str | None:
    test = " ".join(text(node).split())
    if any(marker in test for marker in _MAIN_MODULE_TESTS):
        return None
    return test if len(test) <= _MAX_CONDITION else test[: _MAX_CONDITION - 3] + "..."


def _item_condition(item: Any) -> str | None:
    """The test a filter keeps a list element under, if any."""
    return item.condition if isinstance(item, JsObject) else None


def _inside(node: Node, outer: Node | None) -> bool:
    return (
        outer is not None
        and outer.start_byte <= node.start_byte
        and node.end_byte <= outer.end_byte
    )


def _loop_bindings(loop: Node, item: Any) -> dict[int, Any]:
    if loop.type == "for_in_statement":
        left = loop.child_by_field_name("left")
        return {left.id: item} if left is not None else {}
    args = loop.child_by_field_name("arguments")
    callback = args.named_children[0] if args is not None and args.named_children else None
    if callback is None:
        return {}
    params = callback.child_by_field_name("parameters")
    if params is not None:
        return {params.id: [item]}
    single = callback.child_by_field_name("parameter")
    return {single.id: item} if single is not None else {}
