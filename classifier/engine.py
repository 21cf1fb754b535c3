"""Apply the rules to a tool's fields and return hits with quoted evidence."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from classifier.features import Features, FieldText
from classifier.prefilter import combined_prefixes
from classifier.ruleset import Match, Rule, RuleSet
from mcp_domain import Evidence

MAX_EVIDENCE_PER_RULE = 3
_MEMO_TEXT = 200  # texts up to this length have their spans memoised
_MEMO_SIZE = 200_000
# Schema fields repeat across tools (ids, limits, queries); names and descriptions rarely do.
_MEMO_KINDS = frozenset({"property_name", "property_description", "enum", "default"})
_LOOKBACK = 40

# A match is in verb position when what precedes it in the clause is nothing, a
# list marker, or a word that introduces a verb ("and deletes", "can delete").
_VERB_LEAD = re.compile(
    r"(?:^|[.!?;:\n\r(\[\-–—•*>\"'`,]|\d\.)\s*$"
    r"|\b(?:and|or|to|can|will|may|also|then|that|which|tool|optionally|permanently"
    r"|irreversibly|automatically|immediately|it|this|must|should|you|first|and/or)\s+$",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:not|never|without|no|cannot|can't|don't|doesn't|won't|isn't|instead of|refuses? to"
    r"|fails? (?:to|if|when|rather than)|avoids?|prevents?|rather than|unlike)\b",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[.!?;,\n]|\bbut\b", re.IGNORECASE)


def _clause_before(text: str, start: int) -> str:
    """The text before `start` in the same clause (at most _LOOKBACK characters)."""
    before = text[max(0, start - _LOOKBACK) : start]
    ends = list(_CLAUSE_END.finditer(before))
    return before[ends[-1].end() :] if ends else before


def _in_verb_position(text: str, start: int) -> bool:
    before = text[max(0, start - _LOOKBACK) : start]
    if start > _LOOKBACK:
        before = "x" + before  # a cut-off window must not look like the start of the text
    return _VERB_LEAD.search(before) is not None


@dataclass(frozen=True)
class Hit:
    rule: Rule
    weight: float
    evidence: tuple[Evidence, ...]

    @property
    def from_annotation(self) -> bool:
        return all(e.field.startswith("annotations.") for e in self.evidence)


@dataclass
class _CompiledMatch:
    spec: Match
    # First token -> token sequences that start with it.
    sequences: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    groups: list[frozenset[str]] = field(default_factory=list)
    regex: re.Pattern[str] | None = None
    # Literals one of which any regex match contains (None: no pre-check possible).
    prefixes: re.Pattern[str] | None = None
    literals: tuple[str, ...] = ()
    key: int = 0  # position among all matches, for the span memo
    first_tokens: frozenset[str] = frozenset()
    property_tokens: frozenset[str] = frozenset()
    except_tokens: frozenset[str] = frozenset()


@dataclass
class _CompiledRule:
    rule: Rule
    matches: list[_CompiledMatch]
    unless_tokens: frozenset[str]
    unless_regex: re.Pattern[str] | None


def _compile_match(spec: Match) -> _CompiledMatch:
    cm = _CompiledMatch(spec)
    for seq in spec.tokens:
        parts = tuple(seq.lower().split())
        cm.sequences.setdefault(parts[0], []).append(parts)
    cm.groups = [frozenset(t.lower() for t in group) for group in spec.all_of]
    if spec.regex:
        cm.regex = re.compile("|".join(f"(?:{r})" for r in spec.regex), re.IGNORECASE)
        literals = combined_prefixes(spec.regex)
        if literals is not None:
            cm.literals = literals
            cm.prefixes = re.compile("|".join(re.escape(p) for p in literals))
    cm.first_tokens = frozenset(cm.sequences)
    cm.property_tokens = frozenset(spec.property_tokens)
    cm.except_tokens = frozenset(spec.except_tokens)
    return cm


class _Candidates:
    """Which rules can possibly fire on a tool, from one scan of each field.

    A token match needs its first token in some field's tokens; a regex match
    with literal pre-checks needs one of its literals in some field's lower-cased
    text. Rules with neither (annotation matches, regexes without literals) are
    always candidates. Skipping the others never changes a result: those rules
    would find nothing (the per-match checks are still run on the candidates).
    """

    def __init__(self, rules: list[_CompiledRule]) -> None:
        self.always: set[int] = set()
        self.by_token: dict[str, set[int]] = {}
        self.by_literal: dict[str, set[int]] = {}
        for r, cr in enumerate(rules):
            for cm in cr.matches:
                if cm.sequences or cm.groups:
                    first = cm.first_tokens or (cm.groups[0] if cm.groups else frozenset())
                    for tok in first:
                        self.by_token.setdefault(tok, set()).add(r)
                elif cm.regex is not None and cm.prefixes is not None:
                    for lit in cm.literals:
                        self.by_literal.setdefault(lit, set()).add(r)
                else:
                    self.always.add(r)
        # Longest literal first, so the one reported at a position contains (as a
        # prefix) every other literal that matches there; those are added below.
        literals = sorted(self.by_literal, key=lambda x: (-len(x), x))
        self.scan = (
            re.compile("(?=(" + "|".join(re.escape(x) for x in literals) + "))")
            if literals
            else None
        )
        self._memo: dict[tuple[str, bool], set[int]] = {}
        self.closure = {
            lit: set().union(*(self.by_literal[o] for o in literals if lit.startswith(o)))
            for lit in literals
        }

    def of(self, features: Features) -> set[int]:
        found = set(self.always)
        for item in features.fields:
            if item.kind == "annotation":
                continue
            if item.kind in _MEMO_KINDS and len(item.text) <= _MEMO_TEXT:
                key = (item.text, bool(item.token_set))
                rules = self._memo.get(key)
                if rules is None:
                    rules = self._field(item)
                    if len(self._memo) >= _MEMO_SIZE:
                        self._memo.clear()
                    self._memo[key] = rules
                found |= rules
            else:
                found |= self._field(item)
        return found

    def _field(self, item: FieldText) -> set[int]:
        found: set[int] = set()
        for tok in item.token_set:
            rules = self.by_token.get(tok)
            if rules:
                found |= rules
        if self.scan is not None:
            for lit in set(self.scan.findall(item.lower)):
                found |= self.closure[lit]
        return found


class Engine:
    """Rules compiled once; `run` is then cheap per tool."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.ruleset = ruleset
        self._rules = [
            _CompiledRule(
                rule,
                [_compile_match(m) for m in rule.match],
                frozenset(t.lower() for t in rule.unless.name_tokens),
                re.compile("|".join(f"(?:{r})" for r in rule.unless.regex), re.IGNORECASE)
                if rule.unless.regex
                else None,
            )
            for rule in ruleset.rules
        ]
        self._candidates = _Candidates(self._rules)
        for n, cm in enumerate(m for cr in self._rules for m in cr.matches):
            cm.key = n
        self._memo: dict[tuple[int, str], list[tuple[int, int]]] = {}

    def run(self, features: Features) -> list[Hit]:
        name_tokens = {t.text for f in features.of_kind("name") for t in f.tokens}
        candidates = self._candidates.of(features)
        hits = []
        for r, cr in enumerate(self._rules):
            if r not in candidates:
                continue
            if cr.unless_tokens & name_tokens or self._unless_regex(cr, features):
                continue
            hit = self._apply(cr, features)
            if hit is not None:
                hits.append(hit)
        return hits

    @staticmethod
    def _unless_regex(cr: _CompiledRule, features: Features) -> bool:
        if cr.unless_regex is None:
            return False
        for item in features.of_kind("description"):
            for m in cr.unless_regex.finditer(item.text):
                if not _NEGATION.search(_clause_before(item.text, m.start())):
                    return True
        return False

    def _apply(self, cr: _CompiledRule, features: Features) -> Hit | None:
        weight = 0.0
        evidence: list[Evidence] = []
        for cm in cr.matches:
            found = self._match(cm, features, cr.rule.id)
            if found:
                weight = max(weight, cm.spec.weight)
                evidence.extend(e for e in found if e not in evidence)
        if not evidence:
            return None
        return Hit(cr.rule, weight, tuple(evidence[:MAX_EVIDENCE_PER_RULE]))

    def _match(self, cm: _CompiledMatch, features: Features, rule_id: str) -> list[Evidence]:
        spec = cm.spec
        if spec.annotation is not None:
            if features.annotations.get(spec.annotation) is not spec.value:
                return []
            path = f"annotations.{spec.annotation}"
            text = "true" if spec.value else "false"
            return [Evidence(field=path, text=text, start=0, end=len(text), supports=rule_id)]
        found: list[Evidence] = []
        for kind in spec.fields:
            for item in features.of_kind(kind):
                if cm.property_tokens and not cm.property_tokens & item.property_tokens:
                    continue
                spans = self._spans(cm, item)
                for start, end in spans:
                    found.append(
                        Evidence(
                            field=item.path,
                            text=item.text[start:end],
                            start=start,
                            end=end,
                            supports=rule_id,
                        )
                    )
                    if len(found) >= MAX_EVIDENCE_PER_RULE:
                        return found
        return found

    def _spans(self, cm: _CompiledMatch, item: FieldText) -> list[tuple[int, int]]:
        # Short texts (property names, enums, common property descriptions) repeat
        # across tools; their spans depend on the text alone, so they are memoised.
        if item.kind not in _MEMO_KINDS or len(item.text) > _MEMO_TEXT:
            return (
                self._regex_spans(cm, item) if cm.regex is not None else self._token_spans(cm, item)
            )
        key = (cm.key, item.text)
        spans = self._memo.get(key)
        if spans is None:
            if cm.regex is not None:
                spans = self._regex_spans(cm, item)
            else:
                spans = self._token_spans(cm, item)
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = spans
        return spans

    @staticmethod
    def _token_spans(cm: _CompiledMatch, item: FieldText) -> list[tuple[int, int]]:
        tokens = item.tokens
        if cm.except_tokens and not cm.except_tokens.isdisjoint(item.token_set):
            return []
        if cm.groups:
            if any(group.isdisjoint(item.token_set) for group in cm.groups):
                return []
            spans = []
            for group in cm.groups:
                tok = next((t for t in tokens if t.text in group), None)
                if tok is None:
                    return []
                spans.append((tok.start, tok.end))
            return sorted(set(spans))
        if cm.first_tokens.isdisjoint(item.token_set):
            return []
        for i, tok in enumerate(tokens):
            for seq in cm.sequences.get(tok.text, ()):
                window = tokens[i : i + len(seq)]
                if tuple(t.text for t in window) == seq:
                    return [(tok.start, window[-1].end)]
        return []

    @staticmethod
    def _regex_spans(cm: _CompiledMatch, item: FieldText) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        assert cm.regex is not None
        if cm.prefixes is not None and cm.prefixes.search(item.lower) is None:
            return spans
        for m in cm.regex.finditer(item.text):
            if m.end() == m.start():
                continue
            before = _clause_before(item.text, m.start())
            if cm.spec.negatable and _NEGATION.search(before):
                continue
            if cm.spec.verb_position and not _in_verb_position(item.text, m.start()):
                continue
            spans.append((m.start(), m.end()))
            if len(spans) >= 2:
                break
        return spans
