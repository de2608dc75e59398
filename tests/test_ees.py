"""``mcds check-ees``: the files ``mcds stats`` writes pass, and every check fails on a file
broken on purpose in the way it looks for."""

from __future__ import annotations

import csv
import io
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from mcds.cli import main
from mcds.stats import run
from mcds.stats.check_ees import CHECKS, STAGE_METHODS, STAGES, check_ees

ROOT = Path(__file__).resolve().parent.parent
DATA, META = "missing_from_care.csv", "missing_from_care.meta.csv"


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ees") / "good"
    run([ROOT / "fixtures" / "valid" / "kent", ROOT / "fixtures" / "valid" / "manchester"], out)
    return out


def read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))
    return list(reader.fieldnames or []), list(reader)


def write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, header, lineterminator="\n", extrasaction="ignore")
    w.writeheader()
    w.writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def edit(file: str, change: Callable[[list[str], list[dict[str, str]]], None]) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        header, rows = read(folder / file)
        change(header, rows)
        write(folder / file, header, rows)
    return apply


def first(rows: list[dict[str, str]], **where: str) -> dict[str, str]:
    return next(r for r in rows if all(r[k] == v for k, v in where.items()))


def rename(old: str, new: str) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        (folder / DATA).rename(folder / f"{old}.csv")
        (folder / META).rename(folder / f"{new}.meta.csv")
    return apply


def drop_column(file: str, column: str) -> Callable[[Path], None]:
    return edit(file, lambda h, rows: h.remove(column))


def set_cell(file: str, column: str, value: str, **where: str) -> Callable[[Path], None]:
    return edit(file, lambda h, rows: first(rows, **where).__setitem__(column, value))


def set_all(file: str, column: str, value: str) -> Callable[[Path], None]:
    return edit(file, lambda h, rows: [r.__setitem__(column, value) for r in rows])


def rename_column(old: str, new: str) -> Callable[[Path], None]:
    def apply(folder: Path) -> None:
        edit(DATA, lambda h, rows: [h.__setitem__(h.index(old), new), *(r.__setitem__(new, r[old]) for r in rows)])(folder)
        set_cell(META, "col_name", new, col_name=old)(folder)
    return apply


def add_meta_rows(n: int, **values: str) -> Callable[[Path], None]:
    def change(h: list[str], rows: list[dict[str, str]]) -> None:
        for k in range(n):
            rows.append(dict.fromkeys(h, "") | {"col_type": "Indicator", "label": f"Extra {k}", "indicator_dp": "0"}
                        | {k2: v.format(k=k) for k2, v in values.items()})
    return edit(META, change)


def cumbria(h: list[str], rows: list[dict[str, str]]) -> None:
    for r in rows:
        if r["la_name"] == "Manchester":  # Cumbria's code ended on 31 March 2023
            r.update(old_la_code="909", new_la_code="E10000006", la_name="Cumbria")


