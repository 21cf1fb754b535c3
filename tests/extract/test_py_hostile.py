"""Hostile input: every bad file is skipped with a reason, the rest is still read."""

from __future__ import annotations

from pathlib import Path

from crawler.extract.python import PythonExtractor
from crawler.files import PackageFiles
from mcp_domain import Completeness

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "python" / "hostile"

TOOL_MODULE = (
    b"from hostile_mcp.server import mcp\n\n@mcp.tool()\ndef %s() -> str:\n    return ''\n"
)


def hostile_package() -> PackageFiles:
    files = {
        path.relative_to(FIXTURE).as_posix(): path.read_bytes()
        for path in sorted(FIXTURE.rglob("*"))
        if path.is_file()
    }
    # Generated here rather than stored: 100k additions and a 3 MB file.
    files["hostile_mcp/deep.py"] = b"X = " + b"1 + " * 100_000 + b"1\n" + TOOL_MODULE % b"deep_tool"
    files["hostile_mcp/huge.py"] = TOOL_MODULE % b"huge_tool" + b"# padding\n" * 300_000
    return PackageFiles(files=files)


def skips(result) -> dict[str, str]:
    return {skip.file: skip.reason for skip in result.skipped}


def test_each_bad_file_is_skipped_and_the_server_still_read():
    result = PythonExtractor().extract(hostile_package())
    assert [t.name for t in result.tools] == ["ping"]
    assert result.tools[0].description == "Answer with the same message."
    assert result.completeness == Completeness.complete
    reasons = skips(result)
    assert set(reasons) == {
        "hostile_mcp/broken.py",
        "hostile_mcp/deep.py",
        "hostile_mcp/huge.py",
        "hostile_mcp/latin.py",
    }
    assert reasons["hostile_mcp/broken.py"].startswith("syntax error at line 7")
    assert reasons["hostile_mcp/latin.py"].startswith("not UTF-8 text")
    assert "byte limit" in reasons["hostile_mcp/huge.py"]
    assert reasons["hostile_mcp/deep.py"]  # RecursionError or depth limit, but a reason


def test_size_limit_is_configurable():
    package = hostile_package()
    package.files["hostile_mcp/huge.py"] = TOOL_MODULE % b"huge_tool"
    small = PythonExtractor(max_source_bytes=100).extract(package)
    assert "hostile_mcp/server.py" in skips(small)
    assert small.tools == []
    roomy = PythonExtractor().extract(package)
    # server.py imports huge.py before its own body runs
    assert [t.name for t in roomy.tools] == ["huge_tool", "ping"]


def test_deeply_nested_parentheses_and_brackets():
    package = hostile_package()
    package.files["hostile_mcp/deep.py"] = b"X = " + b"(" * 5000 + b"1" + b")" * 5000 + b"\n"
    package.files["hostile_mcp/huge.py"] = b"Y = " + b"[" * 180 + b"]" * 180 + b"\n"
    result = PythonExtractor().extract(package)
    assert [t.name for t in result.tools] == ["ping"]
    assert {"hostile_mcp/deep.py", "hostile_mcp/huge.py"} <= set(skips(result))


def test_binary_file_and_long_name_chain():
    chain = "".join(f"N{i} = N{i - 1}\n" for i in range(1, 3000))
    source = (
        "from mcp.server.fastmcp import FastMCP\n"
        "mcp = FastMCP('x')\n"
        "N0 = 'chained'\n" + chain + "@mcp.tool(name=N2999)\n"
        "def far() -> str:\n"
        "    return ''\n"
        "@mcp.tool(name=N3)\n"
        "def near() -> str:\n"
        "    return ''\n"
    )
    package = PackageFiles(
        files={
            "pyproject.toml": b'[project]\nname="x"\n[project.scripts]\nx = "x.server:main"\n',
            "x/__init__.py": b"\x00\x01binary\xff",
            "x/server.py": source.encode(),
        }
    )
    result = PythonExtractor().extract(package)
    assert skips(result) == {"x/__init__.py": "binary file (contains NUL bytes)"}
    # The far end of the chain is beyond the evaluator's depth: partial, not a crash.
    assert [t.name for t in result.tools] == ["far", "chained"]
    assert result.completeness == Completeness.partial
    assert result.notes[0].startswith("x/server.py:")


def test_import_cycles_and_self_references_terminate():
    package = PackageFiles(
        files={
            "pyproject.toml": b'[project]\nname="c"\n[project.scripts]\nc = "c.a:main"\n',
            "c/__init__.py": b"",
            "c/a.py": b"from c.b import NAME, TOOLS\nfrom c import a\nX = X + [1]\n",
            "c/b.py": (
                b"from mcp.server import Server\nfrom mcp.types import Tool\n"
                b"from c.a import NAME\nTOOLS = TOOLS + []\nserver = Server('c')\n"
                b"@server.list_tools()\nasync def handler():\n    return TOOLS\n"
            ),
        }
    )
    result = PythonExtractor().extract(package)
    assert result.tools == []
    assert result.completeness == Completeness.unknown


def test_garbage_manifest_does_not_raise():
    package = PackageFiles(
        files={
            "pyproject.toml": b"[project\nname = ",
            "setup.cfg": b"[options.entry_points\n==",
            "pkg/__init__.py": b"from mcp.server.fastmcp import FastMCP\nmcp = FastMCP()\n"
            b"@mcp.tool()\ndef hi() -> str:\n    return ''\n",
        }
    )
    result = PythonExtractor().extract(package)
    assert [t.name for t in result.tools] == ["hi"]
    assert result.notes == ["no entry points found; read all 1 modules outside tests and examples"]


def test_helper_chains_fanned_out_and_cyclic_finish_quickly():
    import time

    # 40 helpers, each calling the next one 30 times under a guard, the last one
    # registering on its parameter; helper 0 calls the last one back (a cycle).
    lines = ["import os", "import mcp.types", "from s.app import mcp"]
    for i in range(40):
        lines.append(f"def h{i}(server, flag=False):")
        if i == 39:
            lines += ["    @server.tool()", "    def leaf() -> str:", "        return ''"]
            lines.append("    h0(server)")
        else:
            lines += [f"    if flag:\n        h{i + 1}(server, flag)" for _ in range(30)]
    lines.append("h0(mcp, os.getenv('X'))")
    files = {
        "pyproject.toml": b'[project]\nname="s"\n[project.scripts]\ns = "s.helpers:main"\n',
        "s/__init__.py": b"",
        "s/app.py": b"from mcp.server.fastmcp import FastMCP\nmcp = FastMCP('s')\n",
        "s/helpers.py": "\n".join(lines).encode(),
    }
    started = time.perf_counter()
    result = PythonExtractor().extract(PackageFiles(files=files))
    assert time.perf_counter() - started < 10
    assert [t.name for t in result.tools] == ["leaf"]
    assert result.tools[0].condition is not None
