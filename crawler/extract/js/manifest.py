"""What package.json says: identity for the crawler, entry points for the extractor."""

from __future__ import annotations

import json
from typing import Any

from crawler.files import PackageFiles

MANIFEST = "package.json"
# Where a package without entry fields usually keeps its server.
FALLBACK_ENTRIES = ("index.js", "dist/index.js", "build/index.js")
_MAX_MANIFEST_BYTES = 1024 * 1024
# Export conditions that never point at code run by node.
_SKIPPED_CONDITIONS = frozenset({"types", "typings", "browser", "react-native", "deno"})


def read_manifest(package: PackageFiles) -> dict[str, Any] | None:
    """package.json as a dict; None when it is absent or not a JSON object."""
    data = package.files.get(MANIFEST)
    if data is None or len(data) > _MAX_MANIFEST_BYTES:
        return None
    try:
        value = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def package_metadata(package: PackageFiles) -> dict[str, str]:
    """package.json's name, version and mcpName (the official registry's server name).

    Keys whose values are missing or not strings are left out; {} when there is
    no readable package.json.
    """
    manifest = read_manifest(package)
    if manifest is None:
        return {}
    return {
        k: manifest[k] for k in ("name", "version", "mcpName") if isinstance(manifest.get(k), str)
    }


def entry_specifiers(manifest: dict[str, Any]) -> list[str]:
    """Paths named by `bin`, `main`, `module` and `exports`, normalised, in that order."""
    found: list[str] = []
    bin_field = manifest.get("bin")
    if isinstance(bin_field, str):
        found.append(bin_field)
    elif isinstance(bin_field, dict):
        found.extend(v for v in bin_field.values() if isinstance(v, str))
    for key in ("main", "module"):
        if isinstance(manifest.get(key), str):
            found.append(manifest[key])
    found.extend(_export_targets(manifest.get("exports"), depth=0))
    out: list[str] = []
    for spec in found:
        path = _normalise(spec)
        if path and path not in out:
            out.append(path)
    return out


def _export_targets(value: Any, depth: int) -> list[str]:
    if depth > 8:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for v in value for t in _export_targets(v, depth + 1)]
    if isinstance(value, dict):
        out = []
        for key, sub in value.items():
            if key in _SKIPPED_CONDITIONS or key.endswith("package.json"):
                continue
            out.extend(_export_targets(sub, depth + 1))
        return out
    return []


def _normalise(spec: str) -> str:
    path = spec.strip().replace("\\", "/")
    while path.startswith("./"):
        path = path[2:]
    path = path.lstrip("/")
    if not path or "*" in path or ".." in path.split("/") or path.endswith(".json"):
        return ""
    if path.endswith(".d.ts"):
        return ""
    return path
