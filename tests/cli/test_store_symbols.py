"""Where a tool was read in a compiled file is stored, also in a database made before the
column existed."""

from __future__ import annotations

import sqlite3

from catalogue.db import store
from catalogue.db.schema import Release, Server
from mcp_domain import Category, ExtractionResult, Label, Risk, SourceLocation, ToolDefinition

SYMBOL = "example.test/srv.init+0x2c (0x401a2c)"


def _extraction() -> ExtractionResult:
    tool = ToolDefinition(
        name="get_forecast",
        description="Weather forecast for a city.",
        source=SourceLocation(
            file="bin/srv", line=0, symbol="example.test/srv.init+0x2c (0x401a2c)"
        ),
        pattern="go-binary-register-args",
    )
    return ExtractionResult(tools=[tool])


def _label() -> Label:
    return Label(category=Category.Read, risk=Risk.low, confidence=0.9, rationale="reads")


def _store(path) -> list[ToolDefinition]:
    factory = store.open_database(str(path))
    with factory() as session, session.begin():
        server = Server(source="pypi", name="srv")
        release = Release(server=server, version="1.2.3")
        session.add(release)
        store.store_tools(session, release, _extraction(), [_label()], "test")
    with factory() as session:
        release = session.query(Release).one()
        return [store.tool_definition(row) for row in release.tools]


def test_the_symbol_of_a_binary_tool_round_trips(tmp_path):
    [tool] = _store(tmp_path / "catalogue.db")
    assert tool.source == SourceLocation(file="bin/srv", line=0, symbol=SYMBOL)


def test_an_older_database_gets_the_new_column(tmp_path):
    path = tmp_path / "old.db"
    store.open_database(str(path))
    with sqlite3.connect(path) as connection:
        connection.execute("ALTER TABLE tools DROP COLUMN source_symbol")
        columns = {row[1] for row in connection.execute("PRAGMA table_info(tools)")}
    assert "source_symbol" not in columns
    [tool] = _store(path)
    assert tool.source is not None and tool.source.symbol.startswith("example.test/srv.init")
