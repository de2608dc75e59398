"""Many submissions validated at once (mcds.validation.group), as ``mcds stats`` does.

A group may only call a submission valid when the validator does, and its statistics must be the
ones each submission gives on its own. The conformance suite holds a case for every code the
validator emits, so each case is checked alone and inside a group beside valid data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import mcds
from mcds import render
from mcds.stats import _parts_of
from mcds.stats.compute import group_parts, part
from mcds.stats.config import indicators
from mcds.stats.load import InvalidSubmission, load_package
from mcds.submission import read_csv_package, write_csv_package
from mcds.validation.group import Group, _plan

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures" / "valid"
SUITES = [ROOT / "standard" / v / "conformance" for v in ("1.0", "1.1")]  # each version's, against its own rules
CASES = [p for suite in SUITES for p in sorted(suite.iterdir()) if p.is_dir()]


def _id(case: Path) -> str:
    return f"{case.parent.parent.name}/{case.name}"
ALSO = tuple(i.sql for i in indicators().values() if i.sql)


def _input(case: Path) -> Path:
    inp = case / "input"
    if (inp / "datapackage.json").is_file():
        return inp
    return next(p for p in inp.iterdir() if p.is_file())


def _valid(case: Path) -> bool:
    return bool(json.loads((case / "expected.json").read_text(encoding="utf-8"))["valid"])


def _proven(*paths: Path) -> tuple[list[bool], bool]:
    g = Group(also=ALSO)
    try:
        joined = [g.add(p) for p in paths]
        return joined, g.check()
    finally:
        g.close()


@pytest.mark.sample(3)
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_a_group_of_one_agrees_with_the_validator(case: Path) -> None:
    joined, proven = _proven(_input(case))
    assert (joined[0] and proven) is _valid(case)


@pytest.mark.sample(3)
@pytest.mark.parametrize("case", CASES, ids=_id)
def test_a_case_beside_valid_data_is_found_or_left_to_the_validator(case: Path) -> None:
    """Between two valid returns of the same period (the suite's base case, from which every case
    is made, so with the same identifiers), the case's fault is still found: the group is not proven
    valid, or the case did not join and is validated on its own. The fault is never in the first
    member, whose metadata row the rules reading tables see."""
    base = _input(case.parent / "valid-base")
    joined, proven = _proven(base, _input(case), _input(case.parent / "valid-base-json"))
    assert joined[0] and joined[2]
    if not _valid(case):
        assert not (joined[1] and proven)
    else:
        assert joined[1] and proven


@pytest.mark.parametrize("suite", SUITES, ids=lambda p: p.parent.name)
def test_most_cases_join_a_group_of_the_base_case(suite: Path) -> None:
    """Else the test above would prove little: faults are found inside the group, not left out of it."""
    base = _input(suite / "valid-base")
    g = Group(also=ALSO)
    try:
        g.add(base)
        joined = [c.name for c in CASES if c.parent == suite and g.add(_input(c))]
    finally:
        g.close()
    assert len(joined) >= 30, joined
    assert {"council-not-in-operation", "council-codes-mismatch", "episodes-overlap", "primary-key-duplicate",
            "foreign-key-missing", "codelist-value", "required-missing"} <= set(joined)


def _same_ids_other_council(tmp_path: Path) -> Path:
    """Kent's return under Manchester's council codes: every identifier the same as Kent's."""
    sub = read_csv_package(FIXTURES / "kent")
    other = read_csv_package(FIXTURES / "manchester")
    sub.metadata["old_la_code"], sub.metadata["new_la_code"] = other.metadata["old_la_code"], other.metadata["new_la_code"]
    write_csv_package(sub, tmp_path / "twin")
    return tmp_path / "twin"


def test_identifiers_repeated_between_submissions_are_not_faults(tmp_path: Path) -> None:
    """Merged naively, the twin's episodes would repeat Kent's keys and overlap its episodes."""
    twin = _same_ids_other_council(tmp_path)
    assert mcds.validate(twin).valid
    joined, proven = _proven(FIXTURES / "kent", twin, FIXTURES / "kent.json")
    assert joined == [True, True, True]
    assert proven


def _projection(p):  # type: ignore[no-untyped-def]
    c = p.council
    return (c.new_la_code, c.period_start, c.period_end, sorted(c.not_collected), c.rows, c.months, p.children)


