"""A rule match's regex cut down to the alternatives that can start where literals stand.

A match's regex is the alternation of its patterns, that is of all their top-level
alternatives (branches) in order, compiled case-insensitively; tried at an offset
it gives the first branch that matches there. Where the scan found only literals
that some branches start with (classifier/literal_starts.py), no other branch can
match, so the alternation of just those branches, in the same order, gives the
same match. It is much cheaper: the engine enters every case-insensitive branch to
compare its first character, while a match rarely has more than a few branches
that fit.
"""

from __future__ import annotations

import re

from classifier.literal_starts import branch_literals
from classifier.prefilter import folds_alike, required_in_branch, split_top

# Group references depend on group numbers, which a subset of branches would change.
_GROUP_REFERENCE = re.compile(r"\\[1-9]|\(\?P=")


class Branches:
    """The branches of `patterns`; `masks` maps each of the match's start literals to
    the branches (bit i: branch i) that can start where it stands.

    A branch may also hold, somewhere in every match, a literal rarer than those it
    starts with ("with" ... " model"): `fitting` drops it from a mask when the text
    holds none of them, sparing a regex that would fail after its start."""

    def __init__(self, patterns: list[str], literals: frozenset[tuple[str, bool]]) -> None:
        self.branches = [branch for p in patterns for branch in split_top(p)]
        self.full = (1 << len(self.branches)) - 1
        starts = [branch_literals(branch) for branch in self.branches]
        splittable = not any(_GROUP_REFERENCE.search(p) for p in patterns)
        # (branch bit, the literals its matches start with) for the branches whose starts
        # are known, when branches can be tried apart: a scan that indexes these finds,
        # where a literal stands, just the branches one of whose own literals stands there.
        self.branch_literals: list[tuple[int, frozenset[tuple[str, bool]]]] = (
            [(1 << i, found) for i, found in enumerate(starts) if found] if splittable else []
        )
        # (bit, literals one of which every match of the branch holds), rarer ones only
        self.rarer: list[tuple[int, tuple[str, ...]]] = []
        for i, (branch, found) in enumerate(zip(self.branches, starts, strict=True)):
            required = required_in_branch(branch)
            if splittable and found and required:
                if min(map(len, required)) > min(len(lit) for lit, _a in found):
                    self.rarer.append((1 << i, tuple(sorted(required))))
        # The same by bit, and all their bits: a mask without them is left as it is.
        self._rarer_of = dict(self.rarer)
        self._rarer_bits = sum(self._rarer_of)
        self.masks: dict[tuple[str, bool], int] = {}
        for literal, anchored in literals:
            mask = 0
            for i, found in enumerate(starts):
                # A branch literal this one covers (see literal_starts._fewest).
                if found and any(
                    lit.startswith(literal) and (at_word or not anchored) for lit, at_word in found
                ):
                    mask |= 1 << i
            self.masks[(literal, anchored)] = mask if splittable and mask else self.full
        self._compiled: dict[int, re.Pattern[str]] = {}
        # The branches that can be run case-sensitively over the folded text (see
        # prefilter.folds_alike): cheaper, as the engine then compares characters as they
        # are and skips an alternative by its first character without entering it.
        self._folding_bits = sum(
            1 << i for i, branch in enumerate(self.branches) if folds_alike(branch)
        )
        self._folded: dict[int, re.Pattern[str] | None] = {}

    def fitting(self, mask: int, lower: str) -> int:
        """`mask` (-1: all) without the branches whose rarer literals `lower` lacks."""
        if mask < 0:
            mask = self.full
        todo = mask & self._rarer_bits  # only the mask's branches that hold rarer literals
        while todo:
            bit = todo & -todo  # the lowest
            todo ^= bit
            for lit in self._rarer_of[bit]:
                if lit in lower:
                    break
            else:
                mask &= ~bit
        return mask

    def regex(self, mask: int) -> re.Pattern[str]:
        """The alternation of the branches in `mask`, in order (compiled once)."""
        compiled = self._compiled.get(mask)
        if compiled is None:
            chosen = [b for i, b in enumerate(self.branches) if mask >> i & 1]
            compiled = re.compile("|".join(f"(?:{b})" for b in chosen), re.IGNORECASE)
            self._compiled[mask] = compiled
        return compiled

    def needs(self, mask: int) -> tuple[str, ...] | None:
        """For branches `mask` that all hold rarer literals: those literals, one of which
        a folded text must contain for one of the branches to match (what `fitting`
        asks, without a call); None when a branch holds none."""
        if not mask or mask & self._rarer_bits != mask:
            return None
        return tuple(sorted({lit for bit, lits in self.rarer if mask & bit for lit in lits}))

    def folded(self, mask: int) -> re.Pattern[str] | None:
        """`regex(mask)` compiled to run over the folded text (prefilter.fold), which
        gives the same matches; None unless every branch in `mask` folds alike."""
        if mask < 0:
            mask = self.full
        if mask & self._folding_bits != mask:
            return None
        compiled = self._folded.get(mask)
        if compiled is None:
            chosen = [b for i, b in enumerate(self.branches) if mask >> i & 1]
            compiled = re.compile("|".join(f"(?:{b})" for b in chosen))
            self._folded[mask] = compiled
        return compiled
