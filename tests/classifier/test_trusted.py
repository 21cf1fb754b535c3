"""Evidence and labels built without validation are the objects validation builds."""

from __future__ import annotations

import classifier
from classifier import trusted
from classifier.dataset import load_examples
from mcp_domain import Category, Evidence, Label, Risk


def _state(model) -> tuple:
    return (
        type(model),
        list(model.__dict__.items()),
        model.__pydantic_fields_set__,
        model.model_dump(exclude_unset=True),
        model.model_dump_json(),
    )


def test_the_shortcut_is_in_use_and_builds_what_validation_builds():
    assert trusted.evidence is not Evidence and trusted.label is not Label
    quote = trusted.evidence("inputSchema.properties.x.enum", "drop", 9, 13, "a.b")
    assert _state(quote) == _state(
        Evidence(
            field="inputSchema.properties.x.enum", text="drop", start=9, end=13, supports="a.b"
        )
    )
    fields = {
        "category": Category.Financial,
        "risk": Risk.high,
        "confidence": 0.25,
        "rationale": "Financial: pays.",
        "evidence": [quote],
        "flags": ["sensitive_data"],
        "classifier_version": "rules-1",
    }
    built = trusted.label(**fields)
    assert _state(built) == _state(Label(**fields))
    assert built == Label(**fields)
    copy = built.model_copy(update={"flags": []})
    assert copy.flags == [] and built.flags == ["sensitive_data"]


def test_batch_labels_survive_a_validating_round_trip():
    tools = [e.tool for e in load_examples()[:300]]
    for label in classifier.classify_many(tools, workers=1):
        again = Label.model_validate_json(label.model_dump_json())
        assert _state(again) == _state(label)
