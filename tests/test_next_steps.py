"""Issue 16 (Commands): messages say what to do next, and `mcds summary` reads every form.

- a command given an SSDA903 return, Annex A or a system's export instead of a submission says which
  conversion makes it one, and the command it names runs;
- an explanation keyed on a sheet's title says which table name to use;
- the "How to fix" of a grouped issue names its values (``foreign-key-missing``: the table), never a
  ``{placeholder}``;
- ``reconcile`` on a pseudonymised submission without the key says to pass ``--key-file``.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import string
from pathlib import Path

import pytest
from click.testing import CliRunner

from mcds import standard as std
from mcds.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
KENT = FIXTURES / "valid" / "kent"
KEY = "3f9c2a7e51d84b06c1e9a5f27d30b8e46a1c5d92f07e3b68d4a2c9e15b70f3a8"


def run(*args: object) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, [str(a) for a in args])
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    return r.exit_code, r.stdout, r.stderr


def suggested(text: str) -> list[str]:
    """The commands a message suggests, as `mcds ...` between backticks."""
    return re.findall(r"`(mcds [^`]+)`", text)


def _filled(command: str, out: Path) -> list[str]:
    words = shlex.split(command)[1:]
    return [{"CODE": "886", "YEAR": "2025", "FOLDER": str(out)}.get(w, w) for w in words]


# ---------------------------------------------------------------- inputs that need converting first


@pytest.mark.parametrize("source", ["ssda903/csv-2025-26", "ssda903/csv-2024-25-messy",
                                    "ssda903/xml-2024-25/SSDA903_202425.xml"])
@pytest.mark.parametrize("command", [("validate",), ("summary",), ("upgrade", "--out", "{out}"),
                                     ("stats", "--out", "{out}"),
                                     ("pseudonymise", "--out", "{out}", "--key-env", "MCDS_KEY")],
                         ids=lambda c: c[0])
def test_a_903_return_is_met_with_the_conversion_to_run(source: str, command: tuple[str, ...], tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MCDS_KEY", KEY)
    path = FIXTURES / source
    args = [command[0], path, *(a.format(out=tmp_path / "out") for a in command[1:])]
    code, _, err = run(*args)
    assert code == 2 and "SSDA903" in err, err
    [convert] = suggested(err)
    assert convert.startswith(f"mcds convert ssda903 {path} ")
    assert not (tmp_path / "out").exists()


def test_the_suggested_903_conversion_runs_and_its_output_validates(tmp_path: Path) -> None:
    _, _, err = run("validate", ROOT / "docs" / "examples" / "ssda903")  # the adoption guide's return, for 2025
    [convert] = suggested(err)
    code, out, _ = run(*_filled(convert, tmp_path / "converted"))
    assert code == 0, out
    assert run("validate", tmp_path / "converted")[0] == 0


def test_annex_a_read_as_a_workbook_gets_a_note_naming_its_conversion(tmp_path: Path) -> None:
    annex = FIXTURES / "annex_a" / "kent-2024-25.xlsx"
    code, out, _ = run("validate", annex, "--format", "json")
    assert code == 1
    notes = json.loads(out)["notes"]
    [convert] = [c for n in notes for c in suggested(n) if c.startswith("mcds convert")]
    assert convert.startswith(f"mcds convert annex-a {annex} ")
    assert run(*_filled(convert, tmp_path / "children"))[0] == 0
    assert not any(suggested(n) for n in json.loads(run("validate", KENT, "--format", "json")[1]).get("notes", []))


def test_a_system_export_is_met_with_the_mapping_to_draft(tmp_path: Path) -> None:
    export = shutil.copytree(FIXTURES / "mapped" / "liquidlogic", tmp_path / "My export")
    (export / "mapping.yaml").unlink()
    code, _, err = run("validate", export)
    assert code == 2
    init, convert = suggested(err)
    assert init.startswith(f'mcds mapping init "{export}"') and convert.startswith(f'mcds convert mapped "{export}"')
    assert run(*_filled(init.replace("mapping.yaml", str(tmp_path / "mapping.yaml")), tmp_path))[0] == 0


def test_nothing_is_suggested_for_what_no_converter_reads(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    for path in (tmp_path / "empty", tmp_path / "notes.txt"):
        code, _, err = run("validate", path)
        assert code == 2 and not suggested(err), err


# ---------------------------------------------------------------- explanations keyed on a sheet's title


@pytest.mark.parametrize("table", list(std.load().tables.values()), ids=lambda t: t.name)
def test_an_explanation_keyed_on_a_sheet_title_says_the_table_name(table: std.Table, tmp_path: Path) -> None:
    from mcds.forms import sheet_name

    explanations = tmp_path / "explanations.csv"
    for given in (sheet_name(table), table.title.upper()):
        explanations.write_text(f'code,table,row,id,explanation\nuasc-under-10,{given},14,,"Age assessed."\n',
                                encoding="utf-8")
        code, _, err = run("validate", KENT, "--explanations", explanations)
        assert code == 2 and "row 2" in err and f"write the table's name, {table.name}" in err, err


def test_an_explanation_naming_no_table_lists_the_names(tmp_path: Path) -> None:
    explanations = tmp_path / "explanations.yaml"
    explanations.write_text("- {code: uasc-under-10, table: episodes, row: 14, explanation: x}\n", encoding="utf-8")
    code, _, err = run("validate", KENT, "--explanations", explanations)
    assert code == 2 and "entry 1" in err and all(name in err for name in std.load().tables)
    explanations.write_text("- {code: uasc-under-10, table: children, row: 14, explanation: x}\n", encoding="utf-8")
    assert run("validate", KENT, "--explanations", explanations)[0] == 0


# ---------------------------------------------------------------- "How to fix" with its values


@pytest.mark.parametrize("version", std.supported_versions())
def test_every_guidance_placeholder_is_filled_from_the_issues(version: str) -> None:
    from mcds.catalogue import catalogue, make_issue
    from mcds.issues import Location
    from mcds.render import guidance

    for kind in catalogue(version).values():
        names = {n for _, n, _, _ in string.Formatter().parse(kind.guidance) if n}
        assert names <= kind.placeholders, f"{kind.code}: its guidance names what its message does not"
        if not names:
            continue
        issues = [make_issue(kind.code, Location(table="t", field="f"), version=version,
                             **{n: f"<{n} {i}>" for n in kind.placeholders - {"table", "field"}}) for i in (1, 2, 1)]
        text = guidance(kind, issues)
        assert "{" not in text
        for n in names - {"table", "field"}:
            assert f"<{n} 1> or <{n} 2>" in text  # each value once, in the order met


def test_a_missing_reference_says_which_table_to_add_the_row_to(tmp_path: Path) -> None:
    pkg = shutil.copytree(KENT, tmp_path / "kent")
    s = std.load()
    episodes = s.tables["missing_episodes"]
    broken = {fk["fields"][0]: fk["reference"]["resource"] for fk in episodes.foreign_keys}
    path = pkg / "missing_episodes.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    for name in broken:
        cells[header.index(name)] = "NO-SUCH-ROW"
    lines[1] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, _ = run("validate", pkg)
    assert code == 1
    [fix] = [line for line in out.splitlines()[out.splitlines().index(next(
        line for line in out.splitlines() if "foreign-key-missing" in line)):] if "How to fix:" in line][:1]
    assert "{" not in fix and f"the {' or '.join(broken.values())} table" in fix, fix


# ---------------------------------------------------------------- reconcile without the key


def test_reconcile_on_a_pseudonymised_submission_without_the_key_says_to_pass_it(tmp_path: Path) -> None:
    key = tmp_path / "council.key"
    key.write_text(KEY, encoding="utf-8")
    annex = FIXTURES / "annex_a" / "kent-2024-25.xlsx"
    assert run("pseudonymise", KENT, "--out", tmp_path / "p", "--key-file", key)[0] == 0
    code, out, err = run("reconcile", tmp_path / "p", "--annex-a", annex)
    assert code == 2 and "--key-file" in err and "pseudonymised" in err and not out
    code, out, _ = run("reconcile", tmp_path / "p", "--annex-a", annex, "--key-file", key)
    assert code == 0 and "agree" in out
    other = tmp_path / "other.key"
    other.write_text(KEY[::-1], encoding="utf-8")
    code, out, _ = run("reconcile", tmp_path / "p", "--annex-a", annex, "--key-file", other)
    assert code == 1 and "is the key the one the submission was pseudonymised with?" in out
    assert run("reconcile", KENT, "--annex-a", annex)[0] == 0  # not pseudonymised: no key needed


# ---------------------------------------------------------------- summary reads every form


def test_summary_reads_every_form_validate_reads(tmp_path: Path) -> None:
    forms = {"csv": KENT, "json": FIXTURES / "valid" / "kent.json"}
    for form, name in (("xlsx", "kent.xlsx"), ("csv", "pkg")):
        assert run("convert", "package", KENT, "--to", form, "--out", tmp_path / name)[0] == 0
    forms["xlsx"] = tmp_path / "kent.xlsx"
    forms["datapackage.json"] = tmp_path / "pkg" / "datapackage.json"
    shutil.make_archive(str(tmp_path / "kent"), "zip", KENT)
    forms["zip"] = tmp_path / "kent.zip"
    summaries = {}
    for form, path in forms.items():
        assert run("validate", path)[0] == 0, form
        code, out, err = run("summary", path, "--format", "json")
        assert code == 0, f"{form}: {err}"
        summaries[form] = json.loads(out)
    assert all(s == summaries["csv"] for s in summaries.values()), summaries
