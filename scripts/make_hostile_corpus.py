"""Generate the hostile corpus: broken and malicious inputs, each with the outcome it must have.

    python scripts/make_hostile_corpus.py            # writes tests/hostile/ (the small cases)
    python scripts/make_hostile_corpus.py --all DIR  # every case, the huge ones too, into DIR

Each case is a folder holding its input files and is run through the real CLI by
``tests/test_hostile.py``, once per command that takes that kind of input. ``tests/hostile/cases.json``
lists, for each case and command, the arguments and the expected outcome: the exit code (2 for
input that cannot be used; 1 or 0 where the data was readable and the problems are issues in the
report), fragments the output must contain (the file's name, the place, the issue code) and
fragments it must not. Every run must also finish within its time bound, print no traceback and
write nothing when it exits 2.

The huge cases (ZIP bombs that are large even compressed, a line of 100 MB, a million styled rows,
symbolic links) are marked ``generated`` and are built at test time in a temporary folder instead
of being committed. Placeholders in arguments: ``{case}`` the case's folder, ``{out}`` a path in a
fresh temporary folder, ``{fixtures}`` the repository's fixtures folder.
"""

from __future__ import annotations

import argparse
import csv
import json
import shutil
import struct
import sys
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
OUT = ROOT / "tests" / "hostile"
KENT = FIXTURES / "valid" / "kent"
KEY = "hostile-corpus-key-0123456789abcdef0123456789"  # a test key (not secret): for pseudonymise runs

# ---------------------------------------------------------------- the commands each kind of input goes through

PACKAGE = "{case}/package"


def package_runs(target: str = PACKAGE) -> dict[str, list[str]]:
    return {
        "validate": ["validate", target],
        "convert-package": ["convert", "package", target, "--to", "json", "--out", "{out}/out.json"],
        "pseudonymise": ["pseudonymise", target, "{out}/pseudo", "--key-env", "MCDS_HOSTILE_KEY"],
        "stats": ["stats", target, "--out", "{out}/stats"],
    }


def workbook_runs(target: str) -> dict[str, list[str]]:
    return {
        "validate": ["validate", target],
        "convert-package": ["convert", "package", target, "--to", "json", "--out", "{out}/out.json"],
        "annex-a": ["convert", "annex-a", target, "--la", "886", "--year", "2025", "--out", "{out}/pkg"],
    }


def xml903_runs(target: str) -> dict[str, list[str]]:
    return {"convert-ssda903": ["convert", "ssda903", target, "--la", "886", "--year", "2025", "--out", "{out}/pkg"]}


def cin_runs(target: str) -> dict[str, list[str]]:
    return {"convert-ssda903-cin": ["convert", "ssda903", "{fixtures}/ssda903/csv-2025-26", "--cin", target,
                                    "--la", "886", "--year", "2025", "--out", "{out}/pkg"]}


def csv903_runs(target: str = "{case}/903") -> dict[str, list[str]]:
    return {"convert-ssda903": ["convert", "ssda903", target, "--la", "886", "--year", "2025", "--out", "{out}/pkg"]}


def mapped_runs(target: str = "{case}/export") -> dict[str, list[str]]:
    return {"convert-mapped": ["convert", "mapped", target, "--mapping", f"{target}/mapping.yaml", "--out", "{out}/pkg"]}


# ---------------------------------------------------------------- cases


@dataclass
class Expect:
    exit: int
    contains: tuple[str, ...] = ()      # fragments of stdout + stderr
    absent: tuple[str, ...] = ()
    output_contains: tuple[str, ...] = ()  # fragments of the written output (convert package --to json)


@dataclass
class Case:
    id: str
    description: str
    build: Callable[[Path], None]
    runs: dict[str, list[str]]
    expect: dict[str, Expect]               # by run name; "*" for every run without its own
    generated: bool = False                 # huge or symbolic links: built at test time, not committed
    seconds: float = 30.0                   # time bound of each run
    extra: dict[str, object] = field(default_factory=dict)

    def expected(self, run: str) -> Expect:
        return self.expect.get(run) or self.expect["*"]


CASES: list[Case] = []


