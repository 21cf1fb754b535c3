"""Descriptions as each framework serves them: SDK (whole docstring), standalone
fastmcp 3.x (split on documented parameters) and 4.x (split on any section)."""

from __future__ import annotations

from crawler.extract.py.docstrings import FASTMCP3, FASTMCP4, FULL, served_description
from crawler.extract.py.framework import fastmcp_rule
from crawler.extract.python import PythonExtractor
from crawler.files import PackageFiles

GOOGLE = """Search pages by text.

More detail on a second paragraph.

Args:
    query: Words to look for.
    limit: At most this many.

Returns:
    A JSON list."""

RETURNS_ONLY = """List the spaces.

Returns:
    A JSON list of spaces."""


def test_google_args_split_in_fastmcp_3_and_4_but_not_in_the_sdk():
    summary = "Search pages by text.\n\nMore detail on a second paragraph."
    assert served_description(GOOGLE, FASTMCP3) == summary
    assert served_description(GOOGLE, FASTMCP4) == summary
    assert served_description(GOOGLE, FULL) == GOOGLE


def test_returns_only_splits_from_fastmcp_4_on():
    assert served_description(RETURNS_ONLY, FASTMCP3) == RETURNS_ONLY
    assert served_description(RETURNS_ONLY, FASTMCP4) == "List the spaces."


def test_a_title_without_blank_line_above_or_indented_block_is_text():
    glued = "Do it.\nArgs:\n    x: a value."
    assert served_description(glued, FASTMCP4) == glued
    no_block = "Do it.\n\nNote: plain text after a colon."
    assert served_description(no_block, FASTMCP4) == no_block


def test_admonition_counts_as_section_in_4_only():
    doc = "Delete a page.\n\nWarning:\n    This cannot be undone."
    assert served_description(doc, FASTMCP4) == "Delete a page."
    assert served_description(doc, FASTMCP3) == doc


def test_sphinx_and_numpy_parameters():
    sphinx = "Add numbers.\n\n:param a: first\n:param b: second"
    assert served_description(sphinx, FASTMCP3) == "Add numbers."
    numpy = "Add numbers.\n\nParameters\n----------\na : int\n    first"
    assert served_description(numpy, FASTMCP3) == "Add numbers."


def pyproject(deps: str) -> PackageFiles:
    text = f'[project]\nname = "x"\ndependencies = [{deps}]\n'
    return PackageFiles(files={"pyproject.toml": text.encode()})


def test_rule_follows_the_highest_allowed_fastmcp_major():
    assert fastmcp_rule(pyproject('"fastmcp>=3.2.4,<4.0.0"')) == FASTMCP3
    assert fastmcp_rule(pyproject('"fastmcp>=2.10"')) == FASTMCP4
    assert fastmcp_rule(pyproject('"fastmcp>=2.7,<3"')) == FULL
    assert fastmcp_rule(pyproject('"fastmcp==2.13.3"')) == FULL
    assert fastmcp_rule(pyproject('"fastmcp~=3.1"')) == FASTMCP3
    assert fastmcp_rule(pyproject('"fastmcp-slim<2", "fastmcp>=4.1"')) == FASTMCP4
    metadata = b"Metadata-Version: 2.1\nName: x\nRequires-Dist: fastmcp<4.0.0,>=3.2.4\n"
    assert fastmcp_rule(PackageFiles(files={"x-1.dist-info/METADATA": metadata})) == FASTMCP3


SERVER = '''
from fastmcp import FastMCP

mcp = FastMCP("pages")


@mcp.tool()
def search(query: str, limit: int = 10) -> str:
    """Search pages by text.

    Args:
        query: Words to look for.
        limit: At most this many.
    """
    return ""


@mcp.tool(description="Given outright.\\n\\nArgs:\\n    kept: as written.")
def explicit() -> str:
    return ""
'''

SDK_SERVER = SERVER.replace("from fastmcp import FastMCP", "from mcp.server.fastmcp import FastMCP")


def package(server: str, deps: str) -> PackageFiles:
    manifest = (
        f'[project]\nname = "pages"\ndependencies = [{deps}]\n'
        '[project.scripts]\npages = "pages.server:main"\n'
    )
    return PackageFiles(
        files={
            "pyproject.toml": manifest.encode(),
            "pages/__init__.py": b"",
            "pages/server.py": server.encode(),
        }
    )


def test_extracted_descriptions_follow_the_framework():
    standalone = PythonExtractor().extract(package(SERVER, '"fastmcp>=3.2,<4"'))
    by_name = {t.name: t.description for t in standalone.tools}
    assert by_name["search"] == "Search pages by text."
    assert by_name["explicit"] == "Given outright.\n\nArgs:\n    kept: as written."
    old = PythonExtractor().extract(package(SERVER, '"fastmcp>=2.3,<3"'))
    assert old.tools[0].description.startswith("Search pages by text.\n\nArgs:\n    query:")
    sdk = PythonExtractor().extract(package(SDK_SERVER, '"mcp>=1.9"'))
    assert "Args:\n    query: Words to look for." in sdk.tools[0].description
