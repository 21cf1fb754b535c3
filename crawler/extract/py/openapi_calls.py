"""Servers that fastmcp builds from an OpenAPI document the package ships.

A call `FastMCP.from_openapi(openapi_spec=spec, ...)` (or `FastMCPOpenAPI(...)`,
`OpenAPIProvider(...)`) names no tool itself; the document does. This module
finds the document the module loads (a `.json`/`.yaml`/`.yml` file of the
package whose name a string in the code gives: `Path(__file__).parent /
"api.json"`, `resources.files(pkg).joinpath("api.yaml")`, a constant path),
reads the call's `route_maps` and `mcp_names` when they are written out, and
leaves the naming itself to `fastmcp_openapi`.

A document fetched from a URL at run time stays unknown, with that reason; a
bundled copy used as the URL's fallback gives tools marked as such.
"""

from __future__ import annotations

import ast
import posixpath
import re
from dataclasses import dataclass, field
from typing import Any

from crawler.extract.openapi_doc import (
    DOCUMENT_SUFFIXES,
    count_operations,
    load_document,
    looks_like_openapi,
)
from crawler.extract.py.fastmcp_openapi import RouteRule, Settings, generate_tools
from crawler.extract.py.modules import Module, is_test_or_example
from crawler.files import PackageFiles
from mcp_domain import ToolDefinition

GENERATOR_CALLS = {"from_openapi", "FastMCPOpenAPI", "OpenAPIProvider"}
_FETCH_METHODS = {"get", "request", "urlopen", "fetch", "send"}
_FETCH_OWNERS = {"httpx", "requests", "client", "session", "http", "urllib", "aiohttp"}
_MCP_TYPES = {"TOOL", "RESOURCE", "RESOURCE_TEMPLATE", "EXCLUDE", "PROMPT"}
_QUOTED_FASTMCP = re.compile(r"[\"'](fastmcp(?:[-_]slim)?\b[^\"'\n]*)[\"']", re.IGNORECASE)
_LINE_FASTMCP = re.compile(r"^\s*(fastmcp(?:[-_]slim)?\b[^#\n]*)", re.IGNORECASE | re.MULTILINE)
_VERSION = re.compile(r"(<=|<|==|~=)\s*([0-9]+(?:\.[0-9]+)*)")


@dataclass
class OpenApiFindings:
    tools: list[ToolDefinition] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unsure: bool = False  # some part could not be decided: the list is partial
    handled: set[tuple[str, int]] = field(default_factory=set)  # call sites read here


def find_openapi_tools(files: PackageFiles, modules: list[Module]) -> OpenApiFindings:
    out = OpenApiFindings()
    version = _fastmcp_version(files)
    for module in modules:
        if "fastmcp" not in module.text or not any(k in module.text for k in GENERATOR_CALLS):
            continue
        for call in _generator_calls(module):
            _read_call(files, modules, module, call, version, out)
    return out


def _generator_calls(module: Module) -> list[ast.Call]:
    calls = []
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in GENERATOR_CALLS:
                calls.append(node)
    return sorted(calls, key=lambda c: (c.lineno, c.col_offset))


