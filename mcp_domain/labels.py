"""What classification produces, spelled as in the taxonomy."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field


class Category(StrEnum):
    Read = "Read"
    Write = "Write"
    Execute = "Execute"
    Destructive = "Destructive"
    Financial = "Financial"

    @property
    def severity(self) -> int:
        return _CATEGORY_ORDER.index(self)


_CATEGORY_ORDER = [
    Category.Read,
    Category.Write,
    Category.Execute,
    Category.Destructive,
    Category.Financial,
]


class Risk(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"
    critical = "critical"

    def raised(self) -> Risk:
        """One step up, never past critical."""
        order = list(Risk)
        return order[min(order.index(self) + 1, len(order) - 1)]


DEFAULT_RISK = {
    Category.Read: Risk.low,
    Category.Write: Risk.medium,
    Category.Execute: Risk.high,
    Category.Destructive: Risk.critical,
    Category.Financial: Risk.critical,
}


class Evidence(BaseModel):
    """An exact substring of the definition and where it came from.

    `field` is "name", "description", "annotations.<hint>" or a schema path such
    as "inputSchema.properties.path.description"; `start`/`end` are offsets into
    that field's text.
    """

    field: str
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    # The rule or signal this evidence supports, e.g. "destructive.delete-verb".
    supports: str = ""


class Label(BaseModel):
    category: Category
    risk: Risk
    confidence: float = Field(ge=0.0, le=1.0)
    rationale: str
    evidence: list[Evidence] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    classifier_version: str = ""
