"""Tests of the standard itself: its files are complete, consistent and in sync."""

from __future__ import annotations

import csv
import io
import json
import re
import sys
from pathlib import Path

import jsonschema
import pycountry
import pytest

from mcds import generate
from mcds import standard as std
from mcds.catalogue import catalogue
from mcds.issues import Severity
from mcds.submission import read_csv_package, read_json_form, to_json_document

ROOT = Path(__file__).resolve().parent.parent
VERSIONS = std.supported_versions()
TYPES = {"string", "integer", "number", "boolean", "date", "time", "datetime", "yearmonth", "list"}
SHARED_GEOGRAPHY = ROOT.parent / "shared" / "data" / "geography"
FORBIDDEN = re.compile(r"(^|_)(name|names|forename|surname|address|postcode|post_code|notes?|comments?|free_text)($|_)")


def all_fields(s: std.Standard):
    yield from s.metadata_fields
    yield from s.all_fields()


@pytest.fixture(params=VERSIONS)
def s(request: pytest.FixtureRequest) -> std.Standard:
    return std.load(request.param)


def test_every_field_is_named_titled_described_and_typed(s: std.Standard) -> None:
    sensitivities = set(s.codelist("sensitivity").by_code)
    for f in all_fields(s):
        assert re.fullmatch(r"[a-z][a-z0-9_]*", f.name), f.name
        assert f.title and f.description.endswith((".", ")")), f"{f.table}.{f.name} needs a title and a sentence"
        assert f.type in TYPES, f"{f.table}.{f.name}: {f.type}"
        assert f.sensitivity in sensitivities, f"{f.table}.{f.name} has no valid sensitivity"
        assert f.version_added, f"{f.table}.{f.name} has no versionAdded"


def test_no_names_addresses_postcodes_or_free_text(s: std.Standard) -> None:
    for f in s.all_fields():
        assert not FORBIDDEN.search(f.name), f"{f.table}.{f.name} looks like personal free text"
        if f.type == "string":
            # every text field is a code, an identifier with a pattern, or a reference to one
            has_form = f.codelist or "pattern" in f.constraints or any(
                f.name in fk["fields"] for fk in s.tables[f.table].foreign_keys)
            assert has_form, f"{f.table}.{f.name} would allow free text"


def test_child_identifier_is_a_direct_identifier_everywhere(s: std.Standard) -> None:
    for t in s.tables.values():
        if "child_id" in t.field_names:
            assert t.field("child_id").sensitivity == "direct_identifier"


def test_keys_refer_to_real_fields_and_tables(s: std.Standard) -> None:
    for t in s.tables.values():
        assert t.primary_key and set(t.primary_key) <= set(t.field_names)
        for fk in t.foreign_keys:
            assert set(fk["fields"]) <= set(t.field_names)
            ref = s.tables[fk["reference"]["resource"]]
            assert set(fk["reference"]["fields"]) <= set(ref.field_names)
            assert tuple(fk["reference"]["fields"]) == ref.primary_key


def test_every_referenced_codelist_exists_and_has_the_key_column(s: std.Standard) -> None:
    for f in all_fields(s):
        if f.codelist:
            cl = s.codelist(f.codelist)
            assert f.codelist_key in cl.columns, f"{f.name}: {f.codelist} has no column {f.codelist_key}"
            assert cl.values(f.codelist_key)


def test_every_codelist_follows_the_codelist_schema(s: std.Standard) -> None:
    assert s.codelists, "no codelists"
    folder = ROOT / "standard" / s.version / "codelists"
    for path in folder.glob("*.csv"):
        text = path.read_text(encoding="utf-8")
        assert not text.startswith("\ufeff") and "\r" not in text, f"{path.name}: UTF-8 without BOM, LF"
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][:3] == ["code", "title", "description"], path.name
        assert len(set(rows[0])) == len(rows[0])
        codes = [r[0] for r in rows[1:]]
        assert len(codes) == len(set(codes)), f"{path.name}: duplicate codes"
        for r in rows[1:]:
            assert len(r) == len(rows[0]) and r[0] == r[0].strip() and r[0], f"{path.name}: {r}"
            assert r[1] and r[2], f"{path.name}: {r[0]} needs a title and description"
        cols = rows[0]
        for col in ("valid_from", "valid_to"):
            if col in cols:
                for r in rows[1:]:
                    assert r[cols.index(col)] == "" or re.fullmatch(r"\d{4}-\d{2}-\d{2}", r[cols.index(col)])


def test_every_codelist_is_used_or_is_the_sensitivity_list(s: std.Standard) -> None:
    used = {f.codelist for f in all_fields(s) if f.codelist}
    assert set(s.codelists) - used == {"sensitivity"}


