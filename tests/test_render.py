"""Renderers of a report and the `mcds validate` command: formats, exit codes, annotated copies."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

import mcds
from mcds import render
from mcds.cli import main

ROOT = Path(__file__).resolve().parent.parent
SUITE = ROOT / "standard" / "1.0" / "conformance"
SCHEMA = json.loads((ROOT / "standard" / "1.0" / "report.schema.json").read_text(encoding="utf-8"))
BASE = SUITE / "valid-base" / "input"


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The base with a bad code (error), a query and a late interview (warning)."""
    folder = tmp_path / "pkg"
    shutil.copytree(BASE, folder)
    p = folder / "children.csv"
    p.write_text(p.read_text(encoding="utf-8").replace("C1,2009-05,M,", "C1,2009-05,m,"), encoding="utf-8")
    p = folder / "placements.csv"
    p.write_text(p.read_text(encoding="utf-8").replace("P3,C2,2024-06-01", "P3,C2,2025-09-02"), encoding="utf-8")
    p = folder / "return_interviews.csv"
    p.write_text(p.read_text(encoding="utf-8").replace("2025-05-04", "2025-05-09"), encoding="utf-8")
    return folder


EXPECTED = [("codelist-value", "children", 2, "sex"), ("episode-not-looked-after", "missing_episodes", 4, "start_date"),
            ("interview-late", "return_interviews", 2, "completed_date")]


def test_json_matches_the_published_schema(broken: Path) -> None:
    report = mcds.validate(broken)
    doc = json.loads(render.json_text(report))
    jsonschema.validate(doc, SCHEMA)
    assert doc["counts"] == {"error": 1, "query": 1, "warning": 1} and doc["valid"] is False
    assert sorted((i["code"], i["table"], i["row"], i["field"]) for i in doc["issues"]) == EXPECTED


def test_csv_lists_every_issue(broken: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(render.csv_text(mcds.validate(broken)))))
    assert sorted((r["code"], r["table"], int(r["row"]), r["field"]) for r in rows) == EXPECTED
    assert {r["severity"] for r in rows} == {"error", "query", "warning"}


def test_github_workflow_commands(broken: Path) -> None:
    lines = render.github(mcds.validate(broken)).splitlines()
    pattern = re.compile(r"^::(error|warning|notice) (file=[^,]+,)?(line=\d+,)?title=[a-z0-9-]+::.+$")
    assert all(pattern.match(line) for line in lines[:-1]), lines
    assert any(line.startswith("::error file=") and "children.csv,line=2,title=codelist-value::" in line for line in lines)
    assert lines[-1].startswith("::error::Not valid")


def test_text_groups_by_code_with_guidance_and_verdict(broken: Path) -> None:
    out = render.text(mcds.validate(broken), locations=1)
    assert out.index("codelist-value") < out.index("episode-not-looked-after") < out.index("interview-late")
    assert "How to fix" in out and "row 2" in out and "(did you mean 'M'?)" in out
    assert out.rstrip().endswith("Not valid: 1 error, 1 query, 1 warning.")


def test_verdict_counts_explained_queries(tmp_path: Path, broken: Path) -> None:
    (tmp_path / "e.csv").write_text("code,table,row,explanation\nepisode-not-looked-after,missing_episodes,4,ok\n",
                                    encoding="utf-8")
    report = mcds.validate(broken, explanations=tmp_path / "e.csv")
    assert render.verdict(report) == "Not valid: 1 error, 1 query (1 explained), 1 warning."
    doc = json.loads(render.json_text(report))
    jsonschema.validate(doc, SCHEMA)
    assert [i["explanation"] for i in doc["issues"] if "explanation" in i] == ["ok"]


# ---------------------------------------------------------------- the command


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, ["validate", *args])
    return r.exit_code, r.stdout, r.stderr


def test_exit_0_for_valid_data_with_warnings() -> None:
    code, out, _ = run(str(SUITE / "interview-late" / "input"))
    assert code == 0 and "Valid: 0 errors, 0 queries, 1 warning." in out


def test_exit_1_and_json_output(broken: Path) -> None:
    code, out, _ = run(str(broken), "--format", "json")
    doc = json.loads(out)
    jsonschema.validate(doc, SCHEMA)
    assert code == 1 and len(doc["issues"]) == 3 and doc["source"] == str(broken)


def test_exit_0_once_queries_are_explained(tmp_path: Path) -> None:
    case = SUITE / "episode-not-looked-after" / "input"
    assert run(str(case))[0] == 1
    (tmp_path / "e.yaml").write_text("- {code: episode-not-looked-after, id: E3, explanation: UASC on arrival}\n",
                                     encoding="utf-8")
    code, out, _ = run(str(case), "--explanations", str(tmp_path / "e.yaml"), "--format", "csv")
    assert code == 0 and "UASC on arrival" in out


@pytest.mark.parametrize("args", [["/no/such/folder"], ["{base}", "--standard-version", "0.1"], ["{base}", "--format", "xml"],
                                  ["{bad}"], ["{base}", "--explanations", "/no/such.csv"]])
def test_exit_2_without_a_traceback(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "bad.json").write_text("{oops", encoding="utf-8")
    args = [a.format(base=BASE, bad=tmp_path / "bad.json") for a in args]
    code, out, err = run(*args)
    assert code == 2 and "Traceback" not in out + err
    assert err.strip()


def test_annotated_copy(tmp_path: Path, broken: Path) -> None:
    out = tmp_path / "annotated.xlsx"
    code, _, _ = run(str(broken), "--annotate", str(out))
    assert code == 1 and out.is_file()
    wb = load_workbook(out)
    assert wb.sheetnames[0] == "Issues" and {"children", "missing_episodes", "Metadata"} <= set(wb.sheetnames)
    issues = list(wb["Issues"].iter_rows(min_row=2, values_only=True))
    assert sorted((r[0], r[2], r[5], r[7]) for r in issues) == EXPECTED
    cell = wb["children"]["C2"]
    assert cell.value == "m" and "codelist-value" in cell.comment.text and cell.fill.fgColor.rgb.endswith("FFC7CE")
    assert wb["missing_episodes"]["E4"].comment is not None
    assert wb["children"]["A1"].value == "child_id" and wb["children"]["A3"].value == "C2"
    assert not list(tmp_path.glob(".annotated.xlsx*")), "no temporary file left behind"
