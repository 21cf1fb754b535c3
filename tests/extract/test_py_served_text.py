"""Descriptions as served: a server class's own list_tools, and run-time text parts."""

from __future__ import annotations

from crawler.extract.python import PythonExtractor
from crawler.files import PackageFiles
from mcp_domain import Completeness

PYPROJECT = b'[project]\nname="s"\n[project.scripts]\ns = "s.server:main"\n'

HANDLERS = """
class ReadHandler:
    name = "read_text"
    description = "Read lines of a text file; returns them with a hash."

    def get_tool_description(self):
        return Tool(name=self.name, description=self.description, inputSchema=schema())


class WriteHandler:
    name = "write_text"
    description = "Write a text file " + "that must not exist."


def schema():
    props = {}
    for key in ("path", "encoding"):
        props[key] = {"type": "string"}
    return {"type": "object", "properties": props}
"""

OVERRIDING_SERVER = '''
from typing import List
from mcp.server.fastmcp import FastMCP
from mcp.types import Tool
from .handlers import ReadHandler, WriteHandler

HANDLERS = (ReadHandler(), WriteHandler())


class CompatibleFastMCP(FastMCP):
    async def list_tools(self) -> List[Tool]:
        await super().list_tools()
        return [
            Tool(name=h.name, description=h.description, inputSchema=convert(h))
            for h in HANDLERS
        ]


app = CompatibleFastMCP("editor")


@app.tool()
async def read_text(path: str, encoding: str = "utf-8") -> str:
    """Read a file."""
    return ""


@app.tool()
async def write_text(path: str, contents: str) -> str:
    """Write a file."""
    return ""


@app.tool()
async def stat_text(path: str) -> str:
    """Stat a file."""
    return ""


def main():
    app.run()
'''


def extract(**modules: str):
    files = {"pyproject.toml": PYPROJECT, "s/__init__.py": b""}
    files.update({f"s/{name}.py": text.encode() for name, text in modules.items()})
    return PythonExtractor().extract(PackageFiles(files=files))


def test_list_tools_override_of_a_server_subclass_serves_its_descriptions():
    result = extract(server=OVERRIDING_SERVER, handlers=HANDLERS)
    tools = [(t.name, t.description, list(t.input_schema["properties"])) for t in result.tools]
    assert tools == [
        ("read_text", "Read lines of a text file; returns them with a hash.", ["path", "encoding"]),
        ("write_text", "Write a text file that must not exist.", ["path", "contents"]),
        # not listed by the override's source list: kept as registered
        ("stat_text", "Stat a file.", ["path"]),
    ]
    assert [t.pattern for t in result.tools] == ["python.decorator"] * 3
    # convert() is not evaluated: the signature's schema stands, and the result says so
    assert result.completeness == Completeness.partial
    assert any("inputSchema of tool read_text not resolved" in n for n in result.notes)


LOWLEVEL_RUNTIME_TEXT = """
import os
from mcp.server import Server
from mcp.types import Tool

server = Server("shell")
ALLOWED = os.environ.get("ALLOW_COMMANDS", "").split(",")
LIMIT = 30


@server.list_tools()
async def list_tools():
    allowed = ", ".join(ALLOWED)
    return [
        Tool(
            name="shell_execute",
            description=f"Run a command.\\nAllowed commands: {allowed}\\nTimeout: {LIMIT}s",
            inputSchema={"type": "object", "properties": {"command": {"type": "string"}}},
        ),
        Tool(
            name="show_rules",
            description="Rules for " + os.getcwd() + " and below.",
            inputSchema={"type": "object"},
        ),
        Tool(name=f"run_{os.getcwd()}", description="Never a name.", inputSchema={}),
    ]


def main():
    pass
"""


def test_run_time_parts_of_descriptions_are_placeholders_and_never_names():
    result = extract(server=LOWLEVEL_RUNTIME_TEXT)
    assert [(t.name, t.description) for t in result.tools] == [
        ("shell_execute", "Run a command.\nAllowed commands: {…}\nTimeout: 30s"),
        ("show_rules", "Rules for {…} and below."),
    ]
    assert result.completeness == Completeness.partial
    notes = "\n".join(result.notes)
    assert "description of tool shell_execute (run-time parts shown as {…})" in notes
    assert "tool name not resolved statically" in notes


def test_decorator_description_with_run_time_part_keeps_the_known_text():
    source = '''
import os
from mcp.server.fastmcp import FastMCP
mcp = FastMCP("s")
ROOT = os.getcwd()

@mcp.tool(description=f"List files under {ROOT}.")
def list_files() -> list:
    """Docstring not served."""
    return []

def main():
    mcp.run()
'''
    result = extract(server=source)
    assert [(t.name, t.description) for t in result.tools] == [
        ("list_files", "List files under {…}.")
    ]
