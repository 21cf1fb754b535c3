"""Which tools of a compiled Go server the default configuration enables (hand-built ELF)."""

from __future__ import annotations

import random
import struct

from crawler.extract.gobinary.reader import read_binary
from crawler.extract.package import extract_package
from crawler.files import PackageFiles
from tests.extract.gobinary_builder import AX, BX, CX, DI, SI, SP, GoElf

MCP = "github.com/mark3labs/mcp-go/mcp"
SRV = "example.test/srv"
DX, R8, R9, R10 = 2, 8, 9, 10
PFLAG = "github.com/spf13/pflag.(*FlagSet)"


def _tool_function(elf: GoElf, function: str, name: str, description: str) -> None:
    """A function that makes one tool with mcp.NewTool(name, WithDescription(...))."""
    tool, tool_len = elf.string(name)
    text, text_len = elf.string(description)
    a = elf.asm(function)
    a.lea_rip(AX, text).mov_imm(BX, text_len).call(elf.entry(f"{MCP}.WithDescription"))
    a.store(SP, 0x40, AX)
    a.lea_rip(AX, tool).mov_imm(BX, tool_len).lea(CX, SP, 0x40).mov_imm(DI, 1).mov_imm(SI, 1)
    a.call(elf.entry(f"{MCP}.NewTool")).ret()
    elf.define(function, a)


TABLE_TOOLS = {
    f"{SRV}/tools.AddSearchTools": ("search", "search_docs", "Search the documentation."),
    f"{SRV}/tools.AddAlertTools": ("alerting", "list_alerts", "List the firing alerts."),
    f"{SRV}/tools.AddAdminTools": ("admin", "delete_user", "Delete a user account."),
}


def table_server(default: str | None) -> GoElf:
    """`for _, e := range []entry{{AddSearchTools, false, "search"}, ...} { maybeAddTools(s,
    e.add, enabled, e.disabled, e.name) }`, with `-enabled-tools` defaulting to `default`."""
    elf = GoElf()
    gate, build, main = f"{SRV}/cmd.maybeAddTools", f"{SRV}/cmd.newServer", f"{SRV}/cmd.main"
    flag = "flag.(*FlagSet).StringVar"
    elf.declare(f"{MCP}.NewTool", f"{MCP}.WithDescription", flag, *TABLE_TOOLS, gate, build, main)
    for function, (_, name, description) in TABLE_TOOLS.items():
        _tool_function(elf, function, name, description)
    elf.define(gate, elf.asm(gate).call_reg(DI).ret())
    a = elf.asm(build)
    for index, (function, (group, _, _)) in enumerate(TABLE_TOOLS.items()):
        at = 0x100 + 32 * index  # entry: func value, disabled flag, name
        funcval = elf.words(elf.entry(function))
        text, length = elf.string(group)
        a.lea_rip(DI, funcval).store(SP, at, DI).store_imm(SP, at + 8, 0)
        a.lea_rip(DI, text).store(SP, at + 16, DI).store_imm(SP, at + 24, length)
    a.load(DI, SP, 0x100).call(elf.entry(gate)).ret()
    elf.define(build, a)
    m = elf.asm(main)
    if default is not None:
        name, name_len = elf.string("enabled-tools")
        value, value_len = elf.string(default)
        usage, usage_len = elf.string("Tool categories to enable")
        m.lea_rip(CX, name).mov_imm(DI, name_len).lea_rip(SI, value).mov_imm(R8, value_len)
        m.lea_rip(R9, usage).mov_imm(R10, usage_len).call(elf.entry(flag))
    m.call(elf.entry(build)).ret()
    elf.define(main, m)
    return elf


def conditions(elf: GoElf) -> dict[str, str | None]:
    report = read_binary(elf.build())
    return {f.draft.name: f.condition for f in report.found}


