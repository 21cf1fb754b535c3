"""Typed errors of the application; the CLI turns each into one line and an exit code."""

from __future__ import annotations

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2


class CatalogueError(Exception):
    exit_code = EXIT_SOME_FAILED


class UsageError(CatalogueError):
    """The user asked for something that cannot be done as asked."""

    exit_code = EXIT_USAGE


class NotInCatalogue(CatalogueError):
    """A server or tool named by the user is not in the database."""
