"""copy_json: a deep copy of schema data that behaves as copy.deepcopy does."""

from __future__ import annotations

import copy
from dataclasses import dataclass

from crawler.extract.js.jsoncopy import copy_json


@dataclass
class _Marker:
    items: list


def test_the_copy_is_equal_and_shares_no_container_with_the_original():
    schema = {
        "type": "object",
        "properties": {"path": {"type": "string", "enum": ["a", "b"]}, "n": {"default": 1.5}},
        "required": ["path"],
        "additionalProperties": False,
        "nullable": None,
    }
    copied = copy_json(schema)
    assert copied == schema == copy.deepcopy(schema)
    copied["properties"]["path"]["enum"].append("c")
    copied["required"].clear()
    assert schema["properties"]["path"]["enum"] == ["a", "b"]
    assert schema["required"] == ["path"]


def test_a_container_met_twice_stays_shared_in_the_copy():
    shared = {"type": "string"}
    schema = {"anyOf": [shared, shared], "items": shared}
    copied = copy_json(schema)
    assert copied["anyOf"][0] is copied["anyOf"][1] is copied["items"]
    assert copied["items"] is not shared


def test_a_list_holding_itself_is_copied_without_looping():
    looped: list = [1]
    looped.append(looped)
    copied = copy_json(looped)
    assert copied[1] is copied and copied is not looped


def test_other_values_are_copied_by_deepcopy():
    inner = [1, 2]
    value = {"marker": _Marker(inner), "again": inner}
    copied = copy_json(value)
    assert copied["marker"] == _Marker([1, 2]) and copied["marker"] is not value["marker"]
    # one memo for both: the list inside the object is the list the dict also holds
    assert copied["marker"].items is copied["again"]
