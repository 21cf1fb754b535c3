"""Tool definitions of Go MCP servers, read statically from their source.

Packages reachable from the module's `main` packages through imports inside
the module (module paths from go.mod) are read; tests, vendored code,
testdata and examples never are. Tools come from mark3labs/mcp-go's
`mcp.NewTool` options, from `mcp.Tool{...}` literals, and for the official
go-sdk's `mcp.AddTool` from the handler's input struct. See crawler/extract/go/.
"""

from __future__ import annotations

from crawler.extract.base import GuardedExtractor
from crawler.extract.go.guards import GuardReader
from crawler.extract.go.packages import (
    ImportResolver,
    group_packages,
    is_server_source,
    reachable_packages,
    read_modules,
)
from crawler.extract.go.parsing import GoFile, parse_file
from crawler.extract.go.symbols import Program
from crawler.extract.go.tools import ToolReader, find_sites
from crawler.extract.go.toolsets import Anchor, ToolsetReader, toolset_states
from crawler.files import PackageFiles
from mcp_domain import Completeness, ExtractionResult, FileSkip, ToolDefinition

# Beyond this many Go files the rest are left unread (and said so).
MAX_FILES = 5000
# How many problem lines are kept in the notes before summarising the rest.
MAX_PROBLEM_NOTES = 40


def describe_condition(parts: list[tuple[str, bool | None]]) -> str:
    """`a and b (on by default)`: off when any part is off, unsaid when one is not known."""
    wording = " and ".join(text for text, _ in parts)
    states = [state for _, state in parts]
    if any(state is False for state in states):
        return f"{wording} (off by default)"
    if all(state is True for state in states):
        return f"{wording} (on by default)"
    return wording


class GoExtractor(GuardedExtractor):
    """Implements crawler.extract.base.Extractor for Go modules."""

    language = "go"
    label = "Go"

    def _read(self, package: PackageFiles) -> ExtractionResult:
        return _Run(package, self.max_source_bytes).result()


class _Run:
    def __init__(self, package: PackageFiles, max_bytes: int) -> None:
        self.package = package
        self.max_bytes = max_bytes
        self.skipped: list[FileSkip] = []
        self.notes: list[str] = []

    def result(self) -> ExtractionResult:
        paths = [p for p in self.package.paths(".go") if is_server_source(p)]
        if not paths:
            return ExtractionResult()
        if len(paths) > MAX_FILES:
            self.notes.append(f"read the first {MAX_FILES} of {len(paths)} Go files")
            paths = paths[:MAX_FILES]
        parsed = [f for f in (self._parse(p) for p in paths) if f is not None]
        packages = group_packages(parsed)
        resolver = ImportResolver(read_modules(self.package.files), set(packages))
        program = Program(packages, resolver)
        reachable, mains = reachable_packages(packages, resolver)
        if not mains:
            self.notes.append(
                "no main package (package main with func main); read every non-test package"
            )
            reachable = list(packages.values())
        indexes = [i for i in (program.index(p.folder) for p in reachable) if i is not None]
        reader = ToolReader(program, indexes)
        tools: list[ToolDefinition] = []
        anchors: list[Anchor | None] = []
        lost: list[str] = []
        partial: list[str] = []
        for index in indexes:
            for site in find_sites(index):
                try:
                    found = reader.read(site)
                except RecursionError:
                    lost.append(f"{site.file.path}: nested too deeply to read")
                    continue
                tools.extend(found.tools)
                anchors.extend(found.anchors)
                anchors.extend([None] * (len(found.tools) - len(found.anchors)))
                lost.extend(found.lost)
                partial.extend(found.partial)
        toolsets = ToolsetReader(program, reader.evaluator, indexes, reader.callers)
        guards = GuardReader(reader.evaluator, indexes, reader.callers, toolsets.variable_uses)
        self._set_conditions(tools, anchors, toolsets, guards)
        return self._verdict(tools, lost, partial, len(indexes))

    def _set_conditions(
        self,
        tools: list[ToolDefinition],
        anchors: list[Anchor | None],
        toolsets: ToolsetReader,
        guards: GuardReader,
    ) -> None:
        """Settings a tool depends on (its toolset, guarding flags), and whether it is on."""
        try:
            states = toolset_states(toolsets, anchors)
            for tool, anchor, state in zip(tools, anchors, states, strict=False):
                parts = [state] if state is not None else []
                if anchor is not None:
                    parts.extend((g.text, g.default) for g in guards.guards(anchor))
                if parts and not tool.condition:
                    tool.condition = describe_condition(parts)
        except RecursionError:
            self.notes.append("tool conditions nested too deeply to read; none recorded")

    def _parse(self, path: str) -> GoFile | None:
        outcome = parse_file(path, self.package.files[path], self.max_bytes)
        if outcome.parsed is None:
            self.skipped.append(FileSkip(file=path, reason=outcome.skip_reason or "not parsed"))
            return None
        if outcome.note:
            self.notes.append(f"{path}: {outcome.note}")
        return outcome.parsed

    def _verdict(
        self, tools: list[ToolDefinition], lost: list[str], partial: list[str], read: int
    ) -> ExtractionResult:
        tools = self._unique(tools)
        problems = [f"tool not read: {p}" for p in lost] + [
            f"tool read in part: {p}" for p in partial
        ]
        self.notes.extend(problems[:MAX_PROBLEM_NOTES])
        if len(problems) > MAX_PROBLEM_NOTES:
            self.notes.append(f"... and {len(problems) - MAX_PROBLEM_NOTES} more such problems")
        if lost or (tools and partial):
            completeness = Completeness.partial
        elif tools:
            completeness = Completeness.complete
        else:
            completeness = Completeness.unknown
            self.notes.append(
                f"no MCP tool definition found in {read} reachable Go package(s); tools may be "
                "defined by a dependency or built at run time"
            )
        return ExtractionResult(
            tools=tools, skipped=self.skipped, completeness=completeness, notes=self.notes
        )

    def _unique(self, tools: list[ToolDefinition]) -> list[ToolDefinition]:
        kept: dict[str, ToolDefinition] = {}
        for tool in tools:
            first = kept.get(tool.name)
            if first is None:
                kept[tool.name] = tool
            elif first.definition_hash() != tool.definition_hash():
                where = f"{tool.source.file}:{tool.source.line}" if tool.source else "?"
                if _off_by_default(first) and not _off_by_default(tool):
                    # Variants of one tool behind a setting: the default one is what is listed.
                    kept[tool.name] = tool
                    self.notes.append(
                        f"tool {tool.name!r} has a variant off by default; kept the one at {where}"
                    )
                    continue
                self.notes.append(
                    f"tool {tool.name!r} is defined again at {where} differently; kept the first"
                )
        return list(kept.values())


def _off_by_default(tool: ToolDefinition) -> bool:
    return bool(tool.condition) and tool.condition.endswith("(off by default)")
