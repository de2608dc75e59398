"""Issues found in data are values: a code from the standard's catalogue, a severity,
a location in the user's own coordinates, the offending value and a message.

Rows are numbered as the user sees them: in a CSV file or a worksheet the header is
row 1, so the first data row is row 2. Columns are letters, as in Excel.

Values come from the user's files, so anything that shows them to a person passes them through
:func:`printable` first: a newline in a cell must not forge a line of a report, nor an escape code
reach the terminal.
"""

from __future__ import annotations

import enum
import functools
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = ["MAX_ISSUES", "Issue", "Location", "Report", "Severity", "Unlisted", "column_letter", "printable"]

MAX_ISSUES = 1000  # issues listed of each code by default (mcds validate --max-issues); the counts are exact

# C0 and C1 controls and DEL; line and paragraph separators; bidirectional marks, embeddings,
# overrides and isolates (they reorder what a terminal shows); lone surrogates (not printable at all)
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in _SHORT:
        return _SHORT[ch]
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def printable(text: str) -> str:
    """``text`` safe to show on a terminal or in a line-based report: every control character,
    line separator and bidirectional control written as a visible escape (``\\n``, ``\\x1b``,
    ``\\u202e``). Printable text is unchanged, so the function is idempotent; backslashes are kept
    as they are (Windows paths stay readable), so text without a backslash can be read back exactly."""
    return _UNPRINTABLE.sub(_escape, text) if _UNPRINTABLE.search(text) else text


class Severity(enum.StrEnum):
    """``error`` must be fixed; ``query`` must be fixed or explained; ``warning`` is advice."""

    ERROR = "error"
    QUERY = "query"
    WARNING = "warning"


