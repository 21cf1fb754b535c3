"""Run every language extractor over a package and merge what they find."""

from __future__ import annotations

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from crawler.archive import EXECUTABLE_NOTE, executable_kind
from crawler.extract.base import DEFAULT_MAX_SOURCE_BYTES, Extractor, stopped_extraction
from crawler.extract.gobinary.extract import read_executables
from crawler.extract.golang import GoExtractor
from crawler.extract.javascript import JavaScriptExtractor
from crawler.extract.manifests import manifest_tools, server_metadata
from crawler.extract.python import PythonExtractor
from crawler.files import PackageFiles
from mcp_domain import Completeness, ExtractionResult, FileSkip

NO_TOOLS_IN_CODE = "no MCP tool definitions were found in the package's code"


# The extractors are imported with this module, not on first use: worker processes
# forked after importing it (a crawler's pool, the benchmark's) then share the loaded
# code instead of each loading it again.
def default_extractors(max_source_bytes: int = DEFAULT_MAX_SOURCE_BYTES) -> list[Extractor]:
    return [
        PythonExtractor(max_source_bytes=max_source_bytes),
        JavaScriptExtractor(max_source_bytes=max_source_bytes),
        GoExtractor(max_source_bytes=max_source_bytes),
    ]


# Extraction allocates many objects that stay alive until it ends (syntax trees, their
# nodes, evaluated values). With the interpreter's default of a young-generation
# collection every 700 allocations, the collector spent about a quarter of the run
# rescanning them. Extraction makes no reference cycles of its own (what it allocates
# is freed as soon as it is dropped), so a collection only pays off once garbage in
# cycles could have piled up: the count is of objects allocated and not yet freed,
# and no package of the evaluation set reaches this many (the largest, about 200 Python
# modules, about 360,000), which caps what cycles could hold at about 100 MB.
_YOUNG_COLLECTION_EVERY = 500_000


@contextmanager
def _fewer_collections() -> Iterator[None]:
    young, middle, old = gc.get_threshold()
    if young:  # 0 means automatic collection is off: leave that as it is
        gc.set_threshold(max(young, _YOUNG_COLLECTION_EVERY), middle, old)
    try:
        yield
    finally:
        gc.set_threshold(young, middle, old)


def extract_package(
    package: PackageFiles, extractors: Sequence[Extractor] | None = None
) -> ExtractionResult:
    """All tools of a package, first definition of a name winning, with one verdict."""
    with _fewer_collections():
        return _extract_package(package, extractors)


def _extract_package(
    package: PackageFiles, extractors: Sequence[Extractor] | None
) -> ExtractionResult:
    results: list[ExtractionResult] = []
    for extractor in extractors if extractors is not None else default_extractors():
        try:
            results.append(extractor.extract(package))
        except Exception as exc:  # an extractor bug must not lose the other languages
            results.append(stopped_extraction(extractor.language, exc))
    merged = merge_results(results, package.skipped)
    if not merged.tools:
        hinted = manifest_tools(package)
        if hinted.tools:
            merged.tools = hinted.tools
            merged.notes = hinted.notes + merged.notes
    if not merged.tools:
        # Source beats binary: a compiled program is read only when nothing else defined tools.
        try:
            compiled = read_executables(package)
        except Exception as exc:  # a reader bug must not lose the package's other results
            compiled = stopped_extraction("compiled executable", exc)
            merged.skipped.extend(compiled.skipped)
        if compiled.tools:
            merged.tools = compiled.tools
            merged.completeness = compiled.completeness
            merged.notes = compiled.notes + [n for n in merged.notes if n != NO_TOOLS_IN_CODE]
        else:
            merged.notes = _executable_notes(package) + compiled.notes + merged.notes
    merged.metadata = server_metadata(package)
    return merged


def _executable_notes(package: PackageFiles) -> list[str]:
    """Why a package that ships a compiled program shows no tools: its definitions were
    compiled into it, and neither the binary reader nor the source could give them."""
    programs = [s.file for s in package.skipped if EXECUTABLE_NOTE in s.reason]
    programs += [path for path, data in package.files.items() if executable_kind(data[:4])]
    if not programs:
        return []
    shown = ", ".join(sorted(programs)[:3]) + (", ..." if len(programs) > 3 else "")
    return [
        f"the server ships as a compiled executable ({shown}): no tool definition could be "
        "read out of it and its source is not in this package, so its tools are unknown"
    ]


def merge_results(
    results: Sequence[ExtractionResult], unpack_skips: list[FileSkip]
) -> ExtractionResult:
    merged = ExtractionResult(skipped=list(unpack_skips))
    seen: set[str] = set()
    for result in results:
        for tool in result.tools:
            if tool.name not in seen:
                seen.add(tool.name)
                merged.tools.append(tool)
        merged.skipped.extend(result.skipped)
        merged.notes.extend(result.notes)
    merged.completeness = _verdict(results)
    if not merged.tools and not merged.notes:
        merged.notes.append(NO_TOOLS_IN_CODE)
    return merged


def _verdict(results: Sequence[ExtractionResult]) -> Completeness:
    with_tools = [r for r in results if r.tools]
    if not with_tools:
        return Completeness.unknown
    if any(r.completeness is not Completeness.complete for r in with_tools):
        return Completeness.partial
    # A language that knows it missed tools (one it could not read, or a stopped
    # extractor) leaves the others' list short of the whole server.
    if any(r.completeness is Completeness.partial for r in results):
        return Completeness.partial
    return Completeness.complete
