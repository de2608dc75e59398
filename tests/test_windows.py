"""Issue 16, Windows: every command under any console encoding, outputs under the umask, and paths
with spaces, backslashes and drive letters.

Each command is run as a council officer runs it, in a process of its own with its output
redirected to a file (``mcds validate kent > report.txt``), under ``PYTHONIOENCODING`` cp1252 (a
Windows code page), ascii and utf-8, on data whose folder names hold characters cp1252 cannot
write (``Ł``) beside ones it can (``ó``): never a crash, the same exit code under every encoding,
the symbols written plainly where the encoding lacks them, and JSON that reads back the same.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from mcds.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
MCDS = str(Path(sys.executable).with_name("mcds"))  # the command as installed
ENCODINGS = ("cp1252", "ascii", "utf-8")
KEY = b"3f9c2a7e51d84b06c1e9a5f27d30b8e46a1c5d92f07e3b68d4a2c9e15b70f3a8"  # fixed, so runs repeat
ODD = "Łódź ✓ data"  # a folder name cp1252 cannot write whole: Ł and ✓ are not in it, ó is

# Each case: the command line ({placeholders} filled in below) and the exit code it must give.
CASES: dict[str, tuple[str, int]] = {
    "check-ees": ("check-ees {statistics}", 0),
    "codelist": ("codelist country", 0),
    "codelist json": ("codelist country --format json", 0),
    "convert ssda903": ("convert ssda903 {ssda903} --la 886 --year 2026 --out {out}", 0),
    "convert package": ("convert package {kent} --to json --out {out}.json", 0),
    "convert annex-a": ("convert annex-a {annex_a} --la 886 --year 2025 --out {out}", 0),
    "convert mapped": ("convert mapped {mapped} --mapping {mapping} --out {out}", 0),
    "mapping init": ("mapping init {mapped} --out {out}.yaml", 0),
    "mapping schema": ("mapping schema", 0),
    "pseudonymise": ("pseudonymise {kent} --out {out} --key-file {key}", 0),
    "reconcile": ("reconcile {kent} --annex-a {annex_a_differences}", 1),
    "reconcile json": ("reconcile {kent} --annex-a {annex_a_differences} --format json", 1),
    "schema": ("schema", 0),
    "schema json": ("schema --format json", 0),
    "stats": ("stats {kent} --out {out}", 0),
    "stats audit json": ("stats {kent} --out {out} --audit --format json", 0),
    "summary": ("summary {kent}", 0),
    "summary json": ("summary {kent} --format json", 0),
    "template": ("template --out {out}.xlsx", 0),
    "upgrade": ("upgrade {kent_1_0} --out {out}", 0),
    "upgrade json": ("upgrade {kent_1_0} --out {out} --format json", 0),
    "validate": ("validate {kent}", 0),
    "validate invalid": ("validate {broken}", 1),
    "validate invalid json": ("validate {broken} --format json", 1),
    "validate invalid csv": ("validate {broken} --format csv", 1),
    "validate invalid github": ("validate {broken} --format github", 1),
    "validate unreadable": ("validate {ssda903}", 2),
}


def leaf_commands(group: click.Group = main, path: tuple[str, ...] = ()) -> set[str]:
    ctx = click.Context(group)
    found: set[str] = set()
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if isinstance(cmd, click.Group):
            found |= leaf_commands(cmd, (*path, name))
        elif cmd is not None:
            found.add(" ".join((*path, name)))
    return found


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The inputs, in folders named as no code page can write, and the statistics check-ees reads."""
    base = tmp_path_factory.mktemp("windows") / ODD
    base.mkdir()
    places = {
        "kent": shutil.copytree(FIXTURES / "valid" / "kent", base / "Kent 2025 ✓"),
        "kent_1_0": shutil.copytree(FIXTURES / "1.0" / "kent", base / "Kent 1.0 Łódź"),
        "ssda903": shutil.copytree(FIXTURES / "ssda903" / "csv-2025-26", base / "903 return Łódź"),
        "mapped": shutil.copytree(FIXTURES / "mapped" / "liquidlogic", base / "Liquidlogic export"),
        "annex_a": shutil.copy(FIXTURES / "annex_a" / "kent-2024-25.xlsx", base / "Annex A Łódź.xlsx"),
        "annex_a_differences": shutil.copy(FIXTURES / "annex_a" / "kent-2024-25-differences.xlsx",
                                           base / "Annex A differences.xlsx"),
    }
    places["mapping"] = places["mapped"] / "mapping.yaml"
    broken = shutil.copytree(FIXTURES / "valid" / "kent", base / "Kent broken Ł")
    children = broken / "children.csv"
    lines = children.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[1].split(",")
    cells[header.index("sex")] = "Ł✓"  # the cell is echoed in the messages
    lines[1] = ",".join(cells)
    children.write_text("\n".join(lines) + "\n", encoding="utf-8")
    places["broken"] = broken
    key = base / "council.key"
    key.write_bytes(KEY)
    places["key"] = key
    places["statistics"] = base / "statistics Ł"
    r = CliRunner().invoke(main, ["stats", str(places["kent"]), "--out", str(places["statistics"])])
    assert r.exit_code == 0, r.output
    return {k: str(v) for k, v in places.items()}


