"""PythonExtractor on small, real-shaped server packages (tests/fixtures/python)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.extract.python import PythonExtractor
from crawler.files import PackageFiles
from mcp_domain import Completeness
from tests.extract.fixture_files import fixture_loader

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "python"


load = fixture_loader("python")


@pytest.fixture(scope="module")
def weather():
    return PythonExtractor().extract(load("weather_fastmcp"))


@pytest.fixture(scope="module")
def files_server():
    return PythonExtractor().extract(load("files_lowlevel"))


def by_name(result):
    return {tool.name: tool for tool in result.tools}


# ----- (a) FastMCP-style decorators -------------------------------------------------


def test_decorated_tools_found_in_registration_order(weather):
    assert [t.name for t in weather.tools] == [
        "get_forecast",
        "set_alert",
        "list_stations",
        "get_alerts",
        "purge_cache",
    ]
    assert weather.completeness == Completeness.complete
    assert weather.notes == []
    assert weather.skipped == []


def test_docstring_description_is_cleaned(weather):
    tools = by_name(weather)
    assert tools["get_forecast"].description == (
        "Get the weather forecast for a city.\n\nReturns one line per day."
    )
    # leading blank line and deep indentation removed
    assert tools["list_stations"].description == "List weather stations in a region."


def test_annotated_field_literal_and_context_param(weather):
    tool = by_name(weather)["get_forecast"]
    schema = tool.input_schema
    assert list(schema["properties"]) == ["city", "days", "units"]  # ctx dropped
    assert schema["required"] == ["city"]
    assert schema["properties"]["city"] == {
        "type": "string",
        "description": "City name, e.g. 'Oslo'",
        "title": "City",
    }
    assert schema["properties"]["days"] == {"type": "integer", "title": "Days", "default": 3}
    units = schema["properties"]["units"]
    assert units["enum"] == ["metric", "imperial"]
    assert units["type"] == "string"
    assert units["description"] == "Unit system."  # f-string over a module constant
    assert units["default"] == "metric"
    assert tool.source.file == "src/weather_mcp/tools.py"
    assert tool.source.line == 21
    assert tool.pattern == "python.decorator"


def test_decorator_name_description_and_snake_case_annotations(weather):
    tool = by_name(weather)["set_alert"]
    assert tool.description == "Create a temperature alert for a city."
    assert tool.annotations == {
        "readOnlyHint": False,
        "destructiveHint": False,
        "title": "Set alert",
    }
    schema = tool.input_schema
    assert list(schema["properties"]) == ["city", "threshold", "note", "tags"]
    assert schema["required"] == ["city", "threshold"]  # Field(...) is required
    assert schema["properties"]["threshold"]["description"] == "Temperature threshold in degrees"
    assert schema["properties"]["threshold"]["type"] == "number"
    assert schema["properties"]["note"]["anyOf"] == [{"type": "string"}, {"type": "null"}]
    assert schema["properties"]["note"]["default"] is None
    assert schema["properties"]["tags"]["anyOf"] == [
        {"type": "array", "items": {"type": "string"}},
        {"type": "null"},
    ]


def test_bare_decorator_enum_param_and_field_default(weather):
    schema = by_name(weather)["list_stations"].input_schema
    assert schema["properties"]["region"] == {"$ref": "#/$defs/Region"}
    assert schema["$defs"]["Region"]["enum"] == ["north", "south"]
    assert schema["properties"]["limit"]["default"] == 10
    assert schema["properties"]["limit"]["minimum"] == 1
    assert schema["properties"]["limit"]["maximum"] == 50
    assert schema["required"] == ["region"]


def test_stacked_decorator_and_dict_annotations(weather):
    tool = by_name(weather)["get_alerts"]
    assert tool.annotations == {"readOnlyHint": True, "openWorldHint": True}
    severity = tool.input_schema["properties"]["severity"]
    assert severity["anyOf"][0] == {"enum": ["minor", "severe"], "type": "string"}


def test_tool_inside_factory_with_positional_name(weather):
    tool = by_name(weather)["purge_cache"]
    assert tool.description == "Delete every cached forecast."
    assert tool.input_schema["required"] == ["confirm"]
    assert tool.source.file == "src/weather_mcp/admin.py"
    assert tool.source.line == 8


def test_non_mcp_decorators_and_test_modules_ignored(weather):
    names = {t.name for t in weather.tools}
    assert "not_an_mcp_tool" not in names  # @agent.tool of a pydantic-ai Agent
    assert "test_only_tool" not in names  # lives in tests/
    assert "client" not in names


# ----- (b) low-level server, lists split across modules -----------------------------


def test_lowlevel_tools_across_modules(files_server):
    assert [t.name for t in files_server.tools] == [
        "read_file",
        "list_directory",
        "write_file",
        "delete_file",
    ]
    assert files_server.completeness == Completeness.complete
    assert all(t.pattern == "python.lowlevel_tool" for t in files_server.tools)


def test_lowlevel_description_sources(files_server):
    tools = by_name(files_server)
    assert tools["read_file"].description == "Read a text file.\nBinary files are refused.\n"
    assert tools["list_directory"].description == (
        "List the entries of a directory (tool list_directory)."
    )
    assert tools["delete_file"].description == "Delete a file. This cannot be undone."


def test_model_json_schema_from_class_definition(files_server):
    schema = by_name(files_server)["read_file"].input_schema
    assert schema["title"] == "ReadArgs"
    assert schema["description"] == "Arguments of read_file."
    assert list(schema["properties"]) == ["path", "max_bytes", "encoding"]
    assert schema["required"] == ["path"]
    assert schema["properties"]["path"]["description"] == "Path of the file to read"
    assert schema["properties"]["max_bytes"]["default"] == 65536
    assert schema["properties"]["encoding"]["anyOf"] == [{"type": "string"}, {"type": "null"}]


def test_literal_schema_with_shared_constant_and_helper_annotations(files_server):
    tools = by_name(files_server)
    assert tools["write_file"].input_schema == {
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "Path of the file"},
            "content": {"type": "string"},
        },
        "required": ["path", "content"],
    }
    assert tools["write_file"].annotations == {"readOnlyHint": False, "destructiveHint": True}
    assert tools["delete_file"].annotations == {"readOnlyHint": False, "destructiveHint": True}
    assert tools["write_file"].source.file == "files_mcp/tools/write.py"
    assert tools["write_file"].source.line == 13
    assert tools["delete_file"].source.line == 27


# ----- (c) dead modules ------------------------------------------------------------


def test_dead_backup_module_and_examples_do_not_contribute(files_server):
    names = [t.name for t in files_server.tools]
    assert "format_disk" not in names
    assert "example_tool" not in names
    assert by_name(files_server)["read_file"].description != "Stale description"
    assert all(t.source.file != "files_mcp/server_backup.py" for t in files_server.tools)


def test_backup_module_counts_once_something_imports_it():
    package = load("files_lowlevel")
    server = package.files["files_mcp/server.py"].decode()
    package.files["files_mcp/server.py"] = (
        server + "\n\ndef legacy():\n    from files_mcp import server_backup  # noqa\n"
    ).encode()
    result = PythonExtractor().extract(package)
    names = [t.name for t in result.tools]
    assert "format_disk" in names
    # read_file keeps the definition found first (the current server's list)
    assert by_name(result)["read_file"].description.startswith("Read a text file.")


def test_no_python_files_gives_empty_result_without_notes():
    package = PackageFiles(files={"package.json": b"{}", "index.js": b"1"})
    result = PythonExtractor().extract(package)
    assert result.tools == [] and result.notes == [] and result.skipped == []


def test_mcp_import_without_tools_is_unknown_with_note():
    package = PackageFiles(
        files={
            "pyproject.toml": b'[project]\nname="x"\n[project.scripts]\nx = "x.main:run"\n',
            "x/__init__.py": b"",
            "x/main.py": b"from mcp.server import Server\nserver = Server('x')\n",
        }
    )
    result = PythonExtractor().extract(package)
    assert result.tools == []
    assert result.completeness == Completeness.unknown
    assert result.notes == ["imports the MCP SDK but no tool registration was found statically"]


def test_unresolved_name_makes_result_partial_with_location():
    source = (
        "import os\n"
        "from mcp.server.fastmcp import FastMCP\n"
        "mcp = FastMCP('x')\n"
        "\n"
        "@mcp.tool(name=os.environ['TOOL_NAME'])\n"
        "def dynamic() -> str:\n"
        "    return ''\n"
        "\n"
        "@mcp.tool()\n"
        "def fixed() -> str:\n"
        "    '''Fixed.'''\n"
        "    return ''\n"
    )
    package = PackageFiles(
        files={
            "pyproject.toml": b'[project]\nname="x"\n[project.scripts]\nx = "x:main"\n',
            "x/__init__.py": source.encode(),
        }
    )
    result = PythonExtractor().extract(package)
    assert [t.name for t in result.tools] == ["dynamic", "fixed"]
    assert result.completeness == Completeness.partial
    assert len(result.notes) == 1
    assert result.notes[0].startswith("x/__init__.py:5: tool name of dynamic() not resolved")


# ----- call forms and mounted servers -------------------------------------------


def test_add_tool_from_function_bound_method_and_mount_prefix():
    source = (
        "from fastmcp import FastMCP\n"
        "from fastmcp.tools import Tool\n"
        "\n"
        "class Queries:\n"
        "    async def run_async(self, sql: str, limit: int = 10) -> str:\n"
        "        '''Run a query.'''\n"
        "        return ''\n"
        "\n"
        "queries = Queries()\n"
        "run = queries.run_async\n"
        "main = FastMCP('main')\n"
        "db = FastMCP('db')\n"
        "db.add_tool(Tool.from_function(run, name='run_query'))\n"
        "\n"
        "def ping() -> str:\n"
        "    return 'pong'\n"
        "\n"
        "main.tool(ping, name='ping', description='Ping.')\n"
        "main.mount(db, namespace='db')\n"
    )
    package = PackageFiles(
        files={
            "pyproject.toml": b'[project]\nname="s"\n[project.scripts]\ns = "s:main"\n',
            "s/__init__.py": source.encode(),
        }
    )
    result = PythonExtractor().extract(package)
    tools = by_name(result)
    assert list(tools) == ["db_run_query", "ping"]
    assert tools["db_run_query"].description == "Run a query."
    assert tools["db_run_query"].input_schema["required"] == ["sql"]
    assert list(tools["db_run_query"].input_schema["properties"]) == ["sql", "limit"]
    assert tools["db_run_query"].pattern == "python.add_tool"
    assert tools["db_run_query"].source.line == 13
    assert tools["ping"].description == "Ping."
    assert result.completeness == Completeness.complete


def test_v2_lowlevel_handler_keyword_and_input_schema_spelling():
    source = (
        "from mcp.server.lowlevel import Server\n"
        "from mcp import types\n"
        "\n"
        "async def handle_list_tools(ctx, params):\n"
        "    return types.ListToolsResult(tools=[\n"
        "        types.Tool(name='echo', description='Echo text.',\n"
        "                   input_schema={'type': 'object',\n"
        "                                 'properties': {'text': {'type': 'string'}}},\n"
        "                   annotations=types.ToolAnnotations(read_only_hint=True)),\n"
        "    ])\n"
        "\n"
        "server = Server('echo', on_list_tools=handle_list_tools)\n"
    )
    package = PackageFiles(
        files={
            "pyproject.toml": b'[project]\nname="e"\n[project.scripts]\ne = "e:main"\n',
            "e/__init__.py": source.encode(),
        }
    )
    result = PythonExtractor().extract(package)
    assert len(result.tools) == 1
    tool = result.tools[0]
    assert (tool.name, tool.description) == ("echo", "Echo text.")
    assert tool.input_schema["properties"] == {"text": {"type": "string"}}
    assert tool.annotations == {"readOnlyHint": True}
    assert (tool.source.line, tool.pattern) == (6, "python.lowlevel_tool")
