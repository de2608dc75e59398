"""``mcds upgrade``: every 1.0 row and value carried over in every form, new fields and tables blank
(and listed as not collected) or derived as the migration map says, the report and its schema, the
refusals, and ``--out`` safety.

Most tests run against a draft 1.1 built in a temporary folder (1.0 plus a new field derived, a new
field not derived, a new table derived from the children, a deprecated field and a deprecated code,
and its migration.json), so they test the machinery whatever the real 1.1 holds. The tests marked
``real`` use the committed standard and its migration map."""

from __future__ import annotations

import copy
import csv
import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from mcds import catalogue, migration
from mcds import standard as std
from mcds.cli import main
from mcds.validation import group

ROOT = Path(__file__).resolve().parent.parent
OLD = ROOT / "fixtures" / "1.0"
COUNCILS = ("kent", "croydon", "manchester")
FORMS = ("csv", "zip", "xlsx", "json")
SUFFIX = {"csv": "", "zip": ".zip", "xlsx": ".xlsx", "json": ".json"}

# ---------------------------------------------------------------- a draft 1.1 of our own

REFERRAL_SQL = ("SELECT child_id || '-1' AS referral_id, child_id, nrm_referral_date AS referral_date, "
                "nrm_reasonable_grounds_decision AS reasonable_grounds_decision, CAST(NULL AS BOOLEAN) AS made_while_missing "
                "FROM children "
                "WHERE nrm_referral_date IS NOT NULL ORDER BY child_id")
REFERRED_SQL = "nrm_referral_date IS NOT NULL"
ID = {"pattern": "^[A-Za-z0-9][A-Za-z0-9_.\\-]{0,63}$", "required": True}


def _field(name: str, type_: str, **extra: object) -> dict[str, object]:
    return {"name": name, "title": name.replace("_", " ").capitalize(), "description": f"Test field {name}.",
            "type": type_, "sensitivity": "none", "versionAdded": "1.1", **extra}


MAP = {
    "from": "1.0", "to": "1.1", "description": "A test map.",
    "changes": [
        {"kind": "table-added", "table": "nrm_referrals", "note": "one row per referral", "source": "test"},
        {"kind": "field-added", "table": "children", "field": "nrm_referred", "note": "derived"},
        {"kind": "field-added", "table": "children", "field": "age_disputed", "note": "not derivable"},
        {"kind": "field-added", "table": "missing_episodes", "field": "safety_plan", "note": "not derivable"},
        {"kind": "field-deprecated", "table": "children", "field": "nrm_referral_date",
         "replacement": "nrm_referrals.referral_date", "note": "moved"},
        {"kind": "code-added", "codelist": "nrm_decision", "code": "awaiting", "note": "new"},
        {"kind": "code-deprecated", "codelist": "nrm_decision", "code": "pending", "replacement": "awaiting", "note": "renamed"},
        {"kind": "field-changed", "table": "children", "field": "trafficking_concern", "note": "definition corrected"},
        {"kind": "code-changed", "codelist": "sex", "code": "F", "note": "description written out"},
    ],
    "derive": [
        {"table": "nrm_referrals", "from": "children", "note": "from the children's NRM fields", "sql": REFERRAL_SQL},
        {"table": "children", "field": "nrm_referred", "note": "whether referred", "sql": REFERRED_SQL},
    ],
}


def _reset() -> None:
    for cached in (std.load, std._versions_index, catalogue.catalogue, group._plan, migration.load):
        cached.cache_clear()


