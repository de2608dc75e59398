"""Reports cannot be forged or turned into formulas, and no cell stops a writer.

A cell is the user's (or an attacker's): a newline in it must not start a line of the text or
GitHub report, an escape code must not reach the terminal, a formula must not survive into a
spreadsheet behind leading control characters, and a control character must not stop the XLSX
writers. Each attack is run through the command a council or a vendor would run."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from mcds import render
from mcds.cli import main
from mcds.convert.base import ConversionReport, SourceCount
from mcds.forms import excel_safe
from mcds.issues import Issue, Location, Report, Severity, printable
from mcds.workbook import read_workbook, xlsx_text

ROOT = Path(__file__).resolve().parent.parent
KENT = ROOT / "fixtures" / "valid" / "kent"
KEY = b"Kq8vT2mZ7rXw4LpN9bHc3Fd6Gy1Js5Ve"

FORGED = "x\n::error file=a::forged\n\u2713 Valid"
COLOUR = "\x1b[31mred"
HYPERLINK = '\x1b[m=HYPERLINK("http://e")'
VERTICAL_TAB = "a\x0bb"
LITERAL_ESCAPE = "C_x0041_\r\n"  # a workbook reader would decode _x0041_ as "A" if written as it is
ATTACKS = {2: FORGED, 3: COLOUR, 4: HYPERLINK, 5: VERTICAL_TAB, 6: LITERAL_ESCAPE}  # row -> sex cell

FORMULA = tuple("=+-@\uff1d\uff0b\uff0d\uff20")
# what an independent reader (a terminal, a colour-stripping tool, a spreadsheet) leaves out
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b.")
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
BIDI = {"LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI", "LRM", "RLM", "ALM"}


def unprintable(ch: str) -> bool:
    return unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp") or unicodedata.bidirectional(ch) in BIDI


def visible_starts(cell: str) -> set[str]:
    """The cell as a spreadsheet may see it: once it has dropped leading spaces and control
    characters, or once a tool before it has also stripped terminal escape sequences."""
    views = set()
    for sequences in (False, True):
        text = cell
        while text and ((sequences and (m := ANSI.match(text))) or unicodedata.category(text[0])[0] in "CZ"):
            text = text[m.end():] if sequences and m else text[1:]
        views.add(text)
    return views


def formula(cell: str) -> bool:
    """Would a spreadsheet run the cell?"""
    return not cell.startswith("'") and any(v.startswith(FORMULA) and not NUMBER.fullmatch(v)
                                            for v in visible_starts(cell))


def write_cells(folder: Path, table: str, field: str, cells: dict[int, str]) -> None:
    path = folder / f"{table}.csv"
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    col = rows[0].index(field)
    for row, value in cells.items():
        rows[row - 1][col] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Kent with an attack in five children's sex cells (each reported as codelist-value, value echoed)."""
    folder = tmp_path_factory.mktemp("forgery") / "pkg"
    shutil.copytree(KENT, folder)
    write_cells(folder, "children", "sex", ATTACKS)
    return folder


def run(*args: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, list(args), color=True)  # keep escape codes: a terminal would get them
    assert r.exception is None or isinstance(r.exception, SystemExit), r.output
    assert "internal error" not in r.output and "Traceback" not in r.output, r.output
    return r.exit_code, r.output


def assert_no_forged_line(out: str) -> None:
    assert not re.search(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]", out), repr(out)
    lines = out.splitlines()
    assert not [line for line in lines if line.startswith(("::error file=a", "\u2713", "forged"))], lines


# ---------------------------------------------------------------- text and GitHub reports


@pytest.mark.parametrize("fmt", ["text", "github"])
def test_a_cell_cannot_forge_a_line_nor_reach_the_terminal(hostile: Path, fmt: str) -> None:
    code, out = run("validate", str(hostile), "--format", fmt)
    assert code == 1
    assert_no_forged_line(out)
    if fmt == "github":
        commands = out.splitlines()
        # one workflow command per issue and the verdict, no more
        _, doc = run("validate", str(hostile), "--format", "json")
        assert len(commands) == len(json.loads(doc)["issues"]) + 1
        assert all(re.match(r"::(error|warning|notice) ", line) for line in commands[:-1]), commands
    # the value is still shown, escaped, so the officer can find it
    assert "x\\n::error file=a::forged\\n" in out and "\\x1b[31mred" in out


