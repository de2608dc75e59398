"""A lone surrogate escape (``"a\\ud800b"``: half of a UTF-16 pair, which is no character) in any JSON or
YAML file a command reads is refused through the real CLI: exit 2, a message naming the file and the
line and column, no internal error, nothing written. Surrogate pairs, and a backslash written before
``u``, are characters like any other and read as before (a property over generated strings)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from mcds.cli import main
from mcds.errors import InputError
from mcds.safety import load_json, load_yaml

ROOT = Path(__file__).resolve().parent.parent
KENT = ROOT / "fixtures" / "valid" / "kent"
KENT_JSON = ROOT / "fixtures" / "valid" / "kent.json"
LIQUIDLOGIC = ROOT / "fixtures" / "mapped" / "liquidlogic"
ANNEX_A = ROOT / "fixtures" / "annex_a" / "kent-2024-25.xlsx"
KEY = "455a85977d89e5f19268a920be17595792a188c57e669ef8e88f71730a985866"
PLACE = re.compile(r": line (\d+), column (\d+): holds \\u(d[89a-f][0-9a-f]{2}), half of a UTF-16 surrogate pair")


def _run(*args: object) -> tuple[int, str]:
    r = CliRunner().invoke(main, [str(a) for a in args], env={"MCDS_KEY": KEY})
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "internal error" not in r.output and "Traceback" not in r.output, r.output
    return r.exit_code, r.output


def _refused_at(output: str, path: Path, line: int, column: int, escape: str) -> None:
    assert f"{path}: line {line}, column {column}:" in output, output
    m = PLACE.search(output)
    assert m and (int(m[1]), int(m[2]), m[3]) == (line, column, escape), output


def _json_with(tmp_path: Path, old: str, new: str) -> tuple[Path, int, int]:
    """kent.json with the string ``old`` (a JSON token, quotes included) replaced by ``new``; the line and
    column where the string starts."""
    text = KENT_JSON.read_text(encoding="utf-8")
    at = text.index(old)
    path = tmp_path / "kent.json"
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")
    line = text.count("\n", 0, at) + 1
    return path, line, at - text.rfind("\n", 0, at)


SOFTWARE = '"mcds fixtures generator"'


@pytest.mark.parametrize("command", [
    ["validate", "{src}"],
    ["validate", "{src}", "--format", "json"],
    ["convert", "package", "{src}", "--to", "csv", "--out", "{out}"],
    ["convert", "package", "{src}", "--to", "xlsx", "--out", "{out}.xlsx"],
    ["pseudonymise", "{src}", "{out}", "--key-env", "MCDS_KEY"],
    ["stats", "{src}", "--out", "{out}"],
    ["summary", "{src}"],
    ["reconcile", "{src}", "--annex-a", str(ANNEX_A)],
], ids=lambda c: " ".join(c[:2]))
def test_a_lone_surrogate_in_the_json_form_is_refused_by_every_command(tmp_path: Path, command: list[str]) -> None:
    src, line, column = _json_with(tmp_path, SOFTWARE, '"a\\ud800b"')
    out = tmp_path / "out"
    code, output = _run(*(a.format(src=src, out=out) for a in command))
    assert code == 2
    _refused_at(output, src, line, column, "d800")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kent.json"]  # nothing written, not even half


@pytest.mark.parametrize("where", ["a key", "a child id", "a low half first"])
def test_every_string_is_checked_keys_too(tmp_path: Path, where: str) -> None:
    old, new, escape = {
        "a key": ('"software"', '"soft\\uDFFFware"', "dfff"),
        "a child id": ('"20fab2bb64f805a1c6a8772f42529fce"', '"20fab\\udc00"', "dc00"),
        "a low half first": (SOFTWARE, '"\\udc00\\ud800"', "dc00"),
    }[where]
    src, line, column = _json_with(tmp_path, old, new)
    code, output = _run("validate", src)
    assert code == 2
    _refused_at(output, src, line, column, escape)


def test_a_lone_surrogate_in_a_package_descriptor_is_refused(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    shutil.copytree(KENT, pkg)
    desc = pkg / "datapackage.json"
    text = desc.read_text(encoding="utf-8")
    at = text.index('"title": "') + len('"title": ')
    desc.write_text(text[:at] + '"\\ud812"' + text[text.index(",", at):], encoding="utf-8")
    for command in (["validate", pkg], ["convert", "package", pkg, "--to", "json", "--out", tmp_path / "o.json"]):
        code, output = _run(*command)
        assert code == 2
        _refused_at(output, desc, text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at), "d812")
    assert not (tmp_path / "o.json").exists()


def test_a_lone_surrogate_in_yaml_explanations_is_refused(tmp_path: Path) -> None:
    explanations = tmp_path / "explanations.yaml"
    explanations.write_text('explanations:\n  - code: missing-no-interview\n    table: missing_episodes\n'
                            '    row: 2\n    explanation: "declined \\ud83d"\n', encoding="utf-8")
    code, output = _run("validate", KENT, "--explanations", explanations, "--annotate", tmp_path / "a.xlsx")
    assert code == 2
    _refused_at(output, explanations, 5, 18, "d83d")
    assert not (tmp_path / "a.xlsx").exists()


def test_a_lone_surrogate_in_a_mapping_is_refused(tmp_path: Path) -> None:
    export = tmp_path / "export"
    shutil.copytree(LIQUIDLOGIC, export)
    mapping = export / "mapping.yaml"
    lines = mapping.read_text(encoding="utf-8").splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if line.lstrip().startswith("- file:"))
    indent = lines[n].index("- file:") + len("- file: ")
    lines[n] = lines[n][:indent] + '"DIM\\U0000DABCPERSON*.csv"\n'
    mapping.write_text("".join(lines), encoding="utf-8")
    code, output = _run("convert", "mapped", export, "--mapping", mapping, "--out", tmp_path / "out")
    assert code == 2
    _refused_at(output, mapping, n + 1, indent + 1, "dabc")
    assert not (tmp_path / "out").exists()


def test_a_character_yaml_does_not_allow_is_a_clean_refusal(tmp_path: Path) -> None:
    """PyYAML refuses control characters (DEL, C1 controls) before parsing, outside the errors it marks."""
    explanations = tmp_path / "explanations.yaml"
    explanations.write_text("explanations:\n  - code: x\n    explanation: 'a\x7fb'\n", encoding="utf-8")
    code, output = _run("validate", KENT, "--explanations", explanations)
    assert code == 2 and f"{explanations}: line 3, column 20: holds a character YAML does not allow (U+007F)" in output


# ---------------------------------------------------------------- no false alarms

_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=20)  # every character but surrogates


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(_text, st.lists(_text, max_size=4), max_size=4), st.booleans())
def test_characters_written_as_escapes_read_back_as_they_were(doc: dict[str, list[str]], ascii_only: bool) -> None:
    """Characters beyond the BMP written as escaped surrogate pairs (\\ud83d\\ude00), and text holding a
    backslash followed by 'u' (written as \\\\u), are not lone surrogates."""
    text = json.dumps(doc, ensure_ascii=ascii_only)
    assert load_json(Path("doc.json"), text) == doc
    if ascii_only:  # YAML reads escaped JSON too (raw control characters it refuses: see below)
        assert load_yaml(Path("doc.yaml"), text) == doc  # pairs PyYAML leaves as halves are joined


@settings(max_examples=200, deadline=None)
@given(st.lists(_text, min_size=1, max_size=5), st.data())
def test_a_lone_surrogate_anywhere_is_found_where_it_is(values: list[str], data: st.DataObject) -> None:
    index = data.draw(st.integers(0, len(values) - 1))
    half = data.draw(st.integers(0xD800, 0xDFFF))
    cut = data.draw(st.integers(0, len(values[index])))
    values[index] = values[index][:cut] + chr(half) + values[index][cut:]
    text = "[\n" + ",\n".join(json.dumps(v) for v in values) + "\n]"  # one value a line: value n is on line n + 1
    with pytest.raises(InputError) as exc:
        load_json(Path("doc.json"), text)
    assert exc.value.where == f"line {index + 2}, column 1" and f"\\u{half:04x}" in exc.value.reason
