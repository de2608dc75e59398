"""Writing never destroys what was there: an output that would replace an input, the key, a folder
holding them or files mcds did not write is refused (exit 2, every file as it was) unless a file is
replaced with --overwrite; a symbolic link is kept and its target replaced on every run; an
interrupted run's leftovers are cleaned up; the statistics are replaced as a set even when a later
move fails; outputs have the permissions of new files under the umask (or of what they replace)."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from mcds.cli import main

ROOT = Path(__file__).resolve().parent.parent
KENT = ROOT / "fixtures" / "valid" / "kent"
CROYDON = ROOT / "fixtures" / "valid" / "croydon"
SSDA903 = ROOT / "fixtures" / "ssda903" / "csv-2025-26"
KEY = b"455a85977d89e5f19268a920be17595792a188c57e669ef8e88f71730a985866"  # random, as a council's key is


def _tree(folder: Path) -> dict[str, bytes | str]:
    """Every file under ``folder`` (hidden ones too) with its bytes; links with where they point."""
    out: dict[str, bytes | str] = {}
    for p in sorted(folder.rglob("*")):
        rel = p.relative_to(folder).as_posix()
        if p.is_symlink():
            out[rel] = f"-> {os.readlink(p)}"
        elif p.is_file():
            out[rel] = p.read_bytes()
        else:
            out[rel] = "dir"
    return out


def _run(args: list[str]):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, [str(a) for a in args])


def _refused(result) -> None:  # type: ignore[no-untyped-def]
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.fixture
def council(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A council's folder ``data/`` holding its package and its key; the current folder is its parent."""
    data = tmp_path / "data"
    shutil.copytree(KENT, data / "pkg")
    (data / "council.key").write_bytes(KEY)
    monkeypatch.chdir(tmp_path)
    return data


@pytest.mark.parametrize("out", ["data", "data/pkg", "data/council.key", ".", "..", "data/.."])
def test_pseudonymise_never_replaces_the_package_the_key_or_a_folder_holding_them(council: Path, out: str) -> None:
    before = _tree(council.parent)
    _refused(_run(["pseudonymise", "data/pkg", out, "--key-file", "data/council.key"]))
    assert _tree(council.parent) == before


def test_a_folder_holding_other_files_is_refused_by_the_writer_itself(council: Path) -> None:
    """Without any input named, the shared writer still refuses to replace a folder mcds did not write
    (so every command writing a CSV package is protected)."""
    from mcds.convert.package import read_any, write_any
    from mcds.errors import InputError

    before = _tree(council.parent)
    with pytest.raises(InputError):
        write_any(read_any(KENT), council)
    assert _tree(council.parent) == before


FOREIGN = {
    "unrelated files": {"notes.txt": b"minutes of the meeting\n", "budget.xlsx": b"PK\x03\x04"},
    "a package with an extra file": {"datapackage.json": (KENT / "datapackage.json").read_bytes(),
                                     "children.csv": (KENT / "children.csv").read_bytes(), "README.md": b"# mine\n"},
    "a descriptor without mcds metadata": {"datapackage.json": b'{"resources": [{"path": "a.csv"}]}', "a.csv": b"x\n"},
    "a descriptor naming a file that is not CSV": {
        "datapackage.json": json.dumps({"mcds": {}, "resources": [{"path": "council.key"}]}).encode(),
        "council.key": KEY},
    "not JSON": {"datapackage.json": b"\xff\xfe not json", "children.csv": b"child_id\n"},
}


def _foreign(folder: Path, files: dict[str, bytes]) -> None:
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)


@pytest.mark.parametrize("case", sorted(FOREIGN))
@pytest.mark.parametrize("command", ["package", "ssda903"])
def test_convert_refuses_a_folder_of_files_it_did_not_write(tmp_path: Path, case: str, command: str) -> None:
    important = tmp_path / "important"
    _foreign(important, FOREIGN[case])
    before = _tree(tmp_path)
    args = {"package": ["convert", "package", KENT, "--to", "csv", "--out", important],
            "ssda903": ["convert", "ssda903", SSDA903, "--la", "886", "--year", "2026", "--out", important]}[command]
    _refused(_run(args))
    assert _tree(tmp_path) == before


