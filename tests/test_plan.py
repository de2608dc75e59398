"""The validation plan (mcds.plan): generated from the standard and in sync, valid against its schema, and
run by the plan's own runner to exactly the report mcds.validate gives, over every conformance case of
every version and the fixtures in every form."""

from __future__ import annotations

import copy
import json
import shutil
import string
import zipfile
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

import mcds
from mcds import generate
from mcds import standard as std
from mcds.plan import PLANS, SCHEMA, plan_path
from mcds.plan import run as plan_run
from mcds.plan.compile import plan_files
from mcds.plan.run import closest, load_plan, ratio, run_plan
from mcds.rules import rule_types
from mcds.submission import read_submission, write_json
from mcds.workbook import write_workbook

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = ("1.0", "1.1")
CASES = [p for v in VERSIONS for p in sorted((ROOT / "standard" / v / "conformance").iterdir()) if p.is_dir()]
FIXTURES = sorted(p for v in ("valid", "1.0") for p in (ROOT / "fixtures" / v).iterdir())


def _input(case: Path) -> Path:
    inp = case / "input"
    if (inp / "datapackage.json").is_file():
        return inp
    (only,) = [p for p in inp.iterdir() if p.is_file()]
    return only


def assert_same(path: Path, **kw: object) -> dict:
    want = mcds.validate(path, **kw).to_dict()  # type: ignore[arg-type]
    got = run_plan(path, **kw).to_dict()  # type: ignore[arg-type]
    assert got == want
    return got


def test_plans_are_in_sync_with_the_standard() -> None:
    files = plan_files()
    assert sorted(files) == [f"{v}.json" for v in std.supported_versions()]
    for name, text in files.items():
        assert (PLANS / name).read_text(encoding="utf-8") == text, f"{name} is stale: run python -m mcds.generate"


def test_generate_writes_and_checks_the_plans(tmp_path: Path) -> None:
    root = tmp_path / "standard"
    plans = tmp_path / "src" / "mcds" / "plan" / "plans"
    plans.mkdir(parents=True)
    (plans / "1.1.json").write_text("{}\n")
    assert generate._plans(root, ["1.1"], write=False) == [str(plans / "1.1.json")]
    assert (plans / "1.1.json").read_text() == "{}\n"  # --check writes nothing
    assert generate._plans(root, ["1.1"], write=True) == [str(plans / "1.1.json")]
    assert (plans / "1.1.json").read_text(encoding="utf-8") == plan_path("1.1").read_text(encoding="utf-8")
    assert generate._plans(root, ["1.1"], write=False) == []
    assert generate._plans(tmp_path / "elsewhere" / "standard", ["1.1"], write=True) == []  # a copy under test: none