def test_a_table_gate_with_a_flag_default_marks_the_other_groups_off():
    found = conditions(table_server("search,alerting"))
    assert found == {
        "search_docs": 'toolset "search" enabled (on by default)',
        "list_alerts": 'toolset "alerting" enabled (on by default)',
        "delete_user": 'toolset "admin" enabled (off by default)',
    }
    report = read_binary(table_server("search,alerting").build())
    assert any("'enabled-tools'" in note and "on by default: alerting, search" in note
               for note in report.notes)  # fmt: skip


def test_the_flag_default_decides_which_groups_are_on():
    found = conditions(table_server("admin,search"))
    assert found["delete_user"].endswith("(on by default)")
    assert found["list_alerts"] == 'toolset "alerting" enabled (off by default)'


def test_groups_without_any_default_list_are_named_but_not_decided():
    found = conditions(table_server(None))
    assert found["delete_user"] == 'toolset "admin" enabled'
    assert found["search_docs"] == 'toolset "search" enabled'


def test_a_flag_default_naming_no_group_decides_nothing():
    found = conditions(table_server("all"))
    assert not any(c and c.endswith("by default)") for c in found.values())


def test_off_by_default_tools_reach_the_package_result_with_their_condition():
    binary = table_server("search,alerting").build()
    result = extract_package(PackageFiles(files={"bin/srv": binary}))
    by_name = {t.name: t.condition for t in result.tools}
    assert by_name["delete_user"] == 'toolset "admin" enabled (off by default)'
    assert by_name["search_docs"] == 'toolset "search" enabled (on by default)'
    assert any("from the default of the flag 'enabled-tools'" in n for n in result.notes)


OBJECT_TOOLS = {
    f"{SRV}/github.GetRepo": ("repos", "get_repo", "Get a repository's details."),
    f"{SRV}/github.ListCommits": ("repos", "list_commits", "List a repository's commits."),
    f"{SRV}/github.ListIssues": ("issues", "list_issues", "List the issues of a repository."),
    f"{SRV}/github.GetGist": ("gists", "get_gist", "Get the content of a gist."),
}


def toolset_object_server() -> GoElf:
    """`NewToolset("repos", ...).AddReadTools(NewServerTool(GetRepo(...)), ...)` per group,
    and `--toolsets` a pflag string slice defaulting to `[]string{"repos", "issues"}`."""
    elf = GoElf()
    new, add = f"{SRV}/toolsets.NewToolset", f"{SRV}/toolsets.(*Toolset).AddReadTools"
    group, main = f"{SRV}/github.DefaultToolsetGroup", f"{SRV}/cmd.main"
    slice_flag = f"{PFLAG}.StringSlice"
    elf.declare(f"{MCP}.NewTool", f"{MCP}.WithDescription", slice_flag, new, add, *OBJECT_TOOLS)
    elf.declare(group, main)
    for function, (_, name, description) in OBJECT_TOOLS.items():
        _tool_function(elf, function, name, description)
    elf.define(new, elf.asm(new).ret())
    elf.define(add, elf.asm(add).ret())
    a = elf.asm(group)
    current = None
    for function, (toolset, _, _) in OBJECT_TOOLS.items():
        if toolset != current:
            if current is not None:
                a.load(AX, SP, 0x10).call(elf.entry(add))
            text, length = elf.string(toolset)
            a.lea_rip(AX, text).mov_imm(BX, length).call(elf.entry(new)).store(SP, 0x10, AX)
            current = toolset
        a.call(elf.entry(function))
    a.load(AX, SP, 0x10).call(elf.entry(add)).ret()
    elf.define(group, a)
    m = elf.asm(main)
    for index, toolset in enumerate(("repos", "issues")):
        text, length = elf.string(toolset)
        m.lea_rip(DI, text).store(SP, 0x80 + 16 * index, DI)
        m.store_imm(SP, 0x88 + 16 * index, length)
    name, name_len = elf.string("toolsets")
    m.lea_rip(BX, name).mov_imm(CX, name_len).lea(DI, SP, 0x80).mov_imm(SI, 2).mov_imm(R8, 2)
    m.call(elf.entry(slice_flag)).call(elf.entry(group)).ret()
    elf.define(main, m)
    return elf


