"""Cheap literal pre-checks for rule regexes, derived from the patterns themselves.

Most rule patterns start with a word alternation such as ``\\b(?:deletes?|erase)``.
Every match then starts with one of the literal prefixes ("delete", "erase"), so
a regex can only match where one of its prefixes stands in the folded text (see
`fold`). A pattern whose start cannot be read this way gets no pre-check (None)
and always runs; the pre-check only ever saves work, never changes a result.
"""

from __future__ import annotations

import re

_SPECIAL = set("\\()[]?*+{}.|^$")
_OPTIONAL = set("?*{")
_ESCAPED_LITERALS = set(".-/ '\"`~<>[]#:")


def _extra_cases() -> dict[int, tuple[int, ...]] | None:
    """Characters the regex engine also treats as equal ignoring case (ſ = s, ı = i)."""
    for name in ("re._casefix", "re._compiler", "sre_compile"):
        try:
            module = __import__(name, fromlist=["_EXTRA_CASES"])
        except ImportError:
            continue
        table = getattr(module, "_EXTRA_CASES", None)
        if isinstance(table, dict):
            return table
    return None


_EXTRA = _extra_cases()
_WORD = re.compile(r"\w")
# İ lower-cases to two characters; mapping it first keeps offsets (its simple lower is i).
_PRE = {0x130: "i"}
_POST: dict[int, str] = {}
# Folded characters whose class mixes word and non-word characters: literals
# holding one are not used (folding them alike would change what \b sees).
_MIXED: set[str] = set()
if _EXTRA is not None:
    for code, others in _EXTRA.items():
        members = sorted((code, *others))
        words = [c for c in members if _WORD.match(chr(c))]
        if words and len(words) < len(members):
            _MIXED.add(chr(words[0]))
        if _WORD.match(chr(code)) or not words:
            _POST[code] = chr((words or members)[0])
else:  # without the engine's table only the ASCII cases are known
    _POST.update({0x131: "i", 0x17F: "s", 0x212A: "k"})


def fold(text: str) -> str:
    """`text` lower-cased so that characters the IGNORECASE engine equates fold alike.

    Same length as `text`, so an offset in the folded text is an offset in `text`.
    """
    if text.isascii():
        return text.lower()
    return text.translate(_PRE).lower().translate(_POST)


def _usable(literal: str) -> bool:
    if literal.isascii():
        return True
    # Without the engine's table only ASCII literals fold reliably.
    return _EXTRA is not None and not any(ch in _MIXED for ch in literal)


def _skip_class(src: str, i: int) -> int:
    """Index just after the character class that opens at src[i] == "["."""
    j = i + 1
    if j < len(src) and src[j] == "^":
        j += 1
    if j < len(src) and src[j] == "]":
        j += 1  # a leading "]" is a literal
    while j < len(src):
        if src[j] == "\\":
            j += 2
            continue
        if src[j] == "]":
            return j + 1
        j += 1
    return len(src)


