"""``--annotate OUT.xlsx``: a copy of the user's data as a workbook, each offending cell
highlighted and commented, and an Issues sheet listing every issue, how to fix it and a link to its
cell.

A workbook is annotated in a copy of itself: its drop-down lists, notes (the issues are added after
a cell's own note), column widths, number formats, dates and hidden sheets are kept. The reader
leaves the Issues sheet out (:func:`is_issues_sheet`), so the copy validates exactly as the
original did; annotating a copy again replaces its Issues sheet. Other forms are written as a new
workbook, a sheet per table.

Rows keep the numbers they have in the user's file (header = row 1), so a row named in the report
is the same row in the annotated copy. The user's cells are copied exactly (characters a workbook
cannot hold in the format's own escape, see :func:`mcds.workbook.xlsx_text`); the comments and the
Issues sheet show values escaped as the other reports do (:func:`mcds.issues.printable`).
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import column_index_from_string

from mcds.issues import Issue, Severity, printable
from mcds.safety import normalise_xlsx
from mcds.submission import atomic_path
from mcds.validate import Loaded
from mcds.workbook import xlsx_text

__all__ = ["annotate"]

FILL = {Severity.ERROR: PatternFill("solid", fgColor="FFC7CE"), Severity.QUERY: PatternFill("solid", fgColor="FFEB9C"),
        Severity.WARNING: PatternFill("solid", fgColor="FFF2CC")}
EXPLAINED = PatternFill("solid", fgColor="C6EFCE")
BOLD = Font(bold=True)
ISSUES_SHEET = "Issues"
METADATA_SHEET = "Metadata"


def _sheet_title(name: str, used: set[str]) -> str:
    base = "".join("_" if ch in "[]:*?/\\" else ch for ch in printable(name))[:31] or "Sheet"
    title, n = base, 1
    while title.casefold() in used or title.casefold() == ISSUES_SHEET.casefold():
        n += 1
        title = f"{base[:28]}~{n}"
    used.add(title.casefold())
    return title


def _comment(issues: list[Issue]) -> Comment:
    text = "\n".join(printable(f"[{i.code}] {i.message}" + (f" Explained: {i.explanation}" if i.explanation else ""))
                     for i in issues)
    c = Comment(text[:30000], "mcds")
    c.width, c.height = 320, min(400, 60 + 40 * len(issues))
    return c


def _mark(ws, row: int, col: int, issues: list[Issue]) -> None:  # type: ignore[no-untyped-def]
    cell = ws.cell(row=row, column=col)
    worst = min(issues, key=lambda i: (not i.blocking, list(Severity).index(i.severity)))
    cell.fill = EXPLAINED if all(i.explained for i in issues) else FILL[worst.severity]
    cell.comment = _comment(issues)


def _mark_workbook(loaded: Loaded) -> Workbook:
    """The user's own workbook (drop-downs, notes, widths, formats, dates and hidden sheets as they
    are), each offending cell highlighted and its issues added to the cell's note."""
    from openpyxl import load_workbook

    wb = load_workbook(loaded.raw.source)
    if ISSUES_SHEET in wb.sheetnames and is_issues_sheet([c.value for c in wb[ISSUES_SHEET][1]]):
        wb.remove(wb[ISSUES_SHEET])  # a copy annotated again: its old Issues sheet is replaced
    cells: dict[tuple[str, int, int], list[Issue]] = defaultdict(list)
    raws = {t.sheet: t for t in loaded.raw.tables}
    for i in loaded.report.issues:
        loc = i.location
        if loc.sheet not in wb.sheetnames or loc.row is None:
            continue
        if loc.column:
            col = column_index_from_string(loc.column)
        elif loc.field and (t := raws.get(loc.sheet)) and loc.field in t.fields:
            col = t.fields.index(loc.field) + 1
        else:
            col = 1
        cells[(loc.sheet, loc.row, col)].append(i)
    for (sheet, row, col), items in cells.items():
        ws = wb[sheet]
        before = ws.cell(row=row, column=col).comment
        _mark(ws, row, col, items)
        if before is not None:  # the template's own note is kept, the issues after it
            note = ws.cell(row=row, column=col).comment
            note.text = f"{before.text}\n\n{note.text}"[:30000]
    return wb


