"""Class-per-tool handlers, configuration conditions and registration helpers."""

from __future__ import annotations

from pathlib import Path

from crawler.extract.python import PythonExtractor
from crawler.files import PackageFiles
from mcp_domain import Completeness
from tests.extract.fixture_files import fixture_loader

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "python"
PYPROJECT = b'[project]\nname="s"\n[project.scripts]\ns = "s:main"\n'


load = fixture_loader("python")


def extract_source(source: str, **modules: str):
    files = {"pyproject.toml": PYPROJECT, "s/__init__.py": source.encode()}
    for name, text in modules.items():
        files[f"s/{name}.py"] = text.encode()
    return PythonExtractor().extract(PackageFiles(files=files))


# ----- class-per-tool handlers (mcp-obsidian shape) ------------------------------


def test_handler_classes_listed_through_comprehension_over_registry():
    result = PythonExtractor().extract(load("notes_handlers"))
    tools = {t.name: t for t in result.tools}
    assert list(tools) == ["notes_list", "notes_read", "notes_stats", "notes_delete"]
    assert tools["notes_list"].description == "Lists every note in the vault."
    assert tools["notes_read"].input_schema["required"] == ["path"]
    assert tools["notes_read"].input_schema["properties"]["path"]["description"] == "Note path"
    # class attributes, an inherited method and a pydantic args model
    assert tools["notes_delete"].description == "Deletes a note for good."
    assert tools["notes_delete"].input_schema["required"] == ["path"]
    assert list(tools["notes_delete"].input_schema["properties"]) == ["path", "confirm"]
    # a property for the name
    assert tools["notes_stats"].description == "Counts notes and words."
    assert result.completeness == Completeness.complete


def test_registry_entry_added_under_if_carries_the_condition():
    result = PythonExtractor().extract(load("notes_handlers"))
    conditions = {t.name: t.condition for t in result.tools}
    assert conditions == {
        "notes_list": None,
        "notes_read": None,
        "notes_stats": None,
        "notes_delete": "not READ_ONLY (on by default)",
    }
    assert "1 of 4 tools depend on configuration (see each tool's condition); all are listed" in (
        result.notes
    )


# ----- conditions around FastMCP registrations ----------------------------------


CONDITIONAL_SERVER = '''
import os
from mcp.server.fastmcp import FastMCP

READ_ONLY_MODE = os.getenv("READ_ONLY_MODE", "false") == "true"
mcp = FastMCP("db")

@mcp.tool()
def query(sql: str) -> str:
    """Run a read query."""
    return ""

if not READ_ONLY_MODE:
    @mcp.tool()
    def execute(sql: str) -> str:
        """Run a statement."""
        return ""
else:
    @mcp.tool()
    def explain(sql: str) -> str:
        """Explain a statement."""
        return ""

def register_admin(server):
    if not os.environ.get("ENABLE_ADMIN"):
        return
    @server.tool()
    def drop_table(name: str) -> str:
        """Drop a table."""
        return ""

def register_metrics(server):
    @server.tool()
    def metrics() -> str:
        """Server metrics."""
        return ""

if os.getenv("ENABLE_METRICS"):
    register_metrics(mcp)
register_admin(mcp)

if __name__ == "__main__":
    @mcp.tool()
    def debug() -> str:
        """Debug."""
        return ""
'''


def test_if_else_guard_return_and_caller_conditions():
    result = extract_source(CONDITIONAL_SERVER)
    conditions = {t.name: t.condition for t in result.tools}
    assert conditions == {
        "query": None,
        # decided for the default configuration: unset variables, given defaults
        "execute": "not READ_ONLY_MODE (on by default)",
        "explain": "READ_ONLY_MODE (off by default)",
        "drop_table": "os.environ.get('ENABLE_ADMIN') (off by default)",
        "metrics": "os.getenv('ENABLE_METRICS') (off by default)",
        "debug": None,
    }
    assert result.completeness == Completeness.complete
    assert result.notes == [
        "4 of 6 tools depend on configuration (see each tool's condition); all are listed"
    ]


