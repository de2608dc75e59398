"""Deprecated fields (standard/VERSIONING.md, Deprecation): a submission may leave a deprecated field out
(its cells count as empty), an empty one draws no warning, and a field that holds a value draws one
``field-deprecated`` warning per table, at its first value. In every form, and the group validator agrees.

Built from the 1.1 conformance suite's base case, whose deprecated columns are present and empty."""

from __future__ import annotations

import csv
import dataclasses
import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

import mcds
from mcds import standard as std
from mcds.issues import column_letter
from mcds.submission import Submission, read_csv_package, to_json_document, write_csv_package
from mcds.validation.group import Group
from mcds.workbook import write_workbook

ROOT = Path(__file__).resolve().parent.parent
BASE = {v: ROOT / "standard" / v / "conformance" / "valid-base" / "input" for v in ("1.0", "1.1")}
V = "1.1"
DEPRECATED = [(t.name, f.name) for t in std.load(V).tables.values() for f in t.fields if f.deprecated]
PROJECTION = ("code", "table", "row", "field", "column")


def _base() -> Submission:
    return read_csv_package(BASE[V])


def _with_values(sub: Submission) -> Submission:
    """C2 (row 3) with a deprecated NRM field of the children table, and two episodes (rows 3 and 4) with the
    deprecated police risk level."""
    next(r for r in sub.rows("children") if r["child_id"] == "C2")["nrm_referral_date"] = "2025-05-01"
    for r in sub.rows("missing_episodes"):
        if r["episode_id"] in ("E2", "E3"):
            r["police_risk_level"] = "high"
    return sub


def _column(folder: Path, table: str, field: str) -> str:
    with open(folder / f"{table}.csv", newline="", encoding="utf-8") as fh:
        return column_letter(next(csv.reader(fh)).index(field) + 1)


def _expected_warnings(folder: Path | None) -> list[tuple[object, ...]]:
    """The two warnings of :func:`_with_values`, with their columns as the CSV package has them (None: no columns)."""
    return [("field-deprecated", "children", 3, "nrm_referral_date", folder and _column(folder, "children", "nrm_referral_date")),
            ("field-deprecated", "missing_episodes", 3, "police_risk_level",
             folder and _column(folder, "missing_episodes", "police_risk_level"))]


def _drop_columns(folder: Path, places: list[tuple[str, str]]) -> None:
    for table in {t for t, _ in places}:
        path = folder / f"{table}.csv"
        with open(path, newline="", encoding="utf-8") as fh:
            rows = list(csv.reader(fh))
        keep = [i for i, h in enumerate(rows[0]) if (table, h) not in places]
        with open(path, "w", newline="", encoding="utf-8") as fh:
            csv.writer(fh, lineterminator="\n").writerows([[r[i] for i in keep] for r in rows])


def _drop_sheet_columns(path: Path, places: list[tuple[str, str]]) -> None:
    s = std.load(V)
    wb = load_workbook(path)
    for ws in wb.worksheets:
        table = next((t for t in s.tables.values() if ws.title in (t.name, t.title)), None)
        if table is None:
            continue
        titles = [c.value for c in ws[1]]
        gone = [titles.index(table.field(f).title) + 1 for t, f in places if t == table.name]
        for col in sorted(gone, reverse=True):
            ws.delete_cols(col)
    wb.save(path)


def _write_json(sub: Submission, path: Path, *, drop: bool) -> Path:
    doc = to_json_document(sub)
    if drop:
        for t, f in DEPRECATED:
            for record in doc[t]:
                del record[f]
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _group_agrees(*paths: Path) -> None:
    """The group validator takes every submission and proves it valid, as the validator finds each."""
    assert all(mcds.validate(p).valid for p in paths)
    g = Group()
    try:
        assert all(g.add(p) for p in paths)
        assert g.check()
    finally:
        g.close()


def test_the_base_holds_every_deprecated_column_empty() -> None:
    assert DEPRECATED and {t for t, _ in DEPRECATED} == {"children", "missing_episodes"}
    sub = _base()
    assert all(f in r and r[f] is None for t, f in DEPRECATED for r in sub.rows(t))
    assert all(sub.rows(t) for t, _ in DEPRECATED)


# ---------------------------------------------------------------- CSV package


def test_a_package_without_the_deprecated_columns_is_valid_with_no_issue(tmp_path: Path) -> None:
    shutil.copytree(BASE[V], tmp_path / "pkg")
    _drop_columns(tmp_path / "pkg", DEPRECATED)
    assert mcds.validate(tmp_path / "pkg").project(*PROJECTION) == []
    _group_agrees(tmp_path / "pkg", BASE[V])


def test_some_deprecated_columns_left_out_and_others_empty(tmp_path: Path) -> None:
    shutil.copytree(BASE[V], tmp_path / "pkg")
    _drop_columns(tmp_path / "pkg", DEPRECATED[::2])
    assert mcds.validate(tmp_path / "pkg").project(*PROJECTION) == []


def test_deprecated_columns_present_and_empty_draw_no_warning() -> None:
    assert mcds.validate(BASE[V]).project(*PROJECTION) == []


def test_a_value_draws_one_warning_per_table_at_its_first_row(tmp_path: Path) -> None:
    write_csv_package(_with_values(_base()), tmp_path / "pkg")
    report = mcds.validate(tmp_path / "pkg")
    assert report.project(*PROJECTION) == _expected_warnings(tmp_path / "pkg")
    assert report.valid and {i.severity.value for i in report.issues} == {"warning"}
    assert report.issues[1].value == "high"  # the first value, as any cell issue shows it
    _group_agrees(tmp_path / "pkg", BASE[V])


