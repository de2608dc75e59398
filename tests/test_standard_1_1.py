"""Version 1.1 of the standard against 1.0: every field documented with an example that is valid for it,
nothing of 1.0 lost or narrowed, every addition, change and deprecation marked in the files and mapped
in ``migration.json``, and the map's derive queries giving valid 1.1 data from a 1.0 package.

What is new, changed or deprecated is derived from the two versions' files, never listed here."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from mcds import engine, migration
from mcds import standard as std
from mcds.pseudonymise import PSEUDONYM, identifier_kinds, pseudonymise
from mcds.submission import Submission
from mcds.validation import Validation
from mcds.validation.cells import create_codelists, find_cells
from mcds.validation.metadata import metadata_table

ROOT = Path(__file__).resolve().parent.parent
OLD, NEW = std.load("1.0"), std.load("1.1")
MAP_PATH = ROOT / "standard" / "1.1" / "migration.json"
MAP = json.loads(MAP_PATH.read_text(encoding="utf-8"))
KENT = ROOT / "fixtures" / "1.0" / "kent"  # a 1.0 package (frozen)
REFERENCE_LISTS = {"council", "country"}  # generated from the DfE lookup and ISO 3166 (scripts/build_reference_codelists.py)
# the bodies a field's source names; its description must name the same one
AUTHORITIES = ("MCDS", "DfE", "Home Office", "College of Policing", "Nationality and Borders Act", "Working Together",
               "Missing People", "ISO", "ONS")
CHANGE_KEYS = {
    "table-added": {"table"}, "field-added": {"table", "field"}, "field-deprecated": {"table", "field", "replacement"},
    "field-changed": {"table", "field"}, "code-added": {"codelist", "code"},
    "code-deprecated": {"codelist", "code", "replacement"}, "code-changed": {"codelist", "code"},
    "codelist-added": {"codelist"},
}


def tables_with_metadata(s: std.Standard) -> list[std.Table]:
    return [metadata_table(s), *s.tables.values()]


def every_field(s: std.Standard) -> Iterator[std.Field]:
    for t in tables_with_metadata(s):
        yield from t.fields


def changes(kind: str) -> list[dict[str, Any]]:
    return [c for c in MAP["changes"] if c["kind"] == kind]


def places(s: std.Standard) -> set[tuple[str, str]]:
    return {(f.table, f.name) for f in every_field(s)}


def codes(s: std.Standard) -> set[tuple[str, str]]:
    return {(name, c.code) for name, cl in s.codelists.items() for c in cl.codes}


def code_column(s: std.Standard, column: str, value: str) -> set[tuple[str, str]]:
    return {(name, c.code) for name, cl in s.codelists.items() for c in cl.codes if c.extra.get(column) == value}


def fields_where(s: std.Standard, key: str, value: str | None = None) -> set[tuple[str, str]]:
    return {(f.table, f.name) for f in every_field(s)
            if (f.descriptor.get(key) == value if value is not None else f.descriptor.get(key))}


# ------------------------------------------------------------------ every field documented


@pytest.mark.parametrize("f", list(every_field(NEW)), ids=lambda f: f"{f.table}.{f.name}")
def test_every_field_has_title_description_sensitivity_example_and_source(f: std.Field) -> None:
    d = f.descriptor
    assert f.title and f.description, "title and description"
    assert f.sensitivity in NEW.codelist("sensitivity"), "a sensitivity from the sensitivity codelist"
    assert isinstance(d.get("example"), str) and d["example"].strip(), "an example, as the text of a CSV cell"
    assert isinstance(d.get("source"), str) and d["source"].strip(), "the law, guidance or DfE field it follows"


@pytest.mark.parametrize("f", [f for f in every_field(NEW) if f.version_added == "1.1"], ids=lambda f: f"{f.table}.{f.name}")
def test_every_new_field_cites_its_source_in_its_description(f: std.Field) -> None:
    named = [a for a in AUTHORITIES if a in f.descriptor["source"]]
    assert named, f"the source names none of {AUTHORITIES}"
    assert any(a in f.description for a in named), f"the description cites none of {named}"


def test_every_new_code_names_its_source() -> None:
    for name, code in code_column(NEW, "version_added", "1.1"):
        assert NEW.codelist(name).by_code[code].extra.get("source"), f"{name} {code}"


def _cell_findings(s: std.Standard, values: dict[tuple[str, str], str | None]) -> list[tuple[str, str, str]]:
    """The cell checks the validator runs, over one row per table holding ``values`` (table, field) -> text."""
    con = duckdb.connect()
    create_codelists(con, s)
    out = []
    for t in tables_with_metadata(s):
        cols = {f.name: f"c{i}" for i, f in enumerate(t.fields, 1)}
        con.execute(f"CREATE TABLE raw_{t.name} (_row INTEGER, {', '.join(f'{c} VARCHAR' for c in cols.values())})")
        con.execute(f"INSERT INTO raw_{t.name} VALUES (2, {', '.join('?' * len(cols))})",
                    [values.get((t.name, f.name)) for f in t.fields])
        out += [(t.name, c.field, c.code) for c in find_cells(con, s, t, cols, f"raw_{t.name}")]  # type: ignore[arg-type]
    return out


EXAMPLES = {(f.table, f.name): f.descriptor["example"] for f in every_field(NEW)}


def test_every_example_is_valid_for_its_fields_type_pattern_and_codelist() -> None:
    # a deprecated field's example draws the warning that the field is deprecated, not that it is wrong
    found = _cell_findings(NEW, EXAMPLES)
    assert [f for f in found if f[2] != "field-deprecated"] == []
    assert {(t, f) for t, f, _ in found} == {(f.table, f.name) for f in every_field(NEW) if f.deprecated}


def _checked(f: std.Field) -> bool:
    return bool(f.codelist or "pattern" in f.constraints or f.type not in ("string", "list"))


@pytest.mark.parametrize("f", [f for f in every_field(NEW) if _checked(f)], ids=lambda f: f"{f.table}.{f.name}")
def test_the_example_check_notices_a_wrong_value(f: std.Field) -> None:
    wrong = {**EXAMPLES, (f.table, f.name): "not a value!"}
    assert (f.table, f.name) in {(t, n) for t, n, _ in _cell_findings(NEW, wrong)}


# ------------------------------------------------------------------ nothing of 1.0 lost or narrowed


def test_no_1_0_table_field_codelist_or_code_is_missing_from_1_1() -> None:
    assert set(OLD.tables) <= set(NEW.tables)
    assert places(OLD) <= places(NEW)
    assert set(OLD.codelists) <= set(NEW.codelists)
    assert codes(OLD) <= codes(NEW)


@pytest.mark.parametrize("f", list(every_field(OLD)), ids=lambda f: f"{f.table}.{f.name}")
def test_no_1_0_field_is_narrowed(f: std.Field) -> None:
    g = next(x for x in every_field(NEW) if (x.table, x.name) == (f.table, f.name))
    assert (g.type, g.required, g.codelist, g.codelist_key, g.constraints.get("pattern"), g.descriptor.get("itemType")) == (
        f.type, f.required, f.codelist, f.codelist_key, f.constraints.get("pattern"), f.descriptor.get("itemType"))
    assert g.version_added == f.version_added == "1.0"


def test_no_1_0_code_changes_the_dates_it_is_in_use() -> None:
    for name, cl in OLD.codelists.items():
        for c in cl.codes:
            new = NEW.codelist(name).by_code[c.code]
            for col in ("valid_from", "valid_to"):
                assert new.extra.get(col, "") == c.extra.get(col, ""), f"{name} {c.code} {col}"


def test_old_fields_keep_version_added_1_0_and_new_ones_say_1_1() -> None:
    # a new field marks itself; an old one keeps 1.0 (a new table's fields are all new)
    new_fields = places(NEW) - places(OLD)
    assert {p for p in places(NEW) if p not in new_fields} == fields_where(NEW, "versionAdded", "1.0")


# ------------------------------------------------------------------ every change marked and mapped


def test_the_map_has_the_agreed_shape() -> None:
    assert set(MAP) == {"from", "to", "description", "changes", "derive"}
    assert (MAP["from"], MAP["to"]) == ("1.0", "1.1") and MAP["description"]
    for c in MAP["changes"]:
        allowed = CHANGE_KEYS[c["kind"]] | {"kind", "note", "source"}
        assert CHANGE_KEYS[c["kind"]] <= set(c) <= allowed and c["note"], c
    for d in MAP["derive"]:
        assert set(d) in ({"table", "from", "note", "sql"}, {"table", "field", "note", "sql"}), d
    assert migration.problems(migration.load("1.1")) == []  # type: ignore[arg-type]


def test_tables_added_are_the_new_tables() -> None:
    assert {c["table"] for c in changes("table-added")} == set(NEW.tables) - set(OLD.tables)
    assert NEW.about["tables"][: len(OLD.about["tables"])] == OLD.about["tables"]
    for c in changes("table-added"):
        assert c["source"]


def test_fields_added_are_the_new_fields_and_say_so() -> None:
    new_tables = set(NEW.tables) - set(OLD.tables)
    new_fields = places(NEW) - places(OLD)
    mapped = {(c["table"], c["field"]) for c in changes("field-added")}
    assert mapped == {p for p in new_fields if p[0] not in new_tables}
    assert fields_where(NEW, "versionAdded", "1.1") == new_fields
    for c in changes("field-added"):
        f = NEW.tables[c["table"]].field(c["field"])
        assert c["source"] == f.descriptor["source"], f"{c['table']}.{c['field']}: the map and the field cite different sources"


def test_fields_changed_are_the_fields_marked_changed() -> None:
    mapped = {(c["table"], c["field"]) for c in changes("field-changed")}
    assert mapped == fields_where(NEW, "versionChanged", "1.1")
    assert mapped <= places(OLD)
    for table, name in mapped:
        assert NEW.tables[table].field(name).description != OLD.tables[table].field(name).description


def _replacement(table: str, text: str) -> str:
    m = re.fullmatch(r"1\.1; use ([a-z_]+(?:\.[a-z_]+)?)", text)
    assert m, f"{table}: deprecated must read '1.1; use <field>', not {text!r}"
    return m.group(1) if "." in m.group(1) else f"{table}.{m.group(1)}"


def test_fields_deprecated_are_the_fields_marked_deprecated_and_name_a_1_1_replacement() -> None:
    marked = fields_where(NEW, "deprecated")
    assert {(c["table"], c["field"]) for c in changes("field-deprecated")} == marked
    assert marked <= places(OLD)
    assert not fields_where(OLD, "deprecated")
    for c in changes("field-deprecated"):
        f = NEW.tables[c["table"]].field(c["field"])
        assert _replacement(c["table"], f.deprecated) == c["replacement"]
        table, name = c["replacement"].split(".")
        assert (table, name) in places(NEW) - places(OLD), f"{c['replacement']} is not a new field"


def test_codelists_added_are_the_new_codelists() -> None:
    assert {c["codelist"] for c in changes("codelist-added")} == set(NEW.codelists) - set(OLD.codelists)


def test_codes_added_are_the_new_codes_and_say_so() -> None:
    new_codes = codes(NEW) - codes(OLD)
    new_lists = set(NEW.codelists) - set(OLD.codelists)
    assert {(c["codelist"], c["code"]) for c in changes("code-added")} == {p for p in new_codes if p[0] not in new_lists}
    assert code_column(NEW, "version_added", "1.1") == new_codes


def test_codes_changed_are_the_codes_marked_changed() -> None:
    mapped = {(c["codelist"], c["code"]) for c in changes("code-changed")}
    assert mapped == code_column(NEW, "version_changed", "1.1")
    assert mapped <= codes(OLD)
    for name, code in mapped:
        a, b = OLD.codelist(name).by_code[code], NEW.codelist(name).by_code[code]
        assert (a.title, a.description) != (b.title, b.description), f"{name} {code} is marked changed but is not"


def test_codes_deprecated_are_the_codes_marked_deprecated() -> None:
    marked = {(n, c.code) for n, cl in NEW.codelists.items() for c in cl.codes if c.deprecated}
    assert {(c["codelist"], c["code"]) for c in changes("code-deprecated")} == marked
    assert marked <= codes(OLD)
    for c in changes("code-deprecated"):
        assert (c["codelist"], c["replacement"]) in codes(NEW)


def test_1_0_files_carry_no_1_1_marks() -> None:
    assert not fields_where(OLD, "versionAdded", "1.1") and not fields_where(OLD, "versionChanged")
    assert not code_column(OLD, "version_added", "1.1")


def test_no_codelist_description_merely_repeats_its_title() -> None:
    def words(text: str) -> list[str]:
        return re.sub(r"[^a-z0-9]+", " ", text.lower()).split()

    for name, cl in NEW.codelists.items():
        if name in REFERENCE_LISTS:
            continue
        for c in cl.codes:
            title, desc = " ".join(words(c.title)), " ".join(words(c.description))
            rest = [w for w in words(desc.replace(title, " ")) if w not in words(c.code)]
            assert title not in desc or len(rest) > 6, f"{name} {c.code}: the description only repeats the title"


# ------------------------------------------------------------------ derive queries over 1.0 data


@pytest.fixture(scope="module")
def kent() -> duckdb.DuckDBPyConnection:
    """The 1.0 package, validated against 1.0 and left in the typed shape (dates as DATE)."""
    v = Validation(KENT)
    errors = [i for i in v.issues() if i.severity == "error"]
    assert v.standard is not None and v.standard.version == "1.0" and errors == []
    return v.con


def _text(value: Any, f: std.Field) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return f.descriptor.get("delimiter", ";").join(value) or None
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _table_findings(t: std.Table, rows: list[tuple[Any, ...]]) -> list[tuple[int, str, str]]:
    con = duckdb.connect()
    create_codelists(con, NEW)
    cols = {f.name: f"c{i}" for i, f in enumerate(t.fields, 1)}
    con.execute(f"CREATE TABLE raw (_row INTEGER, {', '.join(f'{c} VARCHAR' for c in cols.values())})")
    for n, row in enumerate(rows, 2):
        con.execute(f"INSERT INTO raw VALUES ({n}, {', '.join('?' * len(cols))})",
                    [_text(v, f) for v, f in zip(row, t.fields, strict=True)])
    return [(c.row, c.field, c.code) for c in find_cells(con, NEW, t, cols, "raw")]  # type: ignore[arg-type]


TABLE_DERIVES = [d for d in MAP["derive"] if "from" in d]
FIELD_DERIVES = [d for d in MAP["derive"] if "field" in d]


@pytest.mark.parametrize("d", TABLE_DERIVES, ids=lambda d: d["table"])
def test_a_derived_table_has_the_new_tables_columns_and_valid_rows(kent: duckdb.DuckDBPyConnection, d: dict[str, Any]) -> None:
    t = NEW.tables[d["table"]]
    rel = kent.sql(d["sql"])
    assert rel.columns == list(t.field_names)
    rows = rel.fetchall()
    assert rows, "the fixture has NRM referrals, so the derived table has rows"
    assert _table_findings(t, rows) == []
    key = [rel.columns.index(k) for k in t.primary_key]
    assert len({tuple(r[i] for i in key) for r in rows}) == len(rows), "primary key unique"


@pytest.mark.parametrize("d", TABLE_DERIVES, ids=lambda d: d["table"])
def test_a_derived_tables_ids_fit_the_identifier_pattern_for_the_longest_child_ids(d: dict[str, Any]) -> None:
    con = engine.connect()
    engine.create_tables(con, OLD)
    longest = ["a" * 64, "b" * 63 + "-", "Z" * 64]
    con.executemany("INSERT INTO children (child_id, nrm_referral_date, _row) VALUES (?, DATE '2025-06-02', ?)",
                    [(c, n) for n, c in enumerate(longest, 2)])
    t = NEW.tables[d["table"]]
    rows = con.sql(d["sql"]).fetchall()
    assert len(rows) == len(longest)
    assert [(f, code) for _, f, code in _table_findings(t, rows)] == []
    assert len({r[0] for r in rows}) == len(rows)


@pytest.mark.parametrize("d", FIELD_DERIVES, ids=lambda d: f"{d['table']}.{d['field']}")
def test_a_derived_field_gives_valid_values_from_1_0_rows(kent: duckdb.DuckDBPyConnection, d: dict[str, Any]) -> None:
    assert d["field"] not in OLD.tables[d["table"]].field_names
    f = NEW.tables[d["table"]].field(d["field"])
    values = [v for (v,) in kent.execute(f"SELECT ({d['sql']}) FROM {engine.quote(d['table'])}").fetchall()]
    given = [v for v in values if v is not None]
    assert given, "the fixture has rows the derivation fills"
    one = std.Table(name=d["table"], title="", description="", fields=(f,), primary_key=(), foreign_keys=(), descriptor={})
    assert _table_findings(one, [(v,) for v in given]) == []


# ------------------------------------------------------------------ the provider URN is pseudonymised


def test_the_provider_urn_is_replaced_by_a_keyed_pseudonym() -> None:
    assert ("placements", "provider_urn") in identifier_kinds(NEW)
    sub = Submission({"standard_version": "1.1"}, {
        "children": [{"child_id": "C1"}],
        "placements": [{"placement_id": "P1", "child_id": "C1", "provider_urn": "SC123456"},
                       {"placement_id": "P2", "child_id": "C1", "provider_urn": "SC123456"}],
    })
    out = pseudonymise(sub, bytes(range(32)))
    urns = [r["provider_urn"] for r in out.tables["placements"]]
    assert urns[0] == urns[1] and PSEUDONYM.fullmatch(urns[0]) and "123456" not in urns[0]
