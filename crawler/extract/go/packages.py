"""Go packages of a module tree, and which of them a `main` package reaches by imports."""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

from crawler.extract.go.parsing import GoFile

_MODULE_LINE = re.compile(rb"^\s*module\s+\"?([^\s\"/]+(?:/[^\s\"]+)*)\"?\s*$", re.MULTILINE)
# Folders whose code is never part of the server a user would run.
SKIPPED_FOLDERS = frozenset({"vendor", "testdata", "examples", "example", "_examples"})


def is_server_source(path: str) -> bool:
    """A .go file that could be compiled into the server (not a test, vendored code, example)."""
    if not path.endswith(".go") or path.endswith("_test.go"):
        return False
    parts = path.split("/")
    name = parts[-1]
    if name.startswith((".", "_")):
        return False  # the go tool ignores these
    return not any(part in SKIPPED_FOLDERS or part.startswith((".", "_")) for part in parts[:-1])


def read_modules(files: dict[str, bytes]) -> dict[str, str]:
    """Module path -> folder holding its go.mod ("" for the package root)."""
    modules: dict[str, str] = {}
    for path, data in files.items():
        if path != "go.mod" and not path.endswith("/go.mod"):
            continue
        if not is_server_source(path[: -len("go.mod")] + "x.go"):
            continue
        match = _MODULE_LINE.search(data[:65536])
        if match:
            module = match.group(1).decode("utf-8", errors="replace")
            modules.setdefault(module, path[: -len("go.mod")].rstrip("/"))
    return modules


@dataclass
class GoPackage:
    folder: str
    name: str
    files: list[GoFile] = field(default_factory=list)

    @property
    def is_main(self) -> bool:
        return self.name == "main" and any(f.has_main_func for f in self.files)


def group_packages(files: list[GoFile]) -> dict[str, GoPackage]:
    """Files grouped by folder; a folder's package is named by its most common clause."""
    by_folder: dict[str, list[GoFile]] = {}
    for go_file in files:
        by_folder.setdefault(go_file.folder, []).append(go_file)
    packages: dict[str, GoPackage] = {}
    for folder, members in sorted(by_folder.items()):
        names = [f.package for f in members if f.package]
        name = max(sorted(set(names)), key=names.count) if names else ""
        # Files declaring another package (build-tagged tools, `package foo_test`) are left out.
        packages[folder] = GoPackage(folder, name, [f for f in members if f.package == name])
    return packages


class ImportResolver:
    """Maps import paths to package folders inside this package's own modules."""

    def __init__(self, modules: dict[str, str], folders: set[str]) -> None:
        # Longest module path first, so nested modules win over their parent.
        self.modules = sorted(modules.items(), key=lambda item: -len(item[0]))
        self.folders = folders

    def folder_of(self, import_path: str) -> str | None:
        for module, root in self.modules:
            if import_path == module or import_path.startswith(module + "/"):
                rest = import_path[len(module) :].strip("/")
                folder = "/".join(p for p in (root, rest) if p)
                return folder if folder in self.folders else None
        if not self.modules:
            return self._by_suffix(import_path)
        return None

    def _by_suffix(self, import_path: str) -> str | None:
        # Without go.mod, a folder whose path ends the import path is the best guess.
        matches = [
            f for f in self.folders if f and (import_path == f or import_path.endswith("/" + f))
        ]
        return max(matches, key=len) if matches else None


def reachable_packages(
    packages: dict[str, GoPackage], resolver: ImportResolver
) -> tuple[list[GoPackage], list[GoPackage]]:
    """(packages reachable from main packages, the main packages themselves)."""
    mains = [p for p in packages.values() if p.is_main]
    seen = {p.folder for p in mains}
    queue = deque(mains)
    order: list[GoPackage] = []
    while queue:
        package = queue.popleft()
        order.append(package)
        for go_file in package.files:
            for import_path in go_file.import_paths:
                folder = resolver.folder_of(import_path)
                if folder is not None and folder not in seen and folder in packages:
                    seen.add(folder)
                    queue.append(packages[folder])
    return order, mains
