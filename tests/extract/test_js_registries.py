"""Tools collected through registries, namespaces, factories and default-enabled lists."""

from __future__ import annotations

from pathlib import Path

from crawler.extract.javascript import JavaScriptExtractor
from crawler.files import PackageFiles
from mcp_domain import Completeness

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "js"


def extract(name: str):
    root = FIXTURES / name
    files = {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}
    return JavaScriptExtractor().extract(PackageFiles(files=files))


def by_name(result) -> dict:
    return {t.name: t for t in result.tools}


def test_class_instances_registered_into_a_map_are_listed():
    result = extract("class_registry")
    tools = by_name(result)
    assert list(tools) == ["crm-find-contact", "crm-delete-contact"]
    find = tools["crm-find-contact"]
    assert find.description == "Find a contact by email."
    assert find.input_schema == {
        "type": "object",
        "properties": {"email": {"type": "string", "description": "Contact email"}},
        "required": ["email"],
    }
    assert find.annotations == {"readOnlyHint": True}
    assert find.source.file == "dist/tools/contacts.js"
    delete = tools["crm-delete-contact"]
    assert delete.description == "Delete a contact."
    assert delete.input_schema["required"] == ["id"]
    assert result.completeness is Completeness.complete


def test_object_values_over_a_module_namespace_with_a_cached_list():
    result = extract("chart_namespace")
    tools = by_name(result)
    assert sorted(tools) == ["generate_bar_chart", "generate_pie_chart"]
    assert tools["generate_bar_chart"].description == "Generate a bar chart."
    assert list(tools["generate_bar_chart"].input_schema["properties"]) == ["data", "title"]
    assert tools["generate_pie_chart"].source.file == "build/charts/pie.js"
    assert all(t.condition is None for t in result.tools)
    assert result.completeness is Completeness.complete


def test_factory_parameters_name_tools_registered_by_a_method():
    tools = by_name(extract("factory_tools"))
    assert sorted(tools) == ["getPageInfo", "runPerformanceAudit", "runSEOAudit"]
    seo = tools["runSEOAudit"]
    assert seo.description == "Lighthouse SEO audit of the page."
    assert seo.annotations == {"title": "Run an SEO audit", "readOnlyHint": True}
    assert seo.input_schema["properties"]["url"] == {
        "type": "string",
        "description": "Page to audit.",
    }


def test_guard_helpers_are_evaluated_over_the_default_enabled_list():
    result = extract("default_set")
    conditions = {t.name: t.condition for t in result.tools}
    assert conditions == {
        "web_search": 'canRegisterTool("web_search") (on by default)',
        "company_lookup": 'canRegisterTool("company_lookup") (off by default)',
        "web_fetch": 'canRegisterTool("web_fetch") (on by default)',
        "deep_research": 'canRegisterTool("deep_research") (off by default)',
    }
    assert (
        "2 of 4 tools are off in the default configuration: company_lookup, deep_research"
        in result.notes
    )
