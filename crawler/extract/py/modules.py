"""Module names, files and the import graph of one package.

`ModuleIndex` maps dotted module names to files for src/ layouts, flat layouts
and wheels. `Project` parses modules on demand (each at most once, failures
recorded as FileSkips) and walks the imports from the entry modules.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass, field

from crawler.extract.py.framework import fastmcp_rule
from crawler.extract.py.source import SourceRefused, parse_python
from crawler.extract.py.symbols import (
    SymbolTable,
    build_table,
    flat_statements,
    resolve_relative,
)
from crawler.files import PackageFiles
from mcp_domain import FileSkip

_LAYOUT_ROOTS = ("src", "lib", "python")
# Folders that never hold the server itself.
_NOT_SERVER_DIRS = {
    "tests",
    "test",
    "testing",
    "examples",
    "example",
    "docs",
    "doc",
    "benchmarks",
    "scripts",
    "samples",
}


def is_test_or_example(path: str) -> bool:
    parts = path.split("/")
    name = parts[-1]
    if any(part in _NOT_SERVER_DIRS for part in parts[:-1]):
        return True
    return (
        name.startswith("test_")
        or name.endswith("_test.py")
        or name in ("conftest.py", "setup.py", "noxfile.py")
    )


@dataclass
class Module:
    name: str
    path: str
    is_package: bool
    tree: ast.Module
    text: str = ""
    _table: SymbolTable | None = None
    _imports: list[ast.Import | ast.ImportFrom] | None = None

    @property
    def imports(self) -> list[ast.Import | ast.ImportFrom]:
        """Every import statement of the module, function bodies included, in order."""
        if self._imports is None:
            nodes = [
                node
                for node in ast.walk(self.tree)
                if isinstance(node, (ast.Import, ast.ImportFrom))
            ]
            self._imports = sorted(nodes, key=lambda n: (n.lineno, n.col_offset))
        return self._imports

    @property
    def table(self) -> SymbolTable:
        if self._table is None:
            self._table = build_table(self.tree.body, self.name, self.is_package)
        return self._table


class ModuleIndex:
    """Dotted module name -> file path, for the .py files of a package."""

    def __init__(self, paths: list[str]) -> None:
        self.by_name: dict[str, str] = {}
        self.name_of: dict[str, str] = {}
        fallback: dict[str, str] = {}
        for path in sorted(paths, key=lambda p: (p.count("/"), p)):
            parts = path[:-3].split("/")
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if not parts:
                continue
            primary = parts[1:] if parts[0] in _LAYOUT_ROOTS and len(parts) > 1 else parts
            if all(p.isidentifier() for p in primary):
                name = ".".join(primary)
                self.by_name.setdefault(name, path)
                self.name_of.setdefault(path, name)
            if is_test_or_example(path):
                continue
            for start in range(1, len(parts)):
                suffix = parts[start:]
                # a nested `inspect.py` must not stand in for the standard library's
                if suffix[0] in sys.stdlib_module_names:
                    continue
                if all(p.isidentifier() for p in suffix):
                    fallback.setdefault(".".join(suffix), path)
                    self.name_of.setdefault(path, ".".join(suffix))
        for name, path in fallback.items():
            self.by_name.setdefault(name, path)

    def path(self, name: str) -> str | None:
        return self.by_name.get(name)

    def is_package(self, path: str) -> bool:
        return path.endswith("__init__.py")


def import_targets(module: Module, node: ast.Import | ast.ImportFrom) -> list[str]:
    """The dotted names an import statement names (`from a import b`: a and a.b)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = resolve_relative(module.name, module.is_package, node.level, node.module)
    targets = [base]
    for alias in node.names:
        if alias.name != "*":
            targets.append(f"{base}.{alias.name}" if base else alias.name)
    return targets


@dataclass
class Project:
    """The parsed modules of one package, read lazily."""

    files: PackageFiles
    max_bytes: int
    index: ModuleIndex = field(init=False)
    skipped: list[FileSkip] = field(default_factory=list)
    _modules: dict[str, Module | None] = field(default_factory=dict)
    _docstring_rule: str | None = None

    def __post_init__(self) -> None:
        self.index = ModuleIndex(list(self.files.paths(".py")))

    def module(self, name: str) -> Module | None:
        """The module called `name`, parsed; None when absent or unreadable."""
        path = self.index.path(name)
        if path is None:
            return None
        return self.module_at(path)

    def module_at(self, path: str) -> Module | None:
        if path in self._modules:
            return self._modules[path]
        self._modules[path] = None
        try:
            tree, text, imports = parse_python(
                path, self.files.files.get(path, b""), self.max_bytes
            )
        except SourceRefused as exc:
            self.skipped.append(FileSkip(file=path, reason=str(exc)))
            return None
        name = self.index.name_of.get(path, path[:-3].replace("/", "."))
        module = Module(name, path, self.index.is_package(path), tree, text, _imports=imports)
        self._modules[path] = module
        return module

    @property
    def docstring_rule(self) -> str:
        """How the package's standalone `fastmcp` turns docstrings into descriptions."""
        if self._docstring_rule is None:
            self._docstring_rule = fastmcp_rule(self.files)
        return self._docstring_rule

    def has_module(self, name: str) -> bool:
        return self.index.path(name) is not None

    def imported_modules(self, module: Module) -> tuple[list[str], list[str]]:
        """Local modules `module` imports, in source order: (at import time, later).

        Imports in the module body run when it is imported; imports inside
        function bodies run later, when the function is called (`import tools`
        inside `main()`). `import a.b.c` reaches a, a.b and a.b.c;
        `from a.b import c` reaches a, a.b and, when it is a module, a.b.c.
        """
        eager_nodes = {
            id(stmt)
            for stmt in flat_statements(module.tree.body)
            if isinstance(stmt, (ast.Import, ast.ImportFrom))
        }
        eager: list[str] = []
        later: list[str] = []
        for node in module.imports:
            targets = import_targets(module, node)
            found = eager if id(node) in eager_nodes else later
            for target in targets:
                parts = target.split(".")
                for end in range(1, len(parts) + 1):
                    candidate = ".".join(parts[:end])
                    if candidate and self.has_module(candidate):
                        found.append(candidate)
        return eager, later

    def reachable(self, roots: list[str]) -> list[Module]:
        """Modules reachable from `roots`, in the order their bodies would run.

        A module's body-level imports run before the rest of its body, so those
        modules come first; imports inside functions run after it. Iterative:
        import cycles and long chains are safe.
        """
        order: list[Module] = []
        listed: set[str] = set()
        seen: set[str] = set()
        # Stack items: ("visit", name) or ("emit", name)
        stack: list[tuple[str, str]] = [("visit", root) for root in reversed(roots)]
        while stack:
            action, name = stack.pop()
            if action == "emit":
                module = self.module(name)
                if module is not None and module.path not in listed:
                    listed.add(module.path)
                    order.append(module)
                continue
            if name in seen:
                continue
            seen.add(name)
            module = self.module(name)
            eager, later = self.imported_modules(module) if module else ([], [])
            eager = self._with_parents(name) + eager
            # pushed in reverse: eager imports run first, then the body, then later ones
            for child in reversed(later):
                stack.append(("visit", child))
            stack.append(("emit", name))
            for child in reversed(eager):
                stack.append(("visit", child))
        return order

    def _with_parents(self, name: str) -> list[str]:
        """Parent packages run their __init__ before the module itself."""
        parts = name.split(".")
        parents = [".".join(parts[:end]) for end in range(1, len(parts))]
        return [p for p in parents if self.has_module(p)]