def test_a_subfolder_makes_a_folder_not_replaceable(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _run(["convert", "package", KENT, "--to", "csv", "--out", out]).exit_code == 0
    (out / "archive").mkdir()
    (out / "archive" / "2024.csv").write_bytes(b"old\n")
    before = _tree(tmp_path)
    _refused(_run(["convert", "package", CROYDON, "--to", "csv", "--out", out]))
    assert _tree(tmp_path) == before


@pytest.mark.parametrize("empty", [True, False], ids=["empty folder", "folder with files"])
def test_out_dot_is_a_clean_refusal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, empty: bool) -> None:
    here = tmp_path / "here"
    here.mkdir()
    if not empty:
        (here / "keep.txt").write_bytes(b"keep me\n")
    monkeypatch.chdir(here)
    before = _tree(tmp_path)
    for args in (["convert", "package", KENT, "--to", "csv", "--out", "."],
                 ["convert", "package", KENT, "--to", "json", "--out", "."],
                 ["pseudonymise", KENT, ".", "--key-env", "MCDS_KEY"]):
        r = CliRunner().invoke(main, [str(a) for a in args], env={"MCDS_KEY": KEY.decode()})
        _refused(r)
        assert _tree(tmp_path) == before


def test_an_empty_folder_and_a_package_mcds_wrote_are_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert _run(["convert", "package", KENT, "--to", "csv", "--out", out]).exit_code == 0
    kent = _tree(out)
    assert _run(["convert", "package", CROYDON, "--to", "csv", "--out", out]).exit_code == 0
    assert _tree(out) != kent and _tree(out) == _tree_of_conversion(CROYDON, tmp_path / "fresh")


def _tree_of_conversion(source: Path, out: Path) -> dict[str, bytes | str]:
    assert _run(["convert", "package", source, "--to", "csv", "--out", out]).exit_code == 0
    return _tree(out)


@pytest.mark.parametrize("form", ["csv", "json"])
def test_a_symlinked_out_is_kept_and_its_target_replaced_on_every_run(tmp_path: Path, form: str) -> None:
    real = tmp_path / "store" / ("pkg" if form == "csv" else "sub.json")
    real.parent.mkdir()
    link = tmp_path / ("out" if form == "csv" else "out.json")
    link.symlink_to(real, target_is_directory=form == "csv")
    for source in (KENT, CROYDON, KENT):
        r = _run(["convert", "package", source, "--to", form, "--out", link, *(["--overwrite"] if form == "json" else [])])
        assert r.exit_code == 0, r.output
        assert link.is_symlink() and os.readlink(link) == str(real)
        expected = _written(source, form, tmp_path / f"expected-{source.name}")
        assert (_tree(real) if form == "csv" else real.read_bytes()) == expected
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert sorted(p.name for p in real.parent.iterdir()) == [real.name]


def _written(source: Path, form: str, out: Path) -> dict[str, bytes | str] | bytes:
    target = out if form == "csv" else out.with_suffix(".json")
    assert _run(["convert", "package", source, "--to", form, "--out", target, "--overwrite"]).exit_code == 0
    return _tree(target) if form == "csv" else target.read_bytes()


def test_the_pseudonymise_output_may_be_a_link(council: Path) -> None:
    (council.parent / "shared").mkdir()
    Path("p").symlink_to(council.parent / "shared" / "pkg", target_is_directory=True)
    for _ in range(2):
        r = _run(["pseudonymise", "data/pkg", "p", "--key-file", "data/council.key"])
        assert r.exit_code == 0, r.output
    assert Path("p").is_symlink() and (council.parent / "shared" / "pkg" / "datapackage.json").is_file()


