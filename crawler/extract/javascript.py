"""Tool definitions of JavaScript/TypeScript MCP servers, read statically from npm packages.

Only files reachable from package.json's entry points (`bin`, `main`,
`module`, `exports`) through relative imports are read, so tests, examples
and vendored code do not leak tools into the result. See crawler/extract/js/
for the pieces: manifest, module graph, evaluator, zod model, patterns.
"""

from __future__ import annotations

import re
from collections import deque

from crawler.extract.base import GuardedExtractor
from crawler.extract.js.evaluate import Evaluator
from crawler.extract.js.frameworks import (
    MCP_FRAMEWORK,
    XMCP,
    frameworks_of,
    read_class_tools,
    read_xmcp_tool,
    tool_folder_files,
)
from crawler.extract.js.manifest import (
    FALLBACK_ENTRIES,
    MANIFEST,
    entry_specifiers,
    read_manifest,
)
from crawler.extract.js.modules import Module, build_module
from crawler.extract.js.openapi import read_openapi_tools
from crawler.extract.js.options import collect_option_defaults
from crawler.extract.js.parsing import SOURCE_SUFFIXES, parse_file
from crawler.extract.js.registrations import Found, read_registrations
from crawler.extract.js.resolve import resolve_entry
from crawler.extract.js.sourcemaps import recover_sources
from crawler.files import PackageFiles
from mcp_domain import Completeness, ExtractionResult, FileSkip, ToolDefinition

# Beyond this many reachable files the rest are left unread (and said so).
MAX_MODULES = 3000
# `require("x")`, `from "x"`, `import("x")` of a package (not a relative path).
_BARE_IMPORT = re.compile(
    rb"""(?:require\(|from\s*|import\()\s*["']([@A-Za-z0-9][^"'\s]{0,200})["']"""
)
_SCAN_BYTES = 4 * 1024 * 1024
# Dependencies every server uses that never define its tools.
_PLUMBING = frozenset(
    {"@modelcontextprotocol/sdk", "zod", "dotenv", "express", "yargs", "commander", "axios"}
)
_NOT_SERVER_PARTS = frozenset(
    {"node_modules", "test", "tests", "__tests__", "spec", "example", "examples", "fixtures"}
)


class JavaScriptExtractor(GuardedExtractor):
    """Implements crawler.extract.base.Extractor for npm packages."""

    language = "javascript"
    label = "JavaScript"

    def _read(self, package: PackageFiles) -> ExtractionResult:
        return _Run(package, self.max_source_bytes).result()


