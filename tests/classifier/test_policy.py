"""policy.json recommendations: format, numbers, golden output."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from classifier import classify
from classifier.policy import PolicyDefaults, PolicyFile, policy_for_tools, render_policy
from mcp_domain import Category, Label, Risk
from tests.classifier.helpers import FIXTURES, props, tool

TOOLS = [
    tool("list_files", "List files in a directory.", props(path={"type": "string"})),
    tool("run_command", "Run a shell command.", props(command={"type": "string"})),
    tool("delete_repo", "Delete a repository.", props(repo={"type": "string"})),
    tool("create_issue", "Create an issue.", props(title={"type": "string"})),
    tool("create_payment_link", "Create a payment link.", props(price={"type": "string"})),
]


def _labelled(tools=TOOLS):
    return [(t, classify(t)) for t in tools]


def test_golden_policy():
    text = render_policy(policy_for_tools(_labelled()))
    assert text == (FIXTURES / "policy_golden.json").read_text(encoding="utf-8")
    assert text.endswith("}\n") and '\n  "version": "1",' in text


def test_rules_per_category():
    tools = json.loads(render_policy(policy_for_tools(_labelled())))["tools"]
    assert list(tools) == sorted(tools)
    assert tools["list_files"] == {
        "limits": [{"counter": "list_files_rate", "window": "minute", "max": 60, "scope": "grant"}]
    }
    assert tools["create_issue"]["limits"][0]["max"] == 30
    run = tools["run_command"]
    assert run["limits"][0] == {
        "counter": "run_command_rate", "window": "minute", "max": 10, "scope": "grant"
    }  # fmt: skip
    (validation,) = run["deny_if"]
    assert validation["conditions"] == [
        {
            "arguments_not_matching": {
                "type": "object",
                "properties": {"command": {"type": "string"}},
            }
        }
    ]
    assert validation["on_deny"] == "Arguments do not match the tool's input schema."
    approval = {"deny_if": [{"conditions": [], "on_deny": "Requires human approval."}]}
    assert tools["delete_repo"] == approval
    assert tools["create_payment_link"] == approval


def test_user_overrides():
    defaults = PolicyDefaults(read_max=5, execute_max=2, window="hour", scope="user",
                              validate_execute_arguments=False)  # fmt: skip
    tools = policy_for_tools(_labelled(), defaults).tools
    assert tools["list_files"].limits[0].max == 5
    assert tools["list_files"].limits[0].window == "hour"
    assert tools["run_command"].limits[0].max == 2
    assert tools["run_command"].deny_if is None
    assert tools["create_issue"].limits[0].scope == "user"


def test_same_name_keeps_the_stricter_rule():
    same = tool("sync", "Sync.")
    read = Label(category=Category.Read, risk=Risk.low, confidence=0.5, rationale="r")
    gone = Label(category=Category.Destructive, risk=Risk.critical, confidence=0.9, rationale="d")
    for pairs in ([(same, read), (same, gone)], [(same, gone), (same, read)]):
        rule = policy_for_tools(pairs).tools["sync"]
        assert rule.limits is None and rule.deny_if[0].on_deny == "Requires human approval."


def test_policy_file_round_trips_and_forbids_extra_keys():
    text = render_policy(policy_for_tools(_labelled()))
    assert render_policy(PolicyFile.model_validate_json(text)) == text
    data = json.loads(text)
    data["tools"]["list_files"]["allow"] = True
    with pytest.raises(ValidationError):
        PolicyFile.model_validate(data)
    with pytest.raises(ValidationError):
        PolicyFile.model_validate({"version": "2", "default": "deny", "tools": {}})
    with pytest.raises(ValidationError):
        PolicyFile.model_validate({"version": "1", "default": "allow", "tools": {}})


def test_rendering_is_deterministic_whatever_the_input_order():
    forward = render_policy(policy_for_tools(_labelled()))
    backward = render_policy(policy_for_tools(_labelled(list(reversed(TOOLS)))))
    assert forward == backward


def test_hostile_schemas_fail_closed():
    deep: dict = {"type": "string"}
    for _ in range(3000):
        deep = {"type": "object", "properties": {"a": deep}}
    label = Label(category=Category.Execute, risk=Risk.high, confidence=0.9, rationale="x")
    for schema in (deep, {}):
        rule = policy_for_tools([(tool("run", "Run.", schema), label)]).tools["run"]
        assert rule.deny_if[0].conditions == [
            {"arguments_not_matching": {"type": "object", "additionalProperties": False}}
        ]
    text = render_policy(policy_for_tools([(tool("run", "Run.", deep), label)]))
    assert '"additionalProperties": false' in text
