"""Which docstring rule a package's standalone `fastmcp` follows, from its declared
dependency.

An installer picks the newest release the requirement allows, so the rule
follows the highest major version allowed: below 3 the whole docstring is
served, 3.x splits off documented parameters, 4.x and later any section (see
docstrings.py). Requirements are read from pyproject.toml (PEP 621 and Poetry)
and from the core metadata (Requires-Dist).
"""

from __future__ import annotations

import re
import tomllib
from email.parser import HeaderParser
from typing import Any

from crawler.extract.py.docstrings import FASTMCP3, FASTMCP4, FULL
from crawler.files import PackageFiles

# The newest major release line of the standalone package this rule set knows.
NEWEST_MAJOR = 4
_NAME = re.compile(r"^\s*fastmcp(?:\s*\[[^\]]*\])?\s*(?P<spec>[^;]*)", re.IGNORECASE)
_CLAUSE = re.compile(r"(?P<op>===|==|~=|!=|<=|>=|<|>|\^|~)?\s*v?(?P<version>\d+(?:\.[\w*]+)*)")


def fastmcp_rule(package: PackageFiles) -> str:
    """The docstring rule of the `fastmcp` release this package would run with."""
    try:
        specs = _requirements(package)
    except Exception:  # a hostile manifest must not stop extraction
        specs = []
    if not specs:
        return FASTMCP4 if NEWEST_MAJOR >= 4 else FASTMCP3
    major = min(_highest_major(spec) for spec in specs)
    if major >= 4:
        return FASTMCP4
    return FASTMCP3 if major == 3 else FULL


def _highest_major(spec: str) -> int:
    """The highest major version a requirement such as `>=2.3,<3` allows."""
    highest = NEWEST_MAJOR
    for clause in spec.split(","):
        match = _CLAUSE.search(clause.strip())
        if not match:
            continue
        op = match.group("op") or "=="
        parts = match.group("version").split(".")
        major = int(parts[0])
        rest_zero = all(p in ("0", "*") for p in parts[1:])
        if op in ("==", "===", "~=", "^") or (op == "~" and len(parts) > 1):
            highest = min(highest, major)  # ~=3.2, ^3.2 and ~3.2 stay within 3.x
        elif op == "<":
            highest = min(highest, major - 1 if rest_zero else major)
        elif op == "<=":
            highest = min(highest, major)
    return highest


def _requirements(package: PackageFiles) -> list[str]:
    """The version specifiers declared for `fastmcp`, from the shallowest manifests."""
    found: list[str] = []
    for path in sorted(package.paths("pyproject.toml"), key=lambda p: p.count("/"))[:1]:
        data = _toml(package.text(path) or "")
        project = data.get("project") if isinstance(data.get("project"), dict) else {}
        for line in project.get("dependencies") or []:
            if isinstance(line, str):
                found += _spec(line)
        tool = data.get("tool") if isinstance(data.get("tool"), dict) else {}
        poetry = tool.get("poetry", {})
        deps = poetry.get("dependencies") if isinstance(poetry, dict) else None
        if isinstance(deps, dict):
            value = deps.get("fastmcp")
            if isinstance(value, dict):
                value = value.get("version")
            if isinstance(value, str):
                found.append(value)
    if found:
        return found
    metadata = [p for p in package.paths("METADATA") if ".dist-info/" in p]
    metadata += sorted(package.paths("PKG-INFO"), key=lambda p: p.count("/"))[:1]
    for path in metadata[:1]:
        headers = HeaderParser().parsestr(package.text(path) or "", headersonly=True)
        for line in headers.get_all("Requires-Dist") or []:
            if "extra ==" not in line:
                found += _spec(line)
    return found


def _spec(requirement: str) -> list[str]:
    match = _NAME.match(requirement)
    if not match or not re.match(r"^\s*fastmcp\b(?![-_.\w])", requirement, re.IGNORECASE):
        return []
    return [match.group("spec").strip().strip("()")]


def _toml(text: str) -> dict[str, Any]:
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}
