"""Go extractor: mcp-go and go-sdk servers, reachability, and hostile input."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.extract.golang import GoExtractor
from crawler.files import PackageFiles
from mcp_domain import Completeness, ExtractionResult, ToolDefinition
from tests.extract.fixture_files import fixture_loader

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "go"


load = fixture_loader("go")


def by_name(result: ExtractionResult) -> dict[str, ToolDefinition]:
    return {tool.name: tool for tool in result.tools}


def where(tool: ToolDefinition) -> tuple[str, int]:
    assert tool.source is not None
    return tool.source.file, tool.source.line


# -- mark3labs/mcp-go ----------------------------------------------------------------


@pytest.fixture(scope="module")
def notes() -> ExtractionResult:
    return GoExtractor().extract(load("notes"))


def test_mcp_go_reachable_tools_only(notes: ExtractionResult) -> None:
    # Not the _test.go tool, the unimported package's, the example's or the vendored one.
    assert [t.name for t in notes.tools] == [
        "read_note",
        "delete_note",
        "archive_note",
        "write_note",
        "search_notes",
        "search_tags",
    ]
    assert notes.completeness is Completeness.complete
    assert notes.skipped == []
    assert notes.notes == []


def test_mcp_go_constants_raw_strings_and_property_options(notes: ExtractionResult) -> None:
    tool = by_name(notes)["read_note"]
    assert tool.description == "Read one note.\nReturns its title and body as markdown."
    assert tool.input_schema == {
        "type": "object",
        "properties": {
            "id": {"type": "string", "description": "Identifier of the note"},
            "format": {
                "type": "string",
                "description": "Output format",
                "enum": ["markdown", "text"],
                "default": "markdown",
            },
        },
        "required": ["id"],
    }
    assert tool.annotations == {"readOnlyHint": True, "title": "Read note"}
    assert where(tool) == ("internal/tools/read.go", 19)
    assert tool.pattern == "go.mcp-go.NewTool"


def test_mcp_go_constructor_with_concatenated_name_and_translation_default(
    notes: ExtractionResult,
) -> None:
    tool = by_name(notes)["delete_note"]
    assert tool.description == "Delete a note permanently."
    assert tool.input_schema["properties"] == {
        "id": {"type": "string"},
        "force": {"type": "boolean", "description": "Skip the trash"},
    }
    assert tool.input_schema["required"] == ["id"]
    # Only what the author wrote; mcp-go's default hints are not invented.
    assert tool.annotations == {"destructiveHint": True}
    assert where(tool) == ("internal/tools/read.go", 35)


def test_mcp_go_sprintf_numbers_arrays_objects_and_tool_annotation(
    notes: ExtractionResult,
) -> None:
    tool = by_name(notes)["write_note"]
    assert tool.description == "Create or replace a note (at most 4096 bytes)."
    properties = tool.input_schema["properties"]
    assert properties["title"] == {"type": "string", "maxLength": 120}
    assert properties["priority"] == {"type": "number", "minimum": 1, "maximum": 5, "default": 3}
    assert properties["tags"] == {"type": "array", "items": {"type": "string"}}
    assert properties["meta"] == {"type": "object", "properties": {"author": {"type": "string"}}}
    assert tool.input_schema["required"] == ["title"]
    assert tool.annotations == {
        "title": "Write note",
        "readOnlyHint": False,
        "destructiveHint": True,
        "idempotentHint": True,
    }
    assert where(tool) == ("internal/tools/write.go", 12)


def test_mcp_go_tool_struct_literal(notes: ExtractionResult) -> None:
    tool = by_name(notes)["archive_note"]
    assert tool.description == "Move a note to the archive."
    assert tool.input_schema == {
        "type": "object",
        "properties": {"id": {"type": "string", "description": "Note id"}},
        "required": ["id"],
    }
    assert tool.pattern == "go.mcp-go.Tool"
    assert where(tool) == ("internal/tools/register.go", 18)


def test_mcp_go_builder_in_another_package_read_per_call(notes: ExtractionResult) -> None:
    tools = by_name(notes)
    assert tools["search_notes"].description == "Search the text of all notes."
    assert tools["search_notes"].input_schema["properties"]["query"] == {
        "type": "string",
        "description": "Text to look for in notes",
    }
    assert tools["search_tags"].description == "Search tag names."
    assert tools["search_tags"].input_schema["properties"]["query"]["description"] == (
        "Text to look for in tags"
    )
    assert tools["search_tags"].annotations == {"readOnlyHint": True}
    # Each is located at the call that names it.
    assert where(tools["search_notes"]) == ("internal/tools/register.go", 15)
    assert where(tools["search_tags"]) == ("internal/tools/register.go", 16)


# -- official go-sdk ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def weather() -> ExtractionResult:
    return GoExtractor().extract(load("weather"))


def test_go_sdk_tools_found(weather: ExtractionResult) -> None:
    assert [t.name for t in weather.tools] == [
        "get_forecast",
        "list_alerts",
        "subscribe_alerts",
        "clear_cache",
    ]
    assert weather.completeness is Completeness.complete


def test_go_sdk_schema_from_handler_struct_in_another_package(weather: ExtractionResult) -> None:
    tool = by_name(weather)["get_forecast"]
    assert tool.description == "Get the forecast for a place."
    assert tool.input_schema == {
        "type": "object",
        "properties": {
            # Promoted from the embedded Place struct.
            "latitude": {"type": "number", "description": "degrees north"},
            "longitude": {"type": "number", "description": "degrees east"},
            "days": {"type": "integer", "description": "how many days ahead (1-7)"},
            "units": {"type": ["null", "string"]},
            "from": {"type": "string"},
            "extra": {"type": "object", "additionalProperties": {"type": "boolean"}},
        },
        "required": ["latitude", "longitude"],
        "additionalProperties": False,
    }
    assert tool.annotations == {"readOnlyHint": True, "title": "Forecast", "idempotentHint": False}
    assert tool.pattern == "go.sdk.AddTool"
    assert where(tool) == ("main.go", 17)


def test_go_sdk_func_literal_with_local_type_and_old_style_tag(weather: ExtractionResult) -> None:
    tool = by_name(weather)["list_alerts"]
    assert tool.description == "List active weather alerts for a region."
    assert tool.input_schema["properties"] == {
        "region": {"type": "string", "description": "two-letter region code"},
        "severity": {"type": "string", "description": "minimum severity"},
    }
    assert tool.input_schema["required"] == ["region"]
    assert where(tool) == ("main.go", 27)


def test_go_sdk_tool_variable_and_method_handler(weather: ExtractionResult) -> None:
    tool = by_name(weather)["subscribe_alerts"]
    # Unexported and json:"-" fields are left out; a slice may be null.
    assert tool.input_schema["properties"] == {
        "region": {"type": "string"},
        "emails": {
            "type": ["null", "array"],
            "items": {"type": "string"},
            "description": "addresses to notify",
        },
    }
    assert tool.input_schema["required"] == ["region", "emails"]
    assert tool.annotations == {
        "destructiveHint": False,
        "readOnlyHint": False,
        "idempotentHint": False,
    }
    assert where(tool) == ("main.go", 32)


def test_go_sdk_explicit_jsonschema_literal(weather: ExtractionResult) -> None:
    tool = by_name(weather)["clear_cache"]
    assert tool.description == "Delete all cached forecasts."
    assert tool.input_schema == {
        "type": "object",
        "properties": {
            "older_than_hours": {
                "type": "integer",
                "description": "Only entries older than this",
                "minimum": 1.0,
            }
        },
    }
    assert tool.pattern == "go.sdk.Tool"
    assert where(tool) == ("main.go", 40)


# -- reachability and verdicts -----------------------------------------------------------------


def test_library_without_main_reads_all_packages_and_says_so() -> None:
    result = GoExtractor().extract(load("library"))
    assert [t.name for t in result.tools] == ["kv_get"]
    assert result.tools[0].input_schema["required"] == ["key"]
    assert any("no main package" in note for note in result.notes)
    # The run-time name is reported, and makes the verdict partial.
    assert result.completeness is Completeness.partial
    assert any("tools/tools.go:14" in note and "name" in note for note in result.notes)


def test_no_go_files_gives_empty_result() -> None:
    result = GoExtractor().extract(PackageFiles(files={"README.md": b"# hi", "go.sum": b""}))
    assert result == ExtractionResult()


def test_only_tests_examples_and_vendor_count_as_no_go_files() -> None:
    files = load("notes").files
    kept = {
        p: d
        for p, d in files.items()
        if p.endswith("_test.go") or p.startswith(("examples/", "vendor/"))
    }
    assert kept
    assert GoExtractor().extract(PackageFiles(files=kept)) == ExtractionResult()


# -- hostile input --------------------------------------------------------------------------------

MAIN = b"""package main

