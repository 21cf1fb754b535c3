"""`catalogue scan PATH`: extract and label one local package, no network, no database."""

from __future__ import annotations

from pathlib import Path

import classifier
from catalogue.errors import CatalogueError, UsageError
from catalogue.output import console, print_json, safe_text, tool_json
from catalogue.tables import labels_table
from crawler.archive import (
    DEFAULT_MAX_EXECUTABLE_BYTES,
    ArchiveError,
    ArchiveLimits,
    open_package,
)
from crawler.extract.package import default_extractors, extract_package


def run_scan(
    path: Path,
    as_json: bool,
    max_source_bytes: int,
    max_executable_bytes: int = DEFAULT_MAX_EXECUTABLE_BYTES,
) -> None:
    if not path.exists():
        raise UsageError(f"{path}: no such file or directory")
    try:
        package = open_package(path, ArchiveLimits(max_executable_bytes=max_executable_bytes))
    except ArchiveError as exc:
        raise CatalogueError(f"{path.name}: {exc}") from None
    result = extract_package(package, default_extractors(max_source_bytes))
    labels = classifier.classify_many(result.tools)
    if as_json:
        print_json(
            {
                "tools": [tool_json(t, lb) for t, lb in zip(result.tools, labels, strict=True)],
                "completeness": result.completeness.value,
                "notes": result.notes,
                "skipped": [s.model_dump() for s in result.skipped],
            }
        )
        return
    title = f"{path.name}: {len(result.tools)} tools ({result.completeness.value})"
    console.print(labels_table(zip(result.tools, labels, strict=True), title=title))
    for note in result.notes:
        console.print(f"note: {safe_text(note)}", markup=False)
    for skip in result.skipped:
        console.print(f"skipped {safe_text(skip.file)}: {safe_text(skip.reason)}", markup=False)
