"""The model slot: a Scorer decides only where the rules found nothing."""

from __future__ import annotations

from classifier import classify
from classifier.combine import MODEL_MIN
from mcp_domain import Category
from tests.classifier.helpers import tool


class FixedScorer:
    def __init__(self, probs):
        self.probs = probs
        self.calls = 0

    def predict_proba(self, t):
        self.calls += 1
        return self.probs


def test_rules_only_has_no_model():
    label = classify(tool("frobnicate", "Frobnicates the widget."), rules_only=True)
    assert label.category == "Read" and "model" not in label.rationale


def test_scorer_decides_when_rules_are_silent():
    scorer = FixedScorer({Category.Read: 0.1, Category.Execute: 0.8, Category.Write: 0.1})
    label = classify(tool("frobnicate", "Frobnicates the widget."), scorer=scorer)
    assert scorer.calls == 1
    assert label.category == "Execute" and label.risk == "high"
    assert "learned model scores Execute at 0.80" in label.rationale
    assert label.confidence == 0.72


def test_scorer_never_overrules_a_rule_decision():
    scorer = FixedScorer({Category.Read: 0.95, Category.Destructive: 0.05})
    label = classify(tool("delete_file", "Delete a file."), scorer=scorer)
    assert label.category == "Destructive"
    alone = classify(tool("delete_file", "Delete a file."))
    assert label.confidence < alone.confidence


def test_unsure_scorer_leaves_the_default():
    assert MODEL_MIN > 0.34  # no category below reaches it
    scorer = FixedScorer({Category.Read: 0.33, Category.Write: 0.34, Category.Execute: 0.33})
    assert classify(tool("frobnicate", "Frobnicates."), scorer=scorer).category == "Read"
