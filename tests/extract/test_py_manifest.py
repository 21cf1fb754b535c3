"""Entry points, module layouts and reachability of Python packages."""

from __future__ import annotations

from crawler.extract.py.manifest import find_entry_points, python_package_metadata
from crawler.extract.python import PythonExtractor
from crawler.files import PackageFiles
from mcp_domain import Completeness

SERVER = (
    "from mcp.server.fastmcp import FastMCP\n"
    "mcp = FastMCP('s')\n"
    "@mcp.tool()\n"
    "def {name}() -> str:\n"
    "    '''Tool {name}.'''\n"
    "    return ''\n"
)


def tool_module(name: str) -> bytes:
    return SERVER.replace("{name}", name).encode()


def names(package: PackageFiles) -> list[str]:
    return [t.name for t in PythonExtractor().extract(package).tools]


def test_pyproject_scripts_gui_scripts_plugin_entry_points_and_poetry():
    pyproject = b"""
[project]
name = "demo-mcp"
version = "2.0.0"
[project.scripts]
demo = "demo.cli:main"
[project.gui-scripts]
demo-gui = "demo.gui:run"
[project.entry-points."mcp.servers"]
demo = "demo.plugin:server [extra]"
[tool.poetry.scripts]
demo-poetry = "demo.poetry_cli:main"
"""
    package = PackageFiles(files={"pyproject.toml": pyproject})
    found = [(e.group, e.name, e.module, e.attr) for e in find_entry_points(package)]
    assert found == [
        ("console_scripts", "demo", "demo.cli", "main"),
        ("gui_scripts", "demo-gui", "demo.gui", "run"),
        ("mcp.servers", "demo", "demo.plugin", "server"),
        ("console_scripts", "demo-poetry", "demo.poetry_cli", "main"),
    ]
    meta = python_package_metadata(package)
    assert meta["name"] == "demo-mcp"
    assert meta["version"] == "2.0.0"
    assert [e["module"] for e in meta["entry_points"]] == [
        "demo.cli",
        "demo.gui",
        "demo.plugin",
        "demo.poetry_cli",
    ]


def test_wheel_layout_with_entry_points_txt_and_metadata():
    package = PackageFiles(
        files={
            "demo/__init__.py": b"",
            "demo/server.py": tool_module("from_wheel"),
            "demo/unused.py": tool_module("unused"),
            "demo-1.0.dist-info/entry_points.txt": b"[console_scripts]\ndemo = demo.server:main\n",
            "demo-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n",
        }
    )
    assert names(package) == ["from_wheel"]
    meta = python_package_metadata(package)
    assert (meta["name"], meta["version"]) == ("demo", "1.0")
    assert meta["entry_points"][0]["origin"] == "demo-1.0.dist-info/entry_points.txt"


def test_setup_cfg_entry_points_and_flat_layout():
    package = PackageFiles(
        files={
            "setup.cfg": b"[options.entry_points]\nconsole_scripts =\n    s = flat.app:main\n",
            "flat/__init__.py": b"",
            "flat/app.py": tool_module("flat_tool"),
            "flat/other.py": tool_module("not_reached"),
        }
    )
    assert names(package) == ["flat_tool"]


def test_dunder_main_of_top_level_package_is_an_entry_point():
    package = PackageFiles(
        files={
            "pkg/__init__.py": b"",
            "pkg/__main__.py": b"from pkg.srv import mcp\nmcp.run()\n",
            "pkg/srv.py": tool_module("via_main"),
            "pkg/dead.py": tool_module("dead"),
        }
    )
    result = PythonExtractor().extract(package)
    assert [t.name for t in result.tools] == ["via_main"]
    assert result.notes == []


def test_relative_and_function_level_imports_and_package_init():
    package = PackageFiles(
        files={
            "pyproject.toml": b'[project]\nname="r"\n[project.scripts]\nr = "r.sub.main:main"\n',
            "src/r/__init__.py": tool_module("from_root_init"),
            "src/r/sub/__init__.py": b"",
            "src/r/sub/main.py": (
                b"def main():\n    from .. import late\n    from ..deep import x\n"
            ),
            "src/r/late.py": tool_module("late_tool"),
            "src/r/deep/__init__.py": b"",
            "src/r/deep/x.py": tool_module("deep_tool"),
        }
    )
    assert names(package) == ["from_root_init", "late_tool", "deep_tool"]


def test_missing_entry_module_is_noted():
    package = PackageFiles(
        files={
            "pyproject.toml": b'[project]\nname="m"\n[project.scripts]\nm = "gone.cli:main"\n',
            "m/__init__.py": tool_module("fallback_tool"),
        }
    )
    result = PythonExtractor().extract(package)
    assert result.notes[0] == "entry point m = gone.cli:main is not in the package"
    # nothing reachable: the fallback reads every non-test module
    assert [t.name for t in result.tools] == ["fallback_tool"]
    assert result.notes[1] == "no entry points found; read all 1 modules outside tests and examples"


def test_fallback_skips_tests_and_examples():
    package = PackageFiles(
        files={
            "server.py": tool_module("real"),
            "tests/test_server.py": tool_module("in_tests"),
            "examples/demo.py": tool_module("in_examples"),
            "test_quick.py": tool_module("quick_test"),
        }
    )
    result = PythonExtractor().extract(package)
    assert [t.name for t in result.tools] == ["real"]
    assert result.completeness == Completeness.complete


def test_duplicate_tools_from_several_entry_points_kept_once_in_entry_order():
    pyproject = b'[project]\nname="d"\n[project.scripts]\na = "d.stdio:main"\nb = "d.http:main"\n'
    lowlevel = (
        b"from mcp.server import Server\nfrom mcp.types import Tool\n"
        b"from d.tools import TOOLS\nserver = Server('d')\n"
        b"@server.list_tools()\nasync def list_tools():\n    return TOOLS\n"
    )
    package = PackageFiles(
        files={
            "pyproject.toml": pyproject,
            "d/__init__.py": b"",
            "d/stdio.py": lowlevel,
            "d/http.py": lowlevel + b"\nEXTRA = 1\n",
            "d/tools.py": b"from mcp.types import Tool\nTOOLS = [Tool(name='one', "
            b"description='One.', inputSchema={'type': 'object'})]\n",
        }
    )
    result = PythonExtractor().extract(package)
    assert [(t.name, t.source.file, t.source.line) for t in result.tools] == [
        ("one", "d/tools.py", 2)
    ]
