"""The evaluator pieces that decide per-tool guards in compiled TypeScript servers:
enum objects, option tables built in loops, helpers followed across modules,
destructured results read through `new C(...)`, and string helpers in flag names."""

from __future__ import annotations

from crawler.extract.javascript import JavaScriptExtractor
from crawler.extract.js.evaluate import Evaluator
from crawler.extract.js.modules import build_module
from crawler.extract.js.options import collect_option_defaults
from crawler.extract.js.parsing import parse_file
from crawler.extract.js.values import UNDEFINED, PartialText, Unresolved
from tests.extract.fixture_files import fixture_loader

load = fixture_loader("js")
GUARD = "isAvailableInMode(tool, this.#serverArgs) and not (handler.disabled)"


def evaluator_of(source: str) -> Evaluator:
    data = source.encode()
    module = build_module(parse_file("a.js", data, 100_000).parsed, {"a.js": data})
    return Evaluator({"a.js": module})


def exported(source: str, name: str):
    return evaluator_of(source).export_value("a.js", name)


# -- the fixture as a whole ---------------------------------------------------


def test_category_and_condition_gates_are_decided_per_tool():
    tools = {t.name: t for t in JavaScriptExtractor().extract(load("disable_category_gate")).tools}
    assert sorted(tools) == [
        "heap_summary",
        "list_addons",
        "read_console",
        "run",
        "run_script",
        "throttle_network",
    ]
    on, off = f"{GUARD} (on by default)", f"{GUARD} (off by default)"
    # Categories whose generated option defaults to true.
    assert tools["read_console"].condition == on
    assert tools["throttle_network"].condition == on
    # Its category is on and its extra condition names an option defaulting to true.
    assert tools["run_script"].condition == on
    # The add-ons category option is generated without a default.
    assert tools["list_addons"].condition == off
    # Category skipped, but its condition names an option without a default.
    assert tools["heap_summary"].condition == off
    # A lite-mode tool: not available while --lite is false.
    assert tools["run"].condition == off
    assert tools["throttle_network"].input_schema["properties"]["profile"]["enum"] == ["3g", "4g"]


def test_option_table_spreading_a_generated_table_takes_its_defaults():
    package = load("disable_category_gate")
    sources = {p: b for p, b in package.files.items() if p.endswith(".js")}
    modules = {
        path: build_module(parse_file(path, data, 100_000).parsed, set(sources))
        for path, data in sources.items()
    }
    defaults = collect_option_defaults(Evaluator(modules))
    assert defaults["categoryDebugging"] is True
    assert defaults["categoryNetwork"] is True
    assert defaults["categoryAddons"] is UNDEFINED
    assert "categoryMemory" not in defaults  # skipped by `continue` in the builder loop
    assert defaults["lite"] is False
    assert defaults["heapDebugging"] is UNDEFINED


# -- TypeScript enums as compiled ----------------------------------------------


def test_compiled_string_and_numeric_enums():
    source = (
        "export var Color;\n"
        "(function (Color) {\n"
        '    Color["RED"] = "red";\n'
        '    Color["DARK_RED"] = "dark-red";\n'
        "})(Color || (Color = {}));\n"
        "export var Level;\n"
        "(function (Level) {\n"
        '    Level[Level["LOW"] = 0] = "LOW";\n'
        '    Level[Level["HIGH"] = 3] = "HIGH";\n'
        "})(Level || (exports.Level = Level = {}));\n"
        "export const names = Object.values(Color);\n"
        "export const high = Level.HIGH;\n"
        "export const back = Level[3];\n"
    )
    assert exported(source, "names") == ["red", "dark-red"]
    assert exported(source, "high") == 3
    assert exported(source, "back") == "HIGH"


def test_a_var_without_an_enum_call_stays_unknown():
    source = "export var later;\nsetUp(later || (other = {}));\nexport const x = later;\n"
    assert isinstance(exported(source, "x"), Unresolved)


# -- functions followed statement by statement ----------------------------------


