"""Registration patterns and value folding of the JavaScript extractor, on inline packages."""

from __future__ import annotations

import json

from crawler.extract.javascript import JavaScriptExtractor
from crawler.extract.js.manifest import package_metadata
from crawler.files import PackageFiles
from mcp_domain import Completeness


def package(manifest: dict | None, **sources: str) -> PackageFiles:
    files = {name.replace("__", "/"): code.encode() for name, code in sources.items()}
    if manifest is not None:
        files["package.json"] = json.dumps(manifest).encode()
    return PackageFiles(files=files)


def extract(manifest: dict | None, **sources: str):
    return JavaScriptExtractor().extract(package(manifest, **sources))


def tools_of(result) -> dict:
    return {t.name: t for t in result.tools}


def test_registrations_in_a_for_of_loop_are_expanded():
    result = extract(
        {"main": "index.js"},
        **{
            "index.js": """
const { z } = require("zod");
const TOOLS = [
  { name: "start_vm", help: "Start a virtual machine", shape: { id: z.string() } },
  {
    name: "stop_vm",
    help: "Stop a virtual machine",
    shape: { id: z.string(), force: z.boolean().optional() },
  },
];
for (const tool of TOOLS) {
  server.registerTool(tool.name, { description: tool.help, inputSchema: tool.shape }, cb);
}
"""
        },
    )
    assert result.completeness is Completeness.complete
    tools = tools_of(result)
    assert list(tools) == ["start_vm", "stop_vm"]
    assert tools["stop_vm"].description == "Stop a virtual machine"
    assert tools["stop_vm"].input_schema["required"] == ["id"]
    assert tools["start_vm"].source.line == 12


def test_registrations_in_for_each_over_object_entries_are_expanded():
    result = extract(
        {"main": "index.js"},
        **{
            "index.js": """
import { z } from "zod";
const DEFS = {
  get_user: { description: "Fetch one user", params: { id: z.number().int() } },
  list_users: { description: "List users", params: {} },
};
Object.entries(DEFS).forEach(([name, def]) => {
  server.tool(name, def.description, def.params, async () => ({ content: [] }));
});
"""
        },
    )
    tools = tools_of(result)
    assert list(tools) == ["get_user", "list_users"]
    assert tools["get_user"].input_schema == {
        "type": "object",
        "properties": {"id": {"type": "integer"}},
        "required": ["id"],
    }
    assert tools["list_users"].description == "List users"


def test_fastmcp_add_tool():
    result = extract(
        {"bin": "dist/index.js"},
        **{
            "dist__index.js": """
import { FastMCP } from "fastmcp";
import { z } from "zod";
const server = new FastMCP({ name: "x", version: "1.0.0" });
server.addTool({
  name: "fetch_page",
  description: "Fetch a web page and return markdown",
  annotations: { title: "Fetch page", openWorldHint: true, readOnlyHint: true },
  parameters: z.object({ url: z.string().url(), timeout: z.number().default(30) }),
  execute: async (args) => "",
});
server.start({ transportType: "stdio" });
"""
        },
    )
    tool = result.tools[0]
    assert (tool.name, tool.pattern) == ("fetch_page", "js.addTool")
    assert tool.annotations == {"title": "Fetch page", "openWorldHint": True, "readOnlyHint": True}
    assert tool.input_schema == {
        "type": "object",
        "properties": {
            "url": {"type": "string", "format": "uri"},
            "timeout": {"type": "number", "default": 30},
        },
        "required": ["url"],
    }


def test_list_handler_by_method_string_calling_a_function_with_a_conditional_list():
    result = extract(
        {"main": "server.mjs"},
        **{
            "server.mjs": """
const READ = [{ name: "get_row", description: "Read one row", inputSchema: { type: "object" } }];
const WRITE = [
  ...READ,
  { name: "put_row", description: "Write one row", inputSchema: { type: "object" } },
];
function listed() {
  return process.env.READ_ONLY ? READ : WRITE;
}
server.setRequestHandler("tools/list", async () => ({ tools: listed().filter((t) => t) }));
"""
        },
    )
    assert [t.name for t in result.tools] == ["get_row", "put_row"]
    assert result.completeness is Completeness.complete
    assert "read as in the default configuration, environment unset: READ_ONLY" in result.notes


def test_environment_is_read_as_unset():
    result = extract(
        {"main": "index.js"},
        **{
            "index.js": """
const SAFE = process.env.SAFE_MODE === "true";
server.registerTool("run", {
  description: `Run a command.${SAFE ? " Disabled in safe mode." : ""}`,
  annotations: { readOnlyHint: SAFE, destructiveHint: !SAFE },
}, async () => ({}));
"""
        },
    )
    tool = result.tools[0]
    assert tool.description == "Run a command."
    assert tool.annotations == {"readOnlyHint": False, "destructiveHint": True}


