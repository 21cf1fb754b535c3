from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.registry import FakeRegistry, Published, npm_tarball, sdist, serve


def standard_registry() -> FakeRegistry:
    registry = FakeRegistry()
    registry.add_pypi(
        "weather-mcp", "1.0.0", Published(*sdist("weather_mcp", "weather-mcp", "1.0.0"))
    )
    registry.add_pypi(
        "notes-server", "2.1.0", Published(*sdist("notes_server", "notes-server", "2.1.0"))
    )
    registry.add_pypi(
        "broken-source-mcp",
        "1.0.0",
        Published(*sdist("broken_source", "broken-source-mcp", "1.0.0")),
    )
    registry.add_npm(
        "@fixture/files-mcp",
        "0.3.0",
        Published(*npm_tarball("files_mcp", "@fixture/files-mcp", "0.3.0")),
    )
    good_name, good = sdist("weather_mcp", "corrupt-mcp", "1.0.0")
    registry.add_pypi(
        "corrupt-mcp", "1.0.0", Published(good_name, b"this is not a tar archive at all")
    )
    name, data = sdist("weather_mcp", "truncated-mcp", "1.0.0")
    registry.add_pypi("truncated-mcp", "1.0.0", Published(name, data[: len(data) // 2]))
    name, data = sdist("weather_mcp", "tampered-mcp", "1.0.0")
    registry.add_pypi("tampered-mcp", "1.0.0", Published(name, data, sha256="0" * 64))
    return registry


@pytest.fixture
def registry() -> Iterator[FakeRegistry]:
    fake = standard_registry()
    server, _thread = serve(fake)
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture
def catalogue_env(registry: FakeRegistry, tmp_path, monkeypatch) -> FakeRegistry:
    """Point the CLI at the fake registries and a fresh database."""
    monkeypatch.setenv("CATALOGUE_PYPI_URL", registry.base_url)
    monkeypatch.setenv("CATALOGUE_NPM_URL", registry.base_url)
    monkeypatch.setenv("CATALOGUE_DB", str(tmp_path / "catalogue.db"))
    monkeypatch.chdir(tmp_path)
    return registry


@dataclass
class CliResult:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def cli(capsys, monkeypatch):
    """Run `catalogue ARGS...` in this process, as the console script would."""
    from catalogue.cli import main

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["catalogue", *args])
        monkeypatch.setenv("COLUMNS", "200")
        try:
            main()
            code = 0
        except SystemExit as done:
            code = int(done.code or 0)
        out = capsys.readouterr()
        return CliResult(code, out.out, out.err)

    return run