def _skip_group(src: str, i: int) -> int:
    """Index just after the group that opens at src[i] == "(" (escapes, classes respected)."""
    depth = 0
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i = _skip_class(src, i)
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
    """`body` split at its top-level "|" (not inside groups or character classes)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i = _skip_class(body, i)
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
        out.append(ch)
        i += step
    return fold("".join(out))


_MAX_COMBINED = 256


def _whole_literal(alt: str) -> str | None:
    """`alt` folded when it is nothing but literal characters, else None."""
    prefix = _literal_prefix(alt)
    plain = alt.replace("\\", "")
    if not prefix or len(prefix) != len(plain) or not _usable(prefix):
        return None
    return prefix


def _branch_prefixes(src: str, anchored: bool = False) -> frozenset[tuple[str, bool]] | None:
    """(prefix, after a \\b) pairs of one top-level alternative."""
    while True:
        if src.startswith("(?!") or src.startswith("(?<!"):
            end = _skip_group(src, 0)
            if end < 0:
                return None
            src = src[end:]
        elif src.startswith("\\b"):
            src = src[2:]
            anchored = True
        else:
            break
    if not src.startswith("(?:"):
        prefix = _literal_prefix(src)
        return frozenset({(prefix, anchored)}) if prefix and _usable(prefix) else None
    end = _skip_group(src, 0)
    if end < 0:
        return None
    prefixes = {_literal_prefix(alt) for alt in _split_top(src[3 : end - 1])}
    if "" in prefixes or not all(_usable(p) for p in prefixes):
        return None
    found = frozenset((p, anchored) for p in prefixes)
    quantifier = src[end : end + 1]
    if quantifier in ("?", "*"):
        # An optional group: a match starts with it or with what follows it.
        rest = src[end + 1 :]
        if rest.startswith("?"):
            rest = rest[1:]
        if not rest or rest[0] in "+?*{|":
            return None
        after = _branch_prefixes(rest, anchored)
        if after is None:
            return None
        # When the group's alternatives are plain words ("the ", "a "), a match that
        # takes the group starts with one of them and then a literal of the rest:
        # longer literals, far fewer places to try.
        words = [_whole_literal(alt) for alt in _split_top(src[3 : end - 1])]
        if all(words) and len(words) * len(after) <= _MAX_COMBINED:
            return frozenset((w + lit, anchored) for w in words for lit, _a in after) | after
        return found | after
    if quantifier == "{":
        return None
    return found


def start_literals(pattern: str) -> frozenset[tuple[str, bool]] | None:
    """(folded literal, anchored) pairs: every match of `pattern` starts with one of the
    literals, at a word boundary when anchored; None if unknown."""
    found: set[tuple[str, bool]] = set()
    for branch in _split_top(pattern):
        prefixes = _branch_prefixes(branch)
        if prefixes is None:
            return None
        found |= prefixes
    return frozenset(found)


def literal_prefixes(pattern: str) -> frozenset[str] | None:
    """Folded literals one of which every match of `pattern` starts with, or None if unknown."""
    found = start_literals(pattern)
    return None if found is None else frozenset(lit for lit, _anchored in found)


# Non-ASCII characters the IGNORECASE engine equates with ASCII letters (İ ı ſ K).
_ASCII_TWINS = (0x130, 0x131, 0x17F, 0x212A)
_CLASS_ITEM = re.compile(r"\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})|([^\\\]\[-])|(-)")


def needs_non_ascii(pattern: str) -> bool:
    """Whether every match of `pattern` starts with a non-ASCII character.

    True for a pattern that starts with a (required) class of non-ASCII characters
    given as \\u/\\U escapes, characters and ranges, e.g. ``[\\u200b-\\u200f]+``;
    such a pattern cannot match an ASCII text. Anything else: False.
    """
    if not pattern.startswith("[") or pattern.startswith("[^"):
        return False
    end = _skip_class(pattern, 0)
    if end > len(pattern) or pattern[end - 1] != "]" or pattern[end : end + 1] in ("?", "*", "{"):
        return False
    codes: list[int | str] = []
    pos, body = 0, pattern[1 : end - 1]
    while pos < len(body):
        m = _CLASS_ITEM.match(body, pos)
        if m is None:
            return False
        esc4, esc8, char, dash = m.groups()
        codes.append("-" if dash else ord(char) if char else int(esc4 or esc8, 16))
        pos = m.end()
    ranges: list[tuple[int, int]] = []
    i = 0
    while i < len(codes):
        low = codes[i]
        if low == "-":
            return False  # a literal "-"
        if i + 2 < len(codes) and codes[i + 1] == "-" and codes[i + 2] != "-":
            ranges.append((int(low), int(codes[i + 2])))
            i += 3
        else:
            ranges.append((int(low), int(low)))
            i += 1
    for low, high in ranges:
        if low < 0x80 or high < low or any(low <= t <= high for t in _ASCII_TWINS):
            return False
    return bool(ranges)


def combined_prefixes(patterns: list[str]) -> tuple[str, ...] | None:
    """Prefixes for an alternation of `patterns`; None when any one is unknown."""
    found: set[str] = set()
    for pattern in patterns:
        prefixes = literal_prefixes(pattern)
        if prefixes is None:
            return None
        found |= prefixes
    return tuple(sorted(found))


def trie_pattern(literals: list[str], anchored: bool = False) -> re.Pattern[str] | None:
    """A zero-width scanner reporting, at every position, the longest literal starting there.

    The literals form a trie, so the engine branches on one character at a time
    instead of trying every literal; a literal found contains as prefixes all
    the others that stand at the same position. `anchored`: word boundaries only.
    """
    if not literals:
        return None
    trie: dict = {}
    for lit in literals:
        node = trie
        for ch in lit:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict) -> str:
        children = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not children:
            return ""
        body = children[0] if len(children) == 1 else "(?:" + "|".join(children) + ")"
        if "" in node:
            return f"(?:{body})?"
        return body

    # Anchored: only at word boundaries (folding keeps every character's word-ness).
    return re.compile(("\\b" if anchored else "") + "(?=(" + build(trie) + "))")


# Escapes that stand for one of a set of characters or for a position: never a literal.
_CLASS_ESCAPES = set("wWsSdDbBAZ")


def _required_in_branch(src: str) -> frozenset[str] | None:
    """Folded literals one of which every match of the alternative `src` contains
    (somewhere, not necessarily at its start); None if none is known.

    Reads the alternative item by item and keeps the first item that must match
    and is plain text: a run of literal characters, or a group whose
    alternatives all have required literals. Anything optional or not understood
    is stepped over (it can only make the answer less precise), but an escape
    whose length is unknown (\\x27, \\1) stops the reading.
    """
    best: frozenset[str] | None = None
    run: list[str] = []

    def close_run() -> None:
        nonlocal best
        text = fold("".join(run))
        run.clear()
        if text and _usable(text) and (best is None or len(text) > min(map(len, best))):
            best = frozenset({text})

    i = 0
    while i < len(src):
        ch = src[i]
        if ch == "(":
            end = _skip_group(src, i)
            if end < 0:
                return None
            close_run()
            optional = src[end : end + 1] in _OPTIONAL
            head = src[i : i + 4]
            body: str | None = None
            if src.startswith("(?:", i):
                body = src[i + 3 : end - 1]
            elif head == "(?-i" and src.startswith("(?-i:", i):
                body = src[i + 5 : end - 1]  # case-sensitive: a folded literal still holds
            elif not src.startswith("(?", i):
                body = src[i + 1 : end - 1]  # a capturing group
            elif not (
                src.startswith("(?=", i)
                or src.startswith("(?!", i)
                or src.startswith("(?<=", i)
                or src.startswith("(?<!", i)
            ):
                return None  # inline flags or something else not understood
            if body is not None and not optional and best is None:
                inner = [_required_in_branch(alt) for alt in _split_top(body)]
                if all(part is not None for part in inner):
                    best = frozenset().union(*inner)  # type: ignore[arg-type]
            i = end
            continue
        if ch == "[":
            close_run()
            i = _skip_class(src, i)
            continue
        if ch == "\\":
            if i + 1 >= len(src):
                return None
            nxt = src[i + 1]
            if nxt in _ESCAPED_LITERALS:
                lit, step = nxt, 2
            elif nxt in _CLASS_ESCAPES:
                close_run()
                i += 2
                continue
            else:
                return None
        elif ch in "|)":
            return None  # not a single alternative
        elif ch == "{":
            close_run()  # a counted repeat of what came before: step over the count
            close = src.find("}", i)
            if close < 0:
                return None
            i = close + 1
            continue
        elif ch in _SPECIAL:
            close_run()  # ^ $ . or a quantifier of what came before
            i += 1
            continue
        else:
            lit, step = ch, 1
        after = src[i + step : i + step + 1]
        if after in _OPTIONAL:
            close_run()  # the character itself may be absent
        else:
            run.append(lit)
            if after == "+":
                close_run()
        i += step
    close_run()
    return best


def required_literals(pattern: str) -> frozenset[str] | None:
    """Folded literals one of which stands somewhere in every match of `pattern`
    (case-insensitive, as the rules compile), or None if that is not known."""
    found: set[str] = set()
    for branch in _split_top(pattern):
        required = _required_in_branch(branch)
        if not required:
            return None
        found |= required
    return frozenset(found)