import "github.com/mark3labs/mcp-go/mcp"

func main() {
\tmcp.NewTool("ping", mcp.WithDescription("Reply with pong."))
}
"""


def with_main(extra: dict[str, bytes]) -> PackageFiles:
    return PackageFiles(files={"go.mod": b"module example.test/x\n", "main.go": MAIN, **extra})


def test_oversized_file_is_skipped_with_reason() -> None:
    big = b"package main\n\n// " + b"x" * 5000 + b"\n"
    result = GoExtractor(max_source_bytes=2000).extract(with_main({"big.go": big}))
    assert [t.name for t in result.tools] == ["ping"]
    assert [s.file for s in result.skipped] == ["big.go"]
    assert "larger than 2000 bytes" in result.skipped[0].reason


def test_binary_file_is_skipped() -> None:
    result = GoExtractor().extract(with_main({"blob.go": b"\x00\x01\x02ELF" * 100}))
    assert [t.name for t in result.tools] == ["ping"]
    assert [(s.file, s.reason) for s in result.skipped] == [
        ("blob.go", "binary content (NUL bytes)")
    ]


def test_unreadable_file_is_skipped_and_broken_file_still_read() -> None:
    garbage = b"}}}} ))) not go at all {{{{"
    broken = b"""package main

import "github.com/mark3labs/mcp-go/mcp"

