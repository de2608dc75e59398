"""Outputs are written whole or not at all: a run killed mid-write leaves the previous output (or none),
never a partial file, and a normal run leaves no temporary file behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KENT = ROOT / "fixtures" / "valid" / "kent"
KEY = "9f2c4e71b08d35a6e1f7c92b4d6a08e35c71f94b2a6d0e8c3f5b17a92d4e6c08"  # random: weak keys are refused


def _big_json(path: Path, copies: int) -> None:
    """Kent repeated ``copies`` times under new identifiers: big enough that writing takes a while."""
    from mcds.submission import read_csv_package, to_json_document

    doc = to_json_document(read_csv_package(KENT))
    big = {"metadata": doc["metadata"]}
    for table, rows in doc.items():
        if table == "metadata":
            continue
        out = []
        for n in range(copies):
            for r in rows:
                out.append({k: (f"{v}x{n}" if isinstance(v, str) and k.endswith("_id") else v) for k, v in r.items()})
        big[table] = out
    path.write_text(json.dumps(big), encoding="utf-8")


def _kill_when_writing(args: list[str], out_dir: Path, timeout: float = 120) -> bool:
    """Run ``mcds args`` and SIGKILL it as soon as a temporary file appears in ``out_dir``; whether it was
    killed mid-write (False if it finished first)."""
    proc = subprocess.Popen([sys.executable, "-m", "mcds.cli", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if out_dir.exists() and any(p.name.startswith(".") for p in out_dir.iterdir()):
                proc.send_signal(signal.SIGKILL)
                proc.wait()
                return True
            time.sleep(0.002)
        return False
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.mark.parametrize("form", ["xlsx", "json", "csv"])
def test_killed_convert_package_leaves_the_previous_output(tmp_path: Path, form: str) -> None:
    source = tmp_path / "big.json"
    _big_json(source, 25)
    out_dir = tmp_path / "out"
    target = out_dir / {"xlsx": "sub.xlsx", "json": "sub.json", "csv": "pkg"}[form]
    out_dir.mkdir()
    # the previous output: a complete conversion of the small fixture
    subprocess.run([sys.executable, "-m", "mcds.cli", "convert", "package", str(KENT), "--to", form, "--out", str(target)],
                   check=True, capture_output=True, cwd=ROOT)
    before = _digest(target)
    killed = _kill_when_writing(["convert", "package", str(source), "--to", form, "--out", str(target)], out_dir)
    assert killed, "the conversion finished before it could be killed: make the input bigger"
    assert _digest(target) == before, "the previous output was changed by a killed run"
    _assert_whole(target, form)


def test_killed_stats_leaves_whole_files(tmp_path: Path) -> None:
    out = tmp_path / "stats"
    done = 0
    for _ in range(3):  # kill at whatever point the first temporary file shows
        _kill_when_writing(["stats", str(KENT), str(ROOT / "fixtures" / "valid" / "croydon"), "--out", str(out)], out)
        for p in out.iterdir() if out.exists() else []:
            if not p.name.startswith("."):
                text = p.read_text(encoding="utf-8")
                assert text.endswith("\n") or text.rstrip().endswith("</html>"), p.name
                done += 1
    subprocess.run([sys.executable, "-m", "mcds.cli", "stats", str(KENT), "--out", str(out)], check=True,
                   capture_output=True, cwd=ROOT)
    assert {p.name for p in out.iterdir() if not p.name.startswith(".")} >= {"report.html"}


def _digest(path: Path) -> dict[str, bytes]:
    if path.is_dir():
        return {p.name: p.read_bytes() for p in sorted(path.iterdir())}
    return {path.name: path.read_bytes()}


def _assert_whole(path: Path, form: str) -> None:
    if form == "xlsx":
        with zipfile.ZipFile(path) as z:
            assert z.testzip() is None
    elif form == "json":
        json.loads(path.read_text(encoding="utf-8"))
    else:
        assert (path / "datapackage.json").is_file()


@pytest.mark.parametrize("args", [
    ["convert", "package", str(KENT), "--to", "xlsx", "--out", "{out}/sub.xlsx"],
    ["convert", "package", str(KENT), "--to", "csv", "--out", "{out}/pkg"],
    ["convert", "ssda903", str(ROOT / "fixtures" / "ssda903" / "csv-2025-26"), "--la", "886", "--year", "2026",
     "--out", "{out}/pkg", "--report", "{out}/report.json"],
    ["validate", str(KENT), "--annotate", "{out}/annotated.xlsx"],
    ["stats", str(KENT), "--out", "{out}/stats"],
    ["template", "{out}/template.xlsx"],
    ["pseudonymise", str(KENT), "{out}/pseudo.json", "--key-env", "MCDS_TEST_KEY"],
], ids=lambda a: " ".join(a[:2]))
def test_no_temporary_file_left_after_a_normal_run(tmp_path: Path, args: list[str]) -> None:
    from click.testing import CliRunner

    from mcds.cli import main

    out = tmp_path / "out"
    r = CliRunner().invoke(main, [a.format(out=out) for a in args], env={"MCDS_TEST_KEY": KEY})
    assert r.exit_code in (0, 1), r.output
    assert any(out.rglob("*"))
    assert [p for p in out.rglob(".*")] == []
    assert not any(p.name.startswith(".") for p in tmp_path.iterdir())


def test_unwritable_output_is_a_clean_error(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from mcds.cli import main

    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    r = CliRunner().invoke(main, ["convert", "package", str(KENT), "--to", "json", "--out", str(blocker / "sub.json")])
    assert r.exit_code == 2 and "Traceback" not in r.output and "internal error" not in r.output
    assert blocker.read_text(encoding="utf-8") == "x"
    if os.name == "posix":
        assert not list(tmp_path.glob(".*"))


WRITERS = {
    "convert package xlsx": (["convert", "package", str(KENT), "--to", "xlsx", "--out", "{out}/sub.xlsx"], "sub.xlsx"),
    "convert package csv": (["convert", "package", str(KENT), "--to", "csv", "--out", "{out}/pkg"], "pkg"),
    "convert package json": (["convert", "package", str(KENT), "--to", "json", "--out", "{out}/sub.json"], "sub.json"),
    "annotate": (["validate", str(KENT), "--annotate", "{out}/annotated.xlsx"], "annotated.xlsx"),
    "template": (["template", "{out}/template.xlsx"], "template.xlsx"),
    "stats": (["stats", str(KENT), "--out", "{out}/stats"], "stats"),
    "pseudonymise": (["pseudonymise", str(KENT), "{out}/p.json", "--key-env", "MCDS_TEST_KEY"], "p.json"),
}


@pytest.mark.parametrize("name", sorted(WRITERS))
def test_a_failure_before_the_move_leaves_the_previous_output(tmp_path: Path, name: str,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Fault injection: every temporary file is complete, then moving it into place fails (as a crash
    at that instant would): the previous output is untouched and no temporary file is left."""
    from click.testing import CliRunner

    from mcds.cli import main

    args, target = WRITERS[name]
    out = tmp_path / "out"
    env = {"MCDS_TEST_KEY": KEY}
    first = CliRunner().invoke(main, [a.format(out=out) for a in args], env=env)
    assert first.exit_code in (0, 1), first.output
    before = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def crash(*a: object, **k: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", crash)
    monkeypatch.setattr(Path, "rename", crash)
    second = CliRunner().invoke(main, [a.format(out=out) for a in args], env=env)
    assert second.exit_code == 2, second.output
    assert "Traceback" not in second.output and "internal error" not in second.output
    assert "cannot be written (No space left on device)" in second.output
    after = {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before, f"{name}: the previous output changed"
    assert [p.name for p in out.rglob(".*")] == [], "temporary files left behind"
    assert (out / target).exists()


def test_stats_files_are_replaced_as_a_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A failure while writing the last of the three files (a full disk, say) leaves all three as they
    were: a data file never sits beside a report of other figures."""
    from mcds import stats
    from mcds.errors import InputError

    out = tmp_path / "stats"
    stats.run([KENT], out)
    before = _digest(out)
    real = Path.write_bytes
    calls = []

    def failing(self: Path, data: bytes) -> int:
        calls.append(self)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", failing)
    with pytest.raises(InputError, match="No space left"):  # said as any output problem is (exit code 2)
        stats.run([KENT, ROOT / "fixtures" / "valid" / "croydon"], out)
    assert len(calls) == 3
    assert _digest(out) == before  # the first two written files were not moved into place, and no temporary is left
