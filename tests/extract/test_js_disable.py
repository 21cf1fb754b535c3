"""Tools registered and then hidden with `handle.disable()` under a guard."""

from __future__ import annotations

from crawler.extract.javascript import JavaScriptExtractor
from crawler.extract.js.disabling import combine
from crawler.files import PackageFiles
from tests.extract.fixture_files import fixture_loader

load = fixture_loader("js")
HIDDEN = "not (handler.disabled)"


def extract(package: PackageFiles):
    return JavaScriptExtractor().extract(package)


def one_file(source: str) -> dict:
    package = PackageFiles(
        files={"package.json": b'{"main": "index.js"}', "index.js": source.encode()}
    )
    return {t.name: t for t in extract(package).tools}


def test_disable_guard_is_decided_per_tool_with_option_defaults():
    result = extract(load("disable_gate"))
    tools = {t.name: t for t in result.tools}
    assert sorted(tools) == ["install_extension", "list_requests", "take_snapshot"]
    assert tools["take_snapshot"].condition == f"{HIDDEN} (on by default)"
    # categoryNetwork defaults to true; categoryExtensions has no default (undefined).
    assert tools["list_requests"].condition == f"{HIDDEN} (on by default)"
    assert tools["install_extension"].condition == f"{HIDDEN} (off by default)"
    assert tools["install_extension"].input_schema == {
        "type": "object",
        "properties": {
            "path": {"type": "string", "description": "Folder of the unpacked extension."}
        },
        "required": ["path"],
    }


def test_server_tool_handle_disabled_by_env_guard_is_off_by_default():
    tools = one_file(
        "const server = new McpServer({name: 'x', version: '1'});\n"
        "const dump = server.tool('dump_db', 'Dump the database', async () => ({content: []}));\n"
        "server.tool('ping', 'Answer pong', async () => ({content: []}));\n"
        "if (!process.env.ALLOW_DUMP) dump.disable();\n"
    )
    assert tools["dump_db"].condition == "not (!process.env.ALLOW_DUMP) (off by default)"
    assert tools["ping"].condition is None


def test_unguarded_disable_hides_the_tool_by_default():
    tools = one_file(
        "const server = new McpServer({name: 'x', version: '1'});\n"
        "const later = server.registerTool('later', {description: 'Later'}, async () => ({}));\n"
        "later.disable();\n"
    )
    assert tools["later"].condition == "enabled later at run time (off by default)"


def test_undecided_guard_keeps_the_plain_negation():
    tools = one_file(
        "const server = new McpServer({name: 'x', version: '1'});\n"
        "export function setup(flags) {\n"
        "  const t = server.registerTool('beta', {description: 'Beta'}, async () => ({}));\n"
        "  if (flags.beta !== true) { t.disable(); }\n"
        "}\n"
    )
    assert tools["beta"].condition == "not (flags.beta !== true)"


def test_disable_of_another_handle_is_ignored():
    tools = one_file(
        "const server = new McpServer({name: 'x', version: '1'});\n"
        "const a = server.registerTool('a', {description: 'A'}, async () => ({}));\n"
        "const b = server.registerTool('b', {description: 'B'}, async () => ({}));\n"
        "b.disable();\n"
    )
    assert tools["a"].condition is None
    assert tools["b"].condition == "enabled later at run time (off by default)"


def test_combine_with_an_existing_condition():
    assert combine("mode (on by default)", "gate", False) == "mode and not (gate) (on by default)"
    assert combine("mode (on by default)", "gate", True) == "mode and not (gate) (off by default)"
    assert combine("mode (off by default)", "gate", False) == "mode and not (gate) (off by default)"
    assert combine("mode", "gate", False) == "mode and not (gate)"
    assert combine(None, "gate", None) == "not (gate)"