def test_toolset_objects_with_a_string_slice_flag_default():
    found = conditions(toolset_object_server())
    assert found == {
        "get_repo": 'toolset "repos" enabled (on by default)',
        "list_commits": 'toolset "repos" enabled (on by default)',
        "list_issues": 'toolset "issues" enabled (on by default)',
        "get_gist": 'toolset "gists" enabled (off by default)',
    }


METHOD_TOOLS = {
    "core": ("pods_list", "List the pods."),
    "config": ("view_config", "Show the current configuration."),
    "helm": ("helm_install", "Install a chart."),
}


def method_server() -> GoElf:
    """Each toolset a type whose `GetName()` returns its name and whose `GetTools()` calls
    the function making its tools; the default configuration lists `core` and `config`."""
    elf = GoElf()
    default = f"{SRV}/config.Default"
    names = []
    for toolset in METHOD_TOOLS:
        package = f"{SRV}/toolsets/{toolset}"
        names += [f"{package}.initTools", f"{package}.(*Toolset).GetName"]
        names += [f"{package}.(*Toolset).GetTools"]
    elf.declare("runtime.newobject", f"{MCP}.NewTool", f"{MCP}.WithDescription", *names, default)
    texts = {}  # the linker keeps one copy of each string constant
    for toolset, (tool, description) in METHOD_TOOLS.items():
        package = f"{SRV}/toolsets/{toolset}"
        _tool_function(elf, f"{package}.initTools", tool, description)
        text, length = texts[toolset] = elf.string(toolset)
        name_method = elf.asm(f"{package}.(*Toolset).GetName").lea_rip(AX, text)
        elf.define(f"{package}.(*Toolset).GetName", name_method.mov_imm(BX, length).ret())
        tools = elf.asm(f"{package}.(*Toolset).GetTools").call(elf.entry(f"{package}.initTools"))
        elf.define(f"{package}.(*Toolset).GetTools", tools.ret())
    array = elf.type(17, 32, "[2]string")
    d = elf.asm(default).lea_rip(AX, array).call(elf.entry("runtime.newobject"))
    for index, toolset in enumerate(("core", "config")):
        text, length = texts[toolset]
        d.lea_rip(CX, text).store(AX, 16 * index, CX).store_imm(AX, 16 * index + 8, length)
    elf.define(default, d.ret())
    return elf


def test_methods_of_a_named_type_with_a_default_list_literal():
    found = conditions(method_server())
    assert found == {
        "pods_list": 'toolset "core" enabled (on by default)',
        "view_config": 'toolset "config" enabled (on by default)',
        "helm_install": 'toolset "helm" enabled (off by default)',
    }


def test_tools_with_no_group_evidence_stay_unconditioned():
    """Tool functions called straight from main, beside a flag whose default lists words:
    nothing links a tool to a name, so no tool gets a condition."""
    elf = GoElf()
    main, flag = f"{SRV}/cmd.main", "flag.(*FlagSet).StringVar"
    elf.declare(f"{MCP}.NewTool", f"{MCP}.WithDescription", flag, *TABLE_TOOLS, main)
    for function, (_, name, description) in TABLE_TOOLS.items():
        _tool_function(elf, function, name, description)
    name, name_len = elf.string("enabled-tools")
    value, value_len = elf.string("search,alerting")
    m = elf.asm(main)
    m.lea_rip(CX, name).mov_imm(DI, name_len).lea_rip(SI, value).mov_imm(R8, value_len)
    m.call(elf.entry(flag))
    for function in TABLE_TOOLS:
        m.call(elf.entry(function))
    elf.define(main, m.ret())
    report = read_binary(elf.build())
    assert {f.draft.name for f in report.found} == {"search_docs", "list_alerts", "delete_user"}
    assert all(f.condition is None for f in report.found)
    assert report.notes == []


