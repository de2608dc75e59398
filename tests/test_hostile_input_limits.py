"""Other bad input (issue 12): a YAML alias bomb, mapping templates that are format strings, ZIP members
that cannot be extracted, a descriptor of 30,000 resources and a CSV file of 100,000 columns. Each is
refused through the real CLI with exit 2, a message naming the file (and the place), no traceback and
nothing written; the limits hold exactly where :mod:`mcds.safety` says; extracted ZIPs never outlive
their run.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import textwrap
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from mcds import safety
from mcds import standard as std
from mcds.cli import main
from mcds.convert.mapped import fill_template, template_parts
from mcds.errors import InputError
from mcds.readers.csvpkg import header_of, read_descriptor

ROOT = Path(__file__).resolve().parent.parent
KENT = ROOT / "fixtures" / "valid" / "kent"
LIQUIDLOGIC = ROOT / "fixtures" / "mapped" / "liquidlogic"
MOSAIC = ROOT / "fixtures" / "mapped" / "mosaic"
ZIP_PREFIX = safety.ZIP_TEMP_PREFIX


def billion_laughs(last: str = "explanations: [{code: *i, table: children, row: 2, explanation: *i}]") -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        lines.append(f"{chr(97 + i)}: &{chr(97 + i)} [" + ",".join([f"*{chr(96 + i)}"] * 9) + "]")
    return "\n".join([*lines, last]) + "\n"


def cli(*args: str) -> tuple[int, str, float]:
    start = time.monotonic()
    result = CliRunner().invoke(main, list(args))
    elapsed = time.monotonic() - start
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    text = result.output + (result.stderr if result.stderr_bytes is not None else "")
    assert "Traceback" not in text and "internal error" not in text, text[-2000:]
    return result.exit_code, text, elapsed


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary folder of the run (extracted ZIPs go here), empty at the start."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def _extractions(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob(f"{ZIP_PREFIX}*"))


# ---------------------------------------------------------------- 1. YAML alias bombs


def test_explanations_bomb_is_refused_at_once(tmp_path: Path) -> None:
    bomb = tmp_path / "explanations.yaml"
    bomb.write_text(billion_laughs(), encoding="utf-8")
    assert bomb.stat().st_size < 600
    code, text, elapsed = cli("validate", str(KENT), "--explanations", str(bomb))
    assert code == 2 and str(bomb) in text and "YAML bomb" in text
    assert elapsed < 2, f"took {elapsed:.2f}s"


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS is enforced on Linux")
def test_explanations_bomb_stays_within_memory(tmp_path: Path) -> None:
    """In a process limited to 1 GB of address space (today it grew to 2.2 GB, then MemoryError)."""
    bomb = tmp_path / "explanations.yaml"
    bomb.write_text(billion_laughs(), encoding="utf-8")

    def limited() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1024**3, 1024**3))

    r = subprocess.run([sys.executable, "-m", "mcds.cli", "validate", str(KENT), "--explanations", str(bomb)],
                       capture_output=True, text=True, preexec_fn=limited, timeout=60)
    assert r.returncode == 2, r.stderr[-500:]
    assert str(bomb) in r.stderr and "Traceback" not in r.stderr + r.stdout


def _mapped(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    export = tmp_path / "export"
    shutil.copytree(LIQUIDLOGIC, export)
    mapping = export / "mapping.yaml"
    mapping.write_text(edit(mapping.read_text(encoding="utf-8")), encoding="utf-8")
    return export


def test_mapping_bomb_is_refused_at_once(tmp_path: Path) -> None:
    export = _mapped(tmp_path, lambda text: billion_laughs("sources: *i"))
    out = tmp_path / "out"
    code, text, elapsed = cli("convert", "mapped", str(export), "--mapping", str(export / "mapping.yaml"),
                              "--out", str(out))
    assert code == 2 and str(export / "mapping.yaml") in text and "YAML bomb" in text
    assert elapsed < 2 and not out.exists()


def test_mapping_anchors_used_sparingly_still_work(tmp_path: Path) -> None:
    """Aliases are bounded, not banned: a field map written once and reused converts as if copied."""
    plain = tmp_path / "plain"
    code, _, _ = cli("convert", "mapped", str(LIQUIDLOGIC), "--mapping", str(LIQUIDLOGIC / "mapping.yaml"),
                     "--out", str(plain))
    assert code == 0

    def anchored(text: str) -> str:
        line = next(x for x in text.splitlines() if "interview_id: {template:" in x)
        first, second = (i for i, x in enumerate(text.splitlines()) if x == line)
        lines = text.splitlines()
        lines[first] = line.replace("interview_id: {", "interview_id: &ri {")
        lines[second] = line.split("interview_id:")[0] + "interview_id: *ri"
        return "\n".join(lines) + "\n"

    export = _mapped(tmp_path, anchored)
    assert "*ri" in (export / "mapping.yaml").read_text(encoding="utf-8")
    reused = tmp_path / "reused"
    code, text, _ = cli("convert", "mapped", str(export), "--mapping", str(export / "mapping.yaml"),
                        "--out", str(reused))
    assert code == 0, text
    tables = sorted(f.name for f in plain.glob("*.csv"))
    assert tables and tables == sorted(f.name for f in reused.glob("*.csv"))
    assert all((plain / t).read_bytes() == (reused / t).read_bytes() for t in tables)


def test_the_alias_bound_is_where_it_says(tmp_path: Path) -> None:
    """Aliases may add at most MAX_YAML_ALIAS_EXPANSION values and characters, counted as copies."""
    word = "x" * 99  # a scalar counts 1 + its length: each alias of it adds 100
    allowed = safety.MAX_YAML_ALIAS_EXPANSION // 100

    def doc(aliases: int) -> str:
        return f"a: &w {word}\nb: [" + ", ".join(["*w"] * aliases) + "]\n"

    assert len(safety.load_yaml(tmp_path / "f.yaml", doc(allowed))["b"]) == allowed
    with pytest.raises(InputError, match="YAML bomb"):
        safety.load_yaml(tmp_path / "f.yaml", doc(allowed + 1))


@pytest.mark.parametrize(("text", "where"), [("a: &a [b, *a]\n", "line 1"), ("a: [1,\n  2\n", "line 3"),
                                             ("[" * 3000 + "]" * 3000, None), ("a: !!python/object:os.system x\n", "line 1")])
def test_yaml_that_cannot_be_read_is_refused_naming_the_place(tmp_path: Path, text: str, where: str | None) -> None:
    path = tmp_path / "explanations.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        safety.load_yaml(path)
    line = exc.value.where.split(",")[0] if exc.value.where else None
    assert exc.value.path == str(path) and line == where


# ---------------------------------------------------------------- 2. mapping templates


@pytest.mark.parametrize("template", ["{FACT_MISSING_PERSON_ID:>400000000}", "{FACT_MISSING_PERSON_ID.x}",
                                      "{FACT_MISSING_PERSON_ID[0]}", "{FACT_MISSING_PERSON_ID!r}", "RI-{0}",
                                      "RI-{}", "RI-{FACT_MISSING_PERSON_ID", "RI-}"])
def test_format_string_templates_are_refused_at_load(tmp_path: Path, template: str) -> None:
    export = _mapped(tmp_path, lambda text: text.replace("RI-{FACT_MISSING_PERSON_ID}", template))
    out = tmp_path / "out"
    start = time.monotonic()
    code, text, _ = cli("convert", "mapped", str(export), "--mapping", str(export / "mapping.yaml"), "--out", str(out))
    assert code == 2 and str(export / "mapping.yaml") in text
    assert "return_interviews.fields.interview_id.template" in text
    assert time.monotonic() - start < 5 and not out.exists()


def test_a_template_naming_an_unknown_column_names_the_export(tmp_path: Path) -> None:
    export = _mapped(tmp_path, lambda text: text.replace("RI-{FACT_MISSING_PERSON_ID}", "RI-{NO_SUCH_COLUMN}"))
    code, text, _ = cli("convert", "mapped", str(export), "--mapping", str(export / "mapping.yaml"),
                        "--out", str(tmp_path / "out"))
    assert code == 2 and "FACT_MISSING_PERSON.csv" in text and "NO_SUCH_COLUMN" in text
    assert not (tmp_path / "out").exists()


NAME = st.text(st.characters(blacklist_characters="{}:!.[]", blacklist_categories=("Cs",)), min_size=1,
               max_size=12).filter(lambda s: s.strip() != "" and not s.strip().isdigit())
LITERAL = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12).map(
    lambda s: s.replace("{", "{{").replace("}", "}}"))


@st.composite
def plain_templates(draw) -> tuple[str, list[str]]:  # type: ignore[no-untyped-def]
    names = draw(st.lists(NAME, max_size=4))
    pieces = [draw(LITERAL)]
    for name in names:
        pieces += ["{" + name + "}", draw(LITERAL)]
    return "".join(pieces), names


@settings(max_examples=300, deadline=None)
@given(plain_templates(), st.data())
def test_plain_placeholders_are_accepted_and_filled_as_str_format_would(template: tuple[str, list[str]], data) -> None:  # type: ignore[no-untyped-def]
    text, names = template
    cells = {n: data.draw(st.text(max_size=8), label=n) for n in names}
    assert [n for kind, n in template_parts(text) if kind == "column"] == names
    assert fill_template(text, cells) == text.format(**cells)
    if names:
        assert fill_template(text, {**cells, names[0]: None}) is None


SUFFIX = st.one_of(st.text(max_size=6).map(lambda s: ":" + s), st.sampled_from("rsa").map(lambda c: "!" + c),
                   NAME.map(lambda s: "." + s), st.text(max_size=4).map(lambda s: f"[{s}]"))


@settings(max_examples=300, deadline=None)
@given(plain_templates(), NAME, SUFFIX, st.integers(0, 1))
def test_any_format_spec_conversion_attribute_or_index_is_refused(template: tuple[str, list[str]], name: str,
                                                                  suffix: str, where: int) -> None:
    text, _ = template
    bad = "{" + name + suffix.replace("{", "").replace("}", "") + "}"
    with pytest.raises(ValueError, match="template"):
        template_parts(bad + text if where else text + bad)


@settings(max_examples=500, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_whatever_is_accepted_is_plain_for_str_format(text: str) -> None:
    try:
        parts = template_parts(text)
    except ValueError:
        return
    for _, name, spec, conversion in string.Formatter().parse(text):
        assert conversion is None and not spec
        assert name is None or (name.strip() and not name.strip().isdigit() and not set(name) & set(".[]"))
    cells = {n: "v" for kind, n in parts if kind == "column"}
    assert fill_template(text, cells) == text.format(**cells)


# ---------------------------------------------------------------- 3. ZIP members that cannot be extracted


def _zipped_package(tmp_path: Path, extra: dict[str, bytes]) -> Path:
    path = tmp_path / "package.zip"
    with zipfile.ZipFile(path, "w") as z:
        for f in sorted(KENT.iterdir()):
            z.write(f, f.name)
        for name, data in extra.items():
            z.writestr(name, data)
    return path


@pytest.mark.parametrize("extra", [{"children.csv/inner.csv": b"x\n"}, {"a": b"x", "a/b": b"y"},
                                   {"a/b": b"y", "a": b"x"}, {"Children.CSV": b"x\n"}, {"n" * 300: b"x"},
                                   {"d/" + "é" * 128 + "/f": b"x"}, {"/".join(["d" * 200] * 6): b"x"}],
                         ids=["file-folder", "a-a/b", "a/b-a", "case", "300-characters", "256-bytes", "long-path"])
@pytest.mark.parametrize("command", ["validate", "convert", "stats"])
def test_zip_members_that_cannot_be_extracted_are_refused(tmp_path: Path, private_tmp: Path, extra: dict[str, bytes],
                                                          command: str) -> None:
    path = _zipped_package(tmp_path, extra)
    out = tmp_path / "out"
    args = {"validate": ["validate", str(path)], "stats": ["stats", str(path), "--out", str(out)],
            "convert": ["convert", "package", str(path), "--to", "json", "--out", str(out / "x.json")]}[command]
    code, text, _ = cli(*args)
    assert code == 2 and str(path) in text and "refused" in text
    assert not out.exists() and _extractions(private_tmp) == []


@pytest.mark.parametrize("names", [["a/", "a/b"], ["a/b", "a/c", "b"], ["d/" + "é" * 127 + "/f"], ["x" * 255]])
def test_zip_members_that_can_be_extracted_pass(tmp_path: Path, names: list[str]) -> None:
    path = tmp_path / "ok.zip"
    with zipfile.ZipFile(path, "w") as z:
        for n in names:
            z.writestr(n, b"" if n.endswith("/") else b"x")
    assert safety.check_zip(path).names == names


# ---------------------------------------------------------------- extracted ZIPs never outlive their run


def test_extraction_is_removed_after_success_error_and_interrupt(tmp_path: Path, private_tmp: Path) -> None:
    path = _zipped_package(tmp_path, {})
    with safety.extracted_zip(path) as folder:
        assert (folder / "datapackage.json").is_file() and len(_extractions(private_tmp)) == 1
    assert _extractions(private_tmp) == []
    for exc in (InputError(path, "bad"), KeyboardInterrupt()):
        with pytest.raises(type(exc)), safety.extracted_zip(path):
            raise exc
        assert _extractions(private_tmp) == []
    code, _, _ = cli("validate", str(path))
    assert code == 0 and _extractions(private_tmp) == []


@pytest.mark.skipif(sys.platform == "win32", reason="locks of killed processes: POSIX")
def test_an_extraction_left_by_a_killed_run_is_removed_by_the_next(tmp_path: Path, private_tmp: Path) -> None:
    path = _zipped_package(tmp_path, {})
    script = textwrap.dedent(f"""
        import os, signal, sys, tempfile
        tempfile.tempdir = {str(private_tmp)!r}
        from mcds.safety import extracted_zip
        with extracted_zip({str(path)!r}) as folder:
            print(folder, flush=True)
            if sys.argv[1] == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
            sys.stdin.readline()
    """)
    killed = subprocess.run([sys.executable, "-c", script, "kill"], capture_output=True, text=True, timeout=60)
    assert killed.returncode == -signal.SIGKILL
    left = _extractions(private_tmp)
    assert len(left) == 1
    running = subprocess.Popen([sys.executable, "-c", script, "wait"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)
    try:
        live = Path(running.stdout.readline().strip()).parent.name  # type: ignore[union-attr]
        assert live in _extractions(private_tmp)
        hour_ago = time.time() - 3600
        for name in _extractions(private_tmp):
            os.utime(private_tmp / name, (hour_ago, hour_ago))
        with safety.extracted_zip(path) as ours:
            assert _extractions(private_tmp) == sorted([live, ours.parent.name])  # the killed run's is gone
    finally:
        running.communicate("\n", timeout=60)
    assert _extractions(private_tmp) == []


# ---------------------------------------------------------------- 4. resources


def _package(tmp_path: Path) -> Path:
    pkg = tmp_path / "pkg"
    shutil.copytree(KENT, pkg)
    return pkg


def _add_resources(pkg: Path, n: int) -> None:
    desc = json.loads((pkg / "datapackage.json").read_text(encoding="utf-8"))
    desc["resources"] += [{"name": f"t{i}", "path": "children.csv"} for i in range(n)]
    (pkg / "datapackage.json").write_text(json.dumps(desc), encoding="utf-8")


@pytest.mark.parametrize("command", ["validate", "stats"])
def test_thirty_thousand_resources_are_refused(tmp_path: Path, command: str) -> None:
    pkg = _package(tmp_path)
    _add_resources(pkg, 30_000)
    out = tmp_path / "out"
    code, text, elapsed = cli(command, str(pkg), *(["--out", str(out)] if command == "stats" else []))
    assert code == 2 and str(pkg / "datapackage.json") in text and f"{30_000 + len(std.load().tables):,}" in text
    assert elapsed < 5 and not out.exists()


def test_the_resource_cap_is_where_it_says(tmp_path: Path) -> None:
    pkg = _package(tmp_path)
    have = len(read_descriptor(pkg)[2]["resources"])
    _add_resources(pkg, safety.MAX_RESOURCES - have)
    assert len(read_descriptor(pkg)[2]["resources"]) == safety.MAX_RESOURCES
    _add_resources(pkg, 1)
    with pytest.raises(InputError):
        read_descriptor(pkg)


# ---------------------------------------------------------------- 5. columns


def _wide(path: Path, columns: int) -> None:
    path.write_text(",".join(f"c{n}" for n in range(columns)) + "\n" + ",".join(["x"] * columns) + "\n",
                    encoding="utf-8")


@pytest.mark.parametrize("command", ["validate", "stats"])
def test_a_hundred_thousand_columns_are_too_many_not_too_large(tmp_path: Path, command: str) -> None:
    pkg = _package(tmp_path)
    _wide(pkg / "children.csv", 100_000)
    assert pkg.joinpath("children.csv").stat().st_size < 1024**2
    out = tmp_path / "out"
    code, text, elapsed = cli(command, str(pkg), *(["--out", str(out)] if command == "stats" else []))
    assert code == 2 and f"{pkg / 'children.csv'}: row 1:" in text
    assert "100,000" in text and f"{safety.MAX_CSV_COLUMNS:,}" in text and "too large" not in text
    assert elapsed < 5 and not out.exists()


def test_the_column_cap_is_where_it_says(tmp_path: Path) -> None:
    _wide(tmp_path / "t.csv", safety.MAX_CSV_COLUMNS)
    assert len(header_of(tmp_path / "t.csv")[0]) == safety.MAX_CSV_COLUMNS
    _wide(tmp_path / "t.csv", safety.MAX_CSV_COLUMNS + 1)
    with pytest.raises(InputError) as exc:
        header_of(tmp_path / "t.csv")
    assert exc.value.where == "row 1"


def _message(text: str, path: Path) -> str:
    """What is said about ``path``, after its name and place."""
    line = next(x for x in text.splitlines() if str(path) in x)
    said = line.split(": ", 3)[-1]
    return said[:said.index("refused") + len("refused")] if "refused" in said else said  # (validate may suggest a converter)


@pytest.mark.parametrize("command", [
    ["convert", "package", "{pkg}", "--to", "json", "--out", "{out}.json"],
    ["convert", "package", "{zip}", "--to", "csv", "--out", "{out}"],
    ["pseudonymise", "{pkg}", "{out}", "--key-env", "MCDS_KEY"],
], ids=lambda c: " ".join(c[:3]))
def test_every_reader_of_a_package_refuses_as_many_columns_as_the_validator(tmp_path: Path, command: list[str],
                                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """convert package and pseudonymise read a package with 100,000 columns today: refused in the
    validator's own words (one check, :func:`mcds.safety.check_columns`), nothing written."""
    pkg = _package(tmp_path)
    _wide(pkg / "children.csv", 100_000)
    _, validator, _ = cli("validate", str(pkg))
    zipped = Path(shutil.make_archive(str(tmp_path / "pkg"), "zip", pkg))
    out = tmp_path / "out"
    monkeypatch.setenv("MCDS_KEY", "455a85977d89e5f19268a920be17595792a188c57e669ef8e88f71730a985866")
    code, text, elapsed = cli(*(a.format(pkg=pkg, zip=zipped, out=out) for a in command))
    assert code == 2 and "row 1: too many columns" in text and elapsed < 5, text
    assert _message(text, Path("children.csv")) == _message(validator, pkg / "children.csv")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith("out")]


