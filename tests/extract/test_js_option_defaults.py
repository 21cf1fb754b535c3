"""Guards decided with the defaults of the server's command-line options."""

from __future__ import annotations

from pathlib import Path

from crawler.extract.javascript import JavaScriptExtractor
from crawler.extract.js.evaluate import Evaluator
from crawler.extract.js.modules import build_module
from crawler.extract.js.options import collect_option_defaults
from crawler.extract.js.parsing import parse_file
from crawler.extract.js.values import UNDEFINED
from crawler.files import PackageFiles

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "js"
SMALL_LIMIT = 4000  # below the vendored stand-in's size, so it is skipped as too large
GUARD = "isAvailableInMode(tool, this.#serverArgs)"


def fixture_files(name: str) -> dict[str, bytes]:
    root = FIXTURES / name
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def extract(files: dict[str, bytes]):
    return JavaScriptExtractor(max_source_bytes=SMALL_LIMIT).extract(PackageFiles(files=files))


def defaults_of(source: str) -> dict:
    data = source.encode()
    module = build_module(parse_file("a.js", data, 100_000).parsed, {"a.js": data})
    return collect_option_defaults(Evaluator({"a.js": module}))


def test_mode_guard_is_decided_per_tool_with_the_option_defaults():
    tools = {t.name: t for t in extract(fixture_files("cli_defaults")).tools}
    assert sorted(tools) == ["go", "list_tabs", "reload_tab"]
    assert tools["list_tabs"].condition == f"{GUARD} (on by default)"
    assert tools["reload_tab"].condition == f"{GUARD} (on by default)"
    # The slim tool is only registered with --slim, whose default is false.
    assert tools["go"].condition == f"{GUARD} (off by default)"
    assert tools["go"].description == "Loads a URL"


def test_default_on_option_adds_the_routing_property_except_to_slim_tools():
    tools = {t.name: t for t in extract(fixture_files("cli_defaults")).tools}
    assert tools["reload_tab"].input_schema == {
        "type": "object",
        "properties": {
            "tabId": {"type": "number", "description": "Tab to act on."},
            "hard": {"type": "boolean", "description": "Bypass the cache."},
        },
        "required": ["tabId"],
    }
    assert tools["go"].input_schema["properties"] == {
        "url": {"type": "string", "description": "URL to load"}
    }
    assert tools["list_tabs"].input_schema == {"type": "object", "properties": {}}


def test_without_option_declarations_the_guard_stays_undecided():
    files = fixture_files("cli_defaults")
    del files["build/config/options.js"]
    files["build/index.js"] = files["build/index.js"].replace(
        b"import { cliOptions } from './config/options.js';\n", b""
    )
    tools = {t.name: t for t in extract(files).tools}
    assert {t.condition for t in tools.values()} == {GUARD}
    assert "tabId" not in tools["reload_tab"].input_schema["properties"]


def test_option_tables_and_option_calls_are_read():
    defaults = defaults_of(
        """
        export const options = {
            slim: { type: 'boolean', default: false, describe: 'Slim tools.' },
            port: { type: 'number', default: 8000 + 80, describe: 'Port.' },
            token: { type: 'string', describe: 'API token.' },
        };
        yargs.option('read-only', { type: 'boolean', default: true, desc: 'No writes.' });
        """
    )
    assert defaults == {"slim": False, "port": 8080, "token": UNDEFINED, "read-only": True}


def test_json_schema_property_tables_are_not_options():
    defaults = defaults_of(
        """
        export const schema = {
            type: 'object',
            properties: {
                url: { type: 'string', description: 'Page to open.', default: 'about:blank' },
            },
        };
        export const mixed = {
            verbose: { type: 'boolean', default: true, describe: 'Chatty.' },
            name: 'not an option',
        };
        """
    )
    assert defaults == {}


def test_optional_chain_and_includes_on_known_lists():
    data = b"""
    const a = { tags: ['slim', 'fast'] };
    const b = {};
    export const yes = a.tags?.includes('slim');
    export const no = a.tags?.includes('wide');
    export const missing = b.tags?.includes('slim');
    export const member = b.extra?.name;
    """
    module = build_module(parse_file("a.js", data, 100_000).parsed, {"a.js": data})
    ev = Evaluator({"a.js": module})
    assert ev.export_value("a.js", "yes") is True
    assert ev.export_value("a.js", "no") is False
    assert ev.export_value("a.js", "missing") is UNDEFINED
    assert ev.export_value("a.js", "member") is UNDEFINED


def test_option_keys_in_any_spelling_are_found_and_zod_describe_calls_ignored():
    # Minified quoting, a later declaration overriding an earlier one, and zod's
    # `.describe(...)` calls (which are not option keys) around the tables.
    defaults = defaults_of(
        """
        const s = z.object({ q: z.string().describe('query') });
        var o={"slim":{"type":"boolean","default":!0,"describe":"Slim."}};
        const t = { deep: { inner: { type: 'string', desc: 'Inner.', default: 'x' } } };
        y.option('slim', { type: 'boolean', default: false, 'desc' : 'Slim again.' });
        """
    )
    assert defaults == {"slim": False, "inner": "x"}


def test_option_key_budget_bounds_the_search(monkeypatch):
    import crawler.extract.js.options as options

    tables = "".join(
        f"const t{i} = {{ o{i}: {{ type: 'boolean', default: true, desc: 'x' }} }};\n"
        for i in range(30)
    )
    assert len(defaults_of(tables)) == 30
    monkeypatch.setattr(options, "_MAX_KEYS", 5)
    assert defaults_of(tables) == {f"o{i}": True for i in range(5)}
