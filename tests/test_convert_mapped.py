from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from mcds.cli import main
from mcds.convert.mapped import Mapping, convert_mapped, load_mapping
from mcds.convert.mapping_init import draft_mapping
from mcds.errors import InputError

ROOT = Path(__file__).resolve().parent.parent


def mapping(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "map.yaml"
    p.write_text(text, encoding="utf-8")
    return p


EXPORT = """Ref,Person,Type,Last seen,Found,Offered,Accepted
E1,C1,Absent,03/05/2024 21:30,04/05/2024,Yes,No
E2,C1,MISSING ,10/06/2024 00:00,,No,
E3,C2,Gone,11/06/2024,12/06/2024,Y,Y
E4,,Missing,12/06/2024,,No,
E5,C2,Missing,,,No,
"""
MAP = """
mapping_version: 1
council: {la: "886", year: 2025}
date_formats: ["%d/%m/%Y %H:%M", "%d/%m/%Y"]
sources:
  - file: "export*.csv"
    tables:
      missing_episodes:
        fields:
          episode_id: Ref
          child_id: Person
          episode_type: {column: Type, values: {absent: away, Missing: missing}}
          start_date: Last seen
          start_time: Last seen
          end_date: Found
          end_reason: {column: Found, values: {}, other: null, default: still_missing}
      return_interviews:
        when: {column: Offered, equals: ["yes", "y"]}
        fields:
          interview_id: {template: "R-{Ref}"}
          child_id: Person
          accepted: {column: Accepted, values: {"Yes": "true", "Y": "true", "No": "false"}}
"""


def test_mapping_converts_values_dates_times_and_extra_tables(tmp_path: Path) -> None:
    (tmp_path / "export-2025.csv").write_text(EXPORT, encoding="utf-8")
    sub, report = convert_mapped([tmp_path / "export-2025.csv"], mapping(tmp_path, MAP))
    got = [(e["episode_id"], e["episode_type"], e["start_date"], e["start_time"], e["end_date"], e["end_reason"])
           for e in sub.rows("missing_episodes")]
    assert got == [
        ("E1", "away", "2024-05-03", "21:30:00", "2024-05-04", None),
        ("E2", "missing", "2024-06-10", None, None, "still_missing"),  # midnight = no time recorded
        ("E3", "Gone", "2024-06-11", None, "2024-06-12", None),  # not in the value map: carried over as found
    ]
    assert [(r["interview_id"], r["child_id"], r["accepted"]) for r in sub.rows("return_interviews")] == [
        ("R-E1", "C1", "false"), ("R-E3", "C2", "true")]
    # Rows that cannot be represented are rejected with the cell that is missing.
    assert sorted((i.code, i.location.row, i.location.column, i.location.field) for i in report.issues) == [
        ("source-row-rejected", 5, "B", "child_id"), ("source-row-rejected", 6, "D", "start_date")]
    assert [(c.read, c.written, c.rejected) for c in report.sources] == [(5, 3, 2)]
    assert report.exit_code == 1


@pytest.mark.parametrize(("text", "message"), [
    ("sources: []\nmapping_version: 2\n", "mapping_version"),
    ("sources:\n  - file: x.csv\n    tables:\n      missing_episode: {fields: {}}\n", "'missing_episode' is not a table"),
    ("sources:\n  - file: x.csv\n    tables:\n      children: {fields: {child_idd: A}}\n", "did you mean 'child_id'"),
    ("sources:\n  - file: x.csv\n    tables:\n      children: {fields: {sex: {column: A, value: M}}}\n",
     "exactly one of column, value or template"),
    ("sources:\n  - file: x.csv\n    tables:\n      children: {fields: {sex: {column: A, valuez: {}}}}\n", "valuez"),
    ("sources: [\n", "not valid YAML"),
    ("not_collected: [children.hair]\nsources: []\n", "children.hair"),
])
def test_mapping_errors_are_clear(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError) as e:
        load_mapping(mapping(tmp_path, text))
    assert message in str(e.value)
    assert "map.yaml" in str(e.value)


def test_a_column_the_export_lacks_is_named_with_a_suggestion(tmp_path: Path) -> None:
    (tmp_path / "export.csv").write_text(EXPORT, encoding="utf-8")
    with pytest.raises(InputError, match=r"'Last sen'.*did you mean 'Last seen'"):
        convert_mapped([tmp_path], mapping(tmp_path, MAP.replace("start_date: Last seen", "start_date: Last sen")))
    with pytest.raises(InputError, match="no input file matches"):
        convert_mapped([tmp_path], mapping(tmp_path, MAP.replace("export*.csv", "other*.csv")))


def test_fixture_mappings_are_valid() -> None:
    for p in sorted((ROOT / "fixtures" / "mapped").glob("*/mapping.yaml")):
        assert isinstance(load_mapping(p), Mapping)


def test_mapping_init_drafts_matches_and_marks_gaps(tmp_path: Path) -> None:
    (tmp_path / "missing_export.csv").write_text(
        "Episode ID,PERSON_ID,Missing status,Start date,End date,Risk\nE1,C1,Missing,01/05/2024,02/05/2024,High\n"
        "E2,C1,Absent,03/05/2024,,low\n", encoding="utf-8")
    text = draft_mapping([tmp_path / "missing_export.csv"])
    doc = yaml.safe_load(text)
    fields = doc["sources"][0]["tables"]["missing_episodes"]["fields"]
    assert fields["episode_id"]["column"] == "Episode ID"
    assert fields["child_id"]["column"] == "PERSON_ID"
    assert fields["start_date"]["column"] == "Start date" and fields["end_date"]["column"] == "End date"
    assert fields["episode_type"]["values"] == {"Missing": "missing", "Absent": None}  # Absent is a gap to fill
    assert fields["police_risk_level"]["values"] == {"High": "high", "low": "low"}
    assert doc["council"] == {"la": None, "year": None}
    assert "Absent: null  # GAP" in text
    # Once the gaps are filled in, the draft is a working mapping.
    filled = text.replace("la: null", 'la: "886"').replace("year: null", "year: 2025").replace(
        "Absent: null", "Absent: away")
    sub, report = convert_mapped([tmp_path], mapping(tmp_path, filled))
    assert [e["episode_type"] for e in sub.rows("missing_episodes")] == ["missing", "away"]
    assert report.exit_code == 0


def test_cli_mapping_init_and_convert(tmp_path: Path) -> None:
    runner = CliRunner()
    src = ROOT / "fixtures" / "mapped" / "eclipse"
    r = runner.invoke(main, ["mapping", "init", str(src / "eclipse_person.csv"), "--out", str(tmp_path / "m.yaml")])
    assert r.exit_code == 0 and "GAP" in r.output
    r = runner.invoke(main, ["convert", "mapped", str(src), "--mapping", str(src / "mapping.yaml"), "--out",
                             str(tmp_path / "out.xlsx"), "--la", "352"])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "out.xlsx").is_file()
    r = runner.invoke(main, ["convert", "mapped", str(src), "--mapping", str(tmp_path / "nope.yaml"), "--out",
                             str(tmp_path / "o")])
    assert r.exit_code == 2