def test_placement_codes_follow_collection_years(s: std.Standard) -> None:
    pl = s.codelist("placement_type").by_code
    assert pl["K3"].extra["valid_from"] == "2024-04-01"
    assert pl["H5"].extra["valid_to"] == "2025-03-31" and pl["Z1"].extra["valid_to"] == "2025-03-31"
    assert pl["Z11"].extra["valid_from"] == "2025-04-01"


@pytest.mark.skipif(not SHARED_GEOGRAPHY.is_dir(), reason="../shared/data/geography is not beside this checkout")
def test_council_codelist_is_generated_from_the_dfe_lookup(s: std.Standard) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import build_reference_codelists as b
    finally:
        sys.path.pop(0)
    expected = [["code", "title", "description", "old_la_code", "region_code", "region_name", "valid_from",
                 "valid_to", "source"], *b.council_rows(SHARED_GEOGRAPHY)]
    actual = list(csv.reader(io.StringIO((ROOT / "standard" / s.version / "codelists" / "council.csv").read_text())))
    assert actual == expected


def test_council_codelist_records_dates_of_operation(s: std.Standard) -> None:
    councils = s.codelist("council").by_code
    assert councils["E10000006"].extra["old_la_code"] == "909" and councils["E10000006"].extra["valid_to"] == "2023-03-31"
    assert councils["E06000063"].extra["old_la_code"] == "942" and councils["E06000063"].extra["valid_from"] == "2023-04-01"
    assert "commit" in councils["E09000001"].extra["source"]


def test_country_codelist_is_iso_3166_from_pycountry(s: std.Standard) -> None:
    codes = set(s.codelist("country").by_code)
    iso = {c.alpha_3 for c in pycountry.countries}
    assert codes - {"XXA"} == iso


def test_derived_files_are_in_sync_with_their_sources(s: std.Standard) -> None:
    for rel, text in generate.generated_files(s.version).items():
        committed = (ROOT / "standard" / s.version / rel).read_text(encoding="utf-8")
        assert committed == text, f"{rel} is stale: run python -m mcds.generate"


