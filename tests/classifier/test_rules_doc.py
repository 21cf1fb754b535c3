"""docs/rules.md is generated from the rule files and kept up to date."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from classifier.ruleset import default_rules

ROOT = Path(__file__).resolve().parents[2]


def _script():
    spec = importlib.util.spec_from_file_location(
        "gen_rules_doc", ROOT / "scripts/gen_rules_doc.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_rules_doc_lists_every_rule_and_is_current():
    text = _script().render(default_rules())
    for rule in default_rules().rules:
        assert f"### `{rule.id}`" in text
    assert "&lt;IMPORTANT>" in text
    assert (ROOT / "docs/rules.md").read_text(encoding="utf-8") == text, (
        "docs/rules.md is stale: run python scripts/gen_rules_doc.py"
    )
