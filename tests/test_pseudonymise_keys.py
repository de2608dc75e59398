"""Weak or misplaced keys are refused through the CLI (exit 2, nothing written), and no message ever
holds any part of the key."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import pytest
from click.testing import CliRunner

from mcds.cli import main
from mcds.submission import read_csv_package, write_csv_package

ROOT = Path(__file__).resolve().parent.parent
KENT = ROOT / "fixtures" / "valid" / "kent"
WORKBOOK = ROOT / "fixtures" / "annex_a" / "kent-2024-25.xlsx"
WINDOW = 8  # no run of this many characters of the key may be printed


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    sub = read_csv_package(KENT)
    sub.metadata["pseudonymised"] = "false"
    return write_csv_package(sub, tmp_path_factory.mktemp("keys") / "export")


def _run(export: Path, out: Path, *options: str) -> tuple[int, str]:
    r = CliRunner().invoke(main, ["pseudonymise", str(export), str(out), *options])
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert "internal error" not in r.output and "Traceback" not in r.output, r.output
    return r.exit_code, r.output


def _assert_no_part_of(key: bytes, printed: str, *allowed: str) -> None:
    """No ``WINDOW`` characters of the key in ``printed`` (but for the names given on the command line)."""
    for name in allowed:
        printed = printed.replace(name, "")
    text = key.decode("utf-8", errors="replace")
    parts = {text[i:i + WINDOW] for i in range(max(1, len(text) - WINDOW + 1))} - {"\ufffd" * WINDOW}
    assert not [p for p in parts if p.strip() and p in printed], printed


def _csv_file() -> bytes:
    return (KENT / "children.csv").read_bytes()[:2000]


WEAK_FILES = {
    "one character": b"a" * 64,
    "one character and a newline": b"7" * 64 + b"\n",
    "a short sequence repeated": b"Ab3$" * 16,
    "a run": b"abcdefghijklmnopqrstuvwxyz0123456789",
    "spaces": b"correct horse battery staple with several more words",
    "a tab inside": b"Kq8vT2mZ7rXw4LpN\t9bHc3Fd6Gy1Js5Ve",
    "two lines": b"Kq8vT2mZ7rXw4LpN9bHc3Fd6Gy1Js5Ve\nWq3vT2mZ7rXw4LpN9bHc3Fd6Gy1Js5Vz\n",
    "a CSV file": _csv_file(),
    "a CSV header": b"child_id,birth_year_month,sex,ethnicity,nationality,uasc\n",
    "a JSON document": json.dumps({"metadata": {"old_la_code": "886"}, "children": [{"child_id": "Q" * 40}]}).encode(),
    "a workbook": WORKBOOK.read_bytes(),
}


@pytest.mark.parametrize("name", list(WEAK_FILES))
def test_weak_or_data_key_files_are_refused(export: Path, tmp_path: Path, name: str) -> None:
    key = WEAK_FILES[name]
    key_file = tmp_path / "council.key"
    key_file.write_bytes(key)
    code, printed = _run(export, tmp_path / "out", "--key-file", str(key_file))
    assert code == 2 and not (tmp_path / "out").exists()
    assert printed.startswith("mcds: error: ")
    _assert_no_part_of(key, printed, str(key_file), str(export), str(tmp_path / "out"))


@pytest.mark.parametrize("name", [n for n, k in WEAK_FILES.items() if b"\x00" not in k and not k.startswith(b"PK")])
def test_weak_keys_in_the_environment_are_refused(export: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  name: str) -> None:
    key = WEAK_FILES[name]
    monkeypatch.setenv("MCDS_KEY", key.decode())
    code, printed = _run(export, tmp_path / "out", "--key-env", "MCDS_KEY")
    assert code == 2 and not (tmp_path / "out").exists()
    _assert_no_part_of(key, printed, str(export), str(tmp_path / "out"))


@pytest.mark.parametrize("pasted", ["Kq8v-T2mZ7rXw4LpN9bHc3Fd6Gy1Js5Ve+/=", "f00dfeedcafebabe" * 4, "short key"])
def test_a_key_pasted_for_a_variable_name_or_a_file_name_is_never_echoed(export: Path, tmp_path: Path,
                                                                         pasted: str) -> None:
    for option in ("--key-env", "--key-file"):
        code, printed = _run(export, tmp_path / "out", option, pasted)
        assert code == 2 and not (tmp_path / "out").exists()
        _assert_no_part_of(pasted.encode(), printed, str(export), str(tmp_path / "out"))


@pytest.mark.skipif(not os.supports_bytes_environ, reason="the environment is text on this system")
def test_a_key_variable_that_is_not_utf8_is_a_clean_error(export: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    key = b"\xff\xfe" + secrets.token_hex(20).encode() + b"\xe9\xe8"
    monkeypatch.setitem(os.environb, b"MCDS_KEY", key)
    code, printed = _run(export, tmp_path / "out", "--key-env", "MCDS_KEY")
    assert code == 2 and not (tmp_path / "out").exists()
    for form in (key.decode("latin-1"), key.hex(), key.decode("utf-8", "surrogateescape"), repr(key)[2:-1]):
        assert form not in printed
    _assert_no_part_of(key, printed, str(export), str(tmp_path / "out"))


@pytest.mark.parametrize("make", [lambda: secrets.token_hex(32).encode(), lambda: secrets.token_urlsafe(32).encode(),
                                  lambda: secrets.token_bytes(32) + b"\xff", lambda: secrets.token_hex(32).encode() + b"\r\n"],
                         ids=["hex", "urlsafe", "random bytes", "hex with CRLF"])
def test_good_keys_are_taken(export: Path, tmp_path: Path, make) -> None:  # type: ignore[no-untyped-def]
    key_file = tmp_path / "council.key"
    key_file.write_bytes(make())
    code, printed = _run(export, tmp_path / "out", "--key-file", str(key_file))
    assert code == 0, printed


PASTED = "9f2c4e8a1b7d3f60e5a9c2b8d4f1e7a3c6b0d9e2f5a8c1b4"  # a key, pasted where it does not belong


@pytest.mark.parametrize("args", [
    ["{src}", "{out}", "{key}"],
    ["{src}", "{out}", "--key-env", "MCDS_KEY", "{key}"],
    ["{src}", "{out}", "{key}", "--key-file", "council.key"],
    ["{src}", "{out}", "--key-env", "MCDS_KEY", "--{key}"],
    ["{src}", "{out}", "--key-env", "MCDS_KEY", "-K{key}"],
    ["{src}", "{out}", "--key-fil", "{key}"],
    ["{src}", "{out}", "--again={key}", "--key-env", "MCDS_KEY"],
    ["{key}", "{out}", "--key-env", "MCDS_KEY"],
    ["{src}", "{key}", "--key-env", "MCDS_KEY"],
    ["{src}", "{key}.json", "--key-env", "MCDS_KEY"],
    ["{src}", "{out}/{key}", "--key-file", "council.key"],
], ids=lambda a: " ".join(a).replace("{key}", "KEY"))
def test_a_key_on_the_command_line_is_never_echoed_nor_written(export: Path, tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch, args: list[str]) -> None:
    """click's own messages quote what was typed ("Got unexpected extra argument (...)", "No such
    option '--...'"); a key given as SOURCE or OUT would be echoed by the next message and become the
    name of the output. All are refused without the value."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MCDS_KEY", PASTED)
    Path("council.key").write_text(PASTED + "\n", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    r = CliRunner().invoke(main, ["pseudonymise", *(a.format(src=export, out=tmp_path / "out", key=PASTED) for a in args)])
    assert r.exit_code == 2 and "internal error" not in r.output and "Traceback" not in r.output, r.output
    _assert_no_part_of(PASTED.encode(), r.output, str(export))
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no output, nothing named after the key


def test_a_key_command_repeats_no_value_in_any_usage_error() -> None:
    """Whatever click would quote (a value a type refuses, an unknown option, an extra argument), a
    command taking a key says what is wrong without it; its own words (option names, choices) stay."""
    import click

    from mcds.commands._options import KeyCommand

    @click.command("demo", cls=KeyCommand)
    @click.argument("source")
    @click.option("--as-of", type=click.DateTime(["%Y-%m-%d"]))
    @click.option("--format", "fmt", type=click.Choice(["text", "json"]))
    def demo(source: str, as_of: object, fmt: str) -> None:
        click.echo("ran")

    for args, says in [(["pkg", "--as-of", PASTED], "--as-of"), (["pkg", "--format", PASTED], "'text', 'json'"),
                       (["pkg", f"--format={PASTED}"], "--format"), (["pkg", PASTED], "more than SOURCE"),
                       (["pkg", f"--{PASTED}"], "no such option"), (["pkg", "--as-o", "x"], "--as-of")]:
        r = CliRunner().invoke(demo, args)
        assert r.exit_code == 2 and says in r.output, r.output
        _assert_no_part_of(PASTED.encode(), r.output)
    assert CliRunner().invoke(demo, ["pkg", "--as-of", "2025-03-31", "--format", "json"]).output == "ran\n"
