"""Reading a fixture folder byte for byte, exactly as it is on disk.

Unlike crawler.archive.open_package, nothing is left out (node_modules, vendor/):
extractor tests need those files present to prove they are ignored.
"""

from __future__ import annotations

from pathlib import Path

from crawler.files import PackageFiles

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture_loader(language: str):
    """A `load(name)` for the fixture packages under tests/fixtures/<language>/."""

    def load(name: str) -> PackageFiles:
        root = FIXTURES / language / name
        files = {
            path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob("*"))
            if path.is_file()
        }
        return PackageFiles(files=files)

    return load
