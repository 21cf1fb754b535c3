"""Cheap literal pre-checks for rule regexes, derived from the patterns themselves.

`fold` makes a text comparable with the literals read from patterns; the
readers of pattern source here find literals one of which every match contains
(`required_literals`), whether every match starts with a non-ASCII character
(`needs_non_ascii`), and build one scanner for many literals (`trie_pattern`).
Where matches start is read in classifier/literal_starts.py. A pattern that
cannot be read gets no pre-check; a pre-check only ever saves work, never
changes a result.
"""

from __future__ import annotations

import re

SPECIAL = set("\\()[]?*+{}.|^$")
_OPTIONAL = set("?*{")
# Escaped characters that stand for themselves (punctuation; never \d, \b, \1...).
ESCAPED_LITERALS = set(".-/ '\"`~<>[]#:()?*+{}|^$\\!=,;%&@")


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


def usable(literal: str) -> bool:
    if literal.isascii():
        return True
    # Without the engine's table only ASCII literals fold reliably.
    return _EXTRA is not None and not any(ch in _MIXED for ch in literal)


# Escapes whose meaning case does not touch: classes, positions, control characters.
_CASELESS_ESCAPES = frozenset("bBwWsSdD")
_CONTROLS = {"n": "\n", "r": "\r", "t": "\t", "f": "\f", "v": "\v"}
_GROUP_OPENERS = ("(?:", "(?=", "(?!", "(?<=", "(?<!")
_HEX = frozenset("0123456789abcdefABCDEF")


def _escape(src: str, i: int) -> tuple[str | None, int] | None:
    """The escape at src[i] == "\\": (the character it stands for, or None for a class
    or position; index after it), or None when its meaning may depend on case."""
    nxt = src[i + 1 : i + 2]
    if nxt == "x":
        code = src[i + 2 : i + 4]
        if len(code) == 2 and all(c in _HEX for c in code):
            return chr(int(code, 16)), i + 4
        return None
    if nxt in _CONTROLS:
        return _CONTROLS[nxt], i + 2
    if nxt in _CASELESS_ESCAPES:
        return None, i + 2
    if nxt and not nxt.isalnum():
        return nxt, i + 2
    return None  # \u, \N, \A, \Z, octal, group references


def _caseless(ch: str) -> bool:
    return ch.lower() == ch.upper()  # no letter case to ignore


def _folded_letter(ch: str) -> bool:
    return "a" <= ch <= "z" or _caseless(ch)


def _class_folds_alike(body: str) -> bool:
    """`folds_alike` for the inside of a character class (without "^")."""
    items: list[tuple[str | None, bool]] = []  # (character or None for \w..., escaped)
    i = 0
    while i < len(body):
        if body[i] == "\\":
            if body[i + 1 : i + 2] in ("b", "B"):
                return False  # a backspace, or an error
            escape = _escape(body, i)
            if escape is None:
                return False
            items.append((escape[0], True))
            i = escape[1]
        else:
            items.append((body[i], False))
            i += 1
    k = 0
    while k < len(items):
        ch, escaped = items[k]
        if (
            ch == "-"
            and not escaped
            and 0 < k < len(items) - 1
            and items[k - 1][0] is not None
            and items[k + 1][0] is not None
        ):
            low, high = items[k - 1][0], items[k + 1][0]
            assert low is not None and high is not None
            span = range(ord(low), ord(high) + 1)
            if not all(_folded_letter(chr(c)) for c in span):
                return False  # a range that takes in other letters than a-z
            k += 2
            continue
        if ch is not None and not _folded_letter(ch):
            return False
        k += 1
    return True


def folds_alike(src: str) -> bool:
    """Whether `src`, compiled without IGNORECASE and run over `fold(text)`, finds the
    matches (same offsets) that it finds compiled with IGNORECASE over `text`.

    Folding maps every character to the one its case-insensitive class is known by
    (same length, same word, digit and space classes), so a pattern whose letters are
    all lower-case ASCII, outside classes or in them, meets in the folded text
    exactly the characters it would accept ignoring case. Anything else (upper-case
    or non-ASCII letters, escapes of unknown meaning, inline flags, named groups,
    references, ranges that take in letters other than a-z) answers False.
    """
    if _EXTRA is None or not src.isascii():
        return False
    i = 0
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            escape = _escape(src, i)
            if escape is None or (escape[0] is not None and not _folded_letter(escape[0])):
                return False
            i = escape[1]
        elif ch == "[":
            end = skip_class(src, i)
            if end > len(src) or src[end - 1] != "]":
                return False
            body = src[i + 1 : end - 1]
            if not _class_folds_alike(body[1:] if body.startswith("^") else body):
                return False
            i = end
        elif ch == "(" and src.startswith("(?", i) and not src.startswith(_GROUP_OPENERS, i):
            return False  # inline flags, named or atomic groups, references, conditions
        elif not _folded_letter(ch):
            return False
        else:
            i += 1
    return True


def skip_class(src: str, i: int) -> int:
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


