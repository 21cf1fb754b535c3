"""The Python extractor: tools of an MCP server package, read statically.

Only modules reachable from the package's entry points count (console
scripts, plugin entry points, `__main__.py` of top-level packages); within
them it finds FastMCP-style decorators and low-level `list_tools` handlers.
Nothing is imported or run: the source is parsed with `ast` and a small
evaluator resolves names, constants and tool lists across modules.
"""

from __future__ import annotations

from crawler.extract.base import DEFAULT_MAX_SOURCE_BYTES, stopped_extraction
from crawler.extract.py.callers import Callers
from crawler.extract.py.decorators import find_decorated_tools
from crawler.extract.py.defaults import either_configuration
from crawler.extract.py.evaluator import Evaluator
from crawler.extract.py.lowlevel import (
    PATTERN_OVERRIDE,
    find_lowlevel_tools,
    install_model_schemas,
)
from crawler.extract.py.manifest import find_entry_points
from crawler.extract.py.modules import Module, Project, is_test_or_example
from crawler.extract.py.openapi_calls import find_openapi_tools
from crawler.extract.py.runtime import runtime_signs
from crawler.extract.py.symbols import join_conditions
from crawler.extract.py.walk import Findings, find_mounts, imports_mcp
from crawler.files import PackageFiles
from mcp_domain import Completeness, ExtractionResult, ToolDefinition

__all__ = ["PythonExtractor"]


class PythonExtractor:
    """Implements crawler.extract.base.Extractor for Python packages."""

    language = "python"

    def __init__(self, max_source_bytes: int = DEFAULT_MAX_SOURCE_BYTES) -> None:
        self.max_source_bytes = max_source_bytes

    def extract(self, package: PackageFiles) -> ExtractionResult:
        if not any(True for _ in package.paths(".py")):
            return ExtractionResult()
        project: Project | None = None
        try:
            project = Project(package, self.max_source_bytes)
            return self._extract(project)
        except Exception as exc:  # RecursionError included
            return stopped_extraction("Python", exc, project.skipped if project else ())

    def _extract(self, project: Project) -> ExtractionResult:
        notes: list[str] = []
        roots = self._roots(project, notes)
        modules = project.reachable(roots)
        evaluator = Evaluator(project)
        try:
            return self._read(project, modules, evaluator, notes)
        finally:
            evaluator.release()

    def _read(
        self, project: Project, modules: list[Module], evaluator: Evaluator, notes: list[str]
    ) -> ExtractionResult:
        install_model_schemas(evaluator)
        findings = Findings(callers=Callers(evaluator, modules))
        findings.conditions.callers = findings.callers
        findings.conditions.read_callers(evaluator, modules)
        for module in modules:
            find_mounts(evaluator, module, findings)
        tools: list[ToolDefinition] = []
        seen: dict[tuple[str, bool], int] = {}
        for module in modules:
            found = Findings(
                unresolved=findings.unresolved,
                prefixes=findings.prefixes,
                conditions=findings.conditions,
                helper_bodies=findings.helper_bodies,
                callers=findings.callers,
            )
            find_decorated_tools(evaluator, module, found)
            find_lowlevel_tools(evaluator, module, found)
            for _, tool in sorted(found.tools, key=lambda pair: pair[0]):
                if tool.source and found.in_helper(tool.source.file, tool.source.line):
                    continue  # the helper's own body, read without its arguments
                imported_if = findings.conditions.of_module(project, module)
                if imported_if:
                    condition = join_conditions((imported_if, tool.condition))
                    tool = tool.model_copy(update={"condition": condition})
                key = (tool.name, tool.pattern == PATTERN_OVERRIDE)
                if key not in seen:
                    seen[key] = len(tools)
                    tools.append(tool)
                else:  # the same name in another configuration (another server module)
                    tools[seen[key]] = either_configuration(tools[seen[key]], tool)
        tools = _apply_overrides(tools)
        notes += [note for note in findings.unresolved if not _in_helper(findings, note)]
        from_documents = find_openapi_tools(project.files, modules)
        names = {t.name for t in tools}
        tools += [t for t in from_documents.tools if t.name not in names]
        notes += from_documents.notes
        handled = frozenset(from_documents.handled)
        run_time = [note for module in modules for note in runtime_signs(module, handled)]
        notes += run_time
        # tools made when the server starts: told of by a note either way
        explained = bool(run_time or from_documents.notes)
        conditional = [t for t in tools if t.condition]
        if conditional:
            notes.append(
                f"{len(conditional)} of {len(tools)} tools depend on configuration"
                " (see each tool's condition); all are listed"
            )
        if tools:
            unsure = findings.unresolved or run_time or from_documents.unsure
            completeness = Completeness.partial if unsure else Completeness.complete
        else:
            completeness = Completeness.unknown
            if not explained and any(imports_mcp(m) for m in modules):
                notes.append("imports the MCP SDK but no tool registration was found statically")
            elif not explained:
                notes.append("no MCP server import found in the modules reached")
        return ExtractionResult(
            tools=tools,
            skipped=list(project.skipped),
            completeness=completeness,
            notes=notes,
        )

    def _roots(self, project: Project, notes: list[str]) -> list[str]:
        roots: list[str] = []
        for entry in find_entry_points(project.files):
            if project.has_module(entry.module):
                if entry.module not in roots:
                    roots.append(entry.module)
            else:
                notes.append(
                    f"entry point {entry.name} = {entry.module}"
                    f"{':' + entry.attr if entry.attr else ''} is not in the package"
                )
        for name in sorted(project.index.by_name):
            parts = name.split(".")
            if len(parts) == 2 and parts[1] == "__main__" and name not in roots:
                path = project.index.path(name) or ""
                if not is_test_or_example(path):
                    roots.append(name)
        if roots:
            return roots
        fallback = [
            name
            for name, path in sorted(project.index.by_name.items())
            if not is_test_or_example(path) and project.index.name_of.get(path) == name
        ]
        notes.append(
            f"no entry points found; read all {len(fallback)} modules outside tests and examples"
        )
        return fallback


def _apply_overrides(tools: list[ToolDefinition]) -> list[ToolDefinition]:
    """A server class's own `list_tools` serves its text for tools registered by decorator.

    The decorated tool keeps its place and its signature's schema unless the
    override's schema was read; tools only the override lists are added.
    """
    overrides = {t.name: t for t in tools if t.pattern == PATTERN_OVERRIDE}
    if not overrides:
        return tools
    merged: list[ToolDefinition] = []
    for tool in tools:
        if tool.pattern == PATTERN_OVERRIDE:
            continue
        override = overrides.pop(tool.name, None)
        if override is not None:
            update: dict = {"description": override.description or tool.description}
            if override.input_schema.get("properties"):
                update["input_schema"] = override.input_schema
            tool = tool.model_copy(update=update)
        merged.append(tool)
    return merged + list(overrides.values())


def _in_helper(findings: Findings, note: str) -> bool:
    """Whether an unresolved-note points into a helper that was read with its arguments."""
    file, _, rest = note.partition(":")
    line = rest.split(":", 1)[0]
    return line.isdigit() and findings.in_helper(file, int(line))