def _wide_export(tmp_path: Path, columns: int) -> Path:
    export = tmp_path / "export"
    shutil.copytree(LIQUIDLOGIC, export)
    person = export / "DIM_PERSON.csv"
    header, *rows = person.read_text(encoding="utf-8").splitlines()
    extra = columns - len(header.split(","))
    person.write_text("\n".join([header + "".join(f",X{i}" for i in range(extra)),
                                 *(row + "," * extra for row in rows)]) + "\n", encoding="utf-8")
    return export


def test_convert_mapped_refuses_a_csv_export_of_a_hundred_thousand_columns(tmp_path: Path) -> None:
    export = _wide_export(tmp_path, 100_000)
    out = tmp_path / "out"
    code, text, elapsed = cli("convert", "mapped", str(export), "--mapping", str(export / "mapping.yaml"),
                              "--out", str(out))
    assert code == 2 and f"{export / 'DIM_PERSON.csv'}: row 1: too many columns: the header has 100,000 (at most " \
                          f"{safety.MAX_CSV_COLUMNS:,} are read" in text, text
    assert elapsed < 5 and not out.exists()


def test_convert_mapped_takes_an_export_as_wide_as_the_cap(tmp_path: Path) -> None:
    export = _wide_export(tmp_path, safety.MAX_CSV_COLUMNS)
    code, text, _ = cli("convert", "mapped", str(export), "--mapping", str(export / "mapping.yaml"),
                        "--out", str(tmp_path / "out"))
    assert code == 0, text


