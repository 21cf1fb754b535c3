"""The pure helpers of scripts/eval_alternatives.py (the studies themselves train models and
are run by hand; they print figures only)."""

import importlib.util
from pathlib import Path

import numpy as np

from classifier.model_features import CATEGORIES
from mcp_domain import Category

_PATH = Path(__file__).resolve().parents[2] / "scripts" / "eval_alternatives.py"
_spec = importlib.util.spec_from_file_location("eval_alternatives", _PATH)
alternatives = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(alternatives)


def test_negated_words_are_marked_to_the_end_of_their_clause():
    body = "Creates a payment intent; nothing is charged yet, the card pays later."
    assert alternatives.mark_negated(body, keep_plain=False) == (
        "Creates a payment intent; nothing not_is not_charged not_yet , the card pays later."
    )


def test_marked_words_can_be_added_beside_the_plain_ones():
    marked = alternatives.mark_negated("It does not delete files. Deletes logs.", keep_plain=True)
    assert marked == "It does not delete files not_delete not_files . Deletes logs."


def test_text_without_a_negation_is_unchanged():
    body = "Deletes the file for good."
    assert alternatives.mark_negated(body, keep_plain=False) == body


def _row(**scores: float) -> list[float]:
    return [scores.get(str(c), 0.0) for c in CATEGORIES]


def test_escalation_picks_a_severe_category_above_its_threshold_only():
    p = np.array(
        [
            _row(Write=0.7, Financial=0.25),  # escalated to Financial
            _row(Write=0.7, Destructive=0.15, Financial=0.15),  # below the threshold: Write
            _row(Financial=0.6, Destructive=0.4),  # already the most severe: stays Financial
        ]
    )
    assert alternatives._escalated(p, 0.2) == [
        Category.Financial,
        Category.Write,
        Category.Financial,
    ]
