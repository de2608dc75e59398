"""SSDA903 CSV and mapped council exports."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

from .blocks import package_members, tiny_package, write_zip
from .common import FIXTURES, Expect, case, csv903_runs, mapped_runs
from .packages import ZIP_RUNS

# ---------------------------------------------------------------- SSDA903 CSV and mapped exports


def _903(d: Path) -> Path:
    folder = d / "903"
    shutil.copytree(FIXTURES / "ssda903" / "csv-2025-26", folder)
    return folder


@case("903-windows-1252", "the Header table saved as Windows-1252 with an accented character: read", csv903_runs(),
      Expect(0, ("Header",), ("internal error",)))
def _(d: Path) -> None:
    f = _903(d) / "header.csv"
    text = f.read_text(encoding="utf-8").replace(",UN1,", ",UNé,", 1)
    f.write_bytes(text.encode("cp1252"))


@case("903-utf16", "the Header table saved as UTF-16 (Excel's 'Unicode text')", csv903_runs(), Expect(0, ("Header",)))
def _(d: Path) -> None:
    f = _903(d) / "header.csv"
    f.write_bytes(b"\xff\xfe" + f.read_text(encoding="utf-8").encode("utf-16-le"))


@case("903-nul", "a NUL byte in the Episodes table", csv903_runs(), Expect(2, ("episodes.csv", "NUL", "line 2")))
def _(d: Path) -> None:
    f = _903(d) / "episodes.csv"
    lines = f.read_bytes().split(b"\n")
    lines[1] = b"\x00" + lines[1]
    f.write_bytes(b"\n".join(lines))


@case("903-empty-header-file", "the Header table is an empty file", csv903_runs(), Expect(2, ("header.csv", "empty")))
def _(d: Path) -> None:
    (_903(d) / "header.csv").write_bytes(b"")


@case("903-unterminated-quote", "a quote opened in the Missing table and never closed", csv903_runs(),
      Expect(1, ("Missing (missing.csv)", "row 3"), ("internal error",)))
def _(d: Path) -> None:
    f = _903(d) / "missing.csv"
    lines = f.read_text(encoding="utf-8").splitlines()
    lines[2] = '"' + lines[2]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")


@case("903-line-100mb", "a single line of 100 MB in the Header table", csv903_runs(),
      Expect(2, ("header.csv", "field larger than field limit")), generated=True, seconds=60)
def _(d: Path) -> None:
    with open(_903(d) / "header.csv", "ab") as fh:
        fh.write(b"1" * 100_000_000 + b",M\n")


def _mapped(d: Path) -> Path:
    folder = d / "export"
    shutil.copytree(FIXTURES / "mapped" / "liquidlogic", folder)
    return folder


@case("mapped-nul", "a NUL byte in a Liquidlogic export", mapped_runs(), Expect(2, ("DIM_PERSON.csv", "NUL")))
def _(d: Path) -> None:
    f = _mapped(d) / "DIM_PERSON.csv"
    f.write_bytes(f.read_bytes().replace(b"\n", b"\n\x00", 1))


@case("mapped-windows-1252", "a Liquidlogic export saved as Windows-1252 (with an extra column holding é): read",
      mapped_runs(), Expect(0, ("children (DIM_PERSON.csv)", "420      420"), ("internal error",)))
def _(d: Path) -> None:
    f = _mapped(d) / "DIM_PERSON.csv"
    lines = f.read_text(encoding="utf-8").splitlines()
    lines[0] += ",NOTE"
    lines[1] += ",Café visited"
    f.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))


@case("mapped-mapping-not-yaml", "the mapping file is not YAML", mapped_runs(), Expect(2, ("mapping.yaml",)))
def _(d: Path) -> None:
    (_mapped(d) / "mapping.yaml").write_text("sources: [unclosed\n  - {\n", encoding="utf-8")


@case("mapped-mapping-yaml-bomb", "the mapping file is a YAML alias bomb", mapped_runs(), Expect(2, ("mapping.yaml",)))
def _(d: Path) -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 10):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ", ".join([f"*{chr(96 + i)}"] * 9) + "]")
    (_mapped(d) / "mapping.yaml").write_text("\n".join(lines) + "\nsources: *j\n", encoding="utf-8")


def _template(d: Path, template: str) -> None:
    mapping = _mapped(d) / "mapping.yaml"
    text = mapping.read_text(encoding="utf-8")
    mapping.write_text(text.replace("RI-{FACT_MISSING_PERSON_ID}", template), encoding="utf-8")


@case("mapped-template-format-spec", "a template pads its column to 400 million characters ({ID:>400000000})",
      mapped_runs(), Expect(2, ("mapping.yaml", "interview_id.template", "{FACT_MISSING_PERSON_ID:>400000000}")),
      seconds=10)
def _(d: Path) -> None:
    _template(d, "{FACT_MISSING_PERSON_ID:>400000000}")


@case("mapped-template-attribute", "a template reads an attribute of its column ({ID.__class__})", mapped_runs(),
      Expect(2, ("mapping.yaml", "interview_id.template", "only plain {COLUMN} placeholders")), seconds=10)
def _(d: Path) -> None:
    _template(d, "RI-{FACT_MISSING_PERSON_ID.__class__}")


def _mosaic(d: Path) -> Path:
    folder = d / "export"
    shutil.copytree(FIXTURES / "mapped" / "mosaic", folder)
    return folder


def _far_cell(wb) -> None:  # type: ignore[no-untyped-def]
    wb["People"]["XFD1048576"] = "stray"


@case("mapped-xlsx-far-cell", "a Mosaic workbook export with a stray cell at XFD1048576", mapped_runs(),
      Expect(2, ("mosaic_export.xlsx", "XFD1048576", "sheet People")), seconds=20)
def _(d: Path) -> None:
    from openpyxl import load_workbook

    path = _mosaic(d) / "mosaic_export.xlsx"
    wb = load_workbook(path)
    _far_cell(wb)
    wb.save(path)
    from mcds.safety import normalise_xlsx

    normalise_xlsx(path)


def inflate_member(path: Path, member: str, padding: int) -> None:
    """Pad a workbook member with blanks after <sheetData> (valid XML, compresses 1,000 times)."""
    with zipfile.ZipFile(path) as z:
        members = [(i.filename, z.read(i)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members:
            if name == member:
                data = data.replace(b"<sheetData>", b"<sheetData>" + b" " * padding, 1)
            z.writestr(zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0)), data, compress_type=zipfile.ZIP_DEFLATED)


@case("mapped-xlsx-zip-bomb", "a Mosaic workbook export whose first sheet decompresses 1,000 times", mapped_runs(),
      Expect(2, ("mosaic_export.xlsx", "ZIP bomb")), seconds=20)
def _(d: Path) -> None:
    inflate_member(_mosaic(d) / "mosaic_export.xlsx", "xl/worksheets/sheet1.xml", 60_000_000)


@case("zip-too-many-members", "a zipped package of 10,001 files", ZIP_RUNS, Expect(2, ("package.zip", "10,001 members")),
      generated=True)
def _(d: Path) -> None:
    members = package_members(tiny_package(d / "src"))
    members.update({f"junk/{n}.txt": b"" for n in range(10_001 - len(members))})
    write_zip(d / "package.zip", members)
    shutil.rmtree(d / "src")
