"""Frameworks, generated tools, bundles and conditions, on the fixtures in tests/fixtures/js."""

from __future__ import annotations

from pathlib import Path

from crawler.extract.javascript import JavaScriptExtractor
from mcp_domain import Completeness
from tests.extract.fixture_files import fixture_loader

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "js"


load = fixture_loader("js")


def extract(name: str):
    return JavaScriptExtractor().extract(load(name))


def by_name(result) -> dict:
    return {t.name: t for t in result.tools}


def test_tools_generated_from_a_shipped_openapi_document():
    result = extract("openapi_gen")
    tools = by_name(result)
    assert list(tools) == ["API-get-widget", "API-delete-widget", "API-createWidget"]
    assert result.completeness is Completeness.complete
    get = tools["API-get-widget"]
    assert get.description == "Widgets | Retrieve a widget\nError Responses:\n404: No such widget"
    # Header parameters are not arguments; path parameters keep their description.
    assert get.input_schema["properties"] == {
        "widget_id": {"type": "string", "description": "Identifier of the widget"}
    }
    assert get.input_schema["required"] == ["widget_id"]
    assert get.annotations == {"title": "Get Widget", "readOnlyHint": True}
    delete = tools["API-delete-widget"]
    assert delete.description == "Widgets | Delete a widget for good"
    assert delete.annotations == {"title": "Delete Widget", "destructiveHint": True}
    create = tools["API-createWidget"]
    assert create.annotations["title"] == "Create Widget"
    assert create.input_schema["required"] == ["label"]
    assert create.input_schema["properties"]["label"] == {"type": "string"}
    assert create.input_schema["properties"]["parent"] == {
        "anyOf": [{"$ref": "#/$defs/parent"}, {"type": "string"}]
    }
    assert create.input_schema["$defs"]["parent"]["properties"] == {"id": {"type": "string"}}
    assert create.pattern == "js.openapi"
    assert create.source.file == "spec/widgets-openapi.json"
    assert any("API-<operationId>" in n for n in result.notes)


def test_an_openapi_document_nobody_loads_gives_no_tools():
    package = load("openapi_gen")
    package.files["bin/cli.mjs"] = b'console.log("operationId but no document named")\n'
    result = JavaScriptExtractor().extract(package)
    assert result.tools == []


def test_mcp_framework_tool_classes_from_the_built_tools_folder():
    result = extract("mcp_framework")
    tools = by_name(result)
    # The TypeScript twin in src/tools is not loaded, nor a class that is not an MCPTool.
    assert sorted(tools) == ["get_forecast", "list_alerts"]
    assert result.completeness is Completeness.complete
    forecast = tools["get_forecast"]
    assert forecast.description == "Weather forecast for a city"
    assert forecast.input_schema == {
        "type": "object",
        "properties": {
            "city": {"type": "string", "description": "City name"},
            "days": {"type": "number", "description": "How many days ahead (1-7)"},
        },
        "required": ["city"],
    }
    assert forecast.pattern == "js.mcp-framework"
    assert forecast.source.file == "dist/tools/ForecastTool.js"
    alerts = tools["list_alerts"]
    assert alerts.description == "Active weather alerts for a region"
    assert alerts.input_schema["properties"] == {
        "region": {"type": "string", "description": "Two-letter region code"}
    }
    assert alerts.input_schema["required"] == ["region"]


def test_xmcp_tools_from_per_file_metadata_and_schema():
    result = extract("xmcp_app")
    tools = by_name(result)
    assert sorted(tools) == ["delete-note", "greet"]
    greet = tools["greet"]
    assert greet.description == "Greet the user"
    assert greet.annotations == {
        "title": "Greet the user",
        "readOnlyHint": True,
        "destructiveHint": False,
    }
    assert greet.input_schema["properties"] == {
        "name": {"type": "string", "description": "The name of the user to greet"},
        "formal": {"type": "boolean", "description": "Use a formal greeting"},
    }
    assert greet.input_schema["required"] == ["name"]
    delete = tools["delete-note"]
    assert delete.description == "Delete a note"
    assert delete.annotations == {"destructiveHint": True}
    assert delete.pattern == "js.xmcp"


def test_conditions_from_filters_ternaries_and_guards():
    result = extract("conditional")
    tools = by_name(result)
    assert list(tools) == [
        "list_tickets",
        "close_ticket",
        "export_audit_log",
        "search_tickets",
        "reopen_ticket",
        "purge_tickets",
    ]
    # `enabled.length === 0 ? ALL_TOOLS : ALL_TOOLS.filter(...)`: the default set, unconditional.
    assert tools["list_tickets"].condition is None
    assert tools["close_ticket"].condition is None
    assert tools["close_ticket"].input_schema["required"] == ["id"]
    # A list narrowed by an enabled-tools filter: each tool carries the filter's test.
    assert tools["export_audit_log"].condition == "(tool) => enabled.includes(tool.name)"
    assert tools["search_tickets"].condition is None
    assert tools["reopen_ticket"].condition == "not (readOnly)"
    assert tools["purge_tickets"].condition == "config.admin"
    assert any(
        n.startswith("3 of 6 tools are registered under a run-time condition")
        and n.endswith("export_audit_log, reopen_ticket, purge_tickets")
        for n in result.notes
    )


def test_tools_defined_by_a_dependency_are_unknown_with_the_reason():
    result = extract("delegating")
    assert result.tools == []
    assert result.completeness is Completeness.unknown
    assert result.notes[-1] == (
        "no tool registration found in this package; its tools are defined at run time "
        "by a dependency it does not contain: browser-core (imported by cli.js)"
    )


def test_original_sources_are_read_from_the_source_map_instead_of_the_bundle():
    # The minified bundle is not read at all: the sources its map embeds are.
    result = extract("sourcemap_bundle")
    tools = by_name(result)
    # The SDK the bundler pulled in (node_modules) is not read: no "sdk_internal".
    assert list(tools) == ["kv_get", "kv_delete"]
    assert tools["kv_get"].description == "Read a value by key"
    assert tools["kv_get"].input_schema["properties"] == {
        "key": {"type": "string", "description": "Key of the entry"}
    }
    assert tools["kv_delete"].annotations == {"destructiveHint": True}
    assert tools["kv_delete"].source.file == "__sourcemap__/dist/index.js/src/index.ts"
    assert result.skipped == []
    assert "dist/index.js: read 2 original source file(s) from its source map" in result.notes
