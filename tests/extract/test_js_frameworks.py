"""Frameworks, generated tools, bundles and conditions, on the fixtures in tests/fixtures/js."""

from __future__ import annotations

from pathlib import Path

from crawler.extract.javascript import JavaScriptExtractor
from crawler.files import PackageFiles
from mcp_domain import Completeness

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "js"


def load(name: str) -> PackageFiles:
    root = FIXTURES / name
    files = {
        str(p.relative_to(root)).replace("\\", "/"): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }
    return PackageFiles(files=files)


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
