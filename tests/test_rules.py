"""The catalogue's rules as portable SQL: each file is referenced once, runs on the empty typed
shape, returns the contract's columns, and supplies every parameter its message needs (in every
version of the standard)."""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path

import pytest

from mcds import engine
from mcds import standard as std
from mcds.catalogue import catalogue
from mcds.rules import REQUIRED_COLUMNS, rule_types
from mcds.validation.cells import create_codelists

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = ("1.0", "1.1")
KINDS = [(v, k) for v in VERSIONS for k in rule_types(v)]


@pytest.mark.parametrize("version", VERSIONS)
def test_every_rule_file_is_in_the_catalogue_and_back(version: str) -> None:
    kinds = rule_types(version)
    files = {p.name for p in (ROOT / "standard" / version / "rules").glob("*.sql")}
    referenced = {Path(k.rule).name for k in kinds}
    assert files == referenced
    assert all(k.rule == f"rules/{k.code}.sql" for k in kinds)


@pytest.fixture(scope="module")
def shapes():  # type: ignore[no-untyped-def]
    """The empty typed shape of each version, with its codelists."""
    cons = {}
    for version in VERSIONS:
        s = std.load(version)
        cons[version] = con = engine.connect()
        engine.create_tables(con, s)
        create_codelists(con, s)
    yield cons
    for con in cons.values():
        con.close()


@pytest.mark.parametrize(("version", "kind"), KINDS, ids=lambda x: x if isinstance(x, str) else x.code)
def test_rule_runs_and_returns_the_contract(shapes, version, kind) -> None:  # type: ignore[no-untyped-def]
    sql = kind.sql(version)
    assert sql and not re.search(r"\b_row\b", sql), "rules use only the standard's columns"
    cur = shapes[version].execute(sql)
    columns = [d[0] for d in cur.description]
    assert columns[:4] == list(REQUIRED_COLUMNS)
    assert cur.fetchall() == []
    params = {n for _, n, _, _ in string.Formatter().parse(kind.message) if n}
    supplied = {"table", "field", "row", "value", *columns[4:]}
    assert params <= supplied, f"{kind.code}: the message needs {sorted(params - supplied)}"


@pytest.mark.parametrize("version", VERSIONS)
def test_rule_severities_follow_the_guidance(version: str) -> None:
    kinds = catalogue(version)
    assert kinds["interview-late"].severity.value == "warning"
    for code in ("uasc-under-10", "nrm-cg-within-30-days", "episode-not-looked-after", "episode-longer-than-year"):
        assert kinds[code].severity.value == "query"


# Rules 1.1 adds: a new error that valid 1.0-shaped data could break would be a major change
# (VERSIONING.md), so each is a query or a warning. ceased-while-missing-not-e8 became a query when it was
# made to follow SSDA903 rule 580, which only the month of birth cannot settle.
ADDED_IN_1_1 = ("episode-open-after-placement-ended", "episode-ends-after-care-ended", "episode-placement-other-child",
                "interview-episode-other-child", "nrm-positive-rg-no-concern", "council-code-unknown",
                "interview-declined-reason-not-declined", "transfer-council-not-e3")
# New errors that only stand in for an error 1.0 already gives on the same cells (a type error): a value with
# two readings, and a column failing one check the same way throughout. No data valid in 1.0 can raise them.
REFINES_A_1_0_ERROR = ("value-ambiguous", "column-fault")


def test_rules_added_in_a_minor_version_are_not_errors() -> None:
    old, new = catalogue("1.0"), catalogue("1.1")
    added = {c for c in new if c not in old}
    assert set(ADDED_IN_1_1) <= added
    # a converter's findings about its source (source-*) are never issues of a package, so cannot break one
    for code in (c for c in added if not c.startswith("source-") and c not in REFINES_A_1_0_ERROR):
        assert new[code].severity.value in {"query", "warning"}, code
    for code in REFINES_A_1_0_ERROR:
        assert new[code].category == "cell", code
    assert old["ceased-while-missing-not-e8"].severity.value == "error"
    assert new["ceased-while-missing-not-e8"].severity.value == "query"


@pytest.mark.parametrize(("birth", "end", "flagged"), [
    ("2002-05", "2020-05-31", False),  # perhaps the 18th birthday (born 31 May 2002)
    ("2002-05", "2020-06-01", True),  # issue 13: certainly after it, whatever the day of birth
    ("2004-02", "2022-03-01", False),  # a 29 February 2004 child turns 18 on 1 March 2022
    ("2004-02", "2022-03-02", True),
    ("2003-02", "2021-03-01", True),  # February 2003 had 28 days
])
def test_uasc_end_after_18_at_the_birth_month_boundary(shapes, birth: str, end: str, flagged: bool) -> None:  # type: ignore[no-untyped-def]
    con = shapes["1.1"].cursor()
    con.execute("BEGIN")
    try:
        con.execute("INSERT INTO children (child_id, birth_year_month, uasc, uasc_end_date) VALUES ('C', ?, true, ?)",
                    [dt.date.fromisoformat(birth + "-01"), dt.date.fromisoformat(end)])
        found = con.execute(catalogue("1.1")["uasc-end-after-18"].sql("1.1")).fetchall()
    finally:
        con.execute("ROLLBACK")
    assert bool(found) is flagged
