"""Tools built by factories (`defineTool`, `definePageTool`) and registered from a class."""

from __future__ import annotations

from pathlib import Path

from crawler.extract.javascript import JavaScriptExtractor
from crawler.extract.js.evaluate import Evaluator
from crawler.extract.js.modules import build_module
from crawler.extract.js.parsing import parse_file
from crawler.files import PackageFiles

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "js"
# Below the vendored bundle's size, so it is skipped as too large, as a real one would be.
SMALL_LIMIT = 4000


def extract(name: str, limit: int = SMALL_LIMIT):
    root = FIXTURES / name
    files = {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    return JavaScriptExtractor(max_source_bytes=limit).extract(PackageFiles(files=files))


def evaluate(source: str, name: str):
    data = source.encode()
    module = build_module(parse_file("a.js", data, 100_000).parsed, {"a.js": data})
    return Evaluator({"a.js": module}).export_value("a.js", name)


def test_factory_tools_pushed_in_a_loop_and_registered_by_a_private_method():
    result = extract("page_tools")
    tools = {t.name: t for t in result.tools}
    assert sorted(tools) == ["list_tabs", "reload_tab"]
    assert tools["list_tabs"].description == "List the open tabs."
    assert tools["list_tabs"].input_schema == {"type": "object", "properties": {}}
    reload = tools["reload_tab"]
    assert reload.description == "Reload a tab."
    assert reload.input_schema["properties"] == {
        "hard": {"type": "boolean", "description": "Bypass the cache."},
        "tabId": {"type": "number", "description": "Tab to act on."},
    }
    assert reload.input_schema["required"] == ["tabId"]
    assert reload.source.file == "build/index.js"


def test_bundle_too_large_is_skipped_yet_its_zod_export_is_recognised():
    result = extract("page_tools")
    assert [s.file for s in result.skipped] == ["build/vendor/bundle.js"]
    assert "tabId" in {t.name: t for t in result.tools}["reload_tab"].input_schema["properties"]


def test_closure_keeps_the_factory_argument():
    source = """
    function wrap(make) { return (x) => ({ ...make(x), wrapped: true }); }
    const made = wrap((x) => ({ name: 'n-' + x }));
    export const out = made('a');
    """
    assert evaluate(source, "out") == {"name": "n-a", "wrapped": True}


def test_push_in_for_of_is_read_once_per_element():
    source = """
    const names = ['a', 'b'];
    function build() {
        const out = [];
        for (const n of names) { out.push(n + '!'); }
        return out;
    }
    export const built = build();
    """
    assert evaluate(source, "built") == ["a!", "b!"]


def test_this_method_and_constructor_fields():
    source = """
    class Box {
        constructor(v) { this.v = v; this.twice = this.v + this.v; }
    }
    class Maker {
        #make(v) { return new Box(v); }
        run() { return this.#make('ab').twice; }
    }
    export const got = new Maker().run();
    """
    assert evaluate(source, "got") == "abab"
