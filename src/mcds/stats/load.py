"""The one place where ``mcds stats`` turns a path into the typed DuckDB shape.

Everything else in :mod:`mcds.stats` works on the typed shape documented in
:mod:`mcds.engine` and does not care how it was loaded.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

import duckdb

from mcds import engine
from mcds.errors import InputError
from mcds.submission import Submission, read_submission

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

    def close(self) -> None:
        self.con.close()


def _from_connection(path: Path, con: duckdb.DuckDBPyConnection) -> Package:
    cur = con.execute("SELECT old_la_code, new_la_code, period_start, period_end, not_collected FROM metadata")
    row = cur.fetchone()
    if row is None or None in row[:4]:
        raise InputError(path, "the submission's metadata lacks its council or reporting period")
    return Package(path, con, row[0], row[1], row[2], row[3], frozenset(row[4] or ()))


def _load_csv_tables(folder: Path, sub: Submission, con: duckdb.DuckDBPyConnection) -> None:
    for t in sub.standard.tables.values():
        file = folder / f"{t.name}.csv"
        if not file.is_file():
            continue
        con.execute("CREATE OR REPLACE TEMP TABLE _raw AS SELECT * FROM read_csv(?, header = true, all_varchar = true)",
                    [str(file)])
        present = {r[0] for r in con.execute("DESCRIBE _raw").fetchall()}
        exprs = ", ".join(engine.cast_expression(f, engine.quote(f.name)) if f.name in present else "NULL"
                          for f in t.fields)
        con.execute(f"INSERT INTO {engine.quote(t.name)} SELECT {exprs}, (row_number() OVER () + 1)::INTEGER FROM _raw")
        con.execute("DROP TABLE _raw")


def load_package(path: Path) -> Package:
    """Load the submission at ``path`` (any form the toolkit reads) into the typed shape."""
    path = Path(path)
    folder = path if path.is_dir() else path.parent if path.name == "datapackage.json" else None
    if folder is not None and (folder / "datapackage.json").is_file():
        try:
            desc = json.loads((folder / "datapackage.json").read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(path, f"not readable as a CSV package ({exc})") from None
        meta = {k: (";".join(v) if isinstance(v, list) else None if v is None else
                    ("true" if v is True else "false" if v is False else str(v)))
                for k, v in (desc.get("mcds") or {}).items()}
        sub = Submission(meta)
        con = engine.load_submission(sub)
        try:
            _load_csv_tables(folder, sub, con)
        except duckdb.Error as exc:
            con.close()
            raise InputError(path, f"not readable as a CSV package ({exc})") from None
        return _from_connection(path, con)
    sub = read_submission(path)
    return _from_connection(path, engine.load_submission(sub))


def package_from_submission(sub: Submission, name: str = "<memory>") -> Package:
    """A submission held in memory, in the typed shape (no validation: for tests and callers that
    have validated it already)."""
    return _from_connection(Path(name), engine.load_submission(sub))