def _wide_workbook(path: Path, columns: int, sheet: str) -> None:
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    ws.append([f"X{i}" for i in range(columns)])
    ws.append(["1"] * columns)
    wb.save(path)


@pytest.mark.parametrize("command", [
    ["validate", "{xlsx}"],
    ["convert", "package", "{xlsx}", "--to", "csv", "--out", "{out}"],
    ["convert", "mapped", "{xlsx}", "--mapping", "{mapping}", "--out", "{out}"],
    ["pseudonymise", "{xlsx}", "{out}.json", "--key-file", "{key}"],
], ids=lambda c: " ".join(c[:2]))
def test_a_worksheet_of_excel_s_most_columns_is_refused_by_every_reader(tmp_path: Path, command: list[str]) -> None:
    """16,384 columns (Excel's most; an XLSX file cannot hold 100,000) took the validator 10 s and gave 16,408
    errors: refused before the workbook is read, naming the sheet."""
    xlsx = tmp_path / "mosaic_export.xlsx"  # the workbook the Mosaic mapping reads, its sheet People this wide
    _wide_workbook(xlsx, 16_384, "People")
    key = tmp_path / "council.key"
    key.write_text("455a85977d89e5f19268a920be17595792a188c57e669ef8e88f71730a985866", encoding="utf-8")
    out = tmp_path / "out"
    code, text, elapsed = cli(*(a.format(xlsx=xlsx, out=out, key=key, mapping=MOSAIC / "mapping.yaml")
                                for a in command))
    assert code == 2 and f"{xlsx}: sheet People: too many columns: the sheet has 16,384 (at most " \
                          f"{safety.MAX_CSV_COLUMNS:,} are read" in text, text
    assert elapsed < 5 and not [p for p in tmp_path.iterdir() if p.name.startswith("out")]


