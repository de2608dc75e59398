from __future__ import annotations

import hashlib
import hmac
from pathlib import Path

import pytest
from click.testing import CliRunner

import mcds
from mcds.cli import main
from mcds.convert.package import read_any
from mcds.pseudonymise import UnusableKeyError, key_from_env, key_from_file, pseudonymise
from mcds.submission import read_csv_package

ROOT = Path(__file__).resolve().parent.parent
KENT = ROOT / "fixtures" / "valid" / "kent"
KEY = b"a-council-secret-key-for-tests-0123456789abcdef"


def _all_bytes(folder: Path) -> bytes:
    if folder.is_file():
        return folder.read_bytes()
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())


def test_child_ids_replaced_consistently_across_tables_and_runs() -> None:
    sub = read_csv_package(KENT)
    a, b = pseudonymise(sub, KEY), pseudonymise(sub, KEY)
    assert a.tables == b.tables
    first = sub.rows("children")[0]["child_id"]
    expected = hmac.new(KEY, first.encode(), hashlib.sha256).hexdigest()
    assert a.rows("children")[0]["child_id"] == expected
    old = {c["child_id"] for c in sub.rows("children")}
    new = {c["child_id"] for c in a.rows("children")}
    assert not old & new and len(new) == len(old)
    for t in ("placements", "missing_episodes", "return_interviews"):
        assert {r["child_id"] for r in a.rows(t)} <= new
        # Nothing but child identifiers changes.
        for before, after in zip(sub.rows(t), a.rows(t), strict=True):
            assert {k: v for k, v in before.items() if k != "child_id"} == {k: v for k, v in after.items() if k != "child_id"}
    assert a.metadata["pseudonymised"] == "true"
    assert pseudonymise(sub, KEY + b"x").rows("children")[0]["child_id"] != expected


def test_short_keys_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "k").write_bytes(b"x" * 31 + b"\n")
    with pytest.raises(UnusableKeyError) as e:
        key_from_file(tmp_path / "k")
    assert "x" * 31 not in str(e.value)
    monkeypatch.setenv("MCDS_KEY", "y" * 31)
    with pytest.raises(UnusableKeyError):
        key_from_env("MCDS_KEY")
    (tmp_path / "k").write_bytes(b"x" * 32 + b"\r\n")
    assert key_from_file(tmp_path / "k") == b"x" * 32


@pytest.mark.parametrize("out_name", ["out", "out.json", "out.xlsx"])
def test_cli_never_writes_the_key_and_output_is_valid(tmp_path: Path, out_name: str) -> None:
    key_file = tmp_path / "secret.key"
    key_file.write_bytes(KEY + b"\n")
    r = CliRunner().invoke(main, ["pseudonymise", str(KENT), str(tmp_path / out_name), "--key-file", str(key_file)])
    assert r.exit_code == 0, r.output
    data = _all_bytes(tmp_path / out_name)
    for needle in (KEY, KEY.hex().encode(), KEY[:16]):
        assert needle not in data
        assert needle.decode(errors="ignore") not in r.output
    if out_name.endswith(".xlsx"):  # the workbook is a zip: search its unzipped parts too
        import zipfile

        with zipfile.ZipFile(tmp_path / out_name) as z:
            assert not any(KEY[:16] in z.read(n) for n in z.namelist())
    result = read_any(tmp_path / out_name)
    assert result.metadata["pseudonymised"] == "true"
    report = mcds.validate(tmp_path / out_name)
    assert report.valid, report.project("code", "table", "row", "field")[:5]


def test_cli_key_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MCDS_TEST_KEY", KEY.decode())
    runner = CliRunner()
    r = runner.invoke(main, ["pseudonymise", str(KENT), str(tmp_path / "a"), "--key-env", "MCDS_TEST_KEY"])
    assert r.exit_code == 0
    assert read_csv_package(tmp_path / "a").tables == pseudonymise(read_csv_package(KENT), KEY).tables
    r = runner.invoke(main, ["pseudonymise", str(KENT), str(tmp_path / "b"), "--key-env", "MCDS_NO_SUCH_VAR"])
    assert r.exit_code == 2 and not (tmp_path / "b").exists()
    r = runner.invoke(main, ["pseudonymise", str(KENT), str(tmp_path / "c")])
    assert r.exit_code == 2


def test_child_ids_inside_other_identifiers_are_replaced_and_links_kept(tmp_path: Path) -> None:
    sub = read_csv_package(KENT)
    # A council whose system builds episode and placement ids from the child's id.
    child = sub.rows("children")[0]["child_id"]
    local = {c["child_id"]: f"C{n}" for n, c in enumerate(sub.rows("children"), start=100)}
    for t in sub.tables.values():
        for r in t:
            if r.get("child_id"):
                r["child_id"] = local[r["child_id"]]
    renamed = {}
    for p in sub.rows("placements"):
        renamed[p["placement_id"]] = f"{p['child_id']}-{p['placement_id']}"
        p["placement_id"] = renamed[p["placement_id"]]
    for e in sub.rows("missing_episodes"):
        e["placement_id"] = renamed.get(e["placement_id"], e["placement_id"])
    out = pseudonymise(sub, KEY)
    ids = {p["placement_id"] for p in out.rows("placements")}
    assert not any(local[child] in i.split("-") for i in ids)
    assert all(i.endswith(old.split("-", 1)[1]) for i, old in zip(
        (p["placement_id"] for p in out.rows("placements")), (p["placement_id"] for p in sub.rows("placements")),
        strict=True))
    assert {e["placement_id"] for e in out.rows("missing_episodes") if e["placement_id"]} <= ids
    from mcds.submission import write_csv_package

    write_csv_package(out, tmp_path / "out")
    assert mcds.validate(tmp_path / "out").valid
