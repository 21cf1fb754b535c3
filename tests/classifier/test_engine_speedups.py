"""The engine's speed-ups (rule candidates, span memo) never change a result."""

from __future__ import annotations

from classifier.dataset import load_examples
from classifier.engine import Engine
from classifier.features import extract_features
from classifier.ruleset import default_rules
from tests.classifier.helpers import props, tool


class _Everything:
    def __init__(self, n: int) -> None:
        self.n = n

    def of(self, _features):
        return set(range(self.n))


def _plain_engine() -> Engine:
    engine = Engine(default_rules())
    engine._candidates = _Everything(len(engine._rules))  # every rule tried on every tool
    return engine


def _hits(engine: Engine, features) -> list:
    return [(h.rule.id, h.weight, h.evidence) for h in engine.run(features)]


EXTRA = [
    tool("x", "ＤＥＬＥＴＥ İstanbul straße DELETE everything; rm -rf /"),
    tool("rmdir", "", props(path={"type": "string", "description": "Deletes it"})),
    tool("ops", "Manage.", props(action={"enum": ["get", "delete", "refund"]})),
]


def test_candidates_and_memo_give_the_same_hits_as_trying_every_rule():
    fast = Engine(default_rules())
    plain = _plain_engine()
    tools = [e.tool for e in load_examples()] + EXTRA
    for t in tools:
        features = extract_features(t)
        first = _hits(fast, features)
        assert first == _hits(plain, features), t.name
        assert _hits(fast, features) == first  # second run answers from the memo


def test_candidates_skip_rules_that_cannot_fire():
    engine = Engine(default_rules())
    ids = [r.rule.id for r in engine._rules]
    found = {
        ids[i] for i in engine._candidates.of(extract_features(tool("weather", "Weather report.")))
    }
    # Annotation rules and regexes without a literal start are always tried.
    assert {"annotation.read-only-hint", "risk.bulk-scope"} <= found
    assert not found & {"destructive.delete-verb", "read.read-verb", "execute.run-code"}
    listed = {ids[i] for i in engine._candidates.of(extract_features(tool("list_files", "")))}
    assert "read.read-verb" in listed
