from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from mcds.convert.annex_a import convert_annex_a, parse_value
from mcds.errors import InputError

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("kind", "text", "value"), [
    ("boolean", "a) Yes", "true"), ("boolean", "b) No", "false"), ("boolean", "c) Unknown", None),
    ("boolean", " Y ", "true"), ("boolean", "no", "false"), ("boolean", "maybe", "maybe"),
    ("sex", "a) Male", "M"), ("sex", "b) Female", "F"), ("sex", "c) Not stated/recorded", "U"), ("sex", "d) Neither", "U"),
    ("sex", "Female", "F"), ("code", "C1: ICO", "C1"), ("code", "a) WBRI", "WBRI"), ("code", "t) nobt", "NOBT"),
    ("code", "a) PR0: Parents", "PR0"), ("code", "V2 - Single period under S20", "V2"), ("code", None, None),
])
def test_values_like_a_yes_are_understood(kind: str, text: str | None, value: str | None) -> None:
    assert parse_value(kind, text) == value


def test_headers_found_by_regex_below_a_title_and_with_typos(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Cover"
    ws = wb.create_sheet("LIST 8 - children in care")
    ws.append(["Annex A"])
    ws.append([])
    ws.append(["child unique ID", "Sex", "Date of birth", "Ethnicity",
               "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N))"])
    ws.append(["C1", "b) Female", "14/02/2010", "a) WBRI", "a) Yes"])
    ws.append([None, "a) Male", "01/01/2011", "a) WBRI", "b) No"])
    wb.save(tmp_path / "a.xlsx")
    sub, report = convert_annex_a(tmp_path / "a.xlsx", "886", 2025)
    assert sub.rows("children") == [{"child_id": "C1", "birth_year_month": "2010-02", "sex": "F", "ethnicity": "WBRI",
                                     "uasc": "true", "trafficking_concern": "none_known"}]
    assert [(i.code, i.location.sheet, i.location.row, i.location.column) for i in report.issues] == [
        ("source-row-rejected", "LIST 8 - children in care", 5, "A")]
    assert sub.rows("missing_episodes") == [] and "missing_episodes" in sub.metadata["not_collected"].split(";")


def test_a_workbook_without_list_8_is_an_input_error(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "List 6"
    wb.save(tmp_path / "a.xlsx")
    with pytest.raises(InputError, match="List 8"):
        convert_annex_a(tmp_path / "a.xlsx", "886", 2025)


from click.testing import CliRunner  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from mcds.cli import main  # noqa: E402


@given(kind=st.sampled_from(["boolean", "sex", "code"]), text=st.text())
def test_parse_value_never_fails_and_keeps_what_it_cannot_read(kind: str, text: str) -> None:
    out = parse_value(kind, text)
    assert out is None or isinstance(out, str)
    if out is not None and out not in ("true", "false", "M", "F", "U"):
        assert out.casefold() in text.casefold()  # a code taken from the text, or the text as found


def test_cli_convert_annex_a(tmp_path: Path) -> None:
    src = ROOT / "fixtures" / "annex_a" / "kent-2024-25.xlsx"
    r = CliRunner().invoke(main, ["convert", "annex-a", str(src), "--la", "886", "--year", "2025", "--out",
                                  str(tmp_path / "a.json"), "--report", str(tmp_path / "r.json")])
    assert r.exit_code == 0, r.output
    assert "reconcile" in r.output and (tmp_path / "a.json").is_file() and (tmp_path / "r.json").is_file()
    r = CliRunner().invoke(main, ["convert", "annex-a", str(tmp_path / "r.json"), "--la", "886", "--year", "2025",
                                  "--out", str(tmp_path / "b")])
    assert r.exit_code == 2


def test_the_most_recent_placement_is_carried_with_its_urn_and_council(tmp_path: Path) -> None:
    """List 8's placement columns fill a placements row (the 1.1 fields provider_urn and placed_in_council):
    the council from its GSS code or its name; one not in England is carried as found, for the validator,
    which reports it in the workbook's own coordinates (sheet List 8, the row, the column's letter)."""
    import mcds
    from mcds.convert import provenance
    from mcds.submission import write_csv_package

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "List 8"
    ws.append(["Child Unique ID", "Gender", "Date of Birth", "Ethnicity", "Start Date of Most Recent Placement",
               "Child's Legal Status", "Placement Type", "Placement Provider", "URN of Placement", "Placement Location",
               "LA of Placement"])
    ws.append(["C1", "a) Male", "2010-02-14", "a) WBRI", "2024-06-01", "C2: Full Care Order", "K2", "a) PR4: Private",
               "SC123456", "b) Out", "Medway"])
    ws.append(["C2", "b) Female", "2011-01-01", "a) WBRI", "2024-07-01", "V2", "U6", "PR1", None, "a) In", "E10000016"])
    ws.append(["C3", "b) Female", "2011-01-01", "a) WBRI", "2024-07-01", "V2", "U6", "PR1", None, "b) Out", "WAL - Cardiff"])
    ws.append(["C4", "b) Female", "2011-01-01", "a) WBRI", None, None, None, None, None, None, None])
    wb.save(tmp_path / "a.xlsx")
    sub, report = convert_annex_a(tmp_path / "a.xlsx", "886", 2025)
    got = [(p["child_id"], p["start_date"], p["legal_status"], p["placement_provider"], p["provider_urn"],
            p["in_council_area"], p["placed_in_council"]) for p in sub.rows("placements")]
    assert got == [("C1", "2024-06-01", "C2", "PR4", "SC123456", "false", "E06000035"),
                   ("C2", "2024-07-01", "V2", "PR1", None, "true", "E10000016"),
                   ("C3", "2024-07-01", "V2", "PR1", None, "false", "WAL - Cardiff")]
    listed = sub.metadata["not_collected"].split(";")
    assert "placements.provider_urn" not in listed and "placements.placed_in_council" not in listed
    write_csv_package(sub, tmp_path / "pkg")
    provenance.write(report.provenance, tmp_path / "pkg")
    found = [i for i in mcds.validate(tmp_path / "pkg") if i.location.field == "placed_in_council"]
    assert [(i.code, i.location.file, i.location.sheet, i.location.row, i.location.column, i.location.source_field,
             i.location.child_id) for i in found] == [
        ("pattern-mismatch", "a.xlsx", "List 8", 4, "K", "LA of Placement", "C3")]
