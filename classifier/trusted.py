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


def _setter(cls: type[BaseModel], name: str) -> Callable[[Any, Any], None]:
    """What sets the instance attribute `name` of `cls` as object.__setattr__ does: the
    descriptor of its slot (or of __dict__) found on the class, called straight (three
    times cheaper than object.__setattr__, which a class with its own __setattr__
    makes check its arguments first); object.__setattr__ when there is none."""
    for klass in cls.__mro__:
        descriptor = vars(klass).get(name)
        if descriptor is not None:
            setter = getattr(descriptor, "__set__", None)
            if setter is not None:
                return setter
            break
    return lambda model, value: _set(model, name, value)


_evidence_dict = _setter(Evidence, "__dict__")
_evidence_fields_set = _setter(Evidence, "__pydantic_fields_set__")
_evidence_extra = _setter(Evidence, "__pydantic_extra__")
_evidence_private = _setter(Evidence, "__pydantic_private__")
_label_dict = _setter(Label, "__dict__")
_label_fields_set = _setter(Label, "__pydantic_fields_set__")
_label_extra = _setter(Label, "__pydantic_extra__")
_label_private = _setter(Label, "__pydantic_private__")


def _evidence(field: str, text: str, start: int, end: int, supports: str) -> Evidence:
    model = _new(Evidence)
    _evidence_dict(
        model, {"field": field, "text": text, "start": start, "end": end, "supports": supports}
    )
    _evidence_fields_set(model, {"field", "text", "start", "end", "supports"})
    _evidence_extra(model, None)
    _evidence_private(model, None)
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
    _label_dict(
        model,
        {
            "category": category,
            "risk": risk,
            "confidence": confidence,
            "rationale": rationale,
            "evidence": evidence,
            "flags": flags,
            "classifier_version": classifier_version,
        },
    )
    _label_fields_set(
        model,
        {"category", "risk", "confidence", "rationale", "evidence", "flags", "classifier_version"},
    )
    _label_extra(model, None)
    _label_private(model, None)
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