def test_unquoted_yaml_values_mean_text(tmp_path: Path) -> None:
    text = ("council: {la: 886, year: 2025}\nsources:\n  - file: x.csv\n    tables:\n      children:\n        fields:\n"
            "          sex: {column: S, values: {1: M, 2: F}}\n          uasc: {column: U, values: {Yes: true, No: false}}\n")
    m = load_mapping(mapping(tmp_path, text))
    assert m.council.la == "886"
    fields = m.sources[0].tables["children"].fields
    assert fields["sex"].values == {"1": "M", "2": "F"}
    assert fields["uasc"].values == {"Yes": "true", "No": "false"}


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

export_cells = st.one_of(st.just(""), st.sampled_from(["E1", "C1", "Absent", "missing", "Yes", "N", "03/05/2024 21:30",
                                                       "31/02/2024", "2024-05-01T10:00:00", "=cmd", " ", "00:00"]),
                         st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00\r\n\"")))


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(export_cells, max_size=8), max_size=15))
def test_every_export_row_is_written_or_rejected(tmp_path: Path, rows: list[list[str]]) -> None:
    folder = tmp_path / f"h{abs(hash(str(rows)))}"
    folder.mkdir(exist_ok=True)
    header = EXPORT.splitlines()[0]
    (folder / "export.csv").write_text(header + "\n" + "".join(",".join(f'"{c}"' for c in r) + "\n" for r in rows),
                                       encoding="utf-8")
    sub, report = convert_mapped([folder / "export.csv"], mapping(folder, MAP))
    assert report.balanced
    (count,) = report.sources
    assert count.read == sum(1 for r in rows if any(c.strip() for c in r))
    assert count.written == len(sub.rows("missing_episodes"))
    assert count.rejected == len(report.issues)


def test_mapping_schema_validates_the_fixture_mappings() -> None:
    import json

    import jsonschema

    r = CliRunner().invoke(main, ["mapping", "schema"])
    assert r.exit_code == 0
    schema = json.loads(r.output)
    jsonschema.Draft202012Validator.check_schema(schema)
    for p in sorted((ROOT / "fixtures" / "mapped").glob("*/mapping.yaml")):
        jsonschema.validate(yaml.safe_load(p.read_text()), schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"sources": [{"file": "x", "tables": {}, "colour": "red"}]}, schema)


