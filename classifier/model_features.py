"""What the learned model reads: text views of a tool and a vector of rule hits.

Three text views, each vectorised on its own (see model.py):
  name   the tool name's word tokens ("API-delete-a-block" -> "api delete a block")
  body   description, annotation title, property descriptions (word n-grams)
  schema property names and enum values, as word tokens

Rule hits become a small dense vector: the weight of every rule that fired, the
noisy-or score per category from definition hits, and the boolean annotations.
Huge texts are cut to MAX_BODY_CHARS here only; evidence still quotes the whole
field.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import chain
from operator import attrgetter, itemgetter

import numpy as np
import scipy.sparse as sp

from classifier.engine import Hit
from classifier.features import Features, FieldText
from classifier.ruleset import Rule, RuleSet
from mcp_domain import Category

MAX_BODY_CHARS = 3_000
MAX_SCHEMA_CHARS = 2_000
CATEGORIES: tuple[Category, ...] = tuple(sorted(Category, key=lambda c: c.severity))
ANNOTATION_SLOTS = (
    ("readOnlyHint", True),
    ("readOnlyHint", False),
    ("destructiveHint", True),
    ("destructiveHint", False),
)


_TEXT = itemgetter(0)  # Token.text
_TOKENS = attrgetter("tokens")
_BODY_KINDS = ("description", "title", "property_description")


def _tokens_text(items: list[FieldText]) -> str:
    """The token texts of `items`, space-separated."""
    if len(items) == 1:
        return " ".join(map(_TEXT, items[0].tokens))
    return " ".join(map(_TEXT, chain.from_iterable(map(_TOKENS, items))))


def text_views(features: Features) -> tuple[str, str, str]:
    """(name, body, schema) texts for the vectorisers."""
    by_kind = features.by_kind
    name = _tokens_text(by_kind.get("name", []))
    descriptions = by_kind.get("description")
    if (
        descriptions is not None
        and len(descriptions) == 1
        and "title" not in by_kind
        and "property_description" not in by_kind
    ):
        # The usual tool: its body is its one description (what the loop below gives).
        body = descriptions[0].text[:MAX_BODY_CHARS]
    else:
        body = _body(by_kind)
    part = features.schema_part
    if part is None:
        return name, body, _schema_view(by_kind)
    # Property names and enums come from the schema only: its view is made once.
    schema = part.view
    if schema is None:
        schema = part.view = _schema_view(by_kind)
    return name, body, schema


def _schema_view(by_kind: dict[str, list[FieldText]]) -> str:
    names = by_kind.get("property_name")
    enums = by_kind.get("enum")
    if not names and not enums:
        return ""
    return " ".join(
        part for part in (_tokens_text(names or []), _tokens_text(enums or [])) if part
    )[:MAX_SCHEMA_CHARS]


def _body(by_kind: dict[str, list[FieldText]]) -> str:
    parts: list[str] = []
    size = 0
    for kind in _BODY_KINDS:
        for item in by_kind.get(kind, ()):
            if size >= MAX_BODY_CHARS:
                break
            text = item.text[: MAX_BODY_CHARS - size]
            parts.append(text)
            size += len(text)
    return "\n".join(parts)


class RuleVectoriser:
    """Maps a tool's rule hits to a fixed-length float vector (one layout per rule set)."""

    def __init__(self, ruleset: RuleSet) -> None:
        self.rule_ids = [r.id for r in ruleset.rules]
        self._index = {rid: i for i, rid in enumerate(self.rule_ids)}
        # rule id -> (its column, the category column its hits add to or None)
        self._column_of = {r.id: (self._index[r.id], _severity(r)) for r in ruleset.rules}
        n = len(self.rule_ids)
        self._cat_base = n
        self._ann_base = n + len(CATEGORIES)
        self.width = self._ann_base + len(ANNOTATION_SLOTS) + 1
        self.names = (
            [f"rule:{rid}" for rid in self.rule_ids]
            + [f"rules-score:{c}" for c in CATEGORIES]
            + [f"annotation:{h}={str(v).lower()}" for h, v in ANNOTATION_SLOTS]
            + ["no-description"]
        )

    def row(self, features: Features, hits: Sequence[Hit], out: np.ndarray) -> None:
        misses = [1.0] * len(CATEGORIES)
        for hit in hits:
            i = self._index.get(hit.rule.id)
            if i is not None:
                out[i] = max(out[i], hit.weight)
            rule = hit.rule
            if rule.kind == "category" and rule.category is not None and not hit.from_annotation:
                misses[rule.category.severity] *= 1.0 - hit.weight
        for c, miss in enumerate(misses):
            out[self._cat_base + c] = 1.0 - miss
        for j, (hint, value) in enumerate(ANNOTATION_SLOTS):
            if features.annotations.get(hint) is value:
                out[self._ann_base + j] = 1.0
        if not features.has_description:
            out[self.width - 1] = 1.0

    def matrix(self, features: Sequence[Features], hits: Sequence[Sequence[Hit]]) -> np.ndarray:
        """`row` for every tool, computed in Python floats and written in one step
        (the same values: float64 arithmetic either way)."""
        rows, cols, values = self._entries(features, hits)
        out = np.zeros((len(features), self.width), dtype=np.float64)
        out[rows, cols] = values
        return out

    def block(
        self, features: Sequence[Features], hits: Sequence[Sequence[Hit]], weight: float
    ) -> sp.csr_matrix:
        """`csr_matrix(matrix(features, hits) * weight)` built without the dense matrix:
        the same entries (never zero, never two in one place), sorted the same way."""
        rows, cols, values = self._entries(features, hits)
        data = np.array(values, dtype=np.float64)
        data *= weight  # as the dense product does, entry by entry
        out = sp.csr_matrix(
            (data, (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
            shape=(len(features), self.width),
            dtype=np.float64,
        )
        out.sort_indices()
        return out

    def _entries(
        self, features: Sequence[Features], hits: Sequence[Sequence[Hit]]
    ) -> tuple[list[int], list[int], list[float]]:
        """(rows, columns, values) of the nonzero entries of `matrix`."""
        rows: list[int] = []
        cols: list[int] = []
        values: list[float] = []
        column_of = self._column_of
        cat_base, ann_base = self._cat_base, self._ann_base
        for r, (f, tool_hits) in enumerate(zip(features, hits, strict=True)):
            if tool_hits:
                weights: dict[int, float] = {}
                misses: dict[int, float] = {}  # category severity -> noisy-or miss
                for hit in tool_hits:
                    rule = hit.rule
                    i, severity = column_of.get(rule.id) or (None, _severity(rule))
                    w = hit.weight
                    if i is not None:
                        weights[i] = max(weights.get(i, 0.0), w)
                    if severity is not None and not hit.from_annotation:
                        misses[severity] = misses.get(severity, 1.0) * (1.0 - w)
                for i, w in weights.items():
                    rows.append(r)
                    cols.append(i)
                    values.append(w)
                for c, miss in misses.items():
                    if miss != 1.0:
                        rows.append(r)
                        cols.append(cat_base + c)
                        values.append(1.0 - miss)
            annotations = f.annotations
            if annotations:
                for j, (hint, value) in enumerate(ANNOTATION_SLOTS):
                    if annotations.get(hint) is value:
                        rows.append(r)
                        cols.append(ann_base + j)
                        values.append(1.0)
            if not f.has_description:
                rows.append(r)
                cols.append(self.width - 1)
                values.append(1.0)
        return rows, cols, values


def _severity(rule: Rule) -> int | None:
    """The category column a rule's hits add to (category rules only)."""
    if rule.kind == "category" and rule.category is not None:
        return rule.category.severity
    return None