@pytest.mark.parametrize("version", VERSIONS)
def test_plan_is_valid_against_its_schema(version: str) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    plan = json.loads(plan_path(version).read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(plan)
    ids = [s["id"] for s in plan["steps"]]
    assert len(ids) == len(set(ids))
    stages = [s["stage"] for s in plan["steps"]]
    assert stages.index("rules") > max(i for i, s in enumerate(stages) if s != "rules")  # rules come last
    rules = {s["code"] for s in plan["steps"] if s["stage"] == "rules"}
    assert rules == {t.code for t in rule_types(version)}


@pytest.mark.parametrize("version", VERSIONS)
def test_message_templates_are_plain_placeholders(version: str) -> None:
    """A runner in any language fills {name}: no format spec, conversion or index in any message."""
    for code, kind in load_plan(version).issues.items():
        for _, name, spec, conv in string.Formatter().parse(kind["message"]):
            if name is not None:
                assert name.isidentifier() and not spec and not conv, (code, name)


@pytest.mark.parametrize("version", VERSIONS)
def test_every_statement_of_the_plan_binds(version: str) -> None:
    """Over empty relations of the shape the contract names, every statement runs."""
    import duckdb

    plan = load_plan(version)
    con = duckdb.connect()
    for sql in plan.data["setup"]:
        con.execute(sql)
    for name, fields in [("metadata", plan.metadata_fields), *((t, d["fields"]) for t, d in plan.tables.items())]:
        cols = ", ".join(f'"{f["name"]}" VARCHAR' for f in fields)
        con.execute(f"CREATE TABLE raw_{name} (_row INTEGER, {cols})")
    for s in plan.steps:
        cur = con.execute(s["sql"])
        if s["stage"] != "load":
            assert [d[0] for d in cur.description] == s["returns"], s["id"]
        if s.get("knock_on_sql"):
            assert [d[0] for d in con.execute(s["knock_on_sql"]).description] == s["returns"]


@pytest.mark.sample(5)  # test_conformance.py runs every case through the validator
@pytest.mark.parametrize("case", CASES, ids=lambda p: f"{p.parent.parent.name}/{p.name}")
def test_plan_runner_gives_the_validators_report(case: Path) -> None:
    assert_same(_input(case))


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_plan_runner_on_the_fixtures_in_every_form(fixture: Path, tmp_path: Path) -> None:
    forms = [fixture]
    if fixture.is_dir():
        sub = read_submission(fixture)
        forms.append(write_workbook(sub, tmp_path / "sub.xlsx"))
        with zipfile.ZipFile(tmp_path / "sub.zip", "w") as zf:
            for p in fixture.iterdir():
                zf.write(p, f"pkg/{p.name}")
        forms.append(tmp_path / "sub.zip")
    for path in forms:
        assert_same(path)


def _broken(tmp_path: Path) -> Path:
    """The 1.1 base case with a column written by Excel throughout, repeated keys, an unknown column and
    a blank row: column faults, listed cells, keys, structure and knock-on rules at once."""
    folder = tmp_path / "pkg"
    shutil.copytree(ROOT / "standard" / "1.1" / "conformance" / "valid-base" / "input", folder)
    path = folder / "missing_episodes.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    i = header.index("start_date")
    out = [lines[0].replace("end_date", "end_dat")]
    for n in range(40):
        for line in lines[1:]:
            cells = line.split(",")
            y, m, d = cells[i].split("-")
            cells[i] = f"{d}/{m}/{y}"
            cells[0] = f"{cells[0]}-{n}" if n % 7 else cells[0]
            out.append(",".join(cells))
    out.insert(5, ",".join([""] * len(header)))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return folder


def test_plan_runner_on_faults_of_every_kind_and_with_a_limit(tmp_path: Path) -> None:
    folder = _broken(tmp_path)
    report = assert_same(folder)
    codes = {i["code"] for i in report["issues"]}
    assert {"column-fault", "column-unknown", "row-blank", "primary-key-duplicate"} <= codes
    limited = assert_same(folder, max_issues=2)
    assert limited["truncated"] > 0 and max(
        sum(1 for i in limited["issues"] if i["code"] == c) for c in limited["counts_by_code"]) == 2
    sub = read_submission(ROOT / "fixtures" / "valid" / "kent")
    write_json(sub, tmp_path / "kent.json")
    assert_same(tmp_path / "kent.json", standard_version="1.1")


def test_the_runner_reads_the_plan(monkeypatch: pytest.MonkeyPatch) -> None:
    """The report comes from the plan's statements and templates, not the validator's code: a check left
    out of the plan is not made, and a message template changed in it is what the report says."""
    case = ROOT / "standard" / "1.1" / "conformance" / "codelist-value" / "input"
    plan = copy.deepcopy(load_plan("1.1").data)
    assert any(i["code"] == "codelist-value" for i in run_plan(case).to_dict()["issues"])
    plan["steps"] = [s for s in plan["steps"] if s.get("code") != "codelist-value"]
    plan["issues"]["table-missing"]["message"] = "No {table} here."
    monkeypatch.setattr(plan_run, "load_plan", lambda v: plan_run.Plan(plan))
    assert not any(i["code"] == "codelist-value" for i in run_plan(case).to_dict()["issues"])
    missing = ROOT / "standard" / "1.1" / "conformance" / "table-missing" / "input"
    assert next(i["message"] for i in run_plan(missing).to_dict()["issues"] if i["code"] == "table-missing").startswith("No ")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="abcde _", max_size=12), st.text(alphabet="abcde _", max_size=12))
