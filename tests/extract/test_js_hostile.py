"""JavaScriptExtractor on hostile and odd input: it records, it never raises."""

from __future__ import annotations

import pytest
from test_javascript import load

from crawler.extract.javascript import JavaScriptExtractor
from crawler.files import PackageFiles
from mcp_domain import Completeness, ExtractionResult, FileSkip

DEPTH = 4_000


@pytest.fixture(scope="module")
def hostile() -> ExtractionResult:
    package = load("hostile")
    package.files["huge.js"] = b"// padding\n" + b"const x = 1;\n" * 2_000
    package.files["blob.js"] = b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 4
    package.files["deep.js"] = (
        b"export const DEEP = "
        + b"(" * DEPTH
        + b'"x"'
        + b")" * DEPTH
        + b";\nexport const ARR = "
        + b"[" * DEPTH
        + b"]" * DEPTH
        + b";\n"
    )
    package.files["latin1.js"] = 'export const LATIN = "caf\u00e9";\n'.encode("latin-1")
    return JavaScriptExtractor(max_source_bytes=20_000).extract(package)


def test_the_rest_of_the_package_is_still_read(hostile):
    names = [t.name for t in hostile.tools]
    assert names == ["survivor", "deep_tool", "latin_tool", "after_error"]
    assert hostile.tools[0].description == "Registered beside broken neighbours"


def test_registration_after_a_syntax_error_is_found_and_the_error_noted(hostile):
    tool = {t.name: t for t in hostile.tools}["after_error"]
    assert tool.description == "Still read after a syntax error"
    assert (tool.source.file, tool.source.line) == ("broken.js", 4)
    assert "broken.js: syntax errors (first near line 3); read what parsed" in hostile.notes


def test_huge_and_binary_files_are_skipped_with_reasons(hostile):
    assert FileSkip(file="huge.js", reason="larger than 20000 bytes (26011 bytes)") in (
        hostile.skipped
    )
    assert FileSkip(file="blob.js", reason="binary content (NUL bytes)") in hostile.skipped
    assert len(hostile.skipped) == 2


def test_deep_nesting_gives_up_on_that_value_only(hostile):
    tool = {t.name: t for t in hostile.tools}["deep_tool"]
    assert tool.description == ""
    assert hostile.completeness is Completeness.partial
    assert (
        "index.js:9: description of tool 'deep_tool' not resolved (expression nested too deeply)"
        in hostile.notes
    )


def test_non_utf8_source_is_read_with_replacement(hostile):
    tool = {t.name: t for t in hostile.tools}["latin_tool"]
    assert tool.description == "caf\ufffd"
    assert "latin1.js: not valid UTF-8; read with replacement characters" in hostile.notes


def test_nothing_javascript_gives_an_empty_result_without_notes():
    package = PackageFiles(files={"setup.py": b"print('hi')\n", "README.md": b"# x\n"})
    assert JavaScriptExtractor().extract(package) == ExtractionResult()


def test_package_without_registrations_is_unknown_with_a_reason():
    package = PackageFiles(
        files={
            "package.json": b'{"name": "plain", "main": "lib/main.js"}',
            "lib/main.js": b"module.exports = function add(a, b) { return a + b; };\n",
        }
    )
    result = JavaScriptExtractor().extract(package)
    assert result.tools == []
    assert result.completeness is Completeness.unknown
    assert result.notes == [
        "no tool registration found in 1 reachable file(s) from lib/main.js; tools may be "
        "defined by a dependency or built at run time"
    ]


@pytest.mark.parametrize(
    "manifest",
    [b"[1, 2, 3]", b"{not json", b"\xff\xfe\x00garbage", b'{"bin": {"x": 5}, "exports": [[[]]]}'],
)
def test_bad_package_json_never_raises(manifest):
    package = PackageFiles(files={"package.json": manifest})
    result = JavaScriptExtractor().extract(package)
    assert result.tools == []
    assert result.completeness is Completeness.unknown
    assert result.notes[-1] == "no entry point: package.json names none and no index file exists"


def test_missing_entry_file_is_noted():
    package = PackageFiles(files={"package.json": b'{"name": "gone", "bin": "dist/cli.js"}'})
    result = JavaScriptExtractor().extract(package)
    assert "entry point dist/cli.js named in package.json is not in the package" in result.notes


def test_circular_imports_and_self_reference_terminate():
    package = PackageFiles(
        files={
            "package.json": b'{"main": "a.js"}',
            "a.js": b'import { B } from "./b.js";\nexport const A = B;\n'
            b"const LOOP = LOOP + 1;\n"
            b'server.registerTool(A, { description: "cyclic" }, () => {});\n',
            "b.js": b'import { A } from "./a.js";\nexport const B = A;\n',
        }
    )
    result = JavaScriptExtractor().extract(package)
    assert result.tools == []
    assert result.completeness is Completeness.partial
    assert result.notes == ["a.js:4: tool name not resolved (circular definition)"]
