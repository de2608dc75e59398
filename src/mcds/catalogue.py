"""The issue catalogue of a version of the standard: every code the validator emits.

The catalogue is ``standard/<version>/issues.csv``; rules written as portable SQL live in
``standard/<version>/rules/<code>.sql``. An unknown code is a programming error.
"""

from __future__ import annotations

import csv
import functools
import io
import string
from dataclasses import dataclass

from mcds import standard as std
from mcds.issues import Issue, Location, Severity

__all__ = ["IssueType", "catalogue", "make_issue"]


@dataclass(frozen=True, slots=True)
class IssueType:
    code: str
    severity: Severity
    category: str
    title: str
    message: str
    guidance: str
    tables: tuple[str, ...]
    fields: tuple[str, ...]
    rule: str

    @property
    def placeholders(self) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self.message) if name}

    def render(self, **params: object) -> str:
        values = {k: "" if v is None else v for k, v in params.items()}
        missing = self.placeholders - values.keys()
        if missing:
            msg = f"issue {self.code} needs {sorted(missing)} to render its message"
            raise KeyError(msg)
        return self.message.format(**values)

    def sql(self, version: str) -> str | None:
        return std.load(version).read_text(self.rule) if self.rule else None


def _split(cell: str) -> tuple[str, ...]:
    return tuple(p for p in cell.split(";") if p)


@functools.cache
def catalogue(version: str | None = None) -> dict[str, IssueType]:
    s = std.load(version)
    reader = csv.DictReader(io.StringIO(s.read_text("issues.csv")))
    return {
        r["code"]: IssueType(
            code=r["code"],
            severity=Severity(r["severity"]),
            category=r["category"],
            title=r["title"],
            message=r["message"],
            guidance=r["guidance"],
            tables=_split(r["tables"]),
            fields=_split(r["fields"]),
            rule=r["rule"],
        )
        for r in reader
    }


def make_issue(code: str, location: Location, *, value: str | None = None, version: str | None = None,
               **params: object) -> Issue:
    """Build an issue from the catalogue, rendering its message from ``params``.

    ``table``, ``field`` and ``value`` are filled from the location and value."""
    kind = catalogue(version)[code]
    params.setdefault("table", location.table)
    params.setdefault("field", location.field)
    params.setdefault("row", location.row)
    params.setdefault("value", value)
    return Issue(code=code, severity=kind.severity, message=kind.render(**params), location=location, value=value)
