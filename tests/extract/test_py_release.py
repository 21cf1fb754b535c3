"""After a Python extraction its syntax trees are freed without the cycle collector.

Extraction runs with the collector mostly paused (crawler.extract.package); a reference
cycle through the evaluator would keep every tree of the package alive until the next
full collection, and make that collection walk them all.
"""

from __future__ import annotations

import ast
import gc

from crawler.extract.python import PythonExtractor
from crawler.files import PackageFiles

_SERVER = b'''
from mcp.server.fastmcp import FastMCP
from pydantic import BaseModel

mcp = FastMCP("notes")


class Note(BaseModel):
    title: str
    body: str = ""


def _register(server):
    @server.tool()
    def add_note(title: str) -> str:
        """Add a note."""
        return title

    return add_note


_register(mcp)
NOTE_SCHEMA = Note.model_json_schema()


@mcp.tool()
def list_notes(limit: int = 10) -> list[str]:
    """List the notes."""
    return []


def main():
    mcp.run()
'''


def _package() -> PackageFiles:
    return PackageFiles(
        files={
            "pyproject.toml": b'[project]\nname="notes"\n[project.scripts]\nnotes = "notes:main"\n',
            "notes/__init__.py": _SERVER,
        }
    )


def _cyclic_garbage_of(run) -> list:
    """The objects only the cycle collector could free after `run()` returned."""
    was_enabled = gc.isenabled()
    gc.disable()
    gc.collect()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        run()
        gc.collect()
        return list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.collect()
        if was_enabled:
            gc.enable()


def test_no_syntax_tree_is_left_in_a_reference_cycle():
    found: list = []

    def run() -> None:
        result = PythonExtractor().extract(_package())
        found.extend(t.name for t in result.tools)

    garbage = _cyclic_garbage_of(run)
    assert found == ["add_note", "list_notes"]
    assert [type(o).__name__ for o in garbage if isinstance(o, ast.AST)] == []
    assert [o for o in garbage if type(o).__name__ in ("Scope", "Evaluator", "Project")] == []