def test_the_worksheet_cap_is_where_it_says(tmp_path: Path) -> None:
    _wide_workbook(tmp_path / "t.xlsx", safety.MAX_CSV_COLUMNS, "t")
    safety.check_zip(tmp_path / "t.xlsx", scan_sheets=True)
    _wide_workbook(tmp_path / "t.xlsx", safety.MAX_CSV_COLUMNS + 1, "t")
    with pytest.raises(InputError) as exc:
        safety.check_zip(tmp_path / "t.xlsx", scan_sheets=True)
    assert exc.value.where == "sheet t"


def test_the_json_form_refuses_records_with_a_hundred_thousand_keys(tmp_path: Path) -> None:
    """The validator spent minutes loading one record of 100,000 keys into a table of as many columns."""
    doc = json.loads((ROOT / "fixtures" / "valid" / "kent.json").read_text(encoding="utf-8"))
    doc["children"][0].update({f"x{i}": "1" for i in range(100_000)})
    path = tmp_path / "wide.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    code, text, elapsed = cli("validate", str(path))
    width = 100_000 + len(std.load().tables["children"].fields)
    assert code == 2 and f"{path}: /children: too many columns: the table 'children' (the keys of its records) " \
                          f"has {width:,}" in text, text
    assert elapsed < 10
