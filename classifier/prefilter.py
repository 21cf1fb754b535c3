"""Cheap literal pre-checks for rule regexes, derived from the patterns themselves.

Most rule patterns start with a word alternation such as ``\\b(?:deletes?|erase)``.
Every match must then contain one of the literal prefixes ("delete", "erase"),
so a regex whose prefixes are all absent from the lower-cased text cannot match
and is skipped. A pattern whose start cannot be read this way gets no pre-check
(None) and always runs; the pre-check only ever saves work, never changes a result.
"""

from __future__ import annotations

_SPECIAL = set("\\()[]?*+{}.|^$")
_OPTIONAL = set("?*{")
_ESCAPED_LITERALS = set(".-/ '\"`~<>[]#:")


def _skip_group(src: str, i: int) -> int:
    """Index just after the group that opens at src[i] == "(" (escapes respected)."""
    depth = 0
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def _split_top(body: str) -> list[str]:
    parts, depth, start, i = [], 0, 0, 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(body[start:i])
            start = i + 1
        i += 1
    parts.append(body[start:])
    return parts


def _literal_prefix(alt: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(alt):
        ch = alt[i]
        if ch == "\\" and i + 1 < len(alt) and alt[i + 1] in _ESCAPED_LITERALS:
            ch, step = alt[i + 1], 2
        elif ch in _SPECIAL:
            break
        else:
            step = 1
        nxt = alt[i + step] if i + step < len(alt) else ""
        if nxt in _OPTIONAL:
            break
        out.append(ch.lower())
        i += step
    return "".join(out)


def literal_prefixes(pattern: str) -> frozenset[str] | None:
    """Literals one of which every match of `pattern` contains, or None if unknown."""
    src = pattern
    while True:
        if src.startswith("(?!") or src.startswith("(?<!"):
            end = _skip_group(src, 0)
            if end < 0:
                return None
            src = src[end:]
        elif src.startswith("\\b"):
            src = src[2:]
        else:
            break
    if src.startswith("(?:"):
        end = _skip_group(src, 0)
        if end < 0 or (end < len(src) and src[end] in _OPTIONAL):
            return None
        alternatives = _split_top(src[3 : end - 1])
    else:
        alternatives = [src]
    prefixes = {_literal_prefix(alt) for alt in alternatives}
    if "" in prefixes:
        return None
    return frozenset(prefixes)


def combined_prefixes(patterns: list[str]) -> tuple[str, ...] | None:
    """Prefixes for an alternation of `patterns`; None when any one is unknown."""
    found: set[str] = set()
    for pattern in patterns:
        prefixes = literal_prefixes(pattern)
        if prefixes is None:
            return None
        found |= prefixes
    return tuple(sorted(found))