def build_draft(root: Path, mapping: dict[str, object] | None = MAP) -> Path:
    """A standard folder: the real 1.0, and a 1.1 made from 1.0 with the test changes."""
    shutil.copytree(ROOT / "standard" / "1.0", root / "1.0")
    shutil.copytree(ROOT / "standard" / "1.0", root / "1.1")
    (root / "versions.json").write_text(json.dumps({
        "canonical_url": "https://example.org/", "current": "1.1",
        "versions": {"1.0": {"status": "released"}, "1.1": {"status": "draft"}}}))
    new = root / "1.1"
    about = json.loads((new / "standard.json").read_text())
    about["tables"].append("nrm_referrals")
    (new / "standard.json").write_text(json.dumps(about))
    for table, fields in {"children": [_field("nrm_referred", "boolean"), _field("age_disputed", "boolean")],
                          "missing_episodes": [_field("safety_plan", "boolean")]}.items():
        schema = json.loads((new / "schemas" / f"{table}.json").read_text())
        schema["fields"] += fields
        if table == "children":
            next(f for f in schema["fields"] if f["name"] == "nrm_referral_date")["deprecated"] = \
                "1.1; use nrm_referrals.referral_date"
        (new / "schemas" / f"{table}.json").write_text(json.dumps(schema))
    (new / "schemas" / "nrm_referrals.json").write_text(json.dumps({
        "title": "NRM referrals", "description": "One row per referral.", "primaryKey": ["referral_id"],
        "foreignKeys": [{"fields": ["child_id"], "reference": {"resource": "children", "fields": ["child_id"]}}],
        "missingValues": [""],
        "fields": [_field("referral_id", "string", constraints=ID), _field("child_id", "string", constraints=ID),
                   _field("referral_date", "date", constraints={"required": True}),
                   _field("reasonable_grounds_decision", "string", codelist="nrm_decision"),
                   _field("made_while_missing", "boolean"), _field("competent_authority", "string")]}))
    codes = (new / "codelists" / "nrm_decision.csv").read_text().splitlines()
    rows = [codes[0] + ",deprecated"] + [c + (",1.1; use awaiting" if c.startswith("pending,") else ",") for c in codes[1:]]
    rows.append("awaiting,Awaiting,A decision has not yet been made.,")
    (new / "codelists" / "nrm_decision.csv").write_text("\n".join(rows) + "\n")
    if mapping is not None:
        (new / "migration.json").write_text(json.dumps(mapping))
    return root


@pytest.fixture
def draft(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    root = build_draft(tmp_path / "standard")
    monkeypatch.setattr(std, "standard_root", lambda: root)
    _reset()
    from mcds import generate

    assert generate.main(["--version", "1.1"]) == 0
    yield root
    monkeypatch.undo()
    _reset()


def _run(*args: object):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, [str(a) for a in args])


def _form(council: str, form: str, where: Path) -> Path:
    """The 1.0 fixture of ``council`` in ``form`` (workbook and zip made from the frozen CSV package)."""
    if form == "csv":
        return OLD / council
    if form == "json":
        return OLD / f"{council}.json"
    out = where / f"{council}-1.0{SUFFIX[form]}"
    if form == "xlsx":
        r = _run("convert", "package", OLD / council, "--to", "xlsx", "--out", out)
        assert r.exit_code == 0, r.output
    else:
        with zipfile.ZipFile(out, "w") as zf:
            for f in sorted((OLD / council).iterdir()):
                zf.write(f, f"{council}/{f.name}")
    return out


# ---------------------------------------------------------------- every cell, read without mcds


def cells(path: Path, form: str) -> dict[str, list[dict[str, str]]]:
    """Every non-empty cell of a submission, by table and row, read with the standard library and
    calamine (not mcds's readers): ``{table or sheet: [{column: text}]}`` plus ``metadata``."""
    if form == "zip":
        with zipfile.ZipFile(path) as zf:
            folder = path.with_suffix(".unzipped")
            zf.extractall(folder)
        return cells(next(p.parent for p in sorted(folder.rglob("datapackage.json"), key=lambda p: len(p.parts))), "csv")
    if form == "csv":
        desc = json.loads((path / "datapackage.json").read_text(encoding="utf-8"))
        out = {"metadata": [{k: str(v) for k, v in desc["mcds"].items()}]}
        for res in desc["resources"]:
            with open(path / res["path"], newline="", encoding="utf-8") as fh:
                out[res["name"]] = [{k: v for k, v in r.items() if v != ""} for r in csv.DictReader(fh)]
        return out
    if form == "json":
        doc = json.loads(path.read_text(encoding="utf-8"))
        return {k: ([v] if k == "metadata" else v) for k, v in doc.items()}
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    out = {}
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python()
        if name == "Metadata":
            out["metadata"] = [{str(r[0]): str(r[1]) for r in rows[1:] if r[1] != ""}]
        else:
            out[name] = [{str(h): str(v) for h, v in zip(rows[0], r, strict=True) if v != ""} for r in rows[1:]]
    return out


def assert_carried(before: dict[str, list[dict[str, object]]], after: dict[str, list[dict[str, object]]]) -> None:
    """Every table, row and value of ``before`` is in ``after``, in the same row; metadata too, but
    the version (and not_collected, which only grows)."""
    for table, rows in before.items():
        assert table in after, table
        assert len(after[table]) == len(rows), table
        for i, (old, new) in enumerate(zip(rows, after[table], strict=True)):
            for key, value in old.items():
                if table == "metadata" and key in ("standard_version", "not_collected"):
                    continue
                assert new.get(key) == value, (table, i, key)


