"""XLSX workbooks."""

from __future__ import annotations

import zipfile
from pathlib import Path

from .blocks import NS_MAIN, NS_R, children_sheet, inline, lie_about_size, raw_xlsx, sheet_xml, workbook_form
from .common import Expect, case, workbook_runs

# ---------------------------------------------------------------- XLSX

@case("xlsx-far-cell", "a sheet with content at XFD1048576: 17 billion cells from A1", workbook_runs("{case}/far.xlsx"),
      Expect(2, ("far.xlsx", "XFD1048576", "sheet List 8")), seconds=20)
def _(d: Path) -> None:
    raw_xlsx(d / "far.xlsx", [("List 8", children_sheet(f'<row r="1048576">{inline("XFD1048576", "x")}</row>')),
                               ("Children", children_sheet(f'<row r="1048576">{inline("XFD1048576", "x")}</row>'))])


@case("xlsx-far-cell-without-references", "cells without r= references (allowed): 200,000 empty rows, then a row of "
      "16,384 cells, so the reader would allocate 3 billion cells", workbook_runs("{case}/noref.xlsx"),
      Expect(2, ("noref.xlsx", "XFD200001", "sheet Children")), seconds=20)
def _(d: Path) -> None:
    rows = "<row/>" * 200_000 + "<row>" + "<c><v>1</v></c>" * 16_384 + "</row>"
    raw_xlsx(d / "noref.xlsx", [("Children", sheet_xml(rows))])


@case("xlsx-sheet-outside-worksheets", "the workbook's index puts a sheet with a far cell at xl/elsewhere.xml",
      workbook_runs("{case}/moved.xlsx"), Expect(2, ("moved.xlsx", "XFD1048576", "sheet Children")), seconds=20)