def test_generate_check_reports_a_stale_file(s: std.Standard, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import shutil

    copy = tmp_path / "standard"
    shutil.copytree(ROOT / "standard", copy)
    monkeypatch.setattr(std, "standard_root", lambda: copy)
    std.load.cache_clear()
    try:
        assert generate.main(["--check", "--version", s.version]) == 0
        (copy / s.version / "submission.schema.json").write_text("{}\n")
        assert generate.main(["--check", "--version", s.version]) == 1
        assert generate.main(["--version", s.version]) == 0
        assert generate.main(["--check", "--version", s.version]) == 0
    finally:
        std.load.cache_clear()


def test_json_schema_is_valid_2020_12_with_a_versioned_id(s: std.Standard) -> None:
    schema = s.read_json("submission.schema.json")
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert f"/{s.version}/" in schema["$id"]


def test_json_schema_enums_come_from_the_codelists(s: std.Standard) -> None:
    schema = s.read_json("submission.schema.json")
    sex = schema["$defs"]["children"]["properties"]["sex"]
    assert sex["enum"] == list(s.codelist("sex").by_code)
    types = schema["$defs"]["children"]["properties"]["exploitation_types"]
    assert types["items"]["enum"] == list(s.codelist("exploitation_type").by_code)


def test_json_schema_rejects_what_the_standard_forbids(s: std.Standard) -> None:
    schema = s.read_json("submission.schema.json")
    v = jsonschema.Draft202012Validator(schema)
    folder = "valid" if s.version == std.current_version() else s.version  # an example of the version's own
    doc = json.loads((ROOT / "fixtures" / folder / "kent.json").read_text())
    doc["children"][0]["sex"] = "X"
    doc["missing_episodes"][0]["start_date"] = "01/02/2025"
    doc["children"][1]["surname"] = "Smith"
    paths = sorted(tuple(e.absolute_path) for e in v.iter_errors(doc))
    assert paths == [("children", 0, "sex"), ("children", 1), ("missing_episodes", 0, "start_date")]


def test_report_schema_is_valid(s: std.Standard) -> None:
    jsonschema.Draft202012Validator.check_schema(s.read_json("report.schema.json"))


def test_issue_catalogue_follows_its_format(s: std.Standard) -> None:
    text = s.read_text("issues.csv")
    header = next(csv.reader(io.StringIO(text)))
    assert header == ["code", "severity", "category", "title", "message", "guidance", "tables", "fields", "rule"]
    cat = catalogue(s.version)
    assert cat
    for code, kind in cat.items():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", code)
        assert kind.severity in set(Severity)
        assert kind.category in {"package", "table", "header", "row", "cell", "relation", "rule"}
        assert kind.title and kind.message and kind.guidance
        for t in kind.tables:
            assert t in {"*", "metadata", *s.tables}, f"{code}: unknown table {t}"
        if kind.rule:
            sql = s.read_text(kind.rule)
            assert re.search(r"\bselect\b", sql, re.I), f"{code}: {kind.rule} holds no query"


def test_indicator_catalogue_follows_its_format(s: std.Standard) -> None:
    header = next(csv.reader(io.StringIO(s.read_text("indicators.csv"))))
    columns = ["id", "label", "definition", "numerator", "denominator", "unit", "decimal_places", "sources", "sql"]
    assert header == (columns if s.version == "1.0" else [*columns, "deprecated"])


digest = std.folder_digest


def test_released_versions_are_frozen() -> None:
    index = json.loads((ROOT / "standard" / "versions.json").read_text())
    assert index["current"] in index["versions"]
    for version, info in index["versions"].items():
        assert info["status"] in {"draft", "released"}
        if info["status"] == "released":
            assert info["sha256"] == digest(ROOT / "standard" / version), f"released version {version} has changed"


def test_digest_notices_any_change(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "x.csv").write_text("code\n")
    before = digest(tmp_path)
    (tmp_path / "a" / "x.csv").write_text("code\nA\n")
    assert digest(tmp_path) != before


def test_releasing_a_draft_records_its_digest_and_dates_its_changelog(tmp_path: Path) -> None:
    import shutil

    standard = tmp_path / "standard"
    (standard / "9.0").mkdir(parents=True)
    (standard / "9.0" / "datapackage.json").write_text("{}\n")
    (standard / "versions.json").write_text(json.dumps({"current": "9.0", "versions": {
        "9.0": {"status": "draft", "released": None, "sha256": None}}}))
    (standard / "CHANGELOG.md").write_text("# Changelog\n\n## 9.0 (draft)\n\nFirst.\n")
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import release_standard as script
    finally:
        sys.path.pop(0)
    broken = tmp_path / "broken"
    shutil.copytree(standard, broken)
    (broken / "CHANGELOG.md").write_text("# Changelog\n")
    with pytest.raises(SystemExit, match=r"no '## 9\.0 \(draft\)' entry"):
        script.release(broken, "9.0", "2026-11-25")
    assert json.loads((broken / "versions.json").read_text())["versions"]["9.0"]["status"] == "draft"

    digest = script.release(standard, "9.0", "2026-11-25")
    info = json.loads((standard / "versions.json").read_text())["versions"]["9.0"]
    assert info == {"status": "released", "released": "2026-11-25", "sha256": std.folder_digest(standard / "9.0")}
    assert digest == info["sha256"]
    assert "## 9.0 (2026-11-25)" in (standard / "CHANGELOG.md").read_text()
    with pytest.raises(SystemExit, match="not a draft"):
        script.release(standard, "9.0", "2026-11-26")


# ------------------------------------------------------------------ fixtures


def test_frictionless_validates_every_valid_fixture(valid_package: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    report = frictionless.validate(str(valid_package / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_json_form_of_every_fixture_validates_against_the_json_schema(valid_package: Path) -> None:
    doc = json.loads(valid_package.with_suffix(".json").read_text())
    schema = std.load(doc["metadata"]["standard_version"]).read_json("submission.schema.json")
    errors = list(jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker()).iter_errors(doc))
    assert errors == []


def test_csv_package_and_json_form_hold_the_same_data(valid_package: Path) -> None:
    from_csv = read_csv_package(valid_package)
    from_json = read_json_form(valid_package.with_suffix(".json"))
    assert to_json_document(from_csv) == to_json_document(from_json)
    assert from_csv.tables == from_json.tables


def test_fixtures_are_realistic() -> None:
    sub = read_csv_package(ROOT / "fixtures" / "valid" / "kent")
    children = sub.tables["children"]
    assert len(children) >= 200
    uasc = [c for c in children if c["uasc"] == "true"]
    start_year = int(sub.metadata["period_start"][:4])
    ages = [start_year - int(c["birth_year_month"][:4]) for c in uasc]
    assert sum(15 <= a <= 17 for a in ages) / len(ages) > 0.6
    missing = {e["child_id"] for e in sub.tables["missing_episodes"]}
    trafficked = [c for c in children if c["trafficking_concern"] != "none_known"]
    others = [c for c in children if c["trafficking_concern"] == "none_known"]
    rate = lambda group: sum(c["child_id"] in missing for c in group) / len(group)  # noqa: E731
    assert rate(trafficked) > 2 * rate(others)


def test_fixtures_are_reproducible(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import make_fixtures
    finally:
        sys.path.pop(0)
    import random

    rng = random.Random(make_fixtures.SEED)
    from mcds.submission import write_csv_package

    first = make_fixtures.make_council(make_fixtures.COUNCILS[0], rng)
    write_csv_package(first, tmp_path / "kent")
    for name in ("datapackage.json", "children.csv", "missing_episodes.csv"):
        assert (tmp_path / "kent" / name).read_bytes() == (ROOT / "fixtures" / "valid" / "kent" / name).read_bytes()
