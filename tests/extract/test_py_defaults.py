"""Conditions decided for the default configuration, and server modules chosen by a setting."""

from __future__ import annotations

from crawler.extract.python import PythonExtractor
from crawler.files import PackageFiles

PYPROJECT = b'[project]\nname="s"\n[project.scripts]\ns = "s.server:main"\n'


def extract(**modules: str):
    files = {"pyproject.toml": PYPROJECT, "s/__init__.py": b""}
    files.update({f"s/{name}.py": text.encode() for name, text in modules.items()})
    return PythonExtractor().extract(PackageFiles(files=files))


CHOOSER = """
import os

PARTITION = os.getenv("DOCS_PARTITION", "global").lower()


def main():
    if PARTITION == "global":
        from s.server_global import main
    elif PARTITION == "china":
        from s.server_china import main
    else:
        raise ValueError(PARTITION)
    main()
"""

GLOBAL = '''
from mcp.server.fastmcp import FastMCP
mcp = FastMCP("docs")

@mcp.tool()
def read_page(url: str) -> str:
    """Read a documentation page."""
    return ""

@mcp.tool()
def search(query: str) -> list:
    """Search the documentation."""
    return []

def main():
    mcp.run()
'''

CHINA = '''
from mcp.server.fastmcp import FastMCP
mcp = FastMCP("docs-cn")

@mcp.tool()
def read_page(url: str) -> str:
    """Read a page of the China documentation."""
    return ""

@mcp.tool()
def list_services() -> list:
    """List the services offered in the China regions."""
    return []

def main():
    mcp.run()
'''


def test_server_module_chosen_by_a_setting_lists_the_default_one_and_marks_the_other():
    result = extract(server=CHOOSER, server_global=GLOBAL, server_china=CHINA)
    tools = {t.name: t for t in result.tools}
    assert list(tools) == ["read_page", "search", "list_services"]
    # the shared tool is served in both; the default module's text is listed
    assert tools["read_page"].description == "Read a documentation page."
    assert tools["read_page"].condition == (
        "PARTITION == 'global' or (PARTITION != 'global' and PARTITION == 'china') (on by default)"
    )
    assert tools["search"].condition == "PARTITION == 'global' (on by default)"
    assert tools["list_services"].condition == (
        "PARTITION != 'global' and PARTITION == 'china' (off by default)"
    )


GUARDS = '''
import os
from mcp.server.fastmcp import FastMCP

mcp = FastMCP("guards")
MODE = os.getenv("TOOL_MODE", "full")
LIMIT = 10


def register_admin(server):
    if not os.getenv("DISABLE_ADMIN"):
        @server.tool()
        def reset() -> str:
            """Reset everything."""
            return ""


if "EXPERIMENTS" in os.environ:
    @mcp.tool()
    def experiment() -> str:
        """Try an experiment."""
        return ""

if MODE in ("full", "all") and LIMIT > 5:
    @mcp.tool()
    def bulk_export() -> str:
        """Export everything."""
        return ""

if os.getenv("SAFE", "1") == "1":
    register_admin(mcp)

if settings.enabled:
    @mcp.tool()
    def undecided() -> str:
        """Depends on a settings object."""
        return ""

if not os.getenv("READ_ONLY"):
    @mcp.tool()
    def write() -> str:
        """Write."""
        return ""
else:
    @mcp.tool()
    def read() -> str:
        """Read."""
        return ""


def main():
    mcp.run()
'''


def test_guards_decided_from_unset_variables_defaults_and_constants():
    result = extract(server=GUARDS)
    assert {t.name: t.condition for t in result.tools} == {
        "reset": "os.getenv('SAFE', '1') == '1' and not os.getenv('DISABLE_ADMIN') (on by default)",
        "experiment": "'EXPERIMENTS' in os.environ (off by default)",
        "bulk_export": "MODE in ('full', 'all') and LIMIT > 5 (on by default)",
        "undecided": "settings.enabled",
        "write": "not os.getenv('READ_ONLY') (on by default)",
        "read": "os.getenv('READ_ONLY') (off by default)",
    }
