"""Follow-ups of issue 12's writing and key fixes, each as a user meets it on the command line:

- one width check for every reader of a CSV package (:func:`mcds.safety.check_columns`), so
  ``validate``, ``convert``, ``pseudonymise``, ``reconcile`` and ``upgrade`` refuse a too-wide file
  in the same words, before reading its rows;
- ``reconcile`` takes its key as ``pseudonymise`` does and never repeats what was typed;
- ``validate --annotate``, ``mapping init`` and ``template`` never write over a file mcds did not
  write unless ``--overwrite``;
- a ``--disclosure`` file is read as every JSON file is (:func:`mcds.safety.load_json`), and the
  statistics files follow the umask;
- a ZIP file mcds wrote is recognised (its comment's mark) and replaced by the next run, one changed
  since is not;
- every form is read by its content, whatever its name ends with;
- one loader of a submission into DuckDB's typed shape (:func:`mcds.engine.load_submission`), giving
  the tables the validator gives and those of row-by-row insertion.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcds import engine, migration
from mcds.cli import main
from mcds.convert.package import read_any
from mcds.errors import InputError
from mcds.safety import MAX_CSV_COLUMNS
from mcds.submission import Submission, read_csv_package

ROOT = Path(__file__).resolve().parent.parent
KENT = ROOT / "fixtures" / "valid" / "kent"
KENT_1_0 = ROOT / "fixtures" / "1.0" / "kent"
ANNEX = ROOT / "fixtures" / "annex_a" / "kent-2024-25.xlsx"
KEY = "455a85977d89e5f19268a920be17595792a188c57e669ef8e88f71730a985866"  # random, as a council's key is


def _run(*args: object, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def _tree(folder: Path) -> dict[str, bytes | str]:
    """Every file under ``folder`` (hidden ones too) with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() if p.is_file() else "dir" for p in sorted(folder.rglob("*"))}


def _refused(result, *words: str) -> str:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    for word in words:
        assert word in result.output, result.output
    return result.output


def _key_file(folder: Path) -> Path:
    key = folder / "council.key"
    key.write_text(KEY, encoding="utf-8")
    return key


# ---------------------------------------------------------------- 1, 2: one width check for every reader


def _wide(package: Path, source: Path = KENT) -> Path:
    """A copy of ``source`` whose children.csv has one column more than any reader reads."""
    shutil.copytree(source, package)
    file = package / "children.csv"
    header, *rows = file.read_text(encoding="utf-8").splitlines()
    extra = MAX_CSV_COLUMNS + 1 - len(header.split(","))
    file.write_text("\n".join([header + "".join(f",X{i}" for i in range(extra)), *(r + "," * extra for r in rows)]) + "\n",
                    encoding="utf-8")
    return package


WIDE = f"row 1: too many columns: the header has {MAX_CSV_COLUMNS + 1:,} (at most {MAX_CSV_COLUMNS:,} are read"


def test_a_too_wide_file_is_refused_by_every_reader_of_a_package_in_the_validator_s_words(tmp_path: Path) -> None:
    pkg = _wide(tmp_path / "work" / "pkg")
    old = _wide(tmp_path / "work" / "old", KENT_1_0)
    key = _key_file(tmp_path)
    before = _tree(tmp_path / "work")
    validator = _refused(_run("validate", pkg), WIDE)
    line = next(x for x in validator.splitlines() if WIDE in x)
    line = line[:line.index("refused") + len("refused")]  # (validate may go on to suggest a converter)
    for args in (("convert", "package", pkg, "--to", "json", "--out", tmp_path / "work" / "out.json"),
                 ("pseudonymise", pkg, tmp_path / "work" / "out", "--key-file", key),
                 ("reconcile", pkg, "--annex-a", ANNEX),
                 ("upgrade", old, "--out", tmp_path / "work" / "up")):
        out = _refused(_run(*args), WIDE)
        # the same message, naming the same file (upgrade's input is the 1.0 copy)
        assert line.replace(str(pkg), str(old if args[0] == "upgrade" else pkg)) in out, out
    assert _tree(tmp_path / "work") == before  # nothing written


def test_read_csv_package_checks_the_width_before_reading_a_row(tmp_path: Path) -> None:
    """A row the csv module cannot read comes after the header: the width is what is reported."""
    pkg = _wide(tmp_path / "pkg")
    with open(pkg / "children.csv", "a", encoding="utf-8") as fh:
        fh.write('"never closed\n')
    with pytest.raises(InputError) as exc:
        read_csv_package(pkg)
    assert exc.value.where == "row 1" and "too many columns" in str(exc.value)
    assert Path(exc.value.path).name == "children.csv"


