"""Domain types shared by the crawler, the classifier and the application.

This is the only module that `crawler` and `classifier` have in common; keep it
small and free of behaviour beyond validation and hashing.
"""

from mcp_domain.labels import Category, Evidence, Label, Risk
from mcp_domain.tools import (
    Completeness,
    ExtractionResult,
    FileSkip,
    SourceLocation,
    ToolDefinition,
    nests_deeper_than,
)

__all__ = [
    "Category",
    "Completeness",
    "Evidence",
    "ExtractionResult",
    "FileSkip",
    "Label",
    "Risk",
    "SourceLocation",
    "ToolDefinition",
    "nests_deeper_than",
]
