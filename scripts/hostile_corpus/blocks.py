"""Building blocks: small packages, raw XLSX parts, ZIP archives."""

from __future__ import annotations

import csv
import json
import shutil
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path

from .common import KENT

# ---------------------------------------------------------------- building blocks


def tiny_package(folder: Path, rows: int = 3) -> Path:
    """The Kent fixture cut to its first rows: small, and readable."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(KENT / "datapackage.json", folder / "datapackage.json")
    for f in sorted(KENT.glob("*.csv")):
        lines = f.read_text(encoding="utf-8").splitlines(keepends=True)
        (folder / f.name).write_text("".join(lines[: rows + 1]), encoding="utf-8")
    return folder


def set_resource_path(folder: Path, table: str, path: object) -> None:
    d = json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))
    for r in d["resources"]:
        if r["name"] == table:
            r["path"] = path
    (folder / "datapackage.json").write_text(json.dumps(d, indent=1), encoding="utf-8")


def outside_file(case_dir: Path) -> Path:
    """A file beside the package that must never be read (its content would show if it were)."""
    p = case_dir / "outside" / "children.csv"
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text("SECRET_OUTSIDE_HEADER\nSECRET_OUTSIDE_VALUE\n", encoding="utf-8")
    return p


def json_form(sub_rows: int = 2) -> dict[str, object]:
    """A small submission in the JSON form, from the Kent fixture."""
    meta = json.loads((KENT / "datapackage.json").read_text(encoding="utf-8"))["mcds"]
    doc: dict[str, object] = {"metadata": meta}
    for f in sorted(KENT.glob("*.csv")):
        with open(f, newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))[:sub_rows]
        doc[f.stem] = [{k: v for k, v in r.items() if v} for r in rows]
    return doc


XLSX_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
           'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
           'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
           'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
           '{overrides}</Types>')
XLSX_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
             '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
             'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def sheet_xml(rows: str, dimension: str = "A1") -> str:
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{NS_MAIN}"><dimension ref="{dimension}"/>'
            f"<sheetData>{rows}</sheetData></worksheet>")


def raw_xlsx(path: Path, sheets: list[tuple[str, str]], *, hidden: tuple[str, ...] = ()) -> None:
    """A workbook written by hand (so it can be anything): ``sheets`` are (name, worksheet XML)."""
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/vnd.openxmlformats-'
                        f'officedocument.spreadsheetml.worksheet+xml"/>' for i in range(1, len(sheets) + 1))
    state = ' state="hidden"'
    entries = "".join(f'<sheet name="{n}" sheetId="{i}" r:id="rId{i}"{state if n in hidden else ""}/>'
                      for i, (n, _) in enumerate(sheets, start=1))
    rels = "".join(f'<Relationship Id="rId{i}" Type="{NS_R}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                   for i in range(1, len(sheets) + 1))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(zipfile.ZipInfo("[Content_Types].xml", (1980, 1, 1, 0, 0, 0)), XLSX_CT.format(overrides=overrides))
        z.writestr(zipfile.ZipInfo("_rels/.rels", (1980, 1, 1, 0, 0, 0)), XLSX_RELS)
        z.writestr(zipfile.ZipInfo("xl/workbook.xml", (1980, 1, 1, 0, 0, 0)),
                   f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{NS_MAIN}" xmlns:r="{NS_R}"><sheets>'
                   f"{entries}</sheets></workbook>")
        z.writestr(zipfile.ZipInfo("xl/_rels/workbook.xml.rels", (1980, 1, 1, 0, 0, 0)),
                   f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   f'package/2006/relationships">{rels}</Relationships>')
        for i, (_, xml) in enumerate(sheets, start=1):
            info = zipfile.ZipInfo(f"xl/worksheets/sheet{i}.xml", (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, xml)


def children_sheet(extra_rows: str = "", dimension: str = "A1") -> str:
    """A Children sheet with the standard's field names as headers and one child."""
    names = ["child_id", "birth_year_month", "sex", "uasc", "trafficking_concern"]
    header = "".join(inline(f"{chr(65 + i)}1", n) for i, n in enumerate(names))
    row = "".join(inline(f"{chr(65 + i)}2", v) for i, v in enumerate(["C1", "2010-01", "M", "false", "none_known"]))
    return sheet_xml(f'<row r="1">{header}</row><row r="2">{row}</row>{extra_rows}', dimension)


def workbook_form(path: Path, edit: Callable[[object], None] | None = None) -> None:
    """A small submission in the workbook form (written by mcds), optionally edited with openpyxl."""
    from openpyxl import load_workbook

    from mcds.safety import normalise_xlsx
    from mcds.submission import from_json_document
    from mcds.workbook import write_workbook

    write_workbook(from_json_document(json_form()), path)
    if edit is not None:
        wb = load_workbook(path)
        edit(wb)
        wb.save(path)
        normalise_xlsx(path)  # the corpus is the same bytes every time it is generated


def write_zip(path: Path, members: dict[str, bytes], *, symlinks: tuple[str, ...] = ()) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            if name in symlinks:
                info.external_attr = (0o120777 << 16)
            z.writestr(info, data)


def package_members(folder: Path, prefix: str = "") -> dict[str, bytes]:
    return {prefix + p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def lie_about_size(path: Path, member: str, size: int) -> None:
    """Rewrite a ZIP member's declared uncompressed size (local header and central directory)."""
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as z:
        info = z.getinfo(member)
    struct.pack_into("<I", data, info.header_offset + 22, size)
    name = member.encode()
    at = 0
    while (at := data.find(b"PK\x01\x02", at)) >= 0:
        n = struct.unpack_from("<H", data, at + 28)[0]
        if data[at + 46: at + 46 + n] == name:
            struct.pack_into("<I", data, at + 24, size)
        at += 4
    path.write_bytes(bytes(data))
