"""Apply the rules to a tool's fields and return hits with quoted evidence."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from classifier.branches import Branches
from classifier.features import Features, FieldText
from classifier.literal_starts import MatchStarts, match_starts, min_width
from classifier.ruleset import Match, Rule, RuleSet
from classifier.scan import FieldScanner, Spans

MAX_EVIDENCE_PER_RULE = 3
_LOOKBACK = 40
_MANY_STARTS = 8  # more candidate offsets than this: one scan of the text is cheaper

# The checks below read the folded text (prefilter.fold: what the case-insensitive
# engine equates, folded alike, offsets kept), with case-sensitive patterns or plain
# string operations: an IGNORECASE pattern costs a case mapping per character tried.
# A match is in verb position when what precedes it in the clause is nothing, a
# list marker, or a word that introduces a verb ("and deletes", "can delete");
# VERB_LEAD is that rule as a pattern, `_in_verb_position` the same in string steps.
VERB_LEAD = re.compile(
    r"(?:^|[.!?;:\n\r(\[\-–—•*>\"'`,]|\d\.)\s*$"
    r"|\b(?:and|or|to|can|will|may|also|then|that|which|tool|optionally|permanently"
    r"|irreversibly|automatically|immediately|it|this|must|should|you|first|and/or)\s+$"
)
_LEAD_MARKS = frozenset(".!?;:\n\r([-–—•*>\"'`,")
_VERB_WORDS = (
    "and", "or", "to", "can", "will", "may", "also", "then", "that", "which", "tool",
    "optionally", "permanently", "irreversibly", "automatically", "immediately", "it",
    "this", "must", "should", "you", "first", "and/or",
)  # fmt: skip
_NEGATION = re.compile(
    r"\b(?:not|never|without|no|cannot|can't|don't|doesn't|won't|isn't|instead of|refuses? to"
    r"|fails? (?:to|if|when|rather than)|avoids?|prevents?|rather than|unlike)\b"
)
CLAUSE_END = re.compile(r"[.!?;,\n]|\bbut\b")  # what `_clause_before` cuts at


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # the regex engine's \w


def _clause_before(lower: str, start: int) -> str:
    """The folded text before `start` in the same clause (at most _LOOKBACK characters):
    after the last CLAUSE_END match in the window."""
    before = lower[max(0, start - _LOOKBACK) : start]
    cut = 1 + max(
        before.rfind("."),
        before.rfind("!"),
        before.rfind("?"),
        before.rfind(";"),
        before.rfind(","),
        before.rfind("\n"),
    )
    end = len(before)
    while (at := before.rfind("but", 0, end)) >= 0 and at + 3 > cut:
        if (at == 0 or not _is_word(before[at - 1])) and (
            at + 3 == len(before) or not _is_word(before[at + 3])
        ):
            cut = at + 3  # "but" as a word
            break
        end = at + 2
    return before[cut:]


def _in_verb_position(lower: str, start: int) -> bool:
    """Whether VERB_LEAD finds the window before `start`."""
    before = lower[max(0, start - _LOOKBACK) : start]
    if start > _LOOKBACK:
        before = "x" + before  # a cut-off window must not look like the start of the text
    head = before.rstrip()  # white space as \s sees it
    if not head or head[-1] in _LEAD_MARKS:
        return True  # nothing but space before it, or a mark and then space
    space = before[len(head) :]
    if not space:
        return False
    if "\n" in space or "\r" in space:
        return True  # a line break (a mark) and then space
    if head.endswith(_VERB_WORDS):
        for word in _VERB_WORDS:
            k = len(head) - len(word)
            if head.endswith(word) and (k == 0 or not _is_word(head[k - 1])):
                return True
    return False


class Quote(NamedTuple):
    """A piece of evidence as the classifier passes it around: the fields of
    mcp_domain.Evidence, in its order, in a tuple (built in C). Only what ends up in a
    label is made an Evidence (combine.py)."""

    field: str
    text: str
    start: int
    end: int
    supports: str = ""


_new_quote = tuple.__new__  # Quote(...) without the generated Python __new__


# Read only. Not frozen: a frozen dataclass is five times dearer to build, and a
# batch builds about two hits a tool.
@dataclass(slots=True)
class Hit:
    rule: Rule
    weight: float
    evidence: tuple[Quote, ...]
    # Whether every piece of evidence is an annotation (set by whoever builds the hit).
    from_annotation: bool = field(default=False, repr=False, compare=False)


@dataclass
class _CompiledMatch:
    spec: Match
    # First token -> token sequences that start with it.
    sequences: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    groups: list[frozenset[str]] = field(default_factory=list)
    regex: re.Pattern[str] | None = None
    starts: MatchStarts = MatchStarts()  # where its regex matches can start
    branches: Branches | None = None  # its regex cut to the branches a literal fits
    min_length: int = 0  # no regex match is shorter
    key: int = 0  # position among all matches
    weight: float = 0.0  # spec.weight
    by_annotation: bool = False  # spec.annotation is set
    first_tokens: frozenset[str] = frozenset()
    property_tokens: frozenset[str] = frozenset()
    except_tokens: frozenset[str] = frozenset()
    kinds_distinct: bool = True  # no field kind listed twice in spec.fields


@dataclass
class _CompiledRule:
    rule: Rule
    matches: list[_CompiledMatch]
    unless_tokens: frozenset[str]
    unless_regex: re.Pattern[str] | None
    unless_key: int | None = None  # its unless regex as a scanned match (see Engine)


def _compile_match(spec: Match) -> _CompiledMatch:
    cm = _CompiledMatch(spec, weight=spec.weight, by_annotation=spec.annotation is not None)
    for seq in spec.tokens:
        parts = tuple(seq.lower().split())
        cm.sequences.setdefault(parts[0], []).append(parts)
    cm.groups = [frozenset(t.lower() for t in group) for group in spec.all_of]
    if spec.regex:
        cm.regex = re.compile("|".join(f"(?:{r})" for r in spec.regex), re.IGNORECASE)
        cm.starts = match_starts(spec.regex)
        cm.branches = Branches(spec.regex, cm.starts.literals)
        cm.min_length = min_width(spec.regex)
    cm.first_tokens = frozenset(cm.sequences)
    cm.property_tokens = frozenset(spec.property_tokens)
    cm.except_tokens = frozenset(spec.except_tokens)
    cm.kinds_distinct = len(set(spec.fields)) == len(spec.fields)
    return cm


class Engine:
    """Rules compiled once; `run` is then cheap per tool.

    `run` finds each field's matches with one scan (classifier/scan.py) and builds
    evidence only for rules that found something; `run_plain` tries every match
    of every rule on every field and is the reference `run` must agree with.
    """

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
        matches = [m for cr in self._rules for m in cr.matches]
        for n, cm in enumerate(matches):
            cm.key = n
        self._rule_of = {cm.key: r for r, cr in enumerate(self._rules) for cm in cr.matches}
        # A rule's unless regex is scanned for with the matches, as a match of its own
        # that no rule owns: found in a description, it switches the rule off. Not when
        # it would have to run over every description (it then runs for active rules
        # only) or could match empty text (the scan never reports empty matches).
        for cr in self._rules:
            unless = cr.rule.unless.regex
            if not unless or min_width(unless) == 0:
                continue
            cm = _compile_match(Match(fields=["description"], regex=unless, weight=1.0))
            if not cm.starts.anywhere:
                cm.key = cr.unless_key = len(matches)
                matches.append(cm)
        self._annotation_rules = {
            r: [cm for cm in cr.matches if cm.spec.annotation is not None]
            for r, cr in enumerate(self._rules)
            if any(cm.spec.annotation is not None for cm in cr.matches)
        }
        self._scanner = FieldScanner(
            [m for m in matches if m.spec.annotation is None],
            _token_spans,
            _regex_spans,
            _accepted,
        )

    # -- fast path --------------------------------------------------------------
    def run(self, features: Features) -> list[Hit]:
        # match key -> (field, spans) for every field it found something in, in field order
        found: dict[int, list[tuple[FieldText, Spans]]] = {}
        active: set[int] = set()
        rule_of = self._rule_of
        # The scanner's memo read here, without a call per field (most fields are in it).
        memo, longest = self._scanner.memo()
        find, find_new = self._scanner.find, self._scanner.find_new
        for item in features.fields:
            if item.kind == "annotation":
                continue
            if len(item.text) > longest:
                matches = find(item)
            else:
                matches = memo.get(item[1:3])  # (kind, text)
                if matches is None:
                    matches = find_new(item)
            if matches:
                for key, spans in matches.items():
                    at = found.get(key)
                    if at is None:
                        found[key] = [(item, spans)]
                        r = rule_of.get(key)
                        if r is not None:  # else an unless pattern
                            active.add(r)
                    else:
                        at.append((item, spans))
        annotations = features.annotations
        if annotations:
            for r, cms in self._annotation_rules.items():
                if any(annotations.get(cm.spec.annotation) is cm.spec.value for cm in cms):
                    active.add(r)
        if not active:
            return []
        name_tokens: frozenset[str] | None = None
        hits = []
        for r in sorted(active):
            cr = self._rules[r]
            if cr.unless_tokens:
                if name_tokens is None:
                    names = features.of_kind("name")
                    # (a field's token_set holds the texts of its tokens)
                    name_tokens = (
                        names[0].token_set
                        if len(names) == 1
                        else frozenset(t.text for f in names for t in f.tokens)
                    )
                if cr.unless_tokens & name_tokens:
                    continue
            if cr.unless_key is not None:
                if cr.unless_key in found:
                    continue
            elif cr.unless_regex is not None and _unless_regex(cr, features):
                continue
            hit = _assemble_found(cr, features, found)
            if hit is not None:
                hits.append(hit)
        return hits

    # -- reference path ---------------------------------------------------------
    def run_plain(self, features: Features) -> list[Hit]:
        """Every rule, every match, every field: no index, no memo, no pre-check."""
        name_tokens = {t.text for f in features.of_kind("name") for t in f.tokens}
        hits = []
        for cr in self._rules:
            if cr.unless_tokens & name_tokens or _unless_regex(cr, features):
                continue
            hit = _assemble(cr, features, _plain_spans)
            if hit is not None:
                hits.append(hit)
        return hits


Found = tuple[str, str, int, int]  # (field path, text, start, end) a match found


def _assemble_found(
    cr: _CompiledRule, features: Features, found: dict[int, list[tuple[FieldText, Spans]]]
) -> Hit | None:
    """`_assemble` from the spans `run` found: the same evidence in the same order
    (fields by the match's kinds, then in definition order), visiting only the
    fields where a match found something."""
    per_match: list[tuple[float, list[Found]]] = []
    for cm in cr.matches:
        if cm.by_annotation:
            quotes = _match(cm, features, _plain_spans)
        else:
            pairs = found.get(cm.key)
            if not pairs:
                continue
            quotes = _quotes_from(cm, pairs)
        per_match.append((cm.weight, quotes))
    return _hit(cr, per_match)


def _quotes_from(cm: _CompiledMatch, pairs: list[tuple[FieldText, Spans]]) -> list[Found]:
    wanted = cm.property_tokens
    if len(pairs) == 1 and cm.kinds_distinct:
        # One field (the usual case): its kind is one of the match's kinds, listed once,
        # so the loop below would visit it once.
        item, spans = pairs[0]
        if wanted and not wanted & item.property_tokens:
            return []
        path, text = item.path, item.text
        return [(path, text[start:end], start, end) for start, end in spans[:MAX_EVIDENCE_PER_RULE]]
    found: list[Found] = []
    single_kind = len(cm.spec.fields) == 1
    for kind in cm.spec.fields:
        for item, spans in pairs:
            if not single_kind and item.kind != kind:
                continue
            if wanted and not wanted & item.property_tokens:
                continue
            for start, end in spans:
                found.append((item.path, item.text[start:end], start, end))
                if len(found) >= MAX_EVIDENCE_PER_RULE:
                    return found
    return found


def _plain_spans(cm: _CompiledMatch, item: FieldText) -> list[tuple[int, int]]:
    return _regex_spans(cm, item, None) if cm.regex is not None else _token_spans(cm, item)


def _unless_regex(cr: _CompiledRule, features: Features) -> bool:
    if cr.unless_regex is None:
        return False
    for item in features.of_kind("description"):
        for m in cr.unless_regex.finditer(item.text):
            if not _NEGATION.search(_clause_before(item.lower, m.start())):
                return True
    return False


def _assemble(cr: _CompiledRule, features: Features, spans_of) -> Hit | None:
    """The rule's hit from its matches' spans (the reference for `_assemble_found`)."""
    return _hit(cr, [(cm.spec.weight, _match(cm, features, spans_of)) for cm in cr.matches])


def _hit(cr: _CompiledRule, per_match: list[tuple[float, list[Found]]]) -> Hit | None:
    """One hit from each match's weight and quotes: the heaviest weight of the matches
    that found something, each quote kept once (evidence of one rule differs only in
    these fields), the first MAX_EVIDENCE_PER_RULE of them made evidence."""
    if len(per_match) == 1:
        weight, quotes = per_match[0]  # one match never quotes the same place twice
        if not quotes:
            return None
    else:
        weight = 0.0
        quotes = []
        seen: set[Found] = set()
        for match_weight, items in per_match:
            if not items:
                continue
            if match_weight > weight:
                weight = match_weight
            for quote in items:
                if quote not in seen:
                    seen.add(quote)
                    quotes.append(quote)
        if not quotes:
            return None
    rule_id = cr.rule.id
    evidence = []
    by_annotation = True
    for path, text, start, end in quotes[:MAX_EVIDENCE_PER_RULE]:
        evidence.append(_new_quote(Quote, (path, text, start, end, rule_id)))
        if by_annotation and not path.startswith("annotations."):
            by_annotation = False
    return Hit(cr.rule, weight, tuple(evidence), by_annotation)


def _match(cm: _CompiledMatch, features: Features, spans_of) -> list[Found]:
    spec = cm.spec
    if spec.annotation is not None:
        if features.annotations.get(spec.annotation) is not spec.value:
            return []
        text = "true" if spec.value else "false"
        return [(f"annotations.{spec.annotation}", text, 0, len(text))]
    found: list[Found] = []
    for kind in spec.fields:
        for item in features.of_kind(kind):
            if cm.property_tokens and not cm.property_tokens & item.property_tokens:
                continue
            for start, end in spans_of(cm, item):
                found.append((item.path, item.text[start:end], start, end))
                if len(found) >= MAX_EVIDENCE_PER_RULE:
                    return found
    return found


def _token_spans(cm: _CompiledMatch, item: FieldText) -> list[tuple[int, int]]:
    tokens = item.tokens
    if cm.except_tokens and not cm.except_tokens.isdisjoint(item.token_set):
        return []
    if cm.groups:
        token_set = item.token_set
        for group in cm.groups:
            if group.isdisjoint(token_set):
                return []
        spans = []
        for group in cm.groups:
            for tok in tokens:  # the first token of the group
                if tok.text in group:
                    spans.append((tok.start, tok.end))
                    break
            else:
                return []
        return sorted(set(spans))
    if cm.first_tokens.isdisjoint(item.token_set):
        return []
    sequences = cm.sequences
    count = len(tokens)
    for i, tok in enumerate(tokens):
        found = sequences.get(tok.text)
        if found is None:
            continue
        for seq in found:  # in rule order; each starts with this token
            size = len(seq)
            j = 1
            while j < size and i + j < count and tokens[i + j].text == seq[j]:
                j += 1
            if j == size:
                return [(tok.start, tokens[i + size - 1].end)]
    return []


def _regex_spans(
    cm: _CompiledMatch,
    item: FieldText,
    starts: list[int] | None,
    first: re.Match[str] | None = None,
    regex: re.Pattern[str] | None = None,
    folded: bool = False,
) -> list[tuple[int, int]]:
    """Up to two accepted matches, as `finditer` finds them.

    `starts` (ascending) are the only offsets a match can start at; the regex is
    then tried just there, skipping offsets inside the previous match, which
    gives the same matches as scanning the whole text. `first`: the regex's match
    at the only start, when the caller tried it already. `regex`: the match's
    regex cut to the branches that can start at `starts` (see branches.py), or
    the match's regex for the folded text when `folded` (see Branches.folded).
    """
    spans: list[tuple[int, int]] = []
    if regex is None:
        regex = cm.regex
    assert regex is not None
    text = item.lower if folded else item.text
    spec = cm.spec
    negatable, verb_position = spec.negatable, spec.verb_position
    found: Iterable[re.Match[str]]
    if first is not None:
        found = (first,)
    elif starts is None or len(starts) > _MANY_STARTS:
        found = regex.finditer(text)
    elif len(starts) == 1:
        # The usual case: one candidate offset, tried without a generator.
        m = regex.match(text, starts[0])
        found = () if m is None else (m,)
    else:
        found = _matches_at(regex, text, starts)
    for m in found:
        start, end = m.span()
        if end == start:
            continue
        if negatable and _NEGATION.search(_clause_before(item.lower, start)):
            continue
        if verb_position and not _in_verb_position(item.lower, start):
            continue
        spans.append((start, end))
        if len(spans) >= 2:
            break
    return spans


def _accepted(cm: _CompiledMatch, lower: str, start: int) -> bool:
    """Whether a match of `cm` at `start` stands, by the text before it (the filters
    of `_regex_spans`)."""
    spec = cm.spec
    if spec.negatable and _NEGATION.search(_clause_before(lower, start)):
        return False
    return not spec.verb_position or _in_verb_position(lower, start)


def _matches_at(regex: re.Pattern[str], text: str, starts: list[int]):
    floor = 0
    for at in starts:
        if at < floor:
            continue
        m = regex.match(text, at)
        if m is not None:
            yield m
            # An empty match cannot happen here (every match starts with a literal).
            floor = m.end() if m.end() > at else at + 1
