"""Settings from flags and environment variables, in that order, then defaults."""

from __future__ import annotations

import os

from pydantic import BaseModel

from crawler.archive import DEFAULT_MAX_EXECUTABLE_BYTES
from crawler.extract.base import DEFAULT_MAX_SOURCE_BYTES

DEFAULT_DB = "catalogue.db"


class Settings(BaseModel):
    # A path to a SQLite file or a database URL (e.g. postgresql+psycopg://...).
    db: str = DEFAULT_DB
    # PyPI-compatible and npm-compatible endpoints; None means "ask pip / npm".
    pypi_url: str | None = None
    npm_url: str | None = None
    max_source_bytes: int = DEFAULT_MAX_SOURCE_BYTES
    # Compiled executables above this size are not kept for the binary reader.
    max_executable_bytes: int = DEFAULT_MAX_EXECUTABLE_BYTES

    @classmethod
    def load(cls, db: str | None = None) -> Settings:
        env = os.environ
        max_bytes = env.get("CATALOGUE_MAX_SOURCE_BYTES", "")
        max_executable = env.get("CATALOGUE_MAX_EXECUTABLE_BYTES", "")
        return cls(
            db=db or env.get("CATALOGUE_DB") or DEFAULT_DB,
            pypi_url=env.get("CATALOGUE_PYPI_URL") or None,
            npm_url=env.get("CATALOGUE_NPM_URL") or None,
            max_source_bytes=int(max_bytes) if max_bytes.isdigit() else DEFAULT_MAX_SOURCE_BYTES,
            max_executable_bytes=(
                int(max_executable) if max_executable.isdigit() else DEFAULT_MAX_EXECUTABLE_BYTES
            ),
        )
