"""JavaScriptExtractor on small, real-shaped npm packages (tests/fixtures/js)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.extract.javascript import JavaScriptExtractor
from mcp_domain import Completeness
from tests.extract.fixture_files import fixture_loader

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "js"


load = fixture_loader("js")


def by_name(result):
    return {tool.name: tool for tool in result.tools}


# -- (a) ESM tsc output: registerTool, zod, imported constants ---------------


@pytest.fixture(scope="module")
def esm():
    return JavaScriptExtractor().extract(load("esm_register"))


def test_esm_finds_exactly_the_served_tools_in_order(esm):
    assert [t.name for t in esm.tools] == [
        "search_notes",
        "create_note",
        "delete_note",
        "list_notes",
    ]
    assert esm.completeness is Completeness.complete
    assert esm.skipped == []


def test_esm_tools_outside_the_entry_graph_are_not_reported(esm):
    # examples/demo.js, test/index.test.js and node_modules/ all register tools.
    names = {t.name for t in esm.tools}
    assert names.isdisjoint({"example_only", "test_only", "vendored_tool"})


def test_esm_name_and_description_from_imported_constants(esm):
    tool = by_name(esm)["search_notes"]
    assert tool.description == "Search notes by a word. Matches titles and bodies."
    assert tool.pattern == "js.registerTool"
    assert tool.source.file == "dist/index.js"
    assert tool.source.line == 9


def test_esm_raw_shape_becomes_object_schema(esm):
    schema = by_name(esm)["search_notes"].input_schema
    assert schema == {
        "type": "object",
        "properties": {
            "query": {"type": "string", "description": "Word to look for"},
            "limit": {"type": "integer", "maximum": 50, "description": "At most 50 results"},
            "sort": {"type": "string", "enum": ["newest", "oldest"], "default": "newest"},
        },
        "required": ["query"],
    }


def test_esm_annotations_and_config_title(esm):
    assert by_name(esm)["search_notes"].annotations == {
        "readOnlyHint": True,
        "openWorldHint": False,
        "title": "Search Notes",
    }
    # An annotations title wins over nothing; no config title here.
    assert by_name(esm)["delete_note"].annotations == {
        "title": "Delete Note",
        "destructiveHint": True,
    }


def test_esm_shape_of_a_named_schema_in_a_namespace_import(esm):
    tool = by_name(esm)["create_note"]
    assert tool.description == "Create a note in the notes folder."
    assert tool.input_schema["required"] == ["title", "body"]
    assert tool.input_schema["properties"]["title"] == {
        "type": "string",
        "minLength": 1,
        "description": "Title of the note",
    }
    assert tool.input_schema["properties"]["tags"] == {
        "type": "array",
        "items": {"type": "string"},
        "description": "Tags to file it under",
    }
    assert tool.source.line == 19


def test_esm_zod_object_as_input_schema(esm):
    tool = by_name(esm)["delete_note"]
    assert tool.input_schema == {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "force": {"type": "boolean", "default": False},
        },
        "required": ["id"],
    }


def test_esm_tool_without_input_schema_gets_an_empty_object(esm):
    tool = by_name(esm)["list_notes"]
    assert tool.input_schema == {"type": "object", "properties": {}}
    assert tool.annotations == {}
    assert tool.source.line == 30


# -- (b) CommonJS tsc output: server.tool overloads with x_1. prefixes -------


@pytest.fixture(scope="module")
def cjs():
    return JavaScriptExtractor().extract(load("cjs_tool"))


def test_cjs_every_overload_is_found(cjs):
    assert [t.name for t in cjs.tools] == [
        "ping",
        "list_stations",
        "get_station",
        "get_forecast",
        "get_alerts",
        "clear_cache",
        "set_home",
    ]
    assert all(t.pattern == "js.server.tool" for t in cjs.tools)
    assert cjs.completeness is Completeness.complete


@pytest.mark.parametrize(
    ("name", "description", "properties", "required", "annotations", "line"),
    [
        ("ping", "", [], None, {}, 14),
        ("list_stations", "List weather stations", [], None, {}, 16),
        ("get_station", "", ["id"], ["id"], {}, 18),
        (
            "get_forecast",
            "Get the weather forecast for a place. Days beyond seven are not available.",
            ["latitude", "longitude", "units"],
            ["latitude", "longitude"],
            {},
            20,
        ),
        (
            "get_alerts",
            "Get active weather alerts for a US state",
            ["state"],
            ["state"],
            {"readOnlyHint": True, "openWorldHint": True},
            26,
        ),
        (
            "clear_cache",
            "Forget cached forecasts",
            [],
            None,
            {"destructiveHint": True, "idempotentHint": True},
            30,
        ),
        ("set_home", "", ["place"], ["place"], {"title": "Set Home"}, 32),
    ],
)
def test_cjs_overload(cjs, name, description, properties, required, annotations, line):
    tool = by_name(cjs)[name]
    assert tool.description == description
    assert list(tool.input_schema["properties"]) == properties
    assert tool.input_schema.get("required") == required
    assert tool.annotations == annotations
    assert (tool.source.file, tool.source.line) == ("build/index.js", line)


def test_cjs_values_through_reexport_getter_and_import_default(cjs):
    forecast = by_name(cjs)["get_forecast"].input_schema["properties"]
    assert forecast["latitude"] == {
        "type": "number",
        "minimum": -90,
        "maximum": 90,
        "description": "Latitude of the location",
    }
    # zod_1.z.enum(text_1.default.UNITS), with text_1 = __importDefault(require("./lib/text"))
    assert forecast["units"] == {"type": "string", "enum": ["metric", "imperial"]}
    state = by_name(cjs)["get_alerts"].input_schema["properties"]["state"]
    assert state == {
        "type": "string",
        "minLength": 2,
        "maxLength": 2,
        "description": "Two-letter state code",
    }


# -- (c) low-level Server with a tools/list handler, tools in other modules --


@pytest.fixture(scope="module")
def lowlevel():
    return JavaScriptExtractor().extract(load("lowlevel_ts"))


def test_lowlevel_tools_from_list_handler(lowlevel):
    assert [t.name for t in lowlevel.tools] == [
        "read_file",
        "write_file",
        "delete_file",
        "search_files",
    ]
    assert all(t.pattern == "js.list_handler" for t in lowlevel.tools)
    assert lowlevel.completeness is Completeness.complete
    # package.json names dist/index.js; only the TypeScript source ships.
    assert lowlevel.notes == []


def test_lowlevel_definitions_point_at_their_own_module(lowlevel):
    tools = by_name(lowlevel)
    assert (tools["read_file"].source.file, tools["read_file"].source.line) == (
        "src/tools/files.ts",
        5,
    )
    assert (tools["delete_file"].source.file, tools["delete_file"].source.line) == (
        "src/tools/files.ts",
        29,
    )
    assert tools["search_files"].source.file == "src/tools/search.ts"


def test_lowlevel_literal_json_schema_with_shared_constant(lowlevel):
    tools = by_name(lowlevel)
    assert tools["write_file"].input_schema == {
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "Path inside the root folder"},
            "content": {"type": "string"},
        },
        "required": ["path", "content"],
    }
    assert tools["delete_file"].description == "Delete a file"
    assert tools["delete_file"].annotations == {"destructiveHint": True}
    assert tools["read_file"].annotations == {"readOnlyHint": True}


def test_lowlevel_zod_to_json_schema_call(lowlevel):
    schema = by_name(lowlevel)["search_files"].input_schema
    assert schema == {
        "type": "object",
        "properties": {
            "pattern": {"type": "string", "description": "Glob pattern"},
            "maxResults": {"type": "integer", "exclusiveMinimum": 0},
        },
        "required": ["pattern"],
    }
