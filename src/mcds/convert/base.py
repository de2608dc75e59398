"""What every converter shares: the conversion report, reading councils' CSV files, dates,
councils and collection years, and the submission's metadata.

Nothing lost, nothing invented: every source row a converter reads ends up either written
(carried over, faults and all, for the validator to report) or rejected with an issue saying
where it was and why. ``rows read = rows written + rows rejected`` for every source table.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from mcds import __version__
from mcds import standard as std
from mcds.catalogue import make_issue
from mcds.errors import InputError
from mcds.issues import Issue, Location, Severity, column_letter, printable
from mcds.safety import source_date
from mcds.submission import Submission

__all__ = [
    "ConversionReport",
    "SourceCount",
    "collection_period",
    "load_data",
    "make_metadata",
    "parse_date",
    "read_csv_rows",
    "resolve_council",
]


# ---------------------------------------------------------------- the report

TEXT_ISSUES = 50  # issues listed in the text report; the JSON report has them all


@dataclass
class SourceCount:
    """Rows of one source table: read = written + rejected."""

    source: str
    file: str
    sheet: str | None = None
    read: int = 0
    written: int = 0
    rejected: int = 0

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"source": self.source, "file": self.file}
        if self.sheet:
            out["sheet"] = self.sheet
        out.update(read=self.read, written=self.written, rejected=self.rejected)
        return out


@dataclass
class ConversionReport:
    """The account of one conversion: every source table's rows, every rejection, and notes."""

    converter: str
    standard_version: str = field(default_factory=std.current_version)
    sources: list[SourceCount] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    output: dict[str, int] = field(default_factory=dict)
    rejections: list[Issue] = field(default_factory=list)  # the issue of each rejected row (also in issues)
    provenance: Any = None  # where each written row came from (mcds.convert.provenance.Provenance), if kept
    validation: Any = None  # the validator's report of what was written (mcds.issues.Report), once validated

    def source(self, source: str, file: str, sheet: str | None = None) -> SourceCount:
        for c in self.sources:
            if (c.source, c.file, c.sheet) == (source, file, sheet):
                return c
        c = SourceCount(source, file, sheet)
        self.sources.append(c)
        return c

    def reject(self, count: SourceCount, code: str, location: Location, *, value: str | None = None,
               **params: object) -> None:
        """Count a row as rejected and record why."""
        count.rejected += 1
        params.setdefault("row", location.row if location.row is not None else location.line)
        issue = make_issue(code, location, value=value, file=location.file, **params)
        self.issues.append(issue)
        self.rejections.append(issue)

    def finding(self, code: str, location: Location, *, value: str | None = None, **params: object) -> None:
        """Record an issue about a row that was written (or a fact of the whole return)."""
        params.setdefault("row", location.row if location.row is not None else location.line)
        self.issues.append(make_issue(code, location, value=value, file=location.file, **params))

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    @property
    def rows_rejected(self) -> int:
        return sum(c.rejected for c in self.sources)

    @property
    def balanced(self) -> bool:
        return all(c.read == c.written + c.rejected for c in self.sources)

    @property
    def exit_code(self) -> int:
        """0 when no source row has a fault (an error) and what was written, once validated, is valid; 1 otherwise.

        Rows left out by design (an exact repeat of a row already converted, a CIN record of a
        child who is not looked after) are counted as rejected with a warning, not a fault."""
        faults = any(i.severity is Severity.ERROR for i in self.issues)
        return 1 if faults or (self.validation is not None and not self.validation.valid) else 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "converter": self.converter,
            "standard_version": self.standard_version,
            "balanced": self.balanced,
            "rows": {
                "read": sum(c.read for c in self.sources),
                "written": sum(c.written for c in self.sources),
                "rejected": self.rows_rejected,
            },
            "sources": [c.to_dict() for c in self.sources],
            "output": dict(self.output),
            "issues": [i.to_dict() for i in self.issues],
            "notes": list(self.notes),
            **({"validation": self.validation.to_dict()} if self.validation is not None else {}),
        }

    def to_text(self) -> str:
        lines = [f"Converted with mcds convert {self.converter} to standard {self.standard_version}."]
        labels = [f"{c.source} ({c.file}{', sheet ' + c.sheet if c.sheet else ''})" for c in self.sources]
        width = max([len(x) for x in labels] + [20])
        lines.append(f"  {'source table':<{width}}  {'read':>8} {'written':>8} {'rejected':>8}")
        for label, c in zip(labels, self.sources, strict=True):
            lines.append(f"  {label:<{width}}  {c.read:>8} {c.written:>8} {c.rejected:>8}")
        if self.output:
            lines.append("Rows in the submission: " + ", ".join(f"{k} {v}" for k, v in self.output.items()))
        for i in self.issues[:TEXT_ISSUES]:
            lines.append(f"  {i.line()}")
        if len(self.issues) > TEXT_ISSUES:
            more = len(self.issues) - TEXT_ISSUES
            lines.append(f"  ... and {more} more issues (all of them in the JSON report: --report FILE)")
        lines.extend(f"Note: {n}" for n in self.notes)
        if self.rows_rejected:
            lines.append(f"{self.rows_rejected} row(s) not carried over; see the issues above.")
        return "\n".join(printable(line) for line in lines)  # file and sheet names are the user's