def test_a_package_exactly_as_wide_as_the_limit_is_read(tmp_path: Path) -> None:
    pkg = _wide(tmp_path / "pkg")
    file = pkg / "children.csv"
    lines = file.read_text(encoding="utf-8").splitlines()
    file.write_text("\n".join(x.rsplit(",", 1)[0] for x in lines) + "\n", encoding="utf-8")
    sub = read_csv_package(pkg)
    assert len(sub.tables["children"]) == len(read_csv_package(KENT).tables["children"])


# ---------------------------------------------------------------- 3: reconcile takes a key as pseudonymise does


def test_reconcile_never_repeats_an_extra_argument_or_a_bad_value(tmp_path: Path) -> None:
    key = _key_file(tmp_path)
    for args in (("reconcile", KENT, "--annex-a", ANNEX, "--key-file", key, KEY),
                 ("reconcile", KENT, "--annex-a", ANNEX, "--as-of", KEY),
                 ("reconcile", KENT, "--annex-a", ANNEX, f"--{KEY}")):
        out = _refused(_run(*args), "not repeated here")
        assert KEY not in out and KEY[:8] not in out


def test_reconcile_refuses_a_key_given_as_the_package(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    key = _key_file(tmp_path)
    out = _refused(_run("reconcile", KEY, "--annex-a", ANNEX, "--key-file", key), "PACKAGE holds the key")
    assert KEY not in out and KEY[:8] not in out
    out = _refused(_run("reconcile", KEY, "--annex-a", ANNEX, "--key-env", "MCDS_KEY", env={"MCDS_KEY": KEY}),
                   "PACKAGE holds the key")
    assert KEY not in out


def test_reconcile_takes_the_key_from_a_file_or_the_environment(tmp_path: Path) -> None:
    from mcds.pseudonymise import pseudonymise
    from mcds.submission import write_csv_package

    pseudo = write_csv_package(pseudonymise(read_csv_package(KENT), KEY.encode()), tmp_path / "pseudo")
    _refused(_run("reconcile", pseudo, "--annex-a", ANNEX), "--key-file")  # pseudonymised: the key is needed
    assert _run("reconcile", pseudo, "--annex-a", ANNEX, "--key-file", _key_file(tmp_path)).exit_code == 0
    r = _run("reconcile", pseudo, "--annex-a", ANNEX, "--key-env", "MCDS_KEY", env={"MCDS_KEY": KEY})
    assert r.exit_code == 0, r.output
    _refused(_run("reconcile", pseudo, "--annex-a", ANNEX, "--key-env", "MCDS_KEY", "--key-file",
                  _key_file(tmp_path), env={"MCDS_KEY": KEY}), "not both")


# ---------------------------------------------------------------- 4: never over a file mcds did not write


def _council_file(path: Path) -> Path:
    from openpyxl import Workbook

    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".xlsx":
        wb = Workbook()
        wb.active.title = "Budget"
        wb.save(path)
    else:
        path.write_text("# the council's own notes\nkeep: me\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [
    ("validate", KENT, "--annotate", "{out}"),
    ("mapping", "init", KENT / "children.csv", "--out", "{out}"),
    ("template", "{out}"),
], ids=lambda c: " ".join(str(a) for a in c[:2]))
def test_an_output_never_replaces_a_file_mcds_did_not_write(tmp_path: Path, command: tuple[object, ...]) -> None:
    suffix = ".yaml" if command[0] == "mapping" else ".xlsx"
    mine = _council_file(tmp_path / "w" / f"mine{suffix}")
    args = [str(a).format(out=mine) for a in command]
    before = _tree(tmp_path / "w")
    _refused(_run(*args), "did not write", "--overwrite")
    assert _tree(tmp_path / "w") == before
    r = _run(*args, "--overwrite")
    assert r.exit_code == 0, r.output
    assert mine.read_bytes() != before[mine.name]
    new = tmp_path / "w" / f"new{suffix}"
    again = [str(a).format(out=new) for a in command]
    assert _run(*again).exit_code == 0
    if suffix == ".xlsx":  # a workbook mcds wrote is replaced by the next run; a YAML draft is the council's to fill in
        assert _run(*again).exit_code == 0
    else:
        _refused(_run(*again), "did not write")


# ---------------------------------------------------------------- 5: the disclosure file and the statistics files


