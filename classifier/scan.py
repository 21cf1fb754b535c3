"""Find every rule match in one field with one pass over its text.

Built once from all compiled matches, per field kind:
  - token matches are indexed by their first token (all_of: by the first group),
  - regex matches with literal prefixes (classifier/prefilter.py) are indexed by
    those literals, and one trie scanner per kind finds every literal position,
  - regex matches without literal prefixes are tried on the whole text, but only
    when a literal every match must contain somewhere stands in it (when known).
A regex is then tried only at the positions where one of its literals starts,
left to right, skipping positions inside the previous match: exactly the
matches `finditer` would find, since a match can start nowhere else.

The result for a field depends on its kind and text alone, so results for short
texts (property names, enums, common descriptions) are memoised.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from classifier.prefilter import required_literals, trie_pattern

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
        by_literal: dict[tuple[str, bool], set[int]] = {}
        always: list[int] = []
        non_ascii: list[int] = []  # tried on the whole text when it is not ASCII
        for cm in matches:
            if kind not in cm.spec.fields or cm.spec.annotation is not None:
                continue
            if cm.sequences or cm.groups:
                first = cm.first_tokens or (cm.groups[0] if cm.groups else frozenset())
                for tok in sorted(first):
                    self.by_token.setdefault(tok, []).append(cm.key)
                continue
            if cm.ascii_only:
                non_ascii.append(cm.key)
            if cm.literals:
                for lit in cm.literals:
                    by_literal.setdefault(lit, set()).add(cm.key)
            elif not cm.never_ascii:
                always.append(cm.key)
        self.always = tuple(always)
        # Literals one of which every match of an `always` match contains (when known
        # for each of its patterns): without one in the folded text it cannot match.
        self.required: dict[int, tuple[str, ...]] = {}
        for cm in matches:
            if cm.key in always:
                found = [required_literals(p) for p in cm.spec.regex]
                if found and all(found):
                    self.required[cm.key] = tuple(sorted(set().union(*found)))
        self.non_ascii = tuple(non_ascii)
        # One scanner for literals that must start at a word boundary, one for the rest.
        # A scanner reports the longest literal at a position; every literal of the
        # same scanner that is a prefix of it stands there too.
        self.scans: list[tuple[re.Pattern[str], dict[str, tuple[int, ...]]]] = []
        for anchored in (True, False):
            literals = sorted(lit for lit, a in by_literal if a == anchored)
            scan = trie_pattern(literals, anchored)
            if scan is None:
                continue
            closure = {
                lit: tuple(
                    sorted(
                        set().union(
                            *(by_literal[(o, anchored)] for o in literals if lit.startswith(o))
                        )
                    )
                )
                for lit in literals
            }
            self.scans.append((scan, closure))


class FieldScanner:
    """`find(item)`: every match that finds something in `item`, with its spans."""

    def __init__(
        self,
        matches: Sequence[_CompiledMatch],
        token_spans: Callable[[_CompiledMatch, FieldText], Spans],
        regex_spans: Callable[[_CompiledMatch, FieldText, list[int] | None], Spans],
    ) -> None:
        self._matches = {cm.key: cm for cm in matches}
        kinds = sorted({k for cm in matches for k in cm.spec.fields})
        self._tables = {kind: _KindTable(kind, matches) for kind in kinds}
        self._token_spans = token_spans
        self._regex_spans = regex_spans
        self._memo: dict[tuple[str, str], FieldMatches] = {}

    def find(self, item: FieldText) -> FieldMatches:
        if len(item.text) > _MEMO_TEXT:
            return self._find(item)
        key = (item.kind, item.text)
        found = self._memo.get(key)
        if found is None:
            found = self._find(item)
            if len(self._memo) >= _MEMO_SIZE:
                self._memo.clear()
            self._memo[key] = found
        return found

    def _find(self, item: FieldText) -> FieldMatches:
        table = self._tables.get(item.kind)
        if table is None:
            return {}
        found: FieldMatches = {}
        matches = self._matches
        tried: set[int] = set()
        for tok in item.token_set:
            for key in table.by_token.get(tok, ()):
                if key not in tried:
                    tried.add(key)
                    spans = self._token_spans(matches[key], item)
                    if spans:
                        found[key] = spans
        whole = table.always
        ascii_text = item.text.isascii()
        if not ascii_text and table.non_ascii:
            whole = whole + table.non_ascii
        if table.scans:
            positions: dict[int, list[int]] = {}
            for scan, closure in table.scans:
                for m in scan.finditer(item.lower):
                    at = m.start()
                    for key in closure[m.group(1)]:
                        positions.setdefault(key, []).append(at)
            for key, at in positions.items():
                if len(table.scans) > 1:
                    at.sort()  # both scanners may have added offsets
                if not ascii_text and matches[key].ascii_only:
                    continue  # in `whole`
                spans = self._regex_spans(matches[key], item, at)
                if spans:
                    found[key] = spans
        required = table.required
        lower = item.lower
        for key in whole:
            need = required.get(key)
            if need is not None and not any(lit in lower for lit in need):
                continue
            spans = self._regex_spans(matches[key], item, None)
            if spans:
                found[key] = spans
        return found