def column_letter(index: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA (Excel's column names)."""
    if index < 1:
        msg = "column numbers start at 1"
        raise ValueError(msg)
    letters = ""
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass(frozen=True, slots=True)
class Location:
    """Where an issue is, as the user would find it in their own file."""

    table: str | None = None
    file: str | None = None
    sheet: str | None = None
    row: int | None = None
    column: str | None = None
    field: str | None = None
    record_id: str | None = None
    # Where a converted row came from (mcds.convert.provenance): the line of an XML element, the
    # source's own name of the column or the XML element's path, and the child's identifier there.
    line: int | None = None
    source_field: str | None = None
    child_id: str | None = None

    def describe(self) -> str:
        """The place in words, for people: ``children.csv, row 2, column E (sex)``, or for a converted
        row ``missing.csv, row 36, column D (MIS_START as start_date)`` (escaped). Never the child's
        identifier: that is in the JSON report only."""
        parts = []
        if self.file:
            parts.append(self.file)
        if self.sheet:
            parts.append(f"sheet {self.sheet}")
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column:
            parts.append(f"column {self.column}")
        text = ", ".join(parts)
        name = self.field
        if self.source_field and self.source_field != self.field:
            name = f"{self.source_field} as {self.field}" if self.field else self.source_field
        if name:
            text = f"{text} ({name})" if text else name
        return printable(text or self.table or "submission")


@dataclass(frozen=True, slots=True)
class Issue:
    code: str
    severity: Severity
    message: str
    location: Location = field(default_factory=Location)
    value: str | None = None
    explanation: str | None = None
    # a column fault (mcds.validation.faults): how many cells fail the same way, and the first rows
    count: int | None = None
    rows: tuple[int, ...] = ()

    @property
    def explained(self) -> bool:
        return self.severity is Severity.QUERY and bool(self.explanation)

    @property
    def blocking(self) -> bool:
        """Does this issue make the data invalid?"""
        return self.severity is Severity.ERROR or (self.severity is Severity.QUERY and not self.explained)

    def line(self) -> str:
        """The issue on one plain line: ``error: file, row 2, column E (field): message [code]``
        (control characters escaped: the value in the message is the user's)."""
        return printable(f"{self.severity}: {self.location.describe()}: {self.message} [{self.code}]")

    def to_dict(self) -> dict[str, Any]:
        loc = asdict(self.location)
        loc.pop("record_id")
        for extra in ("line", "source_field", "child_id"):  # only where known: older reports have none
            if loc[extra] is None:
                del loc[extra]
        out: dict[str, Any] = {"code": self.code, "severity": self.severity.value, **loc,
                               "value": self.value, "message": self.message}
        if self.explanation:
            out["explanation"] = self.explanation
        if self.count is not None:
            out["count"] = self.count
            out["rows"] = list(self.rows)
        return out


@functools.lru_cache
def _reports_truncation(version: str) -> bool:
    """Whether version ``version``'s report schema has the counts of a report that does not list every issue."""
    from mcds import standard as std

    try:
        schema = std.load(version).read_json("report.schema.json")
    except (OSError, ValueError, KeyError):
        return False
    return "truncated" in schema.get("properties", {})


@dataclass
class Unlisted:
    """The issues a report counts but does not list (beyond ``max_issues`` of a code): by code, with
    their severity, and how many of them block validity or are explained queries."""

    by_code: dict[str, int] = field(default_factory=dict)
    severity: dict[str, str] = field(default_factory=dict)
    blocking: int = 0
    explained: int = 0

    def add(self, issue: Issue, n: int = 1) -> None:
        self.by_code[issue.code] = self.by_code.get(issue.code, 0) + n
        self.severity[issue.code] = issue.severity.value
        self.blocking += n if issue.blocking else 0
        self.explained += n if issue.explained else 0

    @property
    def total(self) -> int:
        return sum(self.by_code.values())


@dataclass(frozen=True)
class Report:
    """The outcome of validating one submission. ``unlisted``: the issues counted but not listed
    (none unless the report was made with a limit); counts and validity take them in."""

    issues: tuple[Issue, ...]
    standard_version: str
    source: str | None = None
    notes: tuple[str, ...] = ()
    unlisted: Unlisted = field(default_factory=Unlisted)

    @classmethod
    def from_issues(cls, issues: Iterable[Issue], standard_version: str, **kw: Any) -> Report:
        return cls(tuple(issues), standard_version, **kw)

    @property
    def valid(self) -> bool:
        return not self.unlisted.blocking and not any(i.blocking for i in self.issues)

    @property
    def counts(self) -> dict[str, int]:
        """Issues of each severity, listed or not."""
        c = Counter(i.severity.value for i in self.issues)
        for code, n in self.unlisted.by_code.items():
            c[self.unlisted.severity[code]] += n
        return {s.value: c.get(s.value, 0) for s in Severity}

    @property
    def by_code(self) -> dict[str, int]:
        """Issues of each code, listed or not."""
        c = Counter(i.code for i in self.issues)
        c.update(self.unlisted.by_code)
        return dict(c)

    @property
    def explained(self) -> int:
        return sum(1 for i in self.issues if i.explained) + self.unlisted.explained

    @property
    def truncated(self) -> int:
        """How many issues are counted but not listed."""
        return self.unlisted.total

    def __iter__(self) -> Iterator[Issue]:
        return iter(self.issues)

    def __len__(self) -> int:
        return len(self.issues)

    def project(self, *keys: str) -> list[tuple[Any, ...]]:
        """The issues as tuples of the given keys, e.g. ``report.project("code", "row", "field")``.

        Tests compare projections, not message wording."""
        out = []
        for i in self.issues:
            d = i.to_dict()
            out.append(tuple(d.get(k) for k in keys))
        return out

    def to_dict(self, *, with_issues: bool = True) -> dict[str, Any]:
        """The report as the version's ``report.schema.json`` has it (``with_issues=False``: the issues
        left as an empty list, for a writer that streams them). A report that does not list every issue
        says how many it leaves out, and its counts by code, where the version's report schema has
        those properties (from 1.1)."""
        out: dict[str, Any] = {
            "valid": self.valid,
            "standard_version": self.standard_version,
            "counts": self.counts,
            "issues": [i.to_dict() for i in self.issues] if with_issues else [],
        }
        if self.truncated and _reports_truncation(self.standard_version):
            out["truncated"] = self.truncated
            out["counts_by_code"] = dict(sorted(self.by_code.items()))
        if self.notes:
            out["notes"] = list(self.notes)
        return out