def _age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    for p in [*path.rglob("*"), path] if path.is_dir() else [path]:
        os.utime(p, (then, then), follow_symlinks=False)


def test_stale_leftovers_of_an_interrupted_run_are_removed(tmp_path: Path) -> None:
    from mcds.writing import STALE_AFTER

    out = tmp_path / "out"
    assert _run(["convert", "package", KENT, "--to", "csv", "--out", out]).exit_code == 0
    stale_dir = tmp_path / ".out.k3j_9x0q"  # a temporary copy left by a killed run
    shutil.copytree(out, stale_dir)
    (tmp_path / ".out.old").mkdir()  # the previous output, moved aside by a run killed before its move
    (tmp_path / ".out.old" / "children.csv").write_bytes(b"child_id\n")
    (tmp_path / ".out.json.a1b2c3d4").write_bytes(b"{")  # a killed run's copy of out.json
    for p in (stale_dir, tmp_path / ".out.old", tmp_path / ".out.json.a1b2c3d4"):
        _age(p, STALE_AFTER + 60)
    fresh = tmp_path / ".out.zzzzzzzz"  # another run may be writing this one now
    fresh.mkdir()
    mine = {tmp_path / ".out.notes": b"the user's own", tmp_path / ".out.abc": b"not the tool's pattern",
            tmp_path / ".other.a1b2c3d4": b"another output's copy"}
    for p, data in mine.items():
        p.write_bytes(data)
        _age(p, STALE_AFTER + 60)

    assert _run(["convert", "package", CROYDON, "--to", "csv", "--out", out]).exit_code == 0
    assert _run(["convert", "package", CROYDON, "--to", "json", "--out", tmp_path / "out.json"]).exit_code == 0
    assert not stale_dir.exists() and not (tmp_path / ".out.old").exists()
    assert not (tmp_path / ".out.json.a1b2c3d4").exists()
    assert fresh.is_dir()
    assert {p: p.read_bytes() for p in mine} == mine


def test_a_stale_moved_aside_output_is_put_back_when_the_output_is_missing(tmp_path: Path) -> None:
    from mcds.writing import STALE_AFTER, clean_leftovers

    out = tmp_path / "out"
    assert _run(["convert", "package", KENT, "--to", "csv", "--out", out]).exit_code == 0
    kent = _tree(out)
    out.rename(tmp_path / ".out.old")  # killed between moving the old output aside and the new one in
    _age(tmp_path / ".out.old", STALE_AFTER + 60)
    clean_leftovers(out)
    assert _tree(out) == kent and not (tmp_path / ".out.old").exists()


STATS_FILES = ("missing_from_care.csv", "missing_from_care.meta.csv", "missing_from_care_breakdowns.csv",
               "missing_from_care_breakdowns.meta.csv", "data_guidance.txt", "report.html")


@pytest.mark.parametrize("failing_move", [2, 3, len(STATS_FILES)])
@pytest.mark.parametrize("earlier", [True, False], ids=["over a previous set", "into an empty folder"])
def test_stats_files_are_put_back_as_a_set_when_a_later_move_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                   failing_move: int, earlier: bool) -> None:
    out = tmp_path / "stats"
    if earlier:
        r = _run(["stats", KENT, "--out", out])
        assert r.exit_code == 0, r.output
        assert sorted(p.name for p in out.iterdir()) == sorted(STATS_FILES)
    else:
        out.mkdir()
    (out / "notes.txt").write_bytes(b"written beside, never over\n")
    before = _tree(out)
    real = os.replace
    calls: list[str] = []

    def replace(src: object, dst: object) -> None:
        calls.append(Path(str(dst)).name)
        if len(calls) == failing_move:
            raise OSError(28, "No space left on device")
        real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", replace)
    r = _run(["stats", KENT, CROYDON, "--out", out])
    _refused(r)
    assert len(calls) >= failing_move, calls  # it failed while moving the set in, after the first file moved
    assert _tree(out) == before  # the files already moved in hold their previous contents again; nothing left over