var good = mcp.NewTool("still_read", mcp.WithDescription("Before the damage."))

func broken( {
"""
    result = GoExtractor().extract(with_main({"garbage.go": garbage, "broken.go": broken}))
    assert sorted(t.name for t in result.tools) == ["ping", "still_read"]
    assert [s.file for s in result.skipped] == ["garbage.go"]
    assert any(note.startswith("broken.go: syntax errors") for note in result.notes)


def test_non_utf8_text_is_read_with_replacement() -> None:
    latin = (
        b'package main\n\nimport "github.com/mark3labs/mcp-go/mcp"\n\n'
        b'var t = mcp.NewTool("caf\xe9", mcp.WithDescription("Caf\xe9 menu."))\n'
    )
    result = GoExtractor().extract(with_main({"latin.go": latin}))
    assert "caf\ufffd" in by_name(result)
    assert any("not valid UTF-8" in note for note in result.notes)


def test_deeply_nested_code_does_not_raise() -> None:
    depth = 3000
    nested = "(" * depth + '"deep"' + ")" * depth
    literal = "map[string]any{" * 500 + "}" * 500
    source = (
        'package main\n\nimport "github.com/mark3labs/mcp-go/mcp"\n\n'
        f'var d = mcp.NewTool({nested}, mcp.WithString("p", mcp.Items({literal})))\n'
    ).encode()
    result = GoExtractor().extract(with_main({"deep.go": source}))
    assert [t.name for t in result.tools] == ["ping"]
    assert result.completeness is Completeness.partial
    assert any("deep.go:5" in note and "nested too deeply" in note for note in result.notes)


def test_self_referencing_constants_and_recursive_helpers_terminate() -> None:
    source = b"""package main

import "github.com/mark3labs/mcp-go/mcp"

const a = b + "x"
const b = a + "y"

func loop(s string) string { return loop(s) }

var r = mcp.NewTool(a, mcp.WithDescription(loop("z")))
"""
    result = GoExtractor().extract(with_main({"cycle.go": source}))
    assert [t.name for t in result.tools] == ["ping"]
    assert result.completeness is Completeness.partial


def test_mcp_go_raw_schema_typed_schema_and_option_slices() -> None:
    source = b"""package main

import (
	"encoding/json"

	"github.com/mark3labs/mcp-go/mcp"
)

type lookupArgs struct {
	Host string `json:"host" jsonschema:"DNS name to resolve"`
	Type string `json:"type,omitempty"`
}

func build() []mcp.Tool {
	opts := []mcp.ToolOption{
		mcp.WithDescription("Run a shell command."),
		mcp.WithString("command", mcp.Required()),
	}
	return []mcp.Tool{
		mcp.NewToolWithRawSchema("query_sql", "Run a read-only SQL query.",
			json.RawMessage(`{"type":"object","properties":{"sql":{"type":"string"}},"required":["sql"]}`)),
		mcp.NewTool("lookup", mcp.WithDescription("Resolve a host."),
			mcp.WithInputSchema[lookupArgs]()),
		mcp.NewTool("exec", opts...),
	}
}
"""
    result = GoExtractor().extract(with_main({"more.go": source}))
    tools = by_name(result)
    assert tools["query_sql"].description == "Run a read-only SQL query."
    assert tools["query_sql"].input_schema == {
        "type": "object",
        "properties": {"sql": {"type": "string"}},
        "required": ["sql"],
    }
    assert tools["query_sql"].pattern == "go.mcp-go.NewToolWithRawSchema"
    assert tools["lookup"].input_schema == {
        "type": "object",
        "properties": {
            "host": {"type": "string", "description": "DNS name to resolve"},
            "type": {"type": "string"},
        },
        "required": ["host"],
        "additionalProperties": False,
    }
    assert tools["exec"].description == "Run a shell command."
    assert tools["exec"].input_schema["required"] == ["command"]
    assert where(tools["exec"]) == ("more.go", 24)
    assert result.completeness is Completeness.complete


# -- helper layers, reflected handler schemas, a server's own tool type -------------------


@pytest.fixture(scope="module")
def dashboards() -> ExtractionResult:
    return GoExtractor().extract(load("dashboards"))


def test_tool_named_two_helper_layers_up(dashboards: ExtractionResult) -> None:
    # mcp.Tool{Name: name} sits in convertTool, called by MustTool, called with the names.
    assert [t.name for t in dashboards.tools] == [
        "list_teams",
        "create_folder",
        "manage_folders",
        "search_dashboards",
        "get_dashboard",
    ]
    tool = by_name(dashboards)["search_dashboards"]
    assert tool.description == "Search dashboards by title. Returns matching dashboard UIDs."
    assert where(tool) == ("tools/search.go", 33)
    assert dashboards.completeness is Completeness.complete


def test_schema_reflected_from_the_handler_a_caller_passes(dashboards: ExtractionResult) -> None:
    tool = by_name(dashboards)["search_dashboards"]
    assert tool.pattern == "go.mcp-go.handler-struct"
    # The unexported field is left out; invopop-style tags give required and descriptions.
    assert tool.input_schema["properties"]["query"] == {
        "type": "string",
        "description": "Text to search for",
    }
    assert sorted(tool.input_schema["properties"]) == ["query", "tags"]
    assert tool.input_schema["required"] == ["query"]
    # A pointer to the argument struct is read the same way.
    pointer = by_name(dashboards)["get_dashboard"]
    assert pointer.input_schema["type"] == "object"
    assert pointer.input_schema["properties"] == {"uid": {"type": "string"}}


@pytest.fixture(scope="module")
def clusters() -> ExtractionResult:
    return GoExtractor().extract(load("clusters"))


def test_own_tool_type_copied_into_the_sdk_tool(clusters: ExtractionResult) -> None:
    assert [t.name for t in clusters.tools] == [
        "pods_list",
        "pods_delete",
        "configuration_view",
        "helm_list",
    ]
    tool = by_name(clusters)["pods_list"]
    assert tool.description == "List the pods in a namespace"
    assert tool.input_schema == {
        "type": "object",
        "properties": {
            "namespace": {"type": "string", "description": "Namespace to list pods from"},
            "labelSelector": {"type": "string"},
        },
        "required": ["namespace"],
    }
    assert where(tool) == ("pkg/toolsets/core/pods.go", 23)
    assert tool.pattern == "go.sdk.own-tool-type"
    assert by_name(clusters)["pods_delete"].description == "Delete a pod by name"
    assert clusters.completeness is Completeness.complete


def test_toolset_types_named_by_a_method_with_the_default_list(
    clusters: ExtractionResult,
) -> None:
    conditions = {t.name: t.condition for t in clusters.tools}
    assert conditions == {
        "pods_list": 'toolset "core" enabled (on by default)',
        "pods_delete": 'toolset "core" enabled (on by default)',
        "configuration_view": 'toolset "config" enabled (on by default)',
        # GetName returns a constant here; helm is not in Default()'s []string{...}.
        "helm_list": 'toolset "helm" enabled (off by default)',
    }


def test_registration_table_categories_and_flag_default_list(
    dashboards: ExtractionResult,
) -> None:
    conditions = {t.name: t.condition for t in dashboards.tools}
    assert conditions == {
        # Named by reference in the table, and not in the --enabled-tools default.
        "list_teams": 'toolset "admin" enabled (off by default)',
        # Registered from a closure in the table entry, under the write setting that the
        # closure passes as `write := !c.write`, and --disable-write defaults to false.
        "create_folder": 'toolset "folder" enabled and enableWrite (on by default)',
        "manage_folders": 'toolset "folder" enabled and enableWrite (on by default)',
        "search_dashboards": 'toolset "dashboard" enabled (on by default)',
        "get_dashboard": 'toolset "dashboard" enabled (on by default)',
    }


def test_variant_behind_a_setting_gives_way_to_the_default_one(
    dashboards: ExtractionResult,
) -> None:
    tool = by_name(dashboards)["manage_folders"]
    assert tool.description == "List, create and delete folders."
    assert sorted(tool.input_schema["properties"]) == ["operation", "parent"]
    assert any("'manage_folders' has a variant off by default" in n for n in dashboards.notes)


def test_a_single_group_is_no_condition() -> None:
    files = load("clusters")
    files.files = {
        p: b
        for p, b in files.files.items()
        if not p.startswith(("pkg/toolsets/helm", "pkg/toolsets/config"))
    }
    result = GoExtractor().extract(files)
    assert [t.name for t in result.tools] == ["pods_list", "pods_delete"]
    assert [t.condition for t in result.tools] == [None, None]


def test_own_tool_type_without_literals_finds_nothing() -> None:
    files = load("clusters")
    files.files = {p: b for p, b in files.files.items() if "toolsets" not in p}
    result = GoExtractor().extract(files)
    assert result.tools == []


def test_invopop_style_tags_with_a_leading_flag_and_escaped_commas() -> None:
    from crawler.extract.go.structs import _describe, parse_tag

    tags = parse_tag(r'json:"type" jsonschema:"required,description=The type. For example\\, loki"')
    assert tags["jsonschema"] == r"required,description=The type. For example\, loki"
    assert _describe(tags["jsonschema"], None) == ("The type. For example, loki", True)
    # A new-style tag is the description itself, commas and all.
    assert _describe("Text, as written", None) == ("Text, as written", False)


def test_helpers_calling_each_other_with_the_name_terminate() -> None:
    # mcp.Tool{Name: name} in a helper that is only reached through a cycle of helpers.
    source = b"""package main

import "github.com/mark3labs/mcp-go/mcp"

func build(name string) mcp.Tool { return mcp.Tool{Name: name, Description: "d"} }

func first(name string) mcp.Tool { return second(name) }

func second(name string) mcp.Tool { _ = build(name); return first(name) }

var named = first("cycled")
"""
    result = GoExtractor().extract(with_main({"helpers.go": source}))
    assert sorted(t.name for t in result.tools) == ["cycled", "ping"]


def test_hostile_tables_and_name_methods_do_not_raise() -> None:
    entries = ",\n".join(
        f'\t{{func() {{ mcp.NewTool("t{i}") }}, "g{i % 3}", "extra"}}' for i in range(50)
    )
    nested_table = "[]any{" * 400 + "}" * 400
    source = f"""package main

import "github.com/mark3labs/mcp-go/mcp"

type Set struct{{}}

func (s *Set) GetName() string {{ return s.GetName() }}

func (s *Set) Tools() {{ mcp.NewTool("from_set") }}

var table = []any{{
{entries},
}}

var deep = {nested_table}

var defaults = []string{{"g0", "g1", "g2"}}
""".encode()
    result = GoExtractor().extract(with_main({"table.go": source}))
    names = {t.name for t in result.tools}
    assert {"ping", "from_set", "t0", "t49"} <= names
    # Two strings beside each closure: no group is named, so no condition is claimed.
    assert all(t.condition is None for t in result.tools)


def test_flag_guards_with_pflag_style_flags_and_settings_by_key() -> None:
    source = b"""package main

import (
	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

type Config struct {
	DynamicToolsets bool
	ReadOnly        bool
}

func register(s *server.MCPServer, cfg Config) {
	s.AddTool(mcp.NewTool("get_issue"), nil)
	if !cfg.ReadOnly {
		s.AddTool(mcp.NewTool("create_issue"), nil)
	}
	if cfg.DynamicToolsets {
		s.AddTool(mcp.NewTool("enable_toolset"), nil)
	}
	if cfg.DynamicToolsets || unknownSetting() {
		s.AddTool(mcp.NewTool("maybe_tool"), nil)
	}
}

func start() {
	rootCmd.PersistentFlags().Bool("dynamic-toolsets", false, "Enable dynamic toolsets")
	rootCmd.PersistentFlags().Bool("read-only", false, "Read-only mode")
	cfg := Config{
		DynamicToolsets: viper.GetBool("dynamic_toolsets"),
		ReadOnly:        viper.GetBool("read-only"),
	}
	register(server.NewMCPServer("x", "1"), cfg)
}
"""
    result = GoExtractor().extract(with_main({"flags.go": source}))
    conditions = {t.name: t.condition for t in result.tools}
    assert conditions == {
        "ping": None,
        "get_issue": None,
        "create_issue": "!cfg.ReadOnly (on by default)",
        "enable_toolset": "cfg.DynamicToolsets (off by default)",
        # Not readable from defaults: no condition is claimed.
        "maybe_tool": None,
    }
