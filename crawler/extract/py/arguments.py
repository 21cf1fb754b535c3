"""The values a function's parameters have in the default configuration.

`def create_server(allow_switch: bool = False): if allow_switch: @mcp.tool()...`
depends on what its callers pass. Followed up the call chain (see
callers.py) to a function nobody in the package calls, such as a click
command: there a parameter is its option's default (a flag without one is
False, an `envvar=` is unset), a typer `Option(default)`, or the Python
default. A parameter whose callers disagree or pass run-time values stays
unknown.
"""

from __future__ import annotations

import ast
from typing import Any

from crawler.extract.py.evaluator import Evaluator, Scope
from crawler.extract.py.values import FuncRef, ObjectValue, Unknown

MAX_LEVELS = 4
_UNDECIDED = object()


def default_scope(ev: Evaluator, callers: Any, scope: Scope | None) -> Scope | None:
    """`scope` (a function body) with its unknown parameters bound to their
    default-configuration values where those are decided."""
    if scope is None or scope.function is None or callers is None:
        return scope
    bound = dict(scope.bound)
    changed = False
    for name, value in scope.bound.items():
        if isinstance(value, Unknown) or _placeholder(value, name):
            found = parameter_default(ev, callers, scope, name, 0)
            if found is not _UNDECIDED:
                bound[name] = found
                changed = True
    if not changed:
        return scope
    func = FuncRef(scope.module, scope.function, scope.parent)
    return ev.function_scope(func, bound)


def parameter_default(ev: Evaluator, callers: Any, scope: Scope, name: str, level: int) -> Any:
    function = scope.function
    if level > MAX_LEVELS or not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return _UNDECIDED
    memo = callers.__dict__.setdefault("_parameter_defaults", {})
    key = (id(function), name)
    if key not in memo:
        memo[key] = _UNDECIDED  # a call cycle reads as undecided
        memo[key] = _parameter_default(ev, callers, scope, name, level)
    return memo[key]


def _parameter_default(ev: Evaluator, callers: Any, scope: Scope, name: str, level: int) -> Any:
    function = scope.function
    sites = callers.arguments_for(function, name)
    if not sites:
        return declared_default(ev, FuncRef(scope.module, function, scope.parent), name)
    values = []
    for node, caller_scope in sites:
        if node is None:  # not passed: the declared default
            value = declared_default(ev, FuncRef(scope.module, function, scope.parent), name)
        else:
            value = ev.eval(node, caller_scope, 1)
            if isinstance(value, Unknown) and isinstance(node, ast.Name):
                if node.id in caller_scope.bound:
                    value = parameter_default(ev, callers, caller_scope, node.id, level + 1)
        if value is _UNDECIDED or not (_plain(value) or isinstance(value, ObjectValue)):
            return _UNDECIDED
        values.append(value)
    first = values[0]
    same = all(v is first or (_plain(v) and _plain(first) and v == first) for v in values)
    return first if same else _UNDECIDED


def _placeholder(value: Any, name: str) -> bool:
    """An instance made only from a parameter's annotation (`settings: Settings`):
    what callers pass says more."""
    return (
        isinstance(value, ObjectValue)
        and name not in ("self", "cls")
        and not value.args
        and not value.kwargs
        and not value.local_server
    )


def declared_default(ev: Evaluator, func: FuncRef, name: str) -> Any:
    """A parameter's default where the function declares it (click/typer/Python)."""
    option = _click_default(ev, func, name)
    if option is not _UNDECIDED:
        return option
    spec = func.node.args
    positional = spec.posonlyargs + spec.args
    with_default = positional[len(positional) - len(spec.defaults) :]
    defaults = {p.arg: d for p, d in zip(with_default, spec.defaults, strict=True)}
    for param, default in zip(spec.kwonlyargs, spec.kw_defaults, strict=True):
        if default is not None:
            defaults[param.arg] = default
    if name not in defaults:
        return _UNDECIDED
    value = ev.eval(defaults[name], func.scope, 1)
    if isinstance(value, ObjectValue) and value.last in ("Option", "Argument"):  # typer
        value = value.args[0] if value.args else value.kwargs.get("default", _UNDECIDED)
    return value if _plain(value) else _UNDECIDED


def _click_default(ev: Evaluator, func: FuncRef, name: str) -> Any:
    for decorator in func.node.decorator_list:
        if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
            continue
        if decorator.func.attr != "option":
            continue
        names = [a.value for a in decorator.args if isinstance(a, ast.Constant)]
        if _click_name([n for n in names if isinstance(n, str)]) != name:
            continue
        keywords = {k.arg: k.value for k in decorator.keywords if k.arg}
        if "default" in keywords:
            value = ev.eval(keywords["default"], func.scope, 1)
            return value if _plain(value) else _UNDECIDED
        flag = keywords.get("is_flag")
        if isinstance(flag, ast.Constant) and flag.value is True:
            return False
        return None
    return _UNDECIDED


def _click_name(names: list[str]) -> str | None:
    """The parameter a click option fills: a bare name, else its longest flag."""
    bare = [n for n in names if n.isidentifier()]
    if bare:
        return bare[0]
    flags = [n.split("/")[0] for n in names if n.startswith("-")]
    chosen = next((f for f in flags if f.startswith("--")), flags[0] if flags else None)
    return chosen.lstrip("-").replace("-", "_").lower() if chosen else None


def _plain(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))
