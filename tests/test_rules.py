"""The catalogue's rules as portable SQL: each file is referenced once, runs on the empty typed
shape, returns the contract's columns, and supplies every parameter its message needs."""

from __future__ import annotations

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
RULES = ROOT / "standard" / "1.0" / "rules"
KINDS = rule_types("1.0")


def test_every_rule_file_is_in_the_catalogue_and_back() -> None:
    files = {p.name for p in RULES.glob("*.sql")}
    referenced = {Path(k.rule).name for k in KINDS}
    assert files == referenced
    assert all(k.rule == f"rules/{k.code}.sql" for k in KINDS)


@pytest.fixture(scope="module")
def shape():  # type: ignore[no-untyped-def]
    s = std.load("1.0")
    con = engine.connect()
    engine.create_tables(con, s)
    create_codelists(con, s)
    yield con
    con.close()


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.code)
def test_rule_runs_and_returns_the_contract(shape, kind) -> None:  # type: ignore[no-untyped-def]
    sql = kind.sql("1.0")
    assert sql and not re.search(r"\b_row\b", sql), "rules use only the standard's columns"
    cur = shape.execute(sql)
    columns = [d[0] for d in cur.description]
    assert columns[:4] == list(REQUIRED_COLUMNS)
    assert cur.fetchall() == []
    params = {n for _, n, _, _ in string.Formatter().parse(kind.message) if n}
    supplied = {"table", "field", "row", "value", *columns[4:]}
    assert params <= supplied, f"{kind.code}: the message needs {sorted(params - supplied)}"


def test_rule_severities_follow_the_guidance() -> None:
    kinds = catalogue("1.0")
    assert kinds["interview-late"].severity.value == "warning"
    for code in ("uasc-under-10", "nrm-cg-within-30-days", "episode-not-looked-after", "episode-longer-than-year"):
        assert kinds[code].severity.value == "query"
