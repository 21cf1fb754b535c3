"""Find every rule match in one field with one pass over its text.

Built once from all compiled matches, per field kind:
  - token matches are indexed by their first token (all_of: by the first group),
  - regex matches are indexed by the literals their matches start with
    (classifier/literal_starts.py), and one trie scanner per kind finds every
    literal position; a pattern anchored with ^ adds offset 0,
  - a regex with an alternative whose start is unknown is run over the whole
    text, but only when a literal that alternative's matches contain stands in
    it (when known), or the text is not ASCII (for non-ASCII classes).
A regex is otherwise tried only at the positions where one of its literals
starts, left to right, skipping positions inside the previous match: exactly the
matches `finditer` would find, since a match can start nowhere else.

The result for a field depends on its kind and text alone, so results for short
texts (property names, enums, common descriptions) are memoised.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from classifier.prefilter import LiteralScan, trie_source

if TYPE_CHECKING:
    from classifier.engine import _CompiledMatch
    from classifier.features import FieldText

Spans = list[tuple[int, int]]
FieldMatches = dict[int, Spans]  # match key -> spans (only matches that found something)

_MEMO_TEXT = 200
_MEMO_SIZE = 200_000


class _KindTable:
    def __init__(self, kind: str, matches: Sequence[_CompiledMatch]) -> None:
        self.by_token: dict[str, list[int]] = {}
        by_literal: dict[tuple[str, bool], dict[int, int]] = {}  # -> {key: branches}
        # (key, always at offset 0, when the text starts with one of these, or does after
        # its leading white space)
        at_zero: list[tuple[int, bool, tuple[str, ...], tuple[str, ...]]] = []
        # (key, tried on every text, on non-ASCII texts, when one of these literals stands,
        # on texts at least this long; the regex to run over the folded text, if any)
        whole: list[tuple[int, bool, bool, tuple[str, ...] | None, int, re.Pattern[str] | None]]
        whole = []
        for cm in matches:
            if kind not in cm.spec.fields or cm.spec.annotation is not None:
                continue
            if cm.sequences or cm.groups:
                first = cm.first_tokens or (cm.groups[0] if cm.groups else frozenset())
                for tok in sorted(first):
                    self.by_token.setdefault(tok, []).append(cm.key)
                continue
            starts = cm.starts
            assert cm.branches is not None
            if cm.branches.branch_literals:
                for bit, literals in cm.branches.branch_literals:
                    for lit in literals:
                        fits = by_literal.setdefault(lit, {})
                        fits[cm.key] = fits.get(cm.key, 0) | bit
            else:
                for lit in starts.literals:
                    by_literal.setdefault(lit, {})[cm.key] = cm.branches.masks[lit]
            if starts.at_zero or starts.zero_literals or starts.spaced_literals:
                at_zero.append(
                    (cm.key, starts.at_zero, starts.zero_literals, starts.spaced_literals)
                )
            if starts.anywhere or starts.non_ascii or starts.gate:
                # The gate's literals, looked for in the folded text with `in` (a search of
                # their alternation enters it at every character one of them starts with).
                gate = tuple(sorted(starts.gate)) if starts.gate else None
                whole.append(
                    (
                        cm.key,
                        starts.anywhere,
                        starts.non_ascii,
                        gate,
                        cm.min_length,
                        cm.branches.folded(-1),  # to run over the folded text, or None
                    )
                )
        self.at_zero = tuple(at_zero)
        # All of them at once: a text none of these fit needs no look at each entry.
        self.zero_always = any(entry[1] for entry in at_zero)
        self.zero_openings = tuple(sorted({lit for entry in at_zero for lit in entry[2]}))
        self.zero_spaced = tuple(sorted({lit for entry in at_zero for lit in entry[3]}))
        # The same test in one match (lstrip and \s skip the same white space).
        self.zero_test: re.Pattern[str] | None = None
        if at_zero and not self.zero_always:
            tests = []
            if self.zero_openings:
                tests.append(trie_source(list(self.zero_openings)))
            if self.zero_spaced:
                tests.append("\\s*" + trie_source(list(self.zero_spaced)))
            self.zero_test = re.compile("|".join(f"(?:{t})" for t in tests))
        self.whole = tuple(whole)
        self.whole_ascii = tuple(w for w in whole if w[1] or w[3] is not None)  # (not non_ascii)
        full = {cm.key: cm.branches.full for cm in matches if cm.branches is not None}
        # One scanner for literals that must start at a word boundary, one for the rest.
        # A scanner reports the longest literal at a position; every literal of the
        # same scanner that is a prefix of it stands there too.
        self.scans: list[tuple[LiteralScan, dict[str, tuple[tuple[int, int], ...]]]] = []
        for anchored in (True, False):
            literals = sorted(lit for lit, a in by_literal if a == anchored)
            if not literals:
                continue
            scan = LiteralScan(literals, anchored)
            # A literal found: every match with a literal of this scanner that is a
            # prefix of it, with the branches those literals fit.
            closure: dict[str, tuple[tuple[int, int], ...]] = {}
            for lit in literals:
                fits: dict[int, int] = {}
                for n in range(1, len(lit) + 1):
                    for key, mask in by_literal.get((lit[:n], anchored), {}).items():
                        fits[key] = fits.get(key, 0) | mask
                # -1: every branch fits (the match's whole regex is tried).
                closure[lit] = tuple(
                    sorted((k, -1 if m == full[k] else m) for k, m in fits.items())
                )
            self.scans.append((scan, closure))
        # The scanner the fast path reads (the first: word-start literals, the most), with
        # the plans made so far for its literals (see FieldScanner._plan); the others.
        self.main: tuple[LiteralScan, dict[str, tuple]] | None = None
        self.closure_of_main: dict[str, tuple[tuple[int, int], ...]] = {}
        self.others = self.scans[1:]
        # Whether an ASCII text holds a literal of the others, in one search: any of
        # their ASCII literals as a plain pattern (None: they have none).
        self.others_in_ascii: list[re.Pattern[str]] = []
        for _scan, closure in self.others:
            plain = [lit for lit in closure if lit.isascii()]
            if plain:
                self.others_in_ascii.append(re.compile(trie_source(plain)))
        if self.scans:
            self.main = (self.scans[0][0], {})
            self.closure_of_main = self.scans[0][1]


class FieldScanner:
    """`find(item)`: every match that finds something in `item`, with its spans."""

    def __init__(
        self,
        matches: Sequence[_CompiledMatch],
        token_spans: Callable[[_CompiledMatch, FieldText], Spans],
        # (match, field, candidate offsets, the match at the only offset if tried) -> spans
        regex_spans: Callable[..., Spans],
        # (match, folded text, start of a match) -> whether the text around it lets it stand
        accept: Callable[[_CompiledMatch, str, int], bool],
    ) -> None:
        self._accept = accept
        self._matches = {cm.key: cm for cm in matches}
        # What the candidate loop of `_find_at_literals` reads of a regex match, in one
        # lookup: (match, its whole regex, its branches, whether any has rarer literals).
        self._regex_matches = {
            cm.key: (cm, cm.regex, cm.branches, bool(cm.branches.rarer))
            for cm in matches
            if cm.branches is not None
        }
        kinds = sorted({k for cm in matches for k in cm.spec.fields})
        self._tables = {kind: _KindTable(kind, matches) for kind in kinds}
        self._token_spans = token_spans
        self._regex_spans = regex_spans
        self._memo: dict[tuple[str, str], FieldMatches] = {}

    def find(self, item: FieldText) -> FieldMatches:
        if len(item.text) > _MEMO_TEXT:
            return self._find(item)
        found = self._memo.get(item[1:3])  # (kind, text)
        return self.find_new(item) if found is None else found

    def memo(self) -> tuple[dict[tuple[str, str], FieldMatches], int]:
        """(the memo `find` reads, keyed by a field's (kind, text), the longest text it
        holds) for a caller that looks there first and calls `find_new` on a miss."""
        return self._memo, _MEMO_TEXT

    def find_new(self, item: FieldText) -> FieldMatches:
        """`find` for a field whose short text the memo lacks (it is memoised now)."""
        found = self._find(item)
        if len(item.text) <= _MEMO_TEXT:
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[item[1:3]] = found
        return found

    def _find(self, item: FieldText) -> FieldMatches:
        table = self._tables.get(item.kind)
        if table is None:
            return {}
        found: FieldMatches = {}
        matches = self._matches
        if table.by_token and item.token_set:
            tried: set[int] = set()
            for tok in item.token_set:
                for key in table.by_token.get(tok, ()):
                    if key not in tried:
                        tried.add(key)
                        spans = self._token_spans(matches[key], item)
                        if spans:
                            found[key] = spans
        text = item.text
        # Matches that may start anywhere in this text are run over all of it...
        plain = text.isascii()
        whole = table.whole_ascii if plain else table.whole
        everywhere: list[int] = []
        if whole:
            lower, size = item.lower, len(text)
            for key, anywhere, non_ascii, gate, min_length, folded in whole:
                if size < min_length:
                    continue
                if not (anywhere or (non_ascii and not plain)):
                    if gate is None:
                        continue
                    for literal in gate:
                        if literal in lower:
                            break
                    else:
                        continue
                everywhere.append(key)
                if folded is None:
                    found_spans = self._regex_spans(matches[key], item, None)
                else:
                    found_spans = self._regex_spans(matches[key], item, None, None, folded, True)
                if found_spans:
                    found[key] = found_spans
        # ...the others only where one of their start literals stands (or at offset 0).
        if table.scans or table.at_zero:
            self._find_at_literals(table, item, found, everywhere)
        return found

    def _find_at_literals(
        self, table: _KindTable, item: FieldText, found: FieldMatches, everywhere: list[int]
    ) -> None:
        lower = item.lower
        # The usual field: literals only from the main scanner. Each literal found is
        # then a plan of regexes to try where it stands, in offset order (so each match's
        # tries come in offset order too, as `finditer` makes them).
        if table.main is None:
            self._find_at_positions(table, item, found, everywhere)
            return
        if lower.isascii():
            for literal in table.others_in_ascii:
                if literal.search(lower) is not None:
                    self._find_at_positions(table, item, found, everywhere)
                    return
        else:
            for scan, _closure in table.others:
                if scan.pattern.search(lower) is not None or (
                    scan.at_start is not None and scan.at_start.match(lower) is not None
                ):
                    self._find_at_positions(table, item, found, everywhere)
                    return
        # match key -> end of its last match (a later one starts there or after), or 1 for
        # a match tried at offset 0 in vain (by a ^ pattern: not tried there again)
        ends: dict[int, int] | None = None
        if table.at_zero and (
            table.zero_always or (table.zero_test is not None and table.zero_test.match(lower))
        ):
            ends = self._try_at_zero(table, item, found, everywhere)
        scan, plans = table.main
        text = item.text
        accept = self._accept
        if scan.at_start is not None and (first := scan.at_start.match(lower)) is not None:
            hits: list = [(0, first.group(1))]
            hits += [(m.start() + 1, m.group(1)) for m in scan.pattern.finditer(lower)]
        elif scan.shift:
            hits = [(m.start() + 1, m.group(1)) for m in scan.pattern.finditer(lower)]
        else:
            hits = [(m.start(), m.group(1)) for m in scan.pattern.finditer(lower)]
        for at, literal in hits:
            plan = plans.get(literal)
            if plan is None:
                plan = plans[literal] = self._plan(table.closure_of_main[literal])
            for key, regex, needs, cm, folded in plan:
                if ends is not None and key in ends:
                    if at < ends[key] or len(found.get(key, ())) >= 2:
                        continue  # inside its last match, or it has all the spans it keeps
                elif everywhere and key in everywhere:
                    continue
                if needs is not None:
                    for literal in needs:
                        if literal in lower:
                            break
                    else:
                        continue  # every branch that can start here needs a literal not there
                m = regex.match(lower if folded else text, at)
                if m is None:
                    continue
                end = m.end()
                if ends is None:
                    ends = {key: end}
                else:
                    ends[key] = end
                if cm is not None and not accept(cm, lower, at):
                    continue
                spans = found.get(key)
                if spans is None:
                    found[key] = [(at, end)]
                else:
                    spans.append((at, end))

    def _try_at_zero(
        self, table: _KindTable, item: FieldText, found: FieldMatches, everywhere: list[int]
    ) -> dict[int, int]:
        """Try the matches with a ^ pattern that fits `item` at offset 0, with all their
        branches (before the literals found there); (key -> end of its match, or 1)."""
        text, lower = item.text, item.lower
        after_space = len(lower) - len(lower.lstrip())
        ends: dict[int, int] = {}
        for key, always, opening, spaced in table.at_zero:
            if not (
                always
                or (opening and lower.startswith(opening))
                or (spaced and lower.startswith(spaced, after_space))
            ) or (everywhere and key in everywhere):
                continue
            cm = self._matches[key]
            folded = cm.branches.folded(-1)
            m = cm.regex.match(text, 0) if folded is None else folded.match(lower, 0)
            if m is None or m.end() == 0:
                ends[key] = 1
                continue
            ends[key] = m.end()
            if (cm.spec.negatable or cm.spec.verb_position) and not self._accept(cm, lower, 0):
                continue
            found[key] = [(0, m.end())]
        return ends

    def _plan(self, closure: tuple[tuple[int, int], ...]) -> tuple:
        """What to try where a literal stands: per match (key, the regex of the branches
        that can start there, literals one of which the text must hold or None, the match
        when its matches are checked against the text before them or None, whether the
        regex runs over the folded text)."""
        plan = []
        for key, mask in closure:
            cm, regex, branches, _rarer = self._regex_matches[key]
            bits = branches.full if mask < 0 else mask
            folded = branches.folded(bits)
            if folded is not None:
                regex = folded
            elif bits != branches.full:
                regex = branches.regex(bits)
            checked = cm if cm.spec.negatable or cm.spec.verb_position else None
            plan.append((key, regex, branches.needs(bits), checked, folded is not None))
        return tuple(plan)

    def _find_at_positions(
        self, table: _KindTable, item: FieldText, found: FieldMatches, everywhere: list[int]
    ) -> None:
        text, lower = item.text, item.lower
        # key -> [the branches that can start at its offsets (-1: all), offset, offset...]
        positions: dict[int, list[int]] = {}
        for scan, closure in table.scans:
            shift = scan.shift
            literal_at = [(m.start() + shift, m.group(1)) for m in scan.pattern.finditer(lower)]
            if scan.at_start is not None and (first := scan.at_start.match(lower)) is not None:
                literal_at.insert(0, (0, first.group(1)))
            for at, literal in literal_at:
                for key, mask in closure[literal]:
                    got = positions.get(key)
                    if got is None:
                        positions[key] = [mask, at]
                    else:
                        got[0] |= mask
                        got.append(at)
        after_space = len(lower) - len(lower.lstrip()) if table.zero_spaced else 0
        if table.at_zero and (
            table.zero_always
            or (table.zero_openings and lower.startswith(table.zero_openings))
            or (table.zero_spaced and lower.startswith(table.zero_spaced, after_space))
        ):
            for key, always, opening, spaced in table.at_zero:
                if (
                    always
                    or (opening and lower.startswith(opening))
                    or (spaced and lower.startswith(spaced, after_space))
                ):
                    got = positions.get(key)
                    if got is None:
                        positions[key] = [-1, 0]
                    else:
                        if got[1] != 0:
                            got.insert(1, 0)
                        got[0] = -1  # a ^ branch may match there: all branches
        two_scans = len(table.scans) > 1
        regex_spans = self._regex_spans
        regex_matches = self._regex_matches
        for key, got in positions.items():
            if everywhere and key in everywhere:
                continue
            cm, regex, branches, rarer = regex_matches[key]
            mask = got[0]  # -1: every branch
            if rarer:
                mask = branches.fitting(mask, lower)
                if not mask:
                    continue  # every branch lacks a literal it needs
                if mask == branches.full:
                    mask = -1
            if mask >= 0:
                regex = branches.regex(mask)
            if len(got) == 2:
                # Most candidates fail at their one offset: tried here, without a call.
                first = regex.match(text, got[1])
                if first is None:
                    continue
                spans = regex_spans(cm, item, got[1:], first)
            else:
                at = got[1:]
                if two_scans:
                    at.sort()  # both scanners may have added offsets
                spans = regex_spans(cm, item, at, None, regex)
            if spans:
                found[key] = spans
