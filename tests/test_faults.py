"""A file full of faults is one finding, fast (issue 16): a column that fails one cell check the same way
throughout is one ``column-fault`` with the exact count and the first rows; the rules skip the records
whose values failed their checks; a report lists at most ``max_issues`` of each code and counts every one;
the JSON report streams. Version 1.0, released before all this, keeps listing every cell."""

from __future__ import annotations

import csv
import importlib
import io
import json
import re
import shutil
from pathlib import Path

import duckdb
import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mcds
from mcds import engine, render
from mcds import standard as std
from mcds.cli import main
from mcds.validation.cells import create_codelists, type_valid_sql
from mcds.validation.faults import FIRST_ROWS, MIN_COLUMN, check_cells

ROOT = Path(__file__).resolve().parent.parent
KENT = ROOT / "fixtures" / "valid" / "kent"  # version 1.1
KENT_10 = ROOT / "fixtures" / "1.0" / "kent"
SCHEMA = {v: json.loads((ROOT / "standard" / v / "report.schema.json").read_text(encoding="utf-8")) for v in ("1.0", "1.1")}


def day_first(value: str) -> str:
    y, m, d = value.split("-")
    return f"{d}/{m}/{y}"


def rewrite(src: Path, dest: Path, table: str, field: str, change, rows=None) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    """A copy of the package ``src`` with ``change`` applied to ``field`` of ``table`` in the data rows
    ``rows`` (their row numbers, the header being row 1; None: every row that has a value); the rows
    changed, with their new values."""
    shutil.copytree(src, dest)
    path = dest / f"{table}.csv"
    with open(path, newline="", encoding="utf-8") as fh:
        lines = list(csv.reader(fh))
    at = lines[0].index(field)
    changed = []
    for n, line in enumerate(lines[1:], start=2):
        if line[at] and (rows is None or n in rows):
            line[at] = change(line[at])
            changed.append((n, line[at]))
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(lines)
    return changed


def of(report: mcds.Report, code: str) -> list[mcds.Issue]:
    return [i for i in report.issues if i.code == code]


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[tuple[int, str]]]:
    """Kent with every missing episode's start date written dd/mm/yyyy."""
    dest = tmp_path_factory.mktemp("faulty") / "kent"
    return dest, rewrite(KENT, dest, "missing_episodes", "start_date", day_first)


def test_a_column_written_day_first_is_one_finding_with_the_exact_count_and_first_rows(faulty) -> None:  # type: ignore[no-untyped-def]
    path, changed = faulty
    report = mcds.validate(path)
    [fault] = of(report, "column-fault")
    assert len(changed) > MIN_COLUMN
    assert fault.count == len(changed)
    assert fault.rows == tuple(n for n, _ in changed[:FIRST_ROWS])
    assert fault.value == changed[0][1]
    loc = fault.location
    assert (loc.table, loc.file, loc.field, loc.row, loc.column) == ("missing_episodes", "missing_episodes.csv",
                                                                     "start_date", None, "E")
    assert f"{len(changed):,} values of start_date" in fault.message and "type-error" in fault.message
    assert not [i for i in report.issues if i.code == "type-error" and i.location.field == "start_date"]
    assert not report.valid
    d = fault.to_dict()
    assert d["count"] == len(changed) and d["rows"] == list(fault.rows)