def _read_call(
    files: PackageFiles,
    modules: list[Module],
    module: Module,
    call: ast.Call,
    version: _Version,
    out: OpenApiFindings,
) -> None:
    site = f"{module.path}:{call.lineno}"
    out.handled.add((module.path, call.lineno))
    documents, namers = _documents(files, [module])
    if not documents:  # a loader in a module it imports, or one those import
        documents, namers = _documents(files, _imported_modules(module, modules, hops=2))
    fetched = _fetches(module)
    if not documents:
        anywhere = fetched or any(_fetches(m) for m in modules)
        reason = "fetched from a URL" if anywhere else "not found in the package"
        out.notes.append(
            f"{site}: tools are generated from an OpenAPI document at run time ({reason})"
        )
        out.unsure = True
        return
    settings, problems = _settings(module, call, version)
    problems += _doubts(module, namers, fetched, documents)
    out.notes += [f"{site}: {problem}" for problem in problems]
    out.unsure = out.unsure or bool(problems)
    if version.describes_parameters_and_responses:
        out.notes.append(
            f"{site}: the fastmcp release required adds parameter and response details to "
            "descriptions; only the operation's own text is given"
        )
    seen = {t.name for t in out.tools}
    for path in documents:
        loaded = load_document(files.files[path], path)
        if loaded.spec is None:
            out.unsure = True
            out.notes.append(f"{site}: OpenAPI document not read: {loaded.problem}")
            continue
        if not loaded.version.startswith("3"):
            out.unsure = True
            out.notes.append(
                f"{site}: {path} is not OpenAPI 3 ({loaded.version or 'no version'}); "
                "fastmcp only reads OpenAPI 3 documents, so no tools are listed from it"
            )
            continue
        generated = generate_tools(loaded.spec, path, settings, files.text(path) or "")
        out.notes += [f"{site}: {note}" for note in generated.notes]
        out.unsure = out.unsure or not generated.complete
        tools = [t for t in generated.tools if t.name not in seen]
        seen.update(t.name for t in tools)
        out.tools.extend(tools)
        total = count_operations(loaded.spec)
        out.notes.append(
            f"{site}: {len(tools)} tool(s) generated by fastmcp from the OpenAPI document "
            f"{path} ({total} operation(s))"
        )


def _doubts(module: Module, namers: list[Module], fetched: bool, documents: list[str]) -> list[str]:
    """Reasons the shipped document may not be what the server serves."""
    doubts = []
    editors = [m.path for m in [module, *namers] if _edits_paths(m)]
    if editors:
        doubts.append(
            "the OpenAPI document's paths may be edited in code before use "
            f"({', '.join(dict.fromkeys(editors))}); tools are listed from the document as shipped"
        )
    if fetched:
        doubts.append(
            "the server may fetch its OpenAPI document from a URL at run time; "
            "tools are listed from the bundled copy"
        )
    if len(documents) > 1:
        doubts.append(
            f"several bundled OpenAPI documents are named ({', '.join(documents)}); "
            "tools of all of them are listed"
        )
    return doubts


def _documents(files: PackageFiles, modules: list[Module]) -> tuple[list[str], list[Module]]:
    """Package files holding an OpenAPI document that a string in these modules names,
    and the modules naming them."""
    by_base: dict[str, list[str]] = {}
    for path in files.paths(*DOCUMENT_SUFFIXES):
        by_base.setdefault(posixpath.basename(path), []).append(path)
    found: list[str] = []
    namers: list[Module] = []
    for module in modules:
        for text in _strings(module):
            base = posixpath.basename(text.replace("\\", "/"))
            if not base.endswith(DOCUMENT_SUFFIXES) or base not in by_base:
                continue
            joined = posixpath.normpath(posixpath.join(posixpath.dirname(module.path), text))
            # named exactly beside the module, or else by file name outside tests and examples
            if joined in files.files:
                candidates = [joined]
            else:
                candidates = [p for p in by_base[base] if not is_test_or_example(p)]
            for path in candidates:
                # the head only: an oversized document is still named, then refused with a note
                if path not in found and looks_like_openapi(files.files[path][:4096]):
                    found.append(path)
                    if module not in namers:
                        namers.append(module)
    return found, namers


def _imported_modules(module: Module, modules: list[Module], hops: int) -> list[Module]:
    by_name = {m.name: m for m in modules}
    found: list[Module] = []
    frontier = [module]
    for _ in range(hops):
        following = []
        for current in frontier:
            for name in _imported_names(current):
                target = by_name.get(name)
                if target is not None and target is not module and target not in found:
                    found.append(target)
                    following.append(target)
        frontier = following
    return found


