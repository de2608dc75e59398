from __future__ import annotations

import datetime as dt
from pathlib import Path

from mcds.engine import load_submission
from mcds.submission import read_csv_package

ROOT = Path(__file__).resolve().parent.parent


def test_fixture_loads_typed_with_user_row_numbers() -> None:
    sub = read_csv_package(ROOT / "fixtures" / "valid" / "manchester")
    con = load_submission(sub)
    n = con.execute("SELECT count(*), min(_row), max(_row) FROM children").fetchone()
    assert n == (len(sub.tables["children"]), 2, len(sub.tables["children"]) + 1)
    first = sub.tables["missing_episodes"][0]
    start, row, uasc = con.execute(
        "SELECT e.start_date, e._row, c.uasc FROM missing_episodes e JOIN children c USING (child_id) "
        "WHERE episode_id = ?", [first["episode_id"]]).fetchone()
    assert start == dt.date.fromisoformat(first["start_date"]) and row == 2
    assert isinstance(uasc, bool)
    assert con.execute("SELECT old_la_code, period_end FROM metadata").fetchone() == ("352", dt.date(2025, 3, 31))


def test_lists_and_months_are_typed() -> None:
    sub = read_csv_package(ROOT / "fixtures" / "valid" / "kent")
    con = load_submission(sub)
    child = next(c for c in sub.tables["children"] if c["exploitation_types"] and ";" in c["exploitation_types"])
    types, born = con.execute("SELECT exploitation_types, birth_year_month FROM children WHERE child_id = ?",
                              [child["child_id"]]).fetchone()
    assert types == child["exploitation_types"].split(";")
    assert born == dt.date.fromisoformat(child["birth_year_month"] + "-01")
