"""Evidence and labels built from values the classifier produced itself, unvalidated.

A batch builds a few evidence items and one label per tool from strings, offsets
and enum members it computed; validating them again costs more than building them
(pydantic's `model_construct` is slower still, being written in Python). These
builders set an instance's state as validated construction does with every
field given. At import each is compared with validated construction on a
sample; if pydantic or the models ever differ from what they expect, the
validated constructor is used instead, so no result depends on this shortcut.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from mcp_domain import Category, Evidence, Label, Risk

_new = object.__new__
_set = object.__setattr__
_EVIDENCE_FIELDS = frozenset(("field", "text", "start", "end", "supports"))
_LABEL_FIELDS = frozenset(
    ("category", "risk", "confidence", "rationale", "evidence", "flags", "classifier_version")
)


def _evidence(field: str, text: str, start: int, end: int, supports: str) -> Evidence:
    model = _new(Evidence)
    values = {"field": field, "text": text, "start": start, "end": end, "supports": supports}
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", set(_EVIDENCE_FIELDS))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


def _label(
    category: Category,
    risk: Risk,
    confidence: float,
    rationale: str,
    evidence: list[Evidence],
    flags: list[str],
    classifier_version: str,
) -> Label:
    model = _new(Label)
    values = {
        "category": category,
        "risk": risk,
        "confidence": confidence,
        "rationale": rationale,
        "evidence": evidence,
        "flags": flags,
        "classifier_version": classifier_version,
    }
    _set(model, "__dict__", values)
    _set(model, "__pydantic_fields_set__", set(_LABEL_FIELDS))
    _set(model, "__pydantic_extra__", None)
    _set(model, "__pydantic_private__", None)
    return model


def _state(model: BaseModel) -> tuple:
    return (
        type(model),
        list(model.__dict__.items()),  # the order too
        model.__pydantic_fields_set__,
        model.__pydantic_extra__,
        model.__pydantic_private__,
        model.model_dump_json(),
    )


def _checked(build: Callable[..., Any], cls: type[BaseModel], sample: dict[str, Any]):
    """`build` if it gives what validation gives on `sample`, else validated construction
    taking the same arguments as `build`."""
    plain = (
        tuple(cls.model_fields) == tuple(sample)
        and not cls.__pydantic_root_model__
        and not cls.__pydantic_post_init__
        and not cls.__private_attributes__
    )
    try:
        if plain and _state(build(**sample)) == _state(cls(**sample)):
            return build
    except Exception:  # an internal attribute pydantic no longer has
        pass
    signature = inspect.signature(build)
    return lambda *args, **kwargs: cls(**signature.bind(*args, **kwargs).arguments)


evidence: Callable[..., Evidence] = _checked(
    _evidence,
    Evidence,
    {"field": "description", "text": "Deletes", "start": 0, "end": 7, "supports": "a.b"},
)
label: Callable[..., Label] = _checked(
    _label,
    Label,
    {
        "category": Category.Destructive,
        "risk": Risk.critical,
        "confidence": 0.9,
        "rationale": "Destructive.",
        "evidence": [evidence(field="name", text="delete", start=0, end=6, supports="x")],
        "flags": ["open_world"],
        "classifier_version": "v",
    },
)