def test_condition_on_list_entries_of_a_lowlevel_server():
    source = """
import os
from mcp.server import Server
from mcp.types import Tool

server = Server("s")
TOOLS = [Tool(name="read", description="Read.", inputSchema={"type": "object"})]
if os.getenv("ALLOW_WRITE"):
    TOOLS.append(Tool(name="write", description="Write.", inputSchema={"type": "object"}))

@server.list_tools()
async def list_tools():
    return TOOLS
"""
    result = extract_source(source)
    assert [(t.name, t.condition) for t in result.tools] == [
        ("read", None),
        ("write", "os.getenv('ALLOW_WRITE') (off by default)"),
    ]


def test_environment_reads_without_default_are_unset():
    source = """
import os
from mcp.server.fastmcp import FastMCP
PREFIX = os.getenv("TOOL_PREFIX", "db")
mcp = FastMCP("s")

@mcp.tool(name=PREFIX + "_ping", description=os.environ.get("PING_TEXT") or "Ping.")
def ping() -> str:
    return ""
"""
    result = extract_source(source)
    assert [(t.name, t.description) for t in result.tools] == [("db_ping", "Ping.")]


# ----- registration helpers ----------------------------------------------------


HELPER_SERVER = '''
from mcp.server.fastmcp import FastMCP
from mcp.types import ToolAnnotations

mcp = FastMCP("helpers")
READ = ToolAnnotations(readOnlyHint=True)
COMMON = {"title": "Echo", "annotations": READ}

def register(fn):
    return mcp.tool(name="h_" + fn.__name__ if False else "renamed", description="Via helper.")(fn)

def tool(name, description):
    return mcp.tool(name=name, description=description)

@register
def original(x: int) -> int:
    return x

@tool("made", "From a factory.")
def factory_made(y: str) -> str:
    return y

@mcp.tool(**COMMON)
def echo(text: str) -> str:
    """Echo text."""
    return text
'''


def test_decorator_helper_factory_and_spread_options():
    result = extract_source(HELPER_SERVER)
    tools = {t.name: t for t in result.tools}
    assert list(tools) == ["renamed", "made", "echo"]
    assert tools["renamed"].description == "Via helper."
    assert tools["renamed"].input_schema["required"] == ["x"]
    assert tools["renamed"].source.line == 15
    assert tools["made"].description == "From a factory."
    assert list(tools["made"].input_schema["properties"]) == ["y"]
    assert tools["echo"].annotations == {"readOnlyHint": True, "title": "Echo"}
    assert {t.pattern for t in result.tools} == {"python.helper", "python.decorator"}


REGISTRY = """
import functools
import inspect
from mcp.server import MCPServer
from mcp.types import ToolAnnotations

READ_ONLY = ToolAnnotations(read_only_hint=True)
DESTRUCTIVE = ToolAnnotations(destructive_hint=True)


class ToolRegistry:
    def __init__(self, server: MCPServer, read_only: bool) -> None:
        self.server = server
        self.read_only = read_only

    def reader(self, title: str):
        return self._register(title, READ_ONLY)

    def destroyer(self, title: str):
        return self._register(title, DESTRUCTIVE)

    def _register(self, title, annotations):
        def decorate(function):
            if self.read_only and not annotations.read_only_hint:
                return function
            self.server.tool(
                title=title,
                description=inspect.cleandoc(function.__doc__ or ""),
                annotations=annotations,
            )(_as_tool_errors(function))
            return function

        return decorate


def _as_tool_errors(function):
    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        return function(*args, **kwargs)

    return wrapper
"""