def test_a_mapping_with_gaps_is_refused_with_the_list_of_gaps(tmp_path: Path) -> None:
    """A draft still holding the gaps `mcds mapping init` marked would convert each affected value blank:
    refused (exit 2), every gap listed by line; the council's gaps need not be filled when given as options."""
    (tmp_path / "missing_export.csv").write_text(
        "Episode ID,PERSON_ID,Missing status,Start date,End date\nE1,C1,Missing,01/05/2024,02/05/2024\n"
        "E2,C1,Absent,03/05/2024,,\n", encoding="utf-8")
    draft = mapping(tmp_path, draft_mapping([tmp_path / "missing_export.csv"]))
    with pytest.raises(InputError) as exc:
        convert_mapped([tmp_path / "missing_export.csv"], draft)
    message = str(exc.value)
    assert "3 gap(s)" in message and "la:" in message and "year:" in message and "Absent:" in message
    with pytest.raises(InputError, match=r"1 gap\(s\)[\s\S]*Absent: one of"):
        convert_mapped([tmp_path / "missing_export.csv"], draft, la="886", year=2025)
    r = CliRunner().invoke(main, ["convert", "mapped", str(tmp_path / "missing_export.csv"), "--mapping", str(draft),
                                  "--la", "886", "--year", "2025", "--out", str(tmp_path / "out")])
    assert r.exit_code == 2 and "Absent" in r.output and not (tmp_path / "out").exists()


def test_a_mapping_written_for_1_0_lists_later_fields_as_not_collected(tmp_path: Path) -> None:
    """Issue 13: a mapping without standard_version was written for 1.0, so what 1.1 added and it does not
    map is not collected (figures on it are x), not blank; a 1.1 mapping leaves that to its not_collected."""
    from mcds.convert.base import added_since

    src = ROOT / "fixtures" / "mapped" / "eclipse"
    text = (src / "mapping.yaml").read_text(encoding="utf-8")
    assert "standard_version" not in text
    sub, _ = convert_mapped([src], src / "mapping.yaml")
    listed = set((sub.metadata["not_collected"] or "").split(";"))
    assert "nrm_referrals" in listed and "missing_episodes.safe_and_well_check_date" in listed
    assert set(added_since("1.0")) <= listed
    for_1_1 = text.replace("mapping_version: 1", "mapping_version: 1\nstandard_version: '1.1'")
    newer, _ = convert_mapped([src], mapping(tmp_path, for_1_1))
    assert not set(added_since("1.0")) & set((newer.metadata["not_collected"] or "").split(";"))
    assert draft_mapping([src / "eclipse_person.csv"]).count("standard_version: '1.1'") == 1


def test_validation_of_a_mapped_workbook_is_reported_in_its_sheet_row_and_column(tmp_path: Path) -> None:
    """Issue 14 part 3: mcds convert mapped keeps each row's origin beside the package
    (<out>.provenance.json), so the validator's issues are in the export's own cells: file, sheet,
    row as Excel shows it, column letter and header, also when mcds validate reads the package later."""
    import openpyxl
    from click.testing import CliRunner

    import mcds
    from mcds.cli import main

    book = openpyxl.Workbook()
    book.active.title = "Notes"
    sheet = book.create_sheet("Episodes")
    sheet.append(["Extra", *EXPORT.splitlines()[0].split(",")])  # the columns start at B
    for line in EXPORT.splitlines()[1:4]:
        sheet.append(["x", *line.split(",")])
    book.save(tmp_path / "export.xlsx")
    text = MAP.replace('file: "export*.csv"', 'file: "export.xlsx"\n    sheet: Episodes')
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["convert", "mapped", str(tmp_path / "export.xlsx"), "--mapping",
                                       str(mapping(tmp_path, text)), "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert (tmp_path / "out.provenance.json").is_file()
    # E3's type 'Gone' is not a code: the export's row 4, column D (Type), not missing_episodes.csv row 4
    found = [(i.code, i.location.file, i.location.sheet, i.location.row, i.location.column, i.location.source_field)
             for i in mcds.validate(out).issues if i.code == "codelist-value"]
    assert found == [("codelist-value", "export.xlsx", "Episodes", 4, "D", "Type")]
    assert "export.xlsx, sheet Episodes, row 4, column D" in result.output


def test_a_column_fault_of_a_mapped_workbook_is_at_its_sheet_column_and_rows(tmp_path: Path) -> None:
    """Issue 14: a Type column of no code in every row is one column-fault finding, at the export's sheet,
    column D (Type) and rows as Excel shows them (the rows before them not converted: not the package's)."""
    import openpyxl

    import mcds

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Episodes"
    sheet.append(["Extra", *EXPORT.splitlines()[0].split(",")])
    sheet.append(["x", "E0", "", "Missing", "", "", "No", ""])  # no child nor date: rejected
    for n in range(1, 26):
        sheet.append(["x", f"E{n}", f"C{n}", "Gone", "03/05/2024", "04/05/2024", "No", ""])
    book.save(tmp_path / "export.xlsx")
    text = MAP.replace('file: "export*.csv"', 'file: "export.xlsx"\n    sheet: Episodes')
    out = tmp_path / "out"
    CliRunner().invoke(main, ["convert", "mapped", str(tmp_path / "export.xlsx"), "--mapping",
                              str(mapping(tmp_path, text)), "--out", str(out)])
    found = [(i.location.file, i.location.sheet, i.location.row, i.location.column, i.location.source_field,
              i.location.child_id, i.count, i.rows) for i in mcds.validate(out).issues if i.code == "column-fault"]
    assert found == [("export.xlsx", "Episodes", None, "D", "Type", "C1", 25, tuple(range(3, 13)))]