def _imported_names(module: Module) -> set[str]:
    """Dotted names a module imports (`from .a import b` gives `pkg.a` and `pkg.a.b`)."""
    names: set[str] = set()
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    for node in module.imports:
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
            continue
        base = node.module or ""
        if node.level:
            parts = package.split(".") if package else []
            parts = parts[: len(parts) - (node.level - 1)] if node.level > 1 else parts
            base = ".".join([*parts, base] if base else parts)
        if base:
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def _strings(module: Module) -> list[str]:
    return [
        node.value
        for node in ast.walk(module.tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and len(node.value) < 300
    ]


def _fetches(module: Module) -> bool:
    """Whether the module downloads something (an HTTP GET or urlopen)."""
    for node in ast.walk(module.tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "urlopen":
            return True
        if isinstance(func, ast.Attribute) and func.attr in _FETCH_METHODS:
            owner = func.value
            owner_name = owner.id if isinstance(owner, ast.Name) else getattr(owner, "attr", "")
            if owner_name.lower().lstrip("_") in _FETCH_OWNERS:
                first = node.args[0] if node.args else None
                if not (isinstance(first, ast.Constant) and not _url_like(first.value)):
                    return True
    return False


def _edits_paths(module: Module) -> bool:
    """Whether the module rewrites a document's `paths` table (filters, deletes, rebuilds)."""
    if '"paths"' not in module.text and "'paths'" not in module.text:
        return False
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Dict) and any(_is_paths(k) for k in node.keys if k is not None):
            return True
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.Delete)):
            targets = node.targets if isinstance(node, (ast.Assign, ast.Delete)) else [node.target]
            if any(_touches_paths(t) for t in targets):
                return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in _MUTATORS and _touches_paths(node.func.value):
                return True
    return False


_MUTATORS = {"pop", "popitem", "update", "clear", "setdefault"}


