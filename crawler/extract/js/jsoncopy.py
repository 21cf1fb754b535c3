"""A deep copy of JSON-shaped data (schemas) that is cheaper than copy.deepcopy.

Schemas are copied every time a zod method derives a new one (`.describe`,
`.optional`, an object's properties), so their copying showed in profiles. Dicts
and lists are rebuilt here directly; strings, numbers, booleans and None are
shared as deepcopy shares them; anything else is left to copy.deepcopy. The memo
keeps deepcopy's guarantees: a container met twice is copied once (shared in the
copy as in the original) and a container holding itself is copied without looping.
"""

from __future__ import annotations

import copy
from typing import Any

_SHARED = frozenset({str, int, float, bool, type(None)})


def copy_json(value: Any, memo: dict[int, Any] | None = None) -> Any:
    kind = type(value)
    if kind in _SHARED:
        return value
    if memo is None:
        memo = {}
    if kind is dict:
        copied = memo.get(id(value))
        if copied is None:
            copied = memo[id(value)] = {}
            for key, item in value.items():  # scalars tested inline: most items are
                if type(key) not in _SHARED:
                    key = copy_json(key, memo)
                copied[key] = item if type(item) in _SHARED else copy_json(item, memo)
        return copied
    if kind is list:
        copied = memo.get(id(value))
        if copied is None:
            copied = memo[id(value)] = []
            for item in value:
                copied.append(item if type(item) in _SHARED else copy_json(item, memo))
        return copied
    return copy.deepcopy(value, memo)