def test_a_value_with_other_deprecated_columns_left_out(tmp_path: Path) -> None:
    write_csv_package(_with_values(_base()), tmp_path / "pkg")
    _drop_columns(tmp_path / "pkg", [p for p in DEPRECATED if p[1] not in ("nrm_referral_date", "police_risk_level")])
    assert mcds.validate(tmp_path / "pkg").project(*PROJECTION) == _expected_warnings(tmp_path / "pkg")


def test_a_deprecated_field_is_still_checked_and_the_group_finds_it_invalid(tmp_path: Path) -> None:
    sub = _base()
    sub.rows("children")[0]["nrm_referral_date"] = "01/05/2025"  # C1, row 2
    write_csv_package(sub, tmp_path / "pkg")
    col = _column(tmp_path / "pkg", "children", "nrm_referral_date")
    report = mcds.validate(tmp_path / "pkg")
    assert sorted(report.project(*PROJECTION)) == [("field-deprecated", "children", 2, "nrm_referral_date", col),
                                                    ("type-error", "children", 2, "nrm_referral_date", col)]
    assert not report.valid
    g = Group()
    try:
        assert g.add(tmp_path / "pkg") and not g.check()
    finally:
        g.close()


def test_a_misspelt_deprecated_column_is_unknown_with_a_hint_and_not_missing(tmp_path: Path) -> None:
    shutil.copytree(BASE[V], tmp_path / "pkg")
    path = tmp_path / "pkg" / "missing_episodes.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("police_risk_level", "police_risk_levl", 1), encoding="utf-8")
    issues = mcds.validate(tmp_path / "pkg").issues
    assert [(i.code, i.location.table) for i in issues] == [("column-unknown", "missing_episodes")]
    assert "police_risk_level" in issues[0].message


def test_a_required_deprecated_field_left_out_counts_as_empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not in 1.1 (no deprecated field is required), so on a copy of the standard that makes one required."""
    s = std.load(V)
    t = s.tables["missing_episodes"]
    fields = tuple(dataclasses.replace(f, required=True) if f.name == "police_risk_level" else f for f in t.fields)
    patched = dataclasses.replace(s, tables={**s.tables, t.name: dataclasses.replace(t, fields=fields)})
    patched.__dict__["codelists"] = dict(s.codelists)
    monkeypatch.setattr(std, "load", lambda version=None: patched)
    shutil.copytree(BASE[V], tmp_path / "pkg")
    _drop_columns(tmp_path / "pkg", DEPRECATED)
    got = mcds.validate(tmp_path / "pkg").project("code", "table", "row", "field")
    assert got == [("required-missing", "missing_episodes", n, "police_risk_level") for n in (2, 3, 4)]


# ---------------------------------------------------------------- workbook and JSON forms


def test_workbook_without_the_deprecated_columns_is_valid_with_no_issue(tmp_path: Path) -> None:
    path = write_workbook(_base(), tmp_path / "sub.xlsx")
    _drop_sheet_columns(path, DEPRECATED)
    assert mcds.validate(path).project(*PROJECTION) == []
    _group_agrees(path)


def test_workbook_with_empty_deprecated_columns_draws_no_warning(tmp_path: Path) -> None:
    assert mcds.validate(write_workbook(_base(), tmp_path / "sub.xlsx")).project(*PROJECTION) == []


def test_workbook_with_a_value_draws_one_warning_per_table(tmp_path: Path) -> None:
    path = write_workbook(_with_values(_base()), tmp_path / "sub.xlsx")
    write_csv_package(_base(), tmp_path / "pkg")  # the workbook's columns are the CSV form's, in the same order
    report = mcds.validate(path)
    assert report.project(*PROJECTION) == _expected_warnings(tmp_path / "pkg")
    assert {i.location.sheet for i in report.issues} == {std.load(V).tables[t].title for t, _ in DEPRECATED} and report.valid


@pytest.mark.parametrize("drop", [True, False], ids=["properties-absent", "properties-null"])
def test_json_without_deprecated_values_draws_no_issue(tmp_path: Path, drop: bool) -> None:
    path = _write_json(_base(), tmp_path / "sub.json", drop=drop)
    assert mcds.validate(path).project(*PROJECTION) == []
    _group_agrees(path, BASE[V])


def test_json_with_a_value_draws_one_warning_per_table(tmp_path: Path) -> None:
    sub = _with_values(_base())
    for drop in (False, True):  # the other records' properties null, or the property absent from the others
        doc = to_json_document(sub)
        if drop:
            for t, f in DEPRECATED:
                for record in doc[t]:
                    if record[f] is None:
                        del record[f]
        path = tmp_path / f"sub-{drop}.json"
        path.write_text(json.dumps(doc), encoding="utf-8")
        report = mcds.validate(path)
        assert report.project(*PROJECTION) == _expected_warnings(None) and report.valid


# ---------------------------------------------------------------- 1.0 unchanged


def test_1_0_has_no_deprecated_field_and_still_requires_every_column(tmp_path: Path) -> None:
    s = std.load("1.0")
    assert not [f for t in s.tables.values() for f in t.fields if f.deprecated]
    assert mcds.validate(BASE["1.0"]).project(*PROJECTION) == []
    shutil.copytree(BASE["1.0"], tmp_path / "pkg")
    _drop_columns(tmp_path / "pkg", [("missing_episodes", "police_risk_level")])
    report = mcds.validate(tmp_path / "pkg")
    assert report.project("code", "table", "row", "field") == [("column-missing", "missing_episodes", None,
                                                                 "police_risk_level")]
    assert not report.valid
