"""Agreement with Frictionless: on packages with injected structural faults, every fault that
``frictionless.validate`` reports is reported by mcds at the same table, row and field."""

from __future__ import annotations

import csv
import random
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mcds

frictionless = pytest.importorskip("frictionless")

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "valid" / "manchester"

# (table, field, bad value or a callable making one from the row, what it is)
FAULTS = [
    ("missing_episodes", "start_date", "31/12/2024", "date in another form"),
    ("missing_episodes", "end_date", "2024-02-30", "date that does not exist"),
    ("placements", "start_date", "2024-13-01", "month 13"),
    ("children", "birth_year_month", "2010-13", "month 13"),
    ("children", "uasc", "yes", "boolean in another form"),
    ("missing_episodes", "reported_to_police", "Y", "boolean in another form"),
    ("missing_episodes", "start_time", "9am", "time in another form"),
    ("children", "sex", "X", "code outside the codelist"),
    ("missing_episodes", "episode_type", "Missing", "code in the wrong case"),
    ("placements", "placement_type", "ZZ", "code outside the codelist"),
    ("return_interviews", "accepted", "maybe", "boolean in another form"),
    ("children", "sex", "", "required value missing"),
    ("missing_episodes", "start_date", "", "required value missing"),
    ("placements", "legal_status", "", "required value missing"),
    ("children", "child_id", "not an id!", "pattern"),
    ("missing_episodes", "episode_id", "@dup", "duplicate primary key"),
    ("placements", "placement_id", "@dup", "duplicate primary key"),
    ("missing_episodes", "child_id", "nobody", "broken foreign key"),
    ("interview_episodes", "episode_id", "E999999", "broken foreign key"),
    ("return_interviews", "child_id", "nobody", "broken foreign key"),
]


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows([header, *rows])


def inject(folder: Path, faults: list[tuple[str, str, str]], rng: random.Random) -> None:
    """Put each fault into a different random row of its table."""
    used: set[tuple[str, int]] = set()
    for table, field, bad in faults:
        path = folder / f"{table}.csv"
        header, rows = _read(path)
        col = header.index(field)
        n = rng.randrange(1, len(rows))
        while (table, n) in used:
            n = rng.randrange(1, len(rows))
        used.add((table, n))
        rows[n][col] = rows[n - 1][col] if bad == "@dup" else bad
        _write(path, header, rows)


def frictionless_places(folder: Path) -> set[tuple[str, int | None, str | None]]:
    report = frictionless.validate(str(folder / "datapackage.json"))
    out = set()
    for task in report.tasks:
        for e in task.errors:
            d = e.to_descriptor()
            out.add((task.name, d.get("rowNumber"), d.get("fieldName")))
    return out


def mcds_places(folder: Path) -> tuple[set[tuple], set[tuple]]:
    report = mcds.validate(folder)
    cells = {(t, r, f) for t, r, f in report.project("table", "row", "field")}
    rows = {(t, r) for t, r, _ in cells}
    return cells, rows


def assert_agree(folder: Path) -> set[tuple]:
    theirs = frictionless_places(folder)
    cells, rows = mcds_places(folder)
    for table, row, field in theirs:
        if field is None:  # a row error (primary or foreign key): Frictionless names no field
            assert (table, row) in rows, f"frictionless reports {table} row {row}; mcds does not"
        else:
            assert (table, row, field) in cells, f"frictionless reports {table} row {row} {field}; mcds does not"
    return theirs


@pytest.fixture
def package(tmp_path: Path) -> Path:
    folder = tmp_path / "pkg"
    shutil.copytree(FIXTURE, folder)
    return folder


def test_valid_fixture_agrees(package: Path) -> None:
    assert frictionless_places(package) == set()
    assert mcds.validate(package).valid


@pytest.mark.parametrize("fault", FAULTS, ids=lambda f: f"{f[0]}.{f[1]}-{f[3].replace(' ', '-')}")
def test_each_fault_kind(package: Path, fault: tuple[str, str, str, str]) -> None:
    table, field, bad, _ = fault
    inject(package, [(table, field, bad)], random.Random(7))
    theirs = assert_agree(package)
    assert theirs, "the injected fault must be one Frictionless sees"


def test_every_fault_at_once(package: Path) -> None:
    inject(package, [f[:3] for f in FAULTS], random.Random(11))
    assert len(assert_agree(package)) >= len(FAULTS)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(FAULTS), min_size=1, max_size=6), st.integers(0, 10_000))
def test_random_faults(tmp_path_factory: pytest.TempPathFactory, faults: list, seed: int) -> None:
    folder = tmp_path_factory.mktemp("pkg") / "p"
    shutil.copytree(FIXTURE, folder)
    inject(folder, [f[:3] for f in faults], random.Random(seed))
    assert_agree(folder)