def test_the_json_report_keeps_values_exact(hostile: Path) -> None:
    code, out = run("validate", str(hostile), "--format", "json")
    assert code == 1
    values = {i["row"]: i["value"] for i in json.loads(out)["issues"] if i["code"] == "codelist-value"}
    assert values == ATTACKS


def test_file_and_sheet_names_cannot_forge_lines() -> None:
    place = Location(table="children", file="c.csv\n::error file=a::forged", sheet="\x1b]0;title\x07S\u202e",
                     row=2, column="C", field="sex")
    issue = Issue("codelist-value", Severity.ERROR, f"'{FORGED}' is not a code", place, FORGED,
                  explanation="ok\n\u2713 Valid")
    report = Report.from_issues([issue], "1.0", source="pkg\n::error file=a::forged", notes=("n\x1b[2J",))
    for out in (render.text(report), render.github(report), issue.line(), place.describe()):
        assert_no_forged_line(out)
    assert len(render.github(report).splitlines()) == 2
    assert json.loads(render.json_text(report))["issues"][0]["file"] == place.file


def test_conversion_report_and_errors_escape_file_names(tmp_path: Path) -> None:
    """The conversion report names the files and sheets it read, and an error names the input:
    both are the user's."""
    report = ConversionReport("mapped", sources=[SourceCount("children", "c\x1b[2J.csv", "S\n::error file=a::x")],
                              issues=[Issue("codelist-value", Severity.ERROR, FORGED, Location(file="c\n.csv"))],
                              notes=["n\u2028\u2713 Valid"])
    assert_no_forged_line(report.to_text())
    code, out = run("validate", str(tmp_path / "missing\x1b[2J\n::error file=a::x"))
    assert code == 2
    assert_no_forged_line(out)


# ---------------------------------------------------------------- the CSV report and CSV writers


def test_csv_report_cells_never_start_a_formula(hostile: Path) -> None:
    code, out = run("validate", str(hostile), "--format", "csv")
    assert code == 1
    cells = [c for row in csv.reader(io.StringIO(out)) for c in row]
    assert any("HYPERLINK" in c for c in cells)
    assert not [c for c in cells if formula(c)]


def test_csv_package_writer_guards_the_formula(hostile: Path, tmp_path: Path) -> None:
    code, _ = run("convert", "package", str(hostile), "--to", "csv", "--out", str(tmp_path / "p"))
    assert code == 0
    with (tmp_path / "p" / "children.csv").open(newline="", encoding="utf-8") as fh:
        cells = [c for row in csv.reader(fh) for c in row]
    assert "'" + HYPERLINK in cells
    assert not [c for c in cells if formula(c)]


hidden_prefix = st.lists(st.sampled_from(["\x1b[m", "\x1b[1;31m", "\x1b]0;t\x07", "\x1bc", " ", "\t", "\r", "\n",
                                          "\u200b", "\ufeff", "\u00a0", "\u3000", "\u202e", "\x00", "\x85"])
                         | st.characters(categories=("Cc", "Cf", "Zs")), max_size=6).map("".join)


@given(prefix=hidden_prefix, start=st.sampled_from(FORMULA), rest=st.text(max_size=20))
def test_a_formula_behind_anything_invisible_is_guarded(prefix: str, start: str, rest: str) -> None:
    text = prefix + start + rest
    safe = excel_safe(text)
    assert not formula(safe)
    number = NUMBER.fullmatch(text if text[0] in FORMULA else text.strip())
    assert safe == (text if number and not text.startswith(("\t", "\r")) else "'" + text)


@given(st.text(max_size=30))
def test_excel_safe_adds_an_apostrophe_only_where_needed(text: str) -> None:
    safe = excel_safe(text)
    assert safe in (text, "'" + text) and not formula(safe)
    if text[:1] and unicodedata.category(text[0])[0] not in "CZ" and not text.startswith(FORMULA):
        assert safe == text  # text beginning with a visible character that starts no formula: unchanged


# ---------------------------------------------------------------- XLSX writers


def test_annotated_copy_holds_control_characters(hostile: Path, tmp_path: Path) -> None:
    out = tmp_path / "annotated.xlsx"
    code, _ = run("validate", str(hostile), "--annotate", str(out))
    assert code == 1
    load_workbook(out)  # opens
    wb = CalamineWorkbook.from_path(str(out))
    children = wb.get_sheet_by_name("children").to_python()
    col = children[0].index("sex")
    assert {row: children[row - 1][col] for row in ATTACKS} == {
        row: excel_safe(value) for row, value in ATTACKS.items()}  # the user's cells, exactly
    issues = wb.get_sheet_by_name("Issues").to_python()
    assert all(not unprintable(ch) for row in issues for c in row if isinstance(c, str) for ch in c)


