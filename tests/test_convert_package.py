"""The standard's three forms convert into one another with nothing lost."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcds import standard as std
from mcds.cli import main
from mcds.convert.package import read_any, write_any
from mcds.forms import excel_safe
from mcds.submission import Submission, read_csv_package

ROOT = Path(__file__).resolve().parent.parent
S = std.load()

ids = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,12}", fullmatch=True)
dates = st.dates(dt.date(1990, 1, 1), dt.date(2035, 12, 31)).map(dt.date.isoformat)
times = st.times().map(lambda t: t.replace(microsecond=0).isoformat())


def value(f: std.Field) -> st.SearchStrategy[str | None]:
    codes = S.allowed_codes(f)
    if f.is_list:
        inner = st.lists(st.sampled_from(codes or ("a", "b")), min_size=1, max_size=3, unique=True).map(";".join)
    elif codes:
        inner = st.sampled_from(codes)
    elif f.type == "date":
        inner = dates
    elif f.type == "time":
        inner = times
    elif f.type == "yearmonth":
        inner = st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 1)).map(lambda d: d.strftime("%Y-%m"))
    elif f.type == "boolean":
        inner = st.sampled_from(["true", "false"])
    else:
        inner = ids
    return inner if f.required else st.one_of(st.none(), inner)


def row(t: std.Table) -> st.SearchStrategy[dict[str, str | None]]:
    return st.fixed_dictionaries({f.name: value(f) for f in t.fields})


submissions = st.builds(
    lambda tables: Submission(
        {"standard_version": S.version, "old_la_code": "886", "new_la_code": "E10000016", "period_start": "2024-04-01",
         "period_end": "2025-03-31", "software": "hypothesis", "created": "2025-05-01T09:00:00Z", "pseudonymised": "false",
         "not_collected": "return_interviews;children.nationality"}, tables),
    st.fixed_dictionaries({t.name: st.lists(row(t), max_size=6) for t in S.tables.values()}),
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sub=submissions)
def test_csv_to_xlsx_to_json_to_csv_is_identity(tmp_path_factory: pytest.TempPathFactory, sub: Submission) -> None:
    d = tmp_path_factory.mktemp("rt")
    write_any(sub, d / "a", "csv")
    write_any(read_any(d / "a"), d / "b.xlsx")
    write_any(read_any(d / "b.xlsx"), d / "c.json")
    write_any(read_any(d / "c.json"), d / "d", "csv")
    back = read_csv_package(d / "d")
    assert back.metadata == {k: v for k, v in sub.metadata.items() if v is not None}
    assert back.tables == sub.tables
    # The CSV files themselves are byte-identical after the round trip.
    for t in S.tables:
        assert (d / "a" / f"{t}.csv").read_bytes() == (d / "d" / f"{t}.csv").read_bytes()


@pytest.mark.parametrize("fixture", ["kent", "croydon", "manchester"])
def test_fixtures_round_trip_through_every_form(tmp_path: Path, fixture: str) -> None:
    original = read_csv_package(ROOT / "fixtures" / "valid" / fixture)
    write_any(original, tmp_path / "w.xlsx")
    write_any(read_any(tmp_path / "w.xlsx"), tmp_path / "w.json")
    assert (tmp_path / "w.json").read_text() == (ROOT / "fixtures" / "valid" / f"{fixture}.json").read_text()


@pytest.mark.parametrize(("text", "safe"), [
    ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"), ("+44 20", "'+44 20"), ("@SUM(A1)", "'@SUM(A1)"),
    ("-cmd", "'-cmd"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("-3", "-3"), ("+2.5", "+2.5"), ("-1e-5", "-1e-5"),
    ("2024-05-01", "2024-05-01"), ("E1", "E1"), (None, None), ("", ""),
])
def test_excel_safe(text: str | None, safe: str | None) -> None:
    assert excel_safe(text) == safe


def test_formula_text_is_never_written_as_a_formula(tmp_path: Path) -> None:
    import openpyxl

    sub = read_csv_package(ROOT / "fixtures" / "valid" / "kent")
    sub.rows("children")[0]["child_id"] = "=1+1"
    sub.rows("missing_episodes")[0]["police_risk_level"] = "@cmd"
    write_any(sub, tmp_path / "p", "csv")
    write_any(sub, tmp_path / "w.xlsx")
    assert "\n'=1+1," in (tmp_path / "p" / "children.csv").read_text()
    wb = openpyxl.load_workbook(tmp_path / "w.xlsx")
    cell = wb["Children"]["A2"]
    assert cell.value == "'=1+1" and cell.data_type == "s"
    assert read_any(tmp_path / "w.xlsx").rows("missing_episodes")[0]["police_risk_level"] == "'@cmd"


def test_cli_convert_package(tmp_path: Path) -> None:
    runner = CliRunner()
    src = ROOT / "fixtures" / "valid" / "manchester.json"
    r = runner.invoke(main, ["convert", "package", str(src), "--to", "xlsx", "--out", str(tmp_path / "m.xlsx")])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["convert", "package", str(tmp_path / "m.xlsx"), "--to", "csv", "--out", str(tmp_path / "m")])
    assert r.exit_code == 0
    assert read_csv_package(tmp_path / "m").tables == read_csv_package(ROOT / "fixtures" / "valid" / "manchester").tables
    r = runner.invoke(main, ["convert", "package", str(tmp_path / "none.xlsx"), "--to", "csv", "--out", str(tmp_path / "x")])
    assert r.exit_code == 2


def test_zipped_csv_package_is_read(tmp_path: Path) -> None:
    import shutil

    shutil.make_archive(str(tmp_path / "kent"), "zip", ROOT / "fixtures" / "valid", "kent")
    write_any(read_any(tmp_path / "kent.zip"), tmp_path / "k.json")
    assert (tmp_path / "k.json").read_text() == (ROOT / "fixtures" / "valid" / "kent.json").read_text()