def test_every_command_has_a_case_here() -> None:
    """A command added later is run under every encoding too."""
    covered = {c for c in leaf_commands() if any(line.split()[: len(c.split())] == c.split()
                                                 for line, _ in CASES.values())}
    assert covered == leaf_commands()


def _run(args: list[str], encoding: str, folder: Path, env: dict[str, str] | None = None) -> tuple[int, bytes, bytes]:
    out, err = folder / f"stdout-{encoding}.txt", folder / f"stderr-{encoding}.txt"
    environment = {k: v for k, v in os.environ.items() if k not in ("PYTHONUTF8", "COLUMNS", "FORCE_COLOR")}
    environment.update({"PYTHONIOENCODING": encoding, "NO_COLOR": "1", **(env or {})})
    with out.open("wb") as stdout, err.open("wb") as stderr:  # redirected to a file, as `> report.txt`
        code = subprocess.run([MCDS, *args], stdout=stdout, stderr=stderr,
                              env=environment, cwd=folder, timeout=300).returncode
    return code, out.read_bytes(), err.read_bytes()


def _decode(data: bytes, encoding: str) -> str:
    # Under an ASCII stream click writes UTF-8 itself (its documented recovery from a misconfigured
    # locale), so ASCII output is read as UTF-8; every other encoding is read strictly as itself.
    return data.decode("utf-8" if encoding == "ascii" else encoding)


@pytest.mark.parametrize("case", list(CASES))
def test_each_command_works_under_each_console_encoding(case: str, work: dict[str, str], tmp_path: Path) -> None:
    line, expected = CASES[case]
    results: dict[str, tuple[str, str]] = {}
    for encoding in ENCODINGS:
        folder = tmp_path / encoding
        folder.mkdir()
        args = [w.format(**work, out=f"out {ODD}") for w in line.split()]  # in the folder the command runs in
        code, out, err = _run(args, encoding, folder)
        stdout, stderr = _decode(out, encoding), _decode(err, encoding)  # UnicodeDecodeError: not the encoding said
        assert code == expected, f"{case} under {encoding}: exit {code}\n{stdout}\n{stderr}"
        assert "internal error" not in stderr and "Traceback" not in stderr, stderr
        results[encoding] = stdout, stderr
    if "json" in case:  # exact whatever the encoding: characters it lacks are JSON escapes
        docs = [json.loads(results[e][0]) for e in ENCODINGS]
        for doc in docs:
            doc.pop("seconds", None)  # how long the audit took
        assert docs[0] == docs[1] == docs[2]
    if case.startswith("validate") and expected < 2 and "--format" not in line:
        mark = ("✓ Valid" if expected == 0 else "✗ Not valid", "OK Valid" if expected == 0 else "X Not valid")
        assert mark[0] in results["utf-8"][0]
        assert mark[1] in results["cp1252"][0] and mark[1] in results["ascii"][0]
    if case == "validate unreadable":
        assert "903 return Łódź" in results["utf-8"][1] and "903 return \\u0141ódź" not in results["utf-8"][1]
        assert "903 return \\u0141ódz" in results["cp1252"][1]  # Ł escaped, ó kept, ź as its letter


