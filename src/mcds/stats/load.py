"""The one place where ``mcds stats`` turns a path into the typed DuckDB shape.

Everything else in :mod:`mcds.stats` works on the typed shape documented in
:mod:`mcds.engine` and does not care how it was loaded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import duckdb

from mcds import engine
from mcds.errors import InputError
from mcds.submission import Submission

__all__ = ["InvalidSubmission", "Package", "load_package", "package_from_submission"]


class InvalidSubmission(Exception):
    """The submission is not valid: statistics are not computed from invalid data."""

    def __init__(self, path: Path, report_text: str) -> None:
        super().__init__(f"{path}: not a valid submission")
        self.path = path
        self.report_text = report_text


@dataclass
class Package:
    """One submission in the typed shape, with the metadata the statistics need."""

    path: Path
    con: duckdb.DuckDBPyConnection
    old_la_code: str
    new_la_code: str
    period_start: dt.date
    period_end: dt.date
    not_collected: frozenset[str]
    version: str = ""  # the version of the standard the submission follows (and its typed shape, until raised)

    def close(self) -> None:
        self.con.close()


def _from_connection(path: Path, con: duckdb.DuckDBPyConnection) -> Package:
    cur = con.execute("SELECT old_la_code, new_la_code, period_start, period_end, not_collected, standard_version "
                      "FROM metadata")
    row = cur.fetchone()
    if row is None or None in row[:4]:
        raise InputError(path, "the submission's metadata lacks its council or reporting period")
    not_collected = frozenset(item.strip() for item in row[4] or () if item.strip())
    return Package(path, con, row[0], row[1], row[2], row[3], not_collected, row[5] or "")


def load_package(path: Path, threads: int | None = None) -> Package:
    """Validate the submission at ``path`` (any form the validator reads) and keep it loaded in
    the typed shape. An invalid submission raises :class:`InvalidSubmission` with the
    validator's text report; unreadable input raises :class:`mcds.errors.InputError`. ``threads``:
    DuckDB's threads (default: every core; 1 in a worker process with a core of its own)."""
    from mcds import render
    from mcds.validate import load, validate

    path = Path(path)
    loaded = load(path, warnings=False, threads=threads)  # validity needs no warnings: skip them, and report in full if invalid
    if not loaded.report.valid:
        loaded.con.close()
        raise InvalidSubmission(path, render.text(validate(path)))
    return _from_connection(path, loaded.con)


def package_from_submission(sub: Submission, name: str = "<memory>") -> Package:
    """A submission held in memory, in the typed shape (no validation: for tests and callers that
    have validated it already)."""
    return _from_connection(Path(name), engine.load_submission(sub))
