"""Reading an OpenAPI (or Swagger) document shipped inside a package, safely.

Servers in several languages turn a bundled OpenAPI document into tools when
they start. Whatever generator they use, reading the document is the same job:
parse JSON or YAML within size, depth and node limits, follow local `$ref`s
without looping, and walk the operations in document order. Crawled documents
are hostile, so every function here returns a problem text instead of raising.

YAML is read with PyYAML's safe loader (a declared dependency); should it be
missing, a YAML document is reported as unread, never guessed at.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mcp_domain import nests_deeper_than

MAX_SPEC_BYTES = 8 * 1024 * 1024
MAX_OPERATIONS = 2000
MAX_DEPTH = 40
# Plain nodes copied out of a parsed YAML document: YAML aliases can make a
# small file stand for an exponentially large tree ("billion laughs").
MAX_NODES = 1_000_000
MAX_REF_HOPS = 20
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
DOCUMENT_SUFFIXES = (".json", ".yaml", ".yml")

_YAML_KEY = re.compile(rb"^\s*[\"']?(openapi|swagger)[\"']?\s*:", re.MULTILINE)


@dataclass
class LoadedDocument:
    """A parsed document (None when unusable) and why it is unusable."""

    spec: dict[str, Any] | None = None
    problem: str | None = None

    @property
    def version(self) -> str:
        if self.spec is None:
            return ""
        value = self.spec.get("openapi") or self.spec.get("swagger") or ""
        return str(value)


@dataclass
class Operation:
    path: str
    method: str  # lower case, as in the document
    operation: dict[str, Any]
    path_parameters: list[Any] = field(default_factory=list)  # the path item's own


def looks_like_openapi(data: bytes) -> bool:
    """Whether a file's head declares an OpenAPI or Swagger version (JSON or YAML)."""
    if len(data) > MAX_SPEC_BYTES:
        return False
    head = data[:4096]
    if b'"openapi"' in head or b'"swagger"' in head:
        return True
    return bool(_YAML_KEY.search(head))


def load_document(data: bytes, name: str) -> LoadedDocument:
    """Parse `data` (a file called `name`) as an OpenAPI document with a `paths` table."""
    if len(data) > MAX_SPEC_BYTES:
        return LoadedDocument(problem=f"{name}: {len(data)} bytes, over the reading limit")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return LoadedDocument(problem=f"{name}: not UTF-8 text")
    is_json = name.endswith(".json") or text.lstrip()[:1] in ("{", "[")
    if is_json:
        try:
            value: Any = json.loads(text)
        except (ValueError, RecursionError) as exc:
            return LoadedDocument(problem=f"{name}: not valid JSON ({type(exc).__name__})")
    else:
        value, problem = _load_yaml(text, name)
        if problem:
            return LoadedDocument(problem=problem)
    if not isinstance(value, dict) or not isinstance(value.get("paths"), dict):
        return LoadedDocument(problem=f"{name}: no `paths` table, not an OpenAPI document")
    if nests_deeper_than(value, MAX_DEPTH * 4):
        return LoadedDocument(problem=f"{name}: nested deeper than {MAX_DEPTH * 4} levels")
    return LoadedDocument(spec=value)


def _load_yaml(text: str, name: str) -> tuple[Any, str | None]:
    try:
        import yaml
    except ImportError:
        return None, f"{name}: a YAML document, and PyYAML is not installed to read it"
    loader = getattr(yaml, "CSafeLoader", None) or yaml.SafeLoader
    try:
        parsed = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        return None, f"{name}: not valid YAML ({type(exc).__name__})"
    budget = [MAX_NODES]
    plain = _plain(parsed, budget, 0)
    if budget[0] < 0:
        return None, f"{name}: expands past {MAX_NODES} nodes or {MAX_DEPTH * 4} levels"
    return plain, None


def _plain(value: Any, budget: list[int], depth: int) -> Any:
    """A copy with JSON types only; aliased subtrees are copied, and so counted."""
    budget[0] -= 1
    if depth > MAX_DEPTH * 4:
        budget[0] = -1
    if budget[0] < 0:
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v, budget, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, budget, depth + 1) for v in value]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return str(value)  # dates and other YAML scalars arrive as text


class Resolver:
    """Local `$ref` lookup ("#/components/schemas/X") with loop protection."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec

    def lookup(self, ref: Any) -> Any:
        """The node a local reference points at, or None."""
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return None
        node: Any = self.spec
        for raw in ref[2:].split("/")[:MAX_DEPTH]:
            part = raw.replace("~1", "/").replace("~0", "~")
            if isinstance(node, dict):
                node = node.get(part)
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node

    def deref(self, value: Any) -> Any:
        """`value` with a chain of top-level `$ref`s followed; None on a loop or dead end."""
        seen: set[str] = set()
        for _ in range(MAX_REF_HOPS):
            if not isinstance(value, dict) or "$ref" not in value:
                return value
            ref = value["$ref"]
            if not isinstance(ref, str) or ref in seen:
                return None
            seen.add(ref)
            value = self.lookup(ref)
        return None


def operations(spec: dict[str, Any], limit: int = MAX_OPERATIONS) -> Iterator[Operation]:
    """Operations in document order (methods in the order generators visit them)."""
    resolver = Resolver(spec)
    count = 0
    for path, item in spec.get("paths", {}).items():
        item = resolver.deref(item)
        if not isinstance(item, dict):
            continue
        shared = item.get("parameters")
        shared = shared if isinstance(shared, list) else []
        for method in HTTP_METHODS:
            operation = item.get(method)
            if not isinstance(operation, dict):
                continue
            if count >= limit:
                return
            count += 1
            yield Operation(str(path), method, operation, shared)


def count_operations(spec: dict[str, Any]) -> int:
    total = 0
    for item in spec.get("paths", {}).values():
        if isinstance(item, dict):
            total += sum(1 for m in HTTP_METHODS if isinstance(item.get(m), dict))
    return total
