"""The shared nesting check that guards schemas and documents from hostile depth."""

from __future__ import annotations

from mcp_domain import nests_deeper_than


def _nested(levels: int) -> dict:
    value: dict = {}
    for _ in range(levels):
        value = {"a": [value]}
    return value


def test_limit_is_counted_in_dict_and_list_levels():
    assert not nests_deeper_than({"a": 1}, 1)
    assert nests_deeper_than({"a": [1]}, 1)
    assert not nests_deeper_than({"a": [1]}, 2)


def test_deep_hostile_value_is_checked_without_recursion():
    assert nests_deeper_than(_nested(50_000), 64)
    assert not nests_deeper_than(_nested(10), 64)