def _alone(path: Path):  # type: ignore[no-untyped-def]
    pkg = load_package(path)
    try:
        return part(pkg)
    finally:
        pkg.close()


def test_statistics_of_a_group_are_those_of_each_submission_alone(tmp_path: Path) -> None:
    paths = [FIXTURES / "kent", _same_ids_other_council(tmp_path), FIXTURES / "croydon.json", FIXTURES / "manchester"]
    g = Group(also=ALSO)
    try:
        assert all(g.add(p) for p in paths)
        assert g.check()
        together = group_parts(g)
    finally:
        g.close()
    assert [_projection(p) for p in together] == [_projection(_alone(p)) for p in paths]  # type: ignore[union-attr]


def test_a_submission_of_another_reporting_period_is_left_to_validate_alone(earlier_return: Path) -> None:
    joined, proven = _proven(FIXTURES / "croydon", earlier_return)
    assert joined == [True, False]
    assert proven
    results = _parts_of([FIXTURES / "croydon", earlier_return], None)
    assert [r[0] for r in results] == ["ok", "ok"]
    assert results[1][1].council.period_end.isoformat() == "2024-03-31"


def test_an_invalid_submission_among_valid_ones_gets_the_validators_report(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    sub = read_csv_package(FIXTURES / "manchester")
    sub.tables["missing_episodes"][0]["end_date"] = "2000-01-01"  # ends before it starts: a rule, found at the end
    write_csv_package(sub, bad)
    paths = [FIXTURES / "kent", bad, FIXTURES / "croydon"]
    joined, proven = _proven(*paths)
    assert joined == [True, True, True]
    assert not proven
    results = _parts_of(paths, None)
    assert [r[0] for r in results] == ["ok", "invalid"]  # stops at the first invalid submission
    assert results[1][2] == render.text(mcds.validate(bad))
    with pytest.raises(InvalidSubmission):
        raise InvalidSubmission(Path(results[1][1]), results[1][2])


def test_unreadable_input_does_not_join_and_keeps_its_own_error(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    joined, proven = _proven(FIXTURES / "kent", tmp_path / "empty")
    assert joined == [True, False] and proven
    results = _parts_of([FIXTURES / "kent", tmp_path / "empty"], None)
    assert [r[0] for r in results] == ["ok", "input"]


def test_rules_that_read_only_metadata_run_over_every_members_metadata() -> None:
    """The members must agree on what the table rules and indicators read of the metadata (the
    reporting period), not on the council: rules about the council run over each member's row."""
    plan = _plan("1.0", ALSO)
    assert set(plan.shared) == {"period_start", "period_end"}
    meta_only = " ".join(plan.metadata_rules)
    assert "old_la_code" in meta_only and "new_la_code" in meta_only
    assert plan.key_fields == {"child_id", "placement_id", "episode_id", "interview_id"}


def test_a_group_is_checked_once_and_takes_nothing_after() -> None:
    g = Group()
    try:
        assert g.add(FIXTURES / "kent")
        assert g.check()
        with pytest.raises(RuntimeError):
            g.add(FIXTURES / "croydon")
        with pytest.raises(RuntimeError):
            g.check()
    finally:
        g.close()


def _mixed_line_ends(tmp_path: Path) -> Path:
    """Manchester's return with one file's lines ended two ways (valid; DuckDB's fast read cannot
    vouch for its row numbers, so the file is read on its own)."""
    folder = tmp_path / "mixed"
    write_csv_package(read_csv_package(FIXTURES / "manchester"), folder)
    f = folder / "missing_episodes.csv"
    lines = f.read_bytes().split(b"\n")
    f.write_bytes(b"\r\n".join(lines[:3]) + b"\n" + b"\n".join(lines[3:]))
    assert mcds.validate(folder).valid
    return folder


def _file_rows(folder: Path, table: str) -> int:
    return len((folder / f"{table}.csv").read_bytes().splitlines()) - 1


def test_rows_are_numbered_as_in_each_file(tmp_path: Path) -> None:
    """Each table of the CSV members is read by one statement; a file given twice, or one that
    statement cannot vouch for, is read on its own. Either way every row keeps its own submission
    and its row number in its own file (header = 1)."""
    mixed = _mixed_line_ends(tmp_path)
    paths = [FIXTURES / "kent", FIXTURES / "croydon.json", mixed, FIXTURES / "kent", FIXTURES / "croydon"]
    g = Group(also=ALSO)
    try:
        assert all(g.add(p) for p in paths)
        assert g.check()
        for table in ("children", "missing_episodes", "return_interviews"):
            found = {pkg: (n, lo, hi) for pkg, n, lo, hi in g.con.execute(
                f"SELECT _pkg, count(*), min(_row), max(_row) FROM grp.{table} GROUP BY _pkg").fetchall()}
            assert found.keys() == {0, 1, 2, 3, 4}
            for pkg, p in enumerate(paths):
                if p.is_dir():
                    n = _file_rows(p, table)
                    assert found[pkg] == (n, 2, n + 1), (table, p.name)
            # and in each row, the cells of that row of that file
            assert g.con.execute(f"SELECT count(DISTINCT _row) = count(*) FROM grp.{table} WHERE _pkg = 2").fetchone()[0]
        first = g.con.execute("SELECT episode_id FROM grp.missing_episodes WHERE _pkg = 2 AND _row = 2").fetchone()[0]
        with open(mixed / "missing_episodes.csv", newline="", encoding="utf-8") as fh:
            assert first == "2|" + fh.read().splitlines()[1].split(",")[0]
        together = group_parts(g)
    finally:
        g.close()
    assert [_projection(p) for p in together] == [_projection(_alone(p)) for p in paths]  # type: ignore[union-attr]


@pytest.mark.parametrize("fault", ["blank line", "extra cell", "utf-16"])
def test_a_file_the_shared_read_cannot_take_is_read_alone(tmp_path: Path, fault: str) -> None:
    """A blank line or a ragged row in one member's file: the group is not proven valid (the
    validator reports the row). A file in another encoding is read alone, as the validator reads it."""
    folder = tmp_path / "odd"
    write_csv_package(read_csv_package(FIXTURES / "manchester"), folder)
    f = folder / "placements.csv"
    text = f.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    if fault == "blank line":
        f.write_text("".join([*lines[:2], "\n", *lines[2:]]), encoding="utf-8")
    elif fault == "extra cell":
        f.write_text("".join([*lines[:2], lines[2].rstrip("\r\n") + ",x\n", *lines[3:]]), encoding="utf-8")
    else:
        f.write_bytes(text.encode("utf-16"))  # with its byte-order mark
    valid = mcds.validate(folder).valid
    assert valid is (fault == "utf-16")
    joined, proven = _proven(FIXTURES / "kent", folder, FIXTURES / "croydon")
    assert joined == [True, True, True]
    assert proven is valid


@pytest.mark.parametrize(("n", "workers"), [(1, 1), (3, 1), (150, 1), (150, 2), (301, 2), (5, 8), (100, 8)])
def test_runs_cover_every_package_in_order_in_bounded_groups(n: int, workers: int) -> None:
    from mcds.stats import RUN_MAX, _runs

    runs = _runs(list(range(n)), workers)
    assert [p for run in runs for p in run] == list(range(n))
    assert all(0 < len(run) <= RUN_MAX for run in runs)
    assert len(runs) >= min(n, 2 * workers if workers > 1 else 1)
    assert max(map(len, runs)) - min(map(len, runs)) <= 1


def test_runs_one_after_another_stop_at_the_first_invalid_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import mcds.stats as stats

    bad = tmp_path / "bad"
    sub = read_csv_package(FIXTURES / "manchester")
    sub.tables["missing_episodes"][0]["end_date"] = "2000-01-01"
    write_csv_package(sub, bad)
    monkeypatch.setattr(stats, "RUN_MAX", 1)
    seen: list[list[Path]] = []
    real = stats._parts_of

    def spy(paths, version, in_worker=False, cfg=None):  # type: ignore[no-untyped-def]
        seen.append(list(paths))
        return real(paths, version, in_worker, cfg)

    monkeypatch.setattr(stats, "_parts_of", spy)
    with pytest.raises(InvalidSubmission) as info:
        stats._parts([FIXTURES / "kent", bad, FIXTURES / "croydon"], None, workers=1)
    assert info.value.path == bad
    assert seen == [[FIXTURES / "kent"], [bad]]  # the run after the invalid package never started
