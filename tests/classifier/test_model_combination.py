"""How rules and model combine: firm rules decide, the model decides the rest."""

from __future__ import annotations

from classifier import _engine, classify
from classifier.combine import SEVERE_MIN, SEVERE_OVER_FIRM, combine
from classifier.features import extract_features
from mcp_domain import Category
from tests.classifier.helpers import props, tool


class Fixed:
    def __init__(self, **probs: float) -> None:
        self.probs = {Category(k): v for k, v in probs.items()}

    def predict_proba(self, _tool):
        return self.probs


def test_firm_rule_decides_and_disagreement_lowers_confidence():
    t = tool("delete_file", "Delete a file.")
    agree = classify(t, scorer=Fixed(Destructive=0.9, Read=0.1))
    disagree = classify(t, scorer=Fixed(Write=0.9, Destructive=0.1))
    assert agree.category == disagree.category == "Destructive"
    assert disagree.confidence < agree.confidence
    assert disagree.confidence == round(0.9 * 0.8, 3)


def test_model_overrules_weak_rule_evidence():
    # "list" is only a weak Read signal; a confident model decides.
    t = tool("list_for_sale", "List an NFT for sale at a price.")
    label = classify(t, scorer=Fixed(Financial=0.85, Read=0.15))
    assert label.category == "Financial" and label.risk == "critical"
    assert "learned model scores Financial at 0.85" in label.rationale


def test_severe_category_wins_at_lower_probability():
    t = tool("frobnicate", "Frobnicates the widget.")
    above, below = SEVERE_MIN + 0.05, SEVERE_MIN - 0.05
    label = classify(t, scorer=Fixed(Write=1 - above, Financial=above))
    assert label.category == "Financial"
    assert classify(t, scorer=Fixed(Write=1 - below, Financial=below)).category == "Write"


def test_annotation_conflict_follows_the_final_category():
    t = tool("sync_items", "Synchronise items.", annotations={"readOnlyHint": True})
    read = classify(t, scorer=Fixed(Read=0.9, Write=0.1))
    assert read.category == "Read" and "annotation_conflict" not in read.flags
    write = classify(t, scorer=Fixed(Write=0.9, Read=0.1))
    assert write.category == "Write" and "annotation_conflict" in write.flags
    assert any(e.field == "annotations.readOnlyHint" for e in write.evidence)
    money = tool("transfer_funds", "Transfer money between accounts.",
                 annotations={"destructiveHint": False})  # fmt: skip
    assert "annotation_conflict" in classify(money).flags


def test_default_classify_uses_the_model(monkeypatch):
    import classifier

    t = tool("widget_info", "Returns the widget's details.")
    assert classify(t).category == "Read"
    model = classifier.default_model()
    scores = [{c: (0.9 if c == Category.Execute else 0.025) for c in Category}]
    monkeypatch.setattr(model, "score_batch", lambda f, h: (scores, None))
    label = classify(t)
    assert label.category == "Execute"
    assert "learned model scores Execute at 0.90" in label.rationale


def test_escalation_above_the_best_guess_is_explained_and_less_confident():
    t = tool("frobnicate", "Frobnicates the widget.")
    escalated = classify(t, scorer=Fixed(Write=0.55, Destructive=0.45))
    assert escalated.category == "Destructive"
    assert "Escalated from Write (0.55)" in escalated.rationale
    assert "missing a Destructive tool costs more" in escalated.rationale
    chosen = classify(t, scorer=Fixed(Destructive=0.65, Write=0.35))
    assert chosen.category == "Destructive" and "scalated" not in chosen.rationale
    assert escalated.confidence < chosen.confidence


def test_weak_rule_hint_and_a_small_model_score_escalate_together():
    schema = props(
        action={"type": "string", "enum": ["balances", "withdraw"]},
        asset={"type": "string"},
    )
    hinted = tool("exchange_account", "Account actions.", schema)
    plain = tool("exchange_account", "Account actions.", props(asset={"type": "string"}))
    probs = Fixed(Write=0.8, Read=0.1, Financial=0.1)
    label = classify(hinted, scorer=probs)
    assert label.category == "Financial"
    assert "weak rule evidence supports it" in label.rationale
    assert any(e.text == "withdraw" for e in label.evidence)
    # The same model scores without the hint leave the milder best guess in place.
    assert classify(plain, scorer=probs).category == "Write"
    # A hint alone, with a model that sees no money at all, is not enough.
    assert classify(hinted, scorer=Fixed(Write=0.98, Financial=0.02)).category == "Write"


def test_firm_milder_rule_yields_to_a_severe_model_score():
    t = tool("update_record", "Update a record.")
    above, below = SEVERE_OVER_FIRM + 0.05, SEVERE_OVER_FIRM - 0.05
    assert classify(t, scorer=Fixed(Write=1 - above, Financial=above)).category == "Financial"
    assert classify(t, scorer=Fixed(Write=1 - below, Financial=below)).category == "Write"
    # A firm Destructive rule is not escalated to Financial on a small score.
    gone = tool("delete_record", "Delete a record.")
    severe_pair = Fixed(Destructive=1 - above, Financial=above)
    assert classify(gone, scorer=severe_pair).category == "Destructive"


def test_listed_actions_bound_the_label():
    listed = props(action={"type": "string", "enum": ["list", "create", "update"]})
    t = tool("manage_issues", "Manage issues.", listed)
    # A model leaning to Destructive above the escalation bar adds no action the enum lacks.
    leaning = Fixed(Write=0.5, Destructive=SEVERE_MIN + 0.1, Read=0.4 - SEVERE_MIN)
    features = extract_features(t)
    steps: list[str] = []
    label = combine(t, features, _engine().run(features), leaning, trace=steps)
    assert label.category == "Write"
    assert any("listed in an enum" in s for s in steps)
    # Without the enum the same scores escalate.
    unlisted = tool("manage_issues", "Manage issues.")
    assert classify(unlisted, scorer=leaning).category == "Destructive"
