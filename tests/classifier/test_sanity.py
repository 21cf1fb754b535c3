"""The sanity set: real-shaped definitions from well-known servers and their expected category."""

from __future__ import annotations

import pytest

from classifier import classify
from tests.classifier.helpers import sanity_items, sanity_tool

ITEMS = sanity_items()


@pytest.mark.parametrize("item", ITEMS, ids=[i["name"] for i in ITEMS])
def test_sanity_category(item):
    label = classify(sanity_tool(item))
    assert label.category == item["expect"], label.rationale
    if "expect_risk" in item:
        assert label.risk == item["expect_risk"], label.rationale


def test_sanity_set_covers_every_category():
    assert {i["expect"] for i in ITEMS} == {"Read", "Write", "Execute", "Destructive", "Financial"}
    assert len(ITEMS) == 33
