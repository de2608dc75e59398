"""Ofsted Annex A, List 8 (children in care) to the standard's children table.

Annex A carries, per child, counts of missing and absent episodes in the last 12 months and
whether a return interview was offered and accepted after the last one: counts, not episodes.
The converter therefore gives the children table and each child's most recent placement (with
its URN and council: List 8 gives no other), and never invents episodes; ``mcds reconcile``
compares the counts with a submission's episodes. Headers and values are matched by the regular
expressions in ``annex_a.yaml``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mcds import standard as std
from mcds.convert.base import (
    ConversionReport,
    added_since,
    cell_location,
    collection_period,
    finish,
    iso_or_raw,
    load_data,
    make_metadata,
    resolve_council,
    standard_order,
    year_month_or_raw,
)
from mcds.convert.provenance import Origin, Provenance, RowOrigin
from mcds.errors import InputError
from mcds.issues import column_letter
from mcds.submission import Submission
from mcds.workbook import read_workbook_raw

__all__ = ["AnnexARow", "convert_annex_a", "parse_value", "read_list8"]


def _spec() -> dict[str, Any]:
    return load_data("annex_a")


@dataclass
class AnnexARow:
    row: int
    cells: dict[str, str | None]
    columns: dict[str, int]


@dataclass
class List8:
    file: str
    sheet: str
    rows: list[AnnexARow]
    columns: dict[str, int]
    unmatched_headers: list[str]
    headers: dict[str, str] = field(default_factory=dict)  # item -> its header as the workbook names it


def parse_value(kind: str, text: str | None) -> str | None:
    """``a) Yes`` -> ``true``, ``b) Female`` -> ``F``, ``C1: ICO`` -> ``C1``; unknown values are kept as found."""
    if text is None:
        return None
    spec = _spec()
    text = text.strip()
    if kind in spec["values"]:
        maps = spec["values"][kind]
        m = re.match(spec["letter"], text, re.I)
        if m:
            letter = m.group(1).lower()
            if letter in maps["letters"]:
                return maps["letters"][letter]
            text = m.group(2).strip()
        word = text.casefold()
        if word in maps["words"]:
            return maps["words"][word]
        return None if word in ("unknown", "not known", "") else text
    m = re.match(spec["letter"], text, re.I)
    if m:
        text = m.group(2).strip()
    m = re.match(spec["code"], text + " ")
    return m.group(1).upper() if m else text


def read_list8(path: Path) -> List8:
    """The List 8 sheet: the header row (found by its child identifier column) and the rows after it."""
    path = Path(path)
    spec = _spec()
    sheets = [s for s in read_workbook_raw(path) if re.search(spec["sheet"], s.name, re.I)]
    if not sheets:
        raise InputError(path, "no 'List 8' sheet (children in care) in this workbook")
    sheet = sheets[0]
    every = [(sheet.header_row, sheet.header), *sheet.rows]
    index = next((i for i, (_, cells) in enumerate(every[:20])
                  if any(c and re.search(spec["headers"]["child_id"], c, re.I) for c in cells)), None)
    if index is None:
        raise InputError(path, "no 'Child Unique ID' column found in the first rows", where=f"sheet {sheet.name}")
    header = every[index][1]
    columns: dict[str, int] = {}
    unmatched = []
    for i, h in enumerate(header):
        if not h:
            continue
        for item, pattern in spec["headers"].items():
            if item not in columns and re.search(pattern, h, re.I):
                columns[item] = i
                break
        else:
            unmatched.append(h)
    rows = []
    for number, cells in every[index + 1:]:
        if any(cells):
            rows.append(AnnexARow(number, {k: cells[i] if i < len(cells) else None for k, i in columns.items()}, columns))
    return List8(path.name, sheet.name, rows, columns, unmatched, {k: header[i] or "" for k, i in columns.items()})


def convert_annex_a(path: Path, la: str, year: int, *, created: str | None = None) -> tuple[Submission, ConversionReport]:
    start, end = collection_period(year)
    old, new = resolve_council(la, start, end)
    spec = _spec()
    report = ConversionReport("annex-a")
    lst = read_list8(path)
    mapped = {f"placements.{name}" for name in spec["placement"]}
    later = [x for x in added_since(spec["standard_version"]) if x not in mapped]
    sub = Submission(make_metadata(old, new, start, end, software="convert annex-a", created=created,
                                   not_collected=standard_order([*spec["not_collected"], *later])))
    prov = Provenance("annex-a")
    letters = {item: column_letter(i + 1) for item, i in lst.columns.items()}
    headers = {item: header for item, header in lst.headers.items()}

    def origin(r: AnnexARow, fields: dict[str, str]) -> Origin:
        columns = {f: (letters.get(item), headers.get(item, item)) for f, item in fields.items()}
        return Origin(lst.file, r.row, None, None, r.cells.get("child_id"), columns, lst.sheet)

    missing = [item for item in spec["fields"] if item not in lst.columns]
    if missing:
        report.note(f"{lst.file}: no column found for {', '.join(missing)}; those fields are left empty.")
    count = report.source("List 8", lst.file, lst.sheet)
    for r in lst.rows:
        count.read += 1
        child = r.cells.get("child_id")
        if not child:
            report.reject(count, "source-row-rejected",
                          cell_location("children", lst.file, r.row, lst.columns.get("child_id"), "child_id", lst.sheet),
                          reason="it has no child identifier (Child Unique ID)")
            continue
        row: dict[str, str | None] = {}
        for name, kind in spec["fields"].items():
            value = r.cells.get(name)
            if kind == "text":
                row[name] = value.strip() if value else None
            elif kind == "date":  # in the form of the field: a date, or a year and month
                yearmonth = std.load().tables["children"].field(name).type == "yearmonth"
                row[name] = (year_month_or_raw if yearmonth else iso_or_raw)(value, spec["dates"])
            else:
                row[name] = parse_value(kind, value)
        sub.rows("children").append({**row, **spec["constant"]})
        prov.add("children", RowOrigin(origin(r, {f: f for f in spec["fields"]})))
        placement = _placement(r, spec)
        if placement is not None:
            table = sub.rows("placements")
            table.append({"placement_id": f"P{len(table) + 1}", "child_id": child, **placement})
            prov.add("placements", RowOrigin(origin(r, {"child_id": "child_id",
                                                        **{f: item for f, (item, _) in spec["placement"].items()}})))
        count.written += 1
    report.note("Annex A holds counts of episodes, not episodes: no episodes are made from it. "
                "Compare the counts with a submission's episodes with `mcds reconcile`.")
    report.note("Annex A gives each child's most recent placement only: the placements table holds those "
                "(with the placement's URN and council), not every placement of the period.")
    report.provenance = prov
    return finish(sub, report), report


def _placement(r: AnnexARow, spec: dict[str, Any]) -> dict[str, str | None] | None:
    """The child's most recent placement as a placements row, if its start date is given."""
    if not r.cells.get("placement_start"):
        return None
    out: dict[str, str | None] = {}
    for name, (item, kind) in spec["placement"].items():
        value = r.cells.get(item)
        if kind == "date":
            out[name] = iso_or_raw(value, spec["dates"])
        elif kind == "text":
            out[name] = value.strip() if value else None
        elif kind == "council":
            out[name] = council_code(value)
        else:
            out[name] = parse_value(kind, value)
    return out


def council_code(text: str | None) -> str | None:
    """A council's 9-character GSS code from the code itself or the council's name; else the text as found
    (a placement outside England, say, for the validator to report)."""
    if not text or not text.strip():
        return None
    text = text.strip()
    councils = std.load().codelist("council")
    by_name = {c.title.casefold(): c.code for c in councils.codes}
    if text.upper() in {c.code for c in councils.codes}:
        return text.upper()
    return by_name.get(text.casefold(), text)
