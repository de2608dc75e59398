"""CSV files of the package form."""

from __future__ import annotations

from pathlib import Path

from .blocks import tiny_package
from .common import PACKAGE, Expect, case, package_runs

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


@case("csv-100000-columns", "children.csv has 100,000 columns in 889 KB: too many columns, not too large",
      {k: v for k, v in package_runs().items() if k in ("validate", "stats")},
      Expect(2, ("children.csv", "row 1", "too many columns", "100,000"), ("too large",)), generated=True, seconds=10)
def _(d: Path) -> None:
    pkg = tiny_package(d / "package")
    (pkg / "children.csv").write_text(",".join(f"c{n}" for n in range(100_000)) + "\n" + "x," * 99_999 + "x\n",
                                      encoding="utf-8")
