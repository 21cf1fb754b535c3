"""The unpacked contents of one package, held in memory."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from mcp_domain import FileSkip


@dataclass
class PackageFiles:
    """Files of a package by path relative to the package root.

    Paths use forward slashes and never start with "/" or contain "..". The
    archive's single top folder ("package/" in npm tarballs, "name-1.0/" in
    sdists) is already stripped. `skipped` records files that were left out
    while unpacking (too large, unsafe path, ...).
    """

    files: dict[str, bytes] = field(default_factory=dict)
    skipped: list[FileSkip] = field(default_factory=list)

    def paths(self, *suffixes: str) -> Iterator[str]:
        """Paths in sorted order, optionally only those ending in one of `suffixes`."""
        for path in sorted(self.files):
            if not suffixes or path.endswith(suffixes):
                yield path

    def text(self, path: str) -> str | None:
        """The file decoded as UTF-8, or None when it is missing or not UTF-8 text."""
        data = self.files.get(path)
        if data is None or b"\x00" in data[:8192]:
            return None
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return None
