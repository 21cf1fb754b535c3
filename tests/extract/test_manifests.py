from __future__ import annotations

import json

from crawler.extract.manifests import manifest_tools, server_metadata
from crawler.extract.package import extract_package
from crawler.extract.python import PythonExtractor
from crawler.files import PackageFiles
from mcp_domain import Completeness


def _package(files: dict[str, str]) -> PackageFiles:
    return PackageFiles(files={k: v.encode() for k, v in files.items()})


MANIFEST = {
    "manifest_version": "0.2",
    "name": "hinted",
    "server": {"type": "node", "entry_point": "server/index.js"},
    "tools": [{"name": "lookup_word", "description": "Look a word up."}, {"name": ""}, "junk"],
}


def test_manifest_tools_are_a_marked_last_resort():
    package = _package({"manifest.json": json.dumps(MANIFEST)})
    result = extract_package(package, extractors=[])
    assert [t.name for t in result.tools] == ["lookup_word"]
    assert result.tools[0].pattern == "manifest.mcpb"
    assert result.completeness is Completeness.unknown
    assert "unverified" in result.notes[0]


def test_manifest_is_ignored_when_code_defines_tools():
    class OneTool:
        language = "fake"

        def extract(self, package):
            from mcp_domain import ExtractionResult, ToolDefinition

            return ExtractionResult(
                tools=[ToolDefinition(name="from_code")], completeness=Completeness.complete
            )

    result = extract_package(
        _package({"manifest.json": json.dumps(MANIFEST)}), extractors=[OneTool()]
    )
    assert [t.name for t in result.tools] == ["from_code"]
    assert result.completeness is Completeness.complete


def test_broken_or_unrelated_manifests():
    assert manifest_tools(_package({"manifest.json": "{broken"})).tools == []
    assert (
        manifest_tools(_package({"manifest.json": '{"tools": [{"name": "x"}]}'})).tools == []
    )  # no "server"
    assert manifest_tools(_package({"manifest.json": "[" * 100000})).tools == []


def test_server_metadata():
    package = _package({
        "package.json": '{"name": "x", "mcpName": "io.test/x"}',
        "server.json": '{"name": "io.test/x", "description": "An x server", "version": "1.2.0"}',
        "smithery.yaml": "# comment\nruntime: typescript\nstartCommand:\n  type: stdio\n",
    })  # fmt: skip
    assert server_metadata(package) == {
        "mcpName": "io.test/x",
        "server.json:name": "io.test/x",
        "server.json:description": "An x server",
        "server.json:version": "1.2.0",
        "smithery:runtime": "typescript",
    }


def test_an_extractor_that_crashes_loses_only_its_language():
    class Crashing:
        language = "broken"

        def extract(self, package):
            raise RuntimeError("bug")

    result = extract_package(_package({"a.txt": "x"}), extractors=[Crashing()])
    assert result.tools == []
    assert "broken extraction stopped: RuntimeError: bug" in result.skipped[0].reason


def test_a_stopped_language_makes_the_other_languages_list_partial():
    class Crashing:
        language = "broken"

        def extract(self, package):
            raise RuntimeError("bug")

    source = (
        "from mcp.server.fastmcp import FastMCP\n"
        "mcp = FastMCP('x')\n\n"
        "@mcp.tool()\n"
        "def ping() -> str:\n"
        "    return 'pong'\n"
    )
    files = {
        "pyproject.toml": "[project]\nname='x'\n",
        "x/__init__.py": "",
        "x/__main__.py": source,
    }
    alone = extract_package(_package(files), extractors=[PythonExtractor()])
    both = extract_package(_package(files), extractors=[PythonExtractor(), Crashing()])
    assert [t.name for t in both.tools] == ["ping"]
    assert alone.completeness is Completeness.complete
    assert both.completeness is Completeness.partial
    assert "broken extraction stopped: RuntimeError: bug" in both.notes
