"""Every finding in the analyst's own coordinates: mcds convert keeps where each written row came from
beside the package (``<out>.provenance.json``), validates what it wrote, and reports the validator's
issues in the files converted; mcds validate on the package does too, until the package is changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import mcds
from mcds.cli import main
from mcds.convert.base import load_data

HEADER, EPISODES, MISSING = (",".join(load_data("ssda903")["tables"][t]) for t in ("Header", "Episodes", "Missing"))


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


def convert(args: list[str]) -> tuple[int, str, dict]:  # type: ignore[type-arg]
    result = CliRunner().invoke(main, ["convert", "ssda903", *args])
    assert "Traceback" not in result.output, result.output
    report = next((a for a in args if a.endswith("report.json")), None)
    return result.exit_code, result.output, json.loads(Path(report).read_text()) if report else {}


def one_child(tmp_path: Path, missing: str) -> Path:
    """A return of child A1 and one Missing row, converted with mcds convert: the package written."""
    src = tmp_path / "in"
    write(src, "header.csv", f"{HEADER}\nA1,M,01/01/2009,WBRI,UN1,,\n")
    write(src, "missing.csv", f"{MISSING}\n{missing}\n")
    out = tmp_path / "out"
    convert([str(src), "--la", "886", "--year", "2025", "--out", str(out)])
    return out


def where(issue: dict) -> tuple:  # type: ignore[type-arg]
    return tuple(issue.get(k) for k in ("code", "file", "row", "line", "column", "source_field", "child_id"))


def test_csv_issues_are_at_the_analysts_row_not_the_packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Episodes are re-sorted by child and date, so the package's row is not the analyst's."""
    src = tmp_path / "in"
    write(src, "header.csv", f"{HEADER}\nA1,M,01/01/2009,WBRI,UN1,,\nB2,F,01/01/2010,WBRI,UN1,,\n")
    write(src, "episodes.csv", f"{EPISODES}\nB2,01/04/2023,S,C2,N1,U6,PR1,,,,,,\nA1,01/04/2023,S,C2,N1,U6,PR1,,,,,,\n")
    # row 2: B2's later episode; row 3: A1's; row 4: B2's, which ends after row 2 starts (they overlap)
    write(src, "missing.csv", f"{MISSING}\nB2,01/01/2010,M,10/06/2024,11/06/2024\nA1,01/01/2009,M,01/05/2024,02/05/2024\n"
                              "B2,01/01/2010,M,01/06/2024,12/06/2024\n")
    out, rep = tmp_path / "out", str(tmp_path / "report.json")
    code, text, report = convert([str(src), "--la", "886", "--year", "2025", "--out", str(out), "--report", rep])
    assert code == 1  # the conversion is clean, what it wrote is not valid
    assert report["rows"]["rejected"] == 0 and report["validation"]["valid"] is False
    assert [where(i) for i in report["validation"]["issues"]] == [
        ("episodes-overlap", "missing.csv", 2, None, "D", "MIS_START", "B2")]
    assert "missing.csv, row 2, column D (MIS_START as start_date)" in text
    assert "B2" not in text  # the child's identifier is in the JSON report only
    # mcds validate on the package says the same, from the provenance beside it
    again = json.loads(CliRunner().invoke(main, ["validate", str(out), "--format", "json"]).output)
    assert [where(i) for i in again["issues"]] == [where(i) for i in report["validation"]["issues"]]
    assert (tmp_path / "out.provenance.json").is_file()
    monkeypatch.chdir(out)  # named as "." or by its datapackage.json, the package still finds its provenance
    for name in (".", "datapackage.json"):
        assert [(i.location.file, i.location.row) for i in mcds.validate(name)] == [("missing.csv", 2)]


