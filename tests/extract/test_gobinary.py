"""Tools read out of compiled Go executables (hand-built, real-shaped ELF files)."""

from __future__ import annotations

from crawler.archive import ArchiveLimits, unpack_bytes
from crawler.extract.gobinary.reader import read_binary
from crawler.extract.package import extract_package
from crawler.files import PackageFiles
from mcp_domain import Completeness
from tests.extract.gobinary_builder import (
    AX,
    BX,
    CX,
    DI,
    DX,
    KIND_INT,
    KIND_INTERFACE,
    KIND_STRING,
    SI,
    SP,
    GoElf,
    wheel,
)

MCP = "github.com/mark3labs/mcp-go/mcp"
GO_SDK = "github.com/modelcontextprotocol/go-sdk/mcp"


def mcp_go_server() -> GoElf:
    """Tools made with mcp.NewTool: options called, inlined as closures, and a description
    passed through a translation helper."""
    elf = GoElf()
    init = "example.test/srv/tools.init"
    elf.declare(
        "runtime.newobject",
        f"{MCP}.NewTool",
        f"{MCP}.WithDescription",
        f"{MCP}.WithString",
        f"{MCP}.Description",
        f"{MCP}.Required",
        init,
        f"{init}.WithDescription.func1",
        f"{init}.WithString.func2",
        f"{init}.Description.func3",
    )
    s = elf.string
    weather, weather_len = s("get_weather")
    weather_desc, weather_desc_len = s("Get the weather for a city.")
    city, city_len = s("city")
    city_desc, city_desc_len = s("City name")
    cities, cities_len = s("list_cities")
    cities_desc, cities_desc_len = s("List the cities of a country.")
    country, country_len = s("country")
    country_desc, country_desc_len = s("Country code")
    alerts, alerts_len = s("weather_alerts")
    key, key_len = s("TOOL_WEATHER_ALERTS_DESCRIPTION")
    default, default_len = s("Active weather alerts.")
    a = elf.asm(init)
    # get_weather: options made by calls to the SDK's own functions.
    a.lea_rip(AX, weather_desc).mov_imm(BX, weather_desc_len).call(
        elf.entry(f"{MCP}.WithDescription")
    )
    a.store(SP, 0x40, AX)
    a.lea_rip(AX, city_desc).mov_imm(BX, city_desc_len).call(elf.entry(f"{MCP}.Description"))
    a.store(SP, 0x60, AX)
    a.call(elf.entry(f"{MCP}.Required")).store(SP, 0x68, AX)
    a.lea_rip(AX, city).mov_imm(BX, city_len).lea(CX, SP, 0x60).mov_imm(DI, 2).mov_imm(SI, 2)
    a.call(elf.entry(f"{MCP}.WithString")).store(SP, 0x48, AX)
    a.lea_rip(AX, weather).mov_imm(BX, weather_len).lea(CX, SP, 0x40).mov_imm(DI, 2)
    a.mov_imm(SI, 2).call(elf.entry(f"{MCP}.NewTool"))
    # list_cities: options inlined, leaving closures on the stack.
    a.lea_rip(DX, elf.entry(f"{init}.WithDescription.func1")).store(SP, 0x100, DX)
    a.lea_rip(DX, cities_desc).store(SP, 0x108, DX).store_imm(SP, 0x110, cities_desc_len)
    a.lea_rip(DX, elf.entry(f"{init}.Description.func3")).store(SP, 0x140, DX)
    a.lea_rip(DX, country_desc).store(SP, 0x148, DX).store_imm(SP, 0x150, country_desc_len)
    a.lea(DX, SP, 0x140).store(SP, 0x160, DX)
    a.lea_rip(DX, elf.entry(f"{init}.WithString.func2")).store(SP, 0x180, DX)
    a.lea(DX, SP, 0x160).store(SP, 0x188, DX).store_imm(SP, 0x190, 1).store_imm(SP, 0x198, 1)
    a.lea_rip(DX, country).store(SP, 0x1A0, DX).store_imm(SP, 0x1A8, country_len)
    a.lea(DX, SP, 0x100).store(SP, 0x1C0, DX).lea(DX, SP, 0x180).store(SP, 0x1C8, DX)
    a.lea_rip(AX, cities).mov_imm(BX, cities_len).lea(CX, SP, 0x1C0).mov_imm(DI, 2)
    a.mov_imm(SI, 2).call(elf.entry(f"{MCP}.NewTool"))
    # weather_alerts: the description is a translation helper's default text.
    a.load(SI, SP, 0x300)
    a.lea_rip(AX, key).mov_imm(BX, key_len).lea_rip(CX, default).mov_imm(DI, default_len)
    a.call_reg(SI).call(elf.entry(f"{MCP}.WithDescription")).store(SP, 0x40, AX)
    a.lea_rip(AX, alerts).mov_imm(BX, alerts_len).lea(CX, SP, 0x40).mov_imm(DI, 1)
    a.mov_imm(SI, 1).call(elf.entry(f"{MCP}.NewTool")).ret()
    elf.define(init, a)
    return elf