def case(id: str, description: str, runs: dict[str, list[str]], expect: dict[str, Expect] | Expect, *,
         generated: bool = False, seconds: float = 30.0) -> Callable[[Callable[[Path], None]], Callable[[Path], None]]:
    def register(build: Callable[[Path], None]) -> Callable[[Path], None]:
        CASES.append(Case(id, description, build, runs, expect if isinstance(expect, dict) else {"*": expect},
                          generated, seconds))
        return build

    return register


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


# ---------------------------------------------------------------- Data Package descriptors: paths that leave the package

REFUSED_PATH = Expect(2, ("datapackage.json", "points outside the package"), ("SECRET_OUTSIDE",))


@case("pkg-path-dotdot", "a resource path climbs out of the package with ../", package_runs(), REFUSED_PATH)
def _(d: Path) -> None:
    outside_file(d)
    set_resource_path(tiny_package(d / "package"), "children", "../outside/children.csv")


@case("pkg-path-dotdot-inner", "a resource path climbs out through a subfolder (data/../../)", package_runs(), REFUSED_PATH)
def _(d: Path) -> None:
    outside_file(d)
    set_resource_path(tiny_package(d / "package"), "children", "data/../../outside/children.csv")


@case("pkg-path-absolute", "a resource path is absolute (/etc/passwd)", package_runs(), REFUSED_PATH)
def _(d: Path) -> None:
    set_resource_path(tiny_package(d / "package"), "children", "/etc/passwd")


@case("pkg-path-backslash", "a Windows path climbing out (..\\outside\\children.csv)", package_runs(), REFUSED_PATH)
def _(d: Path) -> None:
    outside_file(d)
    set_resource_path(tiny_package(d / "package"), "children", "..\\outside\\children.csv")


@case("pkg-path-http", "a resource path is an https URL: nothing is fetched", package_runs(), REFUSED_PATH)
def _(d: Path) -> None:
    set_resource_path(tiny_package(d / "package"), "children", "https://example.org/children.csv")


@case("pkg-path-file-url", "a resource path is a file:// URL", package_runs(), REFUSED_PATH)
def _(d: Path) -> None:
    set_resource_path(tiny_package(d / "package"), "children", "file:///etc/passwd")


@case("pkg-path-list", "a resource split over several files (one is outside)", package_runs(),
      Expect(2, ("datapackage.json", "several files")))
def _(d: Path) -> None:
    set_resource_path(tiny_package(d / "package"), "children", ["children.csv", "../outside/children.csv"])


@case("pkg-symlink-out", "children.csv is a symbolic link to a file outside the package", package_runs(), REFUSED_PATH,
      generated=True)
def _(d: Path) -> None:
    target = outside_file(d)
    pkg = tiny_package(d / "package")
    (pkg / "children.csv").unlink()
    (pkg / "children.csv").symlink_to(target)


@case("pkg-descriptor-duplicate-key", "datapackage.json repeats a key (which value is meant?)", package_runs(),
      Expect(2, ("datapackage.json", "appears twice")))
def _(d: Path) -> None:
    pkg = tiny_package(d / "package")
    text = (pkg / "datapackage.json").read_text(encoding="utf-8")
    (pkg / "datapackage.json").write_text(text.replace('"mcds": {', '"mcds": {"old_la_code": "999",', 1),
                                          encoding="utf-8")


@case("pkg-descriptor-array", "datapackage.json is an array", package_runs(),
      Expect(2, ("datapackage.json", "must be a JSON object")))
def _(d: Path) -> None:
    pkg = tiny_package(d / "package")
    (pkg / "datapackage.json").write_text("[]", encoding="utf-8")


@case("pkg-descriptor-deep", "datapackage.json nested 20,000 levels deep", package_runs(),
      Expect(2, ("datapackage.json", "nested too deeply")))
def _(d: Path) -> None:
    pkg = tiny_package(d / "package")
    (pkg / "datapackage.json").write_text('{"x": ' + "[" * 20_000 + "]" * 20_000 + "}", encoding="utf-8")


@case("pkg-descriptor-not-json", "datapackage.json is not JSON", package_runs(),
      Expect(2, ("datapackage.json", "not valid JSON", "line 1")))