# ---------------------------------------------------------------- mappings as data


class YAMLLoader(yaml.SafeLoader):
    """YAML as people write it in mappings: ``Yes``, ``No``, ``on`` and ``off`` stay text (YAML 1.2);
    only ``true`` and ``false`` are booleans. Councils' values are often Yes/No/Y/N."""


YAMLLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
YAMLLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
                                 list("tTfF"))


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=YAMLLoader)


@functools.cache
def load_data(name: str) -> dict[str, Any]:
    """A converter's column mapping and code maps, from ``mcds/convert/<name>.yaml``."""
    return load_yaml((resources.files("mcds.convert") / f"{name}.yaml").read_text(encoding="utf-8"))


# ---------------------------------------------------------------- reading councils' CSV files


def read_csv_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list[str | None]]]]:
    """The header (names stripped) and the data rows of a CSV file, numbered as in Excel (header = 1).

    Cells are stripped of stray spaces; empty cells are ``None``; blank rows are skipped."""
    from mcds.safety import MEMORY_FACTOR_IN_PYTHON, check_columns, check_fits_in_memory, csv_field_limit, detect_encoding

    csv_field_limit()
    path = Path(path)
    check_fits_in_memory([path], MEMORY_FACTOR_IN_PYTHON)  # held in memory whole: refuse what cannot fit
    try:
        text = path.read_text(encoding=detect_encoding(path))  # the one encoding policy of every reader
    except UnicodeDecodeError as exc:
        raise InputError(path, "not readable as text in the encoding it appears to use; save it as CSV UTF-8",
                         where=f"byte {exc.start}") from None
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror})") from None
    if "\x00" in text:
        raise InputError(path, "not a CSV text file (it holds NUL bytes; UTF-16 files must be saved as UTF-8)")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(path, "the file is empty") from None
    except csv.Error as exc:
        raise InputError(path, f"not readable as CSV ({exc})") from None
    check_columns(path, len(header))  # the validator's cap: each column costs time and memory in every row
    header = [h.strip() for h in header]

    def rows() -> Iterator[tuple[int, list[str | None]]]:
        number = 1
        try:
            for raw in reader:
                number += 1
                cells = [c.strip() or None for c in raw]
                if any(cells):
                    yield number, cells
        except csv.Error as exc:
            raise InputError(path, f"not readable as CSV ({exc})", where=f"row {number + 1}") from None

    return header, rows()


def cell_location(table: str, file: str, row: int, index: int | None, field_name: str | None,
                  sheet: str | None = None) -> Location:
    return Location(table=table, file=file, sheet=sheet, row=row,
                    column=column_letter(index + 1) if index is not None else None, field=field_name)


# ---------------------------------------------------------------- dates, councils, periods

DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d")
_TIME_SUFFIX = re.compile(r"[ T]00:00(:00(\.0+)?)?$")


_ISO_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?")
_LAST_FORMAT: dict[tuple[str, ...], str] = {}


def parse_stamp(text: str, formats: tuple[str, ...] | list[str]) -> tuple[dt.datetime, bool] | None:
    """A date and time in one of ``formats`` or ISO 8601, and whether the text held a time; else None.

    Fast on large files: ISO text (as spreadsheets' date cells read) is parsed directly, and the
    format that matched last is tried first (``strptime`` keeps only a few formats compiled)."""
    if _ISO_STAMP.fullmatch(text):
        try:
            return dt.datetime.fromisoformat(text), len(text) > 10
        except ValueError:
            pass
    key = tuple(formats)
    last = _LAST_FORMAT.get(key)
    for fmt in ((last, *formats) if last else formats):
        try:
            stamp = dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        _LAST_FORMAT[key] = fmt
        return stamp, "%H" in fmt
    return None


def parse_date(text: str | None, formats: tuple[str, ...] | list[str] = DATE_FORMATS) -> dt.date | None:
    """A date in one of ``formats`` or ISO (a midnight time, as spreadsheets add, is ignored), else None."""
    if not text:
        return None
    found = parse_stamp(_TIME_SUFFIX.sub("", text.strip()), formats)
    return found[0].date() if found and not found[1] else None