def _is_paths(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value == "paths"


def _touches_paths(node: ast.expr) -> bool:
    """`x["paths"]`, `x["paths"][p]`, `x.get("paths")`... anywhere down the chain."""
    for _ in range(10):
        if isinstance(node, ast.Subscript):
            if _is_paths(node.slice):
                return True
            node = node.value
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr == "get" and node.args and _is_paths(node.args[0]):
                return True
            node = node.func.value
        elif isinstance(node, ast.Attribute):
            node = node.value
        else:
            return False
    return False


def _url_like(value: Any) -> bool:
    return isinstance(value, str) and (value.startswith(("http://", "https://", "/")))


# ---------------------------------------------------------------- call settings


def _settings(module: Module, call: ast.Call, version: _Version) -> tuple[Settings, list[str]]:
    problems: list[str] = []
    settings = Settings(
        resources_by_default=version.resources_by_default,
        path_parameter_notes=version.path_parameter_notes,
        raw_operation_ids=version.raw_operation_ids,
        follow_all_of_refs=version.newest is None or version.newest >= (4,),
    )
    keywords = {k.arg: k.value for k in call.keywords if k.arg}
    if any(k.arg is None for k in call.keywords):
        problems.append("arguments passed as **kwargs could not be read; fastmcp defaults used")
    for hook in ("route_map_fn", "mcp_component_fn"):
        if hook in keywords and not _is_none(keywords[hook]):
            problems.append(f"`{hook}` may change which routes become tools or their names")
    if "route_maps" in keywords and not _is_none(keywords["route_maps"]):
        rules, exact = _route_maps(module, keywords["route_maps"])
        settings.rules = rules
        if not exact:
            problems.append(
                "`route_maps` could not all be read (built from configuration); "
                f"{len(rules)} leading rule(s) read, the rest taken as fastmcp's defaults"
            )
    if "mcp_names" in keywords and not _is_none(keywords["mcp_names"]):
        names = _string_dict(module, keywords["mcp_names"])
        if names is None:
            problems.append("`mcp_names` could not be read; names come from operationIds")
        else:
            settings.names = names
    return settings, problems


def _is_none(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _module_value(module: Module, node: ast.expr) -> ast.expr:
    """What a bare name was last bound to before its use: in the function around it,
    else at module level; any other node is returned as it is."""
    if not isinstance(node, ast.Name):
        return node
    function = _enclosing_function(module, node.lineno)
    if function is not None:
        local = _last_binding(ast.walk(function), node.id, node.lineno)
        if local is not None:
            return local
    found = _last_binding(iter(module.tree.body), node.id, node.lineno + 1_000_000)
    return found if found is not None else node


def _last_binding(statements, name: str, before: int) -> ast.expr | None:
    value: ast.expr | None = None
    line = -1
    for statement in statements:
        if not isinstance(statement, (ast.Assign, ast.AnnAssign)) or statement.value is None:
            continue
        if statement.lineno >= before or statement.lineno < line:
            continue
        targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            value, line = statement.value, statement.lineno
    return value


def _enclosing_function(module: Module, line: int) -> ast.AST | None:
    """The innermost function whose lines hold `line`."""
    best: ast.AST | None = None
    for node in ast.walk(module.tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            end = getattr(node, "end_lineno", None) or node.lineno
            if node.lineno <= line <= end and (best is None or node.lineno > best.lineno):
                best = node
    return best


def _route_maps(module: Module, node: ast.expr) -> tuple[list[RouteRule], bool]:
    """The rules written out, and whether they are all of them.

    A list (or a name bound to one) is read whole. A call to one of the module's
    functions gives the `RouteMap`s its body makes unconditionally, up to the
    first one made under an `if` or in a loop: the order decides, so later ones
    cannot be read past it.
    """
    node = _module_value(module, node)
    if isinstance(node, (ast.List, ast.Tuple)):
        rules = [_route_map(module, element) for element in node.elts]
        read = [r for r in rules if r is not None]
        return _leading(rules), len(read) == len(rules)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        function = _module_function(module, node.func.id)
        if function is not None:
            return _function_route_maps(module, function)
    return [], False


def _leading(rules: list[RouteRule | None]) -> list[RouteRule]:
    out = []
    for rule in rules:
        if rule is None:
            break
        out.append(rule)
    return out


def _module_function(module: Module, name: str) -> ast.FunctionDef | None:
    for statement in module.tree.body:
        if isinstance(statement, ast.FunctionDef) and statement.name == name:
            return statement
    return None


def _function_route_maps(module: Module, function: ast.FunctionDef) -> tuple[list[RouteRule], bool]:
    rules: list[RouteRule | None] = []
    for statement in function.body:
        made = [n for n in ast.walk(statement) if isinstance(n, ast.Call) and _is_route_map(n)]
        if not made:
            continue
        straight = isinstance(statement, (ast.Assign, ast.AnnAssign, ast.Expr, ast.Return))
        if not straight:
            return _leading(rules), False
        made.sort(key=lambda n: (n.lineno, n.col_offset))
        rules += [_route_map(module, n) for n in made]
        if isinstance(statement, ast.Return):
            break
    leading = _leading(rules)
    return leading, len(leading) == len(rules) and bool(rules)


def _is_route_map(node: ast.Call) -> bool:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name == "RouteMap"


def _route_map(module: Module, node: ast.expr) -> RouteRule | None:
    if not isinstance(node, ast.Call):
        return None
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    if name != "RouteMap" or node.args:
        return None
    keywords = {k.arg: _module_value(module, k.value) for k in node.keywords if k.arg}
    mcp_type = keywords.get("mcp_type") or keywords.get("route_type")
    if not isinstance(mcp_type, ast.Attribute) or mcp_type.attr not in _MCP_TYPES:
        return None
    methods: list[str] | None = None
    if "methods" in keywords:
        value = keywords["methods"]
        if isinstance(value, ast.Constant) and value.value == "*":
            methods = None
        else:
            listed = _strings_of(value)
            if listed is None:
                return None
            methods = [m.upper() for m in listed]
    pattern = r".*"
    if "pattern" in keywords:
        value = keywords["pattern"]
        if isinstance(value, ast.Call) and value.args:  # re.compile("...")
            value = value.args[0]
        if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
            return None
        pattern = value.value
    tags: set[str] = set()
    if "tags" in keywords:
        listed = _strings_of(keywords["tags"])
        if listed is None:
            return None
        tags = set(listed)
    return RouteRule(methods, pattern, mcp_type.attr, tags)


def _strings_of(node: ast.expr) -> list[str] | None:
    if isinstance(node, ast.Call) and not node.args and not node.keywords:
        return []  # set() / list()
    if not isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return None
    out = []
    for element in node.elts:
        if not (isinstance(element, ast.Constant) and isinstance(element.value, str)):
            return None
        out.append(element.value)
    return out


def _string_dict(module: Module, node: ast.expr) -> dict[str, str] | None:
    node = _module_value(module, node)
    if not isinstance(node, ast.Dict):
        return None
    out: dict[str, str] = {}
    for key, value in zip(node.keys, node.values, strict=False):
        if not (isinstance(key, ast.Constant) and isinstance(key.value, str)):
            return None
        if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
            return None
        out[key.value] = value.value
    return out


# ---------------------------------------------------------------- fastmcp release


@dataclass
class _Version:
    """What the newest fastmcp release the package allows does differently."""

    newest: tuple[int, ...] | None = None  # None: no upper bound, the current release

    @property
    def resources_by_default(self) -> bool:
        return self.newest is not None and self.newest < (2, 8)

    @property
    def raw_operation_ids(self) -> bool:
        return self.newest is not None and self.newest < (2, 5)

    @property
    def describes_parameters_and_responses(self) -> bool:
        return self.newest is not None and self.newest < (2, 14)

    @property
    def path_parameter_notes(self) -> bool:
        return self.newest is not None and (2, 14) <= self.newest < (3,)


def _fastmcp_version(files: PackageFiles) -> _Version:
    for requirement in _requirements(files):
        name = re.split(r"[\s<>=!~;\[(]", requirement, maxsplit=1)[0].lower()
        if name.replace("_", "-") not in ("fastmcp", "fastmcp-slim"):
            continue
        return _Version(_newest_allowed(requirement.split(";", 1)[0]))
    return _Version()


def _newest_allowed(spec: str) -> tuple[int, ...] | None:
    """The highest release a specifier admits, approximately: `<3` gives 2.999."""
    newest: tuple[int, ...] | None = None
    for operator, text in _VERSION.findall(spec):
        parts = tuple(int(p) for p in text.split(".")[:4])
        if operator == "~=" and len(parts) > 1:
            parts = (*parts[:-2], parts[-2] + 1)
            operator = "<"
        if operator == "<":
            parts = _just_below(parts)
        if newest is None or parts < newest:
            newest = parts
    return newest


def _just_below(parts: tuple[int, ...]) -> tuple[int, ...]:
    trimmed = list(parts)
    while len(trimmed) > 1 and trimmed[-1] == 0:
        trimmed.pop()
    if trimmed[-1] == 0:
        return (0,)
    return (*trimmed[:-1], trimmed[-1] - 1, 999)


def _requirements(files: PackageFiles) -> list[str]:
    found: list[str] = []
    for path in files.paths("METADATA", "PKG-INFO"):
        if path.count("/") <= 2:
            for line in (files.text(path) or "").splitlines():
                if line.lower().startswith("requires-dist:"):
                    found.append(line.split(":", 1)[1].strip())
    for path in files.paths("pyproject.toml", "requires.txt", "requirements.txt"):
        if path.count("/") <= 2:
            text = files.text(path) or ""
            pattern = _QUOTED_FASTMCP if path.endswith(".toml") else _LINE_FASTMCP
            found += [m.group(1) for m in pattern.finditer(text)]
    return found