def annotate(loaded: Loaded, out: Path) -> Path:
    """Write the annotated copy of the validated submission to ``out`` (atomically)."""
    report, raw, con = loaded.report, loaded.raw, loaded.con
    if raw.form == "xlsx":
        wb = _mark_workbook(loaded)
        _issues_sheet(wb, report, loaded.standard.version)
        return _save(wb, Path(out), raw.metadata.values.get("created"))
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    by_place: dict[tuple[str | None, str | None], list[Issue]] = defaultdict(list)
    for i in report.issues:
        by_place[(i.location.file, i.location.sheet)].append(i)

    # metadata
    ws = wb.create_sheet(_sheet_title(raw.metadata.sheet or METADATA_SHEET, used))
    ws.append(["Field", "Value"])
    for c in ws[1]:
        c.font = BOLD
    meta_rows: dict[str, int] = {}
    for n, (k, v) in enumerate(raw.metadata.values.items(), start=2):
        ws.append([xlsx_text(k), xlsx_text(v)])
        meta_rows[k] = n
    meta_issues: dict[int, list[Issue]] = defaultdict(list)
    for i in report.issues:
        if i.location.table == "metadata":
            key = next((k for k in raw.metadata.values if k == i.location.field), None)
            row = meta_rows.get(key) if key else None
            if row is None:
                row = ws.max_row + 1
                ws.cell(row=row, column=1, value=xlsx_text(i.location.field or ""))
                meta_rows[i.location.field or ""] = row
            meta_issues[row].append(i)
    for row, items in meta_issues.items():
        _mark(ws, row, 2, items)

    for t in raw.tables:
        ws = wb.create_sheet(_sheet_title(t.sheet or t.name, used))
        header_row = t.header_row if t.has_columns else 1
        for col, h in enumerate(t.header, start=1):
            ws.cell(row=header_row, column=col, value=xlsx_text(h)).font = BOLD
        if t.relation:
            cols = ", ".join(f"c{n}" for n in range(1, len(t.header) + 1))
            cur = con.execute(f"SELECT _row{', ' + cols if cols else ''} FROM {t.relation} ORDER BY _row")
            while batch := cur.fetchmany(10000):
                for r in batch:
                    for col, v in enumerate(r[1:], start=1):
                        if v is not None:
                            ws.cell(row=r[0], column=col, value=xlsx_text(v))  # never a formula
        cells: dict[tuple[int, int], list[Issue]] = defaultdict(list)
        for i in by_place.get((t.file, t.sheet), []):
            if i.location.table not in (t.table, None) or i.location.row is None:
                continue
            if i.location.column:
                col = column_index_from_string(i.location.column)
            elif i.location.field and t.table and i.location.field in t.fields:
                col = t.fields.index(i.location.field) + 1
            else:
                col = 1
            cells[(i.location.row, col)].append(i)
        for (row, col), items in cells.items():
            _mark(ws, row, col, items)
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)

    _issues_sheet(wb, report, loaded.standard.version, first=True)
    return _save(wb, Path(out), raw.metadata.values.get("created"))


ISSUE_COLUMNS = ("code", "severity", "table", "file", "sheet", "row", "column", "field", "value", "message",
                 "explanation", "how to fix", "go to")


def is_issues_sheet(header: list[object]) -> bool:
    """Whether a sheet's first row is that of an annotated copy's Issues sheet (not data: the workbook
    reader leaves it out, so the copy validates as the original did)."""
    return [str(h).strip().casefold() if h is not None else "" for h in header[:len(ISSUE_COLUMNS)]] == \
        list(ISSUE_COLUMNS)


def _issues_sheet(wb: Workbook, report: object, version: str, *, first: bool = False) -> None:
    """Every issue, how to fix it (the catalogue's guidance) and a link to its cell."""
    from mcds.catalogue import catalogue

    kinds = catalogue(version)
    ws = wb.create_sheet(ISSUES_SHEET, 0 if first else None)
    ws.append(list(ISSUE_COLUMNS))
    for c in ws[1]:
        c.font = BOLD
    for i in report.issues:  # type: ignore[attr-defined]
        d = i.to_dict()
        kind = kinds.get(i.code)
        ws.append([*(xlsx_text(printable(v)) if isinstance(v := d.get(k), str) else v for k in ISSUE_COLUMNS[:11]),
                   xlsx_text(kind.guidance) if kind else None])
        loc = i.location
        if loc.sheet in wb.sheetnames and loc.row is not None:
            ref = f"{loc.column or 'A'}{loc.row}"
            link = ws.cell(row=ws.max_row, column=len(ISSUE_COLUMNS), value=f"{loc.sheet}!{ref}")
            link.hyperlink = "#'" + loc.sheet.replace("'", "''") + f"'!{ref}"
            link.style = "Hyperlink"
    ws.freeze_panes = "A2"
    for letter, width in (("J", 60), ("L", 60), ("M", 22)):
        ws.column_dimensions[letter].width = width


def _save(wb: Workbook, out: Path, created: str | None) -> Path:
    with atomic_path(out) as tmp:
        wb.save(tmp)
        normalise_xlsx(tmp, created)  # same data, same bytes
    return out