def iso_or_raw(text: str | None, formats: tuple[str, ...] | list[str] = DATE_FORMATS) -> str | None:
    """An ISO date, or the text as found when it is not a date (carried over for the validator)."""
    d = parse_date(text, formats)
    return d.isoformat() if d else text


def year_month_or_raw(text: str | None, formats: tuple[str, ...] | list[str] = DATE_FORMATS) -> str | None:
    d = parse_date(text, formats)
    return f"{d.year:04d}-{d.month:02d}" if d else text


def collection_period(year: int) -> tuple[dt.date, dt.date]:
    """The DfE collection year ``year``: 1 April of the year before to 31 March of ``year``."""
    return dt.date(year - 1, 4, 1), dt.date(year, 3, 31)


def resolve_council(code: str, start: dt.date, end: dt.date) -> tuple[str, str]:
    """The council's (DfE 3-digit, ONS 9-character) codes from either, in operation in the period."""
    code = code.strip().upper()
    councils = std.load().codelist("council")
    found = [c for c in councils.codes if code in (c.code, c.extra.get("old_la_code"))]
    if not found:
        raise InputError("--la", f"'{code}' is not a council code (give the 3-digit DfE or the 9-character ONS code)")
    for c in found:
        frm = dt.date.fromisoformat(c.extra["valid_from"]) if c.extra.get("valid_from") else dt.date.min
        to = dt.date.fromisoformat(c.extra["valid_to"]) if c.extra.get("valid_to") else dt.date.max
        if frm <= end and to >= start:
            return c.extra["old_la_code"], c.code
    raise InputError("--la", f"council '{code}' was not in operation between {start} and {end}")


def make_metadata(old: str, new: str, start: dt.date, end: dt.date, *, software: str,
                  not_collected: list[str] | None = None, created: str | None = None) -> dict[str, str | None]:
    return {
        "standard_version": std.current_version(),
        "old_la_code": old,
        "new_la_code": new,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "software": f"mcds {__version__} ({software})",
        # settable for reproducible output: SOURCE_DATE_EPOCH (reproducible-builds.org), else now
        "created": created or source_date() or dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "pseudonymised": "false",
        "not_collected": ";".join(not_collected) if not_collected else None,
    }


def added_since(version: str) -> list[str]:
    """Every table and field the standard added after ``version`` (from the migration maps), as
    ``table`` or ``table.field``: what a converter written for ``version`` holds none of, so lists as
    not collected (its figures are then ``x``, not 0)."""
    from mcds.migration import chain

    out: list[str] = []
    for m in chain(version, std.current_version()):
        tables = {c.table for c in m.of_kind("table-added")}
        out += sorted(t for t in tables if t)
        out += [f"{c.table}.{c.field}" for c in m.of_kind("field-added") if c.table not in tables]
    return out


def standard_order(items: list[str]) -> list[str]:
    """``table`` and ``table.field`` names in the standard's order (for metadata not_collected)."""
    s = std.load()
    tables = list(s.tables)

    def key(item: str) -> tuple[int, int]:
        table, _, name = item.partition(".")
        t = tables.index(table)
        return t, (s.tables[table].field_names.index(name) + 1 if name else 0)

    return sorted(dict.fromkeys(items), key=key)


def containing_placement(placements: list[dict[str, str | None]], day: dt.date | None) -> str | None:
    """The placement whose [start_date, end_date] holds ``day`` (the latest-starting if two do).

    ``placements`` are one child's rows in the standard's form (ISO dates; empty end = open)."""
    if day is None:
        return None
    best: tuple[dt.date, str] | None = None
    for p in placements:
        s = parse_date(p.get("start_date"), ("%Y-%m-%d",))
        e = parse_date(p.get("end_date"), ("%Y-%m-%d",)) if p.get("end_date") else dt.date.max
        if s and e and s <= day <= e and (best is None or s >= best[0]):
            best = (s, p.get("placement_id") or "")
    return best[1] if best else None


def link_placements(sub: Submission) -> int:
    """Fill each missing episode's empty placement_id with the placement it started in; how many were linked."""
    by_child: dict[str, list[dict[str, str | None]]] = {}
    for p in sub.rows("placements"):
        by_child.setdefault(p.get("child_id") or "", []).append(p)
    linked = 0
    for e in sub.rows("missing_episodes"):
        if not e.get("placement_id"):
            e["placement_id"] = containing_placement(by_child.get(e.get("child_id") or "", []),
                                                     parse_date(e.get("start_date"), ("%Y-%m-%d",)))
            linked += e["placement_id"] is not None
    return linked


def finish(sub: Submission, report: ConversionReport) -> Submission:
    """Record the rows of each table of the submission in the report."""
    for t in sub.standard.tables:
        report.output[t] = len(sub.tables.setdefault(t, []))
    return sub
