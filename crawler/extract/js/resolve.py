"""Turn import specifiers and entry paths into files of the package, as node would."""

from __future__ import annotations

import posixpath
from collections.abc import Container

from crawler.extract.js.parsing import SOURCE_SUFFIXES

_JS_TO_TS = {".js": (".ts", ".tsx"), ".mjs": (".mts",), ".cjs": (".cts",), ".jsx": (".tsx",)}
_TRY_SUFFIXES = (".js", ".mjs", ".cjs", ".ts", ".tsx", ".mts", ".cts", ".jsx")
# Folders whose code a server never ships as its own, even when something imports it.
_IGNORED_PARTS = frozenset({"node_modules"})
# Build output folders, and where TypeScript sources usually sit beside them.
_BUILD_DIRS = ("dist", "build", "lib", "out")


def is_relative(spec: str) -> bool:
    return spec.startswith("./") or spec.startswith("../") or spec in (".", "..")


def resolve_import(importer: str, spec: str, files: Container[str]) -> str | None:
    """The package file a relative `spec` imported from `importer` names, if any."""
    if not is_relative(spec):
        return _resolve_bundled(importer, spec, files)
    spec = spec.split("?", 1)[0]
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))
    if joined.startswith("..") or joined.startswith("/"):
        return None
    return resolve_path(joined, files)


def resolve_path(path: str, files: Container[str]) -> str | None:
    """`path` itself, its TypeScript twin, `path` + suffix, or `path/index` + suffix."""
    if path in ("", "."):
        candidates = [f"index{s}" for s in _TRY_SUFFIXES]
    else:
        candidates = [path]
        stem, suffix = posixpath.splitext(path)
        candidates.extend(stem + ts for ts in _JS_TO_TS.get(suffix, ()))
        candidates.extend(path + s for s in _TRY_SUFFIXES)
        candidates.extend(f"{path}/index{s}" for s in _TRY_SUFFIXES)
    for candidate in candidates:
        if candidate in files and _usable(candidate):
            return candidate
    return None


def resolve_entry(path: str, files: Container[str]) -> str | None:
    """An entry path from package.json; falls back to TS sources when the build is absent.

    A package published from source (or a repository checkout) may name
    `dist/index.js` while only `src/index.ts` is present.
    """
    if path in files and posixpath.splitext(path)[1] in ("", *SOURCE_SUFFIXES):
        # A `bin` script may be a suffix-less file with a shebang.
        if not path.endswith(".d.ts") and not (_IGNORED_PARTS & set(path.split("/"))):
            return path
    found = resolve_path(path, files)
    if found is not None:
        return found
    head, _, rest = path.partition("/")
    if head in _BUILD_DIRS and rest:
        return resolve_path("src/" + rest, files)
    return None


def _usable(path: str) -> bool:
    if not path.endswith(SOURCE_SUFFIXES) or path.endswith(".d.ts"):
        return False
    return not (_IGNORED_PARTS & set(path.split("/")))


def _resolve_bundled(importer: str, spec: str, files: Container[str]) -> str | None:
    """A package import inside sources recovered from a bundle's source map.

    The bundler inlined workspace packages, so their sources sit in folders beside the
    importer's: `@scope/core/server` is `<recovered root>/core/dist/server.js` (or under
    src/, lib/, build/, or the folder itself). Anything else stays a package import.
    """
    root = _recovered_root(importer)
    if root is None or spec.startswith("/"):
        return None
    parts = [p for p in spec.split("?", 1)[0].split("/") if p]
    if spec.startswith("@"):
        parts = parts[1:]
    if not parts or any(p in ("..", ".") for p in parts):
        return None
    name, rest = parts[0], "/".join(parts[1:])
    for base in ("", *(f"{d}/" for d in (*_BUILD_DIRS, "src"))):
        candidate = f"{root}/{name}/{base}{rest}".rstrip("/")
        found = resolve_path(candidate, files)
        if found is not None:
            return found
    return None


def _recovered_root(importer: str) -> str | None:
    """`__sourcemap__/<bundle>` for a file recovered from `<bundle>`'s source map."""
    from crawler.extract.js.sourcemaps import PREFIX

    parts = importer.split("/")
    if len(parts) < 3 or parts[0] != PREFIX:
        return None
    for index in range(1, len(parts) - 1):
        if parts[index].endswith((".js", ".cjs", ".mjs")):
            return "/".join(parts[: index + 1])
    return None