BROKEN: dict[str, Callable[[Path], None]] = {
    "ees-no-data-file": lambda f: ((f / DATA).unlink(), (f / META).unlink()),
    "ees-filename-spaces": rename("missing from care", "missing from care"),
    "ees-filename-special": rename("Missing_From_Care", "Missing_From_Care"),
    "ees-filenames-match": lambda f: (f / META).unlink(),
    "ees-unreadable": lambda f: (f / DATA).write_bytes((f / DATA).read_bytes().replace(b"Kent", b"K\xe9nt")),
    "ees-meta-column-missing": drop_column(META, "indicator_unit"),
    "ees-meta-column-invalid": edit(META, lambda h, rows: h.append("notes")),
    "ees-data-column-missing": drop_column(DATA, "country_name"),
    "ees-too-few-columns": add_meta_rows(11, col_name="children_missing"),
    "ees-meta-not-in-data": add_meta_rows(1, col_name="ghost_count"),
    "ees-data-not-in-meta": edit(META, lambda h, rows: rows.remove(first(rows, col_name="children_away"))),
    "ees-column-name": rename_column("children_away", "ChildrenAway"),
    "ees-indicator-smushed": lambda f: (rename_column("children_away", "children_away_yes")(f)),
    "ees-meta-col-type": set_cell(META, "col_type", "Measure", col_name="away_episodes"),
    "ees-meta-observational": add_meta_rows(1, col_name="la_name"),
    "ees-meta-label": set_cell(META, "label", "Children looked after", col_name="children_missing"),
    "ees-meta-wrong-type": set_cell(META, "indicator_dp", "0", col_name="uasc"),
    "ees-indicator-dp": set_cell(META, "indicator_dp", "", col_name="children_missing_percent"),
    "ees-indicator-unit": set_cell(META, "indicator_unit", "days", col_name="missing_duration_median_days"),
    "ees-time-period": set_cell(DATA, "time_period", "2025a", la_name="Kent"),
    "ees-time-identifier": set_all(DATA, "time_identifier", "Collection year"),
    "ees-time-identifier-mix": set_cell(DATA, "time_identifier", "Academic year", la_name="Kent"),
    "ees-filter-single-level": set_all(DATA, "uasc", "Total"),
    "ees-geographic-level": set_cell(DATA, "geographic_level", "County", la_name="Kent"),
    "ees-geography-columns": drop_column(DATA, "la_name"),
    "ees-time-period-digits": set_all(DATA, "time_period", "202425"),
    "ees-filter-default": edit(DATA, lambda h, rows: [r.__setitem__("trafficking_concern", "All")
                                                     for r in rows if r["trafficking_concern"] == "Total"]),
    "ees-filter-blank": set_cell(DATA, "uasc", "", la_name="Kent", uasc="Yes"),
    "ees-filter-whitespace": set_cell(DATA, "uasc", " Yes", la_name="Kent", uasc="Yes"),
    "ees-total-in-observational": set_cell(DATA, "region_name", "Total", geographic_level="Regional"),
    "ees-country": set_all(DATA, "country_name", "Britain"),
    "ees-region": set_cell(DATA, "region_code", "E12000099", geographic_level="Regional"),
    "ees-local-authority": set_cell(DATA, "la_name", "Kentish", la_name="Kent"),
    "ees-geography-blank": set_cell(DATA, "old_la_code", "", la_name="Kent"),
    "ees-geography-overcompleted": set_cell(DATA, "la_name", "Kent", geographic_level="National"),
    "ees-duplicate-row": edit(DATA, lambda h, rows: rows.append(dict(rows[3]))),
    "ees-null-value": set_cell(DATA, "children_away", "NA", la_name="Kent"),
    "ees-indicator-blank": set_cell(DATA, "children_away", "", la_name="Kent"),
    "ees-indicator-legacy-symbol": set_cell(DATA, "children_away", ":", la_name="Kent"),
    "ees-indicator-value": set_cell(DATA, "children_missing_percent", "12%", la_name="Kent"),
    "ees-indicator-decimals": set_cell(DATA, "children_missing", "12.34", la_name="Kent"),
    "ees-api-length": set_cell(META, "label", "A label " * 13, col_name="away_episodes"),
}


def test_every_check_has_a_broken_file() -> None:
    assert set(BROKEN) == set(CHECKS)
    assert tuple(name for name, _ in STAGE_METHODS) == STAGES


def test_what_mcds_stats_writes_passes(good: Path) -> None:
    report = check_ees(good)
    assert report.valid and report.project("code") == []
    assert CliRunner().invoke(main, ["check-ees", str(good)]).exit_code == 0


@pytest.mark.parametrize("code", sorted(BROKEN))
def test_each_check_fails_on_a_file_broken_for_it(good: Path, tmp_path: Path, code: str) -> None:
    folder = tmp_path / "broken"
    shutil.copytree(good, folder)
    BROKEN[code](folder)
    report = check_ees(folder)
    assert code in {c for (c,) in report.project("code")}, report.project("code", "file", "row", "field")
    severity = CHECKS[code].severity.value
    assert report.valid == (severity == "warning")
    r = CliRunner().invoke(main, ["check-ees", str(folder), "--format", "json"])
    assert r.exit_code == (0 if severity == "warning" else 1)


def test_a_council_out_of_operation_fails(good: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cumbria"
    shutil.copytree(good, folder)
    edit(DATA, cumbria)(folder)
    report = check_ees(folder)
    assert {(c, f) for c, f in report.project("code", "field")} == {("ees-local-authority", "new_la_code")}


def test_issues_point_at_the_cell(good: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cell"
    shutil.copytree(good, folder)
    header, rows = read(folder / DATA)
    row = next(k for k, r in enumerate(rows) if r["la_name"] == "Kent")
    rows[row]["children_away"] = "~"
    write(folder / DATA, header, rows)
    col = header.index("children_away") + 1
    letter = chr(64 + col) if col <= 26 else "A" + chr(64 + col - 26)
    assert check_ees(folder).project("code", "file", "row", "column", "field", "value") == [
        ("ees-indicator-legacy-symbol", DATA, row + 2, letter, "children_away", "~")]


def test_a_missing_folder_exits_2(tmp_path: Path) -> None:
    assert CliRunner().invoke(main, ["check-ees", str(tmp_path / "none")]).exit_code == 2
