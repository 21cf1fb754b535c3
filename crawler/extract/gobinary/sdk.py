"""What the reader knows about Go MCP SDKs and the Go runtime, by function name.

Arguments are counted in Go's register ABI: each word of an argument takes the
next register (a string takes two: data and length; a slice three), and a
generic function's dictionary comes first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MARK3LABS = "github.com/mark3labs/mcp-go/mcp"
GO_SDK = "github.com/modelcontextprotocol/go-sdk/mcp"
METORO = "github.com/metoro-io/mcp-golang"


@dataclass(frozen=True)
class Constructor:
    """An SDK function whose call defines one tool."""

    name: str  # the function's full name; generic ones match any instantiation
    pattern: str  # how tools found through it are labelled
    name_arg: int | None = None  # word index of the tool name (a string)
    description_arg: int | None = None  # word index of the description (a string)
    options_arg: int | None = None  # word index of a variadic []ToolOption
    tool_pointer_arg: int | None = None  # word index of a *Tool
    generic: bool = False  # the first word is a dictionary; type argument 0 is the input
    # Word index of a handler passed as `any`: its type word is the function's type,
    # whose first parameter is the input struct.
    handler_arg: int | None = None


CONSTRUCTORS = (
    Constructor(f"{MARK3LABS}.NewTool", "go-binary-mcp-go-newtool", name_arg=0, options_arg=2),
    Constructor(
        f"{MARK3LABS}.NewToolWithRawSchema",
        "go-binary-mcp-go-newtool",
        name_arg=0,
        description_arg=2,
    ),
    Constructor(f"{GO_SDK}.AddTool", "go-binary-go-sdk-addtool", tool_pointer_arg=2, generic=True),
    Constructor(f"{GO_SDK}.(*Server).AddTool", "go-binary-go-sdk-addtool", tool_pointer_arg=1),
    Constructor(
        f"{METORO}.(*Server).RegisterTool",
        "go-binary-mcp-golang-registertool",
        name_arg=1,
        description_arg=3,
        handler_arg=5,
    ),
)

# mark3labs/mcp-go options, by the short name of the function that makes them.
# Called, they are `f(args)`; inlined by the compiler, they leave a closure named
# `<caller>.<Option>.func<N>` that holds the same arguments.
TOOL_DESCRIPTION_OPTIONS = frozenset({"WithDescription"})
PROPERTY_OPTIONS = {
    "WithString": "string",
    "WithNumber": "number",
    "WithInteger": "integer",
    "WithBoolean": "boolean",
    "WithArray": "array",
    "WithObject": "object",
    "WithAny": "",
}
PROPERTY_DESCRIPTION_OPTIONS = frozenset({"Description"})
PROPERTY_REQUIRED_OPTIONS = frozenset({"Required"})
ANNOTATION_OPTIONS = {
    "WithReadOnlyHintAnnotation": "readOnlyHint",
    "WithDestructiveHintAnnotation": "destructiveHint",
    "WithIdempotentHintAnnotation": "idempotentHint",
    "WithOpenWorldHintAnnotation": "openWorldHint",
    "WithTitleAnnotation": "title",
}
# mcp.WithToolAnnotation(mcp.ToolAnnotation{...}) captures the struct: the title, then
# pointers to the four hints, in this order.
TOOL_ANNOTATION_OPTION = "WithToolAnnotation"
TOOL_ANNOTATION_FIELDS = ("readOnlyHint", "destructiveHint", "idempotentHint", "openWorldHint")
# How many words an inlined option's closure captures (mark3labs/mcp-go source): a
# property captures its name and its options, a text option its text, a hint its bool.
CAPTURED_WORDS = {
    **{kind: 5 for kind in PROPERTY_OPTIONS},
    "WithDescription": 2,
    "Description": 2,
    "WithTitleAnnotation": 2,
    "Required": 0,
    TOOL_ANNOTATION_OPTION: 2 + len(TOOL_ANNOTATION_FIELDS),
}
OPTION_NAMES = (
    TOOL_DESCRIPTION_OPTIONS
    | set(PROPERTY_OPTIONS)
    | PROPERTY_DESCRIPTION_OPTIONS
    | PROPERTY_REQUIRED_OPTIONS
    | set(ANNOTATION_OPTIONS)
    | {TOOL_ANNOTATION_OPTION}
)

# A closure's name ends in the function that made it: `pkg.F.WithString.func3`.
CLOSURE_NAME = re.compile(r"\.(\w+)\.func\d+(?:\.\d+)?$")


def closure_maker(function_name: str) -> str | None:
    """`WithString` for `pkg.F.WithString.func3` (inlined) or `mcp.WithString.func1`."""
    match = CLOSURE_NAME.search(function_name)
    return match.group(1) if match else None


def option_function(function_name: str) -> str | None:
    """The option a called (not inlined) mark3labs function makes: `WithString`."""
    prefix = MARK3LABS + "."
    if function_name.startswith(prefix):
        short = function_name[len(prefix) :]
        if short in OPTION_NAMES:
            return short
    return None


# Runtime functions whose effect on memory the reader models.
NEW_OBJECT = "runtime.newobject"
MAKE_MAP_SMALL = "runtime.makemap_small"
MAKE_MAP = "runtime.makemap"
MAP_ASSIGN_STRING = "runtime.mapassign_faststr"
MAP_ASSIGN = "runtime.mapassign"
GROW_SLICE = "runtime.growslice"
MAKE_SLICE = "runtime.makeslice"
TYPED_MOVES = ("runtime.typedmemmove", "runtime.wbMove")
WRITE_BARRIERS = ("runtime.gcWriteBarrier",) + tuple(
    f"runtime.gcWriteBarrier{n}" for n in range(1, 9)
)
RUNTIME_FUNCTIONS = (
    NEW_OBJECT,
    MAKE_MAP_SMALL,
    MAKE_MAP,
    MAP_ASSIGN_STRING,
    MAP_ASSIGN,
    GROW_SLICE,
    MAKE_SLICE,
    *TYPED_MOVES,
    *WRITE_BARRIERS,
)

# The shape of an MCP tool name (the spec's characters, and the "/" and ":" some servers use).
TOOL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-/:]{0,127}")
# A key of a translation helper: `t("TOOL_GET_ISSUE_DESCRIPTION", "Get details ...")`.
TRANSLATION_KEY = re.compile(r"[A-Z][A-Z0-9_]{2,}")


def looks_like_tool_name(text: str | None) -> bool:
    return text is not None and TOOL_NAME.fullmatch(text) is not None


def looks_like_description(text: str) -> bool:
    """Prose: more than one word. Guards tools read by argument position only."""
    return len(text.split()) >= 2