CITY_TAG = 'json:"city" jsonschema:"required,description=City to find"'
DAYS_TAG = 'json:"days,omitempty" jsonschema:"description=How many days"'


def go_quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


# How the compiler spells the input struct's shape in the instantiation's name.
FORECAST_SHAPE = (
    f"go.shape.struct {{ City string {go_quoted(CITY_TAG)}; Days int {go_quoted(DAYS_TAG)}; "
    "example.test/srv/tools.internal int }"
)


def generic_helper_server(dictionary_has_struct: bool = True) -> GoElf:
    """`var X = MustTool("name", "description", handler)` with a generic helper whose type
    argument is the handler's input struct."""
    elf = GoElf()
    helper = f"example.test/srv/tools.MustTool[{FORECAST_SHAPE},go.shape.*uint8]"
    init = "example.test/srv/tools.init"
    elf.declare(f"{MCP}.NewTool", f"{MCP}.WithDescription", helper, init)
    string_type = elf.type(KIND_STRING, 16, "string")
    int_type = elf.type(KIND_INT, 8, "int")
    args = elf.struct_type(
        "tools.ForecastArgs",
        [
            ("City", string_type, 0, CITY_TAG),
            ("Days", int_type, 16, DAYS_TAG),
            ("internal", int_type, 24, ""),
        ],
    )
    other = elf.struct_type("tools.result", [("Text", string_type, 0, 'json:"text"')])
    # Unified IR dictionaries start with method values and sub-dictionaries; the runtime
    # types follow, in the order the generic body needs them.
    subdictionary = elf.words(other)
    runtime_types = [other, elf.pointer_type("*uint8", int_type)]
    if dictionary_has_struct:
        runtime_types.append(elf.pointer_type("*tools.ForecastArgs", args))
    dictionary = elf.words(subdictionary, *runtime_types)
    h = elf.asm(helper)
    h.store(SP, 0x88, BX).store(SP, 0x90, CX).store(SP, 0x98, DI).store(SP, 0xA0, SI)
    h.load(AX, SP, 0x98).load(BX, SP, 0xA0).call(elf.entry(f"{MCP}.WithDescription"))
    h.store(SP, 0x40, AX).load(AX, SP, 0x88).load(BX, SP, 0x90).lea(CX, SP, 0x40)
    h.mov_imm(DI, 1).mov_imm(SI, 1).call(elf.entry(f"{MCP}.NewTool")).ret()
    elf.define(helper, h)
    name, name_len = elf.string("get_forecast")
    text, text_len = elf.string("Weather forecast for a city.")
    a = elf.asm(init)
    a.lea_rip(AX, dictionary).lea_rip(BX, name).mov_imm(CX, name_len)
    a.lea_rip(DI, text).mov_imm(SI, text_len).call(elf.entry(helper)).ret()
    elf.define(init, a)
    return elf