SHEETS = '''
from s.registry import ToolRegistry


def register(tools: ToolRegistry) -> None:
    @tools.reader("Read range")
    def read_range(sheet: str, cells: str) -> str:
        """Read cells of a sheet."""
        return ""

    @tools.destroyer("Clear range")
    def clear_range(sheet: str) -> str:
        """Clear cells."""
        return ""
'''

REGISTRY_SERVER = """
from mcp.server import MCPServer
from s import sheets
from s.registry import ToolRegistry

server = MCPServer("sheets")
sheets.register(ToolRegistry(server, False))
"""


def test_registry_class_decorators_two_levels_deep_with_wraps():
    result = extract_source(REGISTRY_SERVER, registry=REGISTRY, sheets=SHEETS)
    tools = {t.name: t for t in result.tools}
    assert list(tools) == ["read_range", "clear_range"]
    assert tools["read_range"].description == "Read cells of a sheet."
    assert tools["read_range"].annotations == {"readOnlyHint": True, "title": "Read range"}
    assert tools["clear_range"].annotations == {"destructiveHint": True, "title": "Clear range"}
    assert list(tools["read_range"].input_schema["properties"]) == ["sheet", "cells"]
    # the helper's own guard applies to every tool it registers
    guard = "not (self.read_only and (not annotations.read_only_hint))"
    assert tools["read_range"].condition == tools["clear_range"].condition == guard
    assert (tools["read_range"].source.file, tools["read_range"].source.line) == ("s/sheets.py", 6)
    assert tools["read_range"].pattern == "python.helper"


def test_recursive_package_function_is_not_evaluated_forever():
    source = '''
from mcp.server.fastmcp import FastMCP
mcp = FastMCP("s")

def name(n):
    return name(n - 1) + name(n - 2)

@mcp.tool(name=name(30))
def spin() -> str:
    """Spin."""
    return ""
'''
    result = extract_source(source)
    assert [t.name for t in result.tools] == ["spin"]
    assert result.completeness == Completeness.partial
    assert "calls itself" in result.notes[0]


# ----- tools made at run time ----------------------------------------------------


def test_tools_written_into_the_tool_manager_are_reported_not_silent():
    source = """
from mcp.server.fastmcp import FastMCP

def build(tool_classes):
    mcp = FastMCP("agent")
    for cls in tool_classes:
        mcp._tool_manager._tools[cls.get_name()] = cls.as_mcp_tool()
    return mcp
"""
    result = extract_source(source)
    assert result.tools == []
    assert result.completeness == Completeness.unknown
    assert result.notes == ["s/__init__.py:7: tools are written into the tool manager at run time"]


def test_openapi_generated_server_is_partial_with_a_note():
    source = '''
import httpx
from fastmcp import FastMCP

spec = httpx.get("http://127.0.0.1:8000/openapi.json").json()
mcp = FastMCP.from_openapi(openapi_spec=spec, client=httpx.AsyncClient())

@mcp.tool
def health() -> str:
    """Service health."""
    return "ok"
'''
    result = extract_source(source)
    assert [t.name for t in result.tools] == ["health"]
    assert result.completeness == Completeness.partial
    assert result.notes == [
        "s/__init__.py:6: tools are generated from an OpenAPI document at run time"
        " (fetched from a URL)"
    ]


def test_self_referring_handler_classes_end_with_a_note():
    source = """
from mcp.server import Server
from mcp.types import Tool
class A(B):
    def __init__(self): super().__init__(); self.name = self.name
class B(A):
    def d(self): return Tool(name=self.name, description=self.d().description)
reg = {}
def add(h):
    reg[h.name] = h
    add(h)
add(A())
add(B())
server = Server("x")
@server.list_tools()
async def lt():
    return [h.d() for h in reg.values() for _ in [h]]
"""
    result = extract_source(source)
    assert result.tools == []
    assert result.completeness == Completeness.unknown
    assert result.notes[0] == (
        "s/__init__.py:5: tool list not resolved statically ('name' refers to itself)"
    )