def test_the_plain_fallbacks() -> None:
    from mcds.console import plain

    assert [plain(c, "cp1252") for c in "✓✗Łź→"] == ["OK", "X", "\\u0141", "z", "->"]
    assert [plain(c, "ascii") for c in "é…–£\U0001f600"] == ["e", "...", "-", "GBP", "\\U0001f600"]


def test_a_user_chosen_error_handler_is_kept() -> None:
    import io

    from mcds.console import ERRORS, setup

    mine = io.TextIOWrapper(io.BytesIO(), encoding="cp1252", errors="replace")
    default = io.TextIOWrapper(io.BytesIO(), encoding="cp1252")
    setup((mine, default, None))
    assert (mine.errors, default.errors) == ("replace", ERRORS)


# ---------------------------------------------------------------- files written under the umask


WRITERS: dict[str, list[str]] = {  # every command that writes, with every form it writes
    "template": ["template", "--out", "{out}/template.xlsx"],
    "pseudonymise": ["pseudonymise", "{kent}", "--out", "{out}/pseudonymised", "--key-file", "{key}"],
    "convert ssda903": ["convert", "ssda903", "{ssda903}", "--la", "886", "--year", "2026", "--out", "{out}/903",
                        "--report", "{out}/903-report.json"],
    "convert package csv": ["convert", "package", "{kent}", "--to", "csv", "--out", "{out}/package"],
    "convert package json": ["convert", "package", "{kent}", "--to", "json", "--out", "{out}/kent.json"],
    "convert package xlsx": ["convert", "package", "{kent}", "--to", "xlsx", "--out", "{out}/kent.xlsx"],
    "convert annex-a": ["convert", "annex-a", "{annex_a}", "--la", "886", "--year", "2025", "--out", "{out}/annex.json"],
    "convert mapped": ["convert", "mapped", "{mapped}", "--mapping", "{mapping}", "--out", "{out}/mapped"],
    "mapping init": ["mapping", "init", "{mapped}", "--out", "{out}/draft.yaml"],
    "validate --annotate": ["validate", "{kent}", "--annotate", "{out}/annotated.xlsx"],
    "upgrade": ["upgrade", "{kent_1_0}", "--out", "{out}/upgraded"],
    "stats": ["stats", "{kent}", "--out", "{out}/statistics"],
}


def test_every_command_that_writes_is_checked_for_permissions() -> None:
    def writes(path: str) -> bool:
        cmd: click.Command = main
        for name in path.split():
            cmd = cmd.get_command(click.Context(cmd), name)  # type: ignore[attr-defined]
        return any(p.name in ("out", "annotate_out", "report_path") for p in cmd.params)

    covered = {c for c in leaf_commands() if any(args[: len(c.split())] == c.split() for args in WRITERS.values())}
    assert covered == {c for c in leaf_commands() if writes(c)}


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.parametrize("mask", [0o027, 0o002])
def test_what_every_command_writes_follows_the_umask(mask: int, work: dict[str, str], tmp_path: Path) -> None:
    """Files 0666 and folders 0777 less the umask, as any program's (they were 0600 and 0700 whatever it was)."""
    old = os.umask(mask)
    try:
        for case, args in WRITERS.items():
            out = tmp_path / case.replace(" ", "-")
            out.mkdir()
            r = CliRunner().invoke(main, [a.format(**work, out=out) for a in args])
            assert r.exit_code in (0, 1), f"{case}: {r.output}"
    finally:
        os.umask(old)
    written = [p for p in tmp_path.rglob("*")]
    assert len(written) > len(WRITERS)
    modes = {str(p.relative_to(tmp_path)): p.stat().st_mode & 0o777 for p in written}
    expected = {str(p.relative_to(tmp_path)): (0o777 if p.is_dir() else 0o666) & ~mask for p in written}
    assert modes == expected


# ---------------------------------------------------------------- paths as Windows users have them


PLACES = [
    "Council Data/Kent 2025",                 # spaces
    "C:/Users/Kent Council/Data",             # a drive letter, on a system where C: is a folder's name
    "C:\\Users\\Kent Council\\kent",          # a Windows path, one name with backslashes on POSIX
    "back\\slash data\\kent",                 # backslashes inside a name
]