def skip_group(src: str, i: int) -> int:
    """Index just after the group that opens at src[i] == "(" (escapes, classes respected)."""
    depth = 0
    while i < len(src):
        ch = src[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i = skip_class(src, i)
            continue
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return -1


def split_top(body: str) -> list[str]:
    """`body` split at its top-level "|" (not inside groups or character classes)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(body):
        ch = body[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i = skip_class(body, i)
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
    end = skip_class(pattern, 0)
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


# How often a character starts a word of English text, and how often it follows another
# (most often first): the order a trie tries its alternatives in.
_FIRST_RANK = {ch: n for n, ch in enumerate("tasocwpbfimhdrelnguvjkyqxz")}
_NEXT_RANK = {ch: n for n, ch in enumerate(" etaoinsrhldcumfpgwybvkxjqz")}


def trie_source(literals: list[str]) -> str:
    """A pattern matching the longest of `literals` that stands at a position. The
    literals form a trie, so the engine branches on one character at a time instead
    of trying every literal; a literal found has as prefixes all the others that
    stand at the same position."""
    trie: dict = {}
    for lit in literals:
        node = trie
        for ch in lit:
            node = node.setdefault(ch, {})
        node[""] = True

    def build(node: dict, depth: int = 0) -> str:
        # Alternatives start with distinct characters, so their order changes nothing
        # but the engine's work: it tries them in turn, so the likelier come first.
        rank = _FIRST_RANK if depth == 0 else _NEXT_RANK
        ordered = sorted((ch for ch in node if ch), key=lambda ch: (rank.get(ch, 99), ch))
        children = [re.escape(ch) + build(node[ch], depth + 1) for ch in ordered]
        if not children:
            return ""
        body = children[0] if len(children) == 1 else "(?:" + "|".join(children) + ")"
        if "" in node:
            return f"(?:{body})?"
        return body

    return build(trie)


def trie_pattern(literals: list[str], anchored: bool = False) -> re.Pattern[str] | None:
    """A zero-width scanner reporting, at every position, the longest literal starting
    there (group 1); `anchored`: at word boundaries only. The reference `LiteralScan`
    agrees with."""
    if not literals:
        return None
    # Anchored: only at word boundaries (folding keeps every character's word-ness).
    return re.compile(("\\b" if anchored else "") + "(?=(" + trie_source(literals) + "))")


class LiteralScan:
    """Every position in a folded text where one of `literals` starts (at a word
    boundary when `anchored`), with the longest literal there, as `trie_pattern`
    reports them, but cheaper: the regex engine skips quickly over characters that
    cannot start a match only when a pattern starts with a character class, and a
    zero-width pattern makes it try every position in full. So each match here
    consumes one character: the literal's first one (unanchored), or the non-word
    character before a literal that starts a word (anchored literals that all start
    with a word character; offset 0 is tried on its own). A literal found at
    `m.start() + shift` is `m.group(1)`.
    """

    def __init__(self, literals: list[str], anchored: bool) -> None:
        source = "(?=(" + trie_source(literals) + "))"
        self.at_start: re.Pattern[str] | None = None
        self.shift = 0
        if not anchored:
            firsts = "".join(re.escape(c) for c in sorted({lit[0] for lit in literals}))
            # The lookbehind steps back over the consumed first character.
            self.pattern = re.compile(f"[{firsts}](?<={source}[\\s\\S])")
        elif all(_WORD.match(lit[0]) for lit in literals):
            self.pattern = re.compile("\\W" + source)
            self.shift = 1
            self.at_start = re.compile(source)
        else:
            self.pattern = re.compile("\\b" + source)


# Escapes that stand for one of a set of characters or for a position: never a literal.
_CLASS_ESCAPES = set("wWsSdDbBAZ")


def required_in_branch(src: str) -> frozenset[str] | None:
    """Folded literals one of which every match of the alternative `src` contains
    (somewhere, not necessarily at its start); None if none is known.

    Reads the alternative item by item and keeps, of the items that must match and
    are plain text (a run of literal characters, or a group whose alternatives all
    have required literals), the one whose shortest literal is longest. Anything
    optional or not understood is stepped over (it can only make the answer less
    precise), but an escape whose length is unknown (\\x27, \\1) stops the reading.
    """
    best: frozenset[str] | None = None
    run: list[str] = []

    def close_run() -> None:
        nonlocal best
        text = fold("".join(run))
        run.clear()
        if text and usable(text) and (best is None or len(text) > min(map(len, best))):
            best = frozenset({text})

    i = 0
    while i < len(src):
        ch = src[i]
        if ch == "(":
            end = skip_group(src, i)
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
            if body is not None and not optional:
                inner = [required_in_branch(alt) for alt in split_top(body)]
                if all(part is not None for part in inner):
                    group = frozenset().union(*inner)  # type: ignore[arg-type]
                    if best is None or min(map(len, group)) > min(map(len, best)):
                        best = group  # rarer: its shortest literal is longer
            i = end
            continue
        if ch == "[":
            close_run()
            i = skip_class(src, i)
            continue
        if ch == "\\":
            if i + 1 >= len(src):
                return None
            nxt = src[i + 1]
            if nxt in ESCAPED_LITERALS:
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
        elif ch in SPECIAL:
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
    for branch in split_top(pattern):
        required = required_in_branch(branch)
        if not required:
            return None
        found |= required
    return frozenset(found)
