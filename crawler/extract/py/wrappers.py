"""Registration through the package's own helpers.

Servers often hide `mcp.tool(...)` behind a helper: a decorator
(`@register`, `@tools.reader("Read range")`) whose body, or the function it
returns, calls `server.tool(...)(fn)` or `server.add_tool(fn, ...)` on the
function it was given, or a factory that returns `server.tool(...)` itself.
The helper's body is read with its parameters bound to what the call site
passes, so names, descriptions and annotations given to the helper count.
"""

from __future__ import annotations

import ast
from collections.abc import Callable

from crawler.extract.py.evaluator import Evaluator, Scope
from crawler.extract.py.symbols import flat_statements
from crawler.extract.py.values import FuncRef

MAX_LEVELS = 3

# (statement of the helper's body, its call, scope) -> whether it registered a tool
CallReader = Callable[[ast.stmt, ast.Call, Scope], bool]
# (the `server.tool(...)` options call, scope) -> None: register the decorated function
OptionsReader = Callable[[ast.Call, Scope], None]


def decorator_function(ev: Evaluator, decorator: ast.expr, scope: Scope) -> FuncRef | None:
    """The package function a decorator expression applies: `@helper` or `@factory(...)`."""
    value = ev.eval(decorator, scope, 1)
    return value if isinstance(value, FuncRef) else None


def factory_options(ev: Evaluator, decorator: ast.expr, scope: Scope):
    """`@tool_factory("name", "desc")` where the factory returns `server.tool(...)`:
    that options call and the factory's scope, bound to the call's arguments."""
    if not isinstance(decorator, ast.Call):
        return None
    factory = ev.eval(decorator.func, scope, 1)
    if not isinstance(factory, FuncRef):
        return None
    returns = ev.function_scope(factory).table.returns
    if len(returns) != 1 or not isinstance(returns[0].value, ast.Call):
        return None
    options = returns[0].value
    if not (isinstance(options.func, ast.Attribute) and options.func.attr == "tool"):
        return None
    args = [ev.eval(a, scope, 1) for a in decorator.args if not isinstance(a, ast.Starred)]
    kwargs = {k.arg: ev.eval(k.value, scope, 1) for k in decorator.keywords if k.arg}
    if factory.bound_self is not None:
        args = [factory.bound_self, *args]
    bound = ev.bind_arguments(factory, args, kwargs, 1)
    return options, ev.function_scope(factory, bound)


def apply_helper(
    ev: Evaluator, helper: FuncRef, target: FuncRef, read_call: CallReader
) -> FuncRef | None:
    """Read `helper(target)`: registration calls in its body (or in the function it
    returns, up to MAX_LEVELS deep) with its first parameter bound to `target`.
    Returns the function whose body registered, if any."""
    current: FuncRef | None = helper
    for _ in range(MAX_LEVELS):
        if current is None:
            return None
        spec = current.node.args
        params = spec.posonlyargs + spec.args
        if current.bound_self is not None:
            params = params[1:]
        if not params:
            return None
        bound = {params[0].arg: target}
        if current.bound_self is not None:
            bound[(spec.posonlyargs + spec.args)[0].arg] = current.bound_self
        scope = ev.function_scope(current, bound)
        found = False
        for stmt in flat_statements(current.node.body):
            value = getattr(stmt, "value", None)
            if isinstance(stmt, (ast.Expr, ast.Return, ast.Assign)) and isinstance(value, ast.Call):
                found = read_call(stmt, value, scope) or found
        if found:
            return current
        returns = scope.table.returns
        nxt = ev.eval(returns[0].value, scope, 1) if len(returns) == 1 else None
        current = nxt if isinstance(nxt, FuncRef) and nxt.node is not current.node else None
    return None


def unwrap(ev: Evaluator, func: FuncRef) -> FuncRef | None:
    """A `@functools.wraps(fn)` wrapper stands for `fn` (its signature and docstring);
    None when `fn` cannot be resolved."""
    for _ in range(MAX_LEVELS):
        original = None
        for decorator in func.node.decorator_list:
            if not isinstance(decorator, ast.Call) or not decorator.args:
                continue
            name = decorator.func
            last = name.attr if isinstance(name, ast.Attribute) else getattr(name, "id", "")
            if last == "wraps":
                value = ev.eval(decorator.args[0], func.scope, 1)
                if not isinstance(value, FuncRef):
                    return None
                original = value
        if original is None:
            return func
        func = original
    return func
