"""Every evidence item quotes the exact substring of the field it names."""

from __future__ import annotations

from classifier import classify
from classifier.ruleset import default_rules
from mcp_domain import ToolDefinition
from tests.classifier.helpers import field_text, props, sanity_items, sanity_tool, tool


def _corpus() -> list[ToolDefinition]:
    tools = [sanity_tool(item) for item in sanity_items()]
    for rule in default_rules().rules:
        for ex in rule.examples.positive + rule.examples.benign:
            tools.append(tool(ex.name, ex.description, ex.input_schema, ex.annotations))
    tools += [
        tool(
            "manage",
            "  Deletes   rows.\nThen OVERWRITES the file; sends an email.",
            props(
                action={"type": "string", "enum": ["create", "delete", 3, True]},
                opts=props(mode={"type": "string", "enum": ["overwrite"], "default": "overwrite"}),
                items={"type": "array", "items": props(password={"type": "string"})},
            ),
            {"readOnlyHint": True, "destructiveHint": False, "openWorldHint": True, "title": "x"},
        ),
        tool("ünïcødé_delete", "Löscht eine Datei. Deletes a file. 删除文件"),
        tool("x" * 50, "Run a shell command " * 2000),
    ]
    return tools


def test_evidence_is_an_exact_substring_of_its_field():
    checked = 0
    for t in _corpus():
        label = classify(t)
        assert label.rationale
        for e in label.evidence:
            text = field_text(t, e.field)
            assert 0 <= e.start < e.end <= len(text), (t.name, e)
            assert text[e.start : e.end] == e.text, (t.name, e)
            assert e.supports, (t.name, e)
            checked += 1
    assert checked > 150


def test_evidence_names_property_paths():
    label = classify(
        tool(
            "deploy", "Deploy the app.", props(target={"type": "string", "description": "any host"})
        )
    )
    fields = {e.field for e in label.evidence}
    assert "inputSchema.properties.target.description" in fields
    assert "name" in fields


def test_rationale_quotes_evidence():
    label = classify(tool("delete_entities", "Delete multiple entities from the knowledge graph"))
    assert label.rationale.startswith("Destructive: it deletes data or resources (")
    assert '"delete" (name)' in label.rationale
    assert label.rationale.count(".") <= 3