def test_a_mixed_column_stays_cell_by_cell(tmp_path: Path) -> None:
    """Day-first dates in fewer than half the rows, however many: each listed where it is."""
    with open(KENT / "missing_episodes.csv", newline="", encoding="utf-8") as fh:
        total = sum(1 for _ in fh) - 1
    rows = set(range(2, 2 + total // 2 - 1))  # just under half
    changed = rewrite(KENT, tmp_path / "kent", "missing_episodes", "start_date", day_first, rows)
    assert len(changed) >= MIN_COLUMN
    report = mcds.validate(tmp_path / "kent")
    assert not of(report, "column-fault")
    got = [(i.location.row, i.value) for i in of(report, "type-error") if i.location.field == "start_date"]
    assert got == changed


def test_two_ways_of_failing_are_two_groups(tmp_path: Path) -> None:
    """Most rows day first, a few as words: the day-first dates are the column fault, the words listed by cell."""
    words = {5, 9, 14}
    changed = rewrite(KENT, tmp_path / "kent", "missing_episodes", "start_date",
                      lambda v: "unknown", words)
    shutil.rmtree(tmp_path / "kent2", ignore_errors=True)
    day = rewrite(tmp_path / "kent", tmp_path / "kent2", "missing_episodes", "start_date",
                  lambda v: v if v == "unknown" else day_first(v))
    report = mcds.validate(tmp_path / "kent2")
    [fault] = of(report, "column-fault")
    assert fault.count == len(day) - len(words)
    assert [(i.location.row, i.value) for i in of(report, "type-error")] == changed


def test_a_column_under_the_minimum_is_listed_by_cell(tmp_path: Path) -> None:
    base = ROOT / "standard" / "1.1" / "conformance" / "valid-base" / "input"
    changed = rewrite(base, tmp_path / "base", "missing_episodes", "start_date", day_first)
    assert 0 < len(changed) < MIN_COLUMN
    report = mcds.validate(tmp_path / "base")
    assert not of(report, "column-fault")
    assert [(i.location.row, i.value) for i in of(report, "type-error")] == changed


def test_version_1_0_lists_every_cell(tmp_path: Path) -> None:
    """1.0 is released: it has no column-fault, so it keeps its type error per cell, and its rules run on every row."""
    changed = rewrite(KENT_10, tmp_path / "kent", "missing_episodes", "start_date", day_first)
    assert len(changed) > MIN_COLUMN
    report = mcds.validate(tmp_path / "kent")
    assert report.standard_version == "1.0" and not of(report, "column-fault")
    assert [(i.location.row, i.value) for i in of(report, "type-error")] == changed
    shutil.rmtree(tmp_path / "kent")
    rewrite(KENT_10, tmp_path / "kent", "placements", "start_date", day_first)
    assert of(mcds.validate(tmp_path / "kent"), "episode-not-looked-after")  # the knock-on, as 1.0 always gave it


def test_rules_skip_the_records_whose_values_failed(tmp_path: Path) -> None:
    """Every placement's start date day first: before, every episode was 'on no day of a placement' (a knock-on
    query per episode); now the column fault only, and the rules that read other fields still run."""
    rewrite(KENT, tmp_path / "kent", "placements", "start_date", day_first)
    report = mcds.validate(tmp_path / "kent")
    assert [(i.code, i.location.field) for i in report.issues if i.severity.value != "warning"] == [
        ("column-fault", "start_date")]
    clean = mcds.validate(KENT)
    assert len(of(report, "interview-late")) == len(of(clean, "interview-late")) > 0  # reads no placement date
    import mcds.validation.faults as faults

    original = faults.rule_sql
    try:  # the same run with the rules on every row: the knock-on queries the skipping saves
        faults.rule_sql = lambda *a, **k: None
        assert of(mcds.validate(tmp_path / "kent"), "episode-not-looked-after")
    finally:
        faults.rule_sql = original


def test_a_rule_still_fires_on_other_childrens_records(tmp_path: Path) -> None:
    """One child's placement date fails: that child's records are not checked, every other child's are."""
    base = ROOT / "standard" / "1.1" / "conformance" / "valid-base" / "input"
    shutil.copytree(base, tmp_path / "p")
    path = tmp_path / "p" / "placements.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace("P1,C1,2021-01-01,2025-06-30", "P1,C1,01/01/2021,2025-06-30")  # C1's placement
    text = text.replace("P3,C2,2024-06-01,,", "P3,C2,2025-10-01,,")  # C2's episode E3 (1 Sep 2025) before it
    path.write_text(text, encoding="utf-8")
    got = sorted(mcds.validate(tmp_path / "p").project("code", "table", "row", "field"))
    assert got == [("episode-not-looked-after", "missing_episodes", 4, "start_date"),
                   ("type-error", "placements", 2, "start_date")]


# ---------------------------------------------------------------------------------------------- listing limits


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Kent with many issues of several codes, none a column fault: day-first start dates in just under half
    the episodes, and a sex code in lower case in every other child."""
    dest = tmp_path_factory.mktemp("many")
    rewrite(KENT, dest / "a", "missing_episodes", "start_date", day_first, set(range(2, 100)))
    rewrite(dest / "a", dest / "kent", "children", "sex", str.lower, set(range(2, 400, 2)))
    return dest / "kent"


def test_validity_and_counts_are_the_same_whatever_is_listed(many: Path, faulty) -> None:  # type: ignore[no-untyped-def]
    for path in (many, faulty[0], KENT):
        full = mcds.validate(path)
        assert not full.truncated
        for limit in (1, 3):
            cut = mcds.validate(path, max_issues=limit)
            assert cut.valid is full.valid
            assert cut.counts == full.counts and cut.by_code == full.by_code
            assert cut.truncated == len(full.issues) - len(cut.issues)
            listed: dict[str, list] = {}
            for i in cut.issues:
                listed.setdefault(i.code, []).append(i.to_dict())
            for code, items in listed.items():  # the first of each code, in the report's order
                assert items == [i.to_dict() for i in full.issues if i.code == code][:limit]


def test_cli_json_with_max_issues_1_counts_exactly_and_follows_the_schema(many: Path) -> None:
    full = mcds.validate(many)
    result = CliRunner().invoke(main, ["validate", str(many), "--format", "json", "--max-issues", "1"])
    assert result.exit_code == 1, result.output
    d = json.loads(result.stdout)
    jsonschema.validate(d, SCHEMA["1.1"])
    assert d["counts_by_code"] == dict(sorted(full.by_code.items()))
    assert d["counts"] == full.counts
    assert len(d["issues"]) == len(full.by_code)  # one of each code
    assert d["truncated"] == len(full.issues) - len(d["issues"])
    assert any(f"{d['truncated']:,} of the {len(full.issues):,} issues are counted but not listed" in n for n in d["notes"])
    everything = json.loads(CliRunner().invoke(main, ["validate", str(many), "--format", "json", "--all"]).stdout)
    jsonschema.validate(everything, SCHEMA["1.1"])
    assert len(everything["issues"]) == len(full.issues) and "truncated" not in everything


def test_cli_json_of_a_column_fault_follows_the_schema(faulty) -> None:  # type: ignore[no-untyped-def]
    path, changed = faulty
    d = json.loads(CliRunner().invoke(main, ["validate", str(path), "--format", "json"]).stdout)
    jsonschema.validate(d, SCHEMA["1.1"])
    [fault] = [i for i in d["issues"] if i["code"] == "column-fault"]
    assert fault["count"] == len(changed) and fault["rows"] == [n for n, _ in changed[:FIRST_ROWS]]


def test_version_1_0_report_keeps_its_schema_when_cut(tmp_path: Path) -> None:
    """1.0's report schema has no truncated: a 1.0 report that lists less says so in a note."""
    changed = rewrite(KENT_10, tmp_path / "kent", "missing_episodes", "start_date", day_first)
    result = CliRunner().invoke(main, ["validate", str(tmp_path / "kent"), "--format", "json", "--max-issues", "2"])
    d = json.loads(result.stdout)
    jsonschema.validate(d, SCHEMA["1.0"])
    assert d["counts"]["error"] == len(changed) and "truncated" not in d
    assert sum(i["code"] == "type-error" for i in d["issues"]) == 2
    assert any("counted but not listed" in n for n in d["notes"])


def test_text_report_says_what_is_not_listed_and_all_shows_every_location(many: Path) -> None:
    full = mcds.validate(many)
    n = full.by_code["codelist-value"]
    assert n > 5
    out = CliRunner().invoke(main, ["validate", str(many), "--max-issues", "2"]).stdout
    assert re.search(rf"^error +codelist-value .*\({n:,}\)$", out, re.M)
    assert f"... and {n - 2:,} more, not listed: --max-issues N lists more, --all every one" in out
    assert "counted but not listed" in out
    default = CliRunner().invoke(main, ["validate", str(many)]).stdout
    assert f"... and {n - 5:,} more\n" in default  # all listed, five shown
    every = CliRunner().invoke(main, ["validate", str(many), "--all"]).stdout
    located = re.findall(r"^  - children\.csv, row \d+, column \w+ \(sex\)", every, re.M)
    assert len(located) == n and "not listed" not in every
    both = CliRunner().invoke(main, ["validate", str(many), "--all", "--max-issues", "3"])
    assert both.exit_code == 2 and "not both" in both.output


def test_json_report_streams_one_issue_at_a_time(many: Path) -> None:
    report = mcds.validate(many)
    writes: list[int] = []

    class Recorder(io.StringIO):
        def write(self, s: str) -> int:
            writes.append(len(s))
            return super().write(s)

    buf = Recorder()
    render.write_json(report, buf)
    d = report.to_dict()
    d["source"] = report.source
    assert buf.getvalue() == json.dumps(d, indent=2) + "\n"  # the same text as the whole report dumped at once
    biggest = max(len(json.dumps(i.to_dict(), indent=2)) for i in report.issues)
    assert len(report.issues) > 100 and max(writes) <= 2 * biggest and sum(writes) > 50 * max(writes)
    assert render.json_text(report, ensure_ascii=True) == json.dumps(d, indent=2, ensure_ascii=True) + "\n"


def test_listing_is_bounded_while_running(many: Path) -> None:
    """The validator never holds more than a bounded number of issues of a code before it cuts them."""
    v = importlib.import_module("mcds.validate")  # the module (mcds.validate is also the function)

    peak = {"n": 0}
    original = v._Listing.add

    def add(self, issue):  # type: ignore[no-untyped-def]
        original(self, issue)
        peak["n"] = max(peak["n"], max(len(k) for k in self.by_code.values()))

    v._Listing.add = add  # type: ignore[method-assign]
    try:
        report = v.validate(many, max_issues=3)
    finally:
        v._Listing.add = original  # type: ignore[method-assign]
    assert report.truncated > 100 and peak["n"] <= 2 * 3 + 64


# ---------------------------------------------------------------------------------------------- the grouping


S = std.load("1.1")
TABLE = S.tables["missing_episodes"]
FIELD = "start_date"
BASE_ROW = {"episode_id": "E1", "child_id": "C1", "placement_id": "P1", "episode_type": "missing",
            "start_date": "2025-05-01", "end_date": "2025-05-02", "reported_to_police": "true",
            "highest_police_risk_level": "medium", "end_reason": "found_by_police", "found_location": "in_council_area"}
CELL = st.one_of(
    st.just(None),
    st.dates().map(lambda d: d.isoformat()),  # valid
    st.dates().map(lambda d: d.strftime("%d/%m/%Y")),  # day first
    st.dates().map(lambda d: f"{d.day}/{d.month}/{d.year}"),  # day first without leading zeros: other forms
    st.sampled_from(["unknown", "N/A", "2025-13-01", "2025-02-30", "TBC"]),
)


def _form(value: str | None) -> str:
    return re.sub("[A-Z]", "A", re.sub("[a-z]", "a", re.sub("[0-9]", "9", value or "")))


@pytest.fixture(scope="module")
def con() -> duckdb.DuckDBPyConnection:
    c = engine.connect()
    create_codelists(c, S)
    return c


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(CELL, min_size=1, max_size=80))
def test_grouping_follows_its_definition(con: duckdb.DuckDBPyConnection, values: list[str | None]) -> None:
    """A group (a code and a form of value) is a column fault when it has at least MIN_COLUMN findings and more
    than half the column's values (its rows, for a value missing); every other finding is listed by cell."""
    names = TABLE.field_names
    cols = {f: f"c{i}" for i, f in enumerate(names, start=1)}
    con.execute("CREATE OR REPLACE TABLE raw_t (_row INTEGER, " + ", ".join(f"{c} VARCHAR" for c in cols.values()) + ")")
    rows = [[n, *({**BASE_ROW, "episode_id": f"E{n}", FIELD: v}.get(f) for f in names)]
            for n, v in enumerate(values, start=2)]
    con.executemany(f"INSERT INTO raw_t VALUES ({', '.join('?' * (len(names) + 1))})", rows)
    result = check_cells(con, S, TABLE, cols, "raw_t", absent_is_empty=False, limit=None)

    valid = {v for (v,) in con.execute(
        f"SELECT c FROM (SELECT unnest(?) AS c) WHERE c IS NOT NULL AND {type_valid_sql(TABLE.field(FIELD), 'c')}",
        [[v for v in values if v]]).fetchall()}
    findings = [("required-missing" if v is None else "type-error", n, v) for n, v in enumerate(values, start=2)
                if v is None or v not in valid]
    groups: dict[tuple[str, str], list[tuple[int, str | None]]] = {}
    for code, n, v in findings:
        groups.setdefault((code, _form(v)), []).append((n, v))
    filled = sum(v is not None for v in values)
    faults = {key: found for key, found in groups.items()
              if len(found) >= MIN_COLUMN and 2 * len(found) > (len(values) if key[0] == "required-missing" else filled)}
    got = {(c.code, c.form): (c.count, c.rows, c.value) for c in result.columns if c.field == FIELD}
    assert got == {key: (len(f), tuple(n for n, _ in f[:FIRST_ROWS]), f[0][1]) for key, f in faults.items()}
    faulted = {n for f in faults.values() for n, _ in f}
    listed = sorted((c.code, c.row, c.value) for c in result.listed if c.field == FIELD)
    assert listed == sorted((code, n, v) for code, n, v in findings if n not in faulted)
    assert not result.unlisted  # nothing held back without a limit
