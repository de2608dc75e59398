from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from mcds import __version__
from mcds import standard as std
from mcds.cli import main

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_version_names_toolkit_and_standard_versions() -> None:
    r = run("--version")
    assert r.exit_code == 0
    assert __version__ in r.output and all(v in r.output for v in std.supported_versions())


def test_schema_json_lists_every_table_and_field() -> None:
    r = run("schema", "--format", "json")
    assert r.exit_code == 0
    doc = json.loads(r.output)
    s = std.load()
    assert [t["name"] for t in doc["tables"]] == list(s.tables)
    assert [f["name"] for f in doc["tables"][0]["fields"]] == list(s.tables["children"].field_names)


def test_codelist_prints_codes_in_each_format() -> None:
    assert [line.split()[0] for line in run("codelist", "sex").output.splitlines()] == ["M", "F", "U"]
    r = run("codelist", "missing_episode_type", "--format", "json")
    assert [c["code"] for c in json.loads(r.output)["codes"]] == ["missing", "away", "not_distinguished"]
    r = run("codelist", "sex", "--format", "csv")
    assert r.output.splitlines()[0] == "code,title,description,source" and r.output.splitlines()[1].startswith("M,")


def test_unknown_codelist_is_a_usage_error() -> None:
    r = run("codelist", "nope")
    assert r.exit_code == 2 and "nope" in r.output


def test_summary_counts_the_example() -> None:
    r = run("summary", str(ROOT / "fixtures" / "valid" / "kent"), "--format", "json")
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["council"]["old_la_code"] == "886"
    assert doc["rows"]["children"] == len((ROOT / "fixtures/valid/kent/children.csv").read_text().splitlines()) - 1


def test_unreadable_input_exits_2_with_the_file_named(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("{not json")
    r = CliRunner().invoke(main, ["summary", str(bad)])
    assert r.exit_code == 2
    assert "broken.json" in r.output and "Traceback" not in r.output


def test_every_command_module_is_named_as_its_command() -> None:
    import importlib
    import pkgutil

    from mcds import commands

    for m in pkgutil.iter_modules(commands.__path__):
        if not m.name.startswith("_"):
            assert importlib.import_module(f"mcds.commands.{m.name}").command.name == m.name.replace("_", "-")


def test_help_lists_every_command() -> None:
    r = run("--help")
    assert r.exit_code == 0
    for name in ("check-ees", "codelist", "convert", "mapping", "pseudonymise", "reconcile", "schema", "stats",
                 "summary", "template", "validate"):
        assert f"  {name} " in r.output
    assert run("no-such-command").exit_code == 2


def test_issue_line_names_severity_place_message_and_code() -> None:
    from mcds.issues import Issue, Location, Severity

    issue = Issue("type-error", Severity.ERROR, "bad date",
                  Location(table="children", file="children.csv", row=3, column="B", field="birth_year_month"))
    assert issue.line() == "error: children.csv, row 3, column B (birth_year_month): bad date [type-error]"