def test_builder_loop_fills_a_local_object_and_skips_with_continue():
    source = (
        "const names = ['alpha', 'beta', 'gamma'];\n"
        "function flags() {\n"
        "    const out = {};\n"
        "    for (const name of names) {\n"
        "        if (name === 'beta') { continue; }\n"
        "        out[`use${name.charAt(0).toUpperCase()}${name.slice(1)}`] = name.length;\n"
        "    }\n"
        "    return out;\n"
        "}\n"
        "export const table = flags();\n"
    )
    assert exported(source, "table") == {"useAlpha": 5, "useGamma": 5}


def test_for_in_with_break_and_early_return():
    source = (
        "const limits = {small: 1, medium: 5, large: 9};\n"
        "function firstOver(n) {\n"
        "    let found = 'none';\n"
        "    for (const key in limits) {\n"
        "        if (limits[key] > n) { found = key; break; }\n"
        "    }\n"
        "    return found;\n"
        "}\n"
        "function pick(n) {\n"
        "    for (const key in limits) {\n"
        "        if (limits[key] === n) { return key; }\n"
        "    }\n"
        "    return 'other';\n"
        "}\n"
        "export const a = firstOver(3);\n"
        "export const b = pick(9);\n"
        "export const c = pick(4);\n"
    )
    assert exported(source, "a") == "medium"
    assert exported(source, "b") == "large"
    assert exported(source, "c") == "other"


def test_loop_not_followed_leaves_what_it_assigns_unknown():
    source = (
        "function last(list) {\n"
        "    let seen = 'none';\n"
        "    for (const item of list) { seen = item; }\n"
        "    if (seen === 'none') { return 'empty'; }\n"
        "    return seen;\n"
        "}\n"
        "export const r = last(process.argv);\n"
    )
    assert not exported(source, "r") == "empty"


def test_loop_over_an_unknown_list_filling_an_object_is_undecided():
    source = (
        "function build(list) {\n"
        "    const out = {};\n"
        "    for (const item of list) { out[item] = true; }\n"
        "    if (out.x) { return 'has x'; }\n"
        "    return 'no x';\n"
        "}\n"
        "export const r = build(process.argv);\n"
    )
    assert isinstance(exported(source, "r"), Unresolved)


def test_destructured_helper_result_read_through_new():
    source = (
        "function status(tool, args) {\n"
        "    if (tool.flags?.includes('beta') && !args.beta) {\n"
        "        return { disabled: true, why: 'beta' };\n"
        "    }\n"
        "    return { disabled: false };\n"
        "}\n"
        "class Handler {\n"
        "    constructor(tool, args) {\n"
        "        const { disabled, why } = status(tool, args);\n"
        "        this.why = why;\n"
        "        this.disabled = disabled || Boolean(args.off);\n"
        "    }\n"
        "}\n"
        "export const beta = new Handler({flags: ['beta']}, {}).disabled;\n"
        "export const plain = new Handler({}, {}).disabled;\n"
        "export const allowed = new Handler({flags: ['beta']}, {beta: true}).disabled;\n"
        "export const reason = new Handler({flags: ['beta']}, {}).why;\n"
    )
    assert exported(source, "beta") is True
    assert exported(source, "plain") is False
    assert exported(source, "allowed") is False
    assert exported(source, "reason") == "beta"


def test_string_helpers():
    source = (
        "const s = 'network';\n"
        "export const a = s.charAt(0).toUpperCase() + s.slice(1);\n"
        "export const b = s.slice(-4);\n"
        "export const c = s.substring(4, 1);\n"
        "export const d = [s.startsWith('net'), s.endsWith('work'), s.includes('xyz')];\n"
        "export const e = s.charAt(40);\n"
    )
    assert exported(source, "a") == "Network"
    assert exported(source, "b") == "work"
    assert exported(source, "c") == "etw"
    assert exported(source, "d") == [True, True, False]
    assert exported(source, "e") == ""