def test_a_changed_package_is_reported_in_its_own_rows(tmp_path: Path) -> None:
    out = one_child(tmp_path, "A1,01/01/2009,M,03/05/2024,02/05/2024")
    ends = ("episode-ends-before-start",)
    assert [i[1:] for i in mcds.validate(out).project("code", "file", "row", "source_field") if i[0] in ends] == [
        ("missing.csv", 2, "MIS_END")]
    p = out / "missing_episodes.csv"
    p.write_text(p.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # changed since it was converted
    report = mcds.validate(out)
    assert [i[1:] for i in report.project("code", "file", "row", "source_field") if i[0] in ends] == [
        ("missing_episodes.csv", 2, None)]
    assert any("has changed since it was converted" in n for n in report.notes)


def test_xml_issues_are_at_the_element_its_path_and_line(tmp_path: Path) -> None:
    """A one-line XML return: every element is on line 1, so the path tells them apart."""
    children = "".join(f"<CHILD><HEADER><CHILDID>{n}</CHILDID><SEX>M</SEX><DOB>01/01/2009</DOB><ETHNIC>WBRI</ETHNIC>"
                       f"<UASC>{flag}</UASC><AMISSING><MISSING>M</MISSING><MIS_START>05/05/2024</MIS_START>"
                       "<MIS_END>06/05/2024</MIS_END></AMISSING></HEADER><EPISODE><DECOM>01/04/2024</DECOM><LS>V2</LS>"
                       "<PL>K2</PL></EPISODE></CHILD>" for n, flag in ((7, "1"), (8, "Y")))
    write(tmp_path, "r.xml", f"<EXPSSDA903>{children}</EXPSSDA903>")
    xml = tmp_path / "r.xml"
    out, rep = tmp_path / "out.json", str(tmp_path / "report.json")
    code, _, report = convert([str(xml), "--la", "886", "--year", "2025", "--out", str(out), "--report", rep])
    assert code == 1
    assert [where(i) for i in report["validation"]["issues"]] == [
        ("type-error", "r.xml", None, 1, None, "CHILD[2]/HEADER/UASC", "8")]  # DfE rule 105: Y is not a flag
    assert (tmp_path / "out.json.provenance.json").is_file()


def test_a_foreign_key_fault_points_at_the_childs_column_in_the_source(tmp_path: Path) -> None:
    """DfE INT04: a Missing row whose child is not in Header is carried over and reported at its CHILD cell."""
    out = one_child(tmp_path, "Z9,01/01/2009,M,03/05/2024,04/05/2024")
    found = [i for i in mcds.validate(out) if i.code == "foreign-key-missing"]
    assert [(i.location.file, i.location.row, i.location.column, i.location.source_field, i.location.child_id)
            for i in found] == [("missing.csv", 2, "A", "CHILD", "Z9")]


def test_validate_gives_each_issue_its_child_without_a_provenance_file(tmp_path: Path) -> None:
    """Any 1.1 package: the JSON report names the child of each row's issue (not in 1.0's report)."""
    base = Path(__file__).resolve().parent.parent / "standard" / "1.1" / "conformance" / "uasc-under-10" / "input"
    shutil.copytree(base, tmp_path / "pkg")
    doc = json.loads(CliRunner().invoke(main, ["validate", str(tmp_path / "pkg"), "--format", "json"]).output)
    assert [(i["code"], i["row"], i.get("child_id")) for i in doc["issues"]] == [("uasc-under-10", 3, "C2")]


# ---------------------------------------------------------------- a column fault (mcds.validation.faults)

N = 25  # over faults.MIN_COLUMN findings, every row of the column: one column-fault finding


def column_fault(report: dict) -> tuple:  # type: ignore[type-arg]
    (found,) = [i for i in report["issues"] if i["code"] == "column-fault"]
    return (*where(found), found["count"], found["rows"])


def test_a_column_fault_is_at_the_csv_sources_column_and_rows(tmp_path: Path) -> None:
    """Every Missing row has MISSING 'Q' (carried over, not a 903 code): one finding, at missing.csv's column C
    (MISSING) and the rows Excel shows. The rows are written sorted by date, here the reverse of the source's."""
    src = tmp_path / "in"
    write(src, "header.csv", f"{HEADER}\nA1,M,01/01/2009,WBRI,UN1,,\n")
    write(src, "missing.csv", f"{MISSING}\n" + "".join(f"A1,01/01/2009,Q,{d:02}/05/2024,{d:02}/05/2024\n"
                                                       for d in range(N, 0, -1)))
    out, rep = tmp_path / "out", str(tmp_path / "report.json")
    code, text, report = convert([str(src), "--la", "886", "--year", "2025", "--out", str(out), "--report", rep])
    assert code == 1
    expected = ("column-fault", "missing.csv", None, None, "C", "MISSING", "A1", N, list(range(N + 1, N - 9, -1)))
    assert column_fault(report["validation"]) == expected
    assert "missing.csv, column C (MISSING as episode_type): " in text and "(first at rows 26, 25, 24, 23, 22)." in text
    again = CliRunner().invoke(main, ["validate", str(out), "--format", "json"]).output
    assert column_fault(json.loads(again)) == expected
    assert "(first at rows 26, 25, 24, 23, 22)." in CliRunner().invoke(main, ["validate", str(out)]).output


def test_a_column_fault_from_several_files_names_each(tmp_path: Path) -> None:
    """Two Missing files, their columns in another order: the finding is at the first file's column and its
    rows; the message names both files, their columns and rows."""
    src = tmp_path / "in"
    write(src, "header.csv", f"{HEADER}\nA1,M,01/01/2009,WBRI,UN1,,\nB2,M,01/01/2009,WBRI,UN1,,\n")
    write(src, "m1.csv", f"{MISSING}\n" + "".join(f"A1,01/01/2009,Q,{d:02}/05/2024,{d:02}/05/2024\n" for d in (1, 2, 3)))
    write(src, "m2.csv", "MIS_END,CHILD,DOB,MISSING,MIS_START\n"
                         + "".join(f"{d:02}/05/2024,B2,01/01/2009,Q,{d:02}/05/2024\n" for d in range(1, N)))
    out = tmp_path / "out"
    convert([str(src), "--la", "886", "--year", "2025", "--out", str(out)])
    (found,) = [i for i in mcds.validate(out) if i.code == "column-fault"]
    assert (found.location.file, found.location.column, found.location.source_field, found.rows) == (
        "m1.csv", "C", "MISSING", (2, 3, 4))
    assert "(first at m1.csv column C rows 2, 3, 4; m2.csv column D rows 2, 3)." in found.message


def xml_return(lines: bool) -> str:
    """A 903 XML return of N children, each with one Missing episode of MISSING 'Q'; each element on a line of
    its own (the AMISSING of child n on line 9n - 4), or all on one line."""
    nl = "\n" if lines else ""
    child = nl.join(["<CHILD>", "<HEADER>", "<CHILDID>{n}</CHILDID><SEX>M</SEX><DOB>01/01/2009</DOB><ETHNIC>WBRI</ETHNIC>"
                     "<UASC>0</UASC>", "<AMISSING>", "<MISSING>Q</MISSING><MIS_START>05/05/2024</MIS_START>"
                     "<MIS_END>06/05/2024</MIS_END>", "</AMISSING>", "</HEADER>",
                     "<EPISODE><DECOM>01/04/2024</DECOM><LS>V2</LS><PL>K2</PL></EPISODE>", "</CHILD>"])
    return nl.join(["<EXPSSDA903>", *(child.format(n=n) for n in range(1, N + 1)), "</EXPSSDA903>"]) + "\n"


def test_a_column_fault_is_at_the_xml_element_and_its_lines(tmp_path: Path) -> None:
    write(tmp_path, "r.xml", xml_return(lines=True))
    out, rep = tmp_path / "out.json", str(tmp_path / "report.json")
    code, text, report = convert([str(tmp_path / "r.xml"), "--la", "886", "--year", "2025", "--out", str(out),
                                  "--report", rep])
    assert code == 1
    expected = ("column-fault", "r.xml", None, 5, None, "CHILD/HEADER/AMISSING/MISSING", "1", N,
                [9 * n - 4 for n in range(1, 11)])
    assert column_fault(report["validation"]) == expected
    assert "r.xml, line 5 (CHILD/HEADER/AMISSING/MISSING as episode_type): " in text
    assert "(first at lines 5, 14, 23, 32, 41)." in text
    assert column_fault(json.loads(CliRunner().invoke(main, ["validate", str(out), "--format", "json"]).output)) == expected


def test_a_column_fault_on_one_xml_line_names_the_elements(tmp_path: Path) -> None:
    write(tmp_path, "r.xml", xml_return(lines=False))
    out = tmp_path / "out.json"
    convert([str(tmp_path / "r.xml"), "--la", "886", "--year", "2025", "--out", str(out)])
    (found,) = [i for i in mcds.validate(out) if i.code == "column-fault"]
    assert (found.location.file, found.location.line, found.rows) == ("r.xml", 1, (1,) * 10)
    assert "(first at CHILD[1]/HEADER/AMISSING[1]/MISSING, CHILD[2]/HEADER/AMISSING[1]/MISSING, " in found.message


def test_a_column_fault_of_a_changed_package_is_in_its_own_rows(tmp_path: Path) -> None:
    src = tmp_path / "in"
    write(src, "header.csv", f"{HEADER}\n" + "".join(f"C{n},M,01/01/2009,ZZZZ,UN1,,\n" for n in range(N)))
    out = tmp_path / "out"
    convert([str(src), "--la", "886", "--year", "2025", "--out", str(out)])
    assert [i[1:] for i in mcds.validate(out).project("code", "file", "column", "source_field", "rows")
            if i[0] == "column-fault"] == [("header.csv", "D", "ETHNIC", list(range(2, 12)))]
    p = out / "children.csv"
    p.write_text(p.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert [i[1:] for i in mcds.validate(out).project("code", "file", "column", "source_field", "rows")
            if i[0] == "column-fault"] == [("children.csv", "D", None, list(range(2, 12)))]