def test_framework_list_handler_over_registered_tools_keeps_the_result_complete():
    result = extract(
        {"main": "index.js"},
        **{
            "index.js": """
class Framework {
  setup(tools) {
    this.server.setRequestHandler(ListToolsRequestSchema, async () => ({
      tools: tools.map((t) => ({ name: t.name, description: t.description })),
    }));
  }
}
app.addTool({ name: "only_tool", description: "The one tool" });
"""
        },
    )
    assert [t.name for t in result.tools] == ["only_tool"]
    assert result.completeness is Completeness.complete
    assert any("tools were read from their registration calls" in n for n in result.notes)


def test_unresolved_name_makes_the_result_partial_with_location():
    result = extract(
        {"main": "index.js"},
        **{
            "index.js": """
import { prefix } from "some-config";
server.registerTool("kept", { description: "Known" }, async () => ({}));
server.registerTool(prefix + "_search", { description: "Search" }, async () => ({}));
"""
        },
    )
    assert [t.name for t in result.tools] == ["kept"]
    assert result.completeness is Completeness.partial
    assert result.notes == ["index.js:4: tool name not resolved (imported from some-config)"]


def test_zod_shapes_map_to_json_schema():
    result = extract(
        {"main": "index.ts"},
        **{
            "index.ts": """
import * as z from "zod";
enum Color { Red = "red", Blue = "blue" }
const Base = z.object({ a: z.string(), b: z.number(), c: z.boolean() });
server.registerTool("shapes", {
  description: "Every zod kind",
  inputSchema: {
    nullable: z.string().nullable(),
    union: z.union([z.string(), z.number()]),
    record: z.record(z.string(), z.number()).optional(),
    literal: z.literal("on"),
    color: z.nativeEnum(Color),
    picked: Base.pick({ a: true }),
    partial: Base.omit({ c: true }).partial(),
    extended: Base.extend({ d: z.any() }).describe("Base and d"),
    pre: z.preprocess((v) => v, z.array(z.string()).min(1)),
    anything: z.unknown().optional(),
  },
}, async () => ({}));
"""
        },
    )
    props = result.tools[0].input_schema["properties"]
    assert props["nullable"] == {"type": ["string", "null"]}
    assert props["union"] == {"type": ["string", "number"]}
    assert props["record"] == {"type": "object", "additionalProperties": {"type": "number"}}
    assert props["literal"] == {"type": "string", "const": "on"}
    assert props["color"] == {"type": "string", "enum": ["red", "blue"]}
    assert props["picked"] == {
        "type": "object",
        "properties": {"a": {"type": "string"}},
        "required": ["a"],
    }
    assert props["partial"] == {
        "type": "object",
        "properties": {"a": {"type": "string"}, "b": {"type": "number"}},
    }
    assert props["extended"]["description"] == "Base and d"
    assert props["extended"]["required"] == ["a", "b", "c", "d"]
    assert props["pre"] == {"type": "array", "items": {"type": "string"}, "minItems": 1}
    assert props["anything"] == {}
    assert result.tools[0].input_schema["required"] == [
        "nullable",
        "union",
        "literal",
        "color",
        "picked",
        "partial",
        "extended",
        "pre",
    ]


def test_fallback_entry_and_require_of_a_folder_and_dynamic_import():
    result = extract(
        {"name": "no-entry-fields"},
        **{
            "index.js": """
const tools = require("./tools");
import("./late.js");
server.tool("from_folder", tools.DESCRIPTION, async () => ({}));
""",
            "tools__index.js": 'exports.DESCRIPTION = "Found via tools/index.js";\n',
            "late.js": 'server.tool("late", "Loaded lazily", async () => ({}));\n',
            "unused.js": 'server.tool("unused", "Never imported", async () => ({}));\n',
        },
    )
    tools = tools_of(result)
    assert list(tools) == ["from_folder", "late"]
    assert tools["from_folder"].description == "Found via tools/index.js"
    assert tools["late"].source.file == "late.js"


def test_a_tool_defined_twice_differently_keeps_the_first_and_says_so():
    result = extract(
        {"main": "index.js"},
        **{
            "index.js": """
server.tool("dup", "First text", async () => ({}));
server.tool("dup", "Second text", async () => ({}));
"""
        },
    )
    assert [t.description for t in result.tools] == ["First text"]
    assert result.notes == ["tool 'dup' is defined again at index.js:3 differently; kept the first"]


def test_string_escapes_and_concatenation():
    result = extract(
        {"main": "index.js"},
        **{
            "index.js": r"""
const N = 3;
server.tool("esc", 'Line\none \u00e9 \x41 \u{1F600} it\'s ' + N + ` of ${N * 2}`, async () => ({}));
"""
        },
    )
    assert result.tools[0].description == "Line\none \u00e9 A \U0001f600 it's 3 of 6"


def test_package_metadata():
    files = package({"name": "@x/y", "version": "1.2.3", "mcpName": "io.github.x/y", "main": 5})
    assert package_metadata(files) == {
        "name": "@x/y",
        "version": "1.2.3",
        "mcpName": "io.github.x/y",
    }
    assert package_metadata(package({"name": "only-name", "version": 7})) == {"name": "only-name"}
    assert package_metadata(PackageFiles(files={"package.json": b"[]"})) == {}
    assert package_metadata(PackageFiles(files={})) == {}


