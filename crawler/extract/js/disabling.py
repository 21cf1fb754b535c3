"""Registrations switched off right after they are made.

The MCP SDK's `registerTool` and `tool` return a handle whose `disable()` hides the
tool from `tools/list` (until `enable()`). Servers use it for configuration gates:

    const registered = server.registerTool(name, config, cb);
    if (handler.disabled) registered.disable();

Such a tool is listed only while the guard is false, so its condition is
"not (<guard>)", on or off by default as the guard reads in the default configuration.
"""

from __future__ import annotations

from tree_sitter import Node

from crawler.extract.js.scope import FUNCTIONS
from crawler.extract.treesitter import text

_WRAPPERS = frozenset({"await_expression", "parenthesized_expression", "as_expression"})
_MAX_NODES = 20_000  # nodes walked looking for `.disable()` in one function body
DISABLED_ALWAYS = "enabled later at run time"


def handle_name(call: Node) -> str | None:
    """The local name the registration's returned handle is kept in, if any."""
    node, parent = call, call.parent
    while parent is not None and parent.type in _WRAPPERS:
        node, parent = parent, parent.parent
    if parent is None:
        return None
    if parent.type == "variable_declarator" and parent.child_by_field_name("value") == node:
        name = parent.child_by_field_name("name")
    elif parent.type == "assignment_expression" and parent.child_by_field_name("right") == node:
        name = parent.child_by_field_name("left")
    else:
        return None
    return text(name) if name is not None and name.type == "identifier" else None


def disable_calls(call: Node) -> list[Node]:
    """Each `<handle>.disable()` written after `call` in the function that makes it."""
    name = handle_name(call)
    if name is None:
        return []
    body = call.parent
    while body is not None and body.type not in FUNCTIONS and body.type != "program":
        body = body.parent
    if body is None:
        return []
    found: list[Node] = []
    stack, seen = [body], 0
    while stack and seen < _MAX_NODES:
        node = stack.pop()
        seen += 1
        if node.start_byte >= call.end_byte and _is_disable(node, name):
            found.append(node)
            continue
        if node.end_byte > call.end_byte:
            stack.extend(node.named_children)
    return found


def _is_disable(node: Node, name: str) -> bool:
    if node.type != "call_expression":
        return False
    function = node.child_by_field_name("function")
    args = node.child_by_field_name("arguments")
    if function is None or function.type != "member_expression" or args is None:
        return False
    receiver = function.child_by_field_name("object")
    return (
        receiver is not None
        and receiver.type == "identifier"
        and text(receiver) == name
        and text(function.child_by_field_name("property")) == "disable"
        and not args.named_children
    )


def combine(condition: str | None, guard: str, disabled_by_default: bool | None) -> str:
    """The condition of a tool registered under `condition` and hidden when `guard` holds."""
    base, state = _split_default(condition)
    hidden = f"not ({guard})" if guard != DISABLED_ALWAYS else guard
    joined = hidden if base is None else f"{base} and {hidden}"
    if disabled_by_default is True or state is False:
        return f"{joined} (off by default)"
    if disabled_by_default is False and (base is None or state is True):
        return f"{joined} (on by default)"
    return joined


def join_conditions(first: str | None, second: str | None) -> str | None:
    """Both conditions; off by default when either is, on when both are."""
    if not first or not second:
        return first or second
    a, a_state = _split_default(first)
    b, b_state = _split_default(second)
    joined = f"{a} and {b}"
    if a_state is False or b_state is False:
        return f"{joined} (off by default)"
    if a_state is True and b_state is True:
        return f"{joined} (on by default)"
    return joined


def _split_default(condition: str | None) -> tuple[str | None, bool | None]:
    if condition is None:
        return None, None
    for suffix, state in ((" (on by default)", True), (" (off by default)", False)):
        if condition.endswith(suffix):
            return condition[: -len(suffix)], state
    return condition, None
