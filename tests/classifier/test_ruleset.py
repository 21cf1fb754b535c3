"""Every rule file loads, and each rule hits its positive examples and not its benign ones."""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier import classify
from classifier.engine import Engine
from classifier.features import extract_features
from classifier.ruleset import RuleFileError, default_rules, load_rule_file, load_rules
from mcp_domain import ToolDefinition

RULES = default_rules().rules
ENGINE = Engine(default_rules())


def _example_tool(ex) -> ToolDefinition:
    return ToolDefinition(
        name=ex.name,
        description=ex.description,
        input_schema=ex.input_schema or {"type": "object"},
        annotations=ex.annotations,
    )


def _cases(kind: str):
    for rule in RULES:
        for i, ex in enumerate(getattr(rule.examples, kind)):
            yield pytest.param(rule, ex, id=f"{rule.id}-{kind}-{i}-{ex.name}")


def _fired(rule, ex) -> bool:
    return rule.id in {h.rule.id for h in ENGINE.run(extract_features(_example_tool(ex)))}


def test_rule_set_is_complete():
    ids = {r.id for r in RULES}
    assert len(RULES) >= 30
    for required in (
        "destructive.delete-verb",
        "destructive.overwrite",
        "execute.generative-model",
        "execute.browser",
        "financial.payment",
        "read.read-only-statement",
        "risk.credentials",
        "risk.external-messages",
        "injection.hidden-tags",
        "openworld.annotation-hint",
    ):
        assert required in ids


@pytest.mark.parametrize(("rule", "ex"), list(_cases("positive")))
def test_positive_example_hits_its_rule(rule, ex):
    assert _fired(rule, ex), f"{rule.id} missed {ex.name!r}: {ex.description!r}"
    if ex.category is not None:
        assert classify(_example_tool(ex)).category == ex.category


@pytest.mark.parametrize(("rule", "ex"), list(_cases("benign")))
def test_benign_example_does_not_hit_its_rule(rule, ex):
    assert not _fired(rule, ex), f"{rule.id} fired on benign {ex.name!r}: {ex.description!r}"


GOOD = """
id = "read.sample"
kind = "category"
category = "Read"
summary = "x"
rationale = "it reads ({evidence})"
[[match]]
fields = ["name"]
tokens = ["get"]
weight = 0.8
[[examples.positive]]
name = "get_x"
[[examples.benign]]
name = "set_x"
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_rule_file_loads(tmp_path):
    rule = load_rule_file(_write(tmp_path, "read.sample.toml", GOOD))
    assert rule.id == "read.sample" and rule.supports == "Read"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("weight = 0.8", 'weight = 0.8\nregex = ["(unclosed"]'), "exactly one of"),
        (('tokens = ["get"]', 'regex = ["(unclosed"]'), "bad regex"),
        (('category = "Read"', 'category = "Sideways"'), "invalid rule"),
        (("weight = 0.8", "weight = 0.8\ncolour = 1"), "invalid rule"),
        (('rationale = "it reads ({evidence})"', 'rationale = "it reads"'), "{evidence}"),
        (('fields = ["name"]', 'fields = ["description"]'), "token matches only work"),
        (('id = "read.sample"', 'id = "read.other"'), "must match the file name"),
        (('tokens = ["get"]', 'all_of = [["get", "read out"]]'), "single tokens, not phrases"),
        (("[[match]]", "[[match"), "cannot read rule file"),
    ],
)
def test_a_bad_rule_file_is_a_clear_error_naming_it(tmp_path, change, message):
    old, new = change
    path = _write(tmp_path, "read.sample.toml", GOOD.replace(old, new, 1))
    with pytest.raises(RuleFileError) as info:
        load_rules(tmp_path)
    assert str(info.value).startswith("read.sample.toml: ")
    assert message in str(info.value)
    assert path.exists()


def test_an_empty_rule_folder_is_an_error(tmp_path):
    with pytest.raises(RuleFileError, match="no rule files"):
        load_rules(tmp_path)