class _Run:
    def __init__(self, package: PackageFiles, max_bytes: int) -> None:
        self.package = package
        self.max_bytes = max_bytes
        self.modules: dict[str, Module] = {}
        self.skipped: list[FileSkip] = []
        self.notes: list[str] = []
        self.frameworks: set[str] = set()
        self.tool_files: list[str] = []

    def result(self) -> ExtractionResult:
        files = self.package.files
        has_manifest = MANIFEST in files
        sources = [p for p in self.package.paths() if p.endswith(SOURCE_SUFFIXES)]
        if not has_manifest and not sources:
            return ExtractionResult()
        entries = self._with_original_sources(self._entries(has_manifest, sources))
        self.tool_files = tool_folder_files(files, self.frameworks)
        self._read_reachable(entries + [p for p in self.tool_files if p not in entries])
        evaluator = Evaluator(self.modules)
        evaluator.use_option_defaults(collect_option_defaults(evaluator))
        found = Found()
        for module in self.modules.values():
            part = read_registrations(module, evaluator)
            found.tools.extend(part.tools)
            found.problems.extend(part.problems)
            found.notes.extend(part.notes)
            found.sites += part.sites
        found.tools.extend(self._folder_tools(evaluator))
        generated = read_openapi_tools(
            self.package.files, {p: m.parsed.source for p, m in self.modules.items()}
        )
        found.tools.extend(generated.tools)
        found.notes.extend(generated.notes)
        if evaluator.env_reads:
            names = ", ".join(sorted(evaluator.env_reads)[:10])
            self.notes.append(f"read as in the default configuration, environment unset: {names}")
        return self._verdict(found, entries)

    def _entries(self, has_manifest: bool, sources: list[str]) -> list[str]:
        files = self.package.files
        manifest = read_manifest(self.package) if has_manifest else None
        self.frameworks = frameworks_of(manifest)
        if has_manifest and manifest is None:
            self.notes.append("package.json is not a readable JSON object")
        entries: list[str] = []
        for spec in entry_specifiers(manifest or {}):
            path = resolve_entry(spec, files)
            if path is None:
                self.notes.append(f"entry point {spec} named in package.json is not in the package")
            elif path not in entries:
                entries.append(path)
        if not entries:
            entries = [p for p in FALLBACK_ENTRIES if p in files]
        if not entries and manifest is None:
            # A bare folder of code: read every file that is not a test or an example.
            entries = [p for p in sources if _looks_like_server_code(p)]
        return entries

    def _with_original_sources(self, entries: list[str]) -> list[str]:
        """Entries, each bundle that ships a source map replaced by the sources it embeds."""
        out: list[str] = []
        added: dict[str, bytes] = {}
        for entry in entries:
            recovered = recover_sources(entry, self.package.files)
            self.notes.extend(recovered.notes)
            originals = [
                p
                for p in recovered.files
                if p.endswith(SOURCE_SUFFIXES) and _looks_like_server_code(p)
            ]
            if not originals:
                out.append(entry)
                continue
            added.update(recovered.files)
            out.extend(p for p in originals if p not in out)
        if added:
            self.package = PackageFiles(files={**self.package.files, **added})
        return out

    def _folder_tools(self, evaluator: Evaluator) -> list[ToolDefinition]:
        """Tools of frameworks that load every file of a `tools/` folder."""
        tools: list[ToolDefinition] = []
        for path in self.tool_files:
            module = self.modules.get(path)
            if module is None:
                continue
            try:
                if MCP_FRAMEWORK in self.frameworks:
                    tools.extend(read_class_tools(module, evaluator))
                if XMCP in self.frameworks:
                    tool = read_xmcp_tool(module, evaluator)
                    if tool is not None:
                        tools.append(tool)
            except RecursionError:
                self.skipped.append(FileSkip(file=path, reason="nested too deeply to read"))
        if tools:
            self.notes.append(
                f"{len(tools)} tool(s) read from the {', '.join(sorted(self.frameworks))} "
                "tools folder"
            )
        return tools

    def _read_reachable(self, entries: list[str]) -> None:
        queue = deque(entries)
        seen = set(entries)
        while queue:
            path = queue.popleft()
            if len(self.modules) >= MAX_MODULES:
                self.notes.append(f"stopped after {MAX_MODULES} files; the rest were not read")
                return
            module = self._read(path)
            if module is None:
                continue
            self.modules[path] = module
            for dependency in module.dependencies:
                if dependency not in seen:
                    seen.add(dependency)
                    queue.append(dependency)

    def _read(self, path: str) -> Module | None:
        outcome = parse_file(path, self.package.files[path], self.max_bytes)
        if outcome.parsed is None:
            self.skipped.append(FileSkip(file=path, reason=outcome.skip_reason or "not parsed"))
            return None
        if outcome.note:
            self.notes.append(f"{path}: {outcome.note}")
        try:
            return build_module(outcome.parsed, self.package.files)
        except RecursionError:
            self.skipped.append(FileSkip(file=path, reason="nested too deeply to read"))
            return None

    def _verdict(self, found: Found, entries: list[str]) -> ExtractionResult:
        tools = self._unique(found.tools)
        notes = list(self.notes)
        registration_problems = [p for p in found.problems if p.kind == "registration"]
        list_problems = [p for p in found.problems if p.kind == "list"]
        by_calls = any(t.pattern != "js.list_handler" for t in tools)
        for problem in registration_problems:
            notes.append(problem.message)
        for problem in list_problems:
            if by_calls:
                # A framework (FastMCP, a bundled SDK) serves tools/list from the tools
                # registered by calls, which were all read.
                notes.append(problem.message + "; tools were read from their registration calls")
            else:
                notes.append(problem.message)
        notes.extend(found.notes)
        conditional = [t.name for t in tools if t.condition]
        if conditional:
            shown = ", ".join(conditional[:10]) + (", ..." if len(conditional) > 10 else "")
            notes.append(
                f"{len(conditional)} of {len(tools)} tools are registered under a run-time "
                f"condition (each carries it; the default configuration may leave them out): "
                f"{shown}"
            )
            off = [
                t.name for t in tools if t.condition and t.condition.endswith("(off by default)")
            ]
            if off:
                notes.append(
                    f"{len(off)} of {len(tools)} tools are off in the default configuration: "
                    + ", ".join(off[:10])
                    + (", ..." if len(off) > 10 else "")
                )
        if registration_problems or (list_problems and not by_calls):
            completeness = Completeness.partial
        elif tools:
            completeness = Completeness.complete
        else:
            completeness = Completeness.unknown
            if not entries:
                notes.append("no entry point: package.json names none and no index file exists")
            elif not self.modules:
                notes.append("no entry file could be read")
            elif owners := self._delegates_to():
                shown = "; ".join(f"{dep} (imported by {', '.join(by[:3])})" for dep, by in owners)
                notes.append(
                    "no tool registration found in this package; its tools are defined at run "
                    f"time by a dependency it does not contain: {shown}"
                )
            else:
                notes.append(
                    f"no tool registration found in {len(self.modules)} reachable file(s) "
                    f"from {', '.join(entries[:5])}; tools may be defined by a dependency "
                    "or built at run time"
                )
        return ExtractionResult(
            tools=tools, skipped=self.skipped, completeness=completeness, notes=notes
        )

    def _delegates_to(self) -> list[tuple[str, list[str]]]:
        """Dependencies (from package.json) the reachable code imports, besides plumbing."""
        manifest = read_manifest(self.package) or {}
        declared: set[str] = set()
        for key in ("dependencies", "peerDependencies", "optionalDependencies"):
            if isinstance(manifest.get(key), dict):
                declared.update(manifest[key])
        found: dict[str, list[str]] = {}
        for path, module in self.modules.items():
            for match in _BARE_IMPORT.finditer(module.parsed.source[:_SCAN_BYTES]):
                spec = match.group(1).decode("utf-8", "replace")
                parts = spec.split("/")
                name = "/".join(parts[:2]) if spec.startswith("@") else parts[0]
                if name in declared and name not in _PLUMBING and path not in found.get(name, []):
                    found.setdefault(name, []).append(path)
        return sorted(found.items())

    def _unique(self, tools: list[ToolDefinition]) -> list[ToolDefinition]:
        kept: dict[str, ToolDefinition] = {}
        for tool in tools:
            first = kept.get(tool.name)
            if first is None:
                kept[tool.name] = tool
            elif _off_by_default(first) and not _off_by_default(tool):
                # Registered twice (say, once per SDK version): the default one is served.
                kept[tool.name] = tool
            elif first.definition_hash() != tool.definition_hash():
                where = f"{tool.source.file}:{tool.source.line}" if tool.source else "?"
                self.notes.append(
                    f"tool {tool.name!r} is defined again at {where} differently; kept the first"
                )
        return list(kept.values())


def _off_by_default(tool: ToolDefinition) -> bool:
    return bool(tool.condition and tool.condition.endswith("(off by default)"))


def _looks_like_server_code(path: str) -> bool:
    parts = path.split("/")
    if _NOT_SERVER_PARTS & set(parts[:-1]) or path.endswith(".d.ts"):
        return False
    name = parts[-1]
    return ".test." not in name and ".spec." not in name
