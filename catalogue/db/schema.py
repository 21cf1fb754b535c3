"""The catalogue's tables (SQLAlchemy 2.0, typed). SQLite by default, PostgreSQL at scale."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


class Server(Base):
    __tablename__ = "servers"
    __table_args__ = (UniqueConstraint("source", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(300), index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    homepage: Mapped[str] = mapped_column(Text, default="")
    repository: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    releases: Mapped[list[Release]] = relationship(back_populates="server", order_by="Release.id")


class Release(Base):
    __tablename__ = "releases"
    __table_args__ = (UniqueConstraint("server_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    server_id: Mapped[int] = mapped_column(ForeignKey("servers.id"), index=True)
    version: Mapped[str] = mapped_column(String(100))
    artifact_name: Mapped[str] = mapped_column(Text, default="")
    artifact_url: Mapped[str] = mapped_column(Text, default="")
    size: Mapped[int | None] = mapped_column(Integer, nullable=True)
    sha256: Mapped[str] = mapped_column(String(64), default="")
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    # "ok" once extracted and stored; "failed" with `error` otherwise.
    status: Mapped[str] = mapped_column(String(16), default="ok")
    error: Mapped[str] = mapped_column(Text, default="")
    completeness: Mapped[str] = mapped_column(String(16), default="unknown")
    notes: Mapped[list[Any]] = mapped_column(default=list)
    skipped_files: Mapped[list[Any]] = mapped_column(default=list)
    server_metadata: Mapped[dict[str, Any]] = mapped_column(default=dict)

    server: Mapped[Server] = relationship(back_populates="releases")
    tools: Mapped[list[Tool]] = relationship(
        back_populates="release", order_by="Tool.position", cascade="all, delete-orphan"
    )


class Tool(Base):
    __tablename__ = "tools"
    __table_args__ = (UniqueConstraint("release_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text, default="")
    input_schema: Mapped[dict[str, Any]] = mapped_column(default=dict)
    annotations: Mapped[dict[str, Any]] = mapped_column(default=dict)
    source_file: Mapped[str] = mapped_column(Text, default="")
    source_line: Mapped[int] = mapped_column(Integer, default=0)
    # For a definition read out of a compiled file: the function and code address.
    source_symbol: Mapped[str] = mapped_column(Text, default="", server_default="")
    pattern: Mapped[str] = mapped_column(String(100), default="")
    condition: Mapped[str | None] = mapped_column(Text, nullable=True)
    definition_hash: Mapped[str] = mapped_column(String(64), index=True)

    release: Mapped[Release] = relationship(back_populates="tools")
    labels: Mapped[list[ToolLabel]] = relationship(
        back_populates="tool", cascade="all, delete-orphan", order_by="ToolLabel.id"
    )


class ToolLabel(Base):
    __tablename__ = "labels"
    __table_args__ = (UniqueConstraint("tool_id", "classifier_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tool_id: Mapped[int] = mapped_column(ForeignKey("tools.id"), index=True)
    classifier_version: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(16))
    risk: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float]
    rationale: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[Any]] = mapped_column(default=list)
    flags: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    tool: Mapped[Tool] = relationship(back_populates="labels")


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    requested: Mapped[list[Any]] = mapped_column(default=list)
    stored: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    # Failures before any release exists (unknown package, registry down): [{"package", "error"}].
    failures: Mapped[list[Any]] = mapped_column(default=list)
