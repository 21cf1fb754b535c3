"""The seam every language extractor implements."""

from __future__ import annotations

from typing import Protocol

from crawler.files import PackageFiles
from mcp_domain import ExtractionResult

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
