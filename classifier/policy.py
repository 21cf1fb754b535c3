"""Recommend a policy.json rule per tool from its label (taxonomy.md, "Recommended default policy").

Read, Write and Execute tools are allowed with a per-grant rate limit. Destructive
and Financial tools are denied unless a person approves each call, written as a
`deny_if` entry with no conditions (always applies) and the approval message.

Argument validation for Execute tools. The format has only `limits` and
`deny_if`, so validation is a `deny_if` entry whose single condition says
"the call's arguments do not validate against this JSON Schema":

    {"conditions": [{"arguments_not_matching": <the tool's inputSchema>}],
     "on_deny": "Arguments do not match the tool's input schema."}

The schema is embedded so the gateway needs nothing but the policy file. A tool
whose input schema is not a JSON object, or is nested deeper than
MAX_SCHEMA_DEPTH, gets a schema that accepts only an empty arguments object, so
validation fails closed (and rendering never recurses without bound).

When two definitions share a name, the stricter rule wins (higher severity).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mcp_domain import Category, Label, ToolDefinition, nests_deeper_than

APPROVAL_MESSAGE = "Requires human approval."
SCHEMA_MESSAGE = "Arguments do not match the tool's input schema."
_FAIL_CLOSED_SCHEMA: dict[str, Any] = {"type": "object", "additionalProperties": False}
MAX_SCHEMA_DEPTH = 64


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Limit(_Strict):
    counter: str = Field(min_length=1)
    window: Literal["second", "minute", "hour", "day"]
    max: int = Field(ge=0)
    scope: str = Field(min_length=1)


class DenyRule(_Strict):
    # Every condition must hold for the call to be denied; an empty list always denies.
    conditions: list[dict[str, Any]] = Field(default_factory=list)
    on_deny: str = Field(min_length=1)


class ToolRule(_Strict):
    limits: list[Limit] | None = None
    deny_if: list[DenyRule] | None = None


class PolicyFile(_Strict):
    version: Literal["1"] = "1"
    default: Literal["deny"] = "deny"
    tools: dict[str, ToolRule] = Field(default_factory=dict)


class PolicyDefaults(_Strict):
    """The numbers and texts a user may override."""

    read_max: int = Field(default=60, ge=0)
    write_max: int = Field(default=30, ge=0)
    execute_max: int = Field(default=10, ge=0)
    window: Literal["second", "minute", "hour", "day"] = "minute"
    scope: str = Field(default="grant", min_length=1)
    approval_message: str = Field(default=APPROVAL_MESSAGE, min_length=1)
    validate_execute_arguments: bool = True


def _limit(name: str, maximum: int, d: PolicyDefaults) -> Limit:
    return Limit(counter=f"{name}_rate", window=d.window, max=maximum, scope=d.scope)


def rule_for(
    tool: ToolDefinition, label: Label, defaults: PolicyDefaults | None = None
) -> ToolRule:
    """The default rule for one labelled tool."""
    d = defaults or PolicyDefaults()
    name = tool.name
    if label.category in (Category.Destructive, Category.Financial):
        return ToolRule(deny_if=[DenyRule(conditions=[], on_deny=d.approval_message)])
    if label.category == Category.Execute:
        rule = ToolRule(limits=[_limit(name, d.execute_max, d)])
        if d.validate_execute_arguments:
            schema = tool.input_schema if isinstance(tool.input_schema, dict) else None
            if schema is not None and nests_deeper_than(schema, MAX_SCHEMA_DEPTH):
                schema = None
            condition = {"arguments_not_matching": schema or _FAIL_CLOSED_SCHEMA}
            rule.deny_if = [DenyRule(conditions=[condition], on_deny=SCHEMA_MESSAGE)]
        return rule
    maximum = d.write_max if label.category == Category.Write else d.read_max
    return ToolRule(limits=[_limit(name, maximum, d)])


def policy_for_tools(
    labelled: Iterable[tuple[ToolDefinition, Label]], defaults: PolicyDefaults | None = None
) -> PolicyFile:
    chosen: dict[str, tuple[int, ToolRule]] = {}
    for tool, label in labelled:
        severity = label.category.severity
        if tool.name in chosen and chosen[tool.name][0] >= severity:
            continue
        chosen[tool.name] = (severity, rule_for(tool, label, defaults))
    return PolicyFile(tools={name: chosen[name][1] for name in sorted(chosen)})


def render_policy(policy: PolicyFile) -> str:
    """Deterministic JSON: tools sorted by name, 2-space indent, trailing newline."""
    body = policy.model_dump(mode="json", exclude_none=True)
    body["tools"] = {name: body["tools"][name] for name in sorted(body["tools"])}
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"
