"""Tools of a package whose server ships as a compiled Go executable.

Called only when the package's readable source (and manifests) gave no tool:
source beats binary, and the two are never both counted. Executables are
tried in the order most likely to be read (ELF, then Mach-O, then PE); the
first that yields tools gives the package's tools, since the others are the
same program built for other platforms.
"""

from __future__ import annotations

import re

from crawler.archive import EXECUTABLE_NOTE, READABLE_ARCH, executable_kind
from crawler.extract.go.structs import object_schema
from crawler.extract.gobinary.reader import BinaryReport, Found, read_binary
from crawler.files import PackageFiles
from mcp_domain import Completeness, ExtractionResult, SourceLocation, ToolDefinition

CONTAINER_PREFERENCE = ("ELF", "Mach-O", "Windows PE")
# Executables read per package at most (each has its own step and time budget).
MAX_EXECUTABLES = 2
MAX_PROBLEM_NOTES = 5


def read_executables(package: PackageFiles) -> ExtractionResult:
    """Tools read out of the package's executables (partial at best), or notes saying why
    none were."""
    candidates = _candidates(package)
    notes: list[str] = []
    for path in candidates[:MAX_EXECUTABLES]:
        report = read_binary(package.files[path])
        if report.found:
            return _result(path, report)
        reason = _why_none(report)
        if reason:
            notes.append(f"{path}: {reason}")
    if len(candidates) > MAX_EXECUTABLES:
        notes.append(f"{len(candidates) - MAX_EXECUTABLES} more executables were not read")
    notes += _left_out(package)
    return ExtractionResult(notes=notes)


# How the unpacker describes an executable it did not keep: "... (ELF, arm64))".
_SKIPPED_EXECUTABLE = re.compile(re.escape(EXECUTABLE_NOTE) + r" \([^,)]+(?:, (\w+))?\)")


def _left_out(package: PackageFiles) -> list[str]:
    """Why executables the unpacker did not keep were not read."""
    notes = []
    for skip in package.skipped:
        match = _SKIPPED_EXECUTABLE.search(skip.reason)
        if match is None:
            continue
        arch = match.group(1)
        if arch and arch != READABLE_ARCH:
            notes.append(f"{skip.file}: {arch} code is not read yet (only {READABLE_ARCH})")
        else:
            notes.append(f"{skip.file}: not read ({skip.reason})")
    return notes


def _candidates(package: PackageFiles) -> list[str]:
    kinds = {}
    for path, data in package.files.items():
        kind = executable_kind(data[:4])
        if kind in CONTAINER_PREFERENCE:
            kinds[path] = kind
    return sorted(kinds, key=lambda p: (CONTAINER_PREFERENCE.index(kinds[p]), p))


def _why_none(report: BinaryReport) -> str:
    build = report.build
    what = "a Go program" if report.go else f"a compiled {report.container} file".replace("  ", " ")
    if build is not None and build.built_from():
        what += f" built from {build.built_from()}"
    if report.skip:
        return f"{what}; {report.skip}"
    if report.go:
        return f"{what}; no MCP tool definition was recognised in its code"
    return ""


def _result(path: str, report: BinaryReport) -> ExtractionResult:
    build = report.build
    tools: list[ToolDefinition] = []
    seen: set[str] = set()
    for found in report.found:
        name = found.draft.name
        if not isinstance(name, str) or name in seen:
            continue
        seen.add(name)
        tools.append(_tool(path, found))
    program = "a Go program"
    if build is not None and build.built_from():
        program += f" built from {build.built_from()}"
    if build is not None and build.go_version:
        program += f" with {build.go_version}"
    notes = [
        f"tools read from the compiled executable {path}, {program}: a binary is read without "
        "its source, so tools built at run time can be missed and every tool compiled in is "
        "listed, whatever the configuration enables"
    ]
    unread = sum(1 for f in report.found if not f.draft.schema_read)
    if unread:
        notes.append(
            f"the input properties of {unread} tools may be incomplete: their schemas are "
            "built at run time or by options the reader does not know"
        )
    notes += report.notes
    notes += report.problems[:MAX_PROBLEM_NOTES]
    return ExtractionResult(tools=tools, completeness=Completeness.partial, notes=notes)


def _tool(path: str, found: Found) -> ToolDefinition:
    draft = found.draft
    schema = object_schema(dict(draft.properties), list(draft.required), closed=False)
    description = draft.description if isinstance(draft.description, str) else ""
    offset = draft.site - found.entry
    return ToolDefinition(
        name=str(draft.name),
        description=description,
        input_schema=schema,
        annotations=dict(draft.annotations),
        source=SourceLocation(
            file=path, line=0, symbol=f"{found.function}+{offset:#x} ({draft.site:#x})"
        ),
        pattern=draft.pattern,
        condition=found.condition,
    )
