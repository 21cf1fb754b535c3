"""A package whose server is a compiled program says so instead of showing no tools."""

from __future__ import annotations

from crawler.archive import ArchiveLimits, unpack_bytes
from crawler.extract.package import extract_package
from mcp_domain import Completeness
from tests.extract.gobinary_builder import wheel

ENTRY_POINTS = b"[console_scripts]\ndash-mcp = dash_mcp:main\n"
LAUNCHER = (
    b"import os, sys\n"
    b"def main():\n"
    b"    here = os.path.dirname(__file__)\n"
    b"    os.execv(os.path.join(here, 'bin', 'dash-mcp'), sys.argv)\n"
)


def test_wheel_wrapping_a_binary_is_unknown_with_the_reason():
    data = wheel(
        {
            "dash_mcp/__init__.py": LAUNCHER,
            "dash_mcp/bin/dash-mcp": b"\x7fELF\x02\x01\x01" + b"\x00" * 4000,
            "dash_mcp-1.0.dist-info/entry_points.txt": ENTRY_POINTS,
        }
    )
    package = unpack_bytes(
        data,
        "dash_mcp-1.0-py3-none-manylinux_2_17_x86_64.whl",
        ArchiveLimits(max_other_file_bytes=1000),
    )
    result = extract_package(package)
    assert result.tools == []
    assert result.completeness is Completeness.unknown
    assert result.notes[0].startswith(
        "the server ships as a compiled executable (dash_mcp/bin/dash-mcp)"
    )


def test_small_kept_executable_is_noticed_too():
    data = wheel({"tiny/__init__.py": b"", "tiny/bin/tiny": b"\xcf\xfa\xed\xfe" + b"\x00" * 64})
    result = extract_package(unpack_bytes(data, "tiny-1.0-py3-none-any.whl"))
    # The lone top folder is stripped, as for every archive.
    assert "compiled executable (bin/tiny)" in result.notes[0]


def test_tools_found_in_code_are_not_overruled_by_a_bundled_helper_binary():
    server = (
        b"from mcp.server.fastmcp import FastMCP\n"
        b"mcp = FastMCP('demo')\n"
        b"@mcp.tool()\n"
        b"def ping() -> str:\n"
        b"    '''Answer pong.'''\n"
        b"    return 'pong'\n"
        b"def main():\n"
        b"    mcp.run()\n"
    )
    data = wheel(
        {
            "demo/__init__.py": server,
            "demo/bin/helper": b"\x7fELF" + b"\x00" * 64,
            "demo-1.0.dist-info/entry_points.txt": b"[console_scripts]\ndemo = demo:main\n",
        }
    )
    result = extract_package(unpack_bytes(data, "demo-1.0-py3-none-any.whl"))
    assert [t.name for t in result.tools] == ["ping"]
    assert not any("compiled executable" in n for n in result.notes)
