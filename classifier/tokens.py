"""Split identifiers such as tool and property names into lower-case word tokens.

Handles snake_case, kebab-case, dotted names, camelCase and runs of capitals
(``getHTTPResponse`` -> get, http, response), and letter/digit boundaries. Every
token keeps its offsets into the original string so it can be quoted as
evidence.
"""

from __future__ import annotations

import re
from typing import NamedTuple

_MEMO_TEXT = 200
_MEMO_SIZE = 100_000
# The same splitting for ASCII text, in one regex: digit runs; a capital run that
# stops before the capital which starts a capitalised word; a word with an optional
# leading capital; any other capital run.
_ASCII_WORD = re.compile(r"[0-9]+|[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+")


class Token(NamedTuple):
    text: str  # lower-cased
    start: int
    end: int


def _boundary(prev: str, cur: str, nxt: str) -> bool:
    """Whether a new word starts at `cur` inside a run of letters and digits."""
    if prev.isdigit() != cur.isdigit():
        return True
    if prev.islower() and cur.isupper():
        return True
    # The last capital of a run starts a new word when a lower-case letter follows:
    # "HTTPResponse" -> "HTTP", "Response".
    return prev.isupper() and cur.isupper() and nxt.islower()


_new_token = tuple.__new__  # Token(...) without the generated Python __new__
# Runs of ASCII letters and digits: no token crosses anything else. The engine finds
# them with its fast class scan; _ASCII_WORD, whose branches it cannot skip to,
# then only splits runs that mix cases or letters and digits.
_ASCII_RUN = re.compile(r"[0-9A-Za-z]+")


def tokenize(text: str, limit: int = 2000) -> list[Token]:
    """Word tokens of `text` (only its first `limit` characters are read)."""
    text = text[:limit]
    if not text.isascii():
        return tokenize_slow(text)
    tokens: list[Token] = []
    for run in _ASCII_RUN.finditer(text):
        word = run.group()
        start = run.start()
        if (word.islower() and word.isalpha()) or word.isdigit():
            tokens.append(_new_token(Token, (word, start, run.end())))  # one token
        else:
            for m in _ASCII_WORD.finditer(word):
                tokens.append(
                    _new_token(Token, (m.group().lower(), start + m.start(), start + m.end()))
                )
    return tokens


_memo: dict[tuple[str, int], tuple[list[Token], frozenset[str]]] = {}


def tokenize_cached(text: str, limit: int = 2000) -> tuple[list[Token], frozenset[str]]:
    """(tokens, their texts) of `text`, memoised for short texts; the list is shared: read only."""
    if len(text) > _MEMO_TEXT:
        tokens = tokenize(text, limit)
        return tokens, frozenset(t.text for t in tokens)
    key = (text, limit)
    found = _memo.get(key)
    if found is None:
        tokens = tokenize(text, limit)
        found = (tokens, frozenset(t.text for t in tokens))
        if len(_memo) >= _MEMO_SIZE:
            _memo.clear()
        _memo[key] = found
    return found


def tokenize_slow(text: str) -> list[Token]:
    """Character by character; any text (the reference the ASCII regex must agree with)."""
    tokens: list[Token] = []
    start = -1
    for i, ch in enumerate(text):
        if not ch.isalnum():
            if start >= 0:
                tokens.append(Token(text[start:i].lower(), start, i))
                start = -1
            continue
        if start < 0:
            start = i
            continue
        nxt = text[i + 1] if i + 1 < len(text) else ""
        if _boundary(text[i - 1], ch, nxt):
            tokens.append(Token(text[start:i].lower(), start, i))
            start = i
    if start >= 0:
        tokens.append(Token(text[start:].lower(), start, len(text)))
    return tokens
