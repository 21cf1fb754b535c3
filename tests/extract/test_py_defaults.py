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


CLICK_CLI = """
import click
from s.app import create_server


@click.command()
@click.option("--allow-switch-databases", is_flag=True, envvar="ALLOW_SWITCH")
@click.option("--mode", "mode_name", default="query")
@click.option("--read-only/--read-write", default=True)
def main(allow_switch_databases: bool, mode_name: str, read_only: bool) -> None:
    create_server(allow_switch=allow_switch_databases, mode=mode_name, read_only=read_only)
"""

CLICK_APP = '''
from mcp.server.fastmcp import FastMCP


def create_server(allow_switch: bool, mode: str, read_only: bool = False, verbose=None):
    mcp = FastMCP("db")

    @mcp.tool()
    def query(sql: str) -> str:
        """Run a query."""
        return ""

    if allow_switch:
        @mcp.tool()
        def switch_database(path: str) -> str:
            """Switch to another database."""
            return ""

    if mode == "query" and read_only:
        @mcp.tool()
        def explain(sql: str) -> str:
            """Explain a query."""
            return ""

    if verbose:
        @mcp.tool()
        def trace() -> str:
            """Trace."""
            return ""
    return mcp
'''


def test_helper_parameters_followed_to_click_option_defaults():
    files = {
        "pyproject.toml": b'[project]\nname="s"\n[project.scripts]\ns = "s.cli:main"\n',
        "s/__init__.py": b"",
        "s/cli.py": CLICK_CLI.encode(),
        "s/app.py": CLICK_APP.encode(),
    }
    result = PythonExtractor().extract(PackageFiles(files=files))
    assert {t.name: t.condition for t in result.tools} == {
        "query": None,
        "switch_database": "allow_switch (off by default)",  # a flag without default
        "explain": "mode == 'query' and read_only (on by default)",  # named "mode_name"
        "trace": "verbose (off by default)",  # not passed: the Python default
    }


ARGPARSE_CLI = """
import argparse
import os
from s.tools import Settings, register_all, register_macros, register_wide
from mcp.server.fastmcp import FastMCP

mcp = FastMCP("sheets")


def _parser():
    parser = argparse.ArgumentParser(prog="sheets")
    parser.add_argument("--allow-macros", action="store_true")
    group = parser.add_argument_group("limits")
    group.add_argument("--max-rows", type=int, default=1000)
    return parser


def _settings(args):
    return Settings(
        allow_macros=args.allow_macros or os.environ.get("SHEETS_ALLOW_MACROS") == "1",
        max_rows=args.max_rows,
    )


def main():
    args = _parser().parse_args()
    settings = _settings(args)
    register_all(mcp, settings)
    if settings.allow_macros:
        register_macros(mcp)
    if settings.max_rows > 100:
        register_wide(mcp)
    mcp.run()
"""

ARGPARSE_TOOLS = '''
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    allow_macros: bool = False
    max_rows: int = 10


def register_all(server, settings: Settings):
    @server.tool()
    def read_sheet(name: str) -> str:
        """Read a sheet."""
        return ""


def register_wide(server):
    @server.tool()
    def read_wide(name: str) -> str:
        """Read a wide sheet."""
        return ""


def register_macros(server):
    @server.tool()
    def write_macro(code: str) -> str:
        """Write a macro module."""
        return ""
'''


def test_argparse_defaults_and_settings_objects_decide_a_guard():
    files = {
        "pyproject.toml": b'[project]\nname="s"\n[project.scripts]\ns = "s.cli:main"\n',
        "s/__init__.py": b"",
        "s/cli.py": ARGPARSE_CLI.encode(),
        "s/tools.py": ARGPARSE_TOOLS.encode(),
    }
    result = PythonExtractor().extract(PackageFiles(files=files))
    assert {t.name: t.condition for t in result.tools} == {
        "read_sheet": None,
        # `or` of an unset flag and an unset variable; the parser's default, not the class's
        "write_macro": "settings.allow_macros (off by default)",
        "read_wide": "settings.max_rows > 100 (on by default)",
    }


def test_same_named_helper_of_another_module_called_in_a_loop_keeps_the_guard():
    server = """
import os
from mcp.server.fastmcp import FastMCP
from s import basic_tools, extra_tools

TOOL_MODULES = (basic_tools,)
ENABLE_EXTRA = os.getenv("ENABLE_EXTRA")


def main():
    mcp = FastMCP("areas")
    for module in TOOL_MODULES:
        module.register(mcp)
    if ENABLE_EXTRA:
        extra_tools.register(mcp)
    mcp.run()
"""
    template = '''
def register(server):
    @server.tool()
    def {name}() -> str:
        """{name}."""
        return ""
'''
    result = extract(
        server=server,
        basic_tools=template.format(name="basic"),
        extra_tools=template.format(name="extra"),
    )
    assert {t.name: t.condition for t in result.tools} == {
        "basic": None,
        "extra": "ENABLE_EXTRA (off by default)",
    }