def go_sdk_server() -> GoElf:
    """`server.AddTool(&mcp.Tool{Name: ..., Description: ...}, handler)`: a struct literal
    stored field by field into a new object."""
    elf = GoElf(dependencies=[("github.com/modelcontextprotocol/go-sdk", "v1.0.0")])
    register = "main.registerTools"
    elf.declare("runtime.newobject", f"{GO_SDK}.(*Server).AddTool", register)
    string_type = elf.type(KIND_STRING, 16, "string")
    any_type = elf.type(KIND_INTERFACE, 16, "interface {}")
    tool_type = elf.struct_type(
        "mcp.Tool",
        [
            ("Description", string_type, 0x10, 'json:"description,omitempty"'),
            ("InputSchema", any_type, 0x20, 'json:"inputSchema"'),
            ("Name", string_type, 0x30, 'json:"name"'),
        ],
    )
    name, name_len = elf.string("delete_file")
    text, text_len = elf.string("Delete a file from the workspace.")
    a = elf.asm(register)
    a.store(SP, 0x60, AX)
    a.lea_rip(AX, tool_type).call(elf.entry("runtime.newobject"))
    a.store_imm(AX, 0x38, name_len).lea_rip(CX, name).store(AX, 0x30, CX)
    a.store_imm(AX, 0x18, text_len).lea_rip(CX, text).store(AX, 0x10, CX)
    a.store(SP, 0x20, AX).load(BX, SP, 0x20).load(AX, SP, 0x60)
    a.call(elf.entry(f"{GO_SDK}.(*Server).AddTool")).ret()
    elf.define(register, a)
    return elf


def plain_go_program() -> GoElf:
    """A Go command-line tool: not an MCP server."""
    elf = GoElf(
        module="example.test/cli", version="v0.9.0", dependencies=[("example.test/flags", "v1.0.0")]
    )
    elf.declare("fmt.Println", "main.main")
    text, length = elf.string("get_weather")
    elf.define(
        "main.main",
        elf.asm("main.main")
        .lea_rip(AX, text)
        .mov_imm(BX, length)
        .call(elf.entry("fmt.Println"))
        .ret(),
    )
    return elf


def by_name(report):
    return {f.draft.name: f.draft for f in report.found}


# ------------------------------------------------------------------ tools


def test_mcp_go_tools_with_called_and_inlined_options():
    report = read_binary(mcp_go_server().build())
    assert report.skip == ""
    tools = by_name(report)
    assert set(tools) == {"get_weather", "list_cities", "weather_alerts"}
    weather = tools["get_weather"]
    assert weather.description == "Get the weather for a city."
    assert weather.properties == {"city": {"type": "string", "description": "City name"}}
    assert weather.required == ["city"]
    assert weather.pattern == "go-binary-mcp-go-newtool"
    cities = tools["list_cities"]
    assert cities.description == "List the cities of a country."
    assert cities.properties == {"country": {"type": "string", "description": "Country code"}}
    assert cities.required == []


def test_description_behind_a_translation_helper_is_its_default_text():
    tools = by_name(read_binary(mcp_go_server().build()))
    assert tools["weather_alerts"].description == "Active weather alerts."


def test_generic_helper_gives_name_description_and_input_type():
    report = read_binary(generic_helper_server().build())
    tools = by_name(report)
    assert list(tools) == ["get_forecast"]
    forecast = tools["get_forecast"]
    assert forecast.description == "Weather forecast for a city."
    assert forecast.pattern == "go-binary-register-args"
    assert forecast.properties == {
        "city": {"type": "string", "description": "City to find"},
        "days": {"type": "integer", "description": "How many days"},
    }
    assert forecast.required == ["city"]
    assert report.found[0].function == "example.test/srv/tools.init"