# ---------------------------------------------------------------- the machinery, on the test draft


@pytest.mark.parametrize("form", FORMS)
def test_every_value_carried_over_in_every_form(draft: Path, tmp_path: Path, form: str) -> None:
    src = _form("kent", form, tmp_path)
    out = tmp_path / f"kent-1.1{SUFFIX[form]}"
    r = _run("upgrade", src, "--out", out, "--format", "json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert (report["form"], report["from_version"], report["to_version"], report["upgraded"]) == (form, "1.0", "1.1", True)
    assert report["input"]["valid"] and report["output"]["valid"] and report["output"]["standard_version"] == "1.1"
    before, after = cells(src, form), cells(out, form)
    assert_carried(before, after)
    meta = after["metadata"][0]
    assert meta["standard_version"] == "1.1"
    if form == "xlsx":  # the workbook shows the new table's sheet and the new columns' titles
        assert "NRM referrals" in after and "Nrm referred" in after["Children"][0]
    else:
        assert "nrm_referrals" in after
        assert all("nrm_referred" in row for row in after["children"])  # derived for every child


def test_new_fields_are_blank_or_derived_and_the_gaps_not_collected(draft: Path, tmp_path: Path) -> None:
    from mcds.convert.package import read_any
    from mcds.upgrade import upgrade

    report = upgrade(OLD / "croydon", tmp_path / "out")
    old, new = read_any(OLD / "croydon"), read_any(tmp_path / "out")
    referred = [c for c in old.rows("children") if c["nrm_referral_date"]]
    assert referred, "the fixture has NRM referrals to derive from"
    assert [r["child_id"] for r in new.rows("nrm_referrals")] == sorted(c["child_id"] for c in referred)
    by_child = {c["child_id"]: c for c in referred}
    for r in new.rows("nrm_referrals"):
        c = by_child[r["child_id"]]
        assert (r["referral_id"], r["referral_date"], r["reasonable_grounds_decision"], r["made_while_missing"],
                r["competent_authority"]) == (c["child_id"] + "-1", c["nrm_referral_date"], c["nrm_reasonable_grounds_decision"],
                                              None, None)
    assert [c["nrm_referred"] for c in new.rows("children")] == \
        ["true" if c["nrm_referral_date"] else "false" for c in old.rows("children")]
    assert all(c["age_disputed"] is None for c in new.rows("children"))
    assert all(e["safety_plan"] is None for e in new.rows("missing_episodes"))
    assert new.metadata["not_collected"] == ("children.age_disputed;missing_episodes.safety_plan;"
                                             "nrm_referrals.made_while_missing;nrm_referrals.competent_authority")
    assert report.not_collected == new.metadata["not_collected"].split(";")
    added = {(a.table, a.field): (a.derived, a.not_collected) for a in report.added}
    assert added == {("nrm_referrals", None): (len(referred), False), ("nrm_referrals", "made_while_missing"): (None, True),
                     ("nrm_referrals", "competent_authority"): (None, True),
                     ("children", "nrm_referred"): (len(old.rows("children")), False),
                     ("children", "age_disputed"): (None, True), ("missing_episodes", "safety_plan"): (None, True)}
    assert [(d.table, d.field, d.rows, d.replacement) for d in report.deprecated_fields] == \
        [("children", "nrm_referral_date", len(referred), "nrm_referrals.referral_date")]
    pending = sum(c[f] == "pending" for c in old.rows("children")
                  for f in ("nrm_reasonable_grounds_decision", "nrm_conclusive_grounds_decision"))
    codes = {(d.table, d.field, d.code, d.replacement): d.rows for d in report.deprecated_codes}
    assert sum(codes.values()) == pending + sum(r["reasonable_grounds_decision"] == "pending" for r in new.rows("nrm_referrals"))
    assert all(code == "pending" and repl == "awaiting" for _, _, code, repl in codes)
    assert report.rows == {t: len(rows) for t, rows in old.tables.items()}
    assert [(c.kind, c.table, c.field, c.code, c.rows, c.version, c.note) for c in report.changed] == [
        ("field-changed", "children", "trafficking_concern", None, len(old.rows("children")), "1.1", "definition corrected"),
        ("code-changed", "children", "sex", "F", sum(c["sex"] == "F" for c in old.rows("children")), "1.1",
         "description written out")]


def test_existing_not_collected_is_kept_and_what_rests_on_it_is_not_derived(draft: Path, tmp_path: Path) -> None:
    """A submission that says it did not collect the children's NRM referral dates gets no NRM
    referrals table made from them, and nrm_referred is not collected either; a whole table not
    collected is not listed again field by field."""
    from mcds.convert.package import read_any
    from mcds.submission import write_csv_package
    from mcds.upgrade import upgrade

    sub = read_any(OLD / "kent")
    sub.metadata["not_collected"] = "children.nrm_referral_date;missing_episodes"
    for c in sub.rows("children"):
        c["nrm_referral_date"] = None
    sub.tables["missing_episodes"] = []
    sub.tables["interview_episodes"] = []
    write_csv_package(sub, tmp_path / "in")
    report = upgrade(tmp_path / "in", tmp_path / "out", force=True)
    new = read_any(tmp_path / "out")
    assert new.rows("nrm_referrals") == []
    assert all(c["nrm_referred"] is None for c in new.rows("children"))
    assert new.metadata["not_collected"].split(";") == [
        "children.nrm_referral_date", "missing_episodes", "children.nrm_referred", "children.age_disputed", "nrm_referrals"]
    assert not any(a.derived for a in report.added)


def test_the_text_report_says_what_changed(draft: Path, tmp_path: Path) -> None:
    r = _run("upgrade", OLD / "manchester", "--out", tmp_path / "out")
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].endswith("version 1.0 -> 1.1")
    assert any(line.startswith("  nrm_referrals: ") and "row(s) made" in line for line in lines)
    assert "  children.age_disputed" in lines and "  missing_episodes.safety_plan" in lines
    assert any(line.startswith("  children.nrm_referral_date: ") and line.endswith("use nrm_referrals.referral_date")
               for line in lines)
    assert any(line.startswith("  children.trafficking_concern: the field (") for line in lines)
    assert any(line.startswith("  children.sex: F (") for line in lines)
    assert lines[-1].startswith(f"Wrote {tmp_path / 'out'} (csv, version 1.1)")


