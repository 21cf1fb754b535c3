"""Servers that register a chosen subset of a tool catalogue: the catalogue recovered from
a bundle's source map, workspace package imports inside it, and filters decided per tool."""

from __future__ import annotations

from crawler.extract.javascript import JavaScriptExtractor
from crawler.extract.js.evaluate import Evaluator
from crawler.extract.js.modules import build_module
from crawler.extract.js.parsing import parse_file
from crawler.extract.js.resolve import resolve_import
from crawler.extract.js.values import PartialText, Unresolved
from crawler.files import PackageFiles
from tests.extract.fixture_files import fixture_loader

load = fixture_loader("js")
DIRECT = "({ isDirect }) => isDirect"


def exported(source: str, name: str):
    data = source.encode()
    module = build_module(parse_file("a.js", data, 100_000).parsed, {"a.js": data})
    return Evaluator({"a.js": module}).export_value("a.js", name)


def test_catalogue_in_source_map_serves_only_its_direct_tools_by_default():
    result = JavaScriptExtractor().extract(load("sourcemap_catalogue"))
    tools = {t.name: t for t in result.tools}
    assert sorted(tools) == [
        "find_desk_tools",
        "find_tickets",
        "merge_tickets",
        "run_desk_tool",
        "update_ticket",
    ]
    on = [n for n, t in tools.items() if t.condition == f"{DIRECT} (on by default)"]
    assert sorted(on) == ["find_desk_tools", "find_tickets", "run_desk_tool", "update_ticket"]
    # Only reachable through the router tools; both registration sites leave it out.
    assert tools["merge_tickets"].condition.endswith("(off by default)")
    assert result.completeness.value == "complete"


def test_description_function_is_called_with_the_context_it_is_given():
    tools = {t.name: t for t in JavaScriptExtractor().extract(load("sourcemap_catalogue")).tools}
    assert tools["update_ticket"].description == "Update a ticket found with find_tickets."
    assert tools["update_ticket"].input_schema == {
        "type": "object",
        "properties": {
            "ticketId": {"type": "string", "description": "Ticket to change."},
            "status": {"type": "string", "enum": ["open", "closed"]},
        },
        "required": ["ticketId"],
    }


def test_workspace_package_import_resolves_inside_recovered_sources_only():
    files = {
        "__sourcemap__/dist/index.js/src/index.ts",
        "__sourcemap__/dist/index.js/desk-core/dist/server.js",
        "__sourcemap__/dist/index.js/desk-core/src/util.ts",
        "desk-core/dist/server.js",
    }
    importer = "__sourcemap__/dist/index.js/src/index.ts"
    assert resolve_import(importer, "@acme/desk-core/server", files) == (
        "__sourcemap__/dist/index.js/desk-core/dist/server.js"
    )
    assert resolve_import(importer, "desk-core/util", files) == (
        "__sourcemap__/dist/index.js/desk-core/src/util.ts"
    )
    assert resolve_import(importer, "@acme/other/server", files) is None
    assert resolve_import(importer, "@acme/desk-core/../../x", files) is None
    # Outside recovered sources a package import is never a file of the package.
    assert resolve_import("src/index.ts", "desk-core/dist/server", files) is None


def test_filter_is_decided_per_element_when_its_test_can_be_read():
    source = (
        "const direct = new Set(['a', 'c']);\n"
        "const all = [{ name: 'a' }, { name: 'b' }, { name: 'c', hidden: process.env.HIDE }];\n"
        "export const listed = all.filter((t) => direct.has(t.name));\n"
        "export const unknown = all.filter((t) => t.name === someGlobal);\n"
    )
    listed = exported(source, "listed")
    test = "(t) => direct.has(t.name)"
    assert [(t["name"], t.condition) for t in listed] == [
        ("a", f"{test} (on by default)"),
        ("b", f"{test} (off by default)"),
        ("c", f"{test} (on by default)"),
    ]
    unknown = exported(source, "unknown")
    assert [t.condition for t in unknown] == ["(t) => t.name === someGlobal"] * 3


def test_set_has_is_unknown_when_the_set_was_filled_from_an_unknown_list():
    source = (
        "const known = new Set(['x']);\n"
        "const fromArgs = new Set(process.argv);\n"
        "export const a = [known.has('x'), known.has('y')];\n"
        "export const b = fromArgs.has('y');\n"
    )
    assert exported(source, "a") == [True, False]
    assert isinstance(exported(source, "b"), Unresolved)


def test_typeof_and_not_of_objects():
    source = (
        "function describe(d, ctx) { return typeof d === 'function' ? d(ctx) : d; }\n"
        "export const a = describe((c) => `for ${c.who}`, { who: 'me' });\n"
        "export const b = describe('plain', {});\n"
        "export const c = [typeof undefined, typeof null, typeof 3, !{}, ![], !!{ a: 1 }];\n"
        "export const d = typeof someGlobal;\n"
    )
    assert exported(source, "a") == "for me"
    assert exported(source, "b") == "plain"
    assert exported(source, "c") == ["undefined", "object", "number", False, False, True]
    assert isinstance(exported(source, "d"), Unresolved)


def test_registration_loop_read_per_element_under_each_caller():
    source = (
        "const server = new McpServer({ name: 'x', version: '1' });\n"
        "function plan(prefix) {\n"
        "    return ['one', 'two'].map((n) => ({ name: `${prefix}_${n}`, text: `Do ${n}` }));\n"
        "}\n"
        "function install(prefix) {\n"
        "    for (const { name, text } of plan(prefix)) {\n"
        "        server.registerTool(name, { description: text }, async () => ({}));\n"
        "    }\n"
        "}\n"
        "install('files');\n"
        "install('notes');\n"
    )
    package = PackageFiles(
        files={"package.json": b'{"main": "index.js"}', "index.js": source.encode()}
    )
    tools = {t.name: t.description for t in JavaScriptExtractor().extract(package).tools}
    assert tools == {
        "files_one": "Do one",
        "files_two": "Do two",
        "notes_one": "Do one",
        "notes_two": "Do two",
    }


def test_a_tool_registered_twice_keeps_the_registration_on_by_default():
    source = (
        "const server = new McpServer({ name: 'x', version: '1' });\n"
        "export function start(mode = 'classic') {\n"
        "    if (mode === 'next') {\n"
        "        server.registerTool('ping', { description: 'Ping (next)' }, async () => ({}));\n"
        "        return;\n"
        "    }\n"
        "    server.registerTool('ping', { description: 'Ping' }, async () => ({}));\n"
        "}\n"
    )
    package = PackageFiles(
        files={"package.json": b'{"main": "index.js"}', "index.js": source.encode()}
    )
    tools = JavaScriptExtractor().extract(package).tools
    assert [(t.name, t.description) for t in tools] == [("ping", "Ping")]


def test_ternary_on_an_object_and_join_of_partly_known_text():
    source = (
        "const direct = new Set(['peek']);\n"
        "function isDirect(name, names) { return names ? names.has(name) : false; }\n"
        "export const a = [isDirect('peek', direct), isDirect('poke', direct)];\n"
        "export const b = ['Read the page.', `Then call ${someTool()}.`].join('\\n');\n"
    )
    assert exported(source, "a") == [True, False]
    joined = exported(source, "b")
    assert joined == "Read the page.\nThen call ${…}."
    assert isinstance(joined, PartialText) and joined.reason
