"""The seam every language extractor implements."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from crawler.files import PackageFiles
from mcp_domain import Completeness, ExtractionResult, FileSkip

# Files above this size are skipped with a recorded reason, never parsed.
DEFAULT_MAX_SOURCE_BYTES = 2 * 1024 * 1024


class Extractor(Protocol):
    """Reads tool definitions of one language out of a package, statically.

    `extract` never raises: a file it cannot read is recorded in
    `ExtractionResult.skipped` and the rest of the package is still read. It
    returns an empty result with no notes when the package has nothing in its
    language (for example a Python extractor on an npm tarball).
    """

    language: str

    def extract(self, package: PackageFiles) -> ExtractionResult: ...


def stopped_extraction(
    language: str, exc: BaseException, skipped: Sequence[FileSkip] = ()
) -> ExtractionResult:
    """The result of an extractor that stopped on an unexpected error.

    Crawled code is hostile, so any bug it trips must end as a recorded skip, not an
    exception. The verdict is `partial`: the package holds code of this language that
    was not read, so a tool list found by another language is not the whole server.
    """
    reason = f"{language} extraction stopped: {type(exc).__name__}: {exc}"[:300]
    return ExtractionResult(
        skipped=[*skipped, FileSkip(file="*", reason=reason)],
        completeness=Completeness.partial,
        notes=[reason],
    )


class GuardedExtractor:
    """An Extractor whose reading (`_read`) may raise on hostile code: `extract` turns
    any such error into a `stopped_extraction` result, so `extract` never raises."""

    language = ""
    # How the language is named in notes ("Go", "JavaScript").
    label = ""

    def __init__(self, max_source_bytes: int = DEFAULT_MAX_SOURCE_BYTES) -> None:
        self.max_source_bytes = max_source_bytes

    def extract(self, package: PackageFiles) -> ExtractionResult:
        try:
            return self._read(package)
        except Exception as exc:
            return stopped_extraction(self.label, exc)

    def _read(self, package: PackageFiles) -> ExtractionResult:
        raise NotImplementedError
