"""Original sources recovered from a bundle's source map (`sourcesContent`).

A minified or oversized bundle reads badly, but when the package ships
`<bundle>.map` with the sources embedded, the code the author wrote can be read
instead. Sources from node_modules (the SDK, zod and other libraries the
bundler pulled in) are left out: their objects are never the server's tools.
"""

from __future__ import annotations

import json
import posixpath
from dataclasses import dataclass, field

PREFIX = "__sourcemap__"
_MAX_MAP_BYTES = 64 * 1024 * 1024
_MAX_SOURCES = 5000
_SCHEMES = ("webpack://", "webpack:///", "file://", "ng://")


@dataclass
class Recovered:
    files: dict[str, bytes] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def recover_sources(bundle: str, files: dict[str, bytes]) -> Recovered:
    """The package's own sources embedded in `bundle`.map, under a virtual folder."""
    out = Recovered()
    data = files.get(bundle + ".map")
    if data is None or len(data) > _MAX_MAP_BYTES:
        return out
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        out.notes.append(f"{bundle}.map is not readable JSON")
        return out
    if not isinstance(document, dict):
        return out
    sources = document.get("sources")
    contents = document.get("sourcesContent")
    if not isinstance(sources, list) or not isinstance(contents, list):
        return out
    root = f"{PREFIX}/{bundle}"
    for source, content in list(zip(sources, contents, strict=False))[:_MAX_SOURCES]:
        if not isinstance(source, str) or not isinstance(content, str):
            continue
        path = _normalise(source)
        if path is None:
            continue
        out.files[f"{root}/{path}"] = content.encode("utf-8", "replace")
    if out.files:
        out.notes.append(
            f"{bundle}: read {len(out.files)} original source file(s) from its source map"
        )
    return out


def _normalise(source: str) -> str | None:
    for scheme in _SCHEMES:
        if source.startswith(scheme):
            source = source[len(scheme) :]
    parts = [p for p in source.replace("\\", "/").split("/") if p not in ("", ".")]
    while parts and parts[0] == "..":
        parts.pop(0)
    if not parts or "node_modules" in parts or ".." in parts:
        return None
    path = posixpath.join(*parts)
    return path if "\x00" not in path else None