def test_json_report_follows_its_schema_and_the_schema_is_in_sync(draft: Path, tmp_path: Path) -> None:
    from mcds.upgrade.report import SCHEMA_PATH, schema_text

    assert SCHEMA_PATH.read_text(encoding="utf-8") == schema_text(), "regenerate upgrade.schema.json"
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    for args in ([OLD / "kent", "--out", tmp_path / "a"], [_broken(tmp_path), "--out", tmp_path / "b"]):
        r = _run("upgrade", *args, "--format", "json")
        jsonschema.validate(json.loads(r.stdout), schema)


def test_maps_are_chained(draft: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Data two versions behind passes through both maps: 1.0 -> 1.1 -> 1.2 (1.2 adds a field derived
    from one 1.1 derived)."""
    shutil.copytree(draft / "1.1", draft / "1.2")
    schema = json.loads((draft / "1.2" / "schemas" / "children.json").read_text())
    schema["fields"].append(_field("referral_count", "integer"))
    (draft / "1.2" / "schemas" / "children.json").write_text(json.dumps(schema))
    (draft / "1.2" / "migration.json").write_text(json.dumps({
        "from": "1.1", "to": "1.2", "changes": [{"kind": "field-added", "table": "children", "field": "referral_count"}],
        "derive": [{"table": "children", "field": "referral_count",
                    "sql": "(SELECT count(*) FROM nrm_referrals r WHERE r.child_id = children.child_id)"}]}))
    index = json.loads((draft / "versions.json").read_text())
    index["current"], index["versions"]["1.2"] = "1.2", {"status": "draft"}
    (draft / "versions.json").write_text(json.dumps(index))
    _reset()
    from mcds import generate

    assert generate.main(["--version", "1.2"]) == 0
    assert migration.problems(migration.load("1.2")) == []
    r = _run("upgrade", OLD / "croydon.json", "--out", tmp_path / "out.json", "--format", "json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["steps"] == ["1.0", "1.1", "1.2"] and report["output"]["valid"]
    doc = json.loads((tmp_path / "out.json").read_text())
    assert doc["metadata"]["standard_version"] == "1.2"
    assert [c["referral_count"] for c in doc["children"]] == [int(c["nrm_referral_date"] is not None) for c in doc["children"]]
    assert_carried(cells(OLD / "croydon.json", "json"), cells(tmp_path / "out.json", "json"))
    r = _run("upgrade", OLD / "croydon.json", "--out", tmp_path / "to11.json", "--to", "1.1", "--format", "json")
    assert r.exit_code == 0 and json.loads(r.stdout)["steps"] == ["1.0", "1.1"]


def test_the_test_map_is_sound_and_a_faulty_one_is_caught(draft: Path) -> None:
    assert migration.problems(migration.load("1.1")) == []
    faulty = copy.deepcopy(MAP)
    faulty["changes"] = [c for c in faulty["changes"] if c.get("field") != "age_disputed"]  # type: ignore[attr-defined,union-attr]
    faulty["changes"].append({"kind": "code-added", "codelist": "nrm_decision", "code": "nonesuch"})  # type: ignore[attr-defined]
    found = migration.problems(migration.Migration.model_validate(faulty))
    assert any("children.age_disputed" in p and "no field-added" in p for p in found)
    assert any("nonesuch" in p for p in found)
    with pytest.raises(ValueError, match="field-added change needs field"):
        migration.Change.model_validate({"kind": "field-added", "table": "children"})


def test_columns_a_table_derivation_sets_to_null_are_not_derived() -> None:
    from mcds.upgrade.apply import derived_columns

    d = migration.Derivation.model_validate({"table": "t", "from": "children", "sql": (
        "SELECT child_id AS a, NULL AS b, null::BOOLEAN AS c, CAST( NULL AS VARCHAR[] ) AS d, "
        "CASE WHEN x THEN 1 ELSE NULL END AS e, coalesce(y, NULL) AS f, \"NULL\" AS g FROM children")})
    assert derived_columns(d, list("abcdefg")) == ["a", "e", "f", "g"]


# ---------------------------------------------------------------- refusals


def _broken(tmp_path: Path) -> Path:
    """Kent at 1.0 with one error (a sex code that does not exist), an unknown column, table and metadata key."""
    folder = tmp_path / "broken"
    shutil.copytree(OLD / "kent", folder)
    text = (folder / "children.csv").read_text().splitlines()
    text[0] += ",colour"
    text[1:] = [line + ",red" for line in text[1:]]
    text[1] = text[1].replace(",M,", ",Q,", 1)
    (folder / "children.csv").write_text("\n".join(text) + "\n")
    desc = json.loads((folder / "datapackage.json").read_text())
    desc["mcds"]["favourite"] = "blue"
    desc["resources"].append({**desc["resources"][1], "name": "notes", "path": "notes.csv"})
    (folder / "notes.csv").write_text("note\nfirst\n")
    (folder / "datapackage.json").write_text(json.dumps(desc))
    return folder


def test_an_input_with_errors_is_refused_unless_forced(draft: Path, tmp_path: Path) -> None:
    src = _broken(tmp_path)
    r = _run("upgrade", src, "--out", tmp_path / "out", "--format", "json")
    assert r.exit_code == 1
    report = json.loads(r.stdout)
    assert not report["upgraded"] and "--force" in report["refused"] and not (tmp_path / "out").exists()
    assert report["input"]["error_codes"] == {"codelist-value": 1, "column-unknown": 1}
    assert {(n["kind"], n["name"], n["table"]) for n in report["not_carried"]} == \
        {("column", "colour", "children"), ("metadata", "favourite", None), ("table", "notes", None)}
    assert sorted(report["rows"]) == sorted(std.load("1.0").tables)
    r = _run("upgrade", src, "--out", tmp_path / "out", "--force", "--format", "json")
    report = json.loads(r.stdout)
    assert report["upgraded"] and report["forced"] and r.exit_code == 1  # written, but the output has the error too
    assert report["output"]["error_codes"] == {"codelist-value": 1}
    before = cells(src, "csv")
    for row in before["children"]:
        row.pop("colour")
    before["metadata"][0].pop("favourite")
    before.pop("notes")
    assert_carried(before, cells(tmp_path / "out", "csv"))


@pytest.mark.parametrize("form", ["json", "xlsx"])
def test_what_no_form_can_hold_is_found_in_every_form(draft: Path, tmp_path: Path, form: str) -> None:
    from mcds.upgrade import upgrade

    src = _form("manchester", form, tmp_path)
    if form == "json":
        doc = json.loads(src.read_text())
        doc["notes"] = [{"note": "first"}]
        doc["children"][0]["colour"] = "red"
        src = tmp_path / "in.json"
        src.write_text(json.dumps(doc))
    else:
        from openpyxl import load_workbook

        wb = load_workbook(src)
        wb.create_sheet("Notes").append(["note"])
        wb["Children"].cell(1, wb["Children"].max_column + 1, "Colour")
        wb.create_sheet("Lists").sheet_state = "hidden"  # a hidden sheet that is no table is not data
        wb.save(tmp_path / "in.xlsx")
        src = tmp_path / "in.xlsx"
    report = upgrade(src, tmp_path / f"out{SUFFIX[form]}")
    assert report.refused and not report.upgraded
    column = "colour" if form == "json" else "Colour"
    table = "notes" if form == "json" else "Notes"
    assert {(n.kind, n.name, n.table) for n in report.not_carried} == {("column", column, "children"), ("table", table, None)}


def test_queries_and_warnings_do_not_stop_an_upgrade(draft: Path, tmp_path: Path) -> None:
    from mcds.upgrade import upgrade

    report = upgrade(OLD / "kent", tmp_path / "out")
    assert report.upgraded and report.input.warnings > 0 and report.input.errors == 0


@pytest.mark.parametrize(("case", "expected"), [
    ("at 1.1", "already follows version 1.1"),
    ("unknown version", "does not support"),
    ("no version", "does not say which version"),
    ("not a submission", "not a submission"),
    ("missing", "no such file"),
    ("damaged json", ""),
    ("to unknown", "cannot upgrade to version 9.9"),
    ("wrong out form", "name ending .json"),
])
def test_bad_input_is_refused_with_a_message(draft: Path, tmp_path: Path, case: str, expected: str) -> None:
    doc = json.loads((OLD / "kent.json").read_text())
    src, extra = tmp_path / "in.json", []
    if case == "at 1.1":
        doc["metadata"]["standard_version"] = "1.1"
    elif case == "unknown version":
        doc["metadata"]["standard_version"] = "0.9"
    elif case == "no version":
        del doc["metadata"]["standard_version"]
    src.write_text(json.dumps(doc))
    if case == "not a submission":
        src = tmp_path / "notes.txt"
        src.write_text("minutes of the meeting\n")
    elif case == "missing":
        src = tmp_path / "nothing"
    elif case == "damaged json":
        src.write_text('{"metadata": {"standard_version": "1.0",')
    elif case == "to unknown":
        extra = ["--to", "9.9"]
    out = tmp_path / ("out.xlsx" if case == "wrong out form" else "out.json")
    r = _run("upgrade", src, "--out", out, *extra)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output and "internal error" not in r.output
    assert expected in r.output and "mcds: error:" in r.output
    assert not out.exists()


# ---------------------------------------------------------------- --out safety


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("out", ["data", "data/pkg", "data/pkg/children.csv", ".", "notes"])
def test_never_over_the_input_or_files_mcds_did_not_write(draft: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                          out: str) -> None:
    shutil.copytree(OLD / "kent", tmp_path / "data" / "pkg")
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "minutes.txt").write_text("keep me\n")
    monkeypatch.chdir(tmp_path)
    before = _tree(tmp_path)
    r = _run("upgrade", "data/pkg", "--out", out)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert _tree(tmp_path) == before


@pytest.mark.parametrize("form", ["json", "xlsx", "zip"])
def test_a_file_that_is_not_a_submission_is_never_replaced(draft: Path, tmp_path: Path, form: str) -> None:
    from openpyxl import Workbook

    src = _form("kent", form, tmp_path)
    target = tmp_path / "w" / f"mine{SUFFIX[form]}"
    target.parent.mkdir()
    if form == "xlsx":
        wb = Workbook()
        wb.active.title = "Budget"
        wb.save(target)
    elif form == "zip":
        with zipfile.ZipFile(target, "w") as zf:
            zf.writestr("minutes.txt", "keep me")
    else:
        target.write_text('[{"budget": 100}]')
    before = _tree(target.parent)
    r = _run("upgrade", src, "--out", target)
    assert r.exit_code == 2 and "did not write" in r.output and "Traceback" not in r.output
    assert _tree(target.parent) == before
    r = _run("upgrade", src, "--out", target, "--overwrite")
    assert r.exit_code == 0, r.output
    assert cells(target, form)["metadata"][0]["standard_version"] == "1.1"
    out = target.with_name(f"new{SUFFIX[form]}")
    assert _run("upgrade", src, "--out", out).exit_code == 0
    r = _run("upgrade", src, "--out", out)
    assert r.exit_code == 0, r.output  # what it wrote, it replaces (a ZIP by its comment's mark)


def test_a_package_mcds_wrote_is_replaced_whole(draft: Path, tmp_path: Path) -> None:
    out = tmp_path / "w" / "out"
    assert _run("upgrade", OLD / "kent", "--out", out).exit_code == 0
    assert _run("upgrade", OLD / "croydon", "--out", out).exit_code == 0
    assert json.loads((out / "datapackage.json").read_text())["mcds"]["old_la_code"] == "306"
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]  # no temporary copies left beside it


def test_a_failed_upgrade_leaves_the_previous_output(draft: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from mcds.upgrade import files

    out = tmp_path / "w" / "out.json"
    assert _run("upgrade", OLD / "kent.json", "--out", out).exit_code == 0
    before = out.read_bytes()

    def boom(*args: object, **kw: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("mcds.submission.dumps", boom)
    with pytest.raises(KeyboardInterrupt):
        files.write_form(__import__("mcds.convert.package", fromlist=["x"]).read_any(OLD / "croydon.json"), out, "json")
    assert out.read_bytes() == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["out.json"]


# ---------------------------------------------------------------- the real standard and its map


def test_the_real_migration_map_conforms_and_is_sound() -> None:
    """Every map of the standard follows the model (mcds.migration) and agrees with the versions it joins:
    every new table and field accounted for, every name it gives real."""
    for version in std.supported_versions():
        entry = std.standard_root() / version / migration.FILE
        if entry.is_file():
            m = migration.Migration.model_validate_json(entry.read_text(encoding="utf-8"))
            assert m.to == version and migration.problems(m) == []
    steps = migration.chain("1.0", std.current_version())
    assert steps[0].from_ == "1.0" and steps[-1].to == std.current_version()


REAL = [("kent", f) for f in FORMS] + [("croydon", "json"), ("manchester", "xlsx")]


@pytest.mark.parametrize(("council", "form"), REAL, ids=[f"{c}-{f}" for c, f in REAL])
def test_a_1_0_fixture_upgrades_to_a_valid_current_package_losing_nothing(tmp_path: Path, council: str, form: str) -> None:
    src = _form(council, form, tmp_path)
    out = tmp_path / f"{council}-new{SUFFIX[form]}"
    r = _run("upgrade", src, "--out", out, "--format", "json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["output"]["valid"] and report["output"]["standard_version"] == std.current_version()
    assert report["output"]["errors"] == 0 and report["output"]["queries"] == 0
    assert_carried(cells(src, form), cells(out, form))
    derived = {(a["table"], a["field"]) for a in report["added"] if a["derived"] is not None}
    blank = {(a["table"], a["field"]) for a in report["added"] if a["not_collected"]}
    assert derived and blank and not derived & blank
    m = migration.load(std.current_version())
    assert derived == {(d.table, d.field) for d in m.derive}
    assert set(report["not_collected"]) == {f"{t}.{f}" if f else t for t, f in blank}


_TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)


@settings(max_examples=30, deadline=None, derandomize=True)
@given(st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 10_000), _TEXT), min_size=1, max_size=12))
def test_any_cell_text_is_carried_over(edits: list[tuple[int, int, str]]) -> None:
    """Whatever text a 1.0 cell holds (a code, a date, or garbage the validator would report), the
    upgrade in memory keeps it in the same table, row and field, and derives from the rest."""
    from mcds.convert.package import read_any
    from mcds.upgrade.apply import apply

    sub = read_any(OLD / "croydon")
    old = std.load("1.0")
    places = [(t.name, f) for t in old.tables.values() for f in t.field_names]
    for where, row, text in edits:
        table, field = places[where % len(places)]
        rows = sub.rows(table)
        rows[row % len(rows)][field] = text
    before = copy.deepcopy(sub.tables)
    new, steps = apply(sub, migration.chain("1.0", std.current_version()))
    assert sub.tables == before  # the input is not changed
    assert steps and new.version == std.current_version()
    for table, rows in before.items():
        assert [{k: r[k] for k in old.tables[table].field_names} for r in new.rows(table)] == rows
