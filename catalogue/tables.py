"""Rich tables of labelled tools. Cells are Text objects, so crawled text is never markup."""

from __future__ import annotations

from collections.abc import Iterable

from rich.table import Table
from rich.text import Text

from catalogue.output import safe_text
from mcp_domain import Label, ToolDefinition

RISK_STYLES = {"low": "green", "medium": "yellow", "high": "red", "critical": "bold red"}


def labels_table(rows: Iterable[tuple[ToolDefinition, Label]], title: str = "") -> Table:
    table = Table(title=safe_text(title) or None, show_lines=False, expand=False)
    table.add_column("tool", no_wrap=True)
    table.add_column("category")
    table.add_column("risk")
    table.add_column("conf.", justify="right")
    table.add_column("rationale", overflow="fold")
    for tool, label in rows:
        flags = f"  [{', '.join(label.flags)}]" if label.flags else ""
        table.add_row(
            Text(safe_text(tool.name, 60)),
            Text(label.category.value),
            Text(label.risk.value, style=RISK_STYLES.get(label.risk.value, "")),
            Text(f"{label.confidence:.2f}"),
            Text(safe_text(label.rationale, 400) + flags),
        )
    return table