@pytest.mark.parametrize("place", PLACES)
def test_paths_with_spaces_backslashes_and_drive_letters(place: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    kent = Path(place)
    kent.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(FIXTURES / "valid" / "kent", kent)
    (tmp_path / "council.key").write_bytes(KEY)
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        r = runner.invoke(main, list(args))
        assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
        return r.exit_code, r.output

    code, out = run("validate", place)
    assert code == 0 and out.splitlines()[0].startswith(f"{place}  (standard ")  # named exactly as given
    assert run("summary", place)[0] == 0
    for args in (("convert", "package", place, "--to", "xlsx", "--out", f"{place} copy.xlsx"),
                 ("pseudonymise", place, "--out", f"{place} pseudonymised", "--key-file", "council.key"),
                 ("template", "--out", f"{place} template.xlsx"),
                 ("stats", place, "--out", f"{place} statistics")):
        code, out = run(*args)
        assert code == 0 and place in out, out
        assert Path(args[args.index("--out") + 1]).exists()
    assert run("validate", f"{place} copy.xlsx")[0] == 0
    code, out = run("validate", f"{place}\\missing")
    assert code == 2 and f"mcds: error: {place}\\missing: no such file or folder" in out, out


@pytest.mark.parametrize("pattern", ["C:\\Exports\\Liquidlogic\\{name}", "exports\\{name}", "..\\exports/{name}",
                                     "D:/HDM extracts/{name}", "'C:\\Exports\\{name}'"])
def test_a_mapping_that_names_a_source_by_its_path_is_matched_by_name(pattern: str, tmp_path: Path) -> None:
    export = shutil.copytree(FIXTURES / "mapped" / "liquidlogic", tmp_path / "My export")
    mapping = export / "mapping.yaml"
    text = mapping.read_text(encoding="utf-8")
    names = re.findall(r"^  - file: (\S+)$", text, re.M)
    assert names
    for name in names:
        text = text.replace(f"  - file: {name}\n", f"  - file: {pattern.format(name=name)}\n")
    mapping.write_text(text, encoding="utf-8")
    r = CliRunner().invoke(main, ["convert", "mapped", str(export), "--mapping", str(mapping), "--out",
                                  str(tmp_path / "out")])
    assert r.exit_code == 0, r.output
    for name in names:
        assert f"matched by the name {name} among the inputs" in r.output
    same = CliRunner().invoke(main, ["convert", "mapped", str(export), "--mapping",
                                     str(FIXTURES / "mapped" / "liquidlogic" / "mapping.yaml"), "--out",
                                     str(tmp_path / "same")])
    assert same.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in (tmp_path / "same").iterdir())
    for f in (tmp_path / "same").glob("*.csv"):
        assert (tmp_path / "out" / f.name).read_bytes() == f.read_bytes(), f.name


def test_a_windows_path_in_double_quotes_says_how_to_write_it(tmp_path: Path) -> None:
    export = shutil.copytree(FIXTURES / "mapped" / "liquidlogic", tmp_path / "export")
    mapping = export / "mapping.yaml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace("  - file: DIM_PERSON*.csv",
                                                                   '  - file: "C:\\Exports\\DIM_PERSON*.csv"'),
                       encoding="utf-8")
    r = CliRunner().invoke(main, ["convert", "mapped", str(export), "--mapping", str(mapping), "--out",
                                  str(tmp_path / "out")])
    assert r.exit_code == 2 and "single quotes" in r.output and "line " in r.output, r.output
    assert not (tmp_path / "out").exists()


def test_mapping_init_names_files_with_spaces_and_backslashes_as_they_are(tmp_path: Path) -> None:
    import yaml

    export = tmp_path / "C:\\Exports"
    export.mkdir()
    names = ["DIM PERSON (2025).csv", "FACT\\MISSING PERSON.csv", "placements: 2025.csv"]
    for name, src in zip(names, sorted((FIXTURES / "mapped" / "liquidlogic").glob("*.csv")), strict=True):
        shutil.copy(src, export / name)
    r = CliRunner().invoke(main, ["mapping", "init", str(export), "--out", str(tmp_path / "draft.yaml")])
    assert r.exit_code == 0, r.output
    doc = yaml.safe_load((tmp_path / "draft.yaml").read_text(encoding="utf-8"))
    assert sorted(s["file"] for s in doc["sources"]) == sorted(names)