@pytest.mark.parametrize("text, where", [
    ('{"suppress_max": 6,\n "description": "\\ud800"}', "line 2, column 17"),
    ('{"suppress_max": 6, "suppress_max": 0}', "appears twice"),
    ('{"suppress_max": NaN}', "not a JSON number"),
    ('\ufeff{"suppress_max": 6, "description": "caf\\u00e9 \\ud83d\\ude00"}', None),
])
def test_the_disclosure_file_is_read_as_every_json_file(tmp_path: Path, text: str, where: str | None) -> None:
    settings_file = tmp_path / "disclosure.json"
    settings_file.write_text(text, encoding="utf-8")
    out = tmp_path / "stats"
    r = _run("stats", KENT, "--out", out, "--disclosure", settings_file)
    if where is None:  # a BOM and a surrogate pair are text like any other
        assert r.exit_code == 0, r.output
        return
    assert str(settings_file) in _refused(r, where)
    assert not out.exists()


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_the_statistics_files_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        assert _run("stats", KENT, "--out", tmp_path / "stats").exit_code == 0
    finally:
        os.umask(old)
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "stats").iterdir()}
    assert len(modes) == 6 and set(modes.values()) == {0o640}, modes  # data files, .meta.csv, report, guidance


# ---------------------------------------------------------------- 6: a ZIP file mcds wrote


def _upgraded_zip(tmp_path: Path) -> tuple[Path, Path]:
    src = Path(shutil.make_archive(str(tmp_path / "src" / "kent"), "zip", KENT_1_0))
    out = tmp_path / "w" / "kent-1.1.zip"
    r = _run("upgrade", src, "--out", out)
    assert r.exit_code == 0, r.output
    return src, out


def test_a_zip_mcds_wrote_is_replaced_by_the_next_run(tmp_path: Path) -> None:
    from mcds.writing import ZIP_MARK, written_by_mcds

    src, out = _upgraded_zip(tmp_path)
    assert zipfile.ZipFile(out).comment.startswith(ZIP_MARK.encode()) and written_by_mcds(out)
    first = out.read_bytes()
    r = _run("upgrade", src, "--out", out)
    assert r.exit_code == 0, r.output
    assert out.read_bytes() == first  # same submission, same bytes


@pytest.mark.parametrize("change", ["member added", "member changed", "comment forged", "comment removed"])
def test_a_zip_changed_since_mcds_wrote_it_is_not_replaced(tmp_path: Path, change: str) -> None:
    src, out = _upgraded_zip(tmp_path)
    if change == "member added":
        with zipfile.ZipFile(out, "a") as zf:  # the comment is kept
            zf.writestr("notes.txt", "the council's notes")
    elif change in ("member changed", "comment forged"):
        with zipfile.ZipFile(out) as zf:
            members = [(i.filename, zf.read(i)) for i in zf.infolist()]
            comment = zf.comment
        if change == "member changed":
            members = [(n, d + b"x" if n == "children.csv" else d) for n, d in members]
        else:
            comment = b"mcds-sha256:" + b"0" * 64
        with zipfile.ZipFile(out, "w") as zf:
            for n, d in members:
                zf.writestr(n, d)
            zf.comment = comment
    else:
        with zipfile.ZipFile(out, "a") as zf:
            zf.comment = b""
    before = _tree(tmp_path / "w")
    _refused(_run("upgrade", src, "--out", out), "did not write")
    assert _tree(tmp_path / "w") == before


# ---------------------------------------------------------------- 7: every form read by its content


@pytest.mark.parametrize("form", ["xlsx", "zip", "json"])
def test_a_submission_is_read_by_its_content_whatever_its_name(tmp_path: Path, form: str) -> None:
    named = tmp_path / f"kent.{form}"
    if form == "zip":
        shutil.make_archive(str(tmp_path / "kent"), "zip", KENT)
    else:
        assert _run("convert", "package", KENT, "--to", form, "--out", named).exit_code == 0
    plain = tmp_path / "kent-export"
    shutil.copyfile(named, plain)
    outs = {}
    for path in (named, plain):
        outs[path] = tmp_path / f"{path.name}-out.json"
        r = _run("convert", "package", path, "--to", "json", "--out", outs[path])
        assert r.exit_code == 0, r.output
    assert outs[named].read_bytes() == outs[plain].read_bytes()
    assert json.loads(outs[plain].read_text(encoding="utf-8"))["children"]
    r = _run("pseudonymise", plain, tmp_path / "pseudo.json", "--key-file", _key_file(tmp_path))
    assert r.exit_code == 0, r.output


