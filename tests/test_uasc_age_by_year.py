"""uasc-under-10 follows the DfE's SSDA903 rule 231 by collection year: from the 2024-25 collection
(periods ending on or after 31 March 2025) the DfE queries a UASC younger than 11, before it younger
than 10 (the standard's own query). Measured at the end of the period when no UASC start date is given,
as the DfE measures it (an SSDA903 return holds none)."""

from __future__ import annotations

import datetime as dt

import pytest

from mcds import engine
from mcds import standard as std
from mcds.catalogue import catalogue
from mcds.validation.cells import create_codelists

V = "1.1"


@pytest.fixture(scope="module")
def con():  # type: ignore[no-untyped-def]
    s = std.load(V)
    c = engine.connect()
    engine.create_tables(c, s)
    create_codelists(c, s)
    yield c
    c.close()


@pytest.mark.parametrize(("period_end", "birth", "age"), [
    ("2025-03-31", "2014-04", 11),  # 2024-25: born April 2014, at most 10 on 31 March 2025
    ("2025-03-31", "2014-03", None),  # perhaps 11 on the last day
    ("2024-03-31", "2014-04", 10),  # 2023-24: younger than 10
    ("2024-03-31", "2014-09", 10),
    ("2024-03-31", "2013-03", None),  # perhaps 11: not queried before 2024-25
    ("2024-03-31", "2014-03", None),  # perhaps 10 on the last day
    ("2026-03-31", "2015-03", None),  # 2025-26: perhaps 11 on the last day
    ("2026-03-31", "2015-04", 11),
])
def test_the_age_queried_follows_the_collection_year(con, period_end: str, birth: str, age: int | None) -> None:  # type: ignore[no-untyped-def]
    end = dt.date.fromisoformat(period_end)
    cur = con.cursor()
    cur.execute("BEGIN")
    try:
        start = end.replace(year=end.year - 1, month=4, day=1)
        cur.execute("INSERT INTO metadata (period_start, period_end) VALUES (?, ?)", [start, end])
        cur.execute("INSERT INTO children (child_id, birth_year_month, uasc) VALUES ('C', ?, true)",
                    [dt.date.fromisoformat(birth + "-01")])
        rows = cur.execute(catalogue(V)["uasc-under-10"].sql(V)).fetchall()
    finally:
        cur.execute("ROLLBACK")
    assert [r[-1] for r in rows] == ([age] if age else [])
    if age:
        message = catalogue(V)["uasc-under-10"].render(value=birth, age=age)
        assert message.endswith(f"younger than {age} as an unaccompanied asylum-seeking child.")
