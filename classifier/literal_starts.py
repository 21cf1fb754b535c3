"""Where a rule pattern's matches can start, read from the pattern's source.

Most rule patterns start with words: ``\\b(?:is|are) (?:immediately )?charged``.
Every match then starts with one of a set of folded literals ("is charged", "are
immediately charged", ...), so the pattern need only be tried where one of them
stands in the folded text (see `prefilter.fold`); the longer the literals, the
fewer such places. The reader follows the pattern item by item, branching at
optional characters, small character classes and groups of alternatives, until
it meets something it cannot spell out (``\\w+``, ``[a-z]``, a repeat), the
number of literals would pass MAX_LITERALS, or (before a branching item) a
literal is already LONG_ENOUGH to be rare; what it has read so far is then the
answer. Zero-width items (``\\b``, lookarounds) are stepped over.

A pattern whose matches cannot be pinned down this way (`MatchStarts`) is either
tried only at offset 0 (it starts with ``^``), only on non-ASCII texts (it starts
with a class of non-ASCII characters), only when one of its required literals
stands in the text (`prefilter.required_literals`), or on every text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from classifier.prefilter import (
    ESCAPED_LITERALS,
    SPECIAL,
    fold,
    needs_non_ascii,
    required_in_branch,
    skip_class,
    skip_group,
    split_top,
    usable,
)

MAX_LITERALS = 256
LONG_ENOUGH = 8  # per top-level alternative of a pattern
_LOOKAROUNDS = ("(?=", "(?!", "(?<=", "(?<!")
_MAX_CLASS = 4  # a character class of at most this many plain characters is branched on

Prefixes = set[tuple[str, bool]]  # (literal read so far, unfolded; after a \b)


def _item_chars(src: str, i: int) -> tuple[str, int] | None:
    """(the characters one item at src[i] can be, index after it) for a plain character,
    an escaped literal or a small class of plain characters; None for anything else."""
    ch = src[i]
    if ch == "\\":
        if i + 1 < len(src) and src[i + 1] in ESCAPED_LITERALS:
            return src[i + 1], i + 2
        return None
    if ch == "[":
        end = skip_class(src, i)
        body = src[i + 1 : end - 1]
        if (
            end > len(src)
            or src[end - 1] != "]"
            or not body
            or len(body) > _MAX_CLASS
            or body[0] == "^"
            or "\\" in body
            or "[" in body
            or "-" in body[1:-1]  # a range
        ):
            return None
        return "".join(sorted(set(body))), end
    if ch in SPECIAL:
        return None
    return ch, i + 1


def _read(src: str, starts: Prefixes) -> tuple[Prefixes, Prefixes]:
    """(open, closed): the prefixes in `starts` extended over the items of `src`; open
    ones read all of `src`, closed ones stopped inside it (nothing may follow them)."""
    current = set(starts)
    closed: Prefixes = set()
    i = 0
    while i < len(src):
        if src.startswith("\\b", i):
            current = {(p, a or not p) for p, a in current}
            i += 2
            continue
        if src.startswith("\\B", i) or src.startswith(_LOOKAROUNDS, i):
            end = i + 2 if src[i] == "\\" else skip_group(src, i)
            if end < 0:
                break
            i = end
            continue
        if src[i] == "(":
            current, closed = _close_long(current, closed)
            if not current:
                break
            step = _group(src, i, current)
            if step is None:
                break
            (opened, ended), i, stop = step
            if len(opened) + len(ended) + len(closed) > MAX_LITERALS:
                break
            current, closed = opened, closed | ended
            if stop:
                break
            continue
        item = _item_chars(src, i)
        if item is None:
            break
        chars, after = item
        quantifier = src[after : after + 1]
        if quantifier in ("*", "{"):
            break
        optional = quantifier == "?"
        if optional or len(chars) > 1:
            current, closed = _close_long(current, closed)
            if not current:
                break
        grown = {(p + c, a) for p, a in current for c in chars}
        if optional:
            grown |= current
        if len(grown) + len(closed) > MAX_LITERALS:
            break
        current = grown
        if quantifier == "+":
            break  # more of the same may follow: stop after one
        i = after + (1 if optional else 0)
        if optional and src[i : i + 1] == "?":
            i += 1  # lazy
    else:
        return current, closed
    return set(), closed | current


def _close_long(current: Prefixes, closed: Prefixes) -> tuple[Prefixes, Prefixes]:
    """Before a branching item: prefixes of LONG_ENOUGH characters stop there. Such
    literals are rare in texts already; branching on would only multiply them."""
    long = {(p, a) for p, a in current if len(p) >= LONG_ENOUGH}
    return current - long, closed | long


def _group(
    src: str, i: int, current: Prefixes
) -> tuple[tuple[Prefixes, Prefixes], int, bool] | None:
    """The group opening at src[i] read from `current`: ((open, closed), index after it,
    whether reading stops there); None when it cannot be read."""
    end = skip_group(src, i)
    if end < 0:
        return None
    if src.startswith("(?:", i):
        body = src[i + 3 : end - 1]
    elif src.startswith("(?-i:", i):
        body = src[i + 5 : end - 1]  # case-sensitive: its fold still stands in the fold
    elif not src.startswith("(?", i):
        body = src[i + 1 : end - 1]  # capturing
    else:
        return None  # inline flags, atomic or named groups
    quantifier = src[end : end + 1]
    if quantifier in ("*", "{"):
        return None
    opened: Prefixes = set()
    ended: Prefixes = set()
    for alternative in split_top(body):
        o, c = _read(alternative, current)
        opened |= o
        ended |= c
        if len(opened) + len(ended) > MAX_LITERALS:
            return None
    after = end
    if quantifier == "?":
        opened |= current
        after += 2 if src[end + 1 : end + 2] == "?" else 1
    elif quantifier == "+":
        return (set(), opened | ended), end + 1, True
    return (opened, ended), after, False


def branch_literals(branch: str) -> frozenset[tuple[str, bool]] | None:
    """(folded literal, anchored) pairs one of which starts every match of one top-level
    alternative (at a word boundary when anchored); None if unknown."""
    opened, closed = _read(branch, {("", False)})
    found = set()
    for prefix, anchored in opened | closed:
        literal = fold(prefix)
        if not literal or not usable(literal):
            return None
        found.add((literal, anchored))
    return _fewest(found) if found else None


def _fewest(literals: set[tuple[str, bool]]) -> frozenset[tuple[str, bool]]:
    """`literals` without those another one already finds: a literal that starts with
    a shorter one stands only where that one does (at a word boundary when anchored)."""
    unanchored = {lit for lit, anchored in literals if not anchored}
    anywhere = unanchored | {lit for lit, anchored in literals if anchored}

    def covered(lit: str, anchored: bool) -> bool:
        shorter = anywhere if anchored else unanchored
        return any(lit[:n] in shorter for n in range(1, len(lit)))

    return frozenset((lit, a) for lit, a in literals if not covered(lit, a))


def start_literals(pattern: str) -> frozenset[tuple[str, bool]] | None:
    """(folded literal, anchored) pairs: every match of `pattern` starts with one of the
    literals, at a word boundary when anchored; None if unknown."""
    found: set[tuple[str, bool]] = set()
    for branch in split_top(pattern):
        literals = branch_literals(branch)
        if literals is None:
            return None
        found |= literals
    return _fewest(found)


def literal_prefixes(pattern: str) -> frozenset[str] | None:
    """Folded literals one of which every match of `pattern` starts with, or None if unknown."""
    found = start_literals(pattern)
    return None if found is None else frozenset(lit for lit, _anchored in found)


@dataclass(frozen=True)
class MatchStarts:
    """Where matches of an alternation of patterns can start."""

    literals: frozenset[tuple[str, bool]] = frozenset()  # at one of these (start_literals)
    # At offset 0 (an alternative starts with ^): when the text starts with one of
    # `zero_literals`, or with one of `spaced_literals` after its leading white space
    # (^\s*), or always when `at_zero` (what follows ^ is not known).
    at_zero: bool = False
    zero_literals: tuple[str, ...] = ()
    spaced_literals: tuple[str, ...] = ()
    non_ascii: bool = False  # anywhere in a text that is not ASCII
    # Anywhere, when one of these stands in the folded text (an alternative of unknown
    # start that holds one of them)...
    gate: frozenset[str] = frozenset()
    anywhere: bool = False  # ...or in any text (an alternative nothing is known of)


def _after_caret(branch: str) -> tuple[bool, frozenset[str]] | None:
    """For an alternative ``^rest`` or ``^\\s*rest``: (white space skipped, the literals
    `rest` starts with); None when they are not known. A literal that starts with
    white space could also start inside the skipped run: unknown."""
    rest = branch[1:]
    spaced = rest.startswith("\\s*")
    if spaced:
        rest = rest[3:]
    found = branch_literals(rest)
    if found is None or any(lit[0].isspace() for lit, _anchored in found):
        return None
    return spaced, frozenset(lit for lit, _anchored in found)


def match_starts(patterns: list[str]) -> MatchStarts:
    """Where matches of `(?:p1)|(?:p2)|...` can start, compiled case-insensitively."""
    literals: set[tuple[str, bool]] = set()
    gate: set[str] = set()
    zero: set[str] = set()
    spaced: set[str] = set()
    at_zero = non_ascii = anywhere = False
    for pattern in patterns:
        # Without MULTILINE (the rules set no flags), ^ stands at offset 0 only.
        multiline = bool(re.compile(pattern, re.IGNORECASE).flags & re.MULTILINE)
        for branch in split_top(pattern):
            found = branch_literals(branch)
            if found is not None:
                literals |= found
            elif branch.startswith("^") and not multiline:
                after = _after_caret(branch)
                if after is None:
                    at_zero = True
                else:
                    (spaced if after[0] else zero).update(after[1])
            elif needs_non_ascii(branch):
                non_ascii = True
            elif required := required_in_branch(branch):
                gate |= required
            else:
                anywhere = True
    return MatchStarts(
        _fewest(literals),
        at_zero,
        tuple(sorted(zero)),
        tuple(sorted(spaced)),
        non_ascii,
        frozenset(gate),
        anywhere,
    )


def min_width(patterns: list[str]) -> int:
    """The fewest characters a match of any of `patterns` spans (0 when unknown)."""
    try:
        from re import _parser  # the regex engine's own reader (private, so guarded)

        return min(_parser.parse(p, re.IGNORECASE).getwidth()[0] for p in patterns)
    except Exception:  # another Python's internals: no bound, never a wrong one
        return 0