def test_stats_refuses_an_out_that_is_holds_or_is_inside_its_inputs(council: Path) -> None:
    before = _tree(council.parent)
    for out in ("data", ".", "data/pkg", "data/pkg/stats"):
        _refused(_run(["stats", "data/pkg", "--out", out]))
        assert _tree(council.parent) == before


def test_convert_report_never_overwrites_an_input_nor_sits_inside_the_package(tmp_path: Path) -> None:
    export = tmp_path / "903"
    shutil.copytree(SSDA903, export)
    before = _tree(export)
    for report in (export / "episodes.csv", tmp_path / "pkg" / "report.json"):
        _refused(_run(["convert", "ssda903", export, "--la", "886", "--year", "2026", "--out", tmp_path / "pkg",
                       "--report", report]))
        assert _tree(export) == before and not (tmp_path / "pkg").exists()


def test_mapping_init_never_overwrites_the_export_it_reads(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    export.write_bytes(b"Child ID,Date missing\nC1,2024-05-01\n")
    _refused(_run(["mapping", "init", export, "--out", export]))
    assert export.read_bytes() == b"Child ID,Date missing\nC1,2024-05-01\n"


@pytest.fixture(scope="module")
def written_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mcds.submission import read_csv_package, write_csv_package

    return write_csv_package(read_csv_package(KENT), tmp_path_factory.mktemp("written") / "pkg")


@settings(max_examples=60, deadline=None)
@given(name=st.text(st.characters(min_codepoint=32, max_codepoint=0x2FFF, blacklist_characters="/\\\x7f"),
                    min_size=1, max_size=40).filter(lambda n: n not in (".", "..")),
       folder=st.booleans())
def test_anything_added_to_a_package_mcds_wrote_makes_it_not_replaceable(written_package: Path, name: str,
                                                                          folder: bool) -> None:
    from mcds.writing import replaceable

    assert replaceable(written_package)
    extra = written_package / name
    if extra.exists() and not folder:  # one of the package's own files, rewritten with the same bytes
        return
    try:
        extra.mkdir() if folder else extra.write_bytes(b"not mcds's\n")
    except OSError:  # a name this file system refuses
        return
    try:
        assert not replaceable(written_package)
    finally:
        shutil.rmtree(extra) if folder else extra.unlink()


def test_the_annotated_copy_never_overwrites_the_workbook_it_annotates(tmp_path: Path) -> None:
    from mcds.submission import read_csv_package
    from mcds.workbook import write_workbook

    book = tmp_path / "return.xlsx"
    write_workbook(read_csv_package(Path(__file__).resolve().parent.parent / "fixtures" / "valid" / "kent"), book)
    before = book.read_bytes()
    r = CliRunner().invoke(main, ["validate", str(book), "--annotate", str(book)])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert book.read_bytes() == before


# ---------------------------------------------------------------- files mcds did not write

ANNEX_A = Path(__file__).resolve().parent.parent / "fixtures" / "annex_a" / "kent-2024-25.xlsx"
FILE_WRITERS = {  # command, and whether it has --overwrite
    "convert package json": (["convert", "package", KENT, "--to", "json", "--out", "{out}"], ".json", True),
    "convert package xlsx": (["convert", "package", KENT, "--to", "xlsx", "--out", "{out}"], ".xlsx", True),
    "convert ssda903 report": (["convert", "ssda903", SSDA903, "--la", "886", "--year", "2026", "--out", "{dir}/pkg",
                                "--report", "{out}"], ".json", True),
    "pseudonymise json": (["pseudonymise", KENT, "{out}", "--key-env", "MCDS_TEST_KEY"], ".json", True),
    "pseudonymise xlsx": (["pseudonymise", KENT, "{out}", "--key-env", "MCDS_TEST_KEY"], ".xlsx", True),
    "validate annotate": (["validate", KENT, "--annotate", "{out}"], ".xlsx", False),
}
THEIRS = {  # files a council keeps, under the name an output is given
    ".json": [b'{"notes": "the council\'s own"}\n', json.dumps({"metadata": {}, "children": []}).encode()],
    ".xlsx": [ANNEX_A.read_bytes(), b"not a workbook at all"],
}


def _invoke(args: list[object], tmp_path: Path, out: Path, *extra: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, [str(a).format(out=out, dir=tmp_path) for a in args] + list(extra),
                              env={"MCDS_TEST_KEY": KEY.decode()})


@pytest.mark.parametrize("name", sorted(FILE_WRITERS))
@pytest.mark.parametrize("theirs", [0, 1])
def test_a_file_mcds_did_not_write_is_never_written_over(tmp_path: Path, name: str, theirs: int) -> None:
    args, suffix, has_flag = FILE_WRITERS[name]
    out = tmp_path / f"out{suffix}"
    out.write_bytes(THEIRS[suffix][theirs])
    before = _tree(tmp_path)
    r = _invoke(args, tmp_path, out)
    _refused(r)
    assert "did not write" in r.output and "--overwrite" in r.output and str(out) in r.output
    assert _tree(tmp_path) == before  # the file, and nothing else written either
    if has_flag:
        r = _invoke(args, tmp_path, out, "--overwrite")
        assert r.exit_code in (0, 1), r.output
        assert out.read_bytes() != THEIRS[suffix][theirs]


@pytest.mark.parametrize("name", sorted(FILE_WRITERS))
def test_a_file_mcds_wrote_is_replaced_by_the_next_run(tmp_path: Path, name: str) -> None:
    args, suffix, _ = FILE_WRITERS[name]
    out = tmp_path / f"out{suffix}"
    for _ in range(2):
        r = _invoke(args, tmp_path, out)
        assert r.exit_code in (0, 1), r.output
    from mcds.writing import written_by_mcds

    assert written_by_mcds(out)


def test_a_workbook_saved_again_by_another_program_is_not_mcds_s(tmp_path: Path) -> None:
    """Excel (here openpyxl, as any editor) rewrites the members: the mark no longer holds."""
    import openpyxl

    out = tmp_path / "sub.xlsx"
    assert _run(["convert", "package", KENT, "--to", "xlsx", "--out", out]).exit_code == 0
    book = openpyxl.load_workbook(out)
    book["Metadata"]["B2"] = "typed by hand"
    book.save(out)
    before = out.read_bytes()
    assert b"mcds-sha256:" in zipfile_member(out, "docProps/core.xml")  # the mark was kept, but no longer holds
    _refused(_run(["convert", "package", CROYDON, "--to", "xlsx", "--out", out]))
    assert out.read_bytes() == before


def zipfile_member(path: Path, name: str) -> bytes:
    import zipfile

    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def test_a_json_file_reformatted_since_is_not_mcds_s(tmp_path: Path) -> None:
    out = tmp_path / "sub.json"
    assert _run(["convert", "package", KENT, "--to", "json", "--out", out]).exit_code == 0
    out.write_text(json.dumps(json.loads(out.read_text(encoding="utf-8"))), encoding="utf-8")  # saved by an editor
    before = out.read_bytes()
    _refused(_run(["convert", "package", CROYDON, "--to", "json", "--out", out]))
    assert out.read_bytes() == before


@pytest.fixture(scope="module")
def marked_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from mcds.submission import read_csv_package
    from mcds.workbook import write_workbook

    return write_workbook(read_csv_package(CROYDON), tmp_path_factory.mktemp("marked") / "sub.xlsx")


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_any_change_to_a_member_breaks_the_mark(marked_workbook: Path, tmp_path_factory: pytest.TempPathFactory,
                                                data: st.DataObject) -> None:
    import zipfile

    from mcds.safety import xlsx_written_by_mcds

    assert xlsx_written_by_mcds(marked_workbook)
    with zipfile.ZipFile(marked_workbook) as zf:
        members = [(i.filename, zf.read(i)) for i in zf.infolist()]
    names = [n for n, _ in members if n != "docProps/core.xml"]
    victim = data.draw(st.sampled_from(names))
    body = dict(members)[victim]
    at = data.draw(st.integers(0, len(body) - 1))
    changed = body[:at] + bytes([body[at] ^ data.draw(st.integers(1, 255))]) + body[at + 1:]
    copy = tmp_path_factory.mktemp("changed") / "sub.xlsx"
    with zipfile.ZipFile(copy, "w") as zf:
        for name, content in members:
            zf.writestr(name, changed if name == victim else content)
    assert not xlsx_written_by_mcds(copy)


# ---------------------------------------------------------------- permissions


@pytest.fixture(params=[0o022, 0o027, 0o077], ids=lambda m: f"umask {m:03o}")
def umask(request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    old = os.umask(request.param)
    yield request.param
    os.umask(old)


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_outputs_have_the_permissions_of_new_files_not_owner_only(tmp_path: Path, umask: int) -> None:
    """Package folders were 0700 and files 0600 (tempfile's), whatever the umask."""
    for form, out in (("csv", tmp_path / "pkg"), ("json", tmp_path / "sub.json"), ("xlsx", tmp_path / "sub.xlsx")):
        assert _run(["convert", "package", KENT, "--to", form, "--out", out]).exit_code == 0
    assert _run(["pseudonymise", KENT, tmp_path / "pseudo", "--key-file", _key(tmp_path)]).exit_code == 0
    assert _mode(tmp_path / "pkg") == _mode(tmp_path / "pseudo") == 0o777 & ~umask
    files = [tmp_path / "sub.json", tmp_path / "sub.xlsx", *(tmp_path / "pkg").iterdir(), *(tmp_path / "pseudo").iterdir()]
    assert {p.name: _mode(p) for p in files} == {p.name: 0o666 & ~umask for p in files}


def _key(folder: Path) -> Path:
    key = folder / "council.key"
    key.write_bytes(KEY)
    key.chmod(0o600)
    return key


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_an_output_replaced_keeps_the_permissions_it_was_given(tmp_path: Path) -> None:
    """A council that restricts its output keeps it restricted on the next run."""
    pkg, sub = tmp_path / "pkg", tmp_path / "sub.xlsx"
    for _ in range(2):
        assert _run(["convert", "package", KENT, "--to", "csv", "--out", pkg]).exit_code == 0
        assert _run(["convert", "package", KENT, "--to", "xlsx", "--out", sub]).exit_code == 0
        pkg.chmod(0o750)
        sub.chmod(0o640)
    assert (_mode(pkg), _mode(sub)) == (0o750, 0o640)


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_a_private_output_stays_its_owner_s(tmp_path: Path, umask: int) -> None:
    from mcds.writing import atomic_path

    with atomic_path(tmp_path / "new.key", private=True) as tmp:
        tmp.write_bytes(KEY)
    assert _mode(tmp_path / "new.key") == 0o600
    with atomic_path(tmp_path / "new.key", private=True) as tmp:  # replacing it: still its owner's
        tmp.write_bytes(KEY)
    assert _mode(tmp_path / "new.key") == 0o600


def test_only_what_mcds_writes_as_its_output_is_marked(tmp_path: Path, marked_workbook: Path) -> None:
    """A workbook normalised outside mcds.writing (a script making a council's export as a fixture) is not
    mcds's output: it carries no mark, and a mark left from an earlier write is dropped."""
    import openpyxl

    from mcds.safety import normalise_xlsx, xlsx_written_by_mcds

    copy = tmp_path / "council.xlsx"
    book = openpyxl.load_workbook(marked_workbook)
    book.save(copy)
    assert b"mcds-sha256:" in zipfile_member(copy, "docProps/core.xml")
    normalise_xlsx(copy)
    assert b"mcds-sha256:" not in zipfile_member(copy, "docProps/core.xml") and not xlsx_written_by_mcds(copy)
