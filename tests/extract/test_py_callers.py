"""Registration helpers given the server by their callers, and awaited tool lists."""

from __future__ import annotations

from pathlib import Path

from crawler.extract.python import PythonExtractor
from crawler.files import PackageFiles
from mcp_domain import Completeness
from tests.extract.fixture_files import fixture_loader

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "python"


load = fixture_loader("python")


def test_helper_in_a_module_without_sdk_import_registers_on_the_server_its_caller_passes():
    result = PythonExtractor().extract(load("injected_tools"))
    tools = {t.name: t for t in result.tools}
    # record_metric's registry and replay's history are package objects, not servers
    assert list(tools) == ["find_text", "read_file", "clear_history", "list_plugins"]
    assert tools["find_text"].description == (
        "Search for a text pattern in the project files.\n\n"
        "Args:\n    pattern: Text to look for\n    max_results: Maximum number of matches"
    )
    assert tools["find_text"].input_schema["required"] == ["pattern"]
    assert tools["find_text"].input_schema["properties"]["max_results"]["default"] == 20
    assert list(tools["read_file"].input_schema["properties"]) == ["path", "encoding"]
    assert tools["read_file"].description == "Read one file of the project."
    assert tools["clear_history"].source.file == "src/injected_tools/tools/registration.py"
    assert tools["list_plugins"].description == "List the installed plugins."
    assert result.completeness == Completeness.complete
    assert result.notes == []


def test_awaited_package_coroutines_give_the_lowlevel_tool_list():
    result = PythonExtractor().extract(load("awaited_lowlevel"))
    assert [(t.name, t.description) for t in result.tools] == [
        ("convert-contents", "Converts content between markdown, html, docx."),
        ("list-formats", "Lists the formats."),
    ]
    schema = result.tools[0].input_schema
    assert schema["properties"]["output_format"]["enum"] == ["markdown", "html", "docx"]
    assert schema["required"] == ["output_format"]
    assert result.completeness == Completeness.complete


def test_recursive_helper_passing_its_parameter_on_does_not_loop():
    source = b'''
def register(server, depth=0):
    @server.tool()
    def ping() -> str:
        """Ping."""
        return ""
    register(server, depth + 1)
'''
    main = b"from s.helpers import register\nregister(object())\n"
    files = {
        "pyproject.toml": b'[project]\nname="s"\n[project.scripts]\ns = "s:main"\n',
        "s/__init__.py": main,
        "s/helpers.py": source,
    }
    result = PythonExtractor().extract(PackageFiles(files=files))
    assert result.tools == []
