"""Exceptions are for "cannot continue": unreadable input, bad usage, bad configuration.

Problems *in* data are never exceptions: they are :class:`mcds.issues.Issue` values.
"""

from __future__ import annotations

__all__ = ["InputError", "MCDSError"]


class MCDSError(Exception):
    """Base class of every error the toolkit raises on purpose."""


class InputError(MCDSError):
    """Input that cannot be read: names the file and, where known, the place in it.

    The CLI turns it into a message on stderr and exit code 2."""

    def __init__(self, path: object, message: str, *, where: str | None = None) -> None:
        self.path = str(path)
        self.where = where
        self.reason = message
        super().__init__(f"{self.path}{': ' + where if where else ''}: {message}")