def test_one_name_for_every_tool_is_no_choice():
    """A server type with a constant `Name()` method: one group, so nothing is decided."""
    elf = GoElf()
    package = f"{SRV}/server"
    elf.declare(f"{MCP}.NewTool", f"{MCP}.WithDescription", f"{package}.(*Server).Name")
    elf.declare(f"{package}.(*Server).registerTools")
    _tool_function(elf, f"{package}.(*Server).registerTools", "ping", "Check the server.")
    text, length = elf.string("my-server")
    method = elf.asm(f"{package}.(*Server).Name").lea_rip(AX, text).mov_imm(BX, length).ret()
    elf.define(f"{package}.(*Server).Name", method)
    assert conditions(elf) == {"ping": None}


XMM14 = 14
VARIABLE_TOOLS = {  # registration function: (group, tool, description)
    f"{SRV}/tools.AddSearchTools": ("search", "search_docs", "Search the documentation."),
    f"{SRV}/tools.AddAlertTools": ("alerting", "list_alerts", "List the firing alerts."),
    f"{SRV}/tools.AddAdminTools": ("admin", "delete_user", "Delete a user account."),
}
CLOSURE = f"{SRV}/cmd.(*disabledTools).toolEntries.func1"


def variable_table_server(default: str, also_read_by: str | None = None) -> GoElf:
    """Tools kept in package-level variables (`var SearchDocs = mcp.NewTool(...)`, built in
    the package's init and copied into the variable), registered by `AddXTools(s)`; the
    table `[]toolEntry{{AddSearchTools, dt.search, "search"}, {func(s) {AddAlertTools(s,
    write)}, dt.alerting, "alerting"}, {AddAdminTools, dt.admin, "admin"}}` is a new object
    filled by a bulk copy of a read-only template, then each entry's func value or closure
    stored in turn; the default list is an inlined `flag.StringVar`: the default stored
    into the variable, then `(*FlagSet).Var` with the variable as the flag's value.
    `also_read_by` names a function without a group that also reads the admin variable."""
    elf = GoElf()
    new, var = "runtime.newobject", "flag.(*FlagSet).Var"
    init, register = f"{SRV}/tools.init", f"{SRV}/tools.(*Tool).Register"
    entries, flags = (
        f"{SRV}/cmd.(*disabledTools).toolEntries",
        f"{SRV}/cmd.(*disabledTools).addFlags",
    )
    elf.declare(new, f"{MCP}.NewTool", f"{MCP}.WithDescription", var, init, register)
    elf.declare(*VARIABLE_TOOLS, entries, CLOSURE, flags, *([also_read_by] if also_read_by else []))
    holders = {}
    a = elf.asm(init)
    for function, (_, name, description) in VARIABLE_TOOLS.items():
        tool, tool_len = elf.string(name)
        text, text_len = elf.string(description)
        holders[function] = holder = elf.variable(32)
        a.lea_rip(AX, text).mov_imm(BX, text_len).call(elf.entry(f"{MCP}.WithDescription"))
        a.store(SP, 0x40, AX)
        a.lea_rip(AX, tool).mov_imm(BX, tool_len).lea(CX, SP, 0x40).mov_imm(DI, 1).mov_imm(SI, 1)
        a.call(elf.entry(f"{MCP}.NewTool"))
        # The result, left on the stack, copied into the variable.
        a.lea_rip(CX, holder).mov(DX, SP).movups_load(XMM14, DX, 0).movups_store(CX, 0, XMM14)
        a.movups_load(XMM14, DX, 0x10).movups_store(CX, 0x10, XMM14)
    elf.define(init, a.ret())
    elf.define(register, elf.asm(register).ret())
    for function, holder in holders.items():
        elf.define(function, elf.asm(function).lea_rip(AX, holder).call(elf.entry(register)).ret())
    if also_read_by:
        admin = holders[f"{SRV}/tools.AddAdminTools"]
        elf.define(
            also_read_by, elf.asm(also_read_by).lea_rip(AX, admin).call(elf.entry(register)).ret()
        )
    add_alerts = elf.asm(CLOSURE).call(elf.entry(f"{SRV}/tools.AddAlertTools")).ret()
    elf.define(CLOSURE, add_alerts)
    template = bytearray()
    for group, _, _ in VARIABLE_TOOLS.values():
        text, length = elf.string(group)
        template += struct.pack("<QQQQ", 0, 0, text, length)  # func, disabled, name
    template_at = elf.data(bytes(template))
    array = elf.type(17, len(template), "[3]cmd.toolEntry")
    closure = elf.type(25, 16, "struct { F uintptr; cmd.write bool }")
    t = elf.asm(entries).lea_rip(AX, array).call(elf.entry(new)).store(SP, 0x20, AX)
    t.lea_rip(CX, template_at).mov(DX, AX).mov_imm(BX, 1)
    loop = t.here()
    for offset in (0, 0x10, 0x20, 0x30):
        t.movups_load(XMM14, CX, offset).movups_store(AX, offset, XMM14)
    t.add_imm(CX, 0x40).add_imm(AX, 0x40).dec32(BX).jnz(loop)
    for offset in (0, 0x10):
        t.movups_load(XMM14, CX, offset).movups_store(AX, offset, XMM14)
    t.lea_rip(CX, elf.words(elf.entry(f"{SRV}/tools.AddSearchTools"))).store(DX, 0, CX)
    t.store_byte(DX, 8, 0)
    t.lea_rip(AX, closure).call(elf.entry(new)).lea_rip(CX, elf.entry(CLOSURE)).store(AX, 0, CX)
    t.load(DX, SP, 0x20).store(DX, 0x20, AX).store_byte(DX, 0x28, 0)
    t.lea_rip(CX, elf.words(elf.entry(f"{SRV}/tools.AddAdminTools"))).store(DX, 0x40, CX)
    t.store_byte(DX, 0x48, 0)
    elf.define(entries, t.mov(AX, DX).ret())
    command_line = elf.variable(8)
    itab = elf.words(0, elf.pointer_type("*flag.stringValue", elf.type(24, 16, "string")))
    name, name_len = elf.string("enabled-tools")
    value, value_len = elf.string(default)
    usage, usage_len = elf.string("Tool categories to enable")
    f = elf.asm(flags).store_imm(AX, 8, value_len).lea_rip(DX, value).store(AX, 0, DX)
    f.mov(CX, AX).load_rip(AX, command_line).lea_rip(BX, itab)
    f.lea_rip(DI, name).mov_imm(SI, name_len).lea_rip(R8, usage).mov_imm(R9, usage_len)
    elf.define(flags, f.call(elf.entry(var)).ret())
    return elf


