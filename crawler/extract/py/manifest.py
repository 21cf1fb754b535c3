"""Entry points and name/version of a Python package, read from its manifests.

Sources, in order: pyproject.toml ([project.scripts], [project.gui-scripts],
[project.entry-points.*], [tool.poetry.scripts]), setup.cfg
([options.entry_points]), and a wheel's `*.dist-info/entry_points.txt`.
Wheel METADATA and sdist PKG-INFO give the name and version when the
pyproject does not.
"""

from __future__ import annotations

import configparser
import re
import tomllib
from dataclasses import dataclass
from email.parser import HeaderParser
from typing import Any

from crawler.files import PackageFiles

_ENTRY_VALUE = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(?::\s*([A-Za-z_][\w.]*))?")


@dataclass(frozen=True)
class EntryPoint:
    group: str  # "console_scripts", "gui_scripts" or a plugin group
    name: str
    module: str
    attr: str | None
    origin: str  # the manifest file it came from


def parse_entry_value(value: str) -> tuple[str, str | None] | None:
    """Split "pkg.mod:func [extra]" into ("pkg.mod", "func")."""
    if not isinstance(value, str):
        return None
    match = _ENTRY_VALUE.match(value)
    if not match:
        return None
    return match.group(1), match.group(2)


def _toml(package: PackageFiles, path: str) -> dict[str, Any]:
    text = package.text(path)
    if text is None:
        return {}
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError, RecursionError):
        return {}
    return data if isinstance(data, dict) else {}


def _table(data: Any, *keys: str) -> dict[str, Any]:
    for key in keys:
        if not isinstance(data, dict):
            return {}
        data = data.get(key)
    return data if isinstance(data, dict) else {}


def _add(found: list[EntryPoint], group: str, table: dict[str, Any], origin: str) -> None:
    for name, value in table.items():
        if isinstance(value, dict):  # poetry's {reference = "...", type = "console"}
            value = value.get("reference") or value.get("callable")
        parsed = parse_entry_value(value) if isinstance(value, str) else None
        if parsed:
            found.append(EntryPoint(group, str(name), parsed[0], parsed[1], origin))


def _from_pyproject(package: PackageFiles, path: str) -> list[EntryPoint]:
    data = _toml(package, path)
    found: list[EntryPoint] = []
    project = _table(data, "project")
    _add(found, "console_scripts", _table(project, "scripts"), path)
    _add(found, "gui_scripts", _table(project, "gui-scripts"), path)
    for group, table in _table(project, "entry-points").items():
        if isinstance(table, dict):
            _add(found, str(group), table, path)
    _add(found, "console_scripts", _table(data, "tool", "poetry", "scripts"), path)
    return found


def _from_ini(package: PackageFiles, path: str, section_prefix: str) -> list[EntryPoint]:
    """setup.cfg's [options.entry_points] or a wheel's entry_points.txt."""
    text = package.text(path)
    if text is None:
        return []
    parser = configparser.RawConfigParser(delimiters=("=",), strict=False)
    parser.optionxform = str  # keep script names as written
    try:
        parser.read_string(text)
    except (configparser.Error, ValueError):
        return []
    found: list[EntryPoint] = []
    for section in parser.sections():
        if section_prefix:
            if section != section_prefix:
                continue
            for group, body in parser.items(section):
                for line in body.splitlines():
                    name, _, value = line.partition("=")
                    parsed = parse_entry_value(value)
                    if name.strip() and parsed:
                        found.append(EntryPoint(group, name.strip(), *parsed, path))
        else:
            for name, value in parser.items(section):
                parsed = parse_entry_value(value)
                if parsed:
                    found.append(EntryPoint(section, name, *parsed, path))
    return found


def _shallowest(package: PackageFiles, filename: str) -> list[str]:
    """Paths named `filename`, shallowest first (the package's own, not a vendored one)."""
    paths = [p for p in package.paths() if p == filename or p.endswith("/" + filename)]
    return sorted(paths, key=lambda p: (p.count("/"), p))


def find_entry_points(package: PackageFiles) -> list[EntryPoint]:
    """Every entry point the package's manifests declare, in manifest order."""
    found: list[EntryPoint] = []
    for path in _shallowest(package, "pyproject.toml")[:1]:
        found += _from_pyproject(package, path)
    for path in _shallowest(package, "setup.cfg")[:1]:
        found += _from_ini(package, path, "options.entry_points")
    for path in package.paths("entry_points.txt"):
        if ".dist-info/" in path or ".egg-info/" in path:
            found += _from_ini(package, path, "")
    unique: list[EntryPoint] = []
    seen: set[tuple[str, str | None]] = set()
    for entry in found:
        if (entry.module, entry.attr) not in seen:
            seen.add((entry.module, entry.attr))
            unique.append(entry)
    return unique


def _core_metadata(package: PackageFiles) -> dict[str, str]:
    candidates = [p for p in package.paths("METADATA") if ".dist-info/" in p]
    candidates += _shallowest(package, "PKG-INFO")
    for path in candidates:
        text = package.text(path)
        if text:
            headers = HeaderParser().parsestr(text, headersonly=True)
            return {"name": headers.get("Name", ""), "version": headers.get("Version", "")}
    return {}


def python_package_metadata(package: PackageFiles) -> dict:
    """Name, version and declared entry points of a Python package.

    Returns {"name": str | None, "version": str | None, "entry_points":
    [{"group", "name", "module", "attr", "origin"}, ...]}. Never raises.
    """
    try:
        return _metadata(package)
    except Exception:  # a hostile manifest must not stop the crawl
        return {"name": None, "version": None, "entry_points": []}


def _metadata(package: PackageFiles) -> dict:
    name = version = None
    for path in _shallowest(package, "pyproject.toml")[:1]:
        data = _toml(package, path)
        project = _table(data, "project")
        poetry = _table(data, "tool", "poetry")
        name = project.get("name") or poetry.get("name")
        version = project.get("version") or poetry.get("version")
    core = _core_metadata(package)
    name = name if isinstance(name, str) and name else core.get("name") or None
    version = version if isinstance(version, str) and version else core.get("version") or None
    entries = [
        {
            "group": e.group,
            "name": e.name,
            "module": e.module,
            "attr": e.attr,
            "origin": e.origin,
        }
        for e in find_entry_points(package)
    ]
    return {"name": name, "version": version, "entry_points": entries}