def test_a_factory_wrapper_may_run_inside_itself_for_another_tool():
    source = (
        "function pageTool(definition) {\n"
        "    return (args) => ({ ...definition(args), pageScoped: true });\n"
        "}\n"
        "const startTrace = pageTool(() => ({ name: 'start_trace' }));\n"
        "const audit = pageTool((args) => ({\n"
        "    name: 'audit',\n"
        "    description: `Audit the page; for performance run ${startTrace(args).name}`,\n"
        "}));\n"
        "export const made = audit({});\n"
        "function countdown(n) { return countdown(n); }\n"
        "export const looped = countdown(3);\n"
    )
    made = exported(source, "made")
    assert made["description"] == "Audit the page; for performance run start_trace"
    assert made["pageScoped"] is True
    assert isinstance(exported(source, "looped"), Unresolved)


def test_a_local_is_read_once_per_call_and_module_values_once_per_package():
    # 60 tools, each pushed with a local that scans the whole catalogue: without keeping
    # the local for the call, the work grows with the square of the catalogue.
    entries = ",\n".join(f"  t{i}: {{ name: 'tool_{i}', tags: ['a', 'b'] }}" for i in range(60))
    source = (
        f"const catalogue = {{\n{entries}\n}};\n"
        "function names(all) {\n"
        "    return Object.values(all).flatMap((t) => t.tags.map((g) => `${t.name}:${g}`));\n"
        "}\n"
        "function plan(all) {\n"
        "    const out = [];\n"
        "    const every = names(all);\n"
        "    for (const tool of Object.values(all)) {\n"
        "        out.push({ name: tool.name, known: every.length });\n"
        "    }\n"
        "    return out;\n"
        "}\n"
        "export const planned = plan(catalogue);\n"
    )
    ev = evaluator_of(source)
    planned = ev.export_value("a.js", "planned")
    assert len(planned) == 60
    assert planned[59] == {"name": "tool_59", "known": 120}
    assert ev._steps < 20_000


def test_hostile_shapes_stay_bounded_and_undecided():
    nested = "E[" * 3000 + '"k"' + "] = 1" * 1 + "]" * 2999
    source = (
        "export var E;\n"
        f"(function (E) {{ {nested}; }})(E || (E = {{}}));\n"
        "export const deep = E.k;\n"
        "const many = Array.from({ length: 5 });\n"
        "function spin(list) {\n"
        "    const out = {};\n"
        "    let count = 0;\n"
        "    for (const a of list) { for (const b of list) { out[`${a}${b}`] = count++; } }\n"
        "    return out;\n"
        "}\n"
        f"export const big = spin([{', '.join(str(i) for i in range(600))}]);\n"
        "function forever(x) { const o = {}; while (true) { o.x = x; } return o; }\n"
        "export const stuck = forever(1);\n"
    )
    ev = evaluator_of(source)
    deep = ev.export_value("a.js", "deep")
    assert deep is UNDEFINED or isinstance(deep, Unresolved)
    # Too many elements to follow, and the object it fills is then not known.
    assert isinstance(ev.export_value("a.js", "big"), Unresolved)
    assert isinstance(ev.export_value("a.js", "stuck"), Unresolved)


def test_text_added_to_under_a_run_time_test_keeps_its_known_start():
    source = (
        "function guidance(info) {\n"
        "    let text = 'Use absolute paths.';\n"
        "    if (info.inContainer) { text += ' Prefer mounted folders.'; }\n"
        "    return text;\n"
        "}\n"
        "function counter(info) {\n"
        "    let n = 1;\n"
        "    if (info.big) { n = 2; }\n"
        "    return n;\n"
        "}\n"
        "export const said = `Note: ${guidance(readInfo())} Then go on.`;\n"
        "export const count = counter(readInfo());\n"
    )
    said = exported(source, "said")
    assert said == "Note: Use absolute paths.${…} Then go on."
    assert isinstance(said, PartialText)
    assert isinstance(exported(source, "count"), Unresolved)
