"""Split identifiers such as tool and property names into lower-case word tokens.

Handles snake_case, kebab-case, dotted names, camelCase and runs of capitals
(``getHTTPResponse`` -> get, http, response), and letter/digit boundaries. Every
token keeps its offsets into the original string so it can be quoted as
evidence.
"""

from __future__ import annotations

from typing import NamedTuple


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


def tokenize(text: str, limit: int = 2000) -> list[Token]:
    """Word tokens of `text` (only its first `limit` characters are read)."""
    text = text[:limit]
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
