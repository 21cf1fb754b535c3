"""`catalogue classify`: labels of a stored server, or of a tools/list dump."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

import classifier
from catalogue.db import store
from catalogue.db.schema import Release
from catalogue.errors import NotInCatalogue, UsageError
from catalogue.output import console, label_json, print_json, safe_text, tool_json
from catalogue.settings import Settings
from catalogue.tables import labels_table
from catalogue.tools_file import read_tools_file
from mcp_domain import Label, ToolDefinition


def run_classify_file(path: Path, as_json: bool) -> None:
    tools = read_tools_file(path)
    labels = classifier.classify_many(tools)
    if as_json:
        print_json(
            {
                "tools": [
                    {"name": t.name, "label": label_json(lb)}
                    for t, lb in zip(tools, labels, strict=True)
                ]
            }
        )
    else:
        console.print(
            labels_table(zip(tools, labels, strict=True), title=f"{path.name}: {len(tools)} tools")
        )


def run_classify_server(name: str, settings: Settings, as_json: bool) -> None:
    sessions = store.open_database(settings.db)
    with sessions() as session:
        servers = store.find_servers(session, name)
        if not servers:
            raise NotInCatalogue(
                f"{name}: not in the catalogue at {settings.db}; run `catalogue crawl` first"
            )
        reports = []
        for server in servers:
            release = store.latest_good_release(server)
            if release is None:
                failed = server.releases[-1] if server.releases else None
                reason = failed.error if failed else "no release stored"
                raise NotInCatalogue(f"{server.source}:{server.name}: no usable release ({reason})")
            reports.append((server.source, server.name, release, labelled_tools(session, release)))
        session.commit()  # labels computed just now for a new classifier version
    if as_json:
        print_json(
            {
                "servers": [
                    {
                        "source": source,
                        "name": server_name,
                        "version": release.version,
                        "completeness": release.completeness,
                        "notes": release.notes,
                        "tools": [tool_json(t, lb) for t, lb in rows],
                    }
                    for source, server_name, release, rows in reports
                ]
            }
        )
        return
    for source, server_name, release, rows in reports:
        title = (
            f"{source}:{server_name} {release.version}: {len(rows)} tools "
            f"({release.completeness}, classifier {classifier.CLASSIFIER_VERSION})"
        )
        console.print(labels_table(rows, title=title))
        for note in release.notes:
            console.print(f"note: {safe_text(str(note))}", markup=False)


def labelled_tools(session: Session, release: Release) -> list[tuple[ToolDefinition, Label]]:
    """The release's tools with labels of the current classifier, computed and stored if missing."""
    rows = list(release.tools)
    definitions = [store.tool_definition(row) for row in rows]
    labels: list[Label | None] = [
        store.stored_label(row, classifier.CLASSIFIER_VERSION) for row in rows
    ]
    missing = [i for i, label in enumerate(labels) if label is None]
    if missing:
        fresh = classifier.classify_many([definitions[i] for i in missing])
        for i, label in zip(missing, fresh, strict=True):
            labels[i] = label
            rows[i].labels.append(store.label_row(label, classifier.CLASSIFIER_VERSION))
        session.flush()
    return [(d, lb) for d, lb in zip(definitions, labels, strict=True) if lb is not None]


def check_one_source(tools_file: Path | None, name: str | None) -> None:
    if (tools_file is None) == (name is None):
        raise UsageError("give either a server NAME or --tools-file FILE")