def _(d: Path) -> None:
    path = d / "moved.xlsx"
    raw_xlsx(path, [("Children", children_sheet(f'<row r="1048576">{inline("XFD1048576", "x")}</row>'))])
    with zipfile.ZipFile(path) as z:
        members = [(i.filename, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            name = "xl/elsewhere.xml" if name == "xl/worksheets/sheet1.xml" else name
            data = data.replace(b"worksheets/sheet1.xml", b"elsewhere.xml")
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)


def add_shared_strings(path: Path, strings: list[str]) -> None:
    """Give a hand-written workbook a shared strings table (as Excel writes them)."""
    from xml.sax.saxutils import escape

    with zipfile.ZipFile(path) as z:
        members = {i.filename: z.read(i) for i in z.infolist()}
    members["xl/_rels/workbook.xml.rels"] = members["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", f'<Relationship Id="rId99" Type="{NS_R}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>".encode())
    members["[Content_Types].xml"] = members["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
        b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    items = "".join(f"<si><t>{escape(t)}</t></si>" for t in strings)
    members["xl/sharedStrings.xml"] = (f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{NS_MAIN}" '
                                       f'count="{len(strings)}" uniqueCount="{len(strings)}">{items}</sst>').encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)


def shared(ref: str, index: int) -> str:
    return f'<c r="{ref}" t="s"><v>{index}</v></c>'


@case("xlsx-shared-strings-bomb", "3,000 cells all showing one shared string of 2 MB: 6 GB once expanded (a 20 KB file)",
      workbook_runs("{case}/sst.xlsx"), Expect(2, ("sst.xlsx", "shared text", "MB")), seconds=20)
def _(d: Path) -> None:
    rows = "".join(f'<row r="{i}">{shared(f"A{i}", 0)}</row>' for i in range(1, 3001))
    raw_xlsx(d / "sst.xlsx", [("Children", sheet_xml(rows))])
    add_shared_strings(d / "sst.xlsx", ["A" * 2_000_000])


@case("xlsx-shared-strings", "a workbook with shared strings, as Excel writes it: read as usual",
      {"convert-package": ["convert", "package", "{case}/excel.xlsx", "--to", "json", "--out", "{out}/out.json"]},
      Expect(0, ("children 2",), (), ('"child_id": "SHARED1"', '"child_id": "SHARED2"', '"sex": "F"')))
def _(d: Path) -> None:
    names = ["child_id", "birth_year_month", "sex", "uasc", "trafficking_concern"]
    strings = [*names, "SHARED1", "SHARED2", "2010-01", "F", "false", "none_known"]
    header = "".join(shared(f"{chr(65 + i)}1", i) for i in range(5))
    body = "".join(f'<row r="{r}">' + shared(f"A{r}", 3 + r) + "".join(shared(f"{c}{r}", k) for c, k in
                   zip("BCDE", (7, 8, 9, 10), strict=True)) + "</row>" for r in (2, 3))
    raw_xlsx(d / "excel.xlsx", [("Children", sheet_xml(f'<row r="1">{header}</row>{body}'))])
    add_shared_strings(d / "excel.xlsx", strings)


@case("xlsx-dimension-claims-million", "a sheet whose dimension tag claims A1:XFD1048576 but holds 2 rows",
      {"validate": ["validate", "{case}/dim.xlsx"],
       "convert-package": ["convert", "package", "{case}/dim.xlsx", "--to", "json", "--out", "{out}/out.json"]},
      {"validate": Expect(1, ("dim.xlsx",), ("internal error",)),
       "convert-package": Expect(0, (), (), ('"child_id": "C1"',))}, seconds=20)
def _(d: Path) -> None:
    raw_xlsx(d / "dim.xlsx", [("Children", children_sheet(dimension="A1:XFD1048576"))])


@case("xlsx-zip-bomb", "a workbook whose sheet decompresses to 60 MB of blanks (ratio 1,000)",
      workbook_runs("{case}/bomb.xlsx"), Expect(2, ("bomb.xlsx", "ZIP bomb")), seconds=20)
def _(d: Path) -> None:
    raw_xlsx(d / "bomb.xlsx", [("Children", children_sheet().replace("<sheetData>", "<sheetData>" + " " * 60_000_000))])


@case("xlsx-lying-size", "a workbook whose sheet declares 64 bytes and holds 2 MB", workbook_runs("{case}/liar.xlsx"),
      Expect(2, ("liar.xlsx", "damaged")))
def _(d: Path) -> None:
    raw_xlsx(d / "liar.xlsx", [("Children", children_sheet().replace("<sheetData>", "<sheetData>" + " " * 2_000_000))])
    lie_about_size(d / "liar.xlsx", "xl/worksheets/sheet1.xml", 64)


@case("xlsx-not-a-zip", "a .xlsx that is really an old .xls (OLE2) file", workbook_runs("{case}/old.xlsx"),
      Expect(2, ("old.xlsx",)))
def _(d: Path) -> None:
    (d / "old.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 4096)


@case("xlsx-styled-trailing-rows", "1,000,000 formatted but empty rows after the data cost neither time nor memory",
      {"validate": ["validate", "{case}/styled.xlsx", "--format", "json"],
       "convert-package": ["convert", "package", "{case}/styled.xlsx", "--to", "json", "--out", "{out}/out.json"]},
      {"validate": Expect(1, ('"sheet": "Children"',), ('"row": 3,', "row-blank")),
       "convert-package": Expect(0, ("children 1",))},
      generated=True, seconds=25)
def _(d: Path) -> None:
    rows = "".join(f'<row r="{i}" s="1" customFormat="1"><c r="A{i}" s="1"/><c r="B{i}" s="1"/></row>'
                   for i in range(3, 1_000_003))
    raw_xlsx(d / "styled.xlsx", [("Children", children_sheet(rows))])


@case("xlsx-formula", "formulas are read as their cached values, never evaluated (=1+1 cached as 7 reads 7)",
      {"convert-package": ["convert", "package", "{case}/formula.xlsx", "--to", "json", "--out", "{out}/out.json"],
       "validate": ["validate", "{case}/formula.xlsx", "--format", "json"]},
      {"convert-package": Expect(0, (), (), ('"child_id": "7"', '"birth_year_month": "2010-01"')),
       "validate": Expect(1, (), ("WEBSERVICE", "internal error"))})
def _(d: Path) -> None:
    names = ["child_id", "birth_year_month", "sex", "uasc", "trafficking_concern"]
    header = "".join(inline(f"{chr(65 + i)}1", n) for i, n in enumerate(names))
    row = ('<c r="A2"><f>1+1</f><v>7</v></c><c r="B2" t="str"><f>WEBSERVICE("http://example.org/x")</f>'
           '<v>2010-01</v></c>' + inline("C2", "M") + inline("D2", "false") + inline("E2", "none_known"))
    raw_xlsx(d / "formula.xlsx", [("Children", sheet_xml(f'<row r="1">{header}</row><row r="2">{row}</row>'))])


def _merge(wb) -> None:  # type: ignore[no-untyped-def]
    ws = wb["Children"]
    ws.merge_cells("C2:D3")


@case("xlsx-merged-cells", "merged cells: the value is read once, in the top-left cell",
      {"convert-package": ["convert", "package", "{case}/merged.xlsx", "--to", "json", "--out", "{out}/out.json"],
       "validate": ["validate", "{case}/merged.xlsx", "--format", "json"]},
      {"convert-package": Expect(0, ("children 2",)), "validate": Expect(1, ('"sheet": "Children"',))})
def _(d: Path) -> None:
    workbook_form(d / "merged.xlsx", _merge)


def _hide(wb) -> None:  # type: ignore[no-untyped-def]
    ws = wb.create_sheet("Secret notes")
    ws.append(["child_id"])
    ws.append(["HIDDEN_SHEET_VALUE"])
    ws.sheet_state = "hidden"
    wb["Placements"].sheet_state = "hidden"


@case("xlsx-hidden-sheets", "a hidden table sheet is still read (by the validator and the converter alike: nothing "
      "dropped unseen); a hidden sheet that is no table is ignored",
      {"convert-package": ["convert", "package", "{case}/hidden.xlsx", "--to", "json", "--out", "{out}/out.json"],
       "validate": ["validate", "{case}/hidden.xlsx", "--format", "json"]},
      {"convert-package": Expect(0, ("children 2", "placements 2"), ("HIDDEN_SHEET_VALUE",)),
       "validate": Expect(1, (), ("HIDDEN_SHEET_VALUE", "table-missing", "Secret notes"))})
def _(d: Path) -> None:
    workbook_form(d / "hidden.xlsx", _hide)


def _dates(wb) -> None:  # type: ignore[no-untyped-def]
    import datetime as dt

    ws = wb["Placements"]
    col = next(c.column for c in ws[1] if c.value == "Start date")
    ws.cell(2, col).value = dt.date(2024, 5, 6)      # a real date (a number formatted as a date)
    ws.cell(2, col).number_format = "dd/mm/yyyy"
    ws.cell(3, col).value = "06/05/2024"             # a date typed as text, not ISO
    ws.cell(3, col).number_format = "@"


@case("xlsx-dates", "dates stored as numbers read as ISO dates; dates typed as text are reported, not guessed",
      {"validate": ["validate", "{case}/dates.xlsx", "--format", "json"],
       "convert-package": ["convert", "package", "{case}/dates.xlsx", "--to", "json", "--out", "{out}/out.json"]},
      {"validate": Expect(1, ('"value": "06/05/2024"', '"row": 3')),
       "convert-package": Expect(0, (), (), ('"start_date": "2024-05-06"', '"start_date": "06/05/2024"'))})
def _(d: Path) -> None:
    workbook_form(d / "dates.xlsx", _dates)