def test_every_instantiation_of_a_generic_helper_takes_the_first_ones_reading():
    elf = generic_helper_server()
    # A second instantiation, laid out after the first, whose code is not walked again.
    zone_shape = 'go.shape.struct { Zone string "json:\\"zone\\"" }'
    other = f"example.test/srv/tools.MustTool[{zone_shape},go.shape.*uint8]"
    caller = "example.test/srv/zones.init"
    elf.declare(other, caller)
    first = next(f for f in elf.functions if f.startswith("example.test/srv/tools.MustTool["))
    h = elf.asm(other)  # the same code as the first instantiation
    h.store(SP, 0x88, BX).store(SP, 0x90, CX).store(SP, 0x98, DI).store(SP, 0xA0, SI)
    h.load(AX, SP, 0x98).load(BX, SP, 0xA0).call(elf.entry(f"{MCP}.WithDescription"))
    h.store(SP, 0x40, AX).load(AX, SP, 0x88).load(BX, SP, 0x90).lea(CX, SP, 0x40)
    elf.define(other, h.mov_imm(DI, 1).mov_imm(SI, 1).call(elf.entry(f"{MCP}.NewTool")).ret())
    assert elf.entry(first) < elf.entry(other)
    name, name_len = elf.string("get_zone")
    text, text_len = elf.string("The zone of a city.")
    a = elf.asm(caller).zero(AX).lea_rip(BX, name).mov_imm(CX, name_len)
    a.lea_rip(DI, text).mov_imm(SI, text_len).call(elf.entry(other)).ret()
    elf.define(caller, a)
    tools = by_name(read_binary(elf.build()))
    assert set(tools) == {"get_forecast", "get_zone"}
    assert tools["get_zone"].properties == {"zone": {"type": "string"}}


def test_a_generic_input_type_missing_from_the_dictionary_is_read_from_its_shape():
    tools = by_name(read_binary(generic_helper_server(dictionary_has_struct=False).build()))
    assert tools["get_forecast"].properties == {
        "city": {"type": "string", "description": "City to find"},
        "days": {"type": "integer", "description": "How many days"},
    }
    assert tools["get_forecast"].required == ["city"]


def test_struct_literal_passed_to_the_go_sdk():
    tools = by_name(read_binary(go_sdk_server().build()))
    assert list(tools) == ["delete_file"]
    assert tools["delete_file"].description == "Delete a file from the workspace."
    assert tools["delete_file"].pattern == "go-binary-go-sdk-addtool"


def test_a_go_program_built_without_any_mcp_module_is_not_walked():
    report = read_binary(plain_go_program().build())
    assert report.go and report.found == []
    assert report.skip == "no MCP module among the modules it was built from"
    assert report.build.built_from() == "example.test/cli v0.9.0"


def test_a_go_program_with_an_mcp_module_but_no_tools_gives_none():
    elf = plain_go_program()
    elf.dependencies.append(("github.com/mark3labs/mcp-go", "v0.36.0"))
    report = read_binary(elf.build())
    assert report.go and report.found == [] and report.skip == ""


def test_arm64_binaries_are_recognised_and_said_not_read():
    elf = mcp_go_server()
    elf.machine = 183
    report = read_binary(elf.build())
    assert report.found == []
    assert report.skip == "arm64 code is not read yet (only amd64)"
    assert report.build.built_from() == "example.test/srv v1.2.3"


# ------------------------------------------------------------------ in a package


LAUNCHER = (
    b"import os, sys\n"
    b"def main():\n"
    b"    os.execv(os.path.join(os.path.dirname(__file__), 'bin', 'srv'), sys.argv)\n"
)


def test_package_shipping_a_go_binary_gets_its_tools_marked_partial():
    data = wheel({"srv/__init__.py": LAUNCHER, "srv/bin/srv": generic_helper_server().build()})
    result = extract_package(unpack_bytes(data, "srv-1.2.3-py3-none-manylinux_2_17_x86_64.whl"))
    assert [t.name for t in result.tools] == ["get_forecast"]
    tool = result.tools[0]
    assert result.completeness is Completeness.partial
    assert tool.source.file == "bin/srv"
    assert tool.source.symbol.startswith("example.test/srv/tools.init+0x")
    assert tool.input_schema["properties"]["city"]["type"] == "string"
    assert result.notes[0].startswith(
        "tools read from the compiled executable bin/srv, a Go program built from "
        "example.test/srv v1.2.3 with go1.22.4"
    )