def _(d: Path) -> None:
    pkg = tiny_package(d / "package")
    (pkg / "datapackage.json").write_text("{'resources': nope}", encoding="utf-8")


# ---------------------------------------------------------------- zipped packages

ZIP_RUNS = {k: v for k, v in package_runs("{case}/package.zip").items() if k != "pseudonymise"}


@case("zip-slip", "a zipped package with a member named ../evil.csv", ZIP_RUNS,
      Expect(2, ("package.zip", "outside its folder")))
def _(d: Path) -> None:
    members = package_members(tiny_package(d / "src"))
    members["../evil.csv"] = b"child_id\nX\n"
    write_zip(d / "package.zip", members)
    shutil.rmtree(d / "src")


@case("zip-absolute-member", "a zipped package with a member named /tmp/evil.csv", ZIP_RUNS,
      Expect(2, ("package.zip", "outside its folder")))
def _(d: Path) -> None:
    members = package_members(tiny_package(d / "src"))
    members["/tmp/evil.csv"] = b"child_id\nX\n"
    write_zip(d / "package.zip", members)
    shutil.rmtree(d / "src")


@case("zip-symlink-member", "a zipped package whose children.csv is a symbolic link to /etc/passwd", ZIP_RUNS,
      Expect(2, ("package.zip", "symbolic link")))
def _(d: Path) -> None:
    members = package_members(tiny_package(d / "src"))
    members["children.csv"] = b"/etc/passwd"
    write_zip(d / "package.zip", members, symlinks=("children.csv",))
    shutil.rmtree(d / "src")


@case("zip-descriptor-escapes", "a zipped package whose descriptor points at ../../etc/passwd", ZIP_RUNS,
      Expect(2, ("datapackage.json", "points outside the package")))
def _(d: Path) -> None:
    pkg = tiny_package(d / "src")
    set_resource_path(pkg, "children", "../../../../etc/passwd")
    write_zip(d / "package.zip", package_members(pkg))
    shutil.rmtree(d / "src")


@case("zip-bomb", "a zipped package with a 50 MB member compressed 1,000 times: refused before decompressing",
      ZIP_RUNS, Expect(2, ("package.zip", "ZIP bomb")), seconds=20)
def _(d: Path) -> None:
    members = package_members(tiny_package(d / "src"))
    members["children.csv"] = members["children.csv"] + b"\n" * 50_000_000
    write_zip(d / "package.zip", members)
    shutil.rmtree(d / "src")


@case("zip-lying-size", "a zipped package whose member declares 100 bytes and holds 5 MB", ZIP_RUNS,
      Expect(2, ("package.zip", "damaged")))
def _(d: Path) -> None:
    members = package_members(tiny_package(d / "src"))
    members["children.csv"] = members["children.csv"] + b"\n" * 5_000_000
    write_zip(d / "package.zip", members)
    lie_about_size(d / "package.zip", "children.csv", 100)
    shutil.rmtree(d / "src")


