"""mark3labs/mcp-go functional options: `mcp.NewTool("name", mcp.WithDescription(...), ...)`.

The options are interpreted the way mcp-go applies them: `With<Type>` adds a
property whose own options (`Required`, `Description`, `Enum`, ...) fill its
schema, annotation options set single hints, `WithToolAnnotation` replaces
them all. Annotations are only what the author wrote; mcp-go's defaults are
not added.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tree_sitter import Node

from crawler.extract.go.evaluate import Evaluator, Scope, _bind, _statements
from crawler.extract.go.structs import TypeSchemas
from crawler.extract.go.values import JsonConverter, Struct, is_known
from crawler.extract.treesitter import text

MAX_OPTION_DEPTH = 6
_PROPERTY_TYPES = {
    "WithString": "string",
    "WithNumber": "number",
    "WithInteger": "integer",
    "WithBoolean": "boolean",
    "WithObject": "object",
    "WithArray": "array",
    "WithAny": None,
}
_HINT_OPTIONS = {
    "WithReadOnlyHintAnnotation": "readOnlyHint",
    "WithDestructiveHintAnnotation": "destructiveHint",
    "WithIdempotentHintAnnotation": "idempotentHint",
    "WithOpenWorldHintAnnotation": "openWorldHint",
    "WithTitleAnnotation": "title",
}
# Property options that set one schema keyword to their argument.
_KEYWORD_OPTIONS = {
    "Description": "description",
    "Title": "title",
    "DefaultString": "default",
    "DefaultNumber": "default",
    "DefaultBool": "default",
    "DefaultArray": "default",
    "Min": "minimum",
    "Max": "maximum",
    "MinLength": "minLength",
    "MaxLength": "maxLength",
    "Pattern": "pattern",
    "MultipleOf": "multipleOf",
    "MinItems": "minItems",
    "MaxItems": "maxItems",
    "UniqueItems": "uniqueItems",
    "MinProperties": "minProperties",
    "MaxProperties": "maxProperties",
    "Items": "items",
    "Properties": "properties",
    "AdditionalProperties": "additionalProperties",
    "PropertyNames": "propertyNames",
    "Format": "format",
}
_ITEM_OPTIONS = {
    "WithStringItems": "string",
    "WithNumberItems": "number",
    "WithIntegerItems": "integer",
    "WithBooleanItems": "boolean",
}
# Tool options that do not change name, description, input schema or annotations.
_IGNORED_TOOL_OPTIONS = frozenset(
    {
        "WithOutputSchema",
        "WithRawOutputSchema",
        "WithToolIcons",
        "WithDeferLoading",
        "WithTaskSupport",
        "WithToolTitle",
        "WithSchemaAdditionalProperties",
    }
)


@dataclass
class ToolParts:
    description: str = ""
    properties: dict[str, Any] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)
    annotations: dict[str, Any] = field(default_factory=dict)
    raw_schema: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)

    def input_schema(self) -> dict[str, Any]:
        if self.raw_schema is not None:
            return self.raw_schema
        schema: dict[str, Any] = {"type": "object", "properties": self.properties}
        if self.required:
            schema["required"] = self.required
        return schema


class OptionReader:
    def __init__(self, evaluator: Evaluator, schemas: TypeSchemas) -> None:
        self.evaluator = evaluator
        self.schemas = schemas

    def read(self, options: list[Node], scope: Scope) -> ToolParts:
        parts = ToolParts()
        for option in options:
            self._tool_option(option, scope, parts, 0)
        return parts

    def _json(self, node: Node | None, scope: Scope, parts: ToolParts, what: str) -> Any:
        converter = JsonConverter()
        value = converter.convert(self.evaluator.eval(node, scope))
        if converter.unknowns:
            parts.problems.append(f"{what}: {converter.unknowns[0]}")
        return value

    def _tool_option(self, option: Node, scope: Scope, parts: ToolParts, depth: int) -> None:
        if depth > MAX_OPTION_DEPTH:
            parts.problems.append("options nested too deeply")
            return
        if option.type == "variadic_argument":
            self._spread(option, scope, parts, depth)
            return
        if option.type != "call_expression":
            parts.problems.append(f"option {text(option)[:60]} is computed at run time")
            return
        name, args = _callee(option)
        if name == "WithDescription" and args:
            description = self._json(args[0], scope, parts, "description")
            parts.description = description if isinstance(description, str) else ""
        elif name in _PROPERTY_TYPES and args:
            self._property(name, args, scope, parts)
        elif name in _HINT_OPTIONS and args:
            value = self._json(args[0], scope, parts, name)
            if value is not None:
                parts.annotations[_HINT_OPTIONS[name]] = value
        elif name == "WithToolAnnotation" and args:
            value = self._json(args[0], scope, parts, "annotations")
            parts.annotations = value if isinstance(value, dict) else {}
        elif name == "WithRawInputSchema" and args:
            value = self._json(args[0], scope, parts, "raw input schema")
            parts.raw_schema = value if isinstance(value, dict) else None
        elif name == "WithInputSchema":
            self._typed_schema(option, scope, parts)
        elif name in _IGNORED_TOOL_OPTIONS:
            return
        elif not self._local_option(option, scope, parts, depth):
            parts.problems.append(f"option {name or text(option)[:60]} is not understood")

    def _spread(self, option: Node, scope: Scope, parts: ToolParts, depth: int) -> None:
        """`opts...`: read the options when they are a literal slice built in the same function."""
        inner = option.named_children[0] if option.named_children else None
        elements = self._option_elements(inner, scope)
        if elements is None:
            parts.problems.append(f"options {text(inner)[:40]}... are built at run time")
            return
        for element in elements:
            self._tool_option(element, scope, parts, depth + 1)

    def _option_elements(self, node: Node | None, scope: Scope) -> list[Node] | None:
        if node is None:
            return None
        if node.type == "identifier":
            definition = self.evaluator.local_definition(node, text(node))
            return self._option_elements(definition, scope) if definition is not None else None
        if node.type == "composite_literal":
            body = node.child_by_field_name("body")
            return [
                c.named_children[0] if c.type == "literal_element" and c.named_children else c
                for c in (body.named_children if body is not None else [])
                if c.type != "comment"
            ]
        return None

    def _local_option(self, option: Node, scope: Scope, parts: ToolParts, depth: int) -> bool:
        """A module function returning an option: read the options its result applies."""
        declared, package = self.evaluator.resolve_function(
            option.child_by_field_name("function"), scope
        )
        if declared is None or package is None:
            return False
        arguments = option.child_by_field_name("arguments")
        args = arguments.named_children if arguments is not None else []
        values = [self.evaluator.eval(a, scope) for a in args if a.type != "variadic_argument"]
        inner_scope = Scope(
            declared.file, package, _bind(declared.node.child_by_field_name("parameters"), values)
        )
        returned = _returned(declared.node)
        if returned is None:
            return False
        if returned.type == "call_expression":
            self._tool_option(returned, inner_scope, parts, depth + 1)
            return True
        if returned.type == "func_literal":
            # `return func(t *mcp.Tool) { mcp.WithNumber(...)(t); ... }`
            for statement in _statements(returned.child_by_field_name("body")):
                call = statement.named_children[0] if statement.named_children else None
                if call is not None and call.type == "call_expression":
                    applied = call.child_by_field_name("function")
                    if applied is not None and applied.type == "call_expression":
                        self._tool_option(applied, inner_scope, parts, depth + 1)
            return True
        return False

    def _typed_schema(self, option: Node, scope: Scope, parts: ToolParts) -> None:
        type_args = option.child_by_field_name("type_arguments")
        function = option.child_by_field_name("function")
        if type_args is None and function is not None:
            type_args = function.child_by_field_name("type_arguments")
        types = [c for c in (type_args.named_children if type_args is not None else [])]
        if not types and function is not None and function.type == "index_expression":
            # `mcp.WithInputSchema[Args]()` parses as an index expression.
            index = function.child_by_field_name("index")
            types = [index] if index is not None else []
        if not types:
            parts.problems.append("WithInputSchema without a readable type")
            return
        type_node = (
            types[0].named_children[0]
            if types[0].type == "type_elem" and types[0].named_children
            else types[0]
        )
        parts.raw_schema = self.schemas.for_type(type_node, scope.file, scope.package)

    def _property(self, option: str, args: list[Node], scope: Scope, parts: ToolParts) -> None:
        name = self._json(args[0], scope, parts, "property name")
        if not isinstance(name, str):
            parts.problems.append(f"a property name of {option} is computed at run time")
            return
        schema: dict[str, Any] = {}
        if _PROPERTY_TYPES[option]:
            schema["type"] = _PROPERTY_TYPES[option]
        if option == "WithObject":
            schema["properties"] = {}
        required = self._property_options(args[1:], scope, parts, schema, 0)
        if required and name not in parts.required:
            parts.required.append(name)
        parts.properties[name] = schema

    def _property_options(
        self,
        options: list[Node],
        scope: Scope,
        parts: ToolParts,
        schema: dict[str, Any],
        depth: int,
    ) -> bool:
        required = False
        for option in options:
            if option.type == "variadic_argument" or option.type != "call_expression":
                elements = (
                    self._option_elements(
                        option.named_children[0] if option.named_children else None, scope
                    )
                    if option.type == "variadic_argument"
                    else None
                )
                if elements is None:
                    parts.problems.append(
                        f"property option {text(option)[:40]} is computed at run time"
                    )
                    continue
                required |= self._property_options(elements, scope, parts, schema, depth + 1)
                continue
            name, args = _callee(option)
            if name == "Required":
                required = True
            elif name == "Enum":
                schema["enum"] = self._enum(args, scope, parts)
            elif name in _KEYWORD_OPTIONS and args:
                schema[_KEYWORD_OPTIONS[name]] = self._json(args[0], scope, parts, name)
            elif name in _ITEM_OPTIONS:
                items: dict[str, Any] = {"type": _ITEM_OPTIONS[name]}
                self._property_options(args, scope, parts, items, depth + 1)
                schema["items"] = items
            elif name == "WithStringEnumItems" and args:
                schema["items"] = {
                    "type": "string",
                    "enum": self._json(args[0], scope, parts, name),
                }
            else:
                parts.problems.append(
                    f"property option {name or text(option)[:40]} is not understood"
                )
        return required

    def _enum(self, args: list[Node], scope: Scope, parts: ToolParts) -> list[Any]:
        values: list[Any] = []
        for arg in args:
            if arg.type == "variadic_argument":
                spread = self._json(
                    arg.named_children[0] if arg.named_children else None, scope, parts, "enum"
                )
                values.extend(spread if isinstance(spread, list) else [])
            else:
                values.append(self._json(arg, scope, parts, "enum"))
        return values


def _callee(call: Node) -> tuple[str, list[Node]]:
    """The called function's own name (without package or receiver) and the argument nodes."""
    function = call.child_by_field_name("function")
    while function is not None and function.type in ("generic_type", "index_expression"):
        function = function.named_children[0] if function.named_children else None
    if function is not None and function.type == "selector_expression":
        name = text(function.child_by_field_name("field"))
    else:
        name = text(function)
    arguments = call.child_by_field_name("arguments")
    args = [
        a
        for a in (arguments.named_children if arguments is not None else [])
        if a.type != "comment"
    ]
    return name, args


def _returned(function: Node) -> Node | None:
    for statement in _statements(function.child_by_field_name("body")):
        if statement.type == "return_statement" and statement.named_children:
            first = statement.named_children[0]
            if first.type == "expression_list":
                return first.named_children[0] if first.named_children else None
            return first
    return None


def struct_fields(value: Any) -> dict[str, Any]:
    return value.fields if isinstance(value, Struct) and is_known(value) else {}