def test_convert_to_xlsx_round_trips_control_characters(hostile: Path, tmp_path: Path) -> None:
    code, _ = run("convert", "package", str(hostile), "--to", "xlsx", "--out", str(tmp_path / "w.xlsx"))
    assert code == 0
    load_workbook(tmp_path / "w.xlsx")
    back = {n: c["sex"] for n, c in enumerate(read_workbook(tmp_path / "w.xlsx").rows("children"), start=2)}
    assert {row: back[row] for row in ATTACKS} == {row: excel_safe(value) for row, value in ATTACKS.items()}
    code, out = run("validate", str(tmp_path / "w.xlsx"), "--format", "json")
    assert code == 1
    values = {i["row"]: i["value"] for i in json.loads(out)["issues"] if i["code"] == "codelist-value"}
    assert values == {row: excel_safe(value) for row, value in ATTACKS.items()}


def test_pseudonymise_to_xlsx_with_control_characters(hostile: Path, tmp_path: Path) -> None:
    (tmp_path / "k").write_bytes(KEY)
    src = tmp_path / "raw"
    shutil.copytree(hostile, src)  # as a council's own export: not yet pseudonymised
    meta = src / "datapackage.json"
    meta.write_text(meta.read_text(encoding="utf-8").replace('"pseudonymised": "true"', '"pseudonymised": "false"'),
                    encoding="utf-8")
    out = tmp_path / "p.xlsx"
    code, _ = run("pseudonymise", str(src), str(out), "--key-file", str(tmp_path / "k"))
    assert code in (0, 1)
    load_workbook(out)
    sexes = [c["sex"] for c in read_workbook(out).rows("children")]
    assert VERTICAL_TAB in sexes and excel_safe(HYPERLINK) in sexes


cell_texts = st.lists(st.characters(exclude_categories=("Cs",))
                      | st.sampled_from(["_x0041_", "_x005F_", "_x000b_", "_xD800_", "\r", "\r\n", "\x0b", "\x00"]),
                      min_size=1, max_size=12).map("".join)


@settings(max_examples=40, deadline=None)
@given(st.lists(cell_texts, min_size=1, max_size=8))
def test_xlsx_text_reads_back_exactly(tmp_path_factory: pytest.TempPathFactory, texts: list[str]) -> None:
    path = tmp_path_factory.mktemp("x") / "t.xlsx"
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("S")
    for t in texts:
        ws.append([xlsx_text(t)])
    wb.save(path)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("S").to_python(skip_empty_area=False)
    # a cell of nothing but XML white space (spaces, line feeds) reads back empty, as a blank cell
    assert [r[0] for r in rows] == ["" if set(excel_safe(t)) <= {" ", "\n"} else excel_safe(t) for t in texts]


def test_xlsx_text_writes_lone_surrogates_without_failing(tmp_path: Path) -> None:
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("S")
    ws.append([xlsx_text("a\ud800b")])
    wb.save(tmp_path / "s.xlsx")
    assert CalamineWorkbook.from_path(str(tmp_path / "s.xlsx")).get_sheet_by_name("S").to_python() == [["a_xD800_b"]]


# ---------------------------------------------------------------- the escaping itself


ESCAPE = re.compile(r"\\(n|r|t|x[0-9a-f]{2}|u[0-9a-f]{4})")


def unescape(text: str) -> str:
    short = {"n": "\n", "r": "\r", "t": "\t"}
    return ESCAPE.sub(lambda m: short.get(m[1]) or chr(int(m[1][1:], 16)), text)


@given(st.text())
def test_printable_leaves_nothing_unprintable(text: str) -> None:
    out = printable(text)
    assert not [ch for ch in out if unprintable(ch)]
    assert printable(out) == out  # escaping twice changes nothing


@given(st.text().filter(lambda t: "\\" not in t))
def test_printable_can_be_read_back(text: str) -> None:
    """Without a backslash in the input (a backslash is kept as it is), the escaped text is unambiguous."""
    assert unescape(printable(text)) == text


@given(st.text(st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"))))
def test_printable_text_is_unchanged(text: str) -> None:
    if not any(unprintable(ch) for ch in text):
        assert printable(text) == text
