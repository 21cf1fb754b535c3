"""Load and validate the rule files in classifier/rules/ (one rule per TOML file).

A rule supports one thing: a category, a risk raise or a flag (`kind`). It
fires when any of its `match` entries finds evidence and none of its `unless`
entries does. Every file is validated with pydantic and every regular
expression is compiled at load time; a bad file raises RuleFileError naming it.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from classifier.features import KINDS, TOKEN_KINDS
from mcp_domain import Category

RULES_DIR = Path(__file__).parent / "rules"
RISK_REASONS = ("credentials", "external_messages", "bulk_scope", "unrestricted")
RULE_FLAGS = ("prompt_injection", "open_world", "sensitive_data")
ENGINE_VERSION = "1"


class RuleFileError(ValueError):
    """A rule file that cannot be loaded; the message starts with the file name."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Match(_Strict):
    """One way a rule can find evidence. Exactly one of tokens/all_of/regex/annotation."""

    fields: list[Literal[KINDS]] = Field(min_length=1)  # type: ignore[valid-type]
    # Token sequences: "delete" or "force push" (consecutive tokens).
    tokens: list[str] = Field(default_factory=list)
    # Groups of tokens: the field must hold a token from every group.
    all_of: list[list[str]] = Field(default_factory=list)
    regex: list[str] = Field(default_factory=list)
    annotation: str | None = None
    value: bool = True
    # Regex matches must stand where a verb would ("Deletes a file", "and deletes").
    verb_position: bool = False
    # Skip regex matches preceded by "not", "never", "without" in the same clause.
    negatable: bool = True
    # Only fields of properties whose name holds one of these tokens (enum "action").
    property_tokens: list[str] = Field(default_factory=list)
    # Skip this field when it holds any of these tokens (e.g. "get" before "refund").
    except_tokens: list[str] = Field(default_factory=list)
    weight: float = Field(gt=0.0, le=1.0)

    @model_validator(mode="after")
    def _one_kind(self) -> Match:
        used = [bool(self.tokens), bool(self.all_of), bool(self.regex), self.annotation is not None]
        if sum(used) != 1:
            raise ValueError("a match needs exactly one of tokens, all_of, regex, annotation")
        if (self.tokens or self.all_of) and not set(self.fields) <= set(TOKEN_KINDS):
            raise ValueError(f"token matches only work on fields {TOKEN_KINDS}")
        for group in self.all_of:
            # A group member is matched against single tokens, so a phrase would never match.
            phrases = [t for t in group if len(t.split()) != 1]
            if phrases:
                raise ValueError(f"all_of groups hold single tokens, not phrases: {phrases}")
        if self.regex and set(self.fields) & {"annotation"}:
            raise ValueError("regex matches cannot read annotation fields")
        if self.annotation is not None and self.fields != ["annotation"]:
            raise ValueError('annotation matches need fields = ["annotation"]')
        for pattern in self.regex:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"bad regex {pattern!r}: {exc}") from exc
        return self


class Unless(_Strict):
    """Evidence that switches the rule off for this tool."""

    name_tokens: list[str] = Field(default_factory=list)
    regex: list[str] = Field(default_factory=list)  # over description fields, case-insensitive


class Example(_Strict):
    name: str
    description: str = ""
    input_schema: dict[str, Any] | None = None
    annotations: dict[str, Any] = Field(default_factory=dict)
    # Optional: the category classify() must give this example.
    category: Category | None = None


class Examples(_Strict):
    positive: list[Example] = Field(min_length=1)
    benign: list[Example] = Field(min_length=1)


class Rule(_Strict):
    id: str = Field(pattern=r"^[a-z]+(\.[a-z0-9-]+)+$")
    kind: Literal["category", "risk", "flag"]
    category: Category | None = None
    raise_reason: Literal[RISK_REASONS] | None = None  # type: ignore[valid-type]
    flag: Literal[RULE_FLAGS] | None = None  # type: ignore[valid-type]
    # Flags this rule also sets, whatever its kind (e.g. a credentials raise -> sensitive_data).
    also_flags: list[Literal[RULE_FLAGS]] = Field(default_factory=list)  # type: ignore[valid-type]
    summary: str = Field(min_length=1)
    # Rationale clause; "{evidence}" is replaced by the quoted evidence.
    rationale: str = Field(min_length=1)
    match: list[Match] = Field(min_length=1)
    unless: Unless = Unless()
    examples: Examples

    @model_validator(mode="after")
    def _kind_target(self) -> Rule:
        targets = {"category": self.category, "risk": self.raise_reason, "flag": self.flag}
        for kind, value in targets.items():
            if (kind == self.kind) != (value is not None):
                raise ValueError(f"kind {self.kind!r} needs {self.kind!r} target only")
        if "{evidence}" not in self.rationale:
            raise ValueError("rationale must contain {evidence}")
        return self

    @property
    def supports(self) -> str:
        """What the rule supports, as a short string: a category, risk reason or flag."""
        return str(self.category or self.raise_reason or self.flag)


class RuleSet(BaseModel):
    model_config = ConfigDict(frozen=True)
    rules: list[Rule]
    digest: str  # hash of the rule files, part of the classifier version


def load_rule_file(path: Path) -> Rule:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise RuleFileError(f"{path.name}: cannot read rule file: {exc}") from exc
    try:
        rule = Rule.model_validate(data)
    except ValidationError as exc:
        raise RuleFileError(f"{path.name}: invalid rule: {exc}") from exc
    if f"{rule.id}.toml" != path.name:
        raise RuleFileError(f"{path.name}: rule id {rule.id!r} must match the file name")
    return rule


def load_rules(directory: Path = RULES_DIR) -> RuleSet:
    """Every *.toml in `directory`, sorted by file name; raises RuleFileError on a bad file."""
    paths = sorted(directory.glob("*.toml"))
    if not paths:
        raise RuleFileError(f"{directory}: no rule files")
    digest = hashlib.sha256()
    rules = []
    for path in paths:
        rules.append(load_rule_file(path))
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return RuleSet(rules=rules, digest=digest.hexdigest()[:10])


@lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    return load_rules()
