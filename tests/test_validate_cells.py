"""Checks compiled from the Table Schemas that no field of 1.0 triggers yet (ranges, deprecated codes
and fields): run on a copy of the standard given those properties. Nothing in the validator names a
field, so a later version that adds them is checked without new code."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

import mcds
from mcds import standard as std
from mcds.standard import Code, Codelist

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "standard" / "1.0" / "conformance" / "valid-base" / "input"


def _with_field(s: std.Standard, table: str, field: str, **changes: object) -> std.Standard:
    t = s.tables[table]
    fields = tuple(dataclasses.replace(f, **changes) if f.name == field else f for f in t.fields)
    tables = {**s.tables, table: dataclasses.replace(t, fields=fields)}
    out = dataclasses.replace(s, tables=tables)
    out.__dict__["codelists"] = dict(s.codelists)
    return out


@pytest.fixture
def patch(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def use(s: std.Standard) -> None:
        monkeypatch.setattr(std, "load", lambda version=None: s)
    return use


def test_ranges(patch) -> None:  # type: ignore[no-untyped-def]
    s = std.load("1.0")
    start = s.tables["missing_episodes"].field("start_date")
    s = _with_field(s, "missing_episodes", "start_date", constraints={**start.constraints, "maximum": "2025-08-31"})
    etype = s.tables["missing_episodes"].field("episode_type")
    s = _with_field(s, "missing_episodes", "episode_type", constraints={**etype.constraints, "minLength": 6})
    patch(s)
    got = mcds.validate(BASE).project("code", "table", "row", "field", "value")
    assert sorted(got) == [("out-of-range", "missing_episodes", 3, "episode_type", "away"),
                           ("out-of-range", "missing_episodes", 4, "start_date", "2025-09-01")]


def test_deprecated_code(patch) -> None:  # type: ignore[no-untyped-def]
    s = std.load("1.0")
    cl = s.codelists["police_risk_level"]
    codes = tuple(Code(c.code, c.title, c.description, {"deprecated": "1.1: use high" if c.code == "medium" else ""})
                  for c in cl.codes)
    s2 = dataclasses.replace(s)
    s2.__dict__["codelists"] = {**s.codelists, "police_risk_level": Codelist(cl.name, (*cl.columns, "deprecated"), codes)}
    patch(s2)
    report = mcds.validate(BASE)
    assert report.project("code", "table", "row", "field", "value") == [
        ("code-deprecated", "missing_episodes", 2, "police_risk_level", "medium")]
    assert report.valid and "1.1: use high" in report.issues[0].message


def test_deprecated_field(patch) -> None:  # type: ignore[no-untyped-def]
    s = std.load("1.0")
    f = s.tables["missing_episodes"].field("found_location")
    patch(_with_field(s, "missing_episodes", "found_location", descriptor={**f.descriptor, "deprecated": "1.1"}))
    report = mcds.validate(BASE)
    assert report.project("code", "table", "row", "field", "column", "value") == [
        ("field-deprecated", "missing_episodes", 2, "found_location", "L", "in_council_area")]  # once, at its first value
    assert report.valid