def test_tools_in_variables_take_the_group_of_a_table_copied_from_a_template():
    elf = variable_table_server("search,alerting")
    report = read_binary(elf.build())
    assert {f.draft.name: f.condition for f in report.found} == {
        "search_docs": 'toolset "search" enabled (on by default)',
        "list_alerts": 'toolset "alerting" enabled (on by default)',  # through the closure
        "delete_user": 'toolset "admin" enabled (off by default)',
    }
    assert {f.function for f in report.found} == {f"{SRV}/tools.init"}
    assert any("from the default of the flag 'enabled-tools'" in n for n in report.notes)


def test_the_inlined_string_flag_default_decides_which_groups_are_on():
    found = conditions(variable_table_server("admin,alerting"))
    assert found["delete_user"] == 'toolset "admin" enabled (on by default)'
    assert found["search_docs"] == 'toolset "search" enabled (off by default)'


def test_a_variable_also_read_outside_any_group_gets_no_condition():
    found = conditions(variable_table_server("search,alerting", f"{SRV}/cmd.listTools"))
    assert found["delete_user"] is None
    assert found["search_docs"] == 'toolset "search" enabled (on by default)'


def test_a_corrupt_variable_table_server_never_raises():
    original = variable_table_server("search,alerting").build()
    rng = random.Random(20260301)
    for _ in range(120):
        data = bytearray(original)
        for _ in range(rng.randint(1, 30)):
            at = rng.randrange(0x1000, 0x1000 + 0x200 * 14)  # inside the code
            data[at] = rng.randrange(256)
        report = read_binary(bytes(data), steps=50_000, seconds=2.0)
        assert isinstance(report.found, list)