def test_a_file_that_is_no_submission_is_refused_by_its_content(tmp_path: Path) -> None:
    text = tmp_path / "kent.zip"
    text.write_text("CHILD,SEX\n1,M\n", encoding="utf-8")
    _refused(_run("convert", "package", text, "--to", "json", "--out", tmp_path / "o.json"), "not a submission")
    _refused(_run("convert", "package", tmp_path / "none", "--to", "json", "--out", tmp_path / "o.json"),
             "no such file or folder")
    assert not (tmp_path / "o.json").exists()


# ---------------------------------------------------------------- 8: one loader into the typed shape


def _tables(con: duckdb.DuckDBPyConnection, s: object) -> dict[str, list[tuple[object, ...]]]:
    out = {"metadata": con.execute("SELECT * FROM metadata").fetchall()}
    for t in s.tables.values():  # type: ignore[attr-defined]
        out[t.name] = con.execute(f"SELECT * FROM {engine.quote(t.name)} ORDER BY _row").fetchall()
    return out


def _row_by_row(sub: Submission) -> duckdb.DuckDBPyConnection:
    """The loader :func:`mcds.engine.load_submission` replaced: the cells inserted from Python row by row
    (``executemany``), then cast by the same expressions."""
    s = sub.standard
    con = engine.connect()
    engine.create_tables(con, s)
    for name, fields, rows in [("metadata", s.metadata_fields, [sub.metadata]),
                               *((t.name, t.fields, sub.tables.get(t.name, [])) for t in s.tables.values())]:
        if not rows:
            continue
        con.execute(f"CREATE TEMP TABLE _cells ({', '.join(f'c{i} VARCHAR' for i in range(len(fields)))}, _row INTEGER)")
        con.executemany(f"INSERT INTO _cells VALUES ({', '.join('?' * (len(fields) + 1))})",
                        [[r.get(f.name) for f in fields] + [n] for n, r in enumerate(rows, start=2)])
        exprs = ", ".join(engine.cast_expression(f, f"c{i}") for i, f in enumerate(fields))
        con.execute(f"INSERT INTO {engine.quote(name)} SELECT {exprs}{', _row' if name != 'metadata' else ''} "
                    "FROM _cells ORDER BY _row")
        con.execute("DROP TABLE _cells")
    return con


@pytest.mark.parametrize("package", [KENT, KENT_1_0], ids=["1.1", "1.0"])
def test_the_loader_gives_the_validator_s_tables(package: Path) -> None:
    from mcds.validate import load

    sub = read_any(package)
    loaded = load(package)
    assert loaded.report.valid
    mine = engine.load_submission(sub)
    try:
        assert _tables(mine, sub.standard) == _tables(loaded.con, sub.standard)
    finally:
        mine.close()
        loaded.con.close()


def test_stats_and_upgrade_load_through_the_same_loader(monkeypatch: pytest.MonkeyPatch) -> None:
    from mcds.stats.load import package_from_submission
    from mcds.upgrade.apply import apply

    calls = []
    real = engine.load_submission
    monkeypatch.setattr(engine, "load_submission", lambda sub, con=None: calls.append(sub) or real(sub, con))
    sub = read_any(KENT_1_0)
    package_from_submission(sub)
    apply(sub, migration.chain("1.0", "1.1"))
    assert calls == [sub, sub]


CELL = st.one_of(st.none(), st.sampled_from(["", " ", "true", "0", "2024-05", "2024-05-31", "12:30:00", "a;b;;c",
                                             '"q"', "x\r\ny", "a\x00b", "NULL", "\\N", "1e400", "-3"]),
                 st.text(st.characters(blacklist_categories=("Cs",)), max_size=8))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_loader_gives_the_tables_of_row_by_row_insertion(data: st.DataObject) -> None:
    """Cells of every kind, typed or not, land as inserting each row from Python lands them."""
    base = read_any(KENT)
    s = base.standard
    tables = {}
    for t in s.tables.values():
        n = data.draw(st.integers(0, 3), label=t.name)
        tables[t.name] = [{f.name: data.draw(CELL) for f in t.fields} for _ in range(n)]
    meta = {f.name: data.draw(CELL) for f in s.metadata_fields}
    sub = Submission({**meta, "standard_version": s.version}, tables)
    fast, slow = engine.load_submission(sub), _row_by_row(sub)
    try:
        assert _tables(fast, s) == _tables(slow, s)
    finally:
        fast.close()
        slow.close()