def test_helper_registering_with_parameters_is_read_once_per_caller():
    result = extract(
        {"main": "index.js"},
        **{
            "index.js": """
import { registerFetch } from "./fetch.js";
registerFetch(server);
registerFetch(server, "crawl_page");
""",
            "fetch.js": """
export function registerFetch(server, toolName) {
  const text = `Fetch a page as ${toolName ? "a crawl" : "text"}`;
  server.tool(toolName || "fetch_page", text, async () => ({}));
}
""",
        },
    )
    assert [(t.name, t.description) for t in result.tools] == [
        ("fetch_page", "Fetch a page as text"),
        ("crawl_page", "Fetch a page as a crawl"),
    ]
    assert all(t.source.file == "fetch.js" and t.source.line == 4 for t in result.tools)
    assert result.completeness is Completeness.complete


def test_helper_called_in_a_loop_over_tool_objects():
    result = extract(
        {"main": "index.js"},
        **{
            "index.js": """
const DEFS = [
  { name: "a_tool", description: "Tool A" },
  { name: "b_tool", description: "Tool B" },
];
function add(server, def) {
  server.registerTool(def.name, { description: def.description }, async () => ({}));
}
for (const def of DEFS) add(server, def);
"""
        },
    )
    assert [(t.name, t.description) for t in result.tools] == [
        ("a_tool", "Tool A"),
        ("b_tool", "Tool B"),
    ]


def test_wrapped_list_handler_in_a_setup_function():
    result = extract(
        {"main": "index.js"},
        **{
            "index.js": """
const TOOLS = [{ name: "navigate", description: "Open a URL", inputSchema: { type: "object" } }];
function setup(server, tools) {
  server.setRequestHandler(ListToolsRequestSchema, log.wrap("ListTools", monitor(async () => ({
    tools: tools,
  }), "ListTools")));
}
setup(server, TOOLS);
"""
        },
    )
    assert [(t.name, t.pattern) for t in result.tools] == [("navigate", "js.list_handler")]
    assert result.tools[0].input_schema == {"type": "object"}
    assert result.tools[0].source.line == 2
    assert result.completeness is Completeness.complete


def test_zod_bundled_by_esbuild_is_recognised():
    result = extract(
        {"main": "dist/index.cjs"},
        **{
            "dist__index.cjs": """
var external_exports = {};
__export(external_exports, {
  ZodType: () => ZodType,
  object: () => objectType,
  string: () => stringType,
});
server.tool("lookup", "Look a word up", {
  word: external_exports.string().describe("The word"),
}, async () => ({}));
"""
        },
    )
    assert result.tools[0].input_schema == {
        "type": "object",
        "properties": {"word": {"type": "string", "description": "The word"}},
        "required": ["word"],
    }


def test_tools_pushed_onto_a_list_are_listed():
    result = extract(
        {"main": "index.js"},
        **{
            "index.js": """
const tools = [{ name: "status", description: "Show status", inputSchema: { type: "object" } }];
if (process.env.ENABLE_WRITE) {
  tools.push({ name: "write", description: "Write data", inputSchema: { type: "object" } });
}
tools.push(...[{ name: "reset", description: "Reset all", inputSchema: { type: "object" } }]);
server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
"""
        },
    )
    assert [t.name for t in result.tools] == ["status", "write", "reset"]
    assert [t.source.line for t in result.tools] == [2, 4, 6]


def test_conditional_registrations_carry_their_condition():
    result = extract(
        {"main": "index.js"},
        **{
            "index.js": """
import { addAdmin } from "./admin.js";
server.tool("always", "Always on", async () => ({}));
if (config.enableWrites) {
  server.tool("write", "Write things", async () => ({}));
} else {
  server.tool("dry_write", "Pretend to write", async () => ({}));
}
if (process.env.ADMIN === "1") addAdmin(server);
if (require.main === module) {
  server.tool("main_only", "Registered when run directly", async () => ({}));
}
""",
            "admin.js": """
export function addAdmin(server) {
  server.tool("drop_all", "Drop every table", async () => ({}));
}
""",
        },
    )
    assert {t.name: t.condition for t in result.tools} == {
        "always": None,
        "write": "config.enableWrites",
        "dry_write": "not (config.enableWrites)",
        "main_only": None,
        # The environment is unset in the default configuration, so the test is false.
        "drop_all": 'process.env.ADMIN === "1" (off by default)',
    }


def test_description_with_run_time_parts_keeps_the_known_text():
    result = extract(
        {"main": "index.js"},
        **{
            "index.js": """
import os from "os";
server.tool("save", `Save a file under ${os.homedir()}/notes. ` + "Overwrites.", async () => ({}));
"""
        },
    )
    tool = result.tools[0]
    assert tool.description == "Save a file under ${…}/notes. Overwrites."
    assert result.completeness is Completeness.partial
    assert result.notes == [
        "index.js:3: description of tool 'save' only partly resolved (template uses a run-time "
        "value at line 3: imported from os); run-time parts shown as ${…}"
    ]
