"""Whether a configuration condition holds in the default configuration.

The default configuration is the one a user gets without setting anything:
environment reads without a default are unset (None), reads with one give it,
module constants have the values the source gives them. A condition whose
tests evaluate to plain values under those rules is decided, and its text
ends with ON or OFF (the JS extractor's convention); otherwise it is left as
it is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from crawler.extract.py.symbols import OFF, ON, Test, strip_state
from crawler.extract.py.values import EnumMember
from mcp_domain import ToolDefinition


def truth(value: Any) -> bool | None:
    """Python truthiness of a plain value; None when the value is not known."""
    if isinstance(value, EnumMember):
        return True
    if value is None or isinstance(value, (bool, int, float, str, list, tuple, dict)):
        return bool(value)
    return None


def test_state(ev: Any, test: Test, scope: Any) -> bool | None:
    """Whether one test (negated when it is an `else`) holds by default."""
    if scope is None:
        return None
    state = truth(ev.eval(test.node, scope, 1))
    if state is None:
        return None
    return not state if test.negate else state


def all_state(ev: Any, tests: Iterable[Test], scope: Any) -> bool | None:
    """`a and b and ...`: off when any test is off, on when every test is on."""
    states = [test_state(ev, test, scope) for test in tests]
    if any(state is False for state in states):
        return False
    if states and all(state is True for state in states):
        return True
    return None


def any_state(states: Iterable[bool | None]) -> bool | None:
    """`a or b or ...`: on when any part is on, off when every part is off."""
    states = list(states)
    if any(state is True for state in states):
        return True
    if states and all(state is False for state in states):
        return False
    return None


def with_state(text: str | None, state: bool | None) -> str | None:
    if not text or state is None or text.endswith((ON, OFF)):
        return text
    return text + (ON if state else OFF)


def either_configuration(first: ToolDefinition, second: ToolDefinition) -> ToolDefinition:
    """One tool name registered in two places (two server modules, one per setting).

    The definition served by default wins (on, then undecided, then off); the
    condition is `a or b`, and none when either place is unconditional.
    """
    if not first.condition or not second.condition:
        kept = second if first.condition and not second.condition else first
        return kept.model_copy(update={"condition": None})
    (a, state_a), (b, state_b) = strip_state(first.condition), strip_state(second.condition)
    rank = {True: 0, None: 1, False: 2}
    kept = second if rank[state_b] < rank[state_a] else first
    if a == b:
        text = a
    else:
        text = " or ".join(t if " and " not in t else f"({t})" for t in (a, b))
    return kept.model_copy(update={"condition": with_state(text, any_state((state_a, state_b)))})