@case("zip-damaged", "a .zip file cut short", ZIP_RUNS, Expect(2, ("package.zip",)))
def _(d: Path) -> None:
    write_zip(d / "package.zip", package_members(tiny_package(d / "src")))
    data = (d / "package.zip").read_bytes()
    (d / "package.zip").write_bytes(data[: len(data) // 2])
    shutil.rmtree(d / "src")


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


# ---------------------------------------------------------------- XML (SSDA903 and CIN census)

BILLION_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
                  + "".join(f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
                            for i in range(1, 10))
                  + ']>\n<{root}><CHILD><HEADER><CHILDID>&lol9;</CHILDID></HEADER></CHILD></{root}>\n')
XXE = ('<?xml version="1.0"?>\n<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
       "<{root}><CHILD><HEADER><CHILDID>&xxe;</CHILDID></HEADER></CHILD></{root}>\n")
DTD_ONLY = '<?xml version="1.0"?>\n<!DOCTYPE {root} SYSTEM "http://example.org/evil.dtd">\n<{root}></{root}>\n'
REFUSED_XML = ("refused", "forbidden")

for _root, _runs, _kind in (("EXPSSDA903", xml903_runs, "903"), ("Message", cin_runs, "cin")):
    for _name, _text, _what in (("billion-laughs", BILLION_LAUGHS, "entity expansion (billion laughs)"),
                                ("external-entity", XXE, "an external entity reading file:///etc/passwd"),
                                ("dtd", DTD_ONLY, "a DOCTYPE naming an external DTD")):
        def _build(d: Path, text: str = _text, root: str = _root, kind: str = _kind, name: str = _name) -> None:
            (d / f"{kind}-{name}.xml").write_text(text.replace("{root}", root), encoding="utf-8")

        case(f"xml-{_kind}-{_name}", f"{_kind} XML with {_what}: refused by defusedxml",
             _runs(f"{{case}}/{_kind}-{_name}.xml"), Expect(2, (f"{_kind}-{_name}.xml", *REFUSED_XML[:1]), ("root:",)))(_build)


@case("xml-903-not-well-formed", "903 XML cut short", xml903_runs("{case}/cut.xml"),
      Expect(2, ("cut.xml", "not well-formed", "line")))
def _(d: Path) -> None:
    text = (FIXTURES / "ssda903" / "xml-2024-25" / "SSDA903_202425.xml").read_text(encoding="utf-8")
    (d / "cut.xml").write_text(text[:700], encoding="utf-8")


@case("xml-903-wrong-root", "an XML file that is not an SSDA903 return", xml903_runs("{case}/other.xml"),
      Expect(2, ("other.xml", "EXPSSDA903")))
def _(d: Path) -> None:
    (d / "other.xml").write_text('<?xml version="1.0"?><Message><Children/></Message>', encoding="utf-8")


@case("xml-cin-not-well-formed", "CIN XML that is binary noise", cin_runs("{case}/noise.xml"),
      Expect(2, ("noise.xml", "not well-formed")))
def _(d: Path) -> None:
    (d / "noise.xml").write_bytes(b"<Message>\x00\x01\x02\xff\xfe</Mess")


# ---------------------------------------------------------------- CSV: the package form


def _rewrite(pkg: Path, name: str, data: bytes) -> None:
    (pkg / name).write_bytes(data)


CSV_RUNS = {"validate": ["validate", PACKAGE, "--format", "json"],
            "convert-package": ["convert", "package", PACKAGE, "--to", "json", "--out", "{out}/out.json"]}


@case("csv-windows-1252", "children.csv saved by Excel as Windows-1252: detected and read (é survives)", CSV_RUNS,
      {"validate": Expect(1, ("café",), ("internal error",)),
       "convert-package": Expect(0, (), (), ('"child_id": "café1"',))})
def _(d: Path) -> None:
    pkg = tiny_package(d / "package")
    text = (pkg / "children.csv").read_text(encoding="utf-8").splitlines()
    first = text[1].split(",")
    first[0] = "café1"
    text[1] = ",".join(first)
    _rewrite(pkg, "children.csv", ("\r\n".join(text) + "\r\n").encode("cp1252"))


def _utf16(d: Path, encoding: str, bom: bytes) -> None:
    pkg = tiny_package(d / "package")
    _rewrite(pkg, "children.csv", bom + (pkg / "children.csv").read_text(encoding="utf-8").encode(encoding))


UTF16_EXPECT = {"validate": Expect(1, (), ("column-unknown", "column-missing", "table-missing")),
                "convert-package": Expect(0, ("children 3",))}


@case("csv-utf16-bom", "children.csv in UTF-16 with a byte-order mark: decoded", CSV_RUNS, UTF16_EXPECT)
def _(d: Path) -> None:
    _utf16(d, "utf-16-le", b"\xff\xfe")


@case("csv-utf16-no-bom", "children.csv in UTF-16 (little-endian) without a byte-order mark: recognised and decoded",
      CSV_RUNS, UTF16_EXPECT)
def _(d: Path) -> None:
    _utf16(d, "utf-16-le", b"")


@case("csv-utf16be-no-bom", "children.csv in UTF-16 big-endian without a byte-order mark", CSV_RUNS, UTF16_EXPECT)
def _(d: Path) -> None:
    _utf16(d, "utf-16-be", b"")


@case("csv-nul-byte", "a NUL byte inside a cell on line 3", package_runs(),
      Expect(2, ("children.csv", "NUL", "line 3")))
def _(d: Path) -> None:
    pkg = tiny_package(d / "package")
    lines = (pkg / "children.csv").read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b",", b"\x00,", 1)
    _rewrite(pkg, "children.csv", b"\n".join(lines))