def test_similarity_is_rapidfuzz_ratio(a: str, b: str) -> None:
    """The contract's similarity (indel ratio from the longest common subsequence), as the validator's
    rapidfuzz computes it: the browser's runner implements the same few lines."""
    assert ratio(a, b) == pytest.approx(fuzz.ratio(a, b))


def test_closest_takes_the_first_of_equals_and_the_cutoff() -> None:
    assert closest("child_idd", ["child_id", "child_ids"], 75) == "child_id"
    assert closest("Sex", ["sex"], 99) == "sex"
    assert closest("zzz", ["sex"], 10) is None


# ------------------------------------------------------------------ rewrites for the browser's DuckDB

REWRITES = json.loads((ROOT / "src" / "mcds" / "plan" / "rewrites.json").read_text(encoding="utf-8"))["rewrites"]
REWRITTEN = [(v, code) for r in REWRITES for v in r["versions"] for code in r["rules"]]


def _rows(con, sql: str) -> list[tuple]:  # type: ignore[no-untyped-def]
    return sorted(con.execute(sql).fetchall(), key=repr)


def _rewrites(version: str) -> list[tuple[str, str, str]]:
    """(code, the rule as the standard writes it, as the plan runs it) of each rule rewritten in ``version``."""
    from mcds.plan.compile import rewritten

    out = []
    for code in sorted({c for v, c in REWRITTEN if v == version}):
        kind = next(k for k in rule_types(version) if k.code == code)
        original = (kind.sql(version) or "").strip().rstrip(";")
        out.append((code, original, rewritten(version, code, original)))
    return out


@pytest.mark.parametrize("version", sorted({v for v, _ in REWRITTEN}))
def test_rewritten_rules_return_the_rules_own_rows(version: str) -> None:
    """Each rewrite of rewrites.json is in the plan, and on every conformance case of its version (the
    typed shape the validator makes of it, invalid cells and all) and on tables made to hold every
    combination of missing dates, returns exactly the rows of the rule as the standard writes it."""
    import duckdb

    from mcds.validate import load

    rules = _rewrites(version)
    plan = json.loads(plan_path(version).read_text(encoding="utf-8"))
    for code, original, new in rules:
        assert new != original
        assert new in next(s["sql"] for s in plan["steps"] if s["id"] == f"rules/{code}")
    compared = 0
    for case in (c for c in CASES if c.parent.parent.name == version):
        if not {"missing_episodes.csv", "placements.csv"} <= {p.name for p in (case / "input").iterdir()}:
            continue
        loaded = load(_input(case), standard_version=version, warnings=False)
        try:
            for code, original, new in rules:
                assert _rows(loaded.con, new) == _rows(loaded.con, original), (case.name, code)
            compared += 1
        finally:
            loaded.con.close()
    assert compared > 50
    con = duckdb.connect()
    days = ["NULL", "DATE '2024-05-01'", "DATE '2024-05-10'", "DATE '2024-05-20'"]
    con.execute("CREATE TABLE missing_episodes (episode_id VARCHAR, child_id VARCHAR, start_date DATE, end_date DATE)")
    con.execute("CREATE TABLE placements (placement_id VARCHAR, child_id VARCHAR, start_date DATE, end_date DATE)")
    combos = [(a, b, c, d) for a in days for b in days for c in days for d in days]
    episodes = ", ".join(f"('e{n}', 'c{n}', {a}, {b})" for n, (a, b, _, _) in enumerate(combos))
    placements = ", ".join(f"('p{n}', 'c{n}', {c}, {d})" for n, (_, _, c, d) in enumerate(combos))
    con.execute(f"INSERT INTO missing_episodes VALUES {episodes}")
    con.execute(f"INSERT INTO placements VALUES {placements}")
    for code, original, new in rules:
        assert _rows(con, original), code  # the tables exercise the rule: it finds something
        assert _rows(con, new) == _rows(con, original), code