def test_source_beats_binary():
    server = (
        b"from mcp.server.fastmcp import FastMCP\nmcp = FastMCP('demo')\n"
        b"@mcp.tool()\ndef ping() -> str:\n    '''Answer pong.'''\n    return 'pong'\n"
        b"def main():\n    mcp.run()\n"
    )
    data = wheel(
        {
            "demo/__init__.py": server,
            "demo/bin/srv": mcp_go_server().build(),
            "demo-1.0.dist-info/entry_points.txt": b"[console_scripts]\ndemo = demo:main\n",
        }
    )
    result = extract_package(unpack_bytes(data, "demo-1.0-py3-none-any.whl"))
    assert [t.name for t in result.tools] == ["ping"]
    assert not any("compiled executable" in n for n in result.notes)


def test_unreadable_go_binary_keeps_the_compiled_executable_note():
    package = PackageFiles(files={"bin/cli": plain_go_program().build()})
    result = extract_package(package)
    assert result.tools == []
    assert result.completeness is Completeness.unknown
    assert result.notes[0].startswith("the server ships as a compiled executable (bin/cli)")
    assert (
        "bin/cli: a Go program built from example.test/cli v0.9.0; "
        "no MCP module among the modules it was built from"
    ) in result.notes


def test_an_arm64_executable_left_out_by_the_unpacker_is_said_not_read():
    elf = mcp_go_server()
    elf.machine = 183
    data = wheel({"srv/__init__.py": LAUNCHER, "srv/bin/srv": elf.build()})
    limits = ArchiveLimits(max_other_file_bytes=1000)
    result = extract_package(unpack_bytes(data, "srv-1.2.3-py3-none-linux_aarch64.whl", limits))
    assert result.tools == []
    assert "srv/bin/srv: arm64 code is not read yet (only amd64)" in result.notes


def _helper_server(helper: str, name: str, text: str) -> GoElf:
    """A helper that changes its name argument (through a call) before `mcp.NewTool`, so the
    name cannot be followed from the helper's arguments to the SDK call."""
    elf = GoElf()
    init = "example.test/srv/tools.init"
    elf.declare(f"{MCP}.NewTool", "strings.ToLower", helper, init)
    h = elf.asm(helper)
    h.call(elf.entry("strings.ToLower")).mov_imm(DI, 0).mov_imm(SI, 0)
    elf.define(helper, h.call(elf.entry(f"{MCP}.NewTool")).ret())
    name_at, name_len = elf.string(name)
    text_at, text_len = elf.string(text)
    a = elf.asm(init).lea_rip(AX, name_at).mov_imm(BX, name_len)
    a.lea_rip(CX, text_at).mov_imm(DI, text_len).call(elf.entry(helper)).ret()
    elf.define(init, a)
    return elf


def test_a_tool_helper_not_followed_is_read_by_argument_position():
    elf = _helper_server("example.test/srv/tools.registerTool", "get_time", "Current time.")
    tools = by_name(read_binary(elf.build()))
    assert list(tools) == ["get_time"]
    assert tools["get_time"].description == "Current time."
    assert tools["get_time"].pattern == "go-binary-register-args"


def test_helpers_named_for_toolsets_or_prose_free_texts_give_no_tools():
    toolset = _helper_server("example.test/srv/tools.NewToolset", "issues", "Issue tools.")
    assert read_binary(toolset.build()).found == []
    terse = _helper_server("example.test/srv/tools.registerTool", "get_time", "time")
    assert read_binary(terse.build()).found == []


def test_mach_o_and_pe_builds_of_a_server_give_the_same_tools():
    elf = mcp_go_server()
    expected = sorted(by_name(read_binary(elf.build())))
    for data, container in ((elf.build_macho(), "Mach-O"), (elf.build_pe(), "PE")):
        report = read_binary(data)
        assert report.container == container and report.arch == "amd64"
        assert sorted(by_name(report)) == expected
        assert report.build.built_from() == "example.test/srv v1.2.3"
