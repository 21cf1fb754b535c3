"""Opening the database and the queries the commands need."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, make_url, select, text
from sqlalchemy.orm import Session, sessionmaker

from catalogue.db.schema import Base, Release, Server, Tool, ToolLabel
from mcp_domain import ExtractionResult, Label, ToolDefinition
from mcp_domain.tools import SourceLocation


def database_url(value: str) -> str:
    """A URL is used as it is; anything else is a path to a SQLite file."""
    if "://" in value:
        return value
    return f"sqlite:///{Path(value).expanduser()}"


def describe_database(value: str) -> str:
    """Where the data is, for people: an absolute file path, or the URL without its password."""
    if "://" not in value:
        return str(Path(value).expanduser().resolve())
    return make_url(value).render_as_string(hide_password=True)


def open_database(value: str) -> sessionmaker[Session]:
    engine = create_engine(database_url(value))
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    Base.metadata.create_all(engine)
    _add_new_columns(engine)
    return sessionmaker(engine, expire_on_commit=False)


def _add_new_columns(engine: Engine) -> None:
    """Give a database made by an older version the columns added since, with their
    defaults, so an existing catalogue file keeps working."""
    inspector = inspect(engine)
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            if not inspector.has_table(table.name):
                continue
            present = {column["name"] for column in inspector.get_columns(table.name)}
            for column in table.columns:
                if column.name in present or column.server_default is None:
                    continue
                kind = column.type.compile(dialect=engine.dialect)
                # Our own schema's literal (DDL takes no bound parameters), quoted as SQL does.
                default = str(getattr(column.server_default, "arg", "")).replace("'", "''")
                connection.execute(
                    text(
                        f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind} "
                        f"DEFAULT '{default}'"
                    )
                )


def _sqlite_pragmas(connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def engine_of(factory: sessionmaker[Session]) -> Engine:
    bind = factory.kw["bind"]
    assert isinstance(bind, Engine)
    return bind


def get_or_create_server(session: Session, source: str, name: str) -> Server:
    server = session.scalar(select(Server).where(Server.source == source, Server.name == name))
    if server is None:
        server = Server(source=source, name=name)
        session.add(server)
        session.flush()
    return server


def find_release(session: Session, source: str, name: str, version: str) -> Release | None:
    return session.scalar(
        select(Release)
        .join(Server)
        .where(Server.source == source, Server.name == name, Release.version == version)
    )


def store_tools(
    session: Session,
    release: Release,
    extraction: ExtractionResult,
    labels: Iterable[Label],
    classifier_version: str,
) -> None:
    """Replace the release's tools with `extraction`'s, each with its label."""
    release.tools.clear()
    session.flush()
    for position, (tool, label) in enumerate(zip(extraction.tools, labels, strict=True)):
        row = Tool(
            position=position,
            name=tool.name,
            description=tool.description,
            input_schema=tool.input_schema,
            annotations=tool.annotations,
            source_file=tool.source.file if tool.source else "",
            source_line=tool.source.line if tool.source else 0,
            source_symbol=tool.source.symbol if tool.source else "",
            pattern=tool.pattern,
            condition=tool.condition,
            definition_hash=tool.definition_hash(),
        )
        row.labels.append(label_row(label, classifier_version))
        release.tools.append(row)
    release.completeness = extraction.completeness.value
    release.notes = list(extraction.notes)
    release.skipped_files = [skip.model_dump() for skip in extraction.skipped]
    release.server_metadata = dict(extraction.metadata)


def label_row(label: Label, classifier_version: str) -> ToolLabel:
    return ToolLabel(
        classifier_version=classifier_version,
        category=label.category.value,
        risk=label.risk.value,
        confidence=label.confidence,
        rationale=label.rationale,
        evidence=[item.model_dump() for item in label.evidence],
        flags=list(label.flags),
    )


def find_servers(session: Session, name: str) -> list[Server]:
    """Servers called `name` (on any source), or named as `source:name`."""
    source, sep, rest = name.partition(":")
    query = select(Server).order_by(Server.source, Server.name)
    if sep and source in ("pypi", "npm"):
        query = query.where(Server.source == source, Server.name == rest)
    else:
        query = query.where(Server.name == name)
    return list(session.scalars(query))


def latest_good_release(server: Server) -> Release | None:
    good = [r for r in server.releases if r.status == "ok"]
    return max(good, key=lambda r: (r.fetched_at, r.id)) if good else None


def all_servers(session: Session) -> list[Server]:
    return list(session.scalars(select(Server).order_by(Server.source, Server.name)))


def tool_definition(row: Tool) -> ToolDefinition:
    return ToolDefinition(
        name=row.name,
        description=row.description,
        input_schema=row.input_schema,
        annotations=row.annotations,
        source=SourceLocation(file=row.source_file, line=row.source_line, symbol=row.source_symbol)
        if row.source_file
        else None,
        pattern=row.pattern,
        condition=row.condition,
    )


def stored_label(row: Tool, classifier_version: str) -> Label | None:
    for label in row.labels:
        if label.classifier_version == classifier_version:
            return Label(
                category=label.category,
                risk=label.risk,
                confidence=label.confidence,
                rationale=label.rationale,
                evidence=label.evidence,
                flags=label.flags,
                classifier_version=label.classifier_version,
            )
    return None