@case("csv-ragged-rows", "rows with too many and too few cells: issues in the report",
      {"validate": ["validate", PACKAGE, "--format", "json"],
       "convert-package": ["convert", "package", PACKAGE, "--to", "json", "--out", "{out}/out.json"]},
      {"validate": Expect(1, ("row-extra-cells", "row-missing-cells", '"row": 2', '"row": 3')),
       "convert-package": Expect(2, ("children.csv", "more cells than the header", "line 2"))})
def _(d: Path) -> None:
    pkg = tiny_package(d / "package")
    lines = (pkg / "children.csv").read_text(encoding="utf-8").splitlines()
    lines[1] += ",EXTRA,CELLS"
    lines[2] = ",".join(lines[2].split(",")[:4])
    _rewrite(pkg, "children.csv", ("\n".join(lines) + "\n").encode())


@case("csv-unterminated-quote", "a quote opened on row 3 and never closed",
      {"validate": ["validate", PACKAGE, "--format", "json"],
       "convert-package": ["convert", "package", PACKAGE, "--to", "json", "--out", "{out}/out.json"]},
      {"validate": Expect(1, ('"row": 3', "row-missing-cells")),
       "convert-package": Expect(0, ("children 2",))})
def _(d: Path) -> None:
    pkg = tiny_package(d / "package")
    lines = (pkg / "children.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = '"' + lines[2]
    _rewrite(pkg, "children.csv", ("\n".join(lines) + "\n").encode())


@case("csv-empty-file", "children.csv is empty (0 bytes)", {"validate": ["validate", PACKAGE, "--format", "json"]},
      Expect(1, ('"table": "children"',)))
def _(d: Path) -> None:
    _rewrite(tiny_package(d / "package"), "children.csv", b"")


@case("csv-header-only", "every table has its header and no rows",
      {"validate": ["validate", PACKAGE, "--format", "json"],
       "convert-package": ["convert", "package", PACKAGE, "--to", "json", "--out", "{out}/out.json"]},
      {"validate": Expect(0, ('"error": 0',)), "convert-package": Expect(0, ("children 0",))})
def _(d: Path) -> None:
    tiny_package(d / "package", rows=0)


@case("csv-line-100mb", "a single line of 100 MB", package_runs(),
      Expect(2, ("children.csv", "field larger than field limit", "line 5")),
      generated=True, seconds=60)
def _(d: Path) -> None:
    pkg = tiny_package(d / "package")
    with open(pkg / "children.csv", "ab") as fh:
        fh.write(b"A" * 100_000_000 + b",x\n")


# ---------------------------------------------------------------- JSON form

JSON_RUNS = {k: v for k, v in package_runs("{case}/sub.json").items()}


def _json(d: Path, text: str) -> None:
    (d / "sub.json").write_text(text, encoding="utf-8")


@case("json-deep-nesting", "20,000 levels of nested arrays", JSON_RUNS, Expect(2, ("sub.json", "nested too deeply", "line 1")))
def _(d: Path) -> None:
    _json(d, '{"metadata": {}, "children": ' + "[" * 20_000 + "]" * 20_000 + "}")


@case("json-huge-integer", "an integer of 5,000 digits: a value to report, not a crash",
      {"validate": ["validate", "{case}/sub.json", "--format", "json"],
       "convert-package": ["convert", "package", "{case}/sub.json", "--to", "json", "--out", "{out}/out.json"]},
      {"validate": Expect(1, ('"field": "birth_year_month"',)), "convert-package": Expect(0, ("children 2",))})
def _(d: Path) -> None:
    doc = json.loads(json.dumps(json_form()))
    text = json.dumps(doc).replace('"birth_year_month": "2024-01"', '"birth_year_month": ' + "9" * 5000, 1)
    _json(d, text)


@case("json-1e400", "a number beyond a double (1e400): kept as written and reported",
      {"validate": ["validate", "{case}/sub.json", "--format", "json"]}, Expect(1, ('"value": "1e400"',)))
def _(d: Path) -> None:
    text = json.dumps(json_form()).replace('"birth_year_month": "2024-01"', '"birth_year_month": 1e400', 1)
    _json(d, text)


@case("json-duplicate-keys", "a record repeats a key: refused, not silently last-wins", JSON_RUNS,
      Expect(2, ("sub.json", "child_id", "appears twice")))
def _(d: Path) -> None:
    text = json.dumps(json_form())
    _json(d, text.replace('{"child_id": ', '{"child_id": "FIRST", "child_id": ', 1))


@case("json-nan", "NaN is not JSON", JSON_RUNS, Expect(2, ("sub.json", "NaN")))
def _(d: Path) -> None:
    _json(d, json.dumps(json_form()).replace('"birth_year_month": "2024-01"', '"birth_year_month": NaN', 1))


for _name, _text in (("array", "[1, 2, 3]"), ("string", '"children"'), ("null", "null"), ("number", "42"),
                     ("empty", ""), ("table-not-array", '{"metadata": {}, "children": "C1"}'),
                     ("rows-not-objects", '{"metadata": {}, "children": [1, 2]}')):
    case(f"json-top-{_name}", f"the JSON form is {_name.replace('-', ' ')}", JSON_RUNS, Expect(2, ("sub.json",)))(
        lambda d, text=_text: _json(d, text))


@case("json-unknown-version", "the JSON form says it follows version '1..0' of the standard: the validator reports "
      "the value, the converters refuse it", JSON_RUNS,
      {"*": Expect(2, ("sub.json", "1..0", "not support")), "validate": Expect(1, ("standard_version",)),
       "stats": Expect(1, ("is not valid",))})
def _(d: Path) -> None:
    doc = json_form()
    doc["metadata"]["standard_version"] = "1..0"  # type: ignore[index]
    _json(d, json.dumps(doc))


@case("pkg-unknown-version", "the package says it follows version 9.9 of the standard", package_runs(),
      Expect(2, ("pkg-unknown-version/package", "9.9", "not support")))
def _(d: Path) -> None:
    pkg = tiny_package(d / "package")
    text = (pkg / "datapackage.json").read_text(encoding="utf-8")
    (pkg / "datapackage.json").write_text(text.replace('"standard_version": "1.0"', '"standard_version": "9.9"', 1),
                                          encoding="utf-8")


@case("json-utf16", "the JSON form saved as UTF-16", JSON_RUNS, Expect(2, ("sub.json",)))
def _(d: Path) -> None:
    (d / "sub.json").write_bytes(b"\xff\xfe" + json.dumps(json_form()).encode("utf-16-le"))


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


# ---------------------------------------------------------------- writing the corpus


def manifest(cases: list[Case]) -> list[dict[str, object]]:
    out = []
    for c in cases:
        out.append({
            "id": c.id, "description": c.description, "generated": c.generated, "seconds": c.seconds,
            "runs": [{"name": name, "args": args, "exit": c.expected(name).exit,
                      "contains": list(c.expected(name).contains), "absent": list(c.expected(name).absent),
                      "output_contains": list(c.expected(name).output_contains)}
                     for name, args in c.runs.items()],
        })
    return out


def build(case_id: str, folder: Path) -> Path:
    """Build one case into ``folder/<id>``."""
    c = next(c for c in CASES if c.id == case_id)
    d = folder / c.id
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    c.build(d)
    return d


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--all", metavar="DIR", type=Path, help="build every case, the huge ones too, into DIR")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    target = args.all or OUT
    if target == OUT and OUT.exists():
        shutil.rmtree(OUT)
    target.mkdir(parents=True, exist_ok=True)
    for c in CASES:
        if c.generated and args.all is None:
            continue
        build(c.id, target)
    (target / "cases.json").write_text(json.dumps(manifest(CASES), indent=1) + "\n", encoding="utf-8")
    size = sum(p.stat().st_size for p in target.rglob("*") if p.is_file())
    print(f"{len(CASES)} cases ({sum(c.generated for c in CASES)} built at test time), "
          f"{sum(len(c.runs) for c in CASES)} runs; {size / 1024**2:.1f} MB written to {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
